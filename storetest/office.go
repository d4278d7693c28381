package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"rarex"
)

var evN atomic.Int64

func officeApp(id, org string) *rarex.Application {
	return &rarex.Application{ID: id, OrgID: org, OrgName: "Exporter One", State: rarex.AppDraft, CreatedBy: "u1", CreatedAt: t0, UpdatedAt: t0,
		Body: rarex.ApplicationBody{Lines: []rarex.AppLine{{Description: "Dy metal", Class: "metal", Elements: []string{"Dy"}, Quantity: 12_500, Unit: "kg", Value: 99_999_99, Currency: "USD"}},
			ShipFrom: "CN", Destination: "DE", Consignee: rarex.Party{Name: "Käufer GmbH", Country: "DE"}, EndUser: rarex.Party{Name: "Käufer GmbH", Country: "DE", Type: "civilian"},
			EndUse: rarex.EndUseStatement{Category: "civilian_manufacturing", Statement: "Magnets for wind turbines"}, LicenceType: rarex.LicenceGeneral, ValidityMonths: 12}}
}

func event(org, action string) *rarex.AuditEvent {
	return &rarex.AuditEvent{ID: fmt.Sprintf("ev-%s-%s-%d", org, action, evN.Add(1)), OrgID: org, Subject: "application", Action: action, ActorID: "u1", ActorRole: rarex.RoleExporter, At: t0,
		After: json.RawMessage(`{"state":"draft"}`)}
}

func testApplications(t *testing.T, s rarex.Store) {
	ctx := context.Background()
	mustOrg(t, s, "o1", "Exporter One", rarex.OrgExporter)
	mustOrg(t, s, "o2", "Exporter Two", rarex.OrgExporter)
	a := officeApp("a1", "o1")
	if err := s.CreateApplication(ctx, a, event("o1", "create")); err != nil {
		t.Fatal(err)
	}
	b := officeApp("a2", "o2")
	if err := s.CreateApplication(ctx, b, event("o2", "create")); err != nil {
		t.Fatal(err)
	}
	if a.Number != "A-2026-00001" || b.Number != "A-2026-00002" || a.Version != 1 {
		t.Fatalf("numbers %s %s version %d", a.Number, b.Number, a.Version)
	}
	if err := s.CreateApplication(ctx, officeApp("a1", "o1"), nil); rarex.ErrorCode(err) != rarex.ECONFLICT {
		t.Errorf("same id twice: %v", err)
	}
	got, err := s.Application(ctx, "a1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Body.Lines[0].Quantity != 12_500 || got.Body.Consignee.Name != "Käufer GmbH" || !got.CreatedAt.Equal(us(t0)) {
		t.Errorf("round trip: %+v", got)
	}
	if _, err := s.Application(ctx, "nope"); rarex.ErrorCode(err) != rarex.ENOTFOUND {
		t.Errorf("missing: %v", err)
	}
	list, err := s.Applications(ctx, rarex.ApplicationFilter{OrgID: "o1"})
	if err != nil || len(list) != 1 || list[0].ID != "a1" {
		t.Fatalf("o1's applications: %v %v", list, err)
	}
	// Compare-and-swap on the version.
	got.State = rarex.AppUnderReview
	if err := s.UpdateApplication(ctx, got, 1, []*rarex.AuditEvent{event("o1", "submit")}, nil); err != nil {
		t.Fatal(err)
	}
	stale := officeApp("a1", "o1")
	stale.State = rarex.AppWithdrawn
	if err := s.UpdateApplication(ctx, stale, 1, []*rarex.AuditEvent{event("o1", "withdraw")}, nil); rarex.ErrorCode(err) != rarex.ECONFLICT {
		t.Fatalf("stale write: %v", err)
	}
	if err := s.UpdateApplication(ctx, officeApp("zz", "o1"), 1, nil, nil); rarex.ErrorCode(err) != rarex.ENOTFOUND {
		t.Errorf("update of a missing application: %v", err)
	}
	list, _ = s.Applications(ctx, rarex.ApplicationFilter{States: []rarex.AppState{rarex.AppUnderReview, rarex.AppCountersign}})
	if len(list) != 1 || list[0].Version != 2 {
		t.Fatalf("by state: %v", list)
	}
	// The stale write left no event behind.
	evs, err := s.Events(ctx, rarex.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 3 || evs[0].Seq != 1 || evs[2].Seq != 3 || evs[2].Action != "submit" || evs[2].SubjectID != "a1" || !bytes.Equal(evs[0].After, []byte(`{"state":"draft"}`)) {
		t.Fatalf("events: %+v", evs)
	}
	if evs[0].SubjectID != "a1" {
		t.Errorf("create event subject %q", evs[0].SubjectID)
	}
	mine, _ := s.Events(ctx, rarex.EventFilter{OrgID: "o2"})
	after, _ := s.Events(ctx, rarex.EventFilter{After: 2})
	if len(mine) != 1 || mine[0].OrgID != "o2" || len(after) != 1 || after[0].Seq != 3 {
		t.Errorf("filters: %v %v", mine, after)
	}

	// Documents.
	d := &rarex.Document{ID: "d1", ApplicationID: "a1", OrgID: "o1", Kind: rarex.DocContract, Filename: "contract.pdf", ContentType: "application/pdf", Size: 9, SHA256: "abc", UploadedBy: "u1", UploadedAt: t0}
	if err := s.AddDocument(ctx, d, []byte("%PDF-1.7\n"), event("o1", "document")); err != nil {
		t.Fatal(err)
	}
	docs, _ := s.Documents(ctx, "a1")
	dd, data, err := s.DocumentData(ctx, "d1")
	if err != nil || len(docs) != 1 || docs[0].Kind != rarex.DocContract || string(data) != "%PDF-1.7\n" || dd.Size != 9 {
		t.Fatalf("documents: %v %v %q", docs, err, data)
	}
	if err := s.AddDocument(ctx, &rarex.Document{ID: "d2", ApplicationID: "none", OrgID: "o1", Kind: rarex.DocContract, UploadedAt: t0}, []byte("x"), nil); rarex.ErrorCode(err) != rarex.EINVALID {
		t.Errorf("document of a missing application: %v", err)
	}
}

func issue(t *testing.T, s rarex.Store, appID string, limitQ rarex.Quantity, limitV rarex.Money) *rarex.Licence {
	t.Helper()
	ctx := context.Background()
	a, err := s.Application(ctx, appID)
	if err != nil {
		t.Fatal(err)
	}
	a.State = rarex.AppApproved
	l := &rarex.Licence{ID: "l-" + appID, ApplicationID: appID, OrgID: a.OrgID, Type: rarex.LicenceGeneral, Status: rarex.LicenceActive,
		ValidFrom: "2026-01-01", ValidTo: "2026-12-31", Unit: "kg", Currency: "USD", QuantityLimit: limitQ, ValueLimit: limitV,
		Consignees: []string{"Käufer GmbH"}, IssuedAt: t0, UpdatedAt: t0}
	if err := s.UpdateApplication(ctx, a, a.Version, []*rarex.AuditEvent{event(a.OrgID, "approve")}, l); err != nil {
		t.Fatal(err)
	}
	return l
}

func testLicences(t *testing.T, s rarex.Store) {
	ctx := context.Background()
	mustOrg(t, s, "o1", "Exporter One", rarex.OrgExporter)
	mustOrg(t, s, "o2", "Exporter Two", rarex.OrgExporter)
	for _, id := range []string{"a1", "a2"} {
		if err := s.CreateApplication(ctx, officeApp(id, "o1"), nil); err != nil {
			t.Fatal(err)
		}
	}
	l := issue(t, s, "a1", 10_000, 1000_00)
	if l.Number != "RE-G-2026-00001" {
		t.Errorf("number %s", l.Number)
	}
	a, _ := s.Application(ctx, "a1")
	if a.LicenceID != l.ID {
		t.Errorf("application's licence %q", a.LicenceID)
	}
	ship := func(id, date string, q rarex.Quantity, v rarex.Money, org string) (*rarex.Licence, error) {
		return s.RecordShipment(ctx, &rarex.Shipment{ID: id, LicenceID: l.ID, OrgID: org, Date: date, Quantity: q, Value: v, Consignee: "Käufer GmbH", CreatedBy: "u1", CreatedAt: t0}, event(org, "ship"))
	}
	got, err := ship("s1", "2026-03-01", 4_000, 100_00, "o1")
	if err != nil || got.QuantityUsed != 4_000 || got.ValueUsed != 100_00 || got.Status != rarex.LicenceActive || got.Version != 2 {
		t.Fatalf("first shipment: %+v %v", got, err)
	}
	for _, c := range []struct {
		id, date string
		q        rarex.Quantity
		v        rarex.Money
		org      string
		code     string
	}{
		{"x1", "2026-03-02", 6_001, 1, "o1", rarex.ECONFLICT},  // beyond the quantity
		{"x2", "2026-03-02", 1, 900_01, "o1", rarex.ECONFLICT}, // beyond the value
		{"x3", "2027-01-01", 1, 1, "o1", rarex.ECONFLICT},      // after expiry
		{"x4", "2025-12-31", 1, 1, "o1", rarex.ECONFLICT},      // before validity
		{"x5", "2026-03-02", 1, 1, "o2", rarex.ENOTFOUND},      // another tenant's licence
	} {
		if _, err := ship(c.id, c.date, c.q, c.v, c.org); rarex.ErrorCode(err) != c.code {
			t.Errorf("%s: %v, want %s", c.id, err, c.code)
		}
	}
	shs, _ := s.Shipments(ctx, l.ID)
	if len(shs) != 1 || shs[0].Quantity != 4_000 {
		t.Fatalf("refused shipments were stored: %+v", shs)
	}
	// Suspension stops shipments; the version guards the change.
	cur, _ := s.Licence(ctx, l.ID)
	cur.Status, cur.Reason = rarex.LicenceSuspended, "investigation"
	if err := s.SetLicenceStatus(ctx, cur, cur.Version, event("o1", "suspend")); err != nil {
		t.Fatal(err)
	}
	if err := s.SetLicenceStatus(ctx, cur, cur.Version-1, nil); rarex.ErrorCode(err) != rarex.ECONFLICT {
		t.Errorf("stale status change: %v", err)
	}
	if _, err := ship("x6", "2026-03-03", 1, 1, "o1"); rarex.ErrorCode(err) != rarex.ECONFLICT {
		t.Errorf("shipment on a suspended licence: %v", err)
	}
	cur.Status = rarex.LicenceActive
	if err := s.SetLicenceStatus(ctx, cur, cur.Version, nil); err != nil {
		t.Fatal(err)
	}
	got, err = ship("s2", "2026-03-04", 6_000, 1, "o1")
	if err != nil || got.Status != rarex.LicenceExhausted {
		t.Fatalf("exhausting shipment: %+v %v", got, err)
	}
	ls, _ := s.Licences(ctx, "o1")
	none, _ := s.Licences(ctx, "o2")
	if len(ls) != 1 || ls[0].Status != rarex.LicenceExhausted || ls[0].Reason != "investigation" || len(none) != 0 {
		t.Errorf("licences: %+v %v", ls, none)
	}
	// A second licence numbers on; an application gets one licence only.
	l2 := issue(t, s, "a2", 1, 1)
	if l2.Number != "RE-G-2026-00002" {
		t.Errorf("second number %s", l2.Number)
	}
}

// testDrawDownRace ships concurrently against one licence: exactly as many
// shipments succeed as fit, and the total never passes the limit.
func testDrawDownRace(t *testing.T, s rarex.Store) {
	ctx := context.Background()
	mustOrg(t, s, "o1", "Exporter One", rarex.OrgExporter)
	if err := s.CreateApplication(ctx, officeApp("a1", "o1"), nil); err != nil {
		t.Fatal(err)
	}
	l := issue(t, s, "a1", 25_000, 1_000_000_00) // 25 kg; each shipment is 1 kg
	const workers, each = 8, 5
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, failures := 0, []error{}
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				_, err := s.RecordShipment(ctx, &rarex.Shipment{ID: fmt.Sprintf("s%d-%d", w, i), LicenceID: l.ID, OrgID: "o1", Date: "2026-05-01", Quantity: 1_000, Value: 1,
					Consignee: "Käufer GmbH", CreatedAt: t0}, event("o1", "ship"))
				mu.Lock()
				switch rarex.ErrorCode(err) {
				case "":
					ok++
				case rarex.ECONFLICT:
				default:
					failures = append(failures, err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("%d shipments failed unexpectedly, first: %v", len(failures), failures[0])
	}
	got, _ := s.Licence(ctx, l.ID)
	shs, _ := s.Shipments(ctx, l.ID)
	if ok != 25 || len(shs) != 25 || got.QuantityUsed != 25_000 || got.Status != rarex.LicenceExhausted {
		t.Fatalf("%d shipments succeeded (%d stored), used %s, status %s; want 25, 25 kg, exhausted", ok, len(shs), got.QuantityUsed, got.Status)
	}
}

// testDecisionRace has reviewers act on one application at once, each from
// the version they read: exactly one wins.
func testDecisionRace(t *testing.T, s rarex.Store) {
	ctx := context.Background()
	mustOrg(t, s, "o1", "Exporter One", rarex.OrgExporter)
	if err := s.CreateApplication(ctx, officeApp("a1", "o1"), nil); err != nil {
		t.Fatal(err)
	}
	const reviewers = 6
	read := make([]*rarex.Application, reviewers)
	for i := range read {
		read[i], _ = s.Application(ctx, "a1")
	}
	var wg sync.WaitGroup
	errs := make([]error, reviewers)
	for i := range reviewers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := read[i]
			a.State = rarex.AppDenied
			a.Messages = append(a.Messages, rarex.Message{ID: fmt.Sprint("m", i), Body: fmt.Sprint("reviewer ", i)})
			errs[i] = s.UpdateApplication(ctx, a, 1, []*rarex.AuditEvent{event("o1", fmt.Sprint("deny", i))}, nil)
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch rarex.ErrorCode(err) {
		case "":
			won++
		case rarex.ECONFLICT:
		default:
			t.Errorf("unexpected: %v", err)
		}
	}
	got, _ := s.Application(ctx, "a1")
	evs, _ := s.Events(ctx, rarex.EventFilter{SubjectID: "a1"})
	if won != 1 || got.Version != 2 || len(got.Messages) != 1 || len(evs) != 1 {
		t.Fatalf("%d won, version %d, %d messages, %d events; want exactly one winner", won, got.Version, len(got.Messages), len(evs))
	}
}

func testRegisters(t *testing.T, s rarex.Store) {
	ctx := context.Background()
	mustOrg(t, s, "o1", "Exporter One", rarex.OrgExporter)
	v := &rarex.ValidatedEndUser{ID: "v1", Name: "Hanbit Motors", Country: "KR", AddedBy: "admin", AddedAt: t0}
	if err := s.AddValidatedEndUser(ctx, v, event("", "register.add")); err != nil {
		t.Fatal(err)
	}
	if err := s.AddValidatedEndUser(ctx, &rarex.ValidatedEndUser{ID: "v2", Name: "Hanbit Motors", Country: "KR", AddedAt: t0}, nil); rarex.ErrorCode(err) != rarex.ECONFLICT {
		t.Errorf("twice: %v", err)
	}
	vs, _ := s.ValidatedEndUsers(ctx)
	if len(vs) != 1 || vs[0].Name != "Hanbit Motors" {
		t.Fatalf("register: %v", vs)
	}
	if err := s.DeleteValidatedEndUser(ctx, "v1", nil); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteValidatedEndUser(ctx, "v1", nil); rarex.ErrorCode(err) != rarex.ENOTFOUND {
		t.Errorf("delete twice: %v", err)
	}
	p, err := s.ExporterProfile(ctx, "o1")
	if err != nil || p.ICPReference != "" {
		t.Fatalf("empty profile: %+v %v", p, err)
	}
	for _, ref := range []string{"ICP-1", "ICP-2"} {
		if err := s.SetExporterProfile(ctx, &rarex.ExporterProfile{OrgID: "o1", ICPReference: ref, LastViolation: "2020-05-01", UpdatedBy: "admin", UpdatedAt: t0}, nil); err != nil {
			t.Fatal(err)
		}
	}
	p, _ = s.ExporterProfile(ctx, "o1")
	if p.ICPReference != "ICP-2" || p.LastViolation != "2020-05-01" {
		t.Errorf("profile %+v", p)
	}
	if err := s.SetExporterProfile(ctx, &rarex.ExporterProfile{OrgID: "nope", UpdatedAt: t0}, nil); rarex.ErrorCode(err) != rarex.EINVALID {
		t.Errorf("profile of a missing organisation: %v", err)
	}
}

func testIdempotency(t *testing.T, s rarex.Store) {
	ctx := context.Background()
	r, err := s.ReserveIdempotencyKey(ctx, "u1", "k1", "h1", t0)
	if err != nil || r != nil {
		t.Fatalf("first reserve: %v %v", r, err)
	}
	if _, err := s.ReserveIdempotencyKey(ctx, "u1", "k1", "h1", t0); rarex.ErrorCode(err) != rarex.ECONFLICT {
		t.Errorf("while running: %v", err)
	}
	if err := s.CompleteIdempotencyKey(ctx, "u1", "k1", rarex.IdempotentResponse{Status: 201, Body: []byte(`{"id":"x"}`)}); err != nil {
		t.Fatal(err)
	}
	r, err = s.ReserveIdempotencyKey(ctx, "u1", "k1", "h1", t0.Add(time.Hour))
	if err != nil || r == nil || r.Status != 201 || string(r.Body) != `{"id":"x"}` {
		t.Fatalf("replay: %+v %v", r, err)
	}
	if _, err := s.ReserveIdempotencyKey(ctx, "u1", "k1", "other", t0); rarex.ErrorCode(err) != rarex.ECONFLICT {
		t.Errorf("reuse for another request: %v", err)
	}
	if r, err := s.ReserveIdempotencyKey(ctx, "u2", "k1", "other", t0); err != nil || r != nil {
		t.Errorf("another user's key space: %v %v", r, err)
	}
	if err := s.ReleaseIdempotencyKey(ctx, "u2", "k1"); err != nil {
		t.Fatal(err)
	}
	if r, err := s.ReserveIdempotencyKey(ctx, "u2", "k1", "third", t0); err != nil || r != nil {
		t.Errorf("after release: %v %v", r, err)
	}
	// A day later the key is forgotten.
	if r, err := s.ReserveIdempotencyKey(ctx, "u1", "k1", "new", t0.Add(25*time.Hour)); err != nil || r != nil {
		t.Errorf("after a day: %v %v", r, err)
	}
}

// testWebhooks: queueing is guarded by the cursor, claims are exclusive
// under concurrency, and removing a hook removes its log.
func testWebhooks(t *testing.T, s rarex.Store) {
	ctx := context.Background()
	mustOrg(t, s, "o1", "Exporter One", rarex.OrgExporter)
	h := &rarex.Webhook{ID: "h", OrgID: "o1", URL: "https://example.com", Secret: "s", CreatedBy: "u1", CreatedAt: t0}
	if err := s.CreateWebhook(ctx, h, event("o1", "webhook.create")); err != nil {
		t.Fatal(err)
	}
	if seq, err := s.LastEventSeq(ctx); err != nil || seq != 1 {
		t.Fatalf("last event: %d %v", seq, err)
	}
	var ds []*rarex.Delivery
	for i := range 40 {
		ds = append(ds, &rarex.Delivery{ID: fmt.Sprint("d", i), WebhookID: "h", OrgID: "o1", EventSeq: int64(i + 1), Payload: []byte(`{"n":1}`), NextAttemptAt: t0, CreatedAt: t0})
	}
	if err := s.QueueDeliveries(ctx, "h", 0, 40, ds); err != nil {
		t.Fatal(err)
	}
	if err := s.QueueDeliveries(ctx, "h", 0, 40, ds); rarex.ErrorCode(err) != rarex.ECONFLICT {
		t.Fatalf("queueing from a stale cursor: %v", err)
	}
	hs, _ := s.Webhooks(ctx, "o1")
	if len(hs) != 1 || hs[0].LastSeq != 40 || hs[0].Secret != "s" {
		t.Fatalf("hooks: %+v", hs)
	}
	// The secret is swapped only from what it was.
	if err := s.SetWebhookSecret(ctx, "h", "not s", "t"); rarex.ErrorCode(err) != rarex.ECONFLICT {
		t.Fatalf("swap from a stale secret: %v", err)
	}
	if err := s.SetWebhookSecret(ctx, "nohook", "s", "t"); rarex.ErrorCode(err) != rarex.ENOTFOUND {
		t.Fatalf("swap on no hook: %v", err)
	}
	if err := s.SetWebhookSecret(ctx, "h", "s", "sealed"); err != nil {
		t.Fatal(err)
	}
	if hs, _ := s.Webhooks(ctx, "o1"); len(hs) != 1 || hs[0].Secret != "sealed" {
		t.Fatalf("after the swap: %+v", hs)
	}
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := s.ClaimDeliveries(ctx, t0, t0.Add(time.Minute), 40)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			for _, d := range got {
				seen[d.ID]++
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(seen) != 40 {
		t.Errorf("%d deliveries claimed, want 40", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s claimed %d times", id, n)
		}
	}
	if again, _ := s.ClaimDeliveries(ctx, t0.Add(30*time.Second), t0.Add(2*time.Minute), 40); len(again) != 0 {
		t.Errorf("%d leased deliveries claimed again", len(again))
	}
	done := t0.Add(time.Second)
	d := &rarex.Delivery{ID: "d0", Status: rarex.DeliveryDelivered, Attempts: 1, NextAttemptAt: done, LastCode: 204, DeliveredAt: &done}
	if err := s.SaveDelivery(ctx, d); err != nil {
		t.Fatal(err)
	}
	log, _ := s.Deliveries(ctx, "h", 100)
	if len(log) != 40 || log[39].ID != "d0" || log[39].Status != rarex.DeliveryDelivered || log[39].LastCode != 204 || string(log[39].Payload) != `{"n":1}` {
		t.Fatalf("log: %+v", log[39])
	}
	if err := s.DeleteWebhook(ctx, "o2", "h", nil); rarex.ErrorCode(err) != rarex.ENOTFOUND {
		t.Errorf("another organisation deletes: %v", err)
	}
	if err := s.DeleteWebhook(ctx, "o1", "h", nil); err != nil {
		t.Fatal(err)
	}
	if log, _ := s.Deliveries(ctx, "h", 100); len(log) != 0 {
		t.Errorf("deliveries outlived their hook: %d", len(log))
	}
}

// testLogOutbox: a decision's log entry commits with it or not at all, and
// each index is recorded once.
func testLogOutbox(t *testing.T, s rarex.Store) {
	ctx := context.Background()
	mustOrg(t, s, "o1", "Exporter One", rarex.OrgExporter)
	if err := s.CreateApplication(ctx, officeApp("a1", "o1"), nil); err != nil {
		t.Fatal(err)
	}
	a, _ := s.Application(ctx, "a1")
	a.State = rarex.AppDenied
	e1 := &rarex.LogEntry{ID: "e1", SubjectID: "a1", OrgID: "o1", Entry: []byte(`{"n":1}`), Opening: []byte(`{"salt":"00"}`), CreatedAt: t0}
	if err := s.UpdateApplication(ctx, a, 1, nil, nil, e1); err != nil {
		t.Fatal(err)
	}
	stale := &rarex.LogEntry{ID: "e2", SubjectID: "a1", OrgID: "o1", Entry: []byte(`{"n":2}`), Opening: []byte(`{}`), CreatedAt: t0}
	if err := s.UpdateApplication(ctx, a, 1, nil, nil, stale); rarex.ErrorCode(err) != rarex.ECONFLICT {
		t.Fatalf("stale update: %v", err)
	}
	pending, err := s.PendingLogEntries(ctx, 10)
	if err != nil || len(pending) != 1 || pending[0].ID != "e1" || string(pending[0].Opening) != `{"salt":"00"}` || pending[0].Index != nil {
		t.Fatalf("pending: %+v %v (the stale update's entry must not be there)", pending, err)
	}
	if n, _ := s.MaxLoggedIndex(ctx); n != -1 {
		t.Errorf("max index before any: %d", n)
	}
	if err := s.MarkLogged(ctx, map[string]int64{"e1": 0}, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkLogged(ctx, map[string]int64{"e1": 1}, t0); rarex.ErrorCode(err) != rarex.ECONFLICT {
		t.Errorf("marked twice: %v", err)
	}
	if n, _ := s.MaxLoggedIndex(ctx); n != 0 {
		t.Errorf("max index: %d", n)
	}
	es, _ := s.LogEntries(ctx, "a1")
	if len(es) != 1 || es[0].Index == nil || *es[0].Index != 0 || es[0].LoggedAt == nil {
		t.Fatalf("entries: %+v", es)
	}
	if p, _ := s.PendingLogEntries(ctx, 10); len(p) != 0 {
		t.Errorf("still pending: %d", len(p))
	}
}
