package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"rarex"
	"rarex/monitor"
	"rarex/rules"
)

// monitorCmd prints the supply-stability indicators.
func (a *App) monitorCmd(ctx context.Context, args []string) error {
	var dir, date string
	var asJSON bool
	cfg, _, err := a.config("monitor", args, func(c *Config, fs *flag.FlagSet) {
		c.bindStoreFlags(fs)
		fs.StringVar(&dir, "rules", a.Getenv("RAREX_RULES"), "directory of regime YAML files (for the measures log)")
		fs.StringVar(&date, "date", "", "as of this date (default: today in China)")
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	})
	if err != nil {
		return err
	}
	reg, err := loadRegime(dir)
	if err != nil {
		return err
	}
	d, err := a.dateOrToday(date)
	if err != nil {
		return err
	}
	facts, err := monitor.Shipped()
	if err != nil {
		return err
	}
	in := facts.Compute(reg, d)
	if in.LicenceStats, err = a.licenceStats(ctx, &cfg, reg); err != nil {
		return err
	}
	if asJSON {
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
	fmt.Fprintln(tw)
	printLicenceStats(tw, in.LicenceStats, cfg.DB)
	fmt.Fprintf(tw, "\nEU supply risk: %s\n", in.SupplyRiskNote)
	return tw.Flush()
}

// licenceStats reads the licence office's published statistics from the
// configured database; nil when a SQLite database has not been created yet
// (the command does not create one just to find it empty).
func (a *App) licenceStats(ctx context.Context, cfg *Config, reg *rules.Regime) (*monitor.LicenceStats, error) {
	kind, path, err := splitDSN(cfg.DB)
	if err != nil {
		return nil, err
	}
	if kind == "sqlite" {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
	}
	store, err := openStore(ctx, *cfg)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	off, err := newOffice(cfg, store, reg, nil, nil, rarex.SystemClock{})
	if err != nil {
		return nil, err
	}
	return off.PublishedStatistics(ctx)
}

// printLicenceStats prints the month table; "-" is a withheld figure.
func printLicenceStats(tw io.Writer, st *monitor.LicenceStats, db string) {
	if st == nil {
		fmt.Fprintf(tw, "Licence statistics: no licence office database at %s\n", db)
		return
	}
	n := func(p *int) string {
		if p == nil {
			return "-"
		}
		return strconv.Itoa(*p)
	}
	f := func(p *float64, format string) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprintf(format, *p)
	}
	pct := func(p *float64) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprintf("%.0f%%", *p*100)
	}
	fmt.Fprintf(tw, "LICENCES\tDECIDED\tAPPROVED\tDENIED\tWITHDRAWN\tAPPROVAL\tMEDIAN DAYS\tP90 DAYS\tGREEN\n")
	for _, m := range st.Months {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", m.Month, n(m.Decided), n(m.Outcomes["approved"]), n(m.Outcomes["denied"]), n(m.Outcomes["withdrawn"]),
			pct(m.ApprovalRate), f(m.MedianDays, "%.0f"), f(m.P90Days, "%.0f"), n(m.Green))
	}
	fmt.Fprintf(tw, "awaiting a decision\t%s\n%s\n", n(st.Open), st.Method)
}
