package tlog

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rarex"
)

// memOutbox is an empty outbox: these tests append directly.
type memOutbox struct{}

func (memOutbox) PendingLogEntries(context.Context, int) ([]*rarex.LogEntry, error) { return nil, nil }
func (memOutbox) MarkLogged(context.Context, map[string]int64, time.Time) error     { return nil }
func (memOutbox) MaxLoggedIndex(context.Context) (int64, error)                     { return -1, nil }
func (memOutbox) LogEntries(context.Context, string) ([]*rarex.LogEntry, error)     { return nil, nil }

func TestStatementsAndReplay(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l := openLog(t, dir)
	add := func(n int, class, typ string) {
		for i := range n {
			op, _ := NewOpening(class + typ + string(rune('a'+i)))
			d := decision(0, op)
			d.Class, d.Type = class, typ
			e, err := d.Canonical()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := l.Add(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
	}
	add(6, "magnet_ndfeb", "approved")
	add(2, "metal", "denied")
	waitPublished(t, l, 8)
	clock := &rarex.FixedClock{T: time.Date(2026, 11, 28, 2, 0, 0, 0, time.UTC)}
	ap := &Appender{Log: l, Store: memOutbox{}, Clock: clock, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if n, err := ap.Statement(ctx); err != nil || n != 1 {
		t.Fatalf("first statement: %d %v", n, err)
	}
	if n, _ := ap.Statement(ctx); n != 0 {
		t.Errorf("a second statement the same day: %d", n)
	}
	waitPublished(t, l, 9)
	es, _ := l.Entries(ctx, 8, 9)
	var st Statement
	if err := json.Unmarshal(es[0], &st); err != nil {
		t.Fatal(err)
	}
	if st.From != 0 || st.To != 8 || len(st.Cells) != 2 || st.Cells[0].Class != "magnet_ndfeb" || st.Cells[0].N == nil || *st.Cells[0].N != 6 || st.Cells[1].N != nil {
		t.Fatalf("statement: %s", es[0])
	}
	// The next day's statement covers what came after the first.
	add(5, "oxide", "approved")
	waitPublished(t, l, 14)
	clock.Advance(24 * time.Hour)
	ap2 := &Appender{Log: l, Store: memOutbox{}, Clock: clock, Logger: ap.Logger} // as after a restart
	if n, err := ap2.Statement(ctx); err != nil || n != 1 {
		t.Fatalf("second day: %d %v", n, err)
	}
	waitPublished(t, l, 15)
	es, _ = l.Entries(ctx, 14, 15)
	json.Unmarshal(es[0], &st)
	if st.From != 9 || st.To != 14 || st.Day != "2026-11-29" {
		t.Fatalf("second statement: %s", es[0])
	}
	size, _, _ := l.Size(ctx)
	cpSize, cpRoot := checkpointOf(t, l)
	rep, err := Replay(ctx, l.reader.ReadEntryBundle, l.reader.ReadTile, 0, cpSize, cpRoot)
	if err != nil || len(rep.Problems) != 0 || rep.Statements != 2 || rep.Decisions != 13 || size != 15 {
		t.Fatalf("replay: %+v %v", rep, err)
	}
	// From the middle: the first part comes from the tiles.
	rep, err = Replay(ctx, l.reader.ReadEntryBundle, l.reader.ReadTile, 9, cpSize, cpRoot)
	if err != nil || len(rep.Problems) != 0 || rep.Statements != 1 || rep.Decisions != 5 {
		t.Fatalf("replay from 9: %+v %v", rep, err)
	}
	// A lying statement is caught.
	lie, _ := json.Marshal(Statement{V: 1, Kind: "statement", Day: "2026-11-30", From: 0, To: 8, K: StatementK, Cells: []Cell{{Class: "magnet_ndfeb", Region: "Asia", Type: "approved", N: intp(60)}}})
	l.Add(ctx, lie)
	waitPublished(t, l, 16)
	cpSize, cpRoot = checkpointOf(t, l)
	rep, _ = Replay(ctx, l.reader.ReadEntryBundle, l.reader.ReadTile, 0, cpSize, cpRoot)
	if len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0], "entry 15") {
		t.Fatalf("a false statement passed: %+v", rep)
	}
	// One byte changed in an entry bundle on disk: the root no longer matches.
	bundle := filepath.Join(l.Dir, "tile", "entries", "000.p", "16")
	b, err := os.ReadFile(bundle)
	if err != nil {
		t.Fatal(err)
	}
	b[10] ^= 1
	os.WriteFile(bundle, b, 0o644)
	rep, err = Replay(ctx, l.reader.ReadEntryBundle, l.reader.ReadTile, 0, cpSize, cpRoot)
	if err == nil && (len(rep.Problems) == 0 || !strings.Contains(strings.Join(rep.Problems, "\n"), "not the ones signed")) {
		t.Fatalf("a tampered bundle passed replay: %+v", rep)
	}
}

// TestTamperedTileBreaksReceipts: a changed byte in a hash tile makes the
// receipts built from it fail verification.
func TestTamperedTileBreaksReceipts(t *testing.T) {
	ctx := context.Background()
	l := openLog(t, t.TempDir())
	var es [][]byte
	for i := range 10 {
		op, _ := NewOpening(i)
		e, _ := decision(i, op).Canonical()
		l.Add(ctx, e)
		es = append(es, e)
	}
	waitPublished(t, l, 10)
	tile := filepath.Join(l.Dir, "tile", "0", "000.p", "10")
	b, err := os.ReadFile(tile)
	if err != nil {
		t.Fatal(err)
	}
	b[5*32] ^= 1 // the hash of leaf 5
	os.WriteFile(tile, b, 0o644)
	r, err := l.Receipt(ctx, 4, es[4]) // leaf 5 is 4's sibling
	if err != nil {
		t.Fatal(err)
	}
	pol, _ := NewPolicy(l.Key.VKey, nil, 0)
	if _, err := VerifyReceipt(r, origin, pol.Log, nil, 0); err == nil {
		t.Fatal("a receipt built from a tampered tile verified")
	}
}

func intp(n int) *int { return &n }

func checkpointOf(t *testing.T, l *Log) (uint64, []byte) {
	t.Helper()
	_, raw, err := l.Size(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	pol, _ := NewPolicy(l.Key.VKey, nil, 0)
	cp, err := pol.Verify(raw)
	if err != nil {
		t.Fatal(err)
	}
	return cp.Size, cp.Hash
}

// TestStatementScanAcrossBundles: after a restart the appender finds the
// last statement in an earlier entry bundle than the log's last one.
func TestStatementScanAcrossBundles(t *testing.T) {
	ctx := context.Background()
	l := openLog(t, t.TempDir())
	for i := range 250 {
		op, _ := NewOpening(i)
		e, _ := decision(i, op).Canonical()
		l.AddAsync(ctx, e)
	}
	waitPublished(t, l, 250)
	clock := &rarex.FixedClock{T: time.Date(2026, 11, 28, 2, 0, 0, 0, time.UTC)}
	ap := &Appender{Log: l, Store: memOutbox{}, Clock: clock, Logger: quietLog}
	if n, err := ap.Statement(ctx); err != nil || n != 1 {
		t.Fatalf("statement: %d %v", n, err)
	}
	for i := range 20 { // the log's last bundle now holds no statement
		op, _ := NewOpening(1000 + i)
		e, _ := decision(i, op).Canonical()
		l.AddAsync(ctx, e)
	}
	waitPublished(t, l, 271)
	clock.Advance(24 * time.Hour)
	restarted := &Appender{Log: l, Store: memOutbox{}, Clock: clock, Logger: quietLog}
	if n, err := restarted.Statement(ctx); err != nil || n != 1 {
		t.Fatalf("next day: %d %v", n, err)
	}
	waitPublished(t, l, 272)
	es, _ := l.Entries(ctx, 271, 272)
	var st Statement
	if err := json.Unmarshal(es[0], &st); err != nil || st.From != 251 || st.To != 271 {
		t.Fatalf("the restarted appender's statement: %s", es[0])
	}
}
