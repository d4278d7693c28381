package web_test

import (
	"context"
	"fmt"
	"time"

	"rarex"
	"rarex/office"
)

const testPDF = "%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

func appBody(consignee string) rarex.ApplicationBody {
	return rarex.ApplicationBody{
		Lines: []rarex.AppLine{{Description: "NdFeB magnets with Dy", Class: "magnet_ndfeb", Elements: []string{"Nd", "Dy"}, HSCode: "8505111000", Origin: "CN",
			Quantity: 100_000, Unit: "kg", Value: 10_000_00, Currency: "USD"}},
		ShipFrom: "CN", Destination: "KR",
		Consignee:   rarex.Party{Name: consignee, Country: "KR"},
		EndUser:     rarex.Party{Name: consignee, Country: "KR", Type: "civilian"},
		EndUse:      rarex.EndUseStatement{Category: "civilian_manufacturing", Statement: "Motors for electric buses."},
		LicenceType: rarex.LicenceIndividual, ValidityMonths: 12,
	}
}

// application makes an application of owner's organisation in state,
// driving it there through the office as the exporter and the reviewers.
func (f *fixture) application(owner *rarex.User, state rarex.AppState) *rarex.Application {
	f.t.Helper()
	ctx := context.Background()
	o := f.office
	must := func(a *rarex.Application, err error) *rarex.Application {
		f.t.Helper()
		if err != nil {
			f.t.Fatalf("making a %s application: %v", state, err)
		}
		return a
	}
	a := must(o.Create(ctx, owner, appBody("Hanbit Motors Co., Ltd.")))
	if state == rarex.AppDraft {
		return a
	}
	for _, k := range []rarex.DocKind{rarex.DocEndUserCert, rarex.DocEndUseCert, rarex.DocContract} {
		if _, _, err := o.AddDocument(ctx, owner, a.ID, office.Upload{Kind: k, Filename: "d.pdf", Data: []byte(testPDF)}); err != nil {
			f.t.Fatal(err)
		}
	}
	a = must(o.Submit(ctx, owner, a.ID, 0))
	reviewer := f.users[rarex.RoleReviewer]
	switch state {
	case rarex.AppInfoRequested:
		a = must(o.RequestInformation(ctx, reviewer, a.ID, 0, "Question?"))
	case rarex.AppCountersign:
		a = must(o.Decide(ctx, f.mates[rarex.RoleReviewer], a.ID, 0, office.DecisionInput{Kind: rarex.DecisionDeny, Reasons: "Listed end user.", RuleIDs: []string{f.srv.Regime.Rules[0].ID}}))
	case rarex.AppApproved:
		a = must(o.Decide(ctx, reviewer, a.ID, 0, office.DecisionInput{Kind: rarex.DecisionApprove, Reasons: "Fine."}))
	}
	if a.State != state {
		f.t.Fatalf("made a %s application, wanted %s", a.State, state)
	}
	return a
}

// logged makes an approved application of owner's organisation whose
// decision is in a published checkpoint of the log, and returns it with its
// log entry's id.
func (f *fixture) logged(owner *rarex.User) (*rarex.Application, string) {
	f.t.Helper()
	ctx := context.Background()
	a := f.application(owner, rarex.AppApproved)
	if _, err := f.appender.Drain(ctx); err != nil {
		f.t.Fatal(err)
	}
	es, err := f.srv.Store.LogEntries(ctx, a.ID)
	if err != nil || len(es) != 1 || es[0].Index == nil {
		f.t.Fatalf("log entries of an approval: %v %v", es, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if size, _, _ := f.log.Size(ctx); size > uint64(*es[0].Index) {
			return a, es[0].ID
		}
		if time.Now().After(deadline) {
			f.t.Fatal("the log published no checkpoint covering the entry")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func logPath(format, tenant string) func(*fixture, rarex.Role, int) (string, string) {
	return func(f *fixture, _ rarex.Role, _ int) (string, string) {
		a, e := f.logged(f.owner(tenant))
		return fmt.Sprintf(format, a.ID, e), ""
	}
}

// owner is exporter A's exporter (own) or exporter B's (other).
func (f *fixture) owner(tenant string) *rarex.User {
	if tenant == "other" {
		return f.outside
	}
	return f.users[rarex.RoleExporter]
}

// appPath names a fresh application in state of exporter A (own) or B (other).
func appPath(format, tenant string, state rarex.AppState) func(*fixture, rarex.Role, int) (string, string) {
	return func(f *fixture, _ rarex.Role, _ int) (string, string) {
		return fmt.Sprintf(format, f.application(f.owner(tenant), state).ID), ""
	}
}

// docPath names a document of a fresh draft.
func docPath(format, tenant string) func(*fixture, rarex.Role, int) (string, string) {
	return func(f *fixture, _ rarex.Role, _ int) (string, string) {
		a := f.application(f.owner(tenant), rarex.AppUnderReview)
		v, err := f.office.Get(context.Background(), f.owner(tenant), a.ID)
		if err != nil {
			f.t.Fatal(err)
		}
		return fmt.Sprintf(format, v.Documents[0].ID), ""
	}
}

// licencePath names the licence of a fresh approved application.
func licencePath(format, tenant string) func(*fixture, rarex.Role, int) (string, string) {
	return func(f *fixture, _ rarex.Role, _ int) (string, string) {
		return fmt.Sprintf(format, f.application(f.owner(tenant), rarex.AppApproved).LicenceID), ""
	}
}

// registerPath names a fresh register entry.
func registerPath(format string) func(*fixture, rarex.Role, int) (string, string) {
	return func(f *fixture, _ rarex.Role, n int) (string, string) {
		v, err := f.office.AddValidated(context.Background(), f.users[rarex.RoleAdmin], fmt.Sprintf("Validated Buyer %d", n), "KR", "")
		if err != nil {
			f.t.Fatal(err)
		}
		return fmt.Sprintf(format, v.ID), ""
	}
}

// hookPath names a fresh webhook of exporter A (own) or B (other).
func hookPath(format, tenant string) func(*fixture, rarex.Role, int) (string, string) {
	return func(f *fixture, _ rarex.Role, n int) (string, string) {
		h, err := f.srv.Webhooks.Create(context.Background(), f.owner(tenant), fmt.Sprintf("https://erp.example.com/hook/%d", n))
		if err != nil {
			f.t.Fatal(err)
		}
		return fmt.Sprintf(format, h.ID), ""
	}
}

func exporterOrgPath(format, tenant string) func(*fixture, rarex.Role, int) (string, string) {
	return func(f *fixture, _ rarex.Role, _ int) (string, string) {
		return fmt.Sprintf(format, f.owner(tenant).OrgID), ""
	}
}

var (
	appViewers  = []rarex.Role{rarex.RoleExporter, rarex.RoleReviewer, rarex.RoleAdmin}
	authority   = []rarex.Role{rarex.RoleReviewer, rarex.RoleAdmin}
	reviewers   = []rarex.Role{rarex.RoleReviewer}
	adminOnly   = []rarex.Role{rarex.RoleAdmin}
	exporterAdm = []rarex.Role{rarex.RoleExporter, rarex.RoleAdmin}
)

const apiAppBody = `{"lines":[{"description":"Dy metal","class":"metal","elements":["Dy"],"origin":"CN","quantity":"12.5","unit":"kg","value":"5000","currency":"USD"}],
"ship_from":"CN","destination":"DE","consignee":{"name":"Käufer GmbH","country":"DE"},"end_user":{"name":"Käufer GmbH","country":"DE","type":"civilian"},
"end_use":{"category":"civilian_manufacturing","statement":"Magnets"},"licence_type":"individual","validity_months":6}`

func newAppForm() string {
	return form("description_0", "Dy metal", "class_0", "metal", "elements_0", "Dy", "origin_0", "CN", "quantity_0", "12.5", "unit_0", "kg", "value_0", "5000", "currency_0", "USD",
		"ship_from", "CN", "destination", "DE", "consignee_name", "Käufer GmbH", "consignee_country", "DE", "same_as_consignee", "1", "end_user_type", "civilian",
		"end_use_category", "civilian_manufacturing", "end_use_statement", "Magnets", "licence_type", "individual", "validity_months", "6")
}

func init() {
	u := rarex.AppUnderReview
	d, ir, cs := rarex.AppDraft, rarex.AppInfoRequested, rarex.AppCountersign
	doc := multipartOf([3]string{"kind", "", "contract"}, [3]string{"file", "contract.pdf", testPDF})
	matrix = append(matrix,
		// Pages.
		matrixCase{"GET /applications", "self", fixed("/applications", ""), appViewers, 403, 0},
		matrixCase{"GET /applications/new", "self", fixed("/applications/new", ""), exporterOnly, 403, 0},
		matrixCase{"POST /applications", "self", fixed("/applications", newAppForm()), exporterOnly, 403, 0},
		matrixCase{"GET /applications/{id}", "own", appPath("/applications/%s", "own", u), appViewers, 403, 0},
		matrixCase{"GET /applications/{id}", "other", appPath("/applications/%s", "other", u), authority, 403, 404},
		matrixCase{"POST /applications/{id}/{action}", "own", withBody(appPath("/applications/%s/submit", "own", d), "version=0"), exporterOnly, 403, 0},
		matrixCase{"POST /applications/{id}/{action}", "other", withBody(appPath("/applications/%s/request-info", "other", u), "message=Why"), reviewers, 403, 0},
		matrixCase{"GET /documents/{id}", "own", docPath("/documents/%s", "own"), appViewers, 403, 0},
		matrixCase{"GET /documents/{id}", "other", docPath("/documents/%s", "other"), authority, 403, 404},
		matrixCase{"GET /applications/{id}/log/{entry}/receipt", "own", logPath("/applications/%s/log/%s/receipt", "own"), appViewers, 403, 0},
		matrixCase{"GET /applications/{id}/log/{entry}/receipt", "other", logPath("/applications/%s/log/%s/receipt", "other"), authority, 403, 404},
		matrixCase{"GET /applications/{id}/log/{entry}/opening", "own", logPath("/applications/%s/log/%s/opening", "own"), exporterOnly, 403, 0},
		matrixCase{"GET /applications/{id}/log/{entry}/opening", "other", logPath("/applications/%s/log/%s/opening", "other"), nil, 403, 404},
		matrixCase{"GET /api/v1/applications/{id}/log", "own", withBody(func(f *fixture, r rarex.Role, n int) (string, string) {
			a, _ := f.logged(f.owner("own"))
			return "/api/v1/applications/" + a.ID + "/log", ""
		}, ""), appViewers, 403, 0},
		matrixCase{"GET /api/v1/applications/{id}/log/{entry}/receipt", "other", logPath("/api/v1/applications/%s/log/%s/receipt", "other"), authority, 403, 404},
		matrixCase{"GET /api/v1/applications/{id}/log/{entry}/opening", "own", logPath("/api/v1/applications/%s/log/%s/opening", "own"), exporterOnly, 403, 0},
		matrixCase{"GET /licences", "self", fixed("/licences", ""), appViewers, 403, 0},
		matrixCase{"GET /licences/{id}", "own", licencePath("/licences/%s", "own"), appViewers, 403, 0},
		matrixCase{"GET /licences/{id}", "other", licencePath("/licences/%s", "other"), authority, 403, 404},
		matrixCase{"POST /licences/{id}/shipments", "own", withBody(licencePath("/licences/%s/shipments", "own"), form("quantity", "1", "value", "1", "consignee", "Hanbit Motors Co., Ltd.")), exporterOnly, 403, 0},
		matrixCase{"POST /licences/{id}/shipments", "other", withBody(licencePath("/licences/%s/shipments", "other"), form("quantity", "1", "value", "1", "consignee", "Hanbit Motors Co., Ltd.")), nil, 403, 404},
		matrixCase{"POST /licences/{id}/status", "other", withBody(licencePath("/licences/%s/status", "other"), form("status", "suspended", "reason", "audit")), adminOnly, 403, 0},
		matrixCase{"GET /register", "self", fixed("/register", ""), authority, 403, 0},
		matrixCase{"POST /register", "self", func(_ *fixture, _ rarex.Role, n int) (string, string) {
			return "/register", form("name", fmt.Sprintf("Buyer %d", n), "country", "KR")
		}, adminOnly, 403, 0},
		matrixCase{"POST /register/{id}/delete", "self", registerPath("/register/%s/delete"), adminOnly, 403, 0},
		matrixCase{"POST /register/profiles", "other", func(f *fixture, _ rarex.Role, _ int) (string, string) {
			return "/register/profiles", form("org_id", f.outside.OrgID, "icp_reference", "ICP-1")
		}, adminOnly, 403, 0},

		// API.
		matrixCase{"GET /api/v1/applications", "self", fixed("/api/v1/applications", ""), appViewers, 403, 0},
		matrixCase{"POST /api/v1/applications", "self", fixed("/api/v1/applications", apiAppBody), exporterOnly, 403, 0},
		matrixCase{"GET /api/v1/applications/{id}", "own", appPath("/api/v1/applications/%s", "own", u), appViewers, 403, 0},
		matrixCase{"GET /api/v1/applications/{id}", "other", appPath("/api/v1/applications/%s", "other", u), authority, 403, 404},
		matrixCase{"PUT /api/v1/applications/{id}", "own", withBody(appPath("/api/v1/applications/%s", "own", d), `{"body":`+apiAppBody+`}`), exporterOnly, 403, 0},
		matrixCase{"PUT /api/v1/applications/{id}", "other", withBody(appPath("/api/v1/applications/%s", "other", d), `{"body":`+apiAppBody+`}`), nil, 403, 404},
		matrixCase{"POST /api/v1/applications/{id}/submit", "own", appPath("/api/v1/applications/%s/submit", "own", d), exporterOnly, 403, 0},
		matrixCase{"POST /api/v1/applications/{id}/submit", "other", appPath("/api/v1/applications/%s/submit", "other", d), nil, 403, 404},
		matrixCase{"POST /api/v1/applications/{id}/withdraw", "own", appPath("/api/v1/applications/%s/withdraw", "own", u), exporterOnly, 403, 0},
		matrixCase{"POST /api/v1/applications/{id}/withdraw", "other", appPath("/api/v1/applications/%s/withdraw", "other", u), nil, 403, 404},
		matrixCase{"POST /api/v1/applications/{id}/documents", "own", withBody(appPath("/api/v1/applications/%s/documents", "own", d), doc), exporterOnly, 403, 0},
		matrixCase{"POST /api/v1/applications/{id}/documents", "other", withBody(appPath("/api/v1/applications/%s/documents", "other", d), doc), nil, 403, 404},
		matrixCase{"POST /api/v1/applications/{id}/information-requests", "other", withBody(appPath("/api/v1/applications/%s/information-requests", "other", u), `{"message":"Why?"}`), reviewers, 403, 0},
		matrixCase{"POST /api/v1/applications/{id}/answers", "own", withBody(appPath("/api/v1/applications/%s/answers", "own", ir), `{"message":"Because."}`), exporterOnly, 403, 0},
		matrixCase{"POST /api/v1/applications/{id}/answers", "other", withBody(appPath("/api/v1/applications/%s/answers", "other", ir), `{"message":"Because."}`), nil, 403, 404},
		matrixCase{"POST /api/v1/applications/{id}/messages", "own", withBody(appPath("/api/v1/applications/%s/messages", "own", u), `{"message":"Hello"}`), []rarex.Role{rarex.RoleExporter, rarex.RoleReviewer}, 403, 0},
		matrixCase{"POST /api/v1/applications/{id}/messages", "other", withBody(appPath("/api/v1/applications/%s/messages", "other", u), `{"message":"Hello"}`), reviewers, 403, 404},
		matrixCase{"POST /api/v1/applications/{id}/decision", "other", withBody(appPath("/api/v1/applications/%s/decision", "other", u), `{"kind":"approve","reasons":"ok"}`), reviewers, 403, 0},
		matrixCase{"POST /api/v1/applications/{id}/countersign", "other", appPath("/api/v1/applications/%s/countersign", "other", cs), reviewers, 403, 0},
		matrixCase{"POST /api/v1/applications/{id}/return", "other", withBody(appPath("/api/v1/applications/%s/return", "other", cs), `{"message":"Check the rule."}`), reviewers, 403, 0},
		matrixCase{"GET /api/v1/documents/{id}", "own", docPath("/api/v1/documents/%s", "own"), appViewers, 403, 0},
		matrixCase{"GET /api/v1/documents/{id}", "other", docPath("/api/v1/documents/%s", "other"), authority, 403, 404},
		matrixCase{"GET /api/v1/licences", "self", fixed("/api/v1/licences", ""), appViewers, 403, 0},
		matrixCase{"GET /api/v1/licences/{id}", "own", licencePath("/api/v1/licences/%s", "own"), appViewers, 403, 0},
		matrixCase{"GET /api/v1/licences/{id}", "other", licencePath("/api/v1/licences/%s", "other"), authority, 403, 404},
		matrixCase{"POST /api/v1/licences/{id}/shipments", "own", withBody(licencePath("/api/v1/licences/%s/shipments", "own"), `{"quantity":"1","value":"1","consignee":"Hanbit Motors Co., Ltd."}`), exporterOnly, 403, 0},
		matrixCase{"POST /api/v1/licences/{id}/shipments", "other", withBody(licencePath("/api/v1/licences/%s/shipments", "other"), `{"quantity":"1","value":"1","consignee":"Hanbit Motors Co., Ltd."}`), nil, 403, 404},
		matrixCase{"POST /api/v1/licences/{id}/status", "other", withBody(licencePath("/api/v1/licences/%s/status", "other"), `{"status":"suspended","reason":"audit"}`), adminOnly, 403, 0},
		matrixCase{"GET /api/v1/events", "self", fixed("/api/v1/events", ""), exporterAdm, 403, 0},
		matrixCase{"GET /api/v1/register", "self", fixed("/api/v1/register", ""), authority, 403, 0},
		matrixCase{"POST /api/v1/register", "self", func(_ *fixture, _ rarex.Role, n int) (string, string) {
			return "/api/v1/register", fmt.Sprintf(`{"name":"API Buyer %d","country":"JP"}`, n)
		}, adminOnly, 403, 0},
		matrixCase{"DELETE /api/v1/register/{id}", "self", registerPath("/api/v1/register/%s"), adminOnly, 403, 0},
		matrixCase{"GET /api/v1/organisations/{id}/profile", "own", exporterOrgPath("/api/v1/organisations/%s/profile", "own"), appViewers, 403, 0},
		matrixCase{"GET /api/v1/organisations/{id}/profile", "other", exporterOrgPath("/api/v1/organisations/%s/profile", "other"), authority, 403, 0},
		matrixCase{"GET /applications/{id}/edit", "own", appPath("/applications/%s/edit", "own", d), exporterOnly, 404, 0},
		matrixCase{"GET /applications/{id}/edit", "other", appPath("/applications/%s/edit", "other", d), nil, 404, 0},
		matrixCase{"GET /metrics", "other", fixed("/metrics", ""), adminOnly, 403, 0},
		matrixCase{"GET /webhooks", "self", fixed("/webhooks", ""), exporterOnly, 403, 0},
		matrixCase{"POST /webhooks", "self", fixed("/webhooks", form("url", "https://erp.example.com/hook")), exporterOnly, 403, 0},
		matrixCase{"GET /webhooks/{id}", "own", hookPath("/webhooks/%s", "own"), exporterOnly, 403, 0},
		matrixCase{"GET /webhooks/{id}", "other", hookPath("/webhooks/%s", "other"), nil, 403, 404},
		matrixCase{"POST /webhooks/{id}/delete", "own", hookPath("/webhooks/%s/delete", "own"), exporterOnly, 403, 0},
		matrixCase{"POST /webhooks/{id}/delete", "other", hookPath("/webhooks/%s/delete", "other"), nil, 403, 404},
		matrixCase{"GET /api/v1/webhooks", "self", fixed("/api/v1/webhooks", ""), exporterOnly, 403, 0},
		matrixCase{"POST /api/v1/webhooks", "self", fixed("/api/v1/webhooks", `{"url":"https://erp.example.com/api"}`), exporterOnly, 403, 0},
		matrixCase{"DELETE /api/v1/webhooks/{id}", "own", hookPath("/api/v1/webhooks/%s", "own"), exporterOnly, 403, 0},
		matrixCase{"DELETE /api/v1/webhooks/{id}", "other", hookPath("/api/v1/webhooks/%s", "other"), nil, 403, 404},
		matrixCase{"GET /api/v1/webhooks/{id}/deliveries", "own", hookPath("/api/v1/webhooks/%s/deliveries", "own"), exporterOnly, 403, 0},
		matrixCase{"GET /api/v1/webhooks/{id}/deliveries", "other", hookPath("/api/v1/webhooks/%s/deliveries", "other"), nil, 403, 404},
		matrixCase{"PUT /api/v1/organisations/{id}/profile", "other", withBody(exporterOrgPath("/api/v1/organisations/%s/profile", "other"), `{"icp_reference":"ICP-9"}`), adminOnly, 403, 0},
	)
}
