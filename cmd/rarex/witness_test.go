package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rarex/tlog"
)

// TestWitnessedServe: an overseer's witness (rarex witness serve) cosigns
// the authority's checkpoints (rarex serve --witness), and rarex audit
// checks the quorum.
func TestWitnessedServe(t *testing.T) {
	data := t.TempDir()
	if err := os.MkdirAll(filepath.Join(data, "log"), 0o700); err != nil {
		t.Fatal(err)
	}
	logKey, err := tlog.LoadOrCreateKey(filepath.Join(data, "log"), "authority.test/rarex/log")
	if err != nil {
		t.Fatal(err)
	}
	// The overseer's witness.
	wapp, wout, werr := newApp(nil, "")
	waddr := make(chan string, 1)
	wapp.OnListen = func(a string) { waddr <- a }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	wdone := make(chan error, 1)
	keyFile := filepath.Join(t.TempDir(), "witness.key")
	go func() {
		wdone <- wapp.Run(ctx, []string{"witness", "serve", "--log-vkey", logKey.VKey, "--key", keyFile, "--name", "overseer.test/witness", "--addr", "127.0.0.1:0"})
	}()
	var witnessURL string
	select {
	case a := <-waddr:
		witnessURL = "http://" + a
	case err := <-wdone:
		t.Fatalf("witness: %v %s", err, werr.String())
	case <-time.After(10 * time.Second):
		t.Fatal("witness did not start")
	}
	wkey, err := tlog.LoadOrCreateKeyFile(keyFile, "")
	if err != nil || !strings.Contains(wout.String(), wkey.VKey) {
		t.Fatalf("witness key not printed: %v\n%s", err, wout.String())
	}
	// The authority's server, publishing only checkpoints the witness cosigned.
	base, out := startServe(t, "--data", data, "--demo", "--log-origin", "authority.test/rarex/log", "--witness", wkey.VKey+"="+witnessURL)
	if !strings.Contains(out.String(), logKey.VKey) {
		t.Fatalf("serve did not print the log key:\n%s", out.String())
	}
	deadline := time.Now().Add(30 * time.Second)
	var cp string
	for {
		resp, err := http.Get(base + "/log/checkpoint")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			cp = string(b)
			if resp.StatusCode == 200 && strings.Contains(cp, "— overseer.test/witness ") && !strings.HasPrefix(strings.SplitN(cp, "\n", 3)[1], "0") {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no cosigned checkpoint with entries: %q", cp)
		}
		time.Sleep(100 * time.Millisecond)
	}
	app, aout, _ := newApp(nil, "")
	if err := app.Run(context.Background(), []string{"audit", "checkpoint", "--url", base + "/log/", "--vkey", logKey.VKey, "--witness", wkey.VKey, "--quorum", "1", "--state", t.TempDir()}); err != nil {
		t.Fatalf("audit with a witness quorum: %v\n%s", err, aout.String())
	}
}

// TestReplicaWithoutLog: a replica (--public-log=false) serves everything
// but the log, whose files another instance keeps.
func TestReplicaWithoutLog(t *testing.T) {
	base, out := startServe(t, "--data", t.TempDir(), "--public-log=false")
	if !strings.Contains(out.String(), "kept by another instance") {
		t.Errorf("the replica did not say where the log is:\n%s", out.String())
	}
	for path, want := range map[string]int{"/healthz": 200, "/log/checkpoint": 404, "/log/vkey": 404} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("%s: %d, want %d", path, resp.StatusCode, want)
		}
	}
}
