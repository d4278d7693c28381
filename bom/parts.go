package bom

import (
	"errors"
	"math"
	"slices"
	"strings"
	"unsafe"
)

// span is the text bytes off to off+n of a part store.
type span struct{ off, n uint32 }

// field is one of a part row's texts: n bytes, rel bytes on from the
// row's at.
type field struct{ rel, n uint16 }

// partRow is one part as a graph keeps it: its fields as places in the
// store's text, its class and lists as indexes into the store's classes
// and lists. It holds no pointers, so the collector never scans the
// million rows of a large BOM, and it takes 36 bytes where a Part takes
// 144: a row's fields lie close together (in a file, on one line), so
// each is kept as 16 bits from the row's at instead of a whole span. A
// row whose fields do not fit so (a description of 64 KiB, say) is wide:
// its id field is empty, which an id never is, and at numbers its spans
// in the store's wide. A BOM has a handful of classes: a roll-up tells
// them apart by number, without reading their text.
type partRow struct {
	at                          uint32
	id, desc, hs, origin, value field
	class, elements, tech       uint32
}

// rowSpans are a part row's fields in full.
type rowSpans struct{ id, desc, hs, origin, value span }

// place sets r's fields to those at sp, none of which starts before at.
// When they do not fit a narrow row, it appends sp to wide, makes r wide
// (numbering it there) and reports true. (It runs once per row of a parts
// file: the fields' checks are or-ed together, not branched on one by
// one, and nothing is copied through the stack.)
func (r *partRow) place(at uint32, sp *rowSpans, wide *[]rowSpans) bool {
	var a, b, c, d, e uint32
	r.at = at
	r.id, a = fieldAt(sp.id, at)
	r.desc, b = fieldAt(sp.desc, at)
	r.hs, c = fieldAt(sp.hs, at)
	r.origin, d = fieldAt(sp.origin, at)
	r.value, e = fieldAt(sp.value, at)
	if sp.id.n > 0 && (a|b|c|d|e) <= narrowMax {
		return false
	}
	r.widen(len(*wide))
	*wide = append(*wide, *sp)
	return true
}

// narrowMax is the furthest a narrow row's field reaches: 16 bits. (A
// variable so that tests can lower it and meet wide rows on every path.)
var narrowMax uint32 = math.MaxUint16

// fieldAt is f as a field of a row at at, and a number beyond 16 bits
// when it does not fit one.
func fieldAt(f span, at uint32) (field, uint32) {
	rel := f.off - at
	if f.n == 0 {
		rel = 0
	}
	return field{uint16(rel), uint16(f.n)}, rel | f.n
}

// widen makes r wide, its spans the w-th of a store's wide rows.
func (r *partRow) widen(w int) {
	r.at, r.id, r.desc, r.hs, r.origin, r.value = uint32(w), field{}, field{}, field{}, field{}, field{}
}

// wide reports whether r keeps its spans in the store's wide.
func (r *partRow) wide() bool { return r.id.n == 0 }

// span is where f of r is in the text of a store.
func (r *partRow) span(f field) span {
	if f.n == 0 {
		return span{}
	}
	return span{r.at + uint32(f.rel), uint32(f.n)}
}

// partStore keeps a graph's parts. Text is either a whole parts file (the
// fast reader's rows point into it) or grown by add; either way no byte of
// it changes once written, so strings taken from it stay valid. Parts
// edited after load (incremental updates, what-ifs) live in edits.
type partStore struct {
	text  []byte
	rows  []partRow
	wide  []rowSpans        // the wide rows' spans
	lists [][]string        // lists[0] is the empty list
	known map[string]uint32 // items joined by ";" → index in lists
	// The classes the rows name, and each one's index (for add).
	classes  []string
	classIdx map[string]uint32
	edits    map[int32]Part
}

// maxText is the most text a store addresses: spans are 32-bit, and on a
// 32-bit platform an int is too. (A variable so that a test can lower it;
// the fast reader's files, at most fastMax bytes, are always within it.)
var maxText = int(min(math.MaxUint32, math.MaxInt))

// The fast reader's spans point into the file itself.
const _ = uint32(fastMax)

func newPartStore(rows int) *partStore {
	return &partStore{rows: make([]partRow, 0, rows), lists: [][]string{nil}}
}

func (s *partStore) len() int { return len(s.rows) }

// reserve makes room for about rows parts and text bytes of their fields,
// so that a large file's parts are not copied as the store grows.
func (s *partStore) reserve(rows, text int) {
	s.rows = slices.Grow(s.rows, max(0, rows-len(s.rows)))
	s.text = slices.Grow(s.text, max(0, min(text, maxText)-len(s.text)))
}

func (s *partStore) str(sp span) string {
	if sp.n == 0 {
		return ""
	}
	return unsafe.String(&s.text[sp.off], int(sp.n))
}

// spans are where row i's fields are in the text.
func (s *partStore) spans(i int32) rowSpans {
	r := &s.rows[i]
	if r.wide() {
		return s.wide[r.at]
	}
	return rowSpans{r.span(r.id), r.span(r.desc), r.span(r.hs), r.span(r.origin), r.span(r.value)}
}

// idSpan is spans(i).id without working out the other four: a lookup
// of an id longer than a slot reads it once per edge.
func (s *partStore) idSpan(i int32) span {
	r := &s.rows[i]
	if r.wide() {
		return s.wide[r.at].id
	}
	return r.span(r.id)
}

// id is part i's id (edits never change it).
func (s *partStore) id(i int32) string { return s.str(s.idSpan(i)) }

// part is part i whole; its strings and lists are shared, not copied.
func (s *partStore) part(i int32) Part {
	if p, ok := s.edited(i); ok {
		return p
	}
	r, sp := &s.rows[i], s.spans(i)
	return Part{ID: s.str(sp.id), Description: s.str(sp.desc), Class: s.classes[r.class], Elements: s.lists[r.elements],
		HSCode: s.str(sp.hs), Origin: s.str(sp.origin), UnitValue: s.str(sp.value), CNTechnology: s.lists[r.tech]}
}

// origin is part i's origin as loaded.
func (s *partStore) origin(i int32) string { return s.str(s.spans(i).origin) }

// hasTech reports whether part i lists Chinese technology stages.
func (s *partStore) hasTech(i int32) bool { return s.rows[i].tech != 0 }

// edited gives part i as edited after loading; ok is false when it was
// not, and its row holds it.
func (s *partStore) edited(i int32) (p Part, ok bool) {
	if s.edits == nil {
		return Part{}, false
	}
	p, ok = s.edits[i]
	return p, ok
}

// edit replaces part i from now on (its id stays).
func (s *partStore) edit(i int32, p Part) {
	if s.edits == nil {
		s.edits = map[int32]Part{}
	}
	s.edits[i] = p
}

// withEdits is a copy of s sharing its rows, with edits of its own.
func (s *partStore) withEdits() *partStore {
	c := *s
	c.edits = make(map[int32]Part, len(s.edits)+1)
	for i, p := range s.edits {
		c.edits[i] = p
	}
	return &c
}

// errTextLimit is add's error when the store's text would pass maxText.
var errTextLimit = errors.New("the parts' text is over the limit of a BOM")

// add appends p, copying its text into the store's.
func (s *partStore) add(p Part) error {
	size := len(s.text)
	for _, f := range []string{p.ID, p.Description, p.HSCode, p.Origin, p.UnitValue} {
		size += len(f)
	}
	if size > maxText {
		return errTextLimit
	}
	put := func(f string) span {
		sp := span{uint32(len(s.text)), uint32(len(f))}
		s.text = append(s.text, f...)
		return sp
	}
	sp := rowSpans{id: put(p.ID), desc: put(p.Description), hs: put(p.HSCode), origin: put(p.Origin), value: put(p.UnitValue)}
	s.put(sp, s.class(p.Class), s.list(p.Elements), s.list(p.CNTechnology))
	return nil
}

// put appends the row of fields at sp, wide when they do not fit a
// narrow one.
func (s *partStore) put(sp rowSpans, class, elements, tech uint32) {
	r := partRow{class: class, elements: elements, tech: tech}
	r.place(sp.id.off, &sp, &s.wide) // the id is put first
	s.rows = append(s.rows, r)
}

// class returns the index of class c, adding it when it is new.
func (s *partStore) class(c string) uint32 {
	if k, ok := s.classIdx[c]; ok {
		return k
	}
	if s.classIdx == nil {
		s.classIdx = map[string]uint32{}
	}
	k := uint32(len(s.classes))
	s.classes = append(s.classes, c)
	s.classIdx[c] = k
	return k
}

// list returns the index of list l, adding it when it is new.
func (s *partStore) list(l []string) uint32 {
	if len(l) == 0 {
		return 0
	}
	key := strings.Join(l, ";")
	if k, ok := s.known[key]; ok {
		return k
	}
	if s.known == nil {
		s.known = map[string]uint32{}
	}
	k := uint32(len(s.lists))
	s.lists = append(s.lists, append([]string(nil), l...))
	s.known[key] = k
	return k
}

// permute moves the rows to their places in order (place i takes row
// order[i]), in place, cycle by cycle. Edits must not exist yet.
func (s *partStore) permute(order []int32) {
	done := make([]bool, len(order))
	for i := range order {
		if done[i] {
			continue
		}
		tmp, j := s.rows[i], i
		for k := int(order[j]); k != i; k = int(order[j]) {
			s.rows[j], done[j] = s.rows[k], true
			j = k
		}
		s.rows[j], done[j] = tmp, true
	}
}
