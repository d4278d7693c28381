package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/transparency-dev/tessera/client"

	"rarex/tlog"
)

// stringList is a repeatable flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

const auditUsage = `rarex audit: verify the public log without trusting the authority

  rarex audit checkpoint --url URL --vkey KEY [--witness KEY]... [--quorum K] [--state DIR]
      fetch the latest checkpoint, verify its signature (and witness quorum), prove it
      extends the one remembered from last time, and remember it
  rarex audit consistency --url URL --vkey KEY [--state DIR]
      the same, failing unless a remembered checkpoint exists; on a fork it prints both
      signed checkpoints, which together prove the log was rewritten
  rarex audit receipt --vkey KEY [--witness KEY]... [--quorum K] [--opening FILE] RECEIPT
      verify a decision's tlog-proof receipt offline (and its opening, if given)
  rarex audit replay --url URL --vkey KEY [--from N] [--witness KEY]... [--quorum K]
      download the entries (from index N), recompute the root and every daily statement

KEY is the log's verifier key (GET /log/vkey; pin it out of band). URL is the log's
base, e.g. https://authority.example/log/.
`

func (a *App) auditCmd(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(a.Stderr, auditUsage)
		return errors.New("audit: say checkpoint, consistency, receipt or replay")
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("rarex audit "+sub, flag.ContinueOnError)
	fs.SetOutput(a.Stderr)
	vkey := fs.String("vkey", a.Getenv("RAREX_LOG_VKEY"), "the log's verifier key")
	var witnesses stringList
	fs.Var(&witnesses, "witness", "a witness's verifier key (repeatable)")
	quorum := fs.Int("quorum", 0, "how many of the witnesses must have cosigned")
	asJSON := fs.Bool("json", false, "print JSON")
	var logURL, state, opening *string
	fromIdx := new(uint64)
	switch sub {
	case "replay":
		logURL = fs.String("url", "", "the log's base URL (where /checkpoint and /tile/ are)")
		fromIdx = fs.Uint64("from", 0, "download entries from this index on (the tree before it comes from the hash tiles)")
	case "checkpoint", "consistency":
		logURL = fs.String("url", "", "the log's base URL (where /checkpoint and /tile/ are)")
		state = fs.String("state", "", "where remembered checkpoints are kept (default: the user's config directory)")
	case "receipt":
		opening = fs.String("opening", "", "the decision's opening (JSON with salt and record), to check against the entry")
	default:
		fmt.Fprint(a.Stderr, auditUsage)
		return fmt.Errorf("audit: unknown subcommand %q", sub)
	}
	if err := fs.Parse(rest); err != nil {
		return err
	}
	if *vkey == "" {
		return errors.New("audit: --vkey is required (the log's verifier key, pinned out of band)")
	}
	pol, err := tlog.NewPolicy(*vkey, witnesses, *quorum)
	if err != nil {
		return fmt.Errorf("audit: %v", err)
	}
	if sub == "receipt" {
		if fs.NArg() != 1 {
			return errors.New("audit receipt: give one receipt file")
		}
		return a.auditReceipt(fs.Arg(0), *opening, pol, *asJSON)
	}
	if *logURL == "" {
		return fmt.Errorf("audit %s: --url is required", sub)
	}
	if sub == "replay" {
		return a.auditReplay(ctx, *logURL, *fromIdx, pol, *asJSON)
	}
	return a.auditCheckpoint(ctx, *logURL, *state, pol, sub == "consistency", *asJSON)
}

func (a *App) auditReceipt(path, openingPath string, pol *tlog.Policy, asJSON bool) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("audit receipt: %v", err)
	}
	var opening []byte
	if openingPath != "" {
		if opening, err = os.ReadFile(openingPath); err != nil {
			return fmt.Errorf("audit receipt: opening: %v", err)
		}
	}
	o, err := pol.Open(b, opening)
	if err != nil {
		return fmt.Errorf("audit receipt %s: %v", path, err)
	}
	if asJSON {
		out := map[string]any{"verified": true, "index": o.Index, "tree_size": o.Checkpoint.Size, "entry": o.Entry}
		if o.Record != nil {
			out["record"] = o.Record
		}
		return a.printJSON(out)
	}
	fmt.Fprintf(a.Stdout, "VERIFIED: entry %d is in the log %q (tree of %d entries, signed by the pinned key", o.Index, pol.Origin(), o.Checkpoint.Size)
	if pol.Quorum > 0 {
		fmt.Fprintf(a.Stdout, ", cosigned by at least %d witnesses", pol.Quorum)
	}
	e := o.Entry
	fmt.Fprintf(a.Stdout, ")\n  %s on %s: %s, %s, basis %s, green channel %v, %d working days\n", e.Type, e.Day, e.Class, e.Region, strings.Join(e.Basis, " "), e.Green, e.Days)
	if o.Record != nil {
		fmt.Fprintf(a.Stdout, "OPENED: the opening matches the entry's commitment; the decision record is:\n%s\n", o.Record)
	}
	return nil
}

func fetcher(base string) (*client.HTTPFetcher, error) {
	u, err := url.Parse(strings.TrimSuffix(base, "/") + "/")
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("audit: --url %q is not an http(s) URL", base)
	}
	return client.NewHTTPFetcher(u, &http.Client{Timeout: 30 * time.Second})
}

// auditReplay downloads the log, recomputes its root and every statement.
func (a *App) auditReplay(ctx context.Context, base string, from uint64, pol *tlog.Policy, asJSON bool) error {
	f, err := fetcher(base)
	if err != nil {
		return err
	}
	_, cp, err := pol.Latest(ctx, f)
	if err != nil {
		return fmt.Errorf("audit: %v", err)
	}
	rep, err := tlog.Replay(ctx, f.ReadEntryBundle, f.ReadTile, from, cp.Size, cp.Hash)
	if err != nil {
		return fmt.Errorf("audit replay: %v", err)
	}
	if asJSON {
		if err := a.printJSON(rep); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(a.Stdout, "replayed %d entries of %s (from %d): %d decisions, %d statements\n", rep.Size, cp.Origin, from, rep.Decisions, rep.Statements)
		for _, p := range rep.Problems {
			fmt.Fprintln(a.Stdout, "PROBLEM:", p)
		}
	}
	if len(rep.Problems) > 0 {
		return fmt.Errorf("audit replay: %d problems: the log does not add up", len(rep.Problems))
	}
	if !asJSON {
		fmt.Fprintln(a.Stdout, "VERIFIED: the entries hash to the signed root and every statement adds up")
	}
	return nil
}

func (a *App) auditCheckpoint(ctx context.Context, base, stateDir string, pol *tlog.Policy, requireOld, asJSON bool) error {
	f, err := fetcher(base)
	if err != nil {
		return err
	}
	if stateDir == "" {
		d, err := os.UserConfigDir()
		if err != nil {
			return fmt.Errorf("audit: no --state and no user config directory: %v", err)
		}
		stateDir = filepath.Join(d, "rarex", "audit")
	}
	statePath := pol.StatePath(stateDir)
	adv, err := pol.Advance(ctx, f, statePath, requireOld)
	if errors.Is(err, tlog.ErrNothingRemembered) {
		return fmt.Errorf("audit consistency: %v: run rarex audit checkpoint first", err)
	}
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	cp := adv.Checkpoint
	if asJSON {
		return a.printJSON(map[string]any{"verified": true, "origin": cp.Origin, "size": cp.Size, "root": cp.Hash, "consistent_from": adv.From, "state": statePath})
	}
	fmt.Fprintf(a.Stdout, "VERIFIED: %s has %d entries (root %x)\n", cp.Origin, cp.Size, cp.Hash)
	if adv.Remembered {
		fmt.Fprintf(a.Stdout, "CONSISTENT: it extends the remembered tree of %d entries\n", adv.From)
	}
	fmt.Fprintf(a.Stdout, "remembered in %s\n", statePath)
	return nil
}
