package tlog

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
)

type testWitness struct {
	w    *Witness
	key  *Key
	url  string
	srv  *httptest.Server
	hits int
}

func newTestWitness(t *testing.T, name, logVKey string) *testWitness {
	t.Helper()
	dir := t.TempDir()
	key, err := LoadOrCreateKeyFile(filepath.Join(dir, "witness.key"), name)
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWitness(logVKey, key.SKey, filepath.Join(dir, "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	tw := &testWitness{w: w, key: key}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /add-checkpoint", func(rw http.ResponseWriter, r *http.Request) { tw.hits++; w.ServeHTTP(rw, r) })
	tw.srv = httptest.NewServer(mux)
	t.Cleanup(tw.srv.Close)
	tw.url = tw.srv.URL
	return tw
}

// TestWitnessedLog: with two witnesses and a quorum of two, published
// checkpoints carry both cosignatures, and receipts verify under the policy.
func TestWitnessedLog(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	key, err := LoadOrCreateKey(dir, origin)
	if err != nil {
		t.Fatal(err)
	}
	w1, w2 := newTestWitness(t, "witness-one.test", key.VKey), newTestWitness(t, "witness-two.test", key.VKey)
	l, err := Open(ctx, dir, origin, key, Options{CheckpointInterval: 100 * time.Millisecond, BatchAge: 5 * time.Millisecond, Quorum: 2,
		Witnesses: []WitnessEndpoint{{VKey: w1.key.VKey, URL: w1.url}, {VKey: w2.key.VKey, URL: w2.url}}})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close(ctx)
	var entries [][]byte
	for i := range 5 {
		op, _ := NewOpening(i)
		e, _ := decision(i, op).Canonical()
		if _, err := l.Add(ctx, e); err != nil {
			t.Fatal(err)
		}
		entries = append(entries, e)
	}
	waitPublished(t, l, 5)
	r, err := l.Receipt(ctx, 2, entries[2])
	if err != nil {
		t.Fatal(err)
	}
	pol, err := NewPolicy(key.VKey, []string{w1.key.VKey, w2.key.VKey}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := VerifyReceipt(r, origin, pol.Log, pol.Witnesses, 2); err != nil {
		t.Fatalf("a receipt under a 2-of-2 policy: %v\n%s", err, r.Checkpoint)
	}
	if w1.hits == 0 || w2.hits == 0 {
		t.Errorf("witnesses were not asked: %d %d", w1.hits, w2.hits)
	}
	// A witness nobody asked does not count towards a quorum.
	w3 := newTestWitness(t, "witness-three.test", key.VKey)
	pol3, _ := NewPolicy(key.VKey, []string{w3.key.VKey}, 1)
	if _, err := VerifyReceipt(r, origin, pol3.Log, pol3.Witnesses, 1); err == nil {
		t.Error("a quorum met by a witness that never cosigned")
	}
}

// TestWitnessRefusesForks: a witness that cosigned one history answers 409
// to a checkpoint of another, and 403 to one the log did not sign.
func TestWitnessRefusesForks(t *testing.T) {
	ctx := context.Background()
	keyDir := t.TempDir()
	key, _ := LoadOrCreateKey(keyDir, origin)
	w := newTestWitness(t, "witness.test", key.VKey)
	mk := func(seed string, n int) (*Log, []byte) {
		l, err := Open(ctx, t.TempDir(), origin, key, Options{CheckpointInterval: 100 * time.Millisecond, BatchAge: 5 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close(ctx) })
		for i := range n {
			op, _ := NewOpening(seed + fmt.Sprint(i))
			e, _ := decision(i, op).Canonical()
			l.Add(ctx, e)
		}
		waitPublished(t, l, uint64(n))
		_, cp, _ := l.Size(ctx)
		return l, cp
	}
	_, cpA := mk("a", 8)
	post := func(body string) (int, string) {
		status, out, _ := w.w.AddCheckpoint([]byte(body))
		return status, string(out)
	}
	if st, out := post("old 0\n\n" + string(cpA)); st != 200 || !strings.HasPrefix(out, "— witness.test ") {
		t.Fatalf("first checkpoint: %d %q", st, out)
	}
	// The same checkpoint again, with the right old size: cosigned.
	if st, _ := post("old 8\n\n" + string(cpA)); st != 200 {
		t.Fatalf("the same checkpoint: %d", st)
	}
	// A fork of the same size: refused.
	_, cpB := mk("b", 8)
	if st, _ := post("old 8\n\n" + string(cpB)); st != 409 {
		t.Errorf("fork of the same size: %d, want 409", st)
	}
	// A larger tree whose proof does not connect to what was cosigned: 422.
	_, cpC := mk("c", 12)
	junk := base64.StdEncoding.EncodeToString(make([]byte, 32))
	if st, _ := post("old 8\n" + junk + "\n" + junk + "\n\n" + string(cpC)); st != 422 {
		t.Errorf("an unconnected larger tree: %d, want 422", st)
	}
	// A stale old size: 409 with the witness's size.
	if st, out := post("old 3\n\n" + string(cpC)); st != 409 || strings.TrimSpace(out) != "8" {
		t.Errorf("stale old size: %d %q", st, out)
	}
	// Signed by another key: 403; another origin: 404; old beyond the size: 400.
	other, _ := LoadOrCreateKey(t.TempDir(), origin)
	n, _ := note.Sign(&note.Note{Text: "example.test/rarex/log\n9\n" + junk + "\n"}, other.Signer)
	if st, _ := post("old 8\n\n" + string(n)); st != 403 {
		t.Errorf("another key: %d", st)
	}
	if st, _ := post("old 0\n\nsome.other/log\n1\n" + junk + "\n\n— x y\n"); st != 404 {
		t.Errorf("another origin: %d", st)
	}
	if st, _ := post("old 99\n\n" + string(cpA)); st != 400 {
		t.Errorf("old beyond the size: %d", st)
	}
	if st, _ := post("garbage"); st != 400 {
		t.Errorf("garbage: %d", st)
	}
	// The witness remembers across restarts.
	w2, err := NewWitness(key.VKey, w.key.SKey, w.w.State)
	if err != nil {
		t.Fatal(err)
	}
	if st, _, _ := w2.AddCheckpoint([]byte("old 8\n\n" + string(cpB))); st != 409 {
		t.Errorf("after a restart the fork was cosigned: %d", st)
	}
}

func FuzzAddCheckpoint(f *testing.F) {
	f.Add([]byte("old 0\n\nexample.test/rarex/log\n1\nAAAA\n\n— a b\n"))
	f.Add([]byte("old 18446744073709551615\n" + strings.Repeat("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", 3) + "\n"))
	key, _ := LoadOrCreateKey(f.TempDir(), origin)
	wk, _ := LoadOrCreateKeyFile(filepath.Join(f.TempDir(), "w.key"), "w.test")
	w, err := NewWitness(key.VKey, wk.SKey, filepath.Join(f.TempDir(), "s.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		st, _, _ := w.AddCheckpoint(b)
		if st == 200 {
			t.Fatalf("cosigned a checkpoint nobody signed: %q", b)
		}
	})
}
