package rules

import (
	"slices"
	"strings"
	"testing"

	"rarex/i18n"
)

func shippedRegime(t testing.TB) *Regime {
	t.Helper()
	regs, err := Shipped()
	if err != nil {
		t.Fatal(err)
	}
	if len(regs) != 1 {
		t.Fatalf("%d shipped regimes", len(regs))
	}
	return regs[0]
}

// Dates across the windows of the data.
const (
	before18   = "2025-03-01" // before Ann. 18
	oct20      = "2025-10-20" // Anns. 61/62 in force; 56/57 not yet; 61 Art. 1(1), 1(2) not yet
	nov05      = "2025-11-05" // Ann. 61 in force, Art. 1(1) still not effective
	dec15      = "2025-12-15" // Anns. 56, 57, 61, 62 suspended by Ann. 70
	nov20_2026 = "2026-11-20" // suspension ended, no renewal recorded: uncertain
)

func dec(s string) *Decimal {
	d, err := NewDecimal(s)
	if err != nil {
		panic(err)
	}
	return &d
}

// req builds a civilian export from China of one item; opts adjust it.
func req(date, class string, elements []string, opts ...func(*Request)) Request {
	r := Request{Date: date, ShipFrom: "CN", Destination: "US",
		Item:    Item{Class: class, Elements: elements, Origin: "CN"},
		EndUser: EndUser{Name: "Buyer", Country: "US", Type: "civilian"},
		EndUse:  EndUse{Category: "civilian_manufacturing"}}
	for _, o := range opts {
		o(&r)
	}
	return r
}

func from(cc, origin string) func(*Request) {
	return func(r *Request) { r.ShipFrom, r.Item.Origin = cc, origin }
}
func content(value, cv string) func(*Request) {
	return func(r *Request) { r.Item.Value, r.Item.CNControlledContentValue = dec(value), dec(cv) }
}
func tech(stages ...string) func(*Request) { return func(r *Request) { r.Item.CNTechnology = stages } }
func interp(id string) func(*Request)      { return func(r *Request) { r.Interpretation = id } }
func user(typ string, lists ...string) func(*Request) {
	return func(r *Request) { r.EndUser.Type, r.EndUser.Lists = typ, lists }
}
func use(cat string) func(*Request) { return func(r *Request) { r.EndUse.Category = cat } }
func green(validated, programme bool) func(*Request) {
	return func(r *Request) { r.EndUser.Validated, r.Exporter.ComplianceProgramme = validated, programme }
}

var (
	dy     = []string{"Dy"}
	ndfeb  = []string{"Nd", "Pr", "Fe", "B"}
	ndfebD = []string{"Nd", "Pr", "Dy", "Fe", "B"}
)

type detCase struct {
	name    string
	rule    string // the rule the case exercises
	req     Request
	outcome string
	codes   []string // nil: not checked
	ifNot   string   // expected outcome_if_not_in_force ("" none)
	warn    string   // a substring one warning must contain
	green   *bool
}

func yes() *bool { b := true; return &b }
func no() *bool  { b := false; return &b }

var detCases = []detCase{
	// Ann. 18: exports from China of the seven elements' items.
	{"Dy metal", "18-1", req(dec15, "metal", dy), LicenseRequired, []string{"1C905"}, "", "", nil},
	{"Sm oxide", "18-1", req(dec15, "oxide", []string{"Sm", "O"}), LicenseRequired, []string{"1C902"}, "", "", nil},
	{"Gd compound", "18-1", req(dec15, "compound", []string{"Gd"}), LicenseRequired, []string{"1C903"}, "", "", nil},
	{"Tb alloy", "18-1", req(dec15, "alloy", []string{"Tb", "Fe"}), LicenseRequired, []string{"1C904"}, "", "", nil},
	{"Lu target", "18-1", req(dec15, "target", []string{"Lu"}), LicenseRequired, []string{"1C906"}, "", "", nil},
	{"Sc mixture", "18-1", req(dec15, "mixture", []string{"Sc", "Al"}), LicenseRequired, []string{"1C907"}, "", "", nil},
	{"Y oxide", "18-1", req(oct20, "oxide", []string{"Y"}), LicenseRequired, []string{"1C908"}, "", "", nil},
	{"SmCo magnet", "18-1", req(nov20_2026, "magnet_smco", []string{"Sm", "Co"}), LicenseRequired, []string{"1C902"}, "", "", nil},
	{"Dy metal before Ann. 18", "18-1", req(before18, "metal", dy), NotControlled, []string{}, "", "not yet effective", nil},
	{"Nd metal is not listed", "18-1", req(dec15, "metal", []string{"Nd"}), NotControlled, []string{}, "", "", nil},
	{"Ce oxide is not listed", "18-1", req(dec15, "oxide", []string{"Ce"}), NotControlled, []string{}, "", "", nil},
	{"Dy metal made and shipped abroad", "18-1", req(dec15, "metal", dy, from("VN", "VN")), NotControlled, []string{}, "", "", nil},
	{"Dy phosphor (other class)", "18-1", req(dec15, "other", dy), NotControlled, []string{}, "", "", nil},
	{"NdFeB with Dy", "18-2", req(dec15, "magnet_ndfeb", ndfebD), LicenseRequired, []string{"1C905"}, "", "", nil},
	{"NdFeB with Tb", "18-2", req(dec15, "magnet_ndfeb", []string{"Nd", "Tb"}), LicenseRequired, []string{"1C904"}, "", "", nil},
	{"NdFeB with Tb and Dy", "18-2", req(oct20, "magnet_ndfeb", []string{"Nd", "Tb", "Dy"}), LicenseRequired, []string{"1C904", "1C905"}, "", "", nil},
	{"NdFeB without Tb or Dy", "18-2", req(dec15, "magnet_ndfeb", ndfeb), NotControlled, []string{}, "", "", nil},
	{"other magnet with Dy, Ann. 57 not yet", "18-2", req(oct20, "magnet_other", dy), NotControlled, []string{}, "", "", nil},

	// Ann. 57: Ho, Er, Tm, Eu, Yb; never took effect before the suspension.
	{"Ho metal before Ann. 57 takes effect", "57-1", req(oct20, "metal", []string{"Ho"}), NotControlled, []string{}, "", "not yet effective", nil},
	{"Ho metal while suspended", "57-1", req(dec15, "metal", []string{"Ho"}), NotControlled, []string{}, "", "suspended", nil},
	{"Ho metal after the suspension", "57-1", req(nov20_2026, "metal", []string{"Ho"}), LicenseRequired, []string{"1C909"}, NotControlled, "uncertain", nil},
	{"Yb oxide after the suspension", "57-1", req(nov20_2026, "oxide", []string{"Yb"}), LicenseRequired, []string{"1C913"}, NotControlled, "", nil},
	{"Eu magnet after the suspension", "57-1", req(nov20_2026, "magnet_other", []string{"Eu"}), LicenseRequired, []string{"1C912"}, NotControlled, "", nil},
	{"Er target while suspended", "57-1", req(dec15, "target", []string{"Er"}), NotControlled, []string{}, "", "Announcement No. 70", nil},

	// Ann. 56: production equipment.
	{"equipment before Ann. 56 takes effect", "56-1", req(oct20, "equipment", nil), NotControlled, []string{}, "", "not yet effective", nil},
	{"equipment after the suspension", "56-1", req(nov20_2026, "equipment", nil), LicenseRequired, []string{}, NotControlled, "", nil},
	{"equipment made in Germany", "56-1", req(nov20_2026, "equipment", nil, from("DE", "DE")), NotControlled, []string{}, "", "", nil},

	// Ann. 61 Art. 1(1): foreign-made Part 2 items with China-origin content.
	{"VN magnet 0.25% before Art. 1(1) is effective", "61-1-1", req(oct20, "magnet_ndfeb", ndfebD, from("VN", "VN"), content("12000", "30.5")), NotControlled, []string{}, "", "takes effect on 2025-12-01", nil},
	{"VN magnet 0.25% on 5 Nov 2025", "61-1-1", req(nov05, "magnet_ndfeb", ndfebD, from("VN", "VN"), content("12000", "30.5")), NotControlled, []string{}, "", "not yet effective", nil},
	{"VN magnet 0.25% while suspended", "61-1-1", req(dec15, "magnet_ndfeb", ndfebD, from("VN", "VN"), content("12000", "30.5")), NotControlled, []string{}, "", "suspended", nil},
	{"VN magnet 0.25% after the suspension", "61-1-1", req(nov20_2026, "magnet_ndfeb", ndfebD, from("VN", "VN"), content("12000", "30.5")), LicenseRequired, []string{"1C905"}, NotControlled, "uncertain", nil},
	{"VN magnet at exactly 0.1%", "61-1-1", req(nov20_2026, "magnet_ndfeb", ndfebD, from("VN", "VN"), content("12000", "12")), LicenseRequired, nil, NotControlled, "", nil},
	{"VN magnet just under 0.1%", "61-1-1", req(nov20_2026, "magnet_ndfeb", ndfebD, from("VN", "VN"), content("12000", "11.99")), NotControlled, []string{}, "", "", nil},
	{"binary-rounding trap: 0.1 of 100", "61-1-1", req(nov20_2026, "magnet_ndfeb", ndfebD, from("VN", "VN"), content("100", "0.1")), LicenseRequired, nil, NotControlled, "", nil},
	{"as-reported reading at 0.25%", "61-1-1", req(nov20_2026, "magnet_ndfeb", ndfebD, from("VN", "VN"), content("12000", "30.5"), interp("as-reported")), NotControlled, []string{}, "", "", nil},
	{"as-reported reading at 60%", "61-1-1", req(nov20_2026, "magnet_ndfeb", ndfebD, from("VN", "VN"), content("100", "60"), interp("as-reported")), LicenseRequired, nil, NotControlled, "", nil},
	{"as-reported reading at exactly 50%", "61-1-1", req(nov20_2026, "magnet_ndfeb", ndfebD, from("VN", "VN"), content("100", "50"), interp("as-reported")), NotControlled, []string{}, "", "", nil},
	{"VN sputtering target over 0.1%", "61-1-1", req(nov20_2026, "target", []string{"Nd"}, from("VN", "VN"), content("500", "5")), LicenseRequired, nil, NotControlled, "", nil},
	{"VN metal is not a Part 2 item", "61-1-1", req(nov20_2026, "metal", []string{"Nd"}, from("VN", "VN"), content("500", "5")), NotControlled, []string{}, "", "", nil},
	{"VN magnet, content not given", "61-1-1", req(nov20_2026, "magnet_ndfeb", ndfeb, from("VN", "VN")), NotControlled, []string{}, "", "not assessed", nil},
	{"JP magnet shipped from JP over 0.1%", "61-1-1", req(nov20_2026, "magnet_smco", []string{"Sm", "Co"}, from("JP", "JP"), content("80", "1")), LicenseRequired, []string{"1C902"}, NotControlled, "", nil},

	// Ann. 61 Art. 1(2): foreign-made items with Chinese technology.
	{"VN Dy metal with Chinese separation technology", "61-1-2", req(nov20_2026, "metal", dy, from("VN", "VN"), tech("separation")), LicenseRequired, []string{"1C905"}, NotControlled, "", nil},
	{"same before Art. 1(2) is effective", "61-1-2", req(oct20, "metal", dy, from("VN", "VN"), tech("separation")), NotControlled, []string{}, "", "takes effect", nil},
	{"VN Nd metal with Chinese technology", "61-1-2", req(nov20_2026, "metal", []string{"Nd"}, from("VN", "VN"), tech("metal_smelting")), NotControlled, []string{}, "", "", nil},
	{"VN Ho oxide with Chinese technology, official", "61-1-2", req(nov20_2026, "oxide", []string{"Ho"}, from("VN", "VN"), tech("separation")), NotControlled, []string{}, "", "", nil},
	{"VN Ho oxide with Chinese technology, broad", "61-1-2", req(nov20_2026, "oxide", []string{"Ho"}, from("MY", "MY"), tech("separation"), interp("broad-elements")), LicenseRequired, []string{"1C909"}, NotControlled, "", nil},

	// Ann. 61 Art. 1(3): re-export of China-origin items.
	{"CN Dy oxide re-exported from SG", "61-1-3", req(oct20, "oxide", dy, from("SG", "CN")), LicenseRequired, []string{"1C905"}, "", "", nil},
	{"same while suspended", "61-1-3", req(dec15, "oxide", dy, from("SG", "CN")), NotControlled, []string{}, "", "suspended", nil},
	{"same after the suspension", "61-1-3", req(nov20_2026, "oxide", dy, from("SG", "CN")), LicenseRequired, nil, NotControlled, "", nil},
	{"CN Ho oxide re-exported, official", "61-1-3", req(oct20, "oxide", []string{"Ho"}, from("SG", "CN")), NotControlled, []string{}, "", "", nil},
	{"CN Ho oxide re-exported, broad", "61-1-3", req(oct20, "oxide", []string{"Ho"}, from("SG", "CN"), interp("broad-elements")), LicenseRequired, []string{"1C909"}, "", "", nil},

	// Ann. 61 Art. 2 and ECL Art. 18: end users.
	{"military end user while Ann. 61 in force", "61-2", req(oct20, "metal", dy, user("military")), PresumptionOfDenial, nil, "", "", no()},
	{"military end user while Ann. 61 suspended", "61-2", req(dec15, "metal", dy, user("military")), LicenseRequired, nil, "", "Art. 2 would apply", no()},
	{"watch-list end user while suspended", "61-2", req(dec15, "metal", dy, user("civilian", "watch_list")), LicenseRequired, nil, "", "", no()},
	{"watch-list end user after the suspension", "61-2", req(nov20_2026, "metal", dy, user("civilian", "watch_list")), PresumptionOfDenial, nil, LicenseRequired, "uncertain", nil},
	{"control-list end user, ECL, while suspended", "ecl-18", req(dec15, "metal", dy, user("government", "control_list")), PresumptionOfDenial, nil, "", "", nil},
	{"research end user, validated, programme on file", "18-1", req(dec15, "oxide", []string{"Gd"}, user("research"), green(true, true)), LicenseRequired, []string{"1C903"}, "", "", yes()},
	{"end user on a military end-user list", "61-2", req(oct20, "metal", dy, user("civilian", "military_end_user")), PresumptionOfDenial, nil, "", "", no()},
	{"unreliable-entity end user", "uel-measures", req(dec15, "metal", dy, user("civilian", "unreliable_entity")), CaseByCase, nil, "", "", nil},
	{"end user on a foreign sanctions list only", "18-1", req(dec15, "metal", dy, user("civilian", "sanctions")), LicenseRequired, []string{"1C905"}, "", "", nil},
	{"military end user of an uncontrolled item", "61-2", req(oct20, "metal", []string{"Nd"}, user("military")), NotControlled, []string{}, "", "", nil},

	// Ann. 61 Art. 3: end uses denied in principle.
	{"WMD end use", "61-3", req(oct20, "metal", dy, use("wmd")), PresumptionOfDenial, nil, "", "", nil},
	{"terrorism end use after the suspension", "61-3", req(nov20_2026, "metal", dy, use("terrorism")), PresumptionOfDenial, nil, LicenseRequired, "", nil},
	{"military end use while suspended", "61-3", req(dec15, "metal", dy, use("military")), LicenseRequired, nil, "", "Art. 3 would apply", nil},

	// Ann. 61 Art. 4: case by case.
	{"14 nm logic", "61-4", req(oct20, "target", []string{"Sc"}, use("logic_14nm_or_below")), CaseByCase, nil, "", "", nil},
	{"256-layer memory after the suspension", "61-4", req(nov20_2026, "target", []string{"Y"}, use("memory_256_layers_or_more")), CaseByCase, nil, LicenseRequired, "", nil},
	{"AI with military potential", "61-4", req(oct20, "magnet_ndfeb", ndfebD, use("ai_military_potential")), CaseByCase, nil, "", "", nil},

	// Humanitarian exemption, and precedence.
	{"emergency medical use", "61-ex", req(oct20, "oxide", []string{"Gd"}, use("emergency_medical")), Exempt, nil, "", "", nil},
	{"disaster relief after the suspension", "61-ex", req(nov20_2026, "metal", dy, use("disaster_relief")), Exempt, nil, LicenseRequired, "", nil},
	{"public health, uncontrolled item", "61-ex", req(oct20, "oxide", []string{"La"}, use("public_health")), NotControlled, []string{}, "", "", nil},
	{"exempt use by a military end user: denial wins", "61-2", req(oct20, "oxide", []string{"Gd"}, use("emergency_medical"), user("military")), PresumptionOfDenial, nil, "", "", nil},
	{"case-by-case use on the control list: denial wins", "ecl-18", req(dec15, "target", []string{"Sc"}, use("logic_14nm_or_below"), user("civilian", "control_list")), PresumptionOfDenial, nil, "", "", nil},

	// Ann. 62: technologies.
	{"magnet-making technology", "62-1", req(oct20, "technology", nil, tech("magnet_manufacturing")), LicenseRequired, []string{"1E902.a"}, "", "", nil},
	{"production-line services technology", "62-2", req(oct20, "technology", nil, tech("line_services")), LicenseRequired, []string{"1E902.b"}, "", "", nil},
	{"technology while suspended", "62-1", req(dec15, "technology", nil, tech("separation")), NotControlled, []string{}, "", "suspended", nil},
	{"technology after the suspension", "62-1", req(nov20_2026, "technology", nil, tech("recycling", "line_services")), LicenseRequired, []string{"1E902.a", "1E902.b"}, NotControlled, "", nil},
	{"technology for no listed stage", "62-1", req(oct20, "technology", nil), NotControlled, []string{}, "", "", nil},

	// Green channel (journey 2: Wei's magnet for a Korean customer).
	{"green channel: validated civilian user, programme on file", "18-2", req(dec15, "magnet_ndfeb", ndfebD, green(true, true)), LicenseRequired, nil, "", "", yes()},
	{"green channel: end user not validated", "18-2", req(dec15, "magnet_ndfeb", ndfebD, green(false, true)), LicenseRequired, nil, "", "", no()},
	{"green channel: no compliance programme", "18-2", req(dec15, "magnet_ndfeb", ndfebD, green(true, false)), LicenseRequired, nil, "", "", no()},
	{"green channel: nothing to expedite", "18-2", req(dec15, "magnet_ndfeb", ndfeb, green(true, true)), NotControlled, nil, "", "", no()},
}

func TestDeterminations(t *testing.T) {
	reg := shippedRegime(t)
	if len(detCases) < 60 {
		t.Fatalf("%d cases; the bar is 60", len(detCases))
	}
	ruleIDs := map[string]bool{}
	for _, ru := range reg.Rules {
		ruleIDs[ru.ID] = true
	}
	exercised := map[string]bool{}
	for _, c := range detCases {
		t.Run(c.rule+" "+c.name, func(t *testing.T) {
			if !ruleIDs[c.rule] {
				t.Fatalf("case cites unknown rule %q", c.rule)
			}
			exercised[c.rule] = true
			d, err := reg.Determine(c.req)
			if err != nil {
				t.Fatal(err)
			}
			checkWarningMessages(t, d)
			if d.Outcome != c.outcome {
				t.Fatalf("outcome %s, want %s\nreasons %+v\nwarnings %q", d.Outcome, c.outcome, d.Reasons, d.Warnings)
			}
			if c.codes != nil && !slices.Equal(d.ControlCodes, c.codes) {
				t.Errorf("control codes %v, want %v", d.ControlCodes, c.codes)
			}
			if d.OutcomeIfNotInForce != c.ifNot {
				t.Errorf("outcome_if_not_in_force %q, want %q", d.OutcomeIfNotInForce, c.ifNot)
			}
			if c.warn != "" && !slices.ContainsFunc(d.Warnings, func(w string) bool { return strings.Contains(w, c.warn) }) {
				t.Errorf("no warning mentions %q: %q", c.warn, d.Warnings)
			}
			if c.green != nil && d.GreenChannel.Eligible != *c.green {
				t.Errorf("green channel %v, want %v: %q", d.GreenChannel.Eligible, *c.green, d.GreenChannel.Why)
			}
			// Every outcome but not_controlled is explained by a fired rule with sources.
			if d.Outcome != NotControlled {
				if len(d.Reasons) == 0 {
					t.Fatal("a controlled outcome without reasons")
				}
				found := false
				for _, r := range d.Reasons {
					found = found || r.Outcome == d.Outcome
					if len(r.Sources) == 0 || r.Text == "" {
						t.Errorf("reason %s lacks text or sources", r.Rule)
					}
				}
				if !found {
					t.Errorf("no reason carries the outcome %s", d.Outcome)
				}
			}
		})
	}
	for id := range ruleIDs {
		if !exercised[id] {
			t.Errorf("no case exercises rule %s", id)
		}
	}
}

func TestInstrumentStatuses(t *testing.T) {
	reg := shippedRegime(t)
	for _, c := range []struct {
		date, instrument, want string
	}{
		{"2025-04-03", "ann18", NotYetEffective},
		{"2025-04-04", "ann18", InForce},
		{"2025-10-08", "ann61", NotYetEffective},
		{"2025-10-09", "ann61", InForce},
		{"2025-11-06", "ann61", InForce},
		{"2025-11-07", "ann61", Suspended},
		{"2026-11-09", "ann62", Suspended},
		{"2026-11-10", "ann62", Uncertain},
		{"2026-11-10", "ann70", Expired},
		{"2026-11-26", "ann72", InForce},
		{"2026-11-27", "ann72", Expired},
		{"2025-10-20", "ann57", NotYetEffective},
		{"2030-01-01", "ecl", InForce},
	} {
		d, _ := ParseDate(c.date)
		var got string
		for _, s := range reg.Statuses(d) {
			if s.ID == c.instrument {
				got = s.Status
			}
		}
		if got != c.want {
			t.Errorf("%s on %s: %s, want %s", c.instrument, c.date, got, c.want)
		}
	}
}

func TestGeneralLicences(t *testing.T) {
	reg := shippedRegime(t)
	exporter := func(name string) func(*Request) { return func(r *Request) { r.Exporter.Name = name } }
	for _, c := range []struct {
		name   string
		req    Request
		holder string
		warn   string
	}{
		{"holder, in force", req("2026-01-15", "magnet_ndfeb", ndfebD, exporter("Ningbo Yunsheng Co., Ltd.")), "Ningbo Yunsheng", ""},
		{"holder, before the grant", req("2025-11-20", "magnet_ndfeb", ndfebD, exporter("JL Mag Rare-Earth Co.")), "", ""},
		{"holder, after a year", req("2026-12-15", "magnet_ndfeb", ndfebD, exporter("JL Mag Rare-Earth Co.")), "", ""},
		{"not a holder", req("2026-01-15", "magnet_ndfeb", ndfebD, exporter("Other Magnets Ltd")), "", ""},
		{"watch-list end user", req("2026-01-15", "magnet_ndfeb", ndfebD, exporter("Zhong Ke San Huan"), user("civilian", "watch_list")), "", "does not cover"},
		{"not controlled", req("2026-01-15", "magnet_ndfeb", ndfeb, exporter("Zhong Ke San Huan")), "", ""},
		{"rule not covered (technology)", req(oct20, "technology", nil, tech("separation"), exporter("JL Mag Rare-Earth")), "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, err := reg.Determine(c.req)
			if err != nil {
				t.Fatal(err)
			}
			checkWarningMessages(t, d)
			got := ""
			if len(d.GeneralLicences) == 1 {
				got = d.GeneralLicences[0].Holder
				if d.GeneralLicences[0].Until != "2026-12-02" || len(d.GeneralLicences[0].Sources) == 0 {
					t.Errorf("hit = %+v", d.GeneralLicences[0])
				}
			}
			if got != c.holder || len(d.GeneralLicences) > 1 {
				t.Fatalf("general licences %+v, want holder %q", d.GeneralLicences, c.holder)
			}
			if c.warn != "" && !slices.ContainsFunc(d.Warnings, func(w string) bool { return strings.Contains(w, c.warn) }) {
				t.Fatalf("warnings %q lack %q", d.Warnings, c.warn)
			}
		})
	}
}

func TestTariffLineWarnings(t *testing.T) {
	reg := shippedRegime(t)
	hs := func(code string) func(*Request) { return func(r *Request) { r.Item.HSCode = code } }
	for _, c := range []struct {
		name string
		req  Request
		warn string // "" for none
	}{
		{"Dy NdFeB on the Dy line", req(dec15, "magnet_ndfeb", ndfebD, hs("8505111000")), ""},
		{"Dy NdFeB on the no-Dy line", req(dec15, "magnet_ndfeb", ndfebD, hs("8505119000")), "mis-declaration"},
		{"plain NdFeB on the Dy line", req(dec15, "magnet_ndfeb", ndfeb, hs("8505111000")), "has none of Dy, Tb"},
		{"oxide under the metals heading", req(dec15, "oxide", dy, hs("2805301200")), "item.class is oxide"},
		{"Dy metal under the metals heading", req(dec15, "metal", dy, hs("2805301200")), ""},
		{"unrelated code", req(dec15, "other", nil, hs("7318159000")), ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, err := reg.Determine(c.req)
			if err != nil {
				t.Fatal(err)
			}
			checkWarningMessages(t, d)
			has := slices.ContainsFunc(d.Warnings, func(w string) bool { return strings.Contains(w, "item.hs_code") })
			if c.warn == "" && has || c.warn != "" && !slices.ContainsFunc(d.Warnings, func(w string) bool { return strings.Contains(w, c.warn) }) {
				t.Fatalf("warnings %q, want %q", d.Warnings, c.warn)
			}
		})
	}
}

// checkWarningMessages: every warning is also a catalog message, in both
// languages, whose English is the warning.
func checkWarningMessages(t *testing.T, d *Determination) {
	t.Helper()
	if len(d.WarningMessages) != len(d.Warnings) {
		t.Fatalf("%d warnings, %d messages", len(d.Warnings), len(d.WarningMessages))
	}
	zh := d.WarningsIn(i18n.Chinese)
	for i, m := range d.WarningMessages {
		if !i18n.Has(m.Key) {
			t.Errorf("warning %q: key %q is not in the catalog", d.Warnings[i], m.Key)
		}
		if d.Warnings[i] != m.In(i18n.English) {
			t.Errorf("warning %q is not its message's English %q", d.Warnings[i], m.In(i18n.English))
		}
		if zh[i] == d.Warnings[i] || strings.Contains(zh[i], "%!") {
			t.Errorf("warning %q in Chinese: %q", d.Warnings[i], zh[i])
		}
	}
}

// TestAsleepWarningKeys: every wording the engine can choose for a rule
// that would apply but is not in force is in the catalog, in both
// languages, with room for its arguments.
func TestAsleepWarningKeys(t *testing.T) {
	args := []string{"MOFCOM Announcement No. 61 [2025]", "Art. 2", "2026-01-05", "MOFCOM Announcement No. 70 [2025]", "2026-11-10"}
	for _, st := range []string{Suspended, Expired, NotYetEffective} {
		for suffix, n := range map[string]int{"": 3, ".by": 4, ".by_until": 5, ".effective": 4} {
			if suffix == ".effective" && st != NotYetEffective {
				continue
			}
			m := i18n.M("warn.asleep."+st+suffix, args[:n]...)
			for _, lang := range i18n.Langs {
				if s := m.In(lang); !i18n.Has(m.Key) || strings.Contains(s, "%!") || !strings.Contains(s, args[n-1]) {
					t.Errorf("%s in %s: %q", m.Key, lang, s)
				}
			}
		}
	}
}
