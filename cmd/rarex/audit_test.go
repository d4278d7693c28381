package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rarex/tlog"
)

// testLog makes a log in dir with n decision entries, published, and
// serves its files over HTTP.
func testLog(t *testing.T, dir string, key *tlog.Key, n int, seed string) (*tlog.Log, string, [][]byte, []*tlog.Opening) {
	t.Helper()
	ctx := context.Background()
	l, err := tlog.Open(ctx, dir, "audit.test/log", key, tlog.Options{CheckpointInterval: 100 * time.Millisecond, BatchAge: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close(context.Background()) })
	var es [][]byte
	var ops []*tlog.Opening
	for i := range n {
		op, _ := tlog.NewOpening(map[string]any{"seed": seed, "i": i})
		c, _ := op.Commitment()
		e, err := tlog.Decision{V: 1, Kind: "decision", Day: "2026-11-28", Type: "approved", Class: "metal", Region: "Asia", Basis: []string{"18-1"}, Days: i, Commitment: c}.Canonical()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.Add(ctx, e); err != nil {
			t.Fatal(err)
		}
		es, ops = append(es, e), append(ops, op)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		if s, _, _ := l.Size(ctx); s >= uint64(n) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no checkpoint")
		}
		time.Sleep(20 * time.Millisecond)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(l.Dir)))
	t.Cleanup(srv.Close)
	return l, srv.URL + "/", es, ops
}

func TestAuditCheckpointAndFork(t *testing.T) {
	keyDir := t.TempDir()
	key, err := tlog.LoadOrCreateKey(keyDir, "audit.test/log")
	if err != nil {
		t.Fatal(err)
	}
	state := t.TempDir()
	run := func(args ...string) (string, error) {
		app, out, errOut := newApp(nil, "")
		err := app.Run(context.Background(), args)
		return out.String() + errOut.String(), err
	}
	logA, urlA, _, _ := testLog(t, t.TempDir(), key, 20, "a")
	if out, err := run("audit", "consistency", "--url", urlA, "--vkey", key.VKey, "--state", state); err == nil || !strings.Contains(err.Error(), "no checkpoint remembered") {
		t.Fatalf("consistency before any checkpoint: %v %s", err, out)
	}
	out, err := run("audit", "checkpoint", "--url", urlA, "--vkey", key.VKey, "--state", state)
	if err != nil || !strings.Contains(out, "VERIFIED: audit.test/log has 20 entries") {
		t.Fatalf("checkpoint: %v\n%s", err, out)
	}
	// The log grows: consistent.
	ctx := context.Background()
	for i := range 300 {
		op, _ := tlog.NewOpening(i)
		c, _ := op.Commitment()
		e, _ := tlog.Decision{V: 1, Kind: "decision", Day: "2026-11-29", Type: "denied", Class: "oxide", Region: "Europe", Basis: []string{"18-1"}, Days: 3, Commitment: c}.Canonical()
		if _, err := logA.Add(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	for deadline := time.Now().Add(20 * time.Second); ; {
		if s, _, _ := logA.Size(ctx); s >= 320 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no checkpoint")
		}
		time.Sleep(20 * time.Millisecond)
	}
	out, err = run("audit", "consistency", "--url", urlA, "--vkey", key.VKey, "--state", state)
	if err != nil || !strings.Contains(out, "CONSISTENT: it extends the remembered tree of 20 entries") {
		t.Fatalf("consistency after growth: %v\n%s", err, out)
	}
	out, err = run("audit", "replay", "--url", urlA, "--vkey", key.VKey)
	if err != nil || !strings.Contains(out, "replayed 320 entries") || !strings.Contains(out, "VERIFIED") {
		t.Fatalf("replay: %v\n%s", err, out)
	}
	out, err = run("audit", "replay", "--url", urlA, "--vkey", key.VKey, "--from", "300")
	if err != nil || !strings.Contains(out, "(from 300): 20 decisions") {
		t.Fatalf("replay --from 300: %v\n%s", err, out)
	}
	// A second history under the same key (the authority rewrote the log):
	// as large as the remembered one but with other entries.
	_, urlB, _, _ := testLog(t, t.TempDir(), key, 320, "b")
	out, err = run("audit", "consistency", "--url", urlB, "--vkey", key.VKey, "--state", state)
	if err == nil || !strings.Contains(err.Error(), "forked or rewritten") || strings.Count(err.Error(), "— audit.test/log") != 2 {
		t.Fatalf("fork not reported with both signed checkpoints: %v\n%s", err, out)
	}
	// A smaller log that is not a prefix: also a fork.
	_, urlC, _, _ := testLog(t, t.TempDir(), key, 5, "c")
	if _, err := run("audit", "consistency", "--url", urlC, "--vkey", key.VKey, "--state", state); err == nil || !strings.Contains(err.Error(), "shrank") {
		t.Fatalf("shrunk log: %v", err)
	}
	// Another key: refused before anything else.
	other, _ := tlog.LoadOrCreateKey(t.TempDir(), "audit.test/log")
	if _, err := run("audit", "checkpoint", "--url", urlA, "--vkey", other.VKey, "--state", t.TempDir()); err == nil || !strings.Contains(err.Error(), "NOT VERIFIED") {
		t.Fatalf("another key: %v", err)
	}
}

func TestAuditReceipt(t *testing.T) {
	key, _ := tlog.LoadOrCreateKey(t.TempDir(), "audit.test/log")
	l, _, es, ops := testLog(t, t.TempDir(), key, 7, "r")
	r, err := l.Receipt(context.Background(), 3, es[3])
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	rp, op, wrong := filepath.Join(dir, "d.tlog-proof"), filepath.Join(dir, "opening.json"), filepath.Join(dir, "other.json")
	os.WriteFile(rp, r.Marshal(), 0o644)
	b, _ := json.Marshal(ops[3])
	os.WriteFile(op, b, 0o644)
	b, _ = json.Marshal(ops[4])
	os.WriteFile(wrong, b, 0o644)
	run := func(args ...string) (string, error) {
		app, out, _ := newApp(nil, "")
		err := app.Run(context.Background(), args)
		return out.String(), err
	}
	out, err := run("audit", "receipt", "--vkey", key.VKey, "--opening", op, rp)
	if err != nil || !strings.Contains(out, "VERIFIED: entry 3") || !strings.Contains(out, "OPENED") || !strings.Contains(out, `"seed":"r"`) {
		t.Fatalf("receipt: %v\n%s", err, out)
	}
	if _, err := run("audit", "receipt", "--vkey", key.VKey, "--opening", wrong, rp); err == nil || !strings.Contains(err.Error(), "opening") {
		t.Errorf("another decision's opening: %v", err)
	}
	tampered := bytes.Replace(r.Marshal(), []byte("index 3"), []byte("index 4"), 1)
	os.WriteFile(rp, tampered, 0o644)
	if _, err := run("audit", "receipt", "--vkey", key.VKey, rp); err == nil || !strings.Contains(err.Error(), "NOT VERIFIED") {
		t.Errorf("tampered receipt: %v", err)
	}
	if _, err := run("audit", "receipt", "--vkey", key.VKey, "--quorum", "1", rp); err == nil {
		t.Errorf("a quorum without witnesses was accepted")
	}
}
