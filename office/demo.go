package office

import (
	"context"
	"fmt"
	"slices"
	"time"

	"rarex"
	"rarex/licensing"
)

// Demo logins the office's demo data acts as (accounts.SeedDemo makes them).
const (
	DemoExporter  = "wei@ningbo.example"
	DemoReviewer  = "zhang@authority.example"
	DemoReviewer2 = "li@authority.example"
	DemoAdmin     = "admin@authority.example"
	DemoHistory   = "bao@baotou.example" // the exporter whose past decisions fill the statistics
)

// demoPDF is a minimal, valid one-page PDF for the demo's documents.
var demoPDF = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
	"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

// SeedDemo fills the office with applications in every state, so a new
// user sees a living office: it runs once, when the demo exporter has no
// application yet. Applications are made with the clock set back, so
// their deadlines, pauses and an overdue case are real.
func (s *Service) SeedDemo(ctx context.Context) error {
	users := map[string]*rarex.User{}
	for _, e := range []string{DemoExporter, DemoReviewer, DemoReviewer2, DemoAdmin} {
		u, err := s.Store.FindUserByEmail(ctx, e)
		if err != nil {
			return fmt.Errorf("demo user %s: %w", e, err)
		}
		users[e] = u
	}
	wei, zhang, li, admin := users[DemoExporter], users[DemoReviewer], users[DemoReviewer2], users[DemoAdmin]
	if apps, err := s.Store.Applications(ctx, rarex.ApplicationFilter{OrgID: wei.OrgID, Limit: 1}); err != nil || len(apps) > 0 {
		return err
	}
	now := s.Clock.Now()
	clock := &rarex.FixedClock{T: now.AddDate(0, 0, -100)}
	d := *s
	d.Clock = clock
	at := func(daysAgo int) { clock.T = now.AddDate(0, 0, -daysAgo) }

	at(100)
	if _, err := d.SetProfile(ctx, admin, rarex.ExporterProfile{OrgID: wei.OrgID, ICPReference: "ICP-ZJ-2025-0042", ICPRegistered: "2025-06-18"}); err != nil {
		return err
	}
	for _, v := range [][3]string{{"Hanbit Motors Co., Ltd.", "KR", "Site visit 2025-09; EV traction motors"}, {"Rheinwind Turbinen GmbH", "DE", "Wind-turbine generators"}, {"Sakura Servo K.K.", "JP", "Industrial servo motors"}} {
		if _, err := d.AddValidated(ctx, admin, v[0], v[1], v[2]); err != nil && rarex.ErrorCode(err) != rarex.ECONFLICT {
			return err
		}
	}
	magnet := func(qty rarex.Quantity, value rarex.Money) rarex.AppLine {
		return rarex.AppLine{Description: "Sintered NdFeB magnets N48SH, Dy-diffused", Class: "magnet_ndfeb", Elements: []string{"Nd", "Pr", "Fe", "B", "Dy"},
			HSCode: "8505111000", Origin: "CN", Quantity: qty, Unit: "kg", Value: value, Currency: "USD"}
	}
	party := func(name, country string) rarex.Party {
		return rarex.Party{Name: name, Country: country, Type: "civilian"}
	}
	civilian := func(consignee rarex.Party, dest, statement string, lines ...rarex.AppLine) rarex.ApplicationBody {
		return rarex.ApplicationBody{Lines: lines, ShipFrom: "CN", Destination: dest, Consignee: consignee, EndUser: consignee,
			EndUse: rarex.EndUseStatement{Category: "civilian_manufacturing", Statement: statement}, ContractRef: "NMW-" + dest + "-2026",
			LicenceType: rarex.LicenceIndividual, ValidityMonths: 12}
	}
	hanbit := party("Hanbit Motors Co., Ltd.", "KR")
	rhein := party("Rheinwind Turbinen GmbH", "DE")
	sakura := party("Sakura Servo K.K.", "JP")
	docs := func(a *rarex.Application, kinds ...rarex.DocKind) error {
		for _, k := range kinds {
			if _, _, err := d.AddDocument(ctx, wei, a.ID, Upload{Kind: k, Filename: string(k) + ".pdf", Data: demoPDF}); err != nil {
				return err
			}
		}
		return nil
	}
	all := []rarex.DocKind{rarex.DocEndUserCert, rarex.DocEndUseCert, rarex.DocContract}
	// submit creates an application daysAgo and submits it with its documents.
	submit := func(daysAgo int, b rarex.ApplicationBody, kinds ...rarex.DocKind) (*rarex.Application, error) {
		at(daysAgo)
		a, err := d.Create(ctx, wei, b)
		if err != nil {
			return nil, err
		}
		if err := docs(a, kinds...); err != nil {
			return nil, err
		}
		return d.Submit(ctx, wei, a.ID, 0)
	}

	// 1. Approved on the green channel, with two shipments drawn.
	a, err := submit(90, civilian(hanbit, "KR", "Traction motors for electric buses built in Ulsan.", magnet(2_000_000, 190_000_00)), all...)
	if err != nil {
		return err
	}
	at(83)
	if a, err = d.Decide(ctx, zhang, a.ID, 0, DecisionInput{Kind: rarex.DecisionApprove, Reasons: "Validated civilian end user; quantities match the contract."}); err != nil {
		return err
	}
	for i, q := range []rarex.Quantity{600_000, 450_000} {
		at(70 - 20*i)
		if _, err := d.RecordShipment(ctx, wei, a.LicenceID, ShipmentInput{Quantity: q, Value: rarex.Money(q/1000) * 95_00, Consignee: hanbit.Name, Reference: fmt.Sprintf("CUS-2026-%04d", 311+i)}); err != nil {
			return err
		}
	}
	// 2. A general licence, later suspended by the admin.
	gb := civilian(rhein, "DE", "Permanent-magnet generators for 6 MW offshore wind turbines.", magnet(8_000_000, 1_520_000_00))
	gb.LicenceType, gb.ValidityMonths = rarex.LicenceGeneral, 24
	if a, err = submit(80, gb, all...); err != nil {
		return err
	}
	at(60)
	if a, err = d.Decide(ctx, zhang, a.ID, 0, DecisionInput{Kind: rarex.DecisionApprove, Reasons: "Repeat customer; general licence for the framework contract."}); err != nil {
		return err
	}
	at(58)
	if a, err = d.Countersign(ctx, li, a.ID, 0); err != nil {
		return err
	}
	at(20)
	if _, err := d.SetLicenceStatus(ctx, admin, a.LicenceID, rarex.LicenceSuspended, "Customs query on consignment CUS-2026-0420 pending."); err != nil {
		return err
	}
	// 3. Overdue: a standard case submitted 75 days ago and still open.
	ob := civilian(party("Pacific Drive Systems Inc.", "US"), "US", "Servo motors for packaging machines.", magnet(300_000, 28_000_00))
	if _, err = submit(75, ob, all...); err != nil {
		return err
	}
	// 4. Information requested, clock paused.
	if a, err = submit(12, civilian(sakura, "JP", "Servo motors for factory robots.", magnet(150_000, 14_500_00)), all...); err != nil {
		return err
	}
	at(6)
	if _, err := d.RequestInformation(ctx, zhang, a.ID, 0, "Please send the end-user certificate signed by Sakura Servo's managing director, with a Chinese translation."); err != nil {
		return err
	}
	// 5. Green channel, fresh in the queue.
	if _, err = submit(3, civilian(hanbit, "KR", "Second lot for the Ulsan bus-motor line.", magnet(500_000, 47_000_00)), all...); err != nil {
		return err
	}
	// 6. A denial waiting for its countersignature: the end user is listed.
	nb := civilian(rarex.Party{Name: "Northwind Defence Electronics Co. Ltd.", Country: "US", Type: "military"}, "US", "Actuators for missile fin control.", magnet(80_000, 9_000_00))
	nb.EndUse.Category = "military"
	if a, err = submit(20, nb, all...); err != nil {
		return err
	}
	at(9)
	if _, err := d.Decide(ctx, zhang, a.ID, 0, DecisionInput{Kind: rarex.DecisionDeny, Reasons: "The end user is on the export-control list; military end use.", RuleIDs: firedRules(a)}); err != nil {
		return err
	}
	// 7. Denied, countersigned.
	kb := civilian(rarex.Party{Name: "Karelia Precision Magnetics OOO", Country: "RU", Type: "civilian"}, "RU", "Magnet assemblies for export.", magnet(120_000, 11_000_00))
	kb.Intermediaries = []rarex.Party{{Name: "Blue Lagoon Trading FZE", Country: "AE", Type: "forwarder"}}
	if a, err = submit(40, kb, all...); err != nil {
		return err
	}
	at(30)
	if a, err = d.Decide(ctx, zhang, a.ID, 0, DecisionInput{Kind: rarex.DecisionDeny, Reasons: "Consignee on the watch list; diversion risk through a third-country forwarder.", RuleIDs: firedRules(a)}); err != nil {
		return err
	}
	at(29)
	if _, err := d.Countersign(ctx, li, a.ID, 0); err != nil {
		return err
	}
	// 8. No licence needed: cerium oxide is not a listed item.
	ce := civilian(party("Lumen Glass Polishing Ltd.", "GB"), "GB", "Polishing powder for optical glass.",
		rarex.AppLine{Description: "Cerium oxide polishing powder", Class: "oxide", Elements: []string{"Ce"}, HSCode: "2846101000", Origin: "CN", Quantity: 2_000_000, Unit: "kg", Value: 9_000_00, Currency: "USD"})
	if _, err = submit(15, ce); err != nil {
		return err
	}
	// 9. Incomplete: the contract is missing, so the clock has not started.
	if _, err = submit(2, civilian(sakura, "JP", "Spare magnets for installed servo motors.", magnet(20_000, 2_100_00)), rarex.DocEndUserCert, rarex.DocEndUseCert); err != nil {
		return err
	}
	// 10. Withdrawn.
	if a, err = submit(25, civilian(rhein, "DE", "Prototype generator magnets.", magnet(5_000, 600_00)), all...); err != nil {
		return err
	}
	at(24)
	if _, err := d.Withdraw(ctx, wei, a.ID, 0); err != nil {
		return err
	}
	// 11. A draft.
	at(0)
	if _, err = d.Create(ctx, wei, civilian(hanbit, "KR", "Next year's volume for the bus-motor line.", magnet(3_000_000, 290_000_00))); err != nil {
		return err
	}
	return d.seedHistory(ctx, clock, now, users)
}

// seedHistory gives the monitor six months of decisions by a second
// exporter: enough applications per month that the published statistics
// are not all withheld under k = 5. The sequence is fixed, so every demo
// shows the same figures.
func (d *Service) seedHistory(ctx context.Context, clock *rarex.FixedClock, now time.Time, users map[string]*rarex.User) error {
	bao, err := d.Store.FindUserByEmail(ctx, DemoHistory)
	if err != nil {
		return fmt.Errorf("demo user %s: %w", DemoHistory, err)
	}
	zhang, li, admin := users[DemoReviewer], users[DemoReviewer2], users[DemoAdmin]
	if _, err := d.SetProfile(ctx, admin, rarex.ExporterProfile{OrgID: bao.OrgID, ICPReference: "ICP-NM-2024-0007", ICPRegistered: "2024-03-01"}); err != nil {
		return err
	}
	type buyer struct{ name, country string }
	buyers := []buyer{{"Hanbit Motors Co., Ltd.", "KR"}, {"Rheinwind Turbinen GmbH", "DE"}, {"Sakura Servo K.K.", "JP"},
		{"Lone Star Motors LLC", "US"}, {"Saigon Magnetics JSC", "VN"}, {"Pune Drives Pvt. Ltd.", "IN"}}
	items := []rarex.AppLine{
		{Description: "Dysprosium metal, 99.9%", Class: "metal", Elements: []string{"Dy"}, HSCode: "2805301200", Origin: "CN", Quantity: 50_000, Unit: "kg", Value: 17_500_00, Currency: "USD"},
		{Description: "Terbium oxide, 99.99%", Class: "oxide", Elements: []string{"Tb"}, HSCode: "2846901930", Origin: "CN", Quantity: 20_000, Unit: "kg", Value: 19_000_00, Currency: "USD"},
		{Description: "Sintered NdFeB magnets, Dy-diffused", Class: "magnet_ndfeb", Elements: []string{"Nd", "Fe", "B", "Dy"}, HSCode: "8505111000", Origin: "CN", Quantity: 400_000, Unit: "kg", Value: 36_000_00, Currency: "USD"},
	}
	docs := []rarex.DocKind{rarex.DocEndUserCert, rarex.DocEndUseCert, rarex.DocContract}
	for i := range 66 {
		b, it := buyers[i%len(buyers)], items[(i/2)%len(items)]
		body := rarex.ApplicationBody{Lines: []rarex.AppLine{it}, ShipFrom: "CN", Destination: b.country,
			Consignee: rarex.Party{Name: b.name, Country: b.country}, EndUser: rarex.Party{Name: b.name, Country: b.country, Type: "civilian"},
			EndUse:      rarex.EndUseStatement{Category: "civilian_manufacturing", Statement: "Motors and generators."},
			LicenceType: rarex.LicenceIndividual, ValidityMonths: 12}
		submitted := 185 - i*5/2 // from six months ago, one every two or three days
		clock.T = now.AddDate(0, 0, -submitted)
		a, err := d.Create(ctx, bao, body)
		if err != nil {
			return err
		}
		for _, k := range docs {
			if _, _, err := d.AddDocument(ctx, bao, a.ID, Upload{Kind: k, Filename: string(k) + ".pdf", Data: demoPDF}); err != nil {
				return err
			}
		}
		if a, err = d.Submit(ctx, bao, a.ID, 0); err != nil {
			return err
		}
		// Green applications are decided within days, standard ones within weeks.
		wait := 14 + (i*7)%40
		if a.Green {
			wait = 4 + i%9
		}
		if wait >= submitted {
			continue // still open
		}
		clock.T = now.AddDate(0, 0, -submitted+wait)
		switch {
		case i%11 == 5:
			_, err = d.Withdraw(ctx, bao, a.ID, 0)
		case i%9 == 4:
			if _, err = d.Decide(ctx, zhang, a.ID, 0, DecisionInput{Kind: rarex.DecisionDeny, Reasons: "End-use statement not substantiated.", RuleIDs: firedRules(a)}); err == nil {
				_, err = d.Countersign(ctx, li, a.ID, 0)
			}
		default:
			_, err = d.Decide(ctx, zhang, a.ID, 0, DecisionInput{Kind: rarex.DecisionApprove, Reasons: "Civilian end use, documents complete."})
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// firedRules lists the rules that fired on an application's lines at
// submission: what a denial cites.
func firedRules(a *rarex.Application) []string {
	snap, err := licensing.DecodeSnapshot(a.Snapshot)
	if err != nil || snap == nil {
		return nil
	}
	var out []string
	for _, l := range snap.Lines {
		for _, r := range l.Determination.Reasons {
			if !slices.Contains(out, r.Rule) {
				out = append(out, r.Rule)
			}
		}
	}
	return out
}
