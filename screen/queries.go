package screen

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ReadQueries reads a CSV of parties to screen: a header naming name, and
// optionally country and type. At most max rows (0: no limit). Errors name
// the file, line and column.
func ReadQueries(r io.Reader, file string, max int) ([]Query, error) {
	cr := csv.NewReader(limitLines(r, file))
	cr.FieldsPerRecord = -1
	col, _, err := readHeader(cr, file, "name (and optionally country, type)", "name")
	if err != nil {
		return nil, err
	}
	var qs []Query
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return qs, nil
		}
		if err != nil {
			return nil, csvErr(file, err)
		}
		line, _ := cr.FieldPos(0)
		q := Query{Name: field(rec, col, "name"), Country: strings.ToUpper(field(rec, col, "country")), Type: field(rec, col, "type")}
		if q.Name == "" {
			return nil, &ReadError{File: file, Line: line, Field: "name", Msg: "empty"}
		}
		if max > 0 && len(qs) == max {
			return nil, &ReadError{File: file, Line: line, Msg: "more than " + strconv.Itoa(max) + " parties; split the file"}
		}
		qs = append(qs, q)
	}
}

// readHeader reads a CSV header into column positions by lower-case name,
// requiring the names given; expect describes the header for errors.
func readHeader(cr *csv.Reader, file, expect string, required ...string) (map[string]int, []string, error) {
	head, err := cr.Read()
	if err == io.EOF {
		return nil, nil, &ReadError{File: file, Line: 1, Field: "header", Msg: "the file is empty; the header must name " + expect}
	}
	if err != nil {
		return nil, nil, csvErr(file, err)
	}
	head = append([]string(nil), head...)
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, need := range required {
		if _, ok := col[need]; !ok {
			return nil, nil, &ReadError{File: file, Line: 1, Field: "header", Msg: "missing column " + need + "; the header must name " + expect}
		}
	}
	return col, head, nil
}

// field is column name of rec, trimmed ("" when absent).
func field(rec []string, col map[string]int, name string) string {
	if i, ok := col[name]; ok && i < len(rec) {
		return strings.TrimSpace(rec[i])
	}
	return ""
}

// invalidUTF8 is the first field of rec that is not valid UTF-8, or -1.
func invalidUTF8(rec []string) int {
	for i, f := range rec {
		if !utf8.ValidString(f) {
			return i
		}
	}
	return -1
}

// columnName is the header's name of column i, as written.
func columnName(head []string, i int) string {
	if i < len(head) {
		return strings.TrimSpace(strings.TrimPrefix(head[i], "\ufeff"))
	}
	return "column " + strconv.Itoa(i+1)
}
