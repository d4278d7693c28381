package tlog

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
)

const origin = "example.test/rarex/log"

var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

func decision(i int, op *Opening) Decision {
	c, _ := op.Commitment()
	return Decision{V: 1, Kind: "decision", Day: "2026-11-28", Type: DecisionTypes[i%4], Class: "magnet_ndfeb", Region: "Asia", Basis: []string{"18-1"}, Green: i%2 == 0, Days: i % 45, Commitment: c}
}

func openLog(t *testing.T, dir string) *Log {
	t.Helper()
	key, err := LoadOrCreateKey(dir, origin)
	if err != nil {
		t.Fatal(err)
	}
	l, err := Open(context.Background(), dir, origin, key, Options{CheckpointInterval: 100 * time.Millisecond, BatchAge: 10 * time.Millisecond, Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close(context.Background()) })
	return l
}

// waitPublished waits until a checkpoint covers size entries.
func waitPublished(t *testing.T, l *Log, size uint64) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if s, _, err := l.Size(context.Background()); err == nil && s >= size {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no checkpoint covers %d entries", size)
}

func TestKeyFile(t *testing.T) {
	dir := t.TempDir()
	k1, err := LoadOrCreateKey(dir, origin)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, "log.key"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v (%v), want 0600", st.Mode().Perm(), err)
	}
	k2, err := LoadOrCreateKey(dir, origin)
	if err != nil || k2.VKey != k1.VKey {
		t.Fatalf("reloaded key differs: %v", err)
	}
	if _, err := LoadOrCreateKey(dir, "other.test/log"); err == nil || !strings.Contains(err.Error(), "origin") {
		t.Errorf("another origin with the same key: %v", err)
	}
	os.WriteFile(filepath.Join(t.TempDir(), "x"), nil, 0o600)
	bad := t.TempDir()
	os.WriteFile(filepath.Join(bad, "log.key"), []byte("garbage\n"), 0o600)
	if _, err := LoadOrCreateKey(bad, origin); err == nil {
		t.Errorf("a garbled key file loaded")
	}
}

func TestAppendProveAndTamper(t *testing.T) {
	ctx := context.Background()
	l := openLog(t, t.TempDir())
	v, err := note.NewVerifier(l.Key.VKey)
	if err != nil {
		t.Fatal(err)
	}
	var entries [][]byte
	var openings []*Opening
	for i := range 300 { // more than one tile and one entry bundle
		op, err := NewOpening(map[string]any{"application": fmt.Sprint("A-", i), "quantity": "500", "holder": "Ningbo Magnet Works"})
		if err != nil {
			t.Fatal(err)
		}
		e, err := decision(i, op).Canonical()
		if err != nil {
			t.Fatal(err)
		}
		idx, err := l.Add(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		if idx != uint64(i) {
			t.Fatalf("entry %d got index %d", i, idx)
		}
		entries, openings = append(entries, e), append(openings, op)
	}
	waitPublished(t, l, 300)
	for _, i := range []int{0, 1, 255, 256, 299} {
		r, err := l.Receipt(ctx, uint64(i), entries[i])
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseReceipt(r.Marshal())
		if err != nil {
			t.Fatal(err)
		}
		got, err := VerifyReceipt(back, origin, v, nil, 0)
		if err != nil {
			t.Fatalf("receipt %d: %v", i, err)
		}
		if err := openings[i].Opens(got.Entry); err != nil {
			t.Errorf("opening %d: %v", i, err)
		}
		if err := openings[(i+1)%300].Opens(got.Entry); err == nil {
			t.Errorf("another decision's opening opens entry %d", i)
		}
	}
	// Tampering: one changed byte anywhere fails verification.
	r, _ := l.Receipt(ctx, 42, entries[42])
	good := r.Marshal()
	tampered := map[string]func() *Receipt{
		"entry": func() *Receipt {
			c := *r
			c.Entry = bytes.Replace(r.Entry, []byte(`"Asia"`), []byte(`"Euro"`), 1)
			return &c
		},
		"index": func() *Receipt { c := *r; c.Index = 43; return &c },
		"proof": func() *Receipt { c := *r; c.Proof = append([][]byte{flip(r.Proof[0])}, r.Proof[1:]...); return &c },
		"checkpoint": func() *Receipt {
			c := *r
			c.Checkpoint = bytes.Replace(r.Checkpoint, []byte("\n300\n"), []byte("\n301\n"), 1)
			return &c
		},
	}
	for name, mk := range tampered {
		if _, err := VerifyReceipt(mk(), origin, v, nil, 0); err == nil {
			t.Errorf("a receipt with a tampered %s verified", name)
		}
	}
	other, _ := LoadOrCreateKey(t.TempDir(), origin)
	ov, _ := note.NewVerifier(other.VKey)
	if _, err := VerifyReceipt(r, origin, ov, nil, 0); err == nil {
		t.Error("verified under another log's key")
	}
	if _, err := VerifyReceipt(r, origin, v, nil, 1); err == nil || !strings.Contains(err.Error(), "cosignatures") {
		t.Errorf("a quorum of one witness passed with none: %v", err)
	}
	if !bytes.HasPrefix(good, []byte(ProofHeader+"\nextra ")) {
		t.Errorf("receipt format: %q", good[:40])
	}
	// Find locates an entry already in the log (crash recovery).
	if idx, ok, err := l.Find(ctx, 250, entries[260]); err != nil || !ok || idx != 260 {
		t.Errorf("find: %d %v %v", idx, ok, err)
	}
	if _, ok, _ := l.Find(ctx, 0, []byte("absent")); ok {
		t.Error("found an absent entry")
	}
}

func flip(h []byte) []byte {
	c := append([]byte(nil), h...)
	c[0] ^= 1
	return c
}

func TestReceiptRestartsAtSize(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l := openLog(t, dir)
	op, _ := NewOpening("x")
	e, _ := decision(0, op).Canonical()
	if _, err := l.Receipt(ctx, 0, e); err != ErrNotPublished {
		t.Fatalf("receipt before any entry: %v", err)
	}
	if _, err := l.Add(ctx, e); err != nil {
		t.Fatal(err)
	}
	waitPublished(t, l, 1)
	l.Close(ctx)
	// A restarted log keeps its entries and key.
	l2 := openLog(t, dir)
	if idx, err := l2.Add(ctx, e); err != nil || idx != 1 {
		t.Fatalf("append after restart: %d %v", idx, err)
	}
}

func TestParseReceiptErrors(t *testing.T) {
	cp := "example.test/rarex/log\n1\nAAAA\n\n— example.test/rarex/log abc\n"
	extra := base64.StdEncoding.EncodeToString([]byte("{}"))
	hash := base64.StdEncoding.EncodeToString(make([]byte, 32))
	for name, c := range map[string]struct{ in, want string }{
		"header":         {"c2sp.org/tlog-proof@v2\nindex 0\n\n" + cp, "line 1"},
		"no checkpoint":  {ProofHeader + "\nindex 0\n", "no checkpoint"},
		"no index":       {ProofHeader + "\nextra " + extra + "\n\n" + cp, "line 3"},
		"leading zero":   {ProofHeader + "\nindex 01\n\n" + cp, "leading zeros"},
		"negative":       {ProofHeader + "\nindex -1\n\n" + cp, "index"},
		"bad extra":      {ProofHeader + "\nextra !!\nindex 0\n\n" + cp, "line 2: extra"},
		"short hash":     {ProofHeader + "\nindex 0\nAAAA\n\n" + cp, "line 3: not a base64"},
		"hash then junk": {ProofHeader + "\nindex 0\n" + hash + "\nzz\n\n" + cp, "line 4"},
	} {
		_, err := ParseReceipt([]byte(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error with %q", name, err, c.want)
		}
	}
}

func TestEntryCanonical(t *testing.T) {
	op, _ := NewOpening("r")
	d := decision(1, op)
	b, err := d.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseEntry(b); err != nil {
		t.Fatal(err)
	}
	spaced := bytes.Replace(b, []byte(`"v":1`), []byte(`"v": 1`), 1)
	if _, err := ParseEntry(spaced); err == nil {
		t.Error("a non-canonical encoding parsed")
	}
	for name, edit := range map[string]func(*Decision){
		"type":       func(d *Decision) { d.Type = "maybe" },
		"day":        func(d *Decision) { d.Day = "28.11.2026" },
		"commitment": func(d *Decision) { d.Commitment = "ABC" },
		"region":     func(d *Decision) { d.Region = "Hanbit Motors Co., Ltd." },
		"basis":      func(d *Decision) { d.Basis = []string{"a b"} },
	} {
		c := d
		edit(&c)
		if _, err := c.Canonical(); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func FuzzParseReceipt(f *testing.F) {
	f.Add([]byte(ProofHeader + "\nextra e30=\nindex 3\n" + base64.StdEncoding.EncodeToString(make([]byte, 32)) + "\n\norigin\n4\nAAAA\n\n— origin sig\n"))
	f.Add([]byte(ProofHeader + "\nindex 0\n\n\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseReceipt(b)
		if err != nil {
			return
		}
		again, err := ParseReceipt(r.Marshal())
		if err != nil || again.Index != r.Index || len(again.Proof) != len(r.Proof) || !bytes.Equal(again.Entry, r.Entry) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

func FuzzParseEntry(f *testing.F) {
	op, _ := NewOpening("r")
	good, _ := decision(2, op).Canonical()
	f.Add(good)
	f.Add([]byte(`{"v":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := ParseEntry(b)
		if err != nil {
			return
		}
		c, err := d.Canonical()
		if err != nil || !bytes.Equal(c, b) {
			t.Fatalf("accepted a non-canonical entry: %q", b)
		}
	})
}

// FuzzVerifyCheckpoint: arbitrary bytes never pass as a checkpoint of the
// pinned key, and nothing panics.
func FuzzVerifyCheckpoint(f *testing.F) {
	key, _ := LoadOrCreateKey(f.TempDir(), origin)
	n, _ := note.Sign(&note.Note{Text: origin + "\n3\n" + base64.StdEncoding.EncodeToString(make([]byte, 32)) + "\n"}, key.Signer)
	f.Add(n)
	f.Add([]byte(origin + "\n3\nAAAA\n\n— " + origin + " AAAA\n"))
	other, _ := LoadOrCreateKey(f.TempDir(), origin)
	pol, err := NewPolicy(other.VKey, nil, 0)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if cp, err := pol.Verify(b); err == nil {
			t.Fatalf("verified under a key that signed nothing: %+v", cp)
		}
	})
}

// BenchmarkVerifyReceipt: what an auditor pays per receipt (a tree of a
// million entries would add ten proof hashes).
func BenchmarkVerifyReceipt(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	key, _ := LoadOrCreateKey(dir, origin)
	l, err := Open(ctx, dir, origin, key, Options{CheckpointInterval: 100 * time.Millisecond, BatchAge: 5 * time.Millisecond, Logger: quietLog})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close(ctx)
	var es [][]byte
	for i := range 1000 {
		op, _ := NewOpening(i)
		e, _ := decision(i, op).Canonical()
		l.AddAsync(ctx, e)
		es = append(es, e)
	}
	for deadline := time.Now().Add(20 * time.Second); ; {
		if s, _, _ := l.Size(ctx); s >= 1000 {
			break
		}
		if time.Now().After(deadline) {
			b.Fatal("no checkpoint")
		}
		time.Sleep(20 * time.Millisecond)
	}
	r, err := l.Receipt(ctx, 500, es[500])
	if err != nil {
		b.Fatal(err)
	}
	raw := r.Marshal()
	pol, _ := NewPolicy(key.VKey, nil, 0)
	for b.Loop() {
		rc, err := ParseReceipt(raw)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := VerifyReceipt(rc, origin, pol.Log, nil, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEntry: building a decision's opening, commitment and entry.
func BenchmarkEntry(b *testing.B) {
	rec := map[string]any{"application": "A-2026-00042", "holder": "Ningbo Magnet Works", "lines": []string{"NdFeB magnets 500 kg"}}
	for b.Loop() {
		op, err := NewOpening(rec)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := decision(1, op).Canonical(); err != nil {
			b.Fatal(err)
		}
	}
}
