package licensing

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"rarex"
	"rarex/assess"
	"rarex/rules"
	"rarex/workdays"
)

func testEnv(t testing.TB, day string) Env {
	t.Helper()
	p, err := Shipped()
	if err != nil {
		t.Fatal(err)
	}
	cal, err := workdays.China()
	if err != nil {
		t.Fatal(err)
	}
	d, err := rules.ParseDate(day)
	if err != nil {
		t.Fatal(err)
	}
	return Env{Proc: p, Cal: cal, Today: d, Now: d.Add(10 * time.Hour)}
}

func (e *Env) advance(days int) {
	e.Today = rules.Date{Time: e.Today.AddDate(0, 0, days)}
	e.Now = e.Today.Add(10 * time.Hour)
}

func magnetBody() rarex.ApplicationBody {
	return rarex.ApplicationBody{
		Lines: []rarex.AppLine{{Description: "NdFeB magnets N52 with Dy", Class: "magnet_ndfeb", Elements: []string{"Nd", "Fe", "B", "Dy"},
			HSCode: "8505111000", Origin: "CN", Quantity: 500_000, Unit: "kg", Value: 2_000_000_00, Currency: "USD"}},
		ShipFrom: "CN", Destination: "KR",
		Consignee:   rarex.Party{Name: "Hanbit Motors Co., Ltd.", Country: "KR"},
		EndUser:     rarex.Party{Name: "Hanbit Motors Co., Ltd.", Country: "KR", Type: "civilian"},
		EndUse:      rarex.EndUseStatement{Category: "civilian_manufacturing", Statement: "Traction motors for electric buses."},
		LicenceType: rarex.LicenceIndividual, ValidityMonths: 12,
	}
}

func snapWith(outcome string, missing ...rarex.DocKind) *Snapshot {
	return &Snapshot{Outcome: outcome, NeedsLicence: outcome != rules.NotControlled, Missing: missing,
		Lines: []LineCheck{{Line: 0, Determination: &assess.Result{Determination: &rules.Determination{Outcome: outcome}}}}}
}

func TestSubmitPaths(t *testing.T) {
	env := testEnv(t, "2026-02-10")
	cases := []struct {
		snap *Snapshot
		want rarex.AppState
	}{
		{snapWith(rules.NotControlled), rarex.AppNotRequired},
		{snapWith(rules.LicenseRequired, rarex.DocContract), rarex.AppIncomplete},
		{snapWith(rules.LicenseRequired), rarex.AppUnderReview},
	}
	for _, c := range cases {
		a := &rarex.Application{Number: "A-1", State: rarex.AppDraft, Body: magnetBody()}
		if err := Submit(a, c.snap, env); err != nil {
			t.Fatal(err)
		}
		if a.State != c.want {
			t.Errorf("%v: state %s, want %s", c.snap.Missing, a.State, c.want)
		}
		if c.want == rarex.AppUnderReview {
			// Submitted 2026-02-10: the Spring Festival (02-15..02-23, make-up
			// days 02-14 and 02-28) and Qingming (04-04..04-06) lie inside the
			// 45 working days.
			if a.ClockStart != "2026-02-10" || a.Due != "2026-04-21" {
				t.Errorf("clock %s due %s, want 2026-02-10 and 2026-04-21", a.ClockStart, a.Due)
			}
		}
		if err := Submit(a, c.snap, env); rarex.ErrorCode(err) != rarex.ECONFLICT {
			t.Errorf("second submit: %v, want conflict", err)
		}
	}
}

func TestIncompleteStartsClockWhenComplete(t *testing.T) {
	env := testEnv(t, "2026-03-02")
	a := &rarex.Application{Number: "A-2", State: rarex.AppDraft, Body: magnetBody()}
	if err := Submit(a, snapWith(rules.LicenseRequired, rarex.DocEndUserCert), env); err != nil {
		t.Fatal(err)
	}
	if a.ClockStart != "" || a.Due != "" {
		t.Fatalf("clock started while incomplete: %s %s", a.ClockStart, a.Due)
	}
	env.advance(3)
	if err := Complete(a, []rarex.DocKind{rarex.DocEndUserCert}, env); rarex.ErrorCode(err) != rarex.ECONFLICT {
		t.Fatalf("complete with a document missing: %v", err)
	}
	if err := Complete(a, nil, env); err != nil {
		t.Fatal(err)
	}
	if a.ClockStart != "2026-03-05" {
		t.Errorf("clock start %s, want the day it became complete", a.ClockStart)
	}
}

func TestPauseStopsTheClock(t *testing.T) {
	env := testEnv(t, "2026-03-02") // Monday
	a := &rarex.Application{Number: "A-3", State: rarex.AppDraft, Body: magnetBody()}
	if err := Submit(a, snapWith(rules.LicenseRequired), env); err != nil {
		t.Fatal(err)
	}
	due0 := a.Due
	env.advance(2) // Wednesday
	if err := RequestInformation(a, rarex.Message{Body: "Send the end-user certificate in Chinese."}, env); err != nil {
		t.Fatal(err)
	}
	if a.Due != "" || !Deadlines(a, env).Paused {
		t.Fatalf("due %q while paused", a.Due)
	}
	before := Deadlines(a, env).Elapsed
	env.advance(7) // a week later
	if got := Deadlines(a, env).Elapsed; got != before {
		t.Fatalf("elapsed moved from %d to %d while paused", before, got)
	}
	if err := Answer(a, rarex.Message{Body: "Attached."}, env); err != nil {
		t.Fatal(err)
	}
	// Asked on Wednesday 03-04, answered on Wednesday 03-11: five working
	// days (03-05, 06, 09, 10, 11) do not count, so the due date moves by five.
	want := mustDate(t, due0)
	for n := 0; n < 5; {
		want = rules.Date{Time: want.AddDate(0, 0, 1)}
		if env.Cal.IsWorkingDay(want) {
			n++
		}
	}
	if a.Due != want.String() {
		t.Errorf("due after answer %s, want %s (was %s)", a.Due, want, due0)
	}
}

func TestSameDayAnswerPausesNothing(t *testing.T) {
	env := testEnv(t, "2026-03-02")
	a := &rarex.Application{Number: "A-9", State: rarex.AppDraft, Body: magnetBody()}
	_ = Submit(a, snapWith(rules.LicenseRequired), env)
	due := a.Due
	if err := RequestInformation(a, rarex.Message{Body: "?"}, env); err != nil {
		t.Fatal(err)
	}
	if err := Answer(a, rarex.Message{Body: "!"}, env); err != nil {
		t.Fatal(err)
	}
	if len(a.Pauses) != 0 || a.Due != due {
		t.Errorf("pauses %+v, due %s (was %s)", a.Pauses, a.Due, due)
	}
}

func mustDate(t *testing.T, s string) rules.Date {
	d, err := rules.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestFourEyes(t *testing.T) {
	env := testEnv(t, "2026-03-02")
	alice := &rarex.User{ID: "u1", Name: "Alice", Role: rarex.RoleReviewer}
	bob := &rarex.User{ID: "u2", Name: "Bob", Role: rarex.RoleReviewer}
	pol := DefaultPolicy() // 1,000,000 USD: the 2,000,000 USD application needs two signatures
	rulesOK := map[string]bool{"ann18-licence": true}
	a := &rarex.Application{Number: "A-4", State: rarex.AppDraft, Body: magnetBody()}
	if err := Submit(a, snapWith(rules.LicenseRequired), env); err != nil {
		t.Fatal(err)
	}
	lic, err := Decide(a, rarex.Decision{Kind: rarex.DecisionApprove, By: alice.ID, ByName: alice.Name}, pol, rulesOK, env)
	if err != nil || lic != nil || a.State != rarex.AppCountersign {
		t.Fatalf("decide: %v %v %s", err, lic, a.State)
	}
	if _, err := Countersign(a, alice, env); rarex.ErrorCode(err) != rarex.EFORBIDDEN {
		t.Fatalf("self-countersign: %v", err)
	}
	if err := ReturnProposal(a, rarex.Message{AuthorID: alice.ID, Body: "x"}, env); rarex.ErrorCode(err) != rarex.EFORBIDDEN {
		t.Fatalf("self-return: %v", err)
	}
	lic, err = Countersign(a, bob, env)
	if err != nil || lic == nil || a.State != rarex.AppApproved {
		t.Fatalf("countersign: %v %v %s", err, lic, a.State)
	}
	if lic.QuantityLimit != 500_000 || lic.ValidFrom != "2026-03-02" || lic.ValidTo != "2027-03-01" {
		t.Errorf("licence %+v", lic)
	}
	if a.Decision.CounterBy != "u2" || a.Decision.By != "u1" {
		t.Errorf("signatures %+v", a.Decision)
	}
}

func TestDecisionChecks(t *testing.T) {
	env := testEnv(t, "2026-03-02")
	rulesOK := map[string]bool{"ann18-licence": true}
	cases := []struct {
		d    rarex.Decision
		want string
	}{
		{rarex.Decision{Kind: "maybe"}, "kind"},
		{rarex.Decision{Kind: rarex.DecisionDeny, RuleIDs: []string{"ann18-licence"}}, "reasons"},
		{rarex.Decision{Kind: rarex.DecisionDeny, Reasons: "military end use"}, "rule_ids"},
		{rarex.Decision{Kind: rarex.DecisionDeny, Reasons: "x", RuleIDs: []string{"no-such-rule"}}, "rule_ids[0]"},
		{rarex.Decision{Kind: rarex.DecisionApprove, ValidTo: "2027-03-02"}, "valid_to"},
		{rarex.Decision{Kind: rarex.DecisionApprove, ValidFrom: "2026-03-01"}, "valid_from"},
		{rarex.Decision{Kind: rarex.DecisionApprove, Quantity: 500_001}, "quantity_limit"},
		{rarex.Decision{Kind: rarex.DecisionApprove, Value: 2_000_000_01}, "value_limit"},
		{rarex.Decision{Kind: rarex.DecisionApprove, LicenceType: "blanket"}, "licence_type"},
	}
	for _, c := range cases {
		a := &rarex.Application{Number: "A-5", State: rarex.AppDraft, Body: magnetBody()}
		if err := Submit(a, snapWith(rules.LicenseRequired), env); err != nil {
			t.Fatal(err)
		}
		_, err := Decide(a, c.d, DefaultPolicy(), rulesOK, env)
		if rarex.ErrorCode(err) != rarex.EINVALID || !strings.HasPrefix(rarex.ErrorMessage(err), c.want+":") {
			t.Errorf("%+v: %v, want EINVALID on %s", c.d, err, c.want)
		}
		if a.State != rarex.AppUnderReview {
			t.Errorf("a refused decision moved the state to %s", a.State)
		}
	}
	// A general licence may run three years.
	a := &rarex.Application{Number: "A-6", State: rarex.AppDraft, Body: magnetBody()}
	_ = Submit(a, snapWith(rules.LicenseRequired), env)
	if _, err := Decide(a, rarex.Decision{Kind: rarex.DecisionApprove, LicenceType: rarex.LicenceGeneral, ValidTo: "2029-03-01"}, Policy{CountersignAbove: map[string]rarex.Money{"USD": 1 << 60}}, rulesOK, env); err != nil {
		t.Errorf("general licence for 36 months: %v", err)
	}
}

func TestDrawDown(t *testing.T) {
	l := &rarex.Licence{Number: "RE-I-2026-00001", Status: rarex.LicenceActive, ValidFrom: "2026-03-01", ValidTo: "2026-12-31",
		QuantityLimit: 1000, ValueLimit: 50_00, Unit: "kg", Currency: "USD", Consignees: []string{"Hanbit Motors"}}
	ship := func(date string, q rarex.Quantity, v rarex.Money) error {
		return Draw(l, &rarex.Shipment{Date: date, Quantity: q, Value: v, Consignee: "Hanbit Motors"})
	}
	if err := ship("2026-02-28", 1, 1); rarex.ErrorCode(err) != rarex.ECONFLICT {
		t.Errorf("before validity: %v", err)
	}
	if err := ship("2026-04-01", 600, 10_00); err != nil {
		t.Fatal(err)
	}
	if err := ship("2026-04-02", 401, 1); rarex.ErrorCode(err) != rarex.ECONFLICT || !strings.Contains(rarex.ErrorMessage(err), "0.4 kg left") {
		t.Errorf("over quantity: %v", err)
	}
	if err := ship("2027-01-01", 1, 1); rarex.ErrorCode(err) != rarex.ECONFLICT {
		t.Errorf("after expiry: %v", err)
	}
	if err := ship("2026-04-03", 400, 10_00); err != nil || l.Status != rarex.LicenceExhausted {
		t.Fatalf("exhausting draw: %v, status %s", err, l.Status)
	}
	if err := ship("2026-04-04", 1, 0); rarex.ErrorCode(err) != rarex.ECONFLICT {
		t.Errorf("on an exhausted licence: %v", err)
	}
	other := &rarex.Shipment{Date: "2026-04-01", Quantity: 1, Consignee: "Someone Else"}
	if err := CheckShipment(&rarex.Licence{Status: rarex.LicenceActive, Consignees: []string{"Hanbit Motors"}, ValidFrom: "2026-01-01", ValidTo: "2026-12-31", QuantityLimit: 10}, other, "2026-05-01"); rarex.ErrorCode(err) != rarex.EINVALID {
		t.Errorf("unnamed consignee: %v", err)
	}
}

// TestStateMachineProperties drives random action sequences and checks the
// invariants after every step: no shipment beyond a limit or outside an
// active licence, no decision without the signatures it needs, and no
// clock running while paused.
func TestStateMachineProperties(t *testing.T) {
	reviewers := []*rarex.User{{ID: "r1", Name: "R1"}, {ID: "r2", Name: "R2"}, {ID: "r3", Name: "R3"}}
	rulesOK := map[string]bool{"ann18-licence": true}
	for seed := range uint64(300) {
		rng := rand.New(rand.NewPCG(seed, 7))
		env := testEnv(t, "2025-12-20")
		pol := Policy{CountersignAbove: map[string]rarex.Money{"USD": rarex.Money(rng.IntN(4) * 1_000_000_00)}}
		body := magnetBody()
		body.Lines[0].Value = rarex.Money(1+rng.IntN(3)) * 1_000_000_00
		a := &rarex.Application{Number: "A-P", State: rarex.AppDraft, Body: body}
		var lic *rarex.Licence
		var shipped rarex.Quantity
		lastElapsed := 0
		for step := 0; step < 60; step++ {
			wasPaused := a.State == rarex.AppInfoRequested && env.Proc.InformationRequest.PausesClock
			elapsedBefore := Deadlines(a, env).Elapsed
			days := rng.IntN(4)
			env.advance(days)
			if wasPaused && Deadlines(a, env).Elapsed != elapsedBefore {
				t.Fatalf("seed %d step %d: the clock ran while paused", seed, step)
			}
			rv := reviewers[rng.IntN(len(reviewers))]
			switch rng.IntN(10) {
			case 0:
				var missing []rarex.DocKind
				if rng.IntN(2) == 0 {
					missing = []rarex.DocKind{rarex.DocContract}
				}
				_ = Submit(a, snapWith([]string{rules.LicenseRequired, rules.NotControlled, rules.CaseByCase}[rng.IntN(3)], missing...), env)
			case 1:
				_ = Complete(a, nil, env)
			case 2:
				_ = RequestInformation(a, rarex.Message{AuthorID: rv.ID, Body: "Question"}, env)
			case 3:
				_ = Answer(a, rarex.Message{Body: "Answer"}, env)
			case 4:
				kind := []string{rarex.DecisionApprove, rarex.DecisionDeny}[rng.IntN(2)]
				l, err := Decide(a, rarex.Decision{Kind: kind, By: rv.ID, Reasons: "r", RuleIDs: []string{"ann18-licence"}}, pol, rulesOK, env)
				if err == nil && l != nil {
					lic = l
				}
			case 5:
				if l, err := Countersign(a, rv, env); err == nil && l != nil {
					lic = l
				}
			case 6:
				_ = ReturnProposal(a, rarex.Message{AuthorID: rv.ID, Body: "Back"}, env)
			case 7:
				if rng.IntN(4) == 0 {
					_ = Withdraw(a, env)
				}
			case 8, 9:
				if lic == nil {
					break
				}
				if rng.IntN(6) == 0 {
					_ = SetStatus(lic, []rarex.LicenceStatus{rarex.LicenceSuspended, rarex.LicenceActive, rarex.LicenceRevoked}[rng.IntN(3)], "reason")
					break
				}
				before := lic.Status
				sh := &rarex.Shipment{Date: env.Today.String(), Quantity: rarex.Quantity(1 + rng.IntN(200_000)), Value: rarex.Money(rng.IntN(1_000_000_00)), Consignee: "Hanbit Motors Co., Ltd."}
				if err := Draw(lic, sh); err == nil {
					if before != rarex.LicenceActive || sh.Date > lic.ValidTo || sh.Date < lic.ValidFrom {
						t.Fatalf("seed %d: a shipment was drawn from a %s licence on %s (valid %s..%s)", seed, before, sh.Date, lic.ValidFrom, lic.ValidTo)
					}
					shipped += sh.Quantity
				}
			}
			// Invariants.
			if lic != nil {
				if lic.QuantityUsed > lic.QuantityLimit || lic.ValueUsed > lic.ValueLimit || lic.QuantityUsed != shipped {
					t.Fatalf("seed %d: licence drawn beyond its limits: %+v (shipped %s)", seed, lic, shipped)
				}
			}
			if d := a.Decision; d != nil {
				if d.NeedsCountersign != pol.NeedsCountersign(a, d.Kind) {
					t.Fatalf("seed %d: decision skipped the countersignature rule: %+v", seed, d)
				}
				if d.NeedsCountersign && (d.CounterBy == "" || d.CounterBy == d.By) {
					t.Fatalf("seed %d: decision without its second signature: %+v", seed, d)
				}
				if (a.State == rarex.AppApproved) != (d.Kind == rarex.DecisionApprove) {
					t.Fatalf("seed %d: state %s with decision %s", seed, a.State, d.Kind)
				}
			}
			if (a.State == rarex.AppApproved || a.State == rarex.AppDenied) && a.Decision == nil {
				t.Fatalf("seed %d: %s without a decision", seed, a.State)
			}
			dl := Deadlines(a, env)
			if a.State.Open() && dl.Elapsed < lastElapsed {
				t.Fatalf("seed %d: elapsed went back from %d to %d", seed, lastElapsed, dl.Elapsed)
			}
			if a.State.Open() {
				lastElapsed = dl.Elapsed
			}
			// A pause opened after the deadline passed leaves the deadline as it was.
			if a.State == rarex.AppInfoRequested && env.Proc.InformationRequest.PausesClock && a.Due != "" && a.Due >= a.Pauses[len(a.Pauses)-1].From {
				t.Fatalf("seed %d: a due date %s while the clock is paused since %s", seed, a.Due, a.Pauses[len(a.Pauses)-1].From)
			}
		}
	}
}

func TestValidateBody(t *testing.T) {
	env := testEnv(t, "2026-03-02")
	regs, err := rules.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	reg := regs[0]
	ok := magnetBody()
	if err := ValidateBody(reg, env.Proc, &ok); err != nil {
		t.Fatalf("good body: %v", err)
	}
	cases := []struct {
		edit func(b *rarex.ApplicationBody)
		want string
	}{
		{func(b *rarex.ApplicationBody) { b.Lines = nil }, "lines"},
		{func(b *rarex.ApplicationBody) { b.Lines[0].Class = "bananas" }, "lines[0].class"},
		{func(b *rarex.ApplicationBody) { b.Lines[0].Elements = []string{"Xx"} }, "lines[0].elements[0]"},
		{func(b *rarex.ApplicationBody) { b.Lines[0].Quantity = 0 }, "lines[0].quantity"},
		{func(b *rarex.ApplicationBody) { b.Lines[0].Unit = "bushel" }, "lines[0].unit"},
		{func(b *rarex.ApplicationBody) { b.Lines[0].Currency = "XBT" }, "lines[0].currency"},
		{func(b *rarex.ApplicationBody) {
			b.Lines = append(b.Lines, b.Lines[0])
			b.Lines[1].Unit = "pcs"
		}, "lines[1].unit"},
		{func(b *rarex.ApplicationBody) { b.Lines[0].BOMID = "x" }, "lines[0].bom_id"},
		{func(b *rarex.ApplicationBody) { b.Destination = "kr" }, "destination"},
		{func(b *rarex.ApplicationBody) { b.EndUser.Type = "pirate" }, "end_user.type"},
		{func(b *rarex.ApplicationBody) { b.Consignee.Name = " " }, "consignee.name"},
		{func(b *rarex.ApplicationBody) { b.Intermediaries = []rarex.Party{{Name: "X", Country: "ZZ"}} }, "intermediaries[0].country"},
		{func(b *rarex.ApplicationBody) { b.EndUse.Category = "fun" }, "end_use.category"},
		{func(b *rarex.ApplicationBody) { b.EndUse.Statement = "" }, "end_use.statement"},
		{func(b *rarex.ApplicationBody) { b.LicenceType = "" }, "licence_type"},
		{func(b *rarex.ApplicationBody) { b.ValidityMonths = 13 }, "validity_months"},
		{func(b *rarex.ApplicationBody) { b.Interpretation = "mine" }, "interpretation"},
	}
	for _, c := range cases {
		b := magnetBody()
		c.edit(&b)
		err := ValidateBody(reg, env.Proc, &b)
		if rarex.ErrorCode(err) != rarex.EINVALID || !strings.HasPrefix(rarex.ErrorMessage(err), c.want+":") {
			t.Errorf("want EINVALID on %s, got %v", c.want, err)
		}
	}
}

func TestGreenAndRisks(t *testing.T) {
	env := testEnv(t, "2026-03-02")
	regs, _ := rules.Shipped()
	reg := regs[0]
	b := magnetBody()
	snap := snapWith(rules.LicenseRequired)
	f := Facts{Today: env.Today,
		Profile:   &rarex.ExporterProfile{ICPReference: "ICP-2025-0042"},
		Validated: []*rarex.ValidatedEndUser{{Name: "HANBIT MOTORS CO LTD", Country: "KR"}}}
	Assess(reg, env.Proc, &b, snap, f)
	if !snap.Green.Eligible {
		t.Fatalf("not green: %+v", snap.Green)
	}
	if len(snap.Risks) != 0 {
		t.Errorf("risks on a clean application: %+v", snap.Risks)
	}
	// Each criterion can fail on its own.
	fails := map[string]func(*rarex.ApplicationBody, *Snapshot, *Facts){
		"compliance_programme": func(_ *rarex.ApplicationBody, _ *Snapshot, f *Facts) { f.Profile = nil },
		"no_violation": func(_ *rarex.ApplicationBody, _ *Snapshot, f *Facts) {
			f.Profile = &rarex.ExporterProfile{ICPReference: "x", LastViolation: "2024-01-01"}
		},
		"validated_end_user": func(_ *rarex.ApplicationBody, _ *Snapshot, f *Facts) { f.Validated = nil },
		"civilian_end_use":   func(b *rarex.ApplicationBody, _ *Snapshot, _ *Facts) { b.EndUse.Category = "military" },
		"no_screening_hit": func(_ *rarex.ApplicationBody, s *Snapshot, _ *Facts) {
			s.Parties = []PartyCheck{{Role: "end_user", Name: "X", Hits: []PartyHit{{EntryName: "X", Score: 0.9}}}}
		},
		"routine_outcome": func(_ *rarex.ApplicationBody, s *Snapshot, _ *Facts) {
			s.Lines[0].Determination.Outcome = rules.CaseByCase
		},
		"quantity_cap": func(b *rarex.ApplicationBody, _ *Snapshot, _ *Facts) { b.Lines[0].Quantity = 1_000_001 },
	}
	for code, edit := range fails {
		b := magnetBody()
		s := snapWith(rules.LicenseRequired)
		ff := f
		edit(&b, s, &ff)
		Assess(reg, env.Proc, &b, s, ff)
		if s.Green.Eligible {
			t.Errorf("%s: still eligible", code)
		}
		for _, c := range s.Green.Criteria {
			if c.Met == (c.Code == code) {
				t.Errorf("%s: criterion %s met=%v (%s)", code, c.Code, c.Met, c.Detail)
			}
		}
	}
	// A violation four years ago does not count.
	ff := f
	ff.Profile = &rarex.ExporterProfile{ICPReference: "x", LastViolation: "2022-03-01"}
	s := snapWith(rules.LicenseRequired)
	Assess(reg, env.Proc, &b, s, ff)
	if !s.Green.Eligible {
		t.Errorf("old violation blocks: %+v", s.Green)
	}

	risky := magnetBody()
	risky.EndUse.Statement = "Guidance fins for 导弹 and missile programmes; not a dismissile word."
	risky.Intermediaries = []rarex.Party{{Name: "Transit FZE", Country: "AE"}}
	risky.Destination = "KP"
	history := []rarex.AppLine{{Class: "magnet_ndfeb", Unit: "kg", Quantity: 1000}, {Class: "magnet_ndfeb", Unit: "kg", Quantity: 2000}, {Class: "magnet_ndfeb", Unit: "kg", Quantity: 3000}}
	got := map[string]string{}
	for _, r := range Risks(env.Proc, &risky, snapWith(rules.LicenseRequired), history) {
		got[r.Code] = r.Detail
	}
	for _, code := range []string{"military_words", "embargoed_destination", "third_country_intermediary", "unusual_quantity"} {
		if got[code] == "" {
			t.Errorf("risk %s not raised: %v", code, got)
		}
	}
	if w := got["military_words"]; !strings.Contains(w, "missile") || !strings.Contains(w, "导弹") {
		t.Errorf("military words: %s", w)
	}
	if MilitaryWords(env.Proc, "armyworm control for rice fields") != nil {
		t.Errorf("a word inside another word matched")
	}
}

func TestMissingDocuments(t *testing.T) {
	env := testEnv(t, "2026-03-02")
	b := magnetBody()
	docs := []*rarex.Document{{Kind: rarex.DocContract}}
	got := Missing(env.Proc, &b, docs)
	if len(got) != 2 || got[0] != rarex.DocEndUserCert || got[1] != rarex.DocEndUseCert {
		t.Errorf("missing %v", got)
	}
	b.Lines[0].Class = "technology"
	if got := Missing(env.Proc, &b, docs); len(got) != 3 || got[2] != rarex.DocTechnical {
		t.Errorf("technology: missing %v", got)
	}
}

func TestLoadProcedureErrors(t *testing.T) {
	good, err := Shipped()
	if err != nil || good.Review.WorkingDays != 45 || good.Green.TargetWorkingDays != 10 {
		t.Fatalf("shipped: %v %+v", err, good)
	}
	for _, c := range []struct{ edit, want string }{
		{"working_days: 45|working_days: 0", "review.working_days"},
		{"target_working_days: 10|target_working_days: 50", "green_channel.target_working_days"},
		{"screening_threshold: 0.85|screening_threshold: 1.5", "green_channel.screening_threshold"},
		{`kg: "1000"|kg: "-1"`, "green_channel.quantity_caps.kg"},
		{"individual: 12|individual: 0", "licence.max_validity_months.individual"},
		{"required: [end_user_certificate|required: [passport", "documents.required"},
		{"embargoed_destinations: [KP|embargoed_destinations: [XX", "risk.embargoed_destinations"},
		{"regime: cn|regimes: cn", "field regimes not found"},
	} {
		old, repl, _ := strings.Cut(c.edit, "|")
		src := strings.Replace(string(procedureYAML), old, repl, 1)
		if src == string(procedureYAML) {
			t.Fatalf("edit %q changed nothing", c.edit)
		}
		_, err := LoadProcedure([]byte(src), "p.yaml")
		if err == nil || !strings.Contains(err.Error(), "p.yaml") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v", c.want, err)
		}
	}
}

func FuzzParseQuantity(f *testing.F) {
	for _, s := range []string{"1", "0.001", "12.5", "1.0000", "-1", "1e3", "", ".5", "5.", "999999999999.999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := rarex.ParseQuantity(s)
		if err != nil {
			return
		}
		if q < 0 {
			t.Fatalf("%q parsed negative: %d", s, q)
		}
		back, err := rarex.ParseQuantity(q.String())
		if err != nil || back != q {
			t.Fatalf("%q → %s → %d (%v)", s, q, back, err)
		}
	})
}
