package tlog

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"
	"github.com/transparency-dev/tessera/client"
)

// StatementK is the smallest count a statement publishes.
const StatementK = 5

// Cell is one count of a statement: decisions of a type on an item class
// to a region. N is nil when fewer than StatementK decisions stand behind it.
type Cell struct {
	Class  string `json:"class"`
	Region string `json:"region"`
	Type   string `json:"type"`
	N      *int   `json:"n"`
}

// Statement is a daily aggregate entry over the decision entries with
// indices in [From, To): anyone can recompute it from the log.
type Statement struct {
	V     int    `json:"v"`
	Kind  string `json:"kind"` // "statement"
	Day   string `json:"day"`
	From  uint64 `json:"from"`
	To    uint64 `json:"to"`
	K     int    `json:"k"`
	Cells []Cell `json:"cells"`
}

// kindOf reads an entry's kind without trusting anything else in it.
func kindOf(e []byte) string {
	var k struct {
		Kind string `json:"kind"`
	}
	if json.Unmarshal(e, &k) != nil {
		return ""
	}
	return k.Kind
}

// Aggregate counts the decision entries among entries (which start at
// index from) into statement cells, smallest counts withheld.
func Aggregate(entries [][]byte) []Cell {
	type key struct{ class, region, typ string }
	n := map[key]int{}
	for _, e := range entries {
		if kindOf(e) != "decision" {
			continue
		}
		d, err := ParseEntry(e)
		if err != nil {
			continue
		}
		n[key{d.Class, d.Region, d.Type}]++
	}
	cells := make([]Cell, 0, len(n))
	for k, c := range n {
		cell := Cell{Class: k.class, Region: k.region, Type: k.typ}
		if c >= StatementK {
			c := c
			cell.N = &c
		}
		cells = append(cells, cell)
	}
	sort.Slice(cells, func(i, j int) bool {
		a, b := cells[i], cells[j]
		return a.Class+"\x00"+a.Region+"\x00"+a.Type < b.Class+"\x00"+b.Region+"\x00"+b.Type
	})
	return cells
}

// Statements builds the statement entries for entries[from:to), splitting
// the range where one statement would pass MaxEntryBytes.
func Statements(day string, from uint64, entries [][]byte) ([][]byte, error) {
	st := Statement{V: EntryVersion, Kind: "statement", Day: day, From: from, To: from + uint64(len(entries)), K: StatementK, Cells: Aggregate(entries)}
	b, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	if len(b) <= MaxEntryBytes {
		return [][]byte{b}, nil
	}
	if len(entries) < 2 {
		return nil, fmt.Errorf("statement: one entry's cells exceed %d bytes", MaxEntryBytes)
	}
	half := len(entries) / 2
	a, err := Statements(day, from, entries[:half])
	if err != nil {
		return nil, err
	}
	c, err := Statements(day, from+uint64(half), entries[half:])
	if err != nil {
		return nil, err
	}
	return append(a, c...), nil
}

// ReplayReport is what a replay found.
type ReplayReport struct {
	Size       uint64   `json:"size"`
	Decisions  int      `json:"decisions"`
	Statements int      `json:"statements"`
	Problems   []string `json:"problems,omitempty"`
}

// Replay downloads the entries of a verified checkpoint's tree from index
// from on, recomputes the root with transparency-dev/merkle (the part
// before from comes from the hash tiles) and checks it against the
// checkpoint, parses every entry, and recomputes every statement whose
// range it downloaded.
func Replay(ctx context.Context, readBundle client.EntryBundleFetcherFunc, readTile client.TileFetcherFunc, from, size uint64, root []byte) (*ReplayReport, error) {
	if from > size {
		return nil, fmt.Errorf("from %d is beyond the tree's %d entries", from, size)
	}
	rep := &ReplayReport{Size: size}
	rf := compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}
	rng := rf.NewEmptyRange(0)
	if from > 0 {
		hashes, err := client.FetchRangeNodes(ctx, from, readTile)
		if err != nil {
			return nil, fmt.Errorf("the tree before %d: %v", from, err)
		}
		if rng, err = rf.NewRange(0, from, hashes); err != nil {
			return nil, err
		}
	}
	all := make([][]byte, from) // entries before from are not downloaded
	for i := from - from%256; i < size; i += 256 {
		b, err := client.GetEntryBundle(ctx, readBundle, i/256, size)
		if err != nil {
			return nil, fmt.Errorf("entry bundle %d: %v", i/256, err)
		}
		want := min(size-i, 256)
		if uint64(len(b.Entries)) < want {
			return nil, fmt.Errorf("entry bundle %d: %d entries, want %d", i/256, len(b.Entries), want)
		}
		for j, e := range b.Entries[:want] {
			if i+uint64(j) < from {
				continue
			}
			if err := rng.Append(rfc6962.DefaultHasher.HashLeaf(e), nil); err != nil {
				return nil, err
			}
			all = append(all, e)
		}
	}
	got, err := rng.GetRootHash(nil)
	if err != nil {
		return nil, err
	}
	if size > 0 && !bytes.Equal(got, root) {
		rep.Problems = append(rep.Problems, fmt.Sprintf("the entries hash to root %x, but the checkpoint says %x: the entries served are not the ones signed", got, root))
	}
	for i := from; i < uint64(len(all)); i++ {
		e := all[i]
		switch kindOf(e) {
		case "decision":
			if _, err := ParseEntry(e); err != nil {
				rep.Problems = append(rep.Problems, fmt.Sprintf("entry %d: %v", i, err))
				continue
			}
			rep.Decisions++
		case "statement":
			rep.Statements++
			var st Statement
			if err := json.Unmarshal(e, &st); err != nil || st.To > i || st.From > st.To || st.K != StatementK {
				rep.Problems = append(rep.Problems, fmt.Sprintf("entry %d: a malformed statement or one covering entries after itself", i))
				continue
			}
			if st.From < from {
				continue // its range was not downloaded
			}
			want := Aggregate(all[st.From:st.To])
			gotJSON, _ := json.Marshal(st.Cells)
			wantJSON, _ := json.Marshal(want)
			if !bytes.Equal(gotJSON, wantJSON) {
				rep.Problems = append(rep.Problems, fmt.Sprintf("entry %d: the statement for [%d, %d) says %s, the entries give %s", i, st.From, st.To, gotJSON, wantJSON))
			}
		default:
			rep.Problems = append(rep.Problems, fmt.Sprintf("entry %d: unknown kind", i))
		}
	}
	return rep, nil
}
