package bom

import (
	"fmt"
	"testing"
)

// ids for the table tests: short and long, many sharing their first 8
// bytes and their length, one empty-padded lookalike ("P1\x00").
func testIDs() []string {
	var ids []string
	for i := range 3000 {
		ids = append(ids, fmt.Sprintf("P%d", i), fmt.Sprintf("ASSY-000-%04d-X", i), fmt.Sprintf("%08d", i))
	}
	return append(ids, "a", "ab", "abcdefgh", "abcdefghi", "é部件-12345678")
}

func TestIDTableFinds(t *testing.T) {
	ids := testIDs()
	absent := []string{"", "P1\x00", "P-1", "ASSY-000-0001-Y", "ASSY-000-00001-X", "abcdefg", "abcdefghij", "00003000", "ASSY-000-3000-X"}
	check := func(name string, tab *idTable) {
		t.Helper()
		for i, id := range ids {
			if got := tab.findString(id); got != int32(i) {
				t.Fatalf("%s: findString(%q) = %d, want %d", name, id, got, i)
			}
			if got := tab.find([]byte(id)); got != int32(i) {
				t.Fatalf("%s: find(%q) = %d, want %d", name, id, got, i)
			}
		}
		for _, id := range absent {
			if got := tab.findString(id); got != -1 {
				t.Fatalf("%s: findString(%q) = %d, want -1", name, id, got)
			}
		}
		all := append(append([]string{}, ids...), absent...)
		probes, out := make([]idProbe, len(all)), make([]int32, len(all))
		for i, id := range all {
			probes[i] = tab.probeAt([]byte(id), 0, len(id))
		}
		tab.findBatch(probes, func(i int) []byte { return []byte(all[i]) }, out)
		for i, got := range out {
			want := int32(i)
			if i >= len(ids) {
				want = -1
			}
			if got != want {
				t.Fatalf("%s: findBatch: %q gave %d, want %d", name, all[i], got, want)
			}
		}
	}

	store := storeOf(ids)
	added := newIDTable(store, 0)
	for i := range ids {
		added.add(int32(i))
	}
	check("add", added)

	// As the fast reader enters them: in runs, each a few batches or less.
	inserted := newLoadTable(store, len(ids))
	probes := probesOf(inserted, ids)
	for from := 0; from < len(ids); {
		to := min(len(ids), from+1+from%(3*batchSize))
		inserted.insert(probes[from:to], from)
		from = to
	}
	if d, _ := inserted.duplicate(); d >= 0 {
		t.Fatalf("insert found a duplicate: %q", ids[d])
	}
	check("insert", inserted)
}

// TestIDTableClash: a long id whose slot has another id's head, length and
// hash bits is compared whole, and the probe goes on to the right one.
func TestIDTableClash(t *testing.T) {
	tab := newIDTable(storeOf([]string{"ASSY-000-0001-X", "ASSY-000-0002-X"}), 0)
	tab.add(0)
	tab.add(1)
	// Put id 0 first in id 1's probe sequence, looking like id 1 to every
	// check but the whole comparison: same head and length, id 1's hash bits.
	h1 := tab.hash.string("ASSY-000-0002-X")
	clear(tab.slots)
	p := tab.probe(h1, headOf([]byte("ASSY-000-0001-X")), 15)
	tab.put(p.slot, p.entry(0))
	tab.put(p.slot, p.entry(1))
	if got := tab.findString("ASSY-000-0002-X"); got != 1 {
		t.Fatalf("findString = %d, want 1", got)
	}
	out := make([]int32, 1)
	tab.findBatch([]idProbe{tab.probe(h1, headOf([]byte("ASSY-000-0002-X")), 15)}, func(int) []byte { return []byte("ASSY-000-0002-X") }, out)
	if out[0] != 1 {
		t.Fatalf("findBatch = %d, want 1", out[0])
	}
}

func TestIDTableDuplicate(t *testing.T) {
	for _, dup := range []string{"P7", "ASSY-000-0007-X"} {
		ids := append(testIDs(), dup)
		store := storeOf(ids)
		tab := newLoadTable(store, len(ids))
		tab.insert(probesOf(tab, ids), 0)
		d, first := tab.duplicate()
		if d != int32(len(ids)-1) || store.id(first) != dup {
			t.Fatalf("duplicate(%q) = %d, %d", dup, d, first)
		}
	}
}

// storeOf is a part store of parts with these ids and nothing else.
func storeOf(ids []string) *partStore {
	s := newPartStore(len(ids))
	for _, id := range ids {
		if err := s.add(Part{ID: id}); err != nil {
			panic(err)
		}
	}
	return s
}

// TestHashAt: an id's hash and head are the same wherever it lies:
// mid-buffer, where its head is read as one word and masked, or at the
// end, where it is not.
func TestHashAt(t *testing.T) {
	h := newIDHasher()
	for _, id := range []string{"", "a", "P1", "P1\x00", "abcdefg", "abcdefgh", "abcdefghi", "é部件-12345678"} {
		want := [2]uint64{h.string(id), headOf([]byte(id))}
		for _, b := range []string{"xx," + id + ",yyyyyyyyyyyy", "xx," + id} {
			if hash, head := h.hashAt([]byte(b), 3, 3+len(id)); [2]uint64{hash, head} != want {
				t.Errorf("%q in %q: hash and head %x, want %x", id, b, [2]uint64{hash, head}, want)
			}
		}
	}
	if h.string("P1") == h.string("P1\x00") {
		t.Error("ids that differ only in length hash alike")
	}
}

// probesOf is what the parser gives insert: each id's probe in t.
func probesOf(t *idTable, ids []string) []idProbe {
	probes := make([]idProbe, len(ids))
	for i, id := range ids {
		probes[i] = t.probeAt([]byte(id), 0, len(id))
	}
	return probes
}
