package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"rarex"
	"rarex/accounts"
	"rarex/assess"
	"rarex/bom"
	"rarex/boms"
	"rarex/rules"
)

// multiFlag collects a repeated flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func (a *App) bomCmd(ctx context.Context, args []string) error {
	sub, rest, err := subcommand(args, "bom", "rollup", "gen", "whatif", "upload")
	if err != nil {
		return err
	}
	switch sub {
	case "gen":
		return a.bomGen(rest)
	case "whatif":
		return a.bomWhatIf(rest)
	case "upload":
		return a.bomUpload(ctx, rest)
	}
	fs := flag.NewFlagSet("rarex bom rollup", flag.ContinueOnError)
	fs.SetOutput(a.Stderr)
	partsFile := fs.String("parts", "", "parts.csv")
	edgesFile := fs.String("edges", "", "edges.csv")
	date := fs.String("date", "", "as of this date (default: today in China)")
	interp := fs.String("interpretation", "", "official (default), broad-elements or as-reported")
	dir := fs.String("rules", a.Getenv("RAREX_RULES"), "directory of regime YAML files")
	top := fs.Int("top", 3, "contributing paths to show per product")
	asJSON := fs.Bool("json", false, "print JSON")
	asCSV := fs.Bool("csv", false, "print CSV")
	var products multiFlag
	fs.Var(&products, "product", "only this product (repeatable; default: every part with no parent)")
	if err := fs.Parse(rest); err != nil {
		return err
	}
	if *partsFile == "" || *edgesFile == "" {
		return fmt.Errorf("bom rollup: --parts and --edges are required")
	}
	if *top < 0 || *top > 1000 {
		return fmt.Errorf("bom rollup: --top must be 0..1000")
	}
	reg, test, err := contentTest(*dir, *interp)
	if err != nil {
		return err
	}
	d, err := a.dateOrToday(*date)
	if err != nil {
		return err
	}
	g, err := a.loadBOM(reg, *partsFile, *edgesFile)
	if err != nil {
		return err
	}
	var ids []int32
	if len(products) == 0 {
		ids = g.Products()
	}
	for _, p := range products {
		i, ok := g.Index(p)
		if !ok {
			return fmt.Errorf("--product: %q is not a part in %s", p, *partsFile)
		}
		ids = append(ids, i)
	}
	r := assess.Roll(g, test)
	rule, status := reg.ContentRuleStatus(d)
	if *asCSV {
		// Row by row: a million-part BOM has hundreds of thousands of products.
		w := csv.NewWriter(a.Stdout)
		w.Write([]string{"product", "value", "controlled_value", "share", "cn_value", "cn_share", "threshold", "over", "cn_technology", "rule_status"})
		for _, p := range ids {
			res := r.Result(p, 0)
			w.Write([]string{res.Product, rarex.FormatNumber(res.Value), rarex.FormatNumber(res.ControlledValue), rarex.FormatNumber(res.Share), rarex.FormatNumber(res.CNValue), rarex.FormatNumber(res.CNShare),
				rarex.FormatNumber(res.Threshold), strconv.FormatBool(res.Over), strconv.FormatBool(res.CNTechnology), status})
		}
		w.Flush()
		return w.Error()
	}
	if *asJSON {
		return a.printJSONList(map[string]any{"date": d.String(), "interpretation": test.Interpretation, "rule": rule, "rule_status": status,
			"parts": g.Len(), "edges": g.Edges()}, "products", len(ids), func(i int) any { return r.Result(ids[i], *top) })
	}
	results := r.Results(ids, *top)
	// Buffered: the table and the paths are written a cell and a line at
	// a time, each a write call of its own to a file (a million-part BOM's
	// 680,000 lines took 4.8 s).
	out := bufio.NewWriterSize(a.Stdout, 64<<10)
	fmt.Fprintf(out, "%d parts, %d edges; %s reading; rule %s is %s on %s\n", g.Len(), g.Edges(), test.Interpretation, rule, status, d)
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "PRODUCT\tVALUE\tCONTROLLED\tSHARE\tCN SHARE\tVERDICT\t")
	for _, res := range results {
		verdict := "below threshold"
		if res.Over {
			verdict = "OVER threshold"
			if status != rules.InForce && status != rules.Uncertain {
				verdict += " (rule " + status + ")"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.4f%%\t%.2f%%\t%s\t\n", res.Product, rarex.FormatNumber(res.Value), rarex.FormatNumber(res.ControlledValue), res.Share*100, res.CNShare*100, verdict)
	}
	tw.Flush()
	for _, res := range results {
		for i, p := range res.Paths {
			fmt.Fprintf(out, "  %s #%d: %s  (%s units, value %s)\n", res.Product, i+1, strings.Join(p.Parts, " → "), rarex.FormatNumber(p.Quantity), rarex.FormatNumber(p.Value))
		}
	}
	return out.Flush()
}

// contentTest loads the regime and its content test under an interpretation.
func contentTest(dir, interp string) (*rules.Regime, *rules.ContentTest, error) {
	reg, err := loadRegime(dir)
	if err != nil {
		return nil, nil, err
	}
	test, err := reg.ContentTest(interp)
	if err != nil {
		return nil, nil, fmt.Errorf("--interpretation: %s", rarex.ErrorMessage(err))
	}
	return reg, test, nil
}

// loadBOM reads and compiles a BOM from its two CSV files, showing
// progress on a terminal.
func (a *App) loadBOM(reg *rules.Regime, partsFile, edgesFile string) (*bom.Graph, error) {
	pf, err := os.Open(partsFile)
	if err != nil {
		return nil, err
	}
	defer pf.Close()
	ef, err := os.Open(edgesFile)
	if err != nil {
		return nil, err
	}
	defer ef.Close()
	g, err := bom.ReadGraph(withProgress(pf, a.Stderr, partsFile), partsFile, withProgress(ef, a.Stderr, edgesFile), edgesFile, reg)
	if err != nil {
		var ce *bom.CycleError
		if errors.As(err, &ce) {
			return nil, fmt.Errorf("%s: %w", edgesFile, err)
		}
		return nil, err
	}
	return g, nil
}

func (a *App) bomGen(args []string) error {
	fs := flag.NewFlagSet("rarex bom gen", flag.ContinueOnError)
	fs.SetOutput(a.Stderr)
	var c bom.GenConfig
	fs.IntVar(&c.Parts, "parts", 10000, "number of parts")
	fs.IntVar(&c.Depth, "depth", 5, "assembly levels")
	fs.IntVar(&c.Fanout, "fanout", 4, "children per assembly")
	fs.Uint64Var(&c.Seed, "seed", 1, "random seed (same seed, same BOM)")
	out := fs.String("out", "", "output directory (created if missing)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("bom gen: --out is required")
	}
	if c.Parts > 50_000_000 {
		return fmt.Errorf("bom gen: --parts above 50,000,000 is not supported")
	}
	parts, edges, err := bom.Generate(c)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	for name, write := range map[string]func(f *os.File) error{
		"parts.csv": func(f *os.File) error { return bom.WriteParts(f, parts) },
		"edges.csv": func(f *os.File) error { return bom.WriteEdges(f, edges) },
	} {
		f, err := os.Create(filepath.Join(*out, name))
		if err != nil {
			return err
		}
		if err := write(f); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	fmt.Fprintf(a.Stdout, "wrote %d parts and %d edges to %s\n", len(parts), len(edges), *out)
	return nil
}

func (a *App) bomWhatIf(args []string) error {
	fs := flag.NewFlagSet("rarex bom whatif", flag.ContinueOnError)
	fs.SetOutput(a.Stderr)
	partsFile := fs.String("parts", "", "parts.csv")
	edgesFile := fs.String("edges", "", "edges.csv")
	altFile := fs.String("alternatives", "", "alternatives.csv: part_id,origin,unit_value,supplier")
	product := fs.String("product", "", "the product to bring under the target")
	target := fs.String("target", "", "the share to get below, e.g. 0.001 (default: the interpretation's threshold)")
	interp := fs.String("interpretation", "", "official (default), broad-elements or as-reported")
	dir := fs.String("rules", a.Getenv("RAREX_RULES"), "directory of regime YAML files")
	asJSON := fs.Bool("json", false, "print JSON")
	asCSV := fs.Bool("csv", false, "print the substitutions as CSV (for a buyer)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *partsFile == "" || *edgesFile == "" || *altFile == "" || *product == "" {
		return fmt.Errorf("bom whatif: --parts, --edges, --alternatives and --product are required")
	}
	reg, test, err := contentTest(*dir, *interp)
	if err != nil {
		return err
	}
	ratio := test.Ratio
	if *target != "" {
		r, ok := new(big.Rat).SetString(*target)
		if !ok || r.Sign() <= 0 || r.Cmp(big.NewRat(1, 1)) > 0 || strings.Contains(*target, "/") {
			return fmt.Errorf("--target: %q is not a share between 0 and 1, e.g. 0.001", *target)
		}
		ratio = r
	}
	g, err := a.loadBOM(reg, *partsFile, *edgesFile)
	if err != nil {
		return err
	}
	p, ok := g.Index(*product)
	if !ok {
		return fmt.Errorf("--product: %q is not a part in %s", *product, *partsFile)
	}
	f, err := os.Open(*altFile)
	if err != nil {
		return err
	}
	defer f.Close()
	alts, err := bom.ReadAlternatives(f, *altFile)
	if err != nil {
		return err
	}
	controlled, th := assess.Classifier(test)
	r := bom.Roll(g, controlled, th)
	plan, err := r.WhatIf(p, alts, ratio, controlled)
	if err != nil {
		return fmt.Errorf("%s: %w", *altFile, err)
	}
	switch {
	case *asJSON:
		return a.printJSON(plan)
	case *asCSV:
		w := csv.NewWriter(a.Stdout)
		w.Write([]string{"product", "part_id", "supplier", "origin", "unit_value", "units_per_product", "cost_delta"})
		for _, s := range plan.Substitutions {
			w.Write([]string{plan.Product, s.PartID, s.Supplier, s.Origin, s.UnitValue, rarex.FormatNumber(s.Units), rarex.FormatNumber(s.CostDelta)})
		}
		w.Flush()
		return w.Error()
	}
	fmt.Fprintf(a.Stdout, "%s: controlled share %.4f%%, target below %.4f%%, %d parts with alternatives\n", plan.Product, plan.ShareBefore*100, plan.Target*100, plan.Candidates)
	if !plan.Feasible {
		fmt.Fprintln(a.Stdout, "No combination of the alternatives gets the product below the target.")
		return nil
	}
	for _, s := range plan.Substitutions {
		fmt.Fprintf(a.Stdout, "  switch %s to %s (%s) at %s: %s units per product, cost %+g\n", s.PartID, s.Supplier, s.Origin, s.UnitValue, rarex.FormatNumber(s.Units), math.Round(s.CostDelta*1e6)/1e6)
	}
	how := "the cheapest plan (exhaustive search)"
	if !plan.Exact {
		how = fmt.Sprintf("a heuristic plan; no plan costs less than %s", rarex.FormatNumber(plan.LowerBound))
	}
	fmt.Fprintf(a.Stdout, "New share %.4f%%; cost %+g per product (%+.3f%%): %s\n", plan.ShareAfter*100, math.Round(plan.CostDelta*1e6)/1e6, plan.CostPercent, how)
	return nil
}

// bomUpload stores a BOM for an exporter's organisation, as that exporter.
func (a *App) bomUpload(ctx context.Context, args []string) error {
	var email, name, partsFile, edgesFile string
	var asJSON bool
	cfg, fs, err := a.config("bom upload", args, func(c *Config, fs *flag.FlagSet) {
		c.bindStoreFlags(fs)
		fs.StringVar(&email, "email", "", "the exporter user the BOM is uploaded as")
		fs.StringVar(&name, "name", "", "the BOM's name")
		fs.StringVar(&partsFile, "parts", "", "parts.csv")
		fs.StringVar(&edgesFile, "edges", "", "edges.csv")
		fs.StringVar(&c.RulesDir, "rules", c.RulesDir, "directory of regime YAML files")
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	})
	if err != nil {
		return err
	}
	if err := required(fs, "email", "name", "parts", "edges"); err != nil {
		return err
	}
	reg, err := loadRegime(cfg.RulesDir)
	if err != nil {
		return err
	}
	pf, err := os.Open(partsFile)
	if err != nil {
		return err
	}
	defer pf.Close()
	ef, err := os.Open(edgesFile)
	if err != nil {
		return err
	}
	defer ef.Close()
	return a.withStore(ctx, cfg, func(store rarex.Store) error {
		svc := accounts.New(store, rarex.SystemClock{}, rarex.RandomIDs{})
		u, err := svc.FindUserByEmail(ctx, accounts.Operator, email)
		if err != nil {
			return cliError(err)
		}
		bs := &boms.Service{Store: store, Regime: reg, Clock: rarex.SystemClock{}, IDs: rarex.RandomIDs{}}
		b, err := bs.Upload(ctx, u, name, withProgress(pf, a.Stderr, partsFile), partsFile, withProgress(ef, a.Stderr, edgesFile), edgesFile)
		if err != nil {
			return cliError(err)
		}
		if asJSON {
			return a.printJSON(b)
		}
		fmt.Fprintf(a.Stdout, "Stored BOM %q for %s: %d parts, %d edges, id %s\n", b.Name, u.Email, b.Parts, b.Edges, b.ID)
		return nil
	})
}
