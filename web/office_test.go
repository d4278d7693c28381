package web_test

import (
	"context"
	"encoding/json"
	"html/template"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"rarex"
	"rarex/office"
	"rarex/tlog"
)

func decodeAs[T any](t *testing.T, r *http.Response) T {
	t.Helper()
	var v T
	body := readBody(t, r)
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("decoding %s: %v", body, err)
	}
	return v
}

// TestOfficeAPI drives an application through the JSON API, with an
// Idempotency-Key on the create.
func TestOfficeAPI(t *testing.T) {
	f := newFixture(t)
	key := []string{"Idempotency-Key", "create-1"}
	r1 := f.req("POST", "/api/v1/applications", apiAppBody, "bearer:exporter", key...)
	if r1.StatusCode != 201 {
		t.Fatalf("create: %d %s", r1.StatusCode, readBody(t, r1))
	}
	a := decodeAs[rarex.Application](t, r1)
	r2 := f.req("POST", "/api/v1/applications", apiAppBody, "bearer:exporter", key...)
	b := decodeAs[rarex.Application](t, r2)
	if r2.StatusCode != 201 || b.ID != a.ID || r2.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %d %s %q", r2.StatusCode, b.ID, r2.Header.Get("Idempotent-Replayed"))
	}
	if r := f.req("POST", "/api/v1/applications", strings.Replace(apiAppBody, "Magnets", "Motors", 1), "bearer:exporter", key...); r.StatusCode != 409 {
		t.Errorf("same key, other body: %d", r.StatusCode)
	}
	list := decodeAs[struct{ Applications []json.RawMessage }](t, f.req("GET", "/api/v1/applications", "", "bearer:exporter"))
	if len(list.Applications) != 1 {
		t.Fatalf("%d applications after a replayed create, want 1", len(list.Applications))
	}
	// Field errors name the field.
	bad := strings.Replace(apiAppBody, `"unit":"kg"`, `"unit":"bushel"`, 1)
	if r := f.req("POST", "/api/v1/applications", bad, "bearer:exporter"); r.StatusCode != 400 || !strings.Contains(readBody(t, r), "lines[0].unit") {
		t.Errorf("bad unit: %d", r.StatusCode)
	}
	bad = strings.Replace(apiAppBody, `"quantity":"12.5"`, `"quantity":"12.5555"`, 1)
	if r := f.req("POST", "/api/v1/applications", bad, "bearer:exporter"); r.StatusCode != 400 || !strings.Contains(readBody(t, r), "lines.quantity: expected a non-negative decimal with at most 3 decimals") {
		t.Errorf("four decimals: %d", r.StatusCode)
	}
	// Documents: a text file is refused; PDFs are stored and served back as attachments.
	base := "/api/v1/applications/" + a.ID
	if r := f.req("POST", base+"/documents", multipartOf([3]string{"kind", "", "contract"}, [3]string{"file", "c.pdf", "just text"}), "bearer:exporter"); r.StatusCode != 400 {
		t.Errorf("text as a document: %d", r.StatusCode)
	}
	var docID string
	for _, k := range []string{"end_user_certificate", "end_use_certificate", "contract"} {
		r := f.req("POST", base+"/documents", multipartOf([3]string{"kind", "", k}, [3]string{"file", k + ".pdf", testPDF}), "bearer:exporter")
		if r.StatusCode != 201 {
			t.Fatalf("document %s: %d %s", k, r.StatusCode, readBody(t, r))
		}
		docID = decodeAs[struct{ Document rarex.Document }](t, r).Document.ID
	}
	d := f.req("GET", "/api/v1/documents/"+docID, "", "bearer:reviewer")
	if d.StatusCode != 200 || d.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(d.Header.Get("Content-Disposition"), "attachment") ||
		len(d.Header.Get("X-Checksum-SHA256")) != 64 || readBody(t, d) != testPDF {
		t.Errorf("download: %d %v", d.StatusCode, d.Header)
	}
	// Submit with a stale version: conflict; with the right one: under review.
	if r := f.req("POST", base+"/submit", `{"version":99}`, "bearer:exporter"); r.StatusCode != 409 {
		t.Errorf("stale submit: %d", r.StatusCode)
	}
	r := f.req("POST", base+"/submit", `{}`, "bearer:exporter")
	view := decodeAs[struct {
		Application rarex.Application
		Deadline    struct{ Due string }
		Snapshot    struct {
			NeedsLicence bool `json:"needs_licence"`
		}
	}](t, r)
	if r.StatusCode != 200 || view.Application.State != rarex.AppUnderReview || view.Deadline.Due == "" || !view.Snapshot.NeedsLicence {
		t.Fatalf("submit: %d %s %s %v", r.StatusCode, view.Application.State, view.Deadline.Due, view.Snapshot.NeedsLicence)
	}
	// The reviewer approves; the exporter ships; the balance falls.
	r = f.req("POST", base+"/decision", `{"kind":"approve","reasons":"ok","quantity_limit":"10"}`, "bearer:reviewer")
	if r.StatusCode != 200 {
		t.Fatalf("decide: %d %s", r.StatusCode, readBody(t, r))
	}
	lic := decodeAs[struct{ Application rarex.Application }](t, f.req("GET", base, "", "bearer:exporter")).Application.LicenceID
	ship := `{"quantity":"7.25","value":"100","consignee":"Käufer GmbH"}`
	r = f.req("POST", "/api/v1/licences/"+lic+"/shipments", ship, "bearer:exporter")
	lv := decodeAs[struct {
		QuantityLeft rarex.Quantity `json:"quantity_left"`
	}](t, r)
	if r.StatusCode != 201 || lv.QuantityLeft != 2_750 {
		t.Fatalf("shipment: %d left %s", r.StatusCode, lv.QuantityLeft)
	}
	if r := f.req("POST", "/api/v1/licences/"+lic+"/shipments", ship, "bearer:exporter"); r.StatusCode != 409 || !strings.Contains(readBody(t, r), "2.75 kg left") {
		t.Errorf("over-shipment: %d", r.StatusCode)
	}
	// The feed: the exporter's own events, in order, resumable.
	ev := decodeAs[struct {
		Events []rarex.AuditEvent
		Next   int64
	}](t, f.req("GET", "/api/v1/events", "", "bearer:exporter"))
	if len(ev.Events) < 6 || ev.Events[0].Action != "create" || ev.Next != ev.Events[len(ev.Events)-1].Seq {
		t.Fatalf("feed: %+v", ev)
	}
	more := decodeAs[struct{ Events []rarex.AuditEvent }](t, f.req("GET", "/api/v1/events?after="+jsonNum(ev.Next), "", "bearer:exporter"))
	if len(more.Events) != 0 {
		t.Errorf("events after the last: %d", len(more.Events))
	}
	if r := f.req("GET", "/api/v1/events?after=-1", "", "bearer:exporter"); r.StatusCode != 400 {
		t.Errorf("after=-1: %d", r.StatusCode)
	}
	outsider := decodeAs[struct{ Events []rarex.AuditEvent }](t, f.req("GET", "/api/v1/events", "", "bearer:admin"))
	if len(outsider.Events) < len(ev.Events) {
		t.Errorf("admin sees fewer events (%d) than the exporter (%d)", len(outsider.Events), len(ev.Events))
	}
}

func jsonNum(n int64) string { b, _ := json.Marshal(n); return string(b) }

// TestOfficePages: the forms refuse bad input in place, keeping what was
// typed, and every office page renders in both languages with no missing
// message.
func TestOfficePages(t *testing.T) {
	f := newFixture(t)
	badForm := strings.Replace(newAppForm(), "quantity_0=12.5", "quantity_0=twelve", 1)
	r := f.req("POST", "/applications", badForm, "cookie:exporter")
	body := readBody(t, r)
	if r.StatusCode != 400 || !strings.Contains(body, "lines[0].quantity") || !strings.Contains(body, `value="twelve"`) {
		t.Errorf("bad form: %d\n%s", r.StatusCode, body)
	}
	a := f.application(f.users[rarex.RoleExporter], rarex.AppApproved)
	pages := map[rarex.Role][]string{
		rarex.RoleExporter: {"/applications", "/applications/new", "/applications/" + a.ID, "/licences", "/licences/" + a.LicenceID, "/webhooks"},
		rarex.RoleReviewer: {"/applications", "/applications?all=true&track=green", "/applications/" + a.ID, "/licences", "/licences/" + a.LicenceID, "/register"},
		rarex.RoleAdmin:    {"/register", "/licences/" + a.LicenceID},
	}
	for role, paths := range pages {
		for _, p := range paths {
			for _, lang := range []string{"en", "zh-Hans"} {
				r := f.req("GET", p, "", "cookie:"+string(role), "Cookie", "rarex_lang="+lang)
				body := readBody(t, r)
				if r.StatusCode != 200 || strings.Contains(body, "[[") {
					t.Errorf("%s %s (%s): %d, missing messages: %v", role, p, lang, r.StatusCode, strings.Contains(body, "[["))
				}
			}
		}
	}
	// The engine's details read in the page's language.
	zh := readBody(t, f.req("GET", "/applications/"+a.ID, "", "cookie:reviewer", "Cookie", "rarex_lang=zh-Hans"))
	if !strings.Contains(zh, "该出口经营者未登记内部合规制度。") || !strings.Contains(zh, "近 3 年无违规记录。") {
		t.Errorf("the green-channel details are not in Chinese")
	}
	// The determination's warnings reach the reviewer: a Dy magnet declared
	// under the non-Dy tariff line.
	mis := appBody("Hanbit Motors Co., Ltd.")
	mis.Lines[0].HSCode = "8505119000"
	m, err := f.office.Create(context.Background(), f.users[rarex.RoleExporter], mis)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.office.Submit(context.Background(), f.users[rarex.RoleExporter], m.ID, 0); err != nil {
		t.Fatal(err)
	}
	zhPage := readBody(t, f.req("GET", "/applications/"+m.ID, "", "cookie:reviewer", "Cookie", "rarex_lang=zh-Hans"))
	if !strings.Contains(zhPage, "海关将视为申报不实") {
		t.Errorf("the HS warning is not in Chinese on the Chinese application page")
	}
	mv, err := f.office.Get(context.Background(), f.users[rarex.RoleReviewer], m.ID)
	if err != nil {
		t.Fatal(err)
	}
	snap := mv.Snapshot
	if snap == nil || len(snap.Lines) == 0 || len(snap.Lines[0].Determination.Reasons) == 0 {
		t.Fatalf("snapshot: %+v", snap)
	}
	for _, r := range snap.Lines[0].Determination.Reasons {
		if r.TextZh != "" && !strings.Contains(zhPage, template.HTMLEscapeString(r.TextZh)) {
			t.Errorf("rule %s is not paraphrased in Chinese on the Chinese application page", r.Rule)
		}
	}
	if page := readBody(t, f.req("GET", "/applications/"+m.ID, "", "cookie:reviewer")); !strings.Contains(page, "mis-declaration") {
		t.Errorf("the HS warning is not on the application page")
	}
	// A reviewer's refused decision re-renders the page with the reason.
	u := f.application(f.users[rarex.RoleExporter], rarex.AppUnderReview)
	r = f.req("POST", "/applications/"+u.ID+"/decide", form("kind", "deny", "reasons", ""), "cookie:reviewer")
	if body := readBody(t, r); r.StatusCode != 400 || !strings.Contains(body, "reasons:") {
		t.Errorf("empty denial: %d", r.StatusCode)
	}
	// In the reviewer's language.
	r = f.req("POST", "/applications/"+u.ID+"/decide", form("kind", "deny", "reasons", ""), "cookie:reviewer", "Cookie", "rarex_lang=zh-Hans")
	if body := readBody(t, r); r.StatusCode != 400 || !strings.Contains(body, "reasons：拒绝须说明理由") {
		t.Errorf("empty denial, in Chinese: %d", r.StatusCode)
	}
	// Stale version from a form: conflict, shown on the page.
	r = f.req("POST", "/applications/"+u.ID+"/request-info", form("version", "1", "message", "Why?"), "cookie:reviewer")
	if r.StatusCode != 409 {
		t.Errorf("stale form: %d", r.StatusCode)
	}
}

// TestWebhookPage: the secret is shown once, on the answer to the form.
func TestWebhookPage(t *testing.T) {
	f := newFixture(t)
	r := f.req("POST", "/webhooks", form("url", "https://erp.example.com/rarex"), "cookie:exporter")
	body := readBody(t, r)
	if r.StatusCode != 201 || !strings.Contains(body, "whsec_") {
		t.Fatalf("create: %d", r.StatusCode)
	}
	r = f.req("GET", "/webhooks", "", "cookie:exporter")
	if body := readBody(t, r); strings.Contains(body, "whsec_") || !strings.Contains(body, "erp.example.com/rarex") {
		t.Errorf("the list shows the secret or not the hook")
	}
	r = f.req("POST", "/webhooks", form("url", "ftp://x"), "cookie:exporter")
	if body := readBody(t, r); r.StatusCode != 400 || !strings.Contains(body, "url:") {
		t.Errorf("bad url: %d", r.StatusCode)
	}
	r = f.req("POST", "/webhooks", form("url", "ftp://x"), "cookie:exporter", "Cookie", "rarex_lang=zh-Hans")
	if body := readBody(t, r); r.StatusCode != 400 || !strings.Contains(body, "必须以 https:// 开头") {
		t.Errorf("bad url, in Chinese: %d", r.StatusCode)
	}
}

// TestOverseerSeesAggregatesOnly: the indicators carry licence statistics
// with small cells withheld, and nothing that names a company or a party.
func TestOverseerSeesAggregatesOnly(t *testing.T) {
	f := newFixture(t)
	for range 6 {
		f.application(f.users[rarex.RoleExporter], rarex.AppApproved)
	}
	f.application(f.outside, rarex.AppApproved)
	body := readBody(t, f.req("GET", "/api/v1/indicators", "", "bearer:overseer"))
	for _, secret := range []string{"exporterA", "exporterB", "Hanbit", f.users[rarex.RoleExporter].OrgID} {
		if strings.Contains(body, secret) {
			t.Errorf("the overseer's indicators contain %q", secret)
		}
	}
	var in struct {
		LicenceStats struct {
			K      int
			Months []struct {
				Outcomes map[string]*int
			}
		} `json:"licence_statistics"`
	}
	if err := json.Unmarshal([]byte(body), &in); err != nil {
		t.Fatal(err)
	}
	if in.LicenceStats.K != 5 || len(in.LicenceStats.Months) != 1 || in.LicenceStats.Months[0].Outcomes["approved"] == nil || *in.LicenceStats.Months[0].Outcomes["approved"] != 7 {
		t.Errorf("overseer statistics: %s", body[strings.Index(body, `"licence_statistics"`):])
	}
	page := readBody(t, f.req("GET", "/monitor", "", "cookie:overseer"))
	if !strings.Contains(page, `id="licences"`) || strings.Contains(page, "Hanbit") {
		t.Errorf("the dashboard lacks the licence chart or names a party")
	}
}

// TestReceiptAndOpening: what an exporter downloads proves its decision to
// anyone holding the log's verifier key, and the tiles are served as the
// tlog-tiles layout says.
func TestReceiptAndOpening(t *testing.T) {
	f := newFixture(t)
	a, entry := f.logged(f.users[rarex.RoleExporter])
	vkey := strings.TrimSpace(readBody(t, f.req("GET", "/log/vkey", "", "")))
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	r := f.req("GET", "/applications/"+a.ID+"/log/"+entry+"/receipt", "", "cookie:exporter")
	body := readBody(t, r)
	if r.StatusCode != 200 || !strings.HasPrefix(body, tlog.ProofHeader) {
		t.Fatalf("receipt: %d %s", r.StatusCode, body)
	}
	rc, err := tlog.ParseReceipt([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	got, err := tlog.VerifyReceipt(rc, "rarex.test/log", v, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got.Entry.Type != "approved" || got.Entry.Class != "magnet_ndfeb" || got.Entry.Region != "Asia" || len(got.Entry.Basis) == 0 || !strings.Contains(body, "extra ") {
		t.Errorf("entry: %+v", got.Entry)
	}
	var op tlog.Opening
	if err := json.Unmarshal([]byte(readBody(t, f.req("GET", "/api/v1/applications/"+a.ID+"/log/"+entry+"/opening", "", "bearer:exporter"))), &op); err != nil {
		t.Fatal(err)
	}
	if err := op.Opens(got.Entry); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(op.Record), a.Number) || strings.Contains(string(rc.Entry), "Hanbit") {
		t.Errorf("the opening lacks the record, or the public entry names a party")
	}
	cp := f.req("GET", "/log/checkpoint", "", "")
	if cp.StatusCode != 200 || cp.Header.Get("Cache-Control") != "no-cache" || !strings.HasPrefix(readBody(t, cp), "rarex.test/log\n") {
		t.Errorf("checkpoint: %d %v", cp.StatusCode, cp.Header)
	}
	tile := f.req("GET", "/log/tile/0/000.p/1", "", "")
	if tile.StatusCode != 200 || len(readBody(t, tile)) != 32 {
		t.Errorf("tile: %d", tile.StatusCode)
	}
	if r := f.req("GET", "/log/tile/.state/treeState", "", ""); r.StatusCode != 404 {
		t.Errorf("the log's internal state is served: %d", r.StatusCode)
	}
	for _, p := range []string{"/log/tile/0/../../log.key", "/log/tile/entries/000.p/../../.state/treeState", "/log/tile/99/000", "/log/tile/0/0001"} {
		// The mux cleans ".." paths with a redirect; nothing outside the tiles is ever served.
		if r := f.req("GET", p, "", ""); r.StatusCode != 404 && r.StatusCode != 307 {
			t.Errorf("%s: %d, want 404 (or a redirect to a cleaned path)", p, r.StatusCode)
		}
	}
	page := readBody(t, f.req("GET", "/applications/"+a.ID, "", "cookie:exporter"))
	if !strings.Contains(page, "receipt-link") || !strings.Contains(page, "opening-link") {
		t.Errorf("the application page lacks the receipt or opening link")
	}
	if page := readBody(t, f.req("GET", "/applications/"+a.ID, "", "cookie:reviewer")); strings.Contains(page, "opening-link") {
		t.Errorf("the reviewer is offered the exporter's opening")
	}
}

// TestFormRowsGrow: the form's "add" buttons post it back with one more
// line or intermediary row and what was typed, saving nothing; an
// application of more lines than the form starts with is made and edited
// in it.
func TestFormRowsGrow(t *testing.T) {
	f := newFixture(t)
	r := f.req("POST", "/applications", newAppForm()+"&add=line", "cookie:exporter")
	page := readBody(t, r)
	if r.StatusCode != 200 || !strings.Contains(page, `id="line-3"`) || strings.Contains(page, `id="line-4"`) || !strings.Contains(page, `name="lines" value="4"`) || !strings.Contains(page, `value="Käufer GmbH"`) {
		t.Fatalf("add a line: %d\n%s", r.StatusCode, page)
	}
	if apps, _, _ := f.office.Queue(context.Background(), f.users[rarex.RoleExporter], office.QueueFilter{}); len(apps) != 0 {
		t.Fatalf("adding a row saved an application: %d", len(apps))
	}
	r = f.req("POST", "/applications", newAppForm()+"&intermediaries=1&add=intermediary", "cookie:exporter")
	if page := readBody(t, r); r.StatusCode != 200 || !strings.Contains(page, `id="intermediary-1"`) {
		t.Fatalf("add an intermediary: %d", r.StatusCode)
	}
	// Five lines and two intermediaries, saved from the form.
	long := newAppForm() + "&lines=5&intermediaries=2&" + form("description_4", "Tb oxide", "class_4", "oxide", "elements_4", "Tb", "origin_4", "CN",
		"quantity_4", "2", "unit_4", "kg", "value_4", "800", "currency_4", "USD", "description_3", "Dy metal, second lot", "class_3", "metal", "elements_3", "Dy",
		"origin_3", "CN", "quantity_3", "1", "unit_3", "kg", "value_3", "400", "currency_3", "USD",
		"intermediary_name_0", "Transit FZE", "intermediary_country_0", "AE", "intermediary_name_1", "Agent Pte", "intermediary_country_1", "SG")
	r = f.req("POST", "/applications", long, "cookie:exporter")
	if r.StatusCode != 303 {
		t.Fatalf("save five lines: %d %s", r.StatusCode, readBody(t, r))
	}
	id := strings.TrimPrefix(r.Header.Get("Location"), "/applications/")
	v, err := f.office.Get(context.Background(), f.users[rarex.RoleExporter], id)
	if err != nil || len(v.App.Body.Lines) != 3 || len(v.App.Body.Intermediaries) != 2 || v.App.Body.Lines[2].Description != "Tb oxide" {
		t.Fatalf("saved: %+v, %v", v, err)
	}
	// It opens in the form whole, and grows there too.
	page = readBody(t, f.req("GET", "/applications/"+id+"/edit", "", "cookie:exporter"))
	if !strings.Contains(page, `value="Tb oxide"`) || !strings.Contains(page, `value="Agent Pte"`) {
		t.Fatalf("the edit form lacks a line or an intermediary:\n%s", page)
	}
	r = f.req("POST", "/applications/"+id+"/edit", long+"&version=1&add=line", "cookie:exporter")
	if page := readBody(t, r); r.StatusCode != 200 || !strings.Contains(page, `id="line-5"`) || !strings.Contains(page, `action="/applications/`+id+`/edit"`) {
		t.Fatalf("add a line while editing: %d", r.StatusCode)
	}
	// Not on another organisation's draft.
	other := f.application(f.outside, rarex.AppDraft)
	if r := f.req("POST", "/applications/"+other.ID+"/edit", long+"&version=1&add=line", "cookie:exporter"); r.StatusCode != 404 {
		t.Errorf("adding a row to another organisation's draft: %d", r.StatusCode)
	}
}

// TestEditDraft: a draft opens in the form with its values, saves, and a
// stale or submitted one is refused.
func TestEditDraft(t *testing.T) {
	f := newFixture(t)
	a := f.application(f.users[rarex.RoleExporter], rarex.AppDraft)
	page := readBody(t, f.req("GET", "/applications/"+a.ID+"/edit", "", "cookie:exporter"))
	if !strings.Contains(page, `value="NdFeB magnets with Dy"`) || !strings.Contains(page, `action="/applications/`+a.ID+`/edit"`) || !strings.Contains(page, `name="version" value="1"`) {
		t.Fatalf("the edit form is not filled in:\n%s", page)
	}
	edited := strings.Replace(newAppForm(), "description_0=Dy+metal", "description_0=Dy+metal%2C+99.9%25", 1) + "&version=1"
	r := f.req("POST", "/applications/"+a.ID+"/edit", edited, "cookie:exporter")
	if r.StatusCode != 303 {
		t.Fatalf("save: %d %s", r.StatusCode, readBody(t, r))
	}
	v, _ := f.office.Get(context.Background(), f.users[rarex.RoleExporter], a.ID)
	if v.App.Body.Lines[0].Description != "Dy metal, 99.9%" || v.App.Version != 2 {
		t.Errorf("saved draft: %+v", v.App.Body.Lines[0])
	}
	if r := f.req("POST", "/applications/"+a.ID+"/edit", edited, "cookie:exporter"); r.StatusCode != 409 {
		t.Errorf("a stale version saved: %d", r.StatusCode)
	}
	bad := strings.Replace(edited, "unit_0=kg", "unit_0=bushel", 1)
	bad = strings.Replace(bad, "version=1", "version=2", 1)
	if r := f.req("POST", "/applications/"+a.ID+"/edit", bad, "cookie:exporter"); r.StatusCode != 400 || !strings.Contains(readBody(t, r), "lines[0].unit") {
		t.Errorf("a bad unit: %d", r.StatusCode)
	}
	u := f.application(f.users[rarex.RoleExporter], rarex.AppUnderReview)
	if r := f.req("GET", "/applications/"+u.ID+"/edit", "", "cookie:exporter"); r.StatusCode != 409 {
		t.Errorf("editing a submitted application: %d", r.StatusCode)
	}
}

// TestBOMLine: a line that names a stored BOM and product is determined on
// the BOM's roll-up.
func TestBOMLine(t *testing.T) {
	f := newFixture(t)
	bomID := f.bomOf(f.users[rarex.RoleExporter])
	page := readBody(t, f.req("GET", "/applications/new", "", "cookie:exporter"))
	if !strings.Contains(page, `name="bom_id_0"`) || !strings.Contains(page, bomID) {
		t.Fatalf("the form does not offer the stored BOM")
	}
	form := strings.Replace(newAppForm(), "class_0=metal", "class_0=other", 1)
	form = strings.Replace(form, "origin_0=CN", "origin_0=VN", 1) + "&bom_id_0=" + bomID + "&product_0=motor"
	r := f.req("POST", "/applications", form, "cookie:exporter")
	if r.StatusCode != 303 {
		t.Fatalf("create: %d %s", r.StatusCode, readBody(t, r))
	}
	id := strings.TrimPrefix(r.Header.Get("Location"), "/applications/")
	v, err := f.office.Get(context.Background(), f.users[rarex.RoleExporter], id)
	if err != nil || v.App.Body.Lines[0].BOMID != bomID {
		t.Fatalf("stored line: %+v %v", v, err)
	}
	snap, err := f.office.Preview(context.Background(), f.users[rarex.RoleExporter], id)
	if err != nil {
		t.Fatal(err)
	}
	if d := snap.Lines[0].Determination; d.Content == nil || d.Content.ControlledValue <= 0 {
		t.Errorf("the determination did not use the BOM's controlled content: %+v", d.Content)
	}
	// Another organisation's BOM, or a product not in the BOM: refused by field.
	for _, bad := range []string{strings.Replace(form, bomID, f.bomOf(f.outside), 1), strings.Replace(form, "product_0=motor", "product_0=toaster", 1)} {
		r = f.req("POST", "/applications", bad, "cookie:exporter")
		if body := readBody(t, r); r.StatusCode != 400 || !strings.Contains(body, "lines[0].bom_id") {
			t.Errorf("a bad BOM line: %d", r.StatusCode)
		}
	}
}
