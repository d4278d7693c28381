package monitor

import (
	"bytes"
	_ "embed"
	"fmt"
	"sort"
	"sync"

	"go.yaml.in/yaml/v3"

	"rarex"
)

//go:embed data/regions.yaml
var regionsYAML []byte

// Regions maps ISO country codes to UN M49 regions.
type Regions struct {
	Source string              `yaml:"source"`
	Of     map[string][]string `yaml:"regions"`
	byCode map[string]string
}

// ShippedRegions returns the embedded M49 table, read once; every ISO code
// rarex accepts has exactly one region.
var ShippedRegions = sync.OnceValues(loadRegions)

func loadRegions() (*Regions, error) {
	var r Regions
	dec := yaml.NewDecoder(bytes.NewReader(regionsYAML))
	dec.KnownFields(true)
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("monitor/data/regions.yaml: %v", err)
	}
	r.byCode = map[string]string{}
	for region, codes := range r.Of {
		for _, c := range codes {
			if !rarex.IsCountry(c) {
				return nil, fmt.Errorf("monitor/data/regions.yaml: regions.%s: %q is not a country code", region, c)
			}
			if prev, dup := r.byCode[c]; dup {
				return nil, fmt.Errorf("monitor/data/regions.yaml: %s is in both %s and %s", c, prev, region)
			}
			r.byCode[c] = region
		}
	}
	return &r, nil
}

// Region returns c's region ("Unknown" for a code not in the table).
func (r *Regions) Region(c string) string {
	if reg, ok := r.byCode[c]; ok {
		return reg
	}
	return "Unknown"
}

// LicenceRecord is one decided application, stripped of everything that
// names or prices a company: the month decided, the outcome, the track,
// the working days taken, the item class and the destination region; for
// approvals, the licensed quantity and value.
type LicenceRecord struct {
	Month    string // YYYY-MM of the decision
	Outcome  string // approved, denied, withdrawn, not_required
	Green    bool
	Days     int // working days from clock start to decision; -1 when the clock never started
	Class    string
	Region   string
	Unit     string
	Quantity rarex.Quantity
	Currency string
	Value    rarex.Money
}

// Outcomes counted by the statistics.
var Outcomes = []string{"approved", "denied", "withdrawn", "not_required"}

// MonthStats is one month's decisions. A nil field is suppressed: fewer
// than K applications stand behind it (or it would reveal one that is).
type MonthStats struct {
	Month          string          `json:"month"`
	Decided        *int            `json:"decided"`
	Outcomes       map[string]*int `json:"outcomes"`
	ApprovalRate   *float64        `json:"approval_rate"` // approved / (approved + denied)
	MedianDays     *float64        `json:"median_working_days"`
	P90Days        *float64        `json:"p90_working_days"`
	Green          *int            `json:"green"`
	GreenShare     *float64        `json:"green_share"`
	GreenMedian    *float64        `json:"green_median_working_days"`
	StandardMedian *float64        `json:"standard_median_working_days"`
}

// LicensedCell is what was licensed in a month for an item class and a
// destination region, in one unit and one currency.
type LicensedCell struct {
	Month    string  `json:"month"` // YYYY-MM, or "all" for the whole period
	Class    string  `json:"class"`
	Region   string  `json:"region"`
	Unit     string  `json:"unit"`
	Currency string  `json:"currency"`
	Licences *int    `json:"licences"`
	Quantity *string `json:"quantity"`
	Value    *string `json:"value"`
}

// LicenceStats are the licence office's published statistics.
type LicenceStats struct {
	K        int            `json:"k"` // smallest count shown; 1 means nothing is suppressed
	Method   string         `json:"method"`
	Months   []MonthStats   `json:"months"`
	Licensed []LicensedCell `json:"licensed"`
	Open     *int           `json:"open"` // applications awaiting a decision now
}

// ComputeLicenceStats aggregates records by month, suppressing every
// figure that fewer than k applications stand behind (k ≤ 1: none).
// Percentiles are nearest-rank.
func ComputeLicenceStats(recs []LicenceRecord, open, k int) *LicenceStats {
	if k < 1 {
		k = 1
	}
	st := &LicenceStats{K: k, Method: fmt.Sprintf("Counts, shares and percentiles resting on fewer than %d applications are withheld; when one outcome of a month is withheld, the next smallest is too, so the total does not give it away. Percentiles are nearest-rank over working days from the complete application to the decision.", k)}
	st.Open = count(open, k)
	byMonth := map[string][]LicenceRecord{}
	for _, r := range recs {
		byMonth[r.Month] = append(byMonth[r.Month], r)
	}
	months := make([]string, 0, len(byMonth))
	for m := range byMonth {
		months = append(months, m)
	}
	sort.Strings(months)
	for _, m := range months {
		rs := byMonth[m]
		ms := MonthStats{Month: m, Outcomes: map[string]*int{}}
		n := map[string]int{}
		var days, green, standard []int
		greenN := 0
		for _, r := range rs {
			n[r.Outcome]++
			if r.Green {
				greenN++
			}
			if r.Days >= 0 && (r.Outcome == "approved" || r.Outcome == "denied") {
				days = append(days, r.Days)
				if r.Green {
					green = append(green, r.Days)
				} else {
					standard = append(standard, r.Days)
				}
			}
		}
		ms.Decided = count(len(rs), k)
		for _, o := range Outcomes {
			ms.Outcomes[o] = count(n[o], k)
		}
		secondary(ms.Outcomes, n, &ms.Decided)
		if ad := n["approved"] + n["denied"]; ad >= k && ad > 0 {
			rate := float64(n["approved"]) / float64(ad)
			ms.ApprovalRate = &rate
		}
		ms.MedianDays, ms.P90Days = percentile(days, 50, k), percentile(days, 90, k)
		ms.Green = count(greenN, k)
		if len(rs) >= k && greenN >= k {
			share := float64(greenN) / float64(len(rs))
			ms.GreenShare = &share
		} else if greenN == 0 && len(rs) >= k {
			zero := 0.0
			ms.GreenShare = &zero
		}
		ms.GreenMedian, ms.StandardMedian = percentile(green, 50, k), percentile(standard, 50, k)
		st.Months = append(st.Months, ms)
	}
	// Licensed amounts per month, and over the whole period (month "all"),
	// where cells are large enough to be shown when months are not.
	type key struct{ month, class, region, unit, currency string }
	cells := map[key][]LicenceRecord{}
	for _, r := range recs {
		if r.Outcome == "approved" {
			for _, m := range []string{r.Month, "all"} {
				kk := key{m, r.Class, r.Region, r.Unit, r.Currency}
				cells[kk] = append(cells[kk], r)
			}
		}
	}
	keys := make([]key, 0, len(cells))
	for kk := range cells {
		keys = append(keys, kk)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		return a.month+a.class+a.region+a.unit+a.currency < b.month+b.class+b.region+b.unit+b.currency
	})
	for _, kk := range keys {
		rs := cells[kk]
		c := LicensedCell{Month: kk.month, Class: kk.class, Region: kk.region, Unit: kk.unit, Currency: kk.currency, Licences: count(len(rs), k)}
		if len(rs) >= k {
			var q rarex.Quantity
			var v rarex.Money
			for _, r := range rs {
				q += r.Quantity
				v += r.Value
			}
			qs, vs := q.String(), v.String()
			c.Quantity, c.Value = &qs, &vs
		}
		st.Licensed = append(st.Licensed, c)
	}
	return st
}

// count shows n unless it is a small non-zero count.
func count(n, k int) *int {
	if n > 0 && n < k {
		return nil
	}
	return &n
}

// secondary withholds a second outcome when exactly one is withheld and
// the month's total is shown: otherwise subtraction would reveal it.
func secondary(shown map[string]*int, n map[string]int, total **int) {
	var hidden []string
	for _, o := range Outcomes {
		if shown[o] == nil {
			hidden = append(hidden, o)
		}
	}
	if len(hidden) != 1 || *total == nil {
		return
	}
	next := ""
	for _, o := range Outcomes {
		if shown[o] != nil && n[o] > 0 && (next == "" || n[o] < n[next]) {
			next = o
		}
	}
	if next == "" {
		*total = nil // the others are zero: the total is the withheld count
		return
	}
	shown[next] = nil
}

// percentile is the nearest-rank p-th percentile, withheld under k values.
func percentile(xs []int, p, k int) *float64 {
	if len(xs) == 0 || len(xs) < k {
		return nil
	}
	s := append([]int(nil), xs...)
	sort.Ints(s)
	rank := (p*len(s) + 99) / 100 // ceil(p/100 · n)
	if rank < 1 {
		rank = 1
	}
	v := float64(s[rank-1])
	return &v
}
