package office_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"rarex"
	"rarex/licensing"
	"rarex/office"
	"rarex/postgres"
	"rarex/postgres/pgtest"
	"rarex/rules"
	"rarex/screening"
	"rarex/sqlite"
	"rarex/workdays"
)

var pdf = []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

type world struct {
	svc                        *office.Service
	clock                      *rarex.FixedClock
	exporter, other            *rarex.User
	reviewer, reviewer2, admin *rarex.User
}

func setup(t *testing.T, db rarex.Store) *world {
	t.Helper()
	ctx := context.Background()
	for _, o := range []*rarex.Organisation{{ID: "o1", Name: "Ningbo Magnet Co.", Kind: rarex.OrgExporter, Country: "CN"}, {ID: "o2", Name: "Other Exporter", Kind: rarex.OrgExporter},
		{ID: "auth", Name: "Authority", Kind: rarex.OrgAuthority}} {
		if err := db.CreateOrg(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	regs, err := rules.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	proc, err := licensing.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	cal, err := workdays.China()
	if err != nil {
		t.Fatal(err)
	}
	clock := &rarex.FixedClock{T: time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)} // Monday morning in Beijing
	ids := &rarex.SequenceIDs{Prefix: "id"}
	scr := &screening.Service{Store: db, Clock: clock, IDs: ids}
	if err := scr.Load(ctx); err != nil {
		t.Fatal(err)
	}
	w := &world{clock: clock,
		svc:       &office.Service{Store: db, Clock: clock, IDs: ids, Regime: regs[0], Proc: proc, Cal: cal, Screening: scr, Policy: licensing.DefaultPolicy()},
		exporter:  &rarex.User{ID: "wei", OrgID: "o1", Name: "Wei", Role: rarex.RoleExporter},
		other:     &rarex.User{ID: "eve", OrgID: "o2", Name: "Eve", Role: rarex.RoleExporter},
		reviewer:  &rarex.User{ID: "zhang", OrgID: "auth", Name: "Zhang", Role: rarex.RoleReviewer},
		reviewer2: &rarex.User{ID: "li", OrgID: "auth", Name: "Li", Role: rarex.RoleReviewer},
		admin:     &rarex.User{ID: "root", OrgID: "auth", Name: "Admin", Role: rarex.RoleAdmin},
	}
	for _, u := range []*rarex.User{w.exporter, w.other, w.reviewer, w.reviewer2, w.admin} {
		u.Email, u.PasswordHash, u.CreatedAt, u.UpdatedAt = u.ID+"@example.com", "h", clock.T, clock.T
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	// A demo-style list so screening runs.
	list := "id,name,aliases,type,countries,list,meaning,date\ne1,Northern Ordnance Bureau,,organisation,KP,Test list,control_list,2026-01-01\n"
	if _, err := scr.Import(ctx, w.admin, screening.ImportRequest{ListID: "test", Format: "generic", File: "t.csv", Body: strings.NewReader(list)}); err != nil {
		t.Fatal(err)
	}
	return w
}

func sqliteDB(t *testing.T) rarex.Store {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "o.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func body() rarex.ApplicationBody {
	return rarex.ApplicationBody{
		Lines: []rarex.AppLine{{Description: "Sintered NdFeB magnets with Dy", Class: "magnet_ndfeb", Elements: []string{"Nd", "Fe", "B", "Dy"}, HSCode: "8505111000",
			Origin: "CN", Quantity: 800_000, Unit: "kg", Value: 40_000_00, Currency: "USD"}},
		ShipFrom: "CN", Destination: "KR",
		Consignee:   rarex.Party{Name: "Hanbit Motors Co., Ltd.", Country: "KR"},
		EndUser:     rarex.Party{Name: "Hanbit Motors Co., Ltd.", Country: "KR", Type: "civilian"},
		EndUse:      rarex.EndUseStatement{Category: "civilian_manufacturing", Statement: "Traction motors for electric buses."},
		LicenceType: rarex.LicenceIndividual, ValidityMonths: 12,
	}
}

func TestJourney(t *testing.T) {
	w := setup(t, sqliteDB(t))
	ctx := context.Background()
	svc := w.svc
	// The authority registers the exporter's compliance programme and the customer.
	if _, err := svc.SetProfile(ctx, w.admin, rarex.ExporterProfile{OrgID: "o1", ICPReference: "ICP-NB-0042", ICPRegistered: "2025-06-01"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddValidated(ctx, w.admin, "Hanbit Motors Co Ltd", "KR", "site visit 2025-09"); err != nil {
		t.Fatal(err)
	}
	a, err := svc.Create(ctx, w.exporter, body())
	if err != nil {
		t.Fatal(err)
	}
	if a.Number != "A-2026-00001" || a.State != rarex.AppDraft {
		t.Fatalf("created %s %s", a.Number, a.State)
	}
	// The other tenant cannot see it, nor act on it.
	if _, err := svc.Get(ctx, w.other, a.ID); rarex.ErrorCode(err) != rarex.ENOTFOUND {
		t.Fatalf("other tenant reads: %v", err)
	}
	if _, err := svc.Submit(ctx, w.other, a.ID, 0); rarex.ErrorCode(err) != rarex.ENOTFOUND {
		t.Fatalf("other tenant submits: %v", err)
	}
	if _, err := svc.Submit(ctx, w.reviewer, a.ID, 0); rarex.ErrorCode(err) != rarex.EFORBIDDEN {
		t.Fatalf("reviewer submits: %v", err)
	}
	// Submitted without documents: incomplete, no clock.
	a, err = svc.Submit(ctx, w.exporter, a.ID, a.Version)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := svc.Get(ctx, w.exporter, a.ID)
	if a.State != rarex.AppIncomplete || v.Deadline.Due != "" || len(v.Missing) != 3 {
		t.Fatalf("after submit: %s due %q missing %v", a.State, v.Deadline.Due, v.Missing)
	}
	if !v.Snapshot.NeedsLicence || v.Snapshot.Outcome != rules.LicenseRequired || !v.Snapshot.Green.Eligible {
		t.Fatalf("snapshot: %+v", v.Snapshot)
	}
	// A text file posing as a PDF is refused; so is an oversized one.
	if _, _, err := svc.AddDocument(ctx, w.exporter, a.ID, office.Upload{Kind: rarex.DocContract, Filename: "c.pdf", Data: []byte("not a pdf at all")}); rarex.ErrorCode(err) != rarex.EINVALID {
		t.Fatalf("text as pdf: %v", err)
	}
	big := append(append([]byte{}, pdf...), make([]byte, 11<<20)...)
	if _, _, err := svc.AddDocument(ctx, w.exporter, a.ID, office.Upload{Kind: rarex.DocContract, Filename: "c.pdf", Data: big}); rarex.ErrorCode(err) != rarex.ETOOLARGE {
		t.Fatalf("oversized: %v", err)
	}
	w.clock.Advance(24 * time.Hour) // Tuesday
	for _, k := range []rarex.DocKind{rarex.DocEndUserCert, rarex.DocEndUseCert, rarex.DocContract} {
		if _, a, err = svc.AddDocument(ctx, w.exporter, a.ID, office.Upload{Kind: k, Filename: string(k) + ".pdf", Data: pdf}); err != nil {
			t.Fatal(err)
		}
	}
	if a.State != rarex.AppUnderReview || a.ClockStart != "2026-03-03" || !a.Green || a.GreenDue == "" {
		t.Fatalf("complete: %s clock %s green %v %s", a.State, a.ClockStart, a.Green, a.GreenDue)
	}
	// The reviewer asks; the clock pauses; the exporter answers with a document.
	a, err = svc.RequestInformation(ctx, w.reviewer, a.ID, a.Version, "Please send the end-user certificate with a Chinese translation.")
	if err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(48 * time.Hour)
	d, _, err := svc.AddDocument(ctx, w.exporter, a.ID, office.Upload{Kind: rarex.DocOther, Filename: "translation.pdf", Data: pdf})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Answer(ctx, w.exporter, a.ID, 0, "Attached.", []string{"nope"}); rarex.ErrorCode(err) != rarex.EINVALID {
		t.Fatalf("answer with a foreign document: %v", err)
	}
	a, err = svc.Answer(ctx, w.exporter, a.ID, 0, "Translation attached.", []string{d.ID})
	if err != nil {
		t.Fatal(err)
	}
	if a.State != rarex.AppUnderReview || len(a.Pauses) != 1 || a.Pauses[0].To != "2026-03-05" {
		t.Fatalf("answered: %s %+v", a.State, a.Pauses)
	}
	// The reviewer approves: 40,000 USD is under the countersignature value.
	a, err = svc.Decide(ctx, w.reviewer, a.ID, a.Version, office.DecisionInput{Kind: rarex.DecisionApprove, Reasons: "Civilian end use, validated end user."})
	if err != nil {
		t.Fatal(err)
	}
	if a.State != rarex.AppApproved || a.LicenceID == "" {
		t.Fatalf("approved: %s %q", a.State, a.LicenceID)
	}
	lv, err := svc.Licence(ctx, w.exporter, a.LicenceID)
	if err != nil || lv.Licence.Number != "RE-I-2026-00001" || lv.QuantityLeft != 800_000 {
		t.Fatalf("licence: %+v %v", lv, err)
	}
	if _, err := svc.Licence(ctx, w.other, a.LicenceID); rarex.ErrorCode(err) != rarex.ENOTFOUND {
		t.Fatalf("other tenant's licence: %v", err)
	}
	// Three shipments; the balance falls; an over-shipment is refused.
	for _, q := range []rarex.Quantity{300_000, 200_000, 100_000} {
		if lv, err = svc.RecordShipment(ctx, w.exporter, a.LicenceID, office.ShipmentInput{Quantity: q, Value: 1_000_00, Consignee: "hanbit motors co., ltd."}); err != nil {
			t.Fatal(err)
		}
	}
	if lv.QuantityLeft != 200_000 || len(lv.Shipments) != 3 {
		t.Fatalf("after shipments: left %s, %d shipments", lv.QuantityLeft, len(lv.Shipments))
	}
	if _, err := svc.RecordShipment(ctx, w.exporter, a.LicenceID, office.ShipmentInput{Quantity: 200_001, Consignee: "Hanbit Motors Co., Ltd."}); rarex.ErrorCode(err) != rarex.ECONFLICT {
		t.Fatalf("over-shipment: %v", err)
	}
	if _, err := svc.RecordShipment(ctx, w.exporter, a.LicenceID, office.ShipmentInput{Quantity: 1, Consignee: "Somebody Else"}); rarex.ErrorCode(err) != rarex.EINVALID {
		t.Fatalf("unnamed consignee: %v", err)
	}
	// Admin suspends: shipments stop.
	if _, err := svc.SetLicenceStatus(ctx, w.reviewer, a.LicenceID, rarex.LicenceSuspended, "x"); rarex.ErrorCode(err) != rarex.EFORBIDDEN {
		t.Fatalf("reviewer suspends: %v", err)
	}
	if _, err := svc.SetLicenceStatus(ctx, w.admin, a.LicenceID, rarex.LicenceSuspended, "Customs query"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RecordShipment(ctx, w.exporter, a.LicenceID, office.ShipmentInput{Quantity: 1, Consignee: "Hanbit Motors Co., Ltd."}); rarex.ErrorCode(err) != rarex.ECONFLICT {
		t.Fatalf("shipment on a suspended licence: %v", err)
	}
	// The trail: every change, in order, including the authority's change
	// to the exporter's profile; the exporter sees its own only.
	evs, err := svc.Events(ctx, w.exporter, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range evs {
		actions = append(actions, e.Action)
	}
	want := "profile.set create submit document.add document.add document.add complete request_information document.add answer decide.approve licence.issue shipment.record shipment.record shipment.record licence.suspend"
	if strings.Join(actions, " ") != want {
		t.Errorf("trail:\n got %s\nwant %s", strings.Join(actions, " "), want)
	}
	if others, _ := svc.Events(ctx, w.other, 0, 0); len(others) != 0 {
		t.Errorf("the other tenant sees %d events", len(others))
	}
	if _, err := svc.Events(ctx, w.reviewer, 0, 0); rarex.ErrorCode(err) != rarex.EFORBIDDEN {
		t.Errorf("reviewer reads the feed: %v", err)
	}
	all, _ := svc.Events(ctx, w.admin, 0, 0)
	if len(all) != len(evs)+1 { // the register's change too
		t.Errorf("admin sees %d events, want %d", len(all), len(evs)+1)
	}
	// Watching: the parties are now screened on every list import.
	ps, _ := svc.Screening.Parties(ctx, w.exporter)
	if len(ps) != 1 || ps[0].Name != "Hanbit Motors Co., Ltd." {
		t.Errorf("watched parties: %+v", ps)
	}
}

func TestNotRequiredAndDenial(t *testing.T) {
	w := setup(t, sqliteDB(t))
	ctx := context.Background()
	b := body()
	b.Lines[0] = rarex.AppLine{Description: "Cerium oxide polishing powder", Class: "oxide", Elements: []string{"Ce"}, Origin: "CN", Quantity: 1000, Unit: "kg", Value: 5_00, Currency: "USD"}
	a, _ := w.svc.Create(ctx, w.exporter, b)
	a, err := w.svc.Submit(ctx, w.exporter, a.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := w.svc.Get(ctx, w.exporter, a.ID)
	if a.State != rarex.AppNotRequired || len(v.Snapshot.Why) == 0 {
		t.Fatalf("cerium oxide: %s %v", a.State, v.Snapshot.Why)
	}
	// A military end user on a list: screened, not green, denied with four eyes.
	b = body()
	b.EndUser = rarex.Party{Name: "Northern Ordnance Bureau", Country: "KP", Type: "military"}
	b.Destination = "KP"
	b.EndUse = rarex.EndUseStatement{Category: "civilian_manufacturing", Statement: "Motors for missile guidance fins"}
	a, _ = w.svc.Create(ctx, w.exporter, b)
	for _, k := range []rarex.DocKind{rarex.DocEndUserCert, rarex.DocEndUseCert, rarex.DocContract} {
		if _, _, err := w.svc.AddDocument(ctx, w.exporter, a.ID, office.Upload{Kind: k, Filename: "x.png", Data: append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...)}); err != nil {
			t.Fatal(err)
		}
	}
	a, err = w.svc.Submit(ctx, w.exporter, a.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	v, _ = w.svc.Get(ctx, w.reviewer, a.ID)
	if a.State != rarex.AppUnderReview || a.Green || v.Snapshot.Outcome != rules.PresumptionOfDenial {
		t.Fatalf("risky: %s green=%v outcome %s", a.State, a.Green, v.Snapshot.Outcome)
	}
	codes := map[string]bool{}
	for _, r := range v.Snapshot.Risks {
		codes[r.Code] = true
	}
	for _, c := range []string{"military_words", "embargoed_destination", "screening_hit", "end_user_type"} {
		if !codes[c] {
			t.Errorf("risk %s missing: %+v", c, v.Snapshot.Risks)
		}
	}
	var rule string
	for _, r := range v.Snapshot.Lines[0].Determination.Reasons {
		if r.Outcome == rules.PresumptionOfDenial {
			rule = r.Rule
		}
	}
	a, err = w.svc.Decide(ctx, w.reviewer, a.ID, 0, office.DecisionInput{Kind: rarex.DecisionDeny, Reasons: "End user on the control list.", RuleIDs: []string{rule}})
	if err != nil || a.State != rarex.AppCountersign {
		t.Fatalf("deny: %v %s", err, a.State)
	}
	if _, err := w.svc.Countersign(ctx, w.reviewer, a.ID, 0); rarex.ErrorCode(err) != rarex.EFORBIDDEN {
		t.Fatalf("self-countersign: %v", err)
	}
	if _, err := w.svc.Withdraw(ctx, w.exporter, a.ID, 0); rarex.ErrorCode(err) != rarex.ECONFLICT {
		t.Fatalf("withdraw while countersigning: %v", err)
	}
	a, err = w.svc.Countersign(ctx, w.reviewer2, a.ID, 0)
	if err != nil || a.State != rarex.AppDenied || a.Decision.CounterBy != "li" {
		t.Fatalf("countersigned: %v %s", err, a.State)
	}
}

// TestConcurrentDecisions: two reviewers act at once; exactly one wins.
func TestConcurrentDecisions(t *testing.T) {
	stores := map[string]func(t *testing.T) rarex.Store{"sqlite": sqliteDB, "postgres": func(t *testing.T) rarex.Store {
		db, err := postgres.Open(context.Background(), pgtest.DSN(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			w := setup(t, open(t))
			ctx := context.Background()
			a, _ := w.svc.Create(ctx, w.exporter, body())
			for _, k := range []rarex.DocKind{rarex.DocEndUserCert, rarex.DocEndUseCert, rarex.DocContract} {
				_, _, _ = w.svc.AddDocument(ctx, w.exporter, a.ID, office.Upload{Kind: k, Filename: "x.pdf", Data: pdf})
			}
			a, err := w.svc.Submit(ctx, w.exporter, a.ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, r := range []*rarex.User{w.reviewer, w.reviewer2} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if i == 0 {
						_, errs[i] = w.svc.Decide(ctx, r, a.ID, a.Version, office.DecisionInput{Kind: rarex.DecisionApprove, Reasons: "ok"})
					} else {
						_, errs[i] = w.svc.RequestInformation(ctx, r, a.ID, a.Version, "Why?")
					}
				}()
			}
			wg.Wait()
			ok, conflicts := 0, 0
			for _, err := range errs {
				switch rarex.ErrorCode(err) {
				case "":
					ok++
				case rarex.ECONFLICT:
					conflicts++
				default:
					t.Errorf("unexpected: %v", err)
				}
			}
			if ok != 1 || conflicts != 1 {
				t.Fatalf("%d won, %d conflicts: %v", ok, conflicts, errs)
			}
		})
	}
}

func TestDraftsArePrivate(t *testing.T) {
	w := setup(t, sqliteDB(t))
	ctx := context.Background()
	a, err := w.svc.Create(ctx, w.exporter, body())
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []*rarex.User{w.reviewer, w.admin, w.other} {
		if _, err := w.svc.Get(ctx, u, a.ID); rarex.ErrorCode(err) != rarex.ENOTFOUND {
			t.Errorf("%s reads a draft: %v", u.Role, err)
		}
	}
	rows, _, _ := w.svc.Queue(ctx, w.reviewer, office.QueueFilter{All: true})
	if len(rows) != 0 {
		t.Errorf("the queue shows a draft")
	}
}

// TestLastDocumentsAtOnce: the two last documents uploaded at the same time
// both succeed and the review starts once.
func TestLastDocumentsAtOnce(t *testing.T) {
	w := setup(t, sqliteDB(t))
	ctx := context.Background()
	for range 5 {
		a, _ := w.svc.Create(ctx, w.exporter, body())
		w.svc.AddDocument(ctx, w.exporter, a.ID, office.Upload{Kind: rarex.DocContract, Filename: "c.pdf", Data: pdf})
		a, err := w.svc.Submit(ctx, w.exporter, a.ID, 0)
		if err != nil || a.State != rarex.AppIncomplete {
			t.Fatalf("submit: %v %s", err, a.State)
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, k := range []rarex.DocKind{rarex.DocEndUserCert, rarex.DocEndUseCert} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _, errs[i] = w.svc.AddDocument(ctx, w.exporter, a.ID, office.Upload{Kind: k, Filename: "x.pdf", Data: pdf})
			}()
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil {
			t.Fatalf("concurrent last documents: %v, %v", errs[0], errs[1])
		}
		v, _ := w.svc.Get(ctx, w.exporter, a.ID)
		completes := 0
		for _, e := range v.History {
			if e.Action == "complete" {
				completes++
			}
		}
		if v.App.State != rarex.AppUnderReview || completes != 1 {
			t.Fatalf("state %s after %d completions", v.App.State, completes)
		}
	}
}
