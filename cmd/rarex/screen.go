package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"rarex/screen"
)

const screenUsage = `rarex screen --list FILE... [--format F] [--min-score S] [--country CC] [--type T] [--explain] [--json] NAME...
rarex screen --list FILE... --batch NAMES.csv [--json]
rarex screen eval --list FILE... [--cases N] [--seed S] [--negatives FILE] [--brute-force] [--json]
rarex screen ownership --list FILE... --holdings H.csv|E.ftm.json [--json]`

// screenFlags are the flags every screen command shares.
type screenFlags struct {
	lists    multiFlag
	format   *string
	minScore *float64
	asJSON   *bool
}

func (a *App) screenFlagSet(name string) (*flag.FlagSet, *screenFlags) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(a.Stderr)
	sf := &screenFlags{}
	fs.Var(&sf.lists, "list", "list file to screen against (repeatable)")
	sf.format = fs.String("format", "auto", "format of the list files: auto (from name and content), "+strings.Join(screen.Formats(), ", ")+", ofac (sdn.csv or cons_prim.csv; alt and add files beside it are read too)")
	sf.minScore = fs.Float64("min-score", screen.DefaultThreshold, "report hits scoring at least this (0–1)")
	sf.asJSON = fs.Bool("json", false, "print JSON")
	return fs, sf
}

func (sf *screenFlags) index() (*screen.Index, error) {
	if len(sf.lists) == 0 {
		return nil, errors.New("give one or more --list FILE")
	}
	if *sf.minScore <= 0 || *sf.minScore > 1 {
		return nil, errors.New("--min-score must be in (0, 1]")
	}
	var entries []screen.Entry
	for _, p := range sf.lists {
		es, err := readListFile(p, *sf.format)
		if err != nil {
			return nil, err
		}
		entries = append(entries, es...)
	}
	return screen.NewIndex(entries), nil
}

// screenCmd screens names against list files.
func (a *App) screenCmd(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "eval" {
		return a.screenEval(args[1:])
	}
	if len(args) > 0 && args[0] == "ownership" {
		return a.screenOwnership(args[1:])
	}
	fs, sf := a.screenFlagSet("rarex screen")
	country := fs.String("country", "", "the party's country (ISO 3166-1 alpha-2), adjusts scores")
	typ := fs.String("type", "", "the party's type: person or organisation, adjusts scores")
	explain := fs.Bool("explain", false, "show which tokens matched and why")
	batch := fs.String("batch", "", "CSV of parties to screen: a header naming name, and optionally country and type; CSV out (JSON with --json)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if (fs.NArg() == 0) == (*batch == "") {
		return fmt.Errorf("screen: give names or --batch FILE, not both\nusage:\n%s", screenUsage)
	}
	ix, err := sf.index()
	if err != nil {
		return fmt.Errorf("screen: %w", err)
	}
	opt := screen.Options{MinScore: *sf.minScore}
	if *batch != "" {
		qs, err := readBatch(*batch)
		if err != nil {
			return err
		}
		return a.printBatch(ix.SearchBatch(qs, opt), *sf.asJSON)
	}
	var results []screen.Result
	for _, name := range fs.Args() {
		q := screen.Query{Name: name, Country: *country, Type: *typ}
		hits, err := ix.Search(q, opt)
		if err != nil {
			return fmt.Errorf("screen %q: %w", name, err)
		}
		results = append(results, screen.Result{Query: q, Hits: hits})
	}
	if *sf.asJSON {
		return writeJSON(a.Stdout, results)
	}
	tw := tabwriter.NewWriter(a.Stdout, 2, 4, 2, ' ', 0)
	for _, r := range results {
		if len(r.Hits) == 0 {
			fmt.Fprintf(tw, "%s\tno hit at or above %.2f\n", r.Query.Name, *sf.minScore)
			continue
		}
		for _, h := range r.Hits {
			fmt.Fprintf(tw, "%s\t%.3f\t%s\t%s (%s)\t%s\t%s\n", r.Query.Name, h.Score, h.Name, h.Entry.List, h.Entry.Meaning, strings.Join(h.Entry.Countries, ","), h.Entry.ID)
			if *explain {
				fmt.Fprintf(tw, "\t\tmethod %s; query %q; name %q\n", h.Why.Method, h.Why.Query, h.Why.Normal)
				if h.Why.Method == "tokens" {
					fmt.Fprintf(tw, "\t\t  query cover %.2f, name cover %.2f (the score is their mean)\n", h.Why.QueryCover, h.Why.NameCover)
				}
				for _, t := range h.Why.Tokens {
					fmt.Fprintf(tw, "\t\t  %s → %s: %s %.3f (weight %.2f)\n", t.Query, t.Name, t.How, t.Similarity, t.Weight)
				}
				for _, adj := range h.Why.Adjustments {
					fmt.Fprintf(tw, "\t\t  %s\n", adj)
				}
			}
		}
	}
	return tw.Flush()
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// readBatch reads the parties of a batch: CSV with a header naming name
// (and optionally country and type).
func readBatch(path string) ([]screen.Query, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return screen.ReadQueries(f, path, 0)
}

// printBatch writes one CSV row per hit (a row with no match when none).
func (a *App) printBatch(results []screen.Result, asJSON bool) error {
	if asJSON {
		return writeJSON(a.Stdout, results)
	}
	bw := bufio.NewWriter(a.Stdout)
	w := csv.NewWriter(bw)
	w.Write([]string{"name", "score", "matched_name", "list", "meaning", "entry_id", "error"})
	for _, r := range results {
		if len(r.Hits) == 0 {
			w.Write([]string{r.Query.Name, "", "", "", "", "", r.Error})
		}
		for _, h := range r.Hits {
			w.Write([]string{r.Query.Name, strconv.FormatFloat(h.Score, 'f', 3, 64), h.Name, h.Entry.List, string(h.Entry.Meaning), h.Entry.ID, ""})
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// screenEval runs the labelled evaluation (and the negatives) and prints
// precision, recall and F1 per list, script and variation.
func (a *App) screenEval(args []string) error {
	fs, sf := a.screenFlagSet("rarex screen eval")
	n := fs.Int("cases", 1000, "labelled cases to draw from the lists")
	seed := fs.Uint64("seed", 1, "random seed (same seed, same cases)")
	negFile := fs.String("negatives", "", "CSV of names on no list (first column), to measure false positives")
	brute := fs.Bool("brute-force", false, "also evaluate scoring every name, to show what the index loses")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ix, err := sf.index()
	if err != nil {
		return fmt.Errorf("screen eval: %w", err)
	}
	cases := screen.LabelledSet(ix.Entries, *seed, *n)
	out := struct {
		Index      screen.Report  `json:"index"`
		BruteForce *screen.Report `json:"brute_force,omitempty"`
		Negatives  *struct {
			Names int           `json:"names"`
			Hits  int           `json:"hits"`
			Rate  float64       `json:"rate"`
			Which []screen.Miss `json:"which"`
		} `json:"negatives,omitempty"`
	}{Index: ix.Evaluate(cases, *sf.minScore)}
	if *brute {
		r := ix.EvaluateBruteForce(cases, *sf.minScore)
		out.BruteForce = &r
	}
	if *negFile != "" {
		names, err := readNames(*negFile)
		if err != nil {
			return err
		}
		fps := ix.FalsePositives(names, *sf.minScore)
		out.Negatives = &struct {
			Names int           `json:"names"`
			Hits  int           `json:"hits"`
			Rate  float64       `json:"rate"`
			Which []screen.Miss `json:"which"`
		}{len(names), len(fps), float64(len(fps)) / float64(max(1, len(names))), fps}
	}
	if *sf.asJSON {
		return writeJSON(a.Stdout, out)
	}
	tw := tabwriter.NewWriter(a.Stdout, 2, 4, 2, ' ', 0)
	printReport := func(title string, r screen.Report) {
		fmt.Fprintf(tw, "%s: %d cases at threshold %.2f\n", title, r.Cases, r.Threshold)
		fmt.Fprintf(tw, "\tprecision\trecall\tF1\tTP\tFP\tFN\tTN\n")
		row := func(name string, s screen.Score) {
			fmt.Fprintf(tw, "%s\t%.4f\t%.4f\t%.4f\t%d\t%d\t%d\t%d\n", name, s.Precision(), s.Recall(), s.F1(), s.TP, s.FP, s.FN, s.TN)
		}
		row("all", r.All)
		for _, group := range []struct {
			label string
			m     map[string]screen.Score
		}{{"list", r.BySource}, {"script", r.ByScript}, {"variation", r.ByKind}} {
			for _, k := range sortedKeys(group.m) {
				row(group.label+" "+k, group.m[k])
			}
		}
	}
	printReport("index", out.Index)
	if out.BruteForce != nil {
		printReport("brute force", *out.BruteForce)
	}
	if out.Negatives != nil {
		fmt.Fprintf(tw, "negatives: %d of %d names hit (%.3f%%)\n", out.Negatives.Hits, out.Negatives.Names, 100*out.Negatives.Rate)
	}
	return tw.Flush()
}

func sortedKeys(m map[string]screen.Score) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// readNames reads the first column of a CSV with a header.
func readNames(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	var out []string
	for _, rec := range recs[min(1, len(recs)):] {
		if len(rec) > 0 && strings.TrimSpace(rec[0]) != "" {
			out = append(out, rec[0])
		}
	}
	return out, nil
}

// listFormat is format, or, for "auto" or "", the format the file's name
// and first bytes show.
func listFormat(path, format string) (string, error) {
	if format != "" && format != "auto" {
		return strings.ToLower(format), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	if format = screen.Detect(filepath.Base(path), head[:n]); format == "" {
		return "", fmt.Errorf("%s: cannot tell the list's format; give --format (%s, ofac)", path, strings.Join(screen.Formats(), ", "))
	}
	return format, nil
}

// readListFile reads one list, detecting its format unless given. OFAC's
// primary file brings its alias and address files from the same directory
// when they are there.
func readListFile(path, format string) ([]screen.Entry, error) {
	format, err := listFormat(path, format)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if format != "ofac" {
		return screen.ReadList(f, path, format)
	}
	altBase, addBase, source := screen.OFACCompanions(filepath.Base(path))
	open := func(base string) (io.Reader, string, func()) {
		p := filepath.Join(filepath.Dir(path), base)
		g, err := os.Open(p)
		if err != nil {
			return nil, p, func() {}
		}
		return g, p, func() { g.Close() }
	}
	alt, altName, closeAlt := open(altBase)
	defer closeAlt()
	add, addName, closeAdd := open(addBase)
	defer closeAdd()
	return screen.ReadOFAC(f, path, alt, altName, add, addName, source)
}

// screenOwnership applies the 50% rule: holdings (owner,owned,share CSV or
// FtM Ownership entities) are walked from every listed owner, a party being
// listed when its id is an entry id of the lists or its name hits them.
func (a *App) screenOwnership(args []string) error {
	fs, sf := a.screenFlagSet("rarex screen ownership")
	holdingsFile := fs.String("holdings", "", "owner,owned,share CSV, or FollowTheMoney JSON lines with Ownership entities")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *holdingsFile == "" {
		return fmt.Errorf("screen ownership: give --holdings FILE\nusage:\n%s", screenUsage)
	}
	ix, err := sf.index()
	if err != nil {
		return fmt.Errorf("screen ownership: %w", err)
	}
	f, err := os.Open(*holdingsFile)
	if err != nil {
		return err
	}
	defer f.Close()
	var holdings []screen.Holding
	if ext := strings.ToLower(filepath.Ext(*holdingsFile)); ext == ".json" || ext == ".jsonl" {
		_, holdings, err = screen.ReadFtM(f, *holdingsFile)
	} else {
		holdings, err = screen.ReadHoldings(f, *holdingsFile)
	}
	if err != nil {
		return err
	}
	listed, why := ix.Listed(*sf.minScore)
	controlled := screen.ControlledParties(holdings, listed, big.NewRat(1, 2))
	if *sf.asJSON {
		return writeJSON(a.Stdout, map[string]any{"controlled": controlled, "listed_owners": why})
	}
	if len(controlled) == 0 {
		fmt.Fprintln(a.Stdout, "No party is owned 50% or more by listed parties.")
		return nil
	}
	for _, c := range controlled {
		fmt.Fprintf(a.Stdout, "%s: %s owned by listed parties\n", c.Party, c.Total)
		for _, ch := range c.Chains {
			fmt.Fprintf(a.Stdout, "  %s  %s (listed: %s)\n", ch.Share, strings.Join(ch.Path, " → "), why[ch.Path[0]])
		}
	}
	return nil
}
