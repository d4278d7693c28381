package monitor

import (
	"fmt"
	"testing"

	"rarex"
)

func TestRegionsCoverEveryCountry(t *testing.T) {
	r, err := ShippedRegions()
	if err != nil {
		t.Fatal(err)
	}
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			c := string([]rune{a, b})
			if rarex.IsCountry(c) && r.Region(c) == "Unknown" {
				t.Errorf("%s has no M49 region", c)
			}
		}
	}
	for c, want := range map[string]string{"CN": "Asia", "DE": "Europe", "US": "Americas", "KR": "Asia", "NG": "Africa", "AU": "Oceania", "ZZ": "Unknown"} {
		if got := r.Region(c); got != want {
			t.Errorf("%s: %s, want %s", c, got, want)
		}
	}
}

func ints(p *int) int {
	if p == nil {
		return -1
	}
	return *p
}

func fl(p *float64) float64 {
	if p == nil {
		return -1
	}
	return *p
}

// TestLicenceStats checks a hand-computed month and the suppression rules.
func TestLicenceStats(t *testing.T) {
	var recs []LicenceRecord
	add := func(month, outcome string, green bool, days int) {
		recs = append(recs, LicenceRecord{Month: month, Outcome: outcome, Green: green, Days: days, Class: "magnet_ndfeb", Region: "Asia", Unit: "kg", Quantity: 1000, Currency: "USD", Value: 100_00})
	}
	// 2026-03: 6 approved (4 green: 5, 7, 8, 9 days; 2 standard: 30, 41), 5 denied (standard: 20, 25, 35, 44, 45), 0 withdrawn.
	for _, d := range []int{5, 7, 8, 9} {
		add("2026-03", "approved", true, d)
	}
	for _, d := range []int{30, 41} {
		add("2026-03", "approved", false, d)
	}
	for _, d := range []int{20, 25, 35, 44, 45} {
		add("2026-03", "denied", false, d)
	}
	// 2026-04: 7 approved, 2 withdrawn (a small cell), 1 not required.
	for range 7 {
		add("2026-04", "approved", false, 40)
	}
	add("2026-04", "withdrawn", false, -1)
	add("2026-04", "withdrawn", false, -1)
	add("2026-04", "not_required", false, -1)

	st := ComputeLicenceStats(recs, 3, 5)
	if len(st.Months) != 2 || ints(st.Open) != -1 {
		t.Fatalf("months %d, open %v (3 open is under k)", len(st.Months), st.Open)
	}
	m := st.Months[0]
	// 11 decisions; days sorted 5 7 8 9 20 25 30 35 41 44 45: median rank 6 → 25; p90 rank ceil(9.9)=10 → 44.
	if ints(m.Decided) != 11 || ints(m.Outcomes["approved"]) != 6 || ints(m.Outcomes["denied"]) != 5 || ints(m.Outcomes["withdrawn"]) != 0 ||
		fl(m.MedianDays) != 25 || fl(m.P90Days) != 44 || fl(m.ApprovalRate) != 6.0/11 {
		t.Errorf("March: decided %d approved %d denied %d median %v p90 %v rate %v", ints(m.Decided), ints(m.Outcomes["approved"]), ints(m.Outcomes["denied"]), fl(m.MedianDays), fl(m.P90Days), fl(m.ApprovalRate))
	}
	// Green: 4 (< 5) withheld, so are its share and median; standard median over 7 (20 25 30 35 41 44 45) is 35.
	if m.Green != nil || m.GreenShare != nil || m.GreenMedian != nil || fl(m.StandardMedian) != 35 {
		t.Errorf("March green %v share %v median %v standard %v", m.Green, m.GreenShare, m.GreenMedian, fl(m.StandardMedian))
	}
	a := st.Months[1]
	// Withdrawn 2 is withheld; not_required 1 too; with two withheld the total may stay.
	if a.Outcomes["withdrawn"] != nil || a.Outcomes["not_required"] != nil || ints(a.Outcomes["approved"]) != 7 || ints(a.Decided) != 10 {
		t.Errorf("April: %v %v %v %v", a.Outcomes["withdrawn"], a.Outcomes["not_required"], ints(a.Outcomes["approved"]), ints(a.Decided))
	}
	// Licensed cells: 6 licences in March (shown), 7 in April.
	if len(st.Licensed) != 3 || ints(st.Licensed[0].Licences) != 6 || *st.Licensed[0].Quantity != "6" || *st.Licensed[0].Value != "600" {
		t.Errorf("licensed: %+v", st.Licensed[0])
	}
	if all := st.Licensed[2]; all.Month != "all" || ints(all.Licences) != 13 || *all.Quantity != "13" {
		t.Errorf("licensed over the period: %+v", all)
	}
	// Without suppression (the authority), everything shows.
	all := ComputeLicenceStats(recs, 3, 1)
	if ints(all.Open) != 3 || ints(all.Months[0].Green) != 4 || fl(all.Months[0].GreenMedian) != 7 || ints(all.Months[1].Outcomes["withdrawn"]) != 2 {
		t.Errorf("unsuppressed: %+v", all.Months[0])
	}
}

// TestSecondarySuppression: one withheld outcome takes the next smallest
// with it; if the rest are zero, the total goes.
func TestSecondarySuppression(t *testing.T) {
	var recs []LicenceRecord
	for range 9 {
		recs = append(recs, LicenceRecord{Month: "2026-05", Outcome: "approved", Days: 10})
	}
	for range 6 {
		recs = append(recs, LicenceRecord{Month: "2026-05", Outcome: "denied", Days: 10})
	}
	recs = append(recs, LicenceRecord{Month: "2026-05", Outcome: "withdrawn", Days: -1})
	m := ComputeLicenceStats(recs, 0, 5).Months[0]
	if m.Outcomes["withdrawn"] != nil || m.Outcomes["denied"] != nil || ints(m.Outcomes["approved"]) != 9 || ints(m.Decided) != 16 {
		t.Errorf("withdrawn %v denied %v approved %d total %d", m.Outcomes["withdrawn"], m.Outcomes["denied"], ints(m.Outcomes["approved"]), ints(m.Decided))
	}
	only := []LicenceRecord{{Month: "2026-06", Outcome: "denied", Days: 3}}
	m = ComputeLicenceStats(only, 0, 5).Months[0]
	if m.Decided != nil || m.Outcomes["denied"] != nil || ints(m.Outcomes["approved"]) != 0 {
		t.Errorf("a lone denial: total %v denied %v", m.Decided, m.Outcomes["denied"])
	}
}

// BenchmarkLicenceStats: a year of a busy office, 10,000 decisions.
func BenchmarkLicenceStats(b *testing.B) {
	classes := []string{"metal", "oxide", "magnet_ndfeb", "alloy"}
	regions := []string{"Asia", "Europe", "Americas", "Africa", "Oceania"}
	outcomes := []string{"approved", "approved", "approved", "denied", "withdrawn"}
	recs := make([]LicenceRecord, 10_000)
	for i := range recs {
		recs[i] = LicenceRecord{Month: fmt.Sprintf("2026-%02d", 1+i%12), Outcome: outcomes[i%5], Green: i%3 == 0, Days: i % 45,
			Class: classes[i%4], Region: regions[i%5], Unit: "kg", Quantity: rarex.Quantity(1000 * (i%50 + 1)), Currency: "USD", Value: rarex.Money(100_00 * (i%20 + 1))}
	}
	for b.Loop() {
		ComputeLicenceStats(recs, 50, 5)
	}
}
