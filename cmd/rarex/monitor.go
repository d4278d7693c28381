package main

import (
	"context"
	"flag"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"

	"rarex/monitor"
)

// monitorCmd prints the supply-stability indicators.
func (a *App) monitorCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("rarex monitor", flag.ContinueOnError)
	fs.SetOutput(a.Stderr)
	dir := fs.String("rules", a.Getenv("RAREX_RULES"), "directory of regime YAML files (for the measures log)")
	date := fs.String("date", "", "as of this date (default: today in China)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	reg, err := loadRegime(*dir)
	if err != nil {
		return err
	}
	d, err := a.dateOrToday(*date)
	if err != nil {
		return err
	}
	facts, err := monitor.Shipped()
	if err != nil {
		return err
	}
	in := facts.Compute(reg, d)
	if *asJSON {
		return a.printJSON(in)
	}
	tw := tabwriter.NewWriter(a.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CONCENTRATION\tYEAR\tHHI\tTOP-1\tTOP-3\tBANDS\tSOURCE")
	var notes []string
	for _, c := range in.Concentration {
		year := fmt.Sprint(c.Year)
		if c.Scenario != "" {
			year += " (" + c.Scenario + ")"
		}
		if c.Missing != "" {
			fmt.Fprintf(tw, "%s\t%s\tmissing*\t\t\t\t%s\n", c.Stage, year, c.Edition)
			notes = append(notes, fmt.Sprintf("* %s %s: %s", c.Stage, year, c.Missing))
			continue
		}
		var bands []string
		for e, b := range c.Bands {
			bands = append(bands, e+" "+b)
		}
		sort.Strings(bands)
		fmt.Fprintf(tw, "%s\t%s\t%.0f\t%s %.1f%%\t%.1f%%\t%s\t%s\n", c.Stage, year, c.HHI, c.Top1Of, c.Top1, c.Top3, strings.Join(bands, "; "), c.Edition)
	}
	for _, n := range notes {
		fmt.Fprintln(tw, n)
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "ONE-COUNTRY SHARE\tYEAR\tCOUNTRY\tSHARE\tEU 2030 CEILING\t")
	for _, c := range in.SingleCountry {
		verdict := "within"
		if c.Over {
			verdict = "over"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%.1f%%\t%.0f%% (%s)\t\n", c.Stage, c.Year, c.Country, c.Share, c.Ceiling, verdict)
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "MEASURE\tHS\tTYPE\tFROM\tTO\tSTATUS")
	for _, m := range in.Measures {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", m.Instrument, strings.Join(m.HSCodes, " "), m.Type, m.From, m.To, m.Status)
	}
	fmt.Fprintf(tw, "\nLicence statistics: from the licence office's database, on the dashboard and GET /api/v1/indicators of rarex serve\nEU supply risk: %s\n", in.SupplyRiskNote)
	return tw.Flush()
}
