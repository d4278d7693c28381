package tlog_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"rarex"
	"rarex/sqlite"
	"rarex/tlog"
)

// TestAppenderRecovers: entries committed with their decisions reach the
// log exactly once, even when the process died after appending an entry
// and before recording its index.
func TestAppenderRecovers(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CreateOrg(ctx, &rarex.Organisation{ID: "o1", Name: "o1", Kind: rarex.OrgExporter}); err != nil {
		t.Fatal(err)
	}
	clock := &rarex.FixedClock{T: time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)}
	var entries [][]byte
	for i := range 10 {
		id := fmt.Sprint("a", i)
		a := &rarex.Application{ID: id, OrgID: "o1", State: rarex.AppDraft, CreatedAt: clock.T, UpdatedAt: clock.T}
		if err := db.CreateApplication(ctx, a, nil); err != nil {
			t.Fatal(err)
		}
		op, _ := tlog.NewOpening(map[string]int{"i": i})
		c, _ := op.Commitment()
		e, err := tlog.Decision{V: 1, Kind: "decision", Day: "2026-11-28", Type: "approved", Class: "metal", Region: "Asia", Basis: []string{"18-1"}, Days: i, Commitment: c}.Canonical()
		if err != nil {
			t.Fatal(err)
		}
		entries = append(entries, e)
		a.State = rarex.AppApproved
		if err := db.UpdateApplication(ctx, a, 1, nil, nil, &rarex.LogEntry{ID: fmt.Sprint("e", i), SubjectID: id, OrgID: "o1", Entry: e, Opening: []byte("{}"), CreatedAt: clock.T.Add(time.Duration(i))}); err != nil {
			t.Fatal(err)
		}
	}
	key, err := tlog.LoadOrCreateKey(dir, "example.test/log")
	if err != nil {
		t.Fatal(err)
	}
	open := func() *tlog.Log {
		l, err := tlog.Open(ctx, dir, "example.test/log", key, tlog.Options{CheckpointInterval: 100 * time.Millisecond, BatchAge: 10 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	l := open()
	// The "crash": three entries reached the log, their indexes were never recorded.
	for _, e := range entries[:3] {
		if _, err := l.Add(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	l.Close(ctx)
	l = open()
	defer l.Close(ctx)
	ap := &tlog.Appender{Log: l, Store: db, Clock: clock, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	found, err := ap.Recover(ctx)
	if err != nil || found != 3 {
		t.Fatalf("recovered %d (%v), want 3", found, err)
	}
	n, err := ap.Drain(ctx)
	if err != nil || n != 7 {
		t.Fatalf("drained %d (%v), want 7", n, err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		size, _, _ := l.Size(ctx)
		if size == 10 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("log size %d, want 10: an entry was lost or duplicated", size)
		}
		time.Sleep(20 * time.Millisecond)
	}
	logged, err := l.Entries(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range logged {
		if seen[string(e)] {
			t.Fatalf("entry logged twice: %s", e)
		}
		seen[string(e)] = true
	}
	for i := range 10 {
		es, _ := db.LogEntries(ctx, fmt.Sprint("a", i))
		if len(es) != 1 || es[0].Index == nil || string(logged[*es[0].Index]) != string(entries[i]) {
			t.Fatalf("application %d: recorded index does not hold its entry", i)
		}
	}
	if n, _ := ap.Drain(ctx); n != 0 {
		t.Errorf("a second drain appended %d", n)
	}
}
