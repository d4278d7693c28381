package web

import (
	"encoding/csv"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"rarex"
	"rarex/monitor"
	"rarex/rules"
)

// apiIndicators serves the supply-stability indicators: public facts and
// aggregates only, so every signed-in role may read them.
func (s *Server) apiIndicators(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	if err := rarex.Authorize(actor, rarex.ActViewIndicators, actor.OrgID); err != nil {
		return err
	}
	_, in, err := s.indicators(r, actor)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, in)
	return nil
}

// chart is one dashboard chart's data: what is drawn (X labels and
// series) and the same as a table, for the table view and downloads.
type chart struct {
	ID      string        `json:"chart"`
	Kind    string        `json:"kind"` // bars or lines
	Unit    string        `json:"unit"`
	Source  string        `json:"source"`
	Labels  []string      `json:"labels"`
	Series  []chartSeries `json:"series"`
	Columns []string      `json:"columns"`
	Rows    [][]string    `json:"rows"`
}

type chartSeries struct {
	Label  string     `json:"label"`
	Values []*float64 `json:"values"` // null where missing
}

func fptr(v float64) *float64 { return &v }

// charts builds the dashboard's charts from the indicators.
func charts(f *monitor.Facts, in *monitor.Indicators) []chart {
	conc := chart{ID: "concentration", Kind: "bars", Unit: "HHI (0–10,000)", Source: "USGS MCS 2025; IEA Global Critical Minerals Outlook 2024; IEA 2025",
		Columns: []string{"stage", "year", "scenario", "hhi", "top1_country", "top1_share", "top3_share", "band_2010", "band_2023", "edition", "source"}}
	hhi := chartSeries{Label: "HHI"}
	for _, c := range in.Concentration {
		label := c.Stage + " " + strconv.Itoa(c.Year)
		if c.Scenario != "" {
			label += " (" + c.Scenario + ")"
		}
		conc.Labels = append(conc.Labels, label)
		if c.Missing != "" {
			hhi.Values = append(hhi.Values, nil)
			conc.Rows = append(conc.Rows, []string{c.Stage, strconv.Itoa(c.Year), c.Scenario, "missing: " + c.Missing, "", "", "", "", "", c.Edition, c.Source})
			continue
		}
		hhi.Values = append(hhi.Values, fptr(c.HHI))
		conc.Rows = append(conc.Rows, []string{c.Stage, strconv.Itoa(c.Year), c.Scenario, rarex.FormatNumber(c.HHI), c.Top1Of, rarex.FormatNumber(c.Top1), rarex.FormatNumber(c.Top3),
			c.Bands["DOJ/FTC 2010"], c.Bands["DOJ/FTC 2023"], c.Edition, c.Source})
	}
	conc.Series = []chartSeries{hhi}

	prices := chart{ID: "prices", Kind: "lines", Unit: f.Prices.Unit, Source: f.Prices.Edition + " (" + f.Prices.Source + ")", Columns: []string{"year"}}
	var oxides []string
	years := map[int]bool{}
	for ox, ser := range f.Prices.Series {
		oxides = append(oxides, ox)
		for y := range ser {
			years[y] = true
		}
	}
	sort.Strings(oxides)
	var ys []int
	for y := range years {
		ys = append(ys, y)
	}
	sort.Ints(ys)
	prices.Columns = append(prices.Columns, oxides...)
	for _, y := range ys {
		prices.Labels = append(prices.Labels, strconv.Itoa(y))
		row := []string{strconv.Itoa(y)}
		for _, ox := range oxides {
			if v, ok := f.Prices.Series[ox][y]; ok {
				row = append(row, rarex.FormatNumber(v))
			} else {
				row = append(row, "")
			}
		}
		prices.Rows = append(prices.Rows, row)
	}
	for _, ox := range oxides {
		s := chartSeries{Label: ox}
		for _, y := range ys {
			if v, ok := f.Prices.Series[ox][y]; ok {
				s.Values = append(s.Values, fptr(v))
			} else {
				s.Values = append(s.Values, nil)
			}
		}
		prices.Series = append(prices.Series, s)
	}

	demand := chart{ID: "demand", Kind: "bars", Unit: f.Demand.Unit, Source: "IEA Global Critical Minerals Outlook 2024 (via the pages named per value)",
		Columns: []string{"point", "value", "missing", "edition", "source"}}
	ds := chartSeries{Label: "kt"}
	for _, p := range f.Demand.Points {
		demand.Labels = append(demand.Labels, p.Label)
		if p.Missing {
			ds.Values = append(ds.Values, nil)
			demand.Rows = append(demand.Rows, []string{p.Label, "", "missing: " + p.Note, p.Edition, p.Source})
			continue
		}
		ds.Values = append(ds.Values, fptr(p.Value))
		demand.Rows = append(demand.Rows, []string{p.Label, rarex.FormatNumber(p.Value), "", p.Edition, p.Source})
	}
	demand.Series = []chartSeries{ds}

	measures := chart{ID: "measures", Kind: "table", Source: "the regime data (rules/data), with each instrument's sources",
		Columns: []string{"country", "instrument", "hs_codes", "measure_type", "from", "to", "status", "sources"}}
	for _, m := range in.Measures {
		measures.Rows = append(measures.Rows, []string{m.Country, m.Instrument, strings.Join(m.HSCodes, " "), m.Type, m.From, m.To, m.Status, strings.Join(m.Sources, " ")})
	}
	return append([]chart{conc, prices, demand}, append(licenceCharts(in.LicenceStats), measures)...)
}

// withheld is how a suppressed figure reads in tables and downloads.
const withheld = "<k"

func intCell(p *int) string {
	if p == nil {
		return withheld
	}
	return strconv.Itoa(*p)
}

func floatCell(p *float64) string {
	if p == nil {
		return withheld
	}
	return rarex.FormatNumber(*p)
}

func strCell(p *string) string {
	if p == nil {
		return withheld
	}
	return *p
}

func intPtr(p *int) *float64 {
	if p == nil {
		return nil
	}
	return fptr(float64(*p))
}

// licenceCharts draws the licence office's monthly decisions, its decision
// times (green against standard) and what was licensed.
func licenceCharts(st *monitor.LicenceStats) []chart {
	if st == nil {
		return nil
	}
	source := "the licence office's decisions (" + st.Method + ")"
	decisions := chart{ID: "licences", Kind: "bars", Unit: "applications decided per month", Source: source,
		Columns: []string{"month", "decided", "approved", "denied", "withdrawn", "not_required", "approval_rate", "green", "green_share"}}
	times := chart{ID: "licence_times", Kind: "lines", Unit: "working days from complete application to decision", Source: source,
		Columns: []string{"month", "median", "p90", "green_median", "standard_median"}}
	series := map[string]*chartSeries{}
	for _, o := range monitor.Outcomes {
		series[o] = &chartSeries{Label: o}
	}
	med, p90, gm, sm := chartSeries{Label: "median"}, chartSeries{Label: "p90"}, chartSeries{Label: "green median"}, chartSeries{Label: "standard median"}
	for _, m := range st.Months {
		decisions.Labels = append(decisions.Labels, m.Month)
		times.Labels = append(times.Labels, m.Month)
		for _, o := range monitor.Outcomes {
			series[o].Values = append(series[o].Values, intPtr(m.Outcomes[o]))
		}
		decisions.Rows = append(decisions.Rows, []string{m.Month, intCell(m.Decided), intCell(m.Outcomes["approved"]), intCell(m.Outcomes["denied"]),
			intCell(m.Outcomes["withdrawn"]), intCell(m.Outcomes["not_required"]), floatCell(m.ApprovalRate), intCell(m.Green), floatCell(m.GreenShare)})
		med.Values, p90.Values = append(med.Values, m.MedianDays), append(p90.Values, m.P90Days)
		gm.Values, sm.Values = append(gm.Values, m.GreenMedian), append(sm.Values, m.StandardMedian)
		times.Rows = append(times.Rows, []string{m.Month, floatCell(m.MedianDays), floatCell(m.P90Days), floatCell(m.GreenMedian), floatCell(m.StandardMedian)})
	}
	for _, o := range monitor.Outcomes {
		decisions.Series = append(decisions.Series, *series[o])
	}
	times.Series = []chartSeries{med, p90, gm, sm}
	licensed := chart{ID: "licensed", Kind: "table", Source: source,
		Columns: []string{"month", "item_class", "destination_region", "licences", "quantity", "unit", "value", "currency"}}
	for _, c := range st.Licensed {
		licensed.Rows = append(licensed.Rows, []string{c.Month, c.Class, c.Region, intCell(c.Licences), strCell(c.Quantity), c.Unit, strCell(c.Value), c.Currency})
	}
	return []chart{decisions, times, licensed}
}

// indicators computes the indicators on the request's date (?date=), with
// the licence statistics the actor may see.
func (s *Server) indicators(r *http.Request, actor *rarex.User) (*monitor.Facts, *monitor.Indicators, error) {
	d := rules.Today(s.Accounts.Clock.Now())
	if v := r.URL.Query().Get("date"); v != "" {
		var err error
		if d, err = rules.ParseDate(v); err != nil {
			return nil, nil, rarex.Errorf(rarex.EINVALID, "date: %v", err)
		}
	}
	facts, err := monitor.Shipped()
	if err != nil {
		return nil, nil, err
	}
	in := facts.Compute(s.Regime, d)
	if in.LicenceStats, err = s.Office.Statistics(r.Context(), actor); err != nil {
		return nil, nil, err
	}
	return facts, in, nil
}

// handleMonitorData serves one chart's data as CSV (?format=csv) or JSON.
func (s *Server) handleMonitorData(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	if err := rarex.Authorize(actor, rarex.ActViewIndicators, actor.OrgID); err != nil {
		return err
	}
	facts, in, err := s.indicators(r, actor)
	if err != nil {
		return err
	}
	for _, c := range charts(facts, in) {
		if c.ID != r.PathValue("chart") {
			continue
		}
		if r.URL.Query().Get("format") == "csv" {
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			w.Header().Set("Content-Disposition", `attachment; filename="`+c.ID+`.csv"`)
			cw := csv.NewWriter(w)
			cw.Write(c.Columns)
			cw.WriteAll(c.Rows)
			return cw.Error()
		}
		writeJSON(w, http.StatusOK, c)
		return nil
	}
	return rarex.Errorf(rarex.ENOTFOUND, "Chart %q not found.", r.PathValue("chart"))
}

type monitorData struct {
	Date   string
	Charts []chart
	In     *monitor.Indicators
	// The public log: its origin, verifier key and current size.
	LogOrigin, LogVKey string
	LogSize            uint64
}

// handleMonitorPage is the overseer's dashboard: every chart with its
// caption, a table view (which works without JavaScript) and downloads.
func (s *Server) handleMonitorPage(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	if err := rarex.Authorize(actor, rarex.ActViewIndicators, actor.OrgID); err != nil {
		return err
	}
	facts, in, err := s.indicators(r, actor)
	if err != nil {
		return err
	}
	p := s.newPage(r, actor, "monitor.title")
	d := monitorData{Date: in.Date, Charts: charts(facts, in), In: in}
	if s.PublicLog != nil {
		d.LogOrigin, d.LogVKey = s.PublicLog.Origin, s.PublicLog.Key.VKey
		d.LogSize, _, _ = s.PublicLog.Size(r.Context())
	}
	p.Data = d
	s.render(w, r, http.StatusOK, "monitor", p)
	return nil
}
