package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"rarex/tlog"
)

// witnessCmd runs a C2SP tlog-witness for one log: an overseer's own check
// that the authority shows everyone the same history.
func (a *App) witnessCmd(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "serve" {
		return errors.New("usage: rarex witness serve --log-vkey KEY --key FILE [--name NAME] [--addr 127.0.0.1:8090] [--state FILE]")
	}
	fs := flag.NewFlagSet("rarex witness serve", flag.ContinueOnError)
	fs.SetOutput(a.Stderr)
	logVKey := fs.String("log-vkey", a.Getenv("RAREX_LOG_VKEY"), "the log's verifier key (pinned out of band)")
	keyFile := fs.String("key", "", "the witness's private key file; made (mode 0600) if absent")
	name := fs.String("name", "", "the witness's name in its cosignatures, when the key is made (default <host name>/rarex-witness)")
	addr := fs.String("addr", "127.0.0.1:8090", "listen address")
	state := fs.String("state", "", "file remembering the last cosigned checkpoint (default: next to the key)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *logVKey == "" || *keyFile == "" {
		return errors.New("witness serve: --log-vkey and --key are required")
	}
	if *name == "" {
		host, _ := os.Hostname()
		if host == "" {
			host = "localhost"
		}
		*name = strings.ToLower(host) + "/rarex-witness"
	}
	keyName := "" // an existing key keeps its own name
	if _, err := os.Stat(*keyFile); errors.Is(err, os.ErrNotExist) {
		keyName = *name
	}
	key, err := tlog.LoadOrCreateKeyFile(*keyFile, keyName)
	if err != nil {
		return fmt.Errorf("witness key: %w", err)
	}
	if *state == "" {
		*state = filepath.Join(filepath.Dir(*keyFile), "witness-state.json")
	}
	w, err := tlog.NewWitness(*logVKey, key.SKey, *state)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %v", *addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /add-checkpoint", w)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second}
	fmt.Fprintf(a.Stdout, "witness for %q serving on http://%s/add-checkpoint\nits verifier key (give it to the authority and to auditors):\n  %s\n", w.Log.Name(), ln.Addr(), key.VKey)
	if a.OnListen != nil {
		a.OnListen(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shut)
}
