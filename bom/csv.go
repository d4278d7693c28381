package bom

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"rarex"
)

// ParseError names the file, line, column and field of bad input.
type ParseError struct {
	File   string
	Line   int
	Column int
	Field  string
	Msg    string
}

func (e *ParseError) Error() string {
	if e.Column > 0 {
		return fmt.Sprintf("%s:%d:%d: %s: %s", e.File, e.Line, e.Column, e.Field, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Field, e.Msg)
}

// Syntax checks, written out rather than as regexps: they run once per
// field of million-row files.
// MatchString reports whether s is a non-negative decimal: digits, and
// optionally a dot followed by digits.
func (decimalChecker) MatchString(s string) bool {
	dot, digits := false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot && digits > 0 && i < len(s)-1:
			dot = true
		default:
			return false
		}
	}
	return digits > 0
}

type decimalChecker struct{}

var decimalSyntax decimalChecker

// checkPart returns the first bad field of p and why, or "" when p is
// fine. The CSV readers and JSON documents share it.
func checkPart(p *Part, vocab Vocabulary) (field, msg string) {
	switch {
	case p.ID == "":
		return "part_id", "empty"
	case !vocab.IsClass(p.Class):
		return "class", fmt.Sprintf("%q is not an item class", p.Class)
	case !rarex.IsCountry(p.Origin):
		return "origin", fmt.Sprintf("%q is not an ISO 3166 two-letter country code", p.Origin)
	case !decimalSyntax.MatchString(p.UnitValue):
		return "unit_value", fmt.Sprintf("%q is not a non-negative decimal number", p.UnitValue)
	case p.HSCode != "" && !rarex.IsHSCode(p.HSCode):
		return "hs_code", fmt.Sprintf("%q is not 4 to 10 digits", p.HSCode)
	}
	for _, el := range p.Elements {
		if !rarex.IsElement(el) {
			return "elements", fmt.Sprintf("%q is not an element symbol", el)
		}
	}
	for _, s := range p.CNTechnology {
		if !vocab.IsStage(s) {
			return "cn_technology", fmt.Sprintf("%q is not a technology stage", s)
		}
	}
	return "", ""
}

// checkEdge returns the first bad field of an edge and why, or "".
func checkEdge(parent, child, quantity string) (field, msg string) {
	switch {
	case parent == "":
		return "parent_id", "empty"
	case child == "":
		return "child_id", "empty"
	case !decimalSyntax.MatchString(quantity) || isZero(quantity):
		return "quantity", fmt.Sprintf("%q is not a decimal number greater than 0", quantity)
	}
	return "", ""
}

// table reads a CSV file with a header row whose columns may come in any
// order; unknown columns are ignored.
type table struct {
	file string
	r    *csv.Reader
	col  map[string]int
	rec  []string
}

func openTable(r io.Reader, file string, required, optional []string) (*table, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	t := &table{file: file, r: cr, col: map[string]int{}}
	head, err := cr.Read()
	if err == io.EOF {
		return nil, &ParseError{File: file, Line: 1, Field: "header", Msg: "the file is empty; a header row is required"}
	}
	if err != nil {
		return nil, t.csvError(err)
	}
	known := rarex.SetOf(append(append([]string{}, required...), optional...))
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !known[h] {
			continue
		}
		if _, dup := t.col[h]; dup {
			return nil, &ParseError{File: file, Line: 1, Column: i + 1, Field: h, Msg: "column appears twice"}
		}
		t.col[h] = i
	}
	var missing []string
	for _, h := range required {
		if _, ok := t.col[h]; !ok {
			missing = append(missing, h)
		}
	}
	if len(missing) > 0 {
		return nil, &ParseError{File: file, Line: 1, Field: "header", Msg: "missing column(s) " + strings.Join(missing, ", ") + "; the header must name " + strings.Join(required, ", ")}
	}
	return t, nil
}

func (t *table) csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &ParseError{File: t.file, Line: pe.Line, Column: pe.Column, Field: "csv", Msg: pe.Err.Error()}
	}
	return fmt.Errorf("%s: %w", t.file, err)
}

// next reads a row; io.EOF at the end.
func (t *table) next() error {
	rec, err := t.r.Read()
	if err != nil {
		if err == io.EOF {
			return err
		}
		return t.csvError(err)
	}
	t.rec = rec
	return nil
}

// index returns the column numbers of names (-1 when absent), looked up
// once per file rather than once per field.
func (t *table) index(names ...string) []int {
	out := make([]int, len(names))
	for i, n := range names {
		out[i] = -1
		if c, ok := t.col[n]; ok {
			out[i] = c
		}
	}
	return out
}

// at returns column c of the current row, trimmed ("" when absent).
func (t *table) at(c int) string {
	if c < 0 || c >= len(t.rec) {
		return ""
	}
	return strings.TrimSpace(t.rec[c])
}

func (t *table) errf(name, format string, args ...any) error {
	line, col := t.r.FieldPos(0)
	if i, ok := t.col[name]; ok && i < len(t.rec) {
		line, col = t.r.FieldPos(i)
	}
	return &ParseError{File: t.file, Line: line, Column: col, Field: name, Msg: fmt.Sprintf(format, args...)}
}

func (t *table) line() int { l, _ := t.r.FieldPos(0); return l }

// SplitList reads a ";"-separated list, trimming items and dropping empty ones.
func SplitList(s string) []string {
	if s == "" {
		return nil
	}
	parts := strings.Split(s, ";")
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// ReadParts reads parts.csv: part_id,description,class,elements,hs_code,
// origin,unit_value,cn_technology. It stops at the first bad row.
func ReadParts(r io.Reader, file string, vocab Vocabulary) ([]Part, error) {
	t, err := openTable(r, file, []string{"part_id", "class", "origin", "unit_value"}, []string{"description", "elements", "hs_code", "cn_technology"})
	if err != nil {
		return nil, err
	}
	var parts []Part
	seen := map[string]int{}
	c := t.index("part_id", "description", "class", "hs_code", "origin", "unit_value", "elements", "cn_technology")
	for {
		if err := t.next(); err == io.EOF {
			break
		} else if err != nil {
			return nil, err
		}
		p := Part{ID: t.at(c[0]), Description: t.at(c[1]), Class: t.at(c[2]), HSCode: t.at(c[3]),
			Origin: t.at(c[4]), UnitValue: t.at(c[5]), Elements: SplitList(t.at(c[6])), CNTechnology: SplitList(t.at(c[7]))}
		if seen[p.ID] > 0 {
			return nil, t.errf("part_id", "%q is listed twice (first on line %d)", p.ID, seen[p.ID])
		}
		if field, msg := checkPart(&p, vocab); field != "" {
			return nil, t.errf(field, "%s", msg)
		}
		seen[p.ID] = t.line()
		parts = append(parts, p)
	}
	return parts, nil
}

// ReadEdges reads edges.csv: parent_id,child_id,quantity (quantity > 0).
// Whether the ids name parts is checked by Build.
func ReadEdges(r io.Reader, file string) ([]Edge, error) {
	t, err := openTable(r, file, []string{"parent_id", "child_id", "quantity"}, nil)
	if err != nil {
		return nil, err
	}
	var edges []Edge
	c := t.index("parent_id", "child_id", "quantity")
	for {
		if err := t.next(); err == io.EOF {
			break
		} else if err != nil {
			return nil, err
		}
		e := Edge{Parent: t.at(c[0]), Child: t.at(c[1]), Quantity: t.at(c[2]), line: t.line()}
		if field, msg := checkEdge(e.Parent, e.Child, e.Quantity); field != "" {
			return nil, t.errf(field, "%s", msg)
		}
		edges = append(edges, e)
	}
	return edges, nil
}

// ReadGraph reads parts.csv and then edges.csv straight into a Graph: edge
// rows are checked and resolved as they stream in and are not kept, which
// saves most of the memory of a large BOM. An edge naming an unknown part
// is an error with its file, line and column.
func ReadGraph(parts io.Reader, partsFile string, edges io.Reader, edgesFile string, vocab Vocabulary) (*Graph, error) {
	ps, err := ReadParts(parts, partsFile, vocab)
	if err != nil {
		return nil, err
	}
	b, err := newBuilder(ps)
	if err != nil {
		return nil, err
	}
	t, err := openTable(edges, edgesFile, []string{"parent_id", "child_id", "quantity"}, nil)
	if err != nil {
		return nil, err
	}
	c := t.index("parent_id", "child_id", "quantity")
	for k := 0; ; k++ {
		if err := t.next(); err == io.EOF {
			break
		} else if err != nil {
			return nil, err
		}
		parent, child, qty := t.at(c[0]), t.at(c[1]), t.at(c[2])
		if field, msg := checkEdge(parent, child, qty); field != "" {
			return nil, t.errf(field, "%s", msg)
		}
		// Clone the quantity: the graph keeps it, and a substring would keep
		// the whole line alive.
		if err := b.add(k, parent, child, strings.Clone(qty), t.line()); err != nil {
			var ue *UnknownPartError
			if errors.As(err, &ue) {
				return nil, t.errf(ue.Field, "%q is not a part in %s", ue.ID, partsFile)
			}
			return nil, err
		}
	}
	return b.finish()
}
