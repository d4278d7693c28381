package bom

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestPartStore(t *testing.T) {
	in := []Part{
		{ID: "rotor", Description: "rotor, complete", Class: "assembly", Origin: "DE", UnitValue: "40"},
		{ID: "magnet", Class: "magnet_ndfeb", Elements: []string{"Nd", "Pr", "Dy"}, HSCode: "850511", Origin: "CN", UnitValue: "2.2",
			CNTechnology: []string{"magnet_manufacturing"}},
		{ID: "magnet-2", Class: "magnet_ndfeb", Elements: []string{"Nd", "Pr", "Dy"}, Origin: "VN", UnitValue: "2.5"},
		{ID: "", Class: "other", Elements: []string{}, Origin: "JP", UnitValue: "0"},
		// Fields too far apart for a narrow row, and an empty id: wide rows.
		{ID: "stator", Description: strings.Repeat("s", 70_000), Class: "assembly", HSCode: "8503", Origin: "DE", UnitValue: "12"},
	}
	s := newPartStore(0)
	for _, p := range in {
		if err := s.add(p); err != nil {
			t.Fatal(err)
		}
	}
	want := func(i int) Part {
		p := in[i]
		if len(p.Elements) == 0 {
			p.Elements = nil // an empty list is kept as none
		}
		return p
	}
	for i := range in {
		if got := s.part(int32(i)); !reflect.DeepEqual(got, want(i)) {
			t.Fatalf("part %d = %+v, want %+v", i, got, want(i))
		}
		if s.id(int32(i)) != in[i].ID || s.hasTech(int32(i)) != (len(in[i].CNTechnology) > 0) {
			t.Fatalf("part %d: id %q, hasTech %v", i, s.id(int32(i)), s.hasTech(int32(i)))
		}
	}
	if len(s.wide) != 2 || !s.rows[3].wide() || !s.rows[4].wide() || s.rows[0].wide() {
		t.Fatalf("%d wide rows, want rows 3 and 4", len(s.wide))
	}
	// The same list is kept once, and the store owns its copy.
	if s.rows[1].elements != s.rows[2].elements || len(s.lists) != 3 {
		t.Fatalf("lists %v, rows %+v", s.lists, s.rows)
	}
	in[1].Elements[0] = "Sm"
	if s.part(1).Elements[0] != "Nd" {
		t.Fatal("the store shares the caller's list")
	}
	in[1].Elements[0] = "Nd"

	// Edits sit over the rows; a copy's edits are its own.
	p := s.part(1)
	p.Origin = "MY"
	s.edit(1, p)
	c := s.withEdits()
	q := c.part(0)
	q.UnitValue = "41"
	c.edit(0, q)
	if s.part(1).Origin != "MY" || c.part(1).Origin != "MY" || s.part(0).UnitValue != "40" || c.part(0).UnitValue != "41" {
		t.Fatalf("edits: %+v %+v %+v %+v", s.part(1), c.part(1), s.part(0), c.part(0))
	}

	// permute: place i takes row order[i].
	s = newPartStore(0)
	for _, p := range in {
		s.add(p)
	}
	order := []int32{2, 4, 0, 3, 1}
	s.permute(order)
	for i, k := range order {
		if got := s.part(int32(i)); !reflect.DeepEqual(got, want(int(k))) {
			t.Fatalf("after permute, place %d = %+v, want %+v", i, got, want(int(k)))
		}
	}
}

// TestPartStoreFull: text beyond what spans address is refused, with a
// reason, and leaves the store as it was.
func TestPartStoreFull(t *testing.T) {
	defer func(m int) { maxText = m }(maxText)
	maxText = 20
	s := newPartStore(0)
	if err := s.add(Part{ID: "P1", Class: "other", Origin: "VN", UnitValue: "1"}); err != nil {
		t.Fatal(err)
	}
	err := s.add(Part{ID: "P2", Description: strings.Repeat("x", 20), Class: "other", Origin: "VN", UnitValue: "1"})
	// The first part's text: its id, origin and value (a class is kept
	// once, in the store's classes).
	if !errors.Is(err, errTextLimit) || s.len() != 1 || len(s.text) != len("P1VN1") {
		t.Fatalf("err %v, %d rows, %d bytes of text", err, s.len(), len(s.text))
	}
	// Through the streaming reader, the error names the file and line.
	parts := loadHead + "P1,a,other,,,VN,1,\nP2,a longer description,other,,,VN,1,\n"
	_, err = StreamGraph(strings.NewReader(parts), "parts.csv", strings.NewReader("parent_id,child_id,quantity\n"), "edges.csv", vocab{}, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "parts.csv:3") || !strings.Contains(err.Error(), "over 20 bytes") {
		t.Fatalf("StreamGraph: %v", err)
	}
}

// TestStreamedStoreReserves: past the rows it sizes itself by, the
// streaming reader reserves rows and text from the file's size (at 3,600
// parts, growing as it goes would leave less room than the file), and the
// parts it keeps are the fast reader's, field for field.
func TestStreamedStoreReserves(t *testing.T) {
	ps, es, err := Generate(GenConfig{Parts: 3600, Depth: 3, Fanout: 4, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	var pb, eb bytes.Buffer
	WriteParts(&pb, ps)
	WriteEdges(&eb, es)
	stream, err := StreamGraph(bytes.NewReader(pb.Bytes()), "parts.csv", bytes.NewReader(eb.Bytes()), "edges.csv", vocab{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c := cap(stream.parts.text); c < pb.Len() || c > 2*pb.Len() {
		t.Fatalf("text capacity %d for a %d-byte file", c, pb.Len())
	}
	fast, err := ReadGraph(bytes.NewReader(pb.Bytes()), "parts.csv", bytes.NewReader(eb.Bytes()), "edges.csv", vocab{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(allParts(stream), allParts(fast)) {
		t.Fatal("the streamed parts differ from the fast reader's")
	}
	s := newPartStore(0)
	s.reserve(-1, -1) // nothing to do, no panic
	s.reserve(10, 100)
	if cap(s.rows) < 10 || cap(s.text) < 100 {
		t.Fatalf("reserve(10, 100): caps %d, %d", cap(s.rows), cap(s.text))
	}
}

// countingVocab counts the questions it is asked.
type countingVocab struct {
	vocab
	asked map[string]int
}

func (v countingVocab) IsClass(c string) bool {
	v.asked[c]++
	return v.vocab.IsClass(c)
}

// TestPartLoaderClass: a parts loader numbers the classes it meets, tells
// apart classes of the same length and first 8 bytes, and asks the
// vocabulary once about each.
func TestPartLoaderClass(t *testing.T) {
	v := countingVocab{asked: map[string]int{}}
	l := &partLoader{vocab: v}
	for _, c := range []struct {
		text string
		k    uint32
		ok   bool
	}{
		{"other", 0, true}, {"magnet_ndfeb", 1, true}, {"other", 0, true}, {"magnet_ndfex", 2, false},
		{"magnet_smco", 3, true}, {"magnet_ndfeb", 1, true}, {"magnet_ndfex", 2, false}, {"othe", 4, false},
		{"other\x00", 5, false}, {"", 6, false},
	} {
		if k, ok := l.class([]byte(c.text)); k != c.k || ok != c.ok {
			t.Errorf("class(%q) = %d, %v; want %d, %v", c.text, k, ok, c.k, c.ok)
		}
	}
	for c, n := range v.asked {
		if n != 1 {
			t.Errorf("the vocabulary was asked about %q %d times", c, n)
		}
	}
}
