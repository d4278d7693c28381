package monitor

import (
	"slices"
	"sort"

	"rarex/rules"
)

// Indicators are what the monitor publishes: every figure with its source.
type Indicators struct {
	Date           string          `json:"date"`
	Concentration  []Concentration `json:"concentration"`
	SingleCountry  []CeilingCheck  `json:"single_country_ceiling"`
	Reserves       any             `json:"reserves"`
	Prices         any             `json:"prices"`
	Demand         any             `json:"demand"`
	Trade          []TradeFlow     `json:"trade"`
	Benchmarks     any             `json:"benchmarks"`
	HHIBands       []Bands         `json:"hhi_bands"`
	Measures       []Measure       `json:"measures"`
	LicenceStats   *LicenceStats   `json:"licence_statistics"`
	SupplyRiskNote string          `json:"supply_risk"`
}

// CeilingCheck compares a stage's largest single-country share with the
// EU CRM Act ceiling (at most 65% from one third country by 2030).
type CeilingCheck struct {
	Stage   string  `json:"stage"`
	Year    int     `json:"year"`
	Country string  `json:"country"`
	Share   float64 `json:"share"`
	Ceiling float64 `json:"ceiling"`
	Over    bool    `json:"over"`
}

// Measure is one row of the measures log in the OECD inventory layout: a
// country's measure on HS lines, of a type, in force over dates.
type Measure struct {
	Country    string   `json:"country"`
	Instrument string   `json:"instrument"`
	Title      string   `json:"title"`
	HSCodes    []string `json:"hs_codes"`
	Type       string   `json:"measure_type"` // export licensing, suspension
	From       string   `json:"from"`
	To         string   `json:"to,omitempty"`
	Status     string   `json:"status"` // in_force, suspended, uncertain, ...
	Sources    []string `json:"sources"`
}

// Compute gathers the indicators from the facts and the regime on date d;
// the caller adds the licence statistics, which come from the store.
func (f *Facts) Compute(reg *rules.Regime, d rules.Date) *Indicators {
	in := &Indicators{Date: d.String(), Concentration: f.Concentrations(), Reserves: f.Reserves, Prices: f.Prices, Demand: f.Demand,
		Trade: f.Exports, Benchmarks: f.Benchmarks, HHIBands: f.HHIBands, Measures: MeasuresLog(reg),
		SupplyRiskNote: "not computed: the shipped facts hold no governance (WGI) scores, EU sourcing shares, recycling or substitution indices; the formula is in monitor.SupplyRisk"}
	ceiling := 0.0
	for _, b := range f.Benchmarks.Items {
		if b.ID == "single_country" {
			ceiling = b.Value
		}
	}
	for _, c := range in.Concentration {
		if c.Missing != "" || ceiling == 0 || c.Scenario != "" {
			continue
		}
		in.SingleCountry = append(in.SingleCountry, CeilingCheck{Stage: c.Stage, Year: c.Year, Country: c.Top1Of, Share: c.Top1, Ceiling: ceiling, Over: c.Top1 > ceiling})
	}
	return in
}

// MeasuresLog lists the regime's instruments as OECD-inventory rows, one per
// status window, with the HS lines of the item classes their rules cover.
func MeasuresLog(reg *rules.Regime) []Measure {
	classesOf := map[string][]string{}
	outcomes := map[string][]string{}
	for _, ru := range reg.Rules {
		classesOf[ru.Instrument] = append(classesOf[ru.Instrument], ru.When.ItemClass...)
		outcomes[ru.Instrument] = append(outcomes[ru.Instrument], ru.Outcome)
	}
	suspends := map[string]bool{} // instruments that suspend others
	for _, in := range reg.Instruments {
		for _, w := range in.Windows {
			if w.By != "" {
				suspends[w.By] = true
			}
		}
	}
	var out []Measure
	for _, in := range reg.Instruments {
		var hs []string
		for _, l := range reg.HSLines {
			for _, c := range l.Classes {
				if slices.Contains(classesOf[in.ID], c) && !slices.Contains(hs, l.Prefix) {
					hs = append(hs, l.Prefix)
				}
			}
		}
		sort.Strings(hs)
		for _, w := range in.Windows {
			m := Measure{Country: "CN", Instrument: in.Number, Title: in.Title, HSCodes: hs, Type: measureType(outcomes[in.ID]), From: w.From.String(), Status: w.Status, Sources: in.Sources}
			if len(hs) == 0 {
				m.HSCodes = []string{}
			}
			switch {
			case w.By != "":
				m.Type = "suspension of export licensing"
			case suspends[in.ID]:
				m.Type = "suspension of other measures"
			}
			if !w.To.IsZero() {
				m.To = w.To.String()
			}
			out = append(out, m)
		}
	}
	return out
}

// measureType names what an instrument's rules do, in the inventory's terms.
func measureType(outcomes []string) string {
	switch {
	case slices.Contains(outcomes, rules.LicenseRequired):
		return "export licensing"
	case slices.Contains(outcomes, rules.PresumptionOfDenial) || slices.Contains(outcomes, rules.CaseByCase):
		return "restriction on end users or end uses"
	case len(outcomes) == 0:
		return "other (no rule of its own in the regime data)"
	}
	return "other"
}
