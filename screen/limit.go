package screen

import (
	"fmt"
	"io"
)

// MaxLine bounds one line of a list file: a file without newlines, or one
// with a runaway quoted field, fails with its line instead of taking all
// memory. Real list rows are a few kilobytes.
const MaxLine = 1 << 20

// lineLimit passes r through, failing once a line exceeds MaxLine bytes.
type lineLimit struct {
	r    io.Reader
	file string
	line int // current line, 1-based
	run  int // bytes since the last newline
}

func limitLines(r io.Reader, file string) io.Reader { return &lineLimit{r: r, file: file, line: 1} }

func (l *lineLimit) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for _, c := range p[:n] {
		if c == '\n' {
			l.line, l.run = l.line+1, 0
			continue
		}
		if l.run++; l.run > MaxLine {
			return 0, &ReadError{File: l.file, Line: l.line, Field: "line", Msg: fmt.Sprintf("longer than %d bytes", MaxLine)}
		}
	}
	return n, err
}
