package monitor

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"rarex/rules"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// TestWorkedExamples: the HHI figures market-facts.md works out by hand.
func TestWorkedExamples(t *testing.T) {
	f, err := Shipped()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Concentration{}
	for _, c := range f.Concentrations() {
		got[c.Stage+" "+strconv.Itoa(c.Year)+" "+c.Scenario] = c
	}
	mine := got["mining 2024 "]
	// 2024 mine output, world 390 kt: HHI ≈ 5,020 (69.2² + 11.5² + 7.9² + 3 × 3.3² + …).
	if !near(mine.HHI, 5020, 10) || mine.Top1Of != "CN" || !near(mine.Top1, 69.2, 0.1) || !near(mine.Top3, 88.7, 0.2) {
		t.Errorf("mining 2024: %+v", mine)
	}
	if mine.Bands["DOJ/FTC 2010"] != "high" || mine.Bands["DOJ/FTC 2023"] != "high" {
		t.Errorf("bands %v", mine.Bands)
	}
	// 2023 refining (China 92, Malaysia 5, Australia 1): HHI ≈ 8,490.
	if r := got["refining 2023 "]; r.HHI != 8490 || r.Top3 != 98 {
		t.Errorf("refining 2023: %+v", r)
	}
	// 2030 base case: 77² + 12² + 3² = 6,082.
	if r := got["refining 2030 base case"]; r.HHI != 6082 {
		t.Errorf("refining 2030: %+v", r)
	}
	// 2023 mine output has no world total in the source: missing, not guessed.
	if m := got["mining 2023 "]; m.Missing == "" || m.HHI != 0 {
		t.Errorf("mining 2023 should be missing: %+v", m)
	}
}

func TestBands(t *testing.T) {
	b2010 := Bands{Moderate: 1500, High: 2500}
	b2023 := Bands{Moderate: 1000, High: 1800}
	for _, c := range []struct {
		hhi        float64
		w2010, w23 string
	}{{999, "unconcentrated", "unconcentrated"}, {1000, "unconcentrated", "moderate"}, {1500, "moderate", "moderate"}, {1800, "moderate", "moderate"}, {1801, "moderate", "high"}, {2500, "moderate", "high"}, {2501, "high", "high"}} {
		if b2010.Band(c.hhi) != c.w2010 || b2023.Band(c.hhi) != c.w23 {
			t.Errorf("HHI %v: %s/%s, want %s/%s", c.hhi, b2010.Band(c.hhi), b2023.Band(c.hhi), c.w2010, c.w23)
		}
	}
}

// TestSupplyRisk against a hand computation:
// global: CN 0.9 (WGI 6, t 1.5), AU 0.1 (WGI 2, t 1) → 0.81·9 + 0.01·2 = 7.31
// EU sourcing: CN 0.5 (6, 1.5), MY 0.5 (4, 1) → 0.25·9 + 0.25·4 = 3.25
// IR 0.8: 7.31·0.4 + 3.25·0.6 = 4.874; × (1 − 0.1) × 0.9 = 3.94794
func TestSupplyRisk(t *testing.T) {
	in := SupplyRiskInput{
		Global:             []Supplier{{"CN", 0.9, 6, 1.5}, {"AU", 0.1, 2, 1}},
		EUSourcing:         []Supplier{{"CN", 0.5, 6, 1.5}, {"MY", 0.5, 4, 1}},
		ImportReliance:     0.8,
		EndOfLifeRecycling: 0.1,
		Substitution:       0.9,
	}
	sr, err := SupplyRisk(in)
	if err != nil || !near(sr, 3.94794, 1e-9) {
		t.Fatalf("SR = %v, %v", sr, err)
	}
	for _, bad := range []func(*SupplyRiskInput){
		func(i *SupplyRiskInput) { i.ImportReliance = 1.2 },
		func(i *SupplyRiskInput) { i.Global[0].Restriction = 0.5 },
		func(i *SupplyRiskInput) { i.EUSourcing = nil },
		func(i *SupplyRiskInput) { i.Global[1].Governance = 11 },
	} {
		c := in
		c.Global = append([]Supplier(nil), in.Global...)
		bad(&c)
		if _, err := SupplyRisk(c); err == nil {
			t.Errorf("bad input accepted: %+v", c)
		}
	}
	ir, err := ImportReliance(10, 100, 20)
	if err != nil || !near(ir, 80.0/90, 1e-12) {
		t.Fatalf("IR = %v %v", ir, err)
	}
	if ir, _ := ImportReliance(100, 10, 50); ir != 0 {
		t.Fatalf("net exporter IR = %v", ir)
	}
}

// TestGeoPolRisk: HHI 0.5; buys 60 from CN (g 0.7) and 40 from AU (g 0.1),
// no domestic output → 0.5 · (42 + 4) / 100 = 0.23.
func TestGeoPolRisk(t *testing.T) {
	g, err := GeoPolRisk(0.5, map[string]float64{"CN": 60, "AU": 40}, map[string]float64{"CN": 0.7, "AU": 0.1}, 0)
	if err != nil || !near(g, 0.23, 1e-12) {
		t.Fatalf("GPR = %v %v", g, err)
	}
	if _, err := GeoPolRisk(0.5, map[string]float64{"VN": 1}, map[string]float64{}, 0); err == nil || !strings.Contains(err.Error(), "VN") {
		t.Fatalf("missing instability: %v", err)
	}
}

func TestLoadRefusesBadFacts(t *testing.T) {
	for _, c := range []struct{ yaml, want string }{
		{"production:\n  - stage: mining\n    edition: x\n    source: y\n    years:\n      - {year: 2024, world: 10, countries: {CN: 20}}\nhhi_bands: [{edition: e, moderate: 1, high: 2}]\n", "over the world total"},
		{"shares:\n  - {stage: refining, year: 2023, source: s, countries: {CN: 90, MY: 20}}\nhhi_bands: [{edition: e, moderate: 1, high: 2}]\n", "may not exceed 100%"},
		{"colour: red\n", "colour"},
		{"shares: []\n", "hhi_bands"},
	} {
		if _, err := Load([]byte(c.yaml), "f.yaml"); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: err = %v, want %q", c.yaml, err, c.want)
		}
	}
}

func TestCompute(t *testing.T) {
	f, err := Shipped()
	if err != nil {
		t.Fatal(err)
	}
	regs, err := rules.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	d, _ := rules.ParseDate("2026-11-28")
	in := f.Compute(regs[0], d)
	over := map[string]bool{}
	for _, c := range in.SingleCountry {
		over[c.Stage+strconv.Itoa(c.Year)] = c.Over
		if c.Country != "CN" || c.Ceiling != 65 {
			t.Errorf("ceiling check %+v", c)
		}
	}
	if !over["mining2024"] || !over["refining2023"] || !over["magnets2025"] || len(in.SingleCountry) != 4 {
		t.Errorf("single-country checks %+v", in.SingleCountry)
	}
	// The measures log: Ann. 61 has windows in force, suspended and uncertain, on the magnet and metal lines.
	statuses := map[string]bool{}
	for _, m := range in.Measures {
		if strings.Contains(m.Instrument, "61") {
			statuses[m.Status] = true
			if !slices.Contains(m.HSCodes, "8505111000") || m.Country != "CN" || len(m.Sources) == 0 {
				t.Errorf("Ann. 61 row %+v", m)
			}
		}
	}
	if !statuses["in_force"] || !statuses["suspended"] || !statuses["uncertain"] {
		t.Errorf("Ann. 61 windows: %v", statuses)
	}
	for _, m := range in.Measures {
		if strings.Contains(m.Instrument, "No. 70") && m.Type != "suspension of other measures" {
			t.Errorf("Ann. 70 is a suspension: %+v", m)
		}
	}
	if in.SupplyRiskNote == "" {
		t.Error("what is not computed must say why")
	}
}
