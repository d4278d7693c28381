package bom

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"

	"rarex/i18n"
)

// maxRecord bounds one CSV record, so a file without newlines cannot take
// all memory; real part rows are a few hundred bytes.
const maxRecord = 1 << 20

// scanner reads CSV records (RFC 4180) without allocating per field. A
// line without a quote, nearly every line of a BOM, is split on commas in
// place; a quoted field goes through the full parse, which may span lines.
// Fields are trimmed of spaces. Slices stay valid until the next call.
type scanner struct {
	r      *bufio.Reader
	file   string
	line   int      // line of the current record's start
	next   int      // line the next record starts on
	rec    []byte   // the record's fields, unquoted, back to back
	ends   []int    // end of field i in rec
	cols   []int    // 1-based byte column of field i on its line
	lines  []int    // line field i starts on (records may span lines)
	fields [][]byte // trimmed fields
	buf    []byte   // a record copied out of the reader
	bytes  int64    // bytes read so far
}

func newScanner(r io.Reader, file string) *scanner {
	return &scanner{r: bufio.NewReaderSize(r, 256<<10), file: file, next: 1}
}

// lineTooLong says that a line passes maxRecord.
func lineTooLong() i18n.Msg { return i18n.M("bom.err.line_long", strconv.Itoa(maxRecord)) }

func (s *scanner) fail(line, col int, why i18n.Msg) error {
	return newParseError(s.file, line, col, "csv", why)
}

// readLine returns the next physical line without its line ending, or
// io.EOF. The slice may point into the reader's buffer.
func (s *scanner) readLine() ([]byte, error) {
	line, err := s.r.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		s.buf = append(s.buf[:0], line...)
		for err == bufio.ErrBufferFull {
			line, err = s.r.ReadSlice('\n')
			s.buf = append(s.buf, line...)
			if len(s.buf) > maxRecord {
				return nil, s.fail(s.next, 0, lineTooLong())
			}
		}
		line = s.buf
	}
	if len(line) == 0 && err != nil {
		if err == io.EOF {
			return nil, io.EOF
		}
		return nil, fmt.Errorf("%s: %w", s.file, err)
	}
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("%s: %w", s.file, err)
	}
	s.bytes += int64(len(line))
	n := len(line)
	if n > 0 && line[n-1] == '\n' {
		n--
		if n > 0 && line[n-1] == '\r' {
			n--
		}
	}
	return line[:n], nil
}

// Read reads the next record, skipping empty lines; io.EOF at the end.
func (s *scanner) Read() error {
	for {
		s.line = s.next
		line, err := s.readLine()
		if err != nil {
			return err
		}
		s.next++
		if len(line) == 0 {
			continue
		}
		if s.line == 1 {
			line = bytes.TrimPrefix(line, []byte("\ufeff"))
		}
		if bytes.IndexByte(line, '"') < 0 {
			s.split(line)
			return nil
		}
		return s.quoted(line)
	}
}

// split cuts an unquoted line on commas.
func (s *scanner) split(line []byte) {
	s.fields, s.cols, s.lines = s.fields[:0], s.cols[:0], s.lines[:0]
	at := 0
	for {
		i := bytes.IndexByte(line[at:], ',')
		if i < 0 {
			s.fields = append(s.fields, trim(line[at:]))
			s.cols, s.lines = append(s.cols, at+1), append(s.lines, s.line)
			return
		}
		s.fields = append(s.fields, trim(line[at:at+i]))
		s.cols, s.lines = append(s.cols, at+1), append(s.lines, s.line)
		at += i + 1
	}
}

// quoted parses a record with quoted fields, reading on while a quoted
// field spans lines. The record is copied into rec.
func (s *scanner) quoted(line []byte) error {
	s.rec, s.ends, s.cols, s.lines = s.rec[:0], s.ends[:0], s.cols[:0], s.lines[:0]
	// Copy the line out: more lines may be read into the reader's buffer.
	cur := append([]byte(nil), line...)
	lineNo, at := s.line, 0
	for {
		s.cols, s.lines = append(s.cols, at+1), append(s.lines, lineNo)
		if at < len(cur) && cur[at] == '"' {
			fieldLine, fieldCol := lineNo, at+1
			at++
			for {
				i := bytes.IndexByte(cur[at:], '"')
				if i < 0 {
					// The quoted field goes on past the end of the line.
					s.rec = append(s.rec, cur[at:]...)
					s.rec = append(s.rec, '\n')
					next, err := s.readLine()
					if err == io.EOF {
						return s.fail(fieldLine, fieldCol, i18n.M("bom.err.quote_open"))
					}
					if err != nil {
						return err
					}
					s.next++
					lineNo++
					if len(s.rec) > maxRecord {
						return s.fail(fieldLine, fieldCol, i18n.M("bom.err.record_long", strconv.Itoa(maxRecord)))
					}
					cur, at = append(cur[:0], next...), 0
					continue
				}
				s.rec = append(s.rec, cur[at:at+i]...)
				at += i + 1
				if at < len(cur) && cur[at] == '"' { // "" is one quote
					s.rec = append(s.rec, '"')
					at++
					continue
				}
				break
			}
			if at < len(cur) && cur[at] != ',' {
				return s.fail(lineNo, at+1, i18n.M("bom.err.quote_stray"))
			}
		} else {
			i := bytes.IndexByte(cur[at:], ',')
			end := len(cur)
			if i >= 0 {
				end = at + i
			}
			if q := bytes.IndexByte(cur[at:end], '"'); q >= 0 {
				return s.fail(lineNo, at+q+1, i18n.M("bom.err.quote_bare"))
			}
			s.rec = append(s.rec, cur[at:end]...)
			at = end
		}
		s.ends = append(s.ends, len(s.rec))
		if at >= len(cur) {
			break
		}
		at++ // the comma
		if at == len(cur) {
			s.cols, s.lines = append(s.cols, at+1), append(s.lines, lineNo)
			s.ends = append(s.ends, len(s.rec))
			break
		}
	}
	s.fields = s.fields[:0]
	from := 0
	for _, end := range s.ends {
		s.fields = append(s.fields, trim(s.rec[from:end]))
		from = end
	}
	return nil
}

func trim(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// field returns field c of the record (nil when the column is absent).
func (s *scanner) field(c int) []byte {
	if c < 0 || c >= len(s.fields) {
		return nil
	}
	return s.fields[c]
}

// pos returns the line and 1-based column of field c (the record's start
// when the column is absent).
func (s *scanner) pos(c int) (line, col int) {
	if c < 0 || c >= len(s.cols) {
		return s.line, 1
	}
	return s.lines[c], s.cols[c]
}
