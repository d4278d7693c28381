package bom

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"slices"
	"strconv"
	"strings"

	"rarex"
	"rarex/i18n"
)

// ParseError names the file, line, column and field of bad input.
type ParseError struct {
	File   string
	Line   int
	Column int
	Field  string
	Msg    string   // what is wrong, in English
	Why    i18n.Msg // Msg as a catalog message, for pages in the reader's language
}

// listedTwice says that id is a repeat of the part on line first.
func listedTwice(id string, first int) i18n.Msg {
	return i18n.M("bom.err.twice", id, strconv.Itoa(first))
}

// notPartIn says that id names no part of partsFile.
func notPartIn(id []byte, partsFile string) i18n.Msg {
	return i18n.M("bom.err.not_part_in", string(id), partsFile)
}

// newParseError reports what is wrong (why) at a line and column of file.
func newParseError(file string, line, col int, field string, why i18n.Msg) *ParseError {
	return &ParseError{File: file, Line: line, Column: col, Field: field, Msg: why.In(i18n.English), Why: why}
}

func (e *ParseError) Error() string { return e.In(i18n.English) }

// In words e in lang: its place, field and reason.
func (e *ParseError) In(lang string) string {
	why := e.Msg
	if e.Why.Key != "" {
		why = e.Why.In(lang)
	}
	if e.Column > 0 {
		return i18n.T(lang, "bom.err.at", e.File, strconv.Itoa(e.Line), strconv.Itoa(e.Column), e.Field, why)
	}
	return i18n.T(lang, "bom.err.at_line", e.File, strconv.Itoa(e.Line), e.Field, why)
}

// isDecimal reports whether s is a non-negative decimal, as parseDecimal
// reads them.
func isDecimal[T string | []byte](s T) bool {
	_, ok := parseDecimal(s)
	return ok
}

// checkPart returns the first bad field of p and why, or "" when p is
// fine. The CSV readers and JSON documents share it.
func checkPart(p *Part, vocab Vocabulary) (field string, why i18n.Msg) {
	if field, why = checkFields(p.ID, p.Class, p.Origin, p.UnitValue, p.HSCode, vocab); field == "" {
		field, why = checkLists(p, vocab)
	}
	return field, why
}

// checkFields is checkPart's check of the single-valued fields, taken
// one by one.
func checkFields(id, class, origin, value, hs string, vocab Vocabulary) (field string, why i18n.Msg) {
	return checkRow(id, class, vocab.IsClass(class), origin, value, isDecimal(value), hs)
}

// checkRow is checkFields for a class and a value already known to be
// good (classOK, valueOK) or not: the fast reader asks the vocabulary once
// per class it meets, and reads each value once, checking it as it goes.
// The fast reader tests the same conditions in line and calls checkRow
// only for a row that fails one (partLoader.parse): a check added here
// goes there too, and TestFastReaderBadInput holds the readers to each
// other on a bad row of each kind.
func checkRow(id, class string, classOK bool, origin, value string, valueOK bool, hs string) (field string, why i18n.Msg) {
	switch {
	case id == "":
		return "part_id", i18n.M("bom.err.empty")
	case !classOK:
		return "class", i18n.M("bom.err.class", class)
	case !rarex.IsCountry(origin):
		return "origin", i18n.M("bom.err.country", origin)
	case !valueOK:
		return "unit_value", i18n.M("bom.err.value", value)
	case hs != "" && !rarex.IsHSCode(hs):
		return "hs_code", i18n.M("bom.err.hs_code", hs)
	}
	return "", i18n.Msg{}
}

// checkLists is checkPart's check of the elements and stages lists.
func checkLists(p *Part, vocab Vocabulary) (field string, why i18n.Msg) {
	for _, el := range p.Elements {
		if !rarex.IsElement(el) {
			return "elements", i18n.M("bom.err.element", el)
		}
	}
	for _, s := range p.CNTechnology {
		if !vocab.IsStage(s) {
			return "cn_technology", i18n.M("bom.err.stage", s)
		}
	}
	return "", i18n.Msg{}
}

// checkEdge returns the first bad field of an edge and why, or "".
func checkEdge[T string | []byte](parent, child, quantity T) (field string, why i18n.Msg) {
	switch {
	case len(parent) == 0:
		return "parent_id", i18n.M("bom.err.empty")
	case len(child) == 0:
		return "child_id", i18n.M("bom.err.empty")
	case !isDecimal(quantity) || isZero(quantity):
		return "quantity", i18n.M("bom.err.quantity", string(quantity))
	}
	return "", i18n.Msg{}
}

// table reads a CSV file with a header row whose columns may come in any
// order; unknown columns are ignored.
type table struct {
	file string
	s    *scanner
	col  map[string]int
}

func openTable(r io.Reader, file string, required, optional []string) (*table, error) {
	t := &table{file: file, s: newScanner(r, file), col: map[string]int{}}
	err := t.s.Read()
	if err == io.EOF {
		return nil, newParseError(file, 1, 0, "header", i18n.M("bom.err.no_header"))
	}
	if err != nil {
		return nil, err
	}
	known := rarex.SetOf(append(append([]string{}, required...), optional...))
	for i, f := range t.s.fields {
		h := strings.ToLower(string(f))
		if !known[h] {
			continue
		}
		if _, dup := t.col[h]; dup {
			return nil, newParseError(file, t.s.line, i+1, h, i18n.M("bom.err.column_twice"))
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
		return nil, newParseError(file, t.s.line, 0, "header", i18n.M("bom.err.missing_columns", strings.Join(missing, ", "), strings.Join(required, ", ")))
	}
	return t, nil
}

// next reads a row; io.EOF at the end.
func (t *table) next() error { return t.s.Read() }

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
func (t *table) at(c int) string { return string(t.s.field(c)) }

// bytes is at without a copy, valid until the next row.
func (t *table) bytes(c int) []byte { return t.s.field(c) }

// fail reports what is wrong (why) with column name of the current row.
func (t *table) fail(name string, why i18n.Msg) error {
	c, ok := t.col[name]
	if !ok {
		c = -1
	}
	line, col := t.s.pos(c)
	return newParseError(t.file, line, col, name, why)
}

func (t *table) line() int { return t.s.line }

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

// partColumns are the columns of parts.csv the readers take, in the order
// they index them.
var partColumns = []string{"part_id", "description", "class", "hs_code", "origin", "unit_value", "elements", "cn_technology"}

// partRows streams the rows of parts.csv, checked field by field.
type partRows struct {
	t       *table
	c       []int
	vocab   Vocabulary
	scratch []byte
	offs    [9]int
}

func openParts(r io.Reader, file string, vocab Vocabulary) (*partRows, error) {
	t, err := openTable(r, file, []string{"part_id", "class", "origin", "unit_value"}, []string{"description", "elements", "hs_code", "cn_technology"})
	if err != nil {
		return nil, err
	}
	return &partRows{t: t, vocab: vocab, c: t.index(partColumns...)}, nil
}

// next returns the next part; io.EOF at the end. The row's fields share
// one string, one allocation per row.
func (pr *partRows) next() (Part, error) {
	if err := pr.t.next(); err != nil {
		return Part{}, err
	}
	pr.scratch = pr.scratch[:0]
	for i, c := range pr.c {
		pr.offs[i] = len(pr.scratch)
		pr.scratch = append(pr.scratch, pr.t.bytes(c)...)
	}
	pr.offs[len(pr.c)] = len(pr.scratch)
	row := string(pr.scratch)
	f := func(i int) string { return row[pr.offs[i]:pr.offs[i+1]] }
	p := Part{ID: f(0), Description: f(1), Class: f(2), HSCode: f(3), Origin: f(4), UnitValue: f(5), Elements: SplitList(f(6)), CNTechnology: SplitList(f(7))}
	if field, why := checkPart(&p, pr.vocab); field != "" {
		return Part{}, pr.t.fail(field, why)
	}
	return p, nil
}

// ReadParts reads parts.csv: part_id,description,class,elements,hs_code,
// origin,unit_value,cn_technology. It stops at the first bad row.
func ReadParts(r io.Reader, file string, vocab Vocabulary) ([]Part, error) {
	pr, err := openParts(r, file, vocab)
	if err != nil {
		return nil, err
	}
	var parts []Part
	seen := map[string]int{}
	for {
		p, err := pr.next()
		if err == io.EOF {
			return parts, nil
		} else if err != nil {
			return nil, err
		}
		if seen[p.ID] > 0 {
			return nil, pr.t.fail("part_id", listedTwice(p.ID, seen[p.ID]))
		}
		seen[p.ID] = pr.t.line()
		parts = append(parts, p)
	}
}

// ReadEdges reads edges.csv: parent_id,child_id,quantity (quantity > 0).
// Whether the ids name parts is checked by Build.
func ReadEdges(r io.Reader, file string) ([]Edge, error) {
	t, err := openEdges(r, file)
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
		if field, why := checkEdge(e.Parent, e.Child, e.Quantity); field != "" {
			return nil, t.fail(field, why)
		}
		edges = append(edges, e)
	}
	return edges, nil
}

// edgeColumns are the columns of edges.csv, all required.
var edgeColumns = []string{"parent_id", "child_id", "quantity"}

func openEdges(r io.Reader, file string) (*table, error) {
	return openTable(r, file, edgeColumns, nil)
}

// sizeOf returns the size of r in bytes when r can tell it (a file, a
// bytes or strings reader, or anything with a Size method), else -1.
func sizeOf(r io.Reader) int64 {
	switch v := r.(type) {
	case interface{ Size() int64 }:
		return v.Size()
	case interface{ Stat() (fs.FileInfo, error) }:
		if st, err := v.Stat(); err == nil && st.Mode().IsRegular() {
			return st.Size()
		}
	}
	return -1
}

// rowsHint estimates the rows of a file of size bytes from the first rows
// read: arrays sized once do not copy themselves as a large file streams in.
func rowsHint(size int64, s *scanner, rows int) int {
	if size <= 0 || rows == 0 || s.bytes == 0 {
		return 0
	}
	return int(float64(size) / (float64(s.bytes) / float64(rows)) * 1.02)
}

// ReadGraph reads parts.csv and then edges.csv straight into a Graph: rows
// are checked and resolved as they stream in and are not kept, which saves
// most of the memory of a large BOM. An edge naming an unknown part is an
// error with its file, line and column.
func ReadGraph(parts io.Reader, partsFile string, edges io.Reader, edgesFile string, vocab Vocabulary) (*Graph, error) {
	return readGraph(parts, partsFile, edges, edgesFile, vocab)
}

// StreamGraph is ReadGraph that also hands each checked row on as it goes
// (nil to skip): parts in file order, then edges in file order once their
// ids resolve, with the fields as written. A BOM is stored this way without
// holding its rows; an error from a hook stops the reading.
func StreamGraph(parts io.Reader, partsFile string, edges io.Reader, edgesFile string, vocab Vocabulary,
	onPart func(Part) error, onEdge func(parent, child, quantity string) error) (*Graph, error) {
	b, err := readParts(parts, partsFile, vocab, onPart)
	if err != nil {
		return nil, err
	}
	b.onEdge = onEdge
	if err := b.readEdges(edges, edgesFile, partsFile); err != nil {
		return nil, err
	}
	return b.finish()
}

const hintAfter = 1000 // rows read before sizing the arrays

func readParts(r io.Reader, file string, vocab Vocabulary, onPart func(Part) error) (*builder, error) {
	size := sizeOf(r)
	pr, err := openParts(r, file, vocab)
	if err != nil {
		return nil, err
	}
	b := newBuilder(0, 0)
	var lines []int32 // of each part, for duplicate errors
	for n := 0; ; n++ {
		if n == hintAfter {
			if h := rowsHint(size, pr.t.s, n); h > b.g.Len() {
				// The fields are most of a row's bytes: the file's size
				// bounds the text they take.
				b.g.parts.reserve(h, int(size))
				b.g.value = slices.Grow(b.g.value, h-len(b.g.value))
				lines = slices.Grow(lines, h-len(lines))
				b.g.ids.reserve(h)
			}
		}
		p, err := pr.next()
		if err == io.EOF {
			return b, nil
		} else if err != nil {
			return nil, err
		}
		if first, err := b.addPart(p); errors.Is(err, errTextLimit) {
			return nil, pr.t.fail("csv", i18n.M("bom.err.text_limit", strconv.Itoa(maxText)))
		} else if err != nil {
			return nil, err
		} else if first >= 0 {
			return nil, pr.t.fail("part_id", listedTwice(p.ID, int(lines[first])))
		}
		lines = append(lines, int32(pr.t.line()))
		if onPart != nil {
			if err := onPart(p); err != nil {
				return nil, err
			}
		}
	}
}

func (b *builder) readEdges(r io.Reader, file, partsFile string) error {
	size := sizeOf(r)
	t, err := openEdges(r, file)
	if err != nil {
		return err
	}
	return b.readEdgeRows(t, size, file, partsFile)
}

// readEdgeRows reads the rows of edges.csv after its header; size is the
// file's size in bytes when known (-1 when not), to size the arrays.
func (b *builder) readEdgeRows(t *table, size int64, file, partsFile string) error {
	c := t.index(edgeColumns...)
	g := b.g
	// Edges usually come grouped by parent: remember the last one.
	var last []byte
	lastIndex := int32(-1)
	// Child ids are resolved in batches: a tight loop of independent
	// lookups lets the processor overlap their cache misses, which one
	// lookup per parsed line does not.
	var batch edgeBatch
	// An error ends the reading, but edges of the batch come before it
	// and one of them may be the first error.
	fail := func(err error) error {
		if ferr := b.flush(&batch, file, partsFile); ferr != nil {
			return ferr
		}
		return err
	}
	for n := 0; ; n++ {
		if n == hintAfter {
			if h := rowsHint(size, t.s, n); h > cap(b.echild) {
				b.echild = slices.Grow(b.echild, h-len(b.echild))
				b.eqty = slices.Grow(b.eqty, h-len(b.eqty))
			}
		}
		if err := t.next(); err == io.EOF {
			break
		} else if err != nil {
			return fail(err)
		}
		parent, child, qty := t.bytes(c[0]), t.bytes(c[1]), t.bytes(c[2])
		if field, why := checkEdge(parent, child, qty); field != "" {
			return fail(t.fail(field, why))
		}
		pi := lastIndex
		if pi < 0 || !bytes.Equal(parent, last) {
			if pi = g.ids.find(parent); pi < 0 {
				return fail(t.fail("parent_id", notPartIn(parent, partsFile)))
			}
			last, lastIndex = append(last[:0], parent...), pi
		}
		q, long, ok := parseQuantity(qty)
		if !ok {
			return fail(t.fail("quantity", i18n.M("bom.err.quantity", string(qty))))
		}
		line, col := t.s.pos(c[1])
		batch.add(pi, parent, child, qty, q, long, line, col)
		if len(batch.parent) == batchSize {
			if err := b.flush(&batch, file, partsFile); err != nil {
				return err
			}
		}
	}
	return b.flush(&batch, file, partsFile)
}

const batchSize = 256

// edgeBatch holds edges whose child ids are not resolved yet.
type edgeBatch struct {
	parent    []int32
	ids       []byte // child ids, back to back
	end       []int
	text      []byte // parent id and quantity as written, for onEdge
	tend      [][2]int
	qty       []float64
	long      []string
	line, col []int
}

func (e *edgeBatch) add(parent int32, parentID, child, qtyText []byte, q float64, long string, line, col int) {
	e.parent = append(e.parent, parent)
	e.ids = append(e.ids, child...)
	e.end = append(e.end, len(e.ids))
	e.text = append(e.text, parentID...)
	mid := len(e.text)
	e.text = append(e.text, qtyText...)
	e.tend = append(e.tend, [2]int{mid, len(e.text)})
	e.qty, e.long = append(e.qty, q), append(e.long, long)
	e.line, e.col = append(e.line, line), append(e.col, col)
}

// flush resolves the batch's child ids and adds its edges.
func (b *builder) flush(e *edgeBatch, file, partsFile string) error {
	g := b.g
	var child [batchSize]int32
	var probes [batchSize]idProbe
	from := func(i int) int {
		if i == 0 {
			return 0
		}
		return e.end[i-1]
	}
	id := func(i int) []byte { return e.ids[from(i):e.end[i]] }
	for i := range e.end {
		probes[i] = g.ids.probeAt(e.ids, from(i), e.end[i])
	}
	g.ids.findBatch(probes[:len(e.end)], id, child[:len(e.end)])
	tfrom := 0
	for i := range e.end {
		if child[i] < 0 {
			return newParseError(file, e.line[i], e.col[i], "child_id", notPartIn(id(i), partsFile))
		}
		b.addEdge(e.parent[i], child[i], e.qty[i], e.long[i])
		if b.onEdge != nil {
			t := e.tend[i]
			if err := b.onEdge(string(e.text[tfrom:t[0]]), string(id(i)), string(e.text[t[0]:t[1]])); err != nil {
				return err
			}
			tfrom = t[1]
		}
	}
	e.parent, e.ids, e.end, e.qty, e.long, e.line, e.col = e.parent[:0], e.ids[:0], e.end[:0], e.qty[:0], e.long[:0], e.line[:0], e.col[:0]
	e.text, e.tend = e.text[:0], e.tend[:0]
	return nil
}
