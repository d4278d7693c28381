package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"rarex"
	"rarex/assess"
	"rarex/rules"
)

// loadRegime loads the shipped regime, or the one in dir (--rules).
func loadRegime(dir string) (*rules.Regime, error) {
	var regs []*rules.Regime
	var err error
	if dir == "" {
		regs, err = rules.Shipped()
	} else {
		regs, err = rules.LoadFS(os.DirFS(dir), ".")
	}
	if err != nil {
		return nil, err
	}
	if len(regs) != 1 {
		return nil, fmt.Errorf("rules: %d regimes found; this version runs exactly one", len(regs))
	}
	return regs[0], nil
}

func (a *App) dateOrToday(s string) (rules.Date, error) {
	if s == "" {
		return rules.Today(rarex.SystemClock{}.Now()), nil
	}
	d, err := rules.ParseDate(s)
	if err != nil {
		return d, fmt.Errorf("--date: %v", err)
	}
	return d, nil
}

func (a *App) rulesCmd(ctx context.Context, args []string) error {
	sub, rest, err := subcommand(args, "rules", "list", "show", "status")
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("rarex rules "+sub, flag.ContinueOnError)
	fs.SetOutput(a.Stderr)
	dir := fs.String("rules", a.Getenv("RAREX_RULES"), "directory of regime YAML files (default: the shipped regime)")
	date := fs.String("date", "", "as of this date, YYYY-MM-DD (default: today in China)")
	asJSON := fs.Bool("json", false, "print JSON")
	// "show ID --json" and "show --json ID" both work.
	var id string
	if sub == "show" && len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		id, rest = rest[0], rest[1:]
	}
	if err := fs.Parse(rest); err != nil {
		return err
	}
	if sub == "show" && id == "" && fs.NArg() == 1 {
		id = fs.Arg(0)
	} else if sub == "show" && (id == "" || fs.NArg() > 0) {
		return fmt.Errorf("rules show: give one instrument or rule id, e.g. ann61 or 61-1-1")
	}
	reg, err := loadRegime(*dir)
	if err != nil {
		return err
	}
	d, err := a.dateOrToday(*date)
	if err != nil {
		return err
	}
	switch sub {
	case "list":
		if fs.NArg() > 0 {
			return fmt.Errorf("rules list: unexpected argument %q", fs.Arg(0))
		}
		if *asJSON {
			return a.printJSON(reg.Rules)
		}
		tw := tabwriter.NewWriter(a.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "RULE\tINSTRUMENT\tARTICLE\tOUTCOME\tSTATUS ON "+d.String())
		for _, ru := range reg.Rules {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", ru.ID, ru.Instrument, ru.Article, ru.Outcome, reg.RuleStatus(ru, d))
		}
		return tw.Flush()
	case "status":
		if fs.NArg() > 0 {
			return fmt.Errorf("rules status: unexpected argument %q", fs.Arg(0))
		}
		st := reg.Statuses(d)
		if *asJSON {
			return a.printJSON(map[string]any{"date": d.String(), "regime": reg.ID, "instruments": st})
		}
		fmt.Fprintf(a.Stdout, "%s — as of %s\n", reg.Title, d)
		tw := tabwriter.NewWriter(a.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "INSTRUMENT\tSTATUS\tSINCE\tUNTIL\tNOTE")
		for _, s := range st {
			note := s.Missing + s.Note
			if s.By != "" {
				note = "by " + s.By + " " + note
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.Number, s.Status, s.From, s.To, strings.TrimSpace(note))
		}
		return tw.Flush()
	}
	// show ID: an instrument or a rule.
	for _, in := range reg.Instruments {
		if in.ID == id {
			var its []*rules.Rule
			for _, ru := range reg.Rules {
				if ru.Instrument == id {
					its = append(its, ru)
				}
			}
			st, _ := in.StatusAt(d)
			if *asJSON {
				return a.printJSON(map[string]any{"instrument": in, "status": st, "date": d.String(), "rules": its})
			}
			fmt.Fprintf(a.Stdout, "%s — %s\nIssuer: %s; published %s\nStatus on %s: %s\n", in.Number, in.Title, in.Issuer, in.Published, d, st)
			for _, w := range in.Windows {
				fmt.Fprintf(a.Stdout, "  %s → %s  %s %s%s\n", w.From, orOpenEnd(w.To), w.Status, w.By, w.Missing)
			}
			for _, ru := range its {
				fmt.Fprintf(a.Stdout, "Rule %s (%s): %s — %s\n", ru.ID, ru.Article, ru.Outcome, ru.Text)
			}
			printSources(a.Stdout, in.Sources)
			return nil
		}
	}
	for _, ru := range reg.Rules {
		if ru.ID == id {
			if *asJSON {
				return a.printJSON(map[string]any{"rule": ru, "status": reg.RuleStatus(ru, d), "date": d.String()})
			}
			fmt.Fprintf(a.Stdout, "Rule %s — %s %s\nOutcome: %s\nStatus on %s: %s\n%s\n", ru.ID, ru.Instrument, ru.Article, ru.Outcome, d, reg.RuleStatus(ru, d), ru.Text)
			printSources(a.Stdout, ru.Sources)
			return nil
		}
	}
	return fmt.Errorf("rules show: no instrument or rule %q (see rarex rules list)", id)
}

func orOpenEnd(d rules.Date) string {
	if d.IsZero() {
		return "…"
	}
	return d.String()
}

func printSources(w io.Writer, srcs []string) {
	fmt.Fprintln(w, "Sources:")
	for _, s := range srcs {
		fmt.Fprintln(w, "  "+s)
	}
}

func (a *App) determineCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("rarex determine", flag.ContinueOnError)
	fs.SetOutput(a.Stderr)
	dir := fs.String("rules", a.Getenv("RAREX_RULES"), "directory of regime YAML files (default: the shipped regime)")
	date := fs.String("date", "", "as of this date, overriding the request's (default: the request's, else today in China)")
	interp := fs.String("interpretation", "", "official (default), broad-elements or as-reported")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("determine: give one request file, or - for standard input")
	}
	reg, err := loadRegime(*dir)
	if err != nil {
		return err
	}
	var in io.Reader = a.Stdin
	name := "standard input"
	if p := fs.Arg(0); p != "-" {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		in, name = f, p
	}
	req, err := rules.DecodeRequest(in)
	if err != nil {
		return fmt.Errorf("%s: %s", name, rarex.ErrorMessage(err))
	}
	if *date != "" {
		req.Date = *date
	}
	if req.Date == "" {
		req.Date = rules.Today(rarex.SystemClock{}.Now()).String()
	}
	if *interp != "" {
		req.Interpretation = *interp
	}
	det, err := assess.Determine(reg, req)
	if err != nil {
		return fmt.Errorf("%s: %s", name, rarex.ErrorMessage(err))
	}
	return a.printJSON(det)
}
