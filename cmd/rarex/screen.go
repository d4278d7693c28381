package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"rarex/screen"
)

// screenCmd screens names against a list file.
func (a *App) screenCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("rarex screen", flag.ContinueOnError)
	fs.SetOutput(a.Stderr)
	var lists multiFlag
	fs.Var(&lists, "list", "list file to screen against (repeatable)")
	format := fs.String("format", "cn", "format of the list files: "+strings.Join(screen.Formats(), ", ")+", ofac (sdn.csv or cons_prim.csv; alt and add files beside it are read too)")
	minScore := fs.Float64("min-score", screen.DefaultThreshold, "report hits scoring at least this (0–1)")
	country := fs.String("country", "", "the party's country (ISO 3166-1 alpha-2), adjusts scores")
	typ := fs.String("type", "", "the party's type: person or organisation, adjusts scores")
	explain := fs.Bool("explain", false, "show which tokens matched and why")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if len(lists) == 0 || fs.NArg() == 0 {
		return fmt.Errorf("screen: give --list FILE and one or more names")
	}
	if *minScore <= 0 || *minScore > 1 {
		return fmt.Errorf("screen: --min-score must be in (0, 1]")
	}
	var entries []screen.Entry
	for _, p := range lists {
		es, err := readListFile(p, *format)
		if err != nil {
			return err
		}
		entries = append(entries, es...)
	}
	ix := screen.NewIndex(entries)
	type result struct {
		Name string       `json:"name"`
		Hits []screen.Hit `json:"hits"`
	}
	var results []result
	for _, name := range fs.Args() {
		hits, err := ix.Search(screen.Query{Name: name, Country: *country, Type: *typ}, screen.Options{MinScore: *minScore})
		if err != nil {
			return fmt.Errorf("screen %q: %w", name, err)
		}
		results = append(results, result{Name: name, Hits: hits})
	}
	if *asJSON {
		enc := json.NewEncoder(a.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(results)
	}
	tw := tabwriter.NewWriter(a.Stdout, 2, 4, 2, ' ', 0)
	for _, r := range results {
		if len(r.Hits) == 0 {
			fmt.Fprintf(tw, "%s\tno hit at or above %.2f\n", r.Name, *minScore)
			continue
		}
		for _, h := range r.Hits {
			fmt.Fprintf(tw, "%s\t%.3f\t%s\t%s (%s)\t%s\t%s\n", r.Name, h.Score, h.Name, h.Entry.List, h.Entry.Meaning, strings.Join(h.Entry.Countries, ","), h.Entry.ID)
			if *explain {
				fmt.Fprintf(tw, "\t\tmethod %s; query %q; name %q\n", h.Why.Method, h.Why.Query, h.Why.Normal)
				if h.Why.Method == "tokens" {
					fmt.Fprintf(tw, "\t\t  query cover %.2f, name cover %.2f (0.6 and 0.4 of the score)\n", h.Why.QueryCover, h.Why.NameCover)
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

// readListFile reads one list. OFAC's primary file brings its alias and
// address files from the same directory when they are there.
func readListFile(path, format string) ([]screen.Entry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if strings.ToLower(format) != "ofac" {
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
