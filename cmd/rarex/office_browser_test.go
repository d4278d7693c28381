package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// loginsByEmail reads every printed demo login.
func loginsByEmail(out string) map[string]string {
	m := map[string]string{}
	for _, g := range loginLine.FindAllStringSubmatch(out, -1) {
		m[g[2]] = g[3]
	}
	return m
}

var appURL = regexp.MustCompile(`/applications/[0-9a-f]{32}$`)

// TestBrowserLicenceOffice walks the licence office end to end in headless
// Chromium: the exporter applies with documents, the reviewer asks a
// question, the exporter answers, the reviewer approves, and the exporter
// records a shipment and sees the balance fall.
func TestBrowserLicenceOffice(t *testing.T) {
	bctx := newBrowser(t)
	base, out := startServe(t, "--data", t.TempDir(), "--demo")
	pw := loginsByEmail(out.String())
	if pw["wei@ningbo.example"] == "" || pw["zhang@authority.example"] == "" {
		t.Fatalf("demo logins missing:\n%s", out.String())
	}
	pdf := filepath.Join(t.TempDir(), "certificate.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(bctx, 3*time.Minute)
	defer cancel()

	fail := func(step string, err error) {
		t.Helper()
		html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
		t.Fatalf("%s: %v\n%s", step, err, html)
	}
	shot := func(name string) {
		if dir := os.Getenv("RAREX_SCREENSHOT_DIR"); dir != "" {
			if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
				os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
			}
		}
	}
	signIn := func(email string) {
		t.Helper()
		err := chromedp.Do(ctx,
			chromedp.Navigate(base+"/lang/en?next=/applications"),
			chromedp.WaitVisible(chromedp.ID("login-form")),
			chromedp.SendKeys(chromedp.ID("email"), email),
			chromedp.SendKeys(chromedp.ID("password"), pw[email]),
			chromedp.Click(chromedp.ID("login-submit")),
			chromedp.WaitVisible(chromedp.CSS(`nav a[aria-current="page"][href="/applications"]`)),
		)
		if err != nil {
			fail("sign in as "+email, err)
		}
	}
	signOut := func() {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.ID("login-form"))); err != nil {
			fail("sign out", err)
		}
	}
	state := func() string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.ID("app-state"), "data-state"))
		if err != nil {
			fail("reading the state", err)
		}
		return s.Value
	}

	// 1. The exporter writes the application, uploads the documents and submits.
	signIn("wei@ningbo.example")
	err := chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("new-application")),
		chromedp.WaitVisible(chromedp.ID("application-form")),
		chromedp.SendKeys(chromedp.CSS(`input[name="description_0"]`), "Sintered NdFeB magnets with Dy"),
		chromedp.SetValue(chromedp.CSS(`select[name="class_0"]`), "magnet_ndfeb"),
		chromedp.SendKeys(chromedp.CSS(`input[name="elements_0"]`), "Nd;Dy"),
		chromedp.SendKeys(chromedp.CSS(`input[name="hs_code_0"]`), "8505111000"),
		chromedp.SendKeys(chromedp.CSS(`input[name="quantity_0"]`), "500"),
		chromedp.SendKeys(chromedp.CSS(`input[name="value_0"]`), "48000"),
		// One more line row, without a script and with nothing required
		// filled in yet: the form comes back with what was typed.
		chromedp.Click(chromedp.ID("add-line")),
		chromedp.WaitVisible(chromedp.ID("line-3")),
	)
	if err != nil {
		fail("adding a line row", err)
	}
	if kept, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`input[name="description_0"]`))); err != nil || kept != "Sintered NdFeB magnets with Dy" {
		fail("the first line after adding a row: "+kept, err)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`input[name="destination"]`), "KR"),
		chromedp.SendKeys(chromedp.CSS(`input[name="consignee_name"]`), "Hanbit Motors Co., Ltd."),
		chromedp.SendKeys(chromedp.CSS(`input[name="consignee_country"]`), "KR"),
		chromedp.Click(chromedp.CSS(`input[name="same_as_consignee"]`)),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="end_use_statement"]`), "Traction motors for electric buses."),
		// Enter in a field saves the draft: the form's default button is
		// the save button, not the add buttons that come first on the page.
		chromedp.SendKeys(chromedp.CSS(`input[name="contract_ref"]`), "HB-2026-07\r"),
		chromedp.WaitVisible(chromedp.ID("draft-actions")),
	)
	if err != nil {
		fail("new application", err)
	}
	appPage, _ := chromedp.Run(ctx, chromedp.Location())
	if !appURL.MatchString(appPage) || state() != "draft" {
		fail("after saving the draft", nil)
	}
	for i, kind := range []string{"end_user_certificate", "end_use_certificate", "contract"} {
		err := chromedp.Do(ctx,
			chromedp.SetValue(chromedp.CSS(`#document-form select[name="kind"]`), kind),
			chromedp.SetUploadFiles(chromedp.CSS(`#document-form input[name="file"]`), []string{pdf}),
			chromedp.Click(chromedp.ID("upload-document")),
			// The page comes back with one more document listed.
			chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#document-list tbody tr:nth-child(%d)`, i+1))),
		)
		if err != nil {
			fail("uploading "+kind, err)
		}
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#document-list tbody tr").length`)); n != 3 {
		fail("documents listed", nil)
	}
	// The draft already shows what submitting will find: green-channel eligible.
	if preview, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("green"))); !strings.Contains(preview, "eligible") || strings.Contains(preview, "not eligible") {
		fail("green preview on the draft: "+preview, nil)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("submit-application")), chromedp.WaitVisible(chromedp.CSS(`#app-state[data-state="under_review"]`))); err != nil {
		fail("submit", err)
	}
	if s := state(); s != "under_review" {
		fail("state after submission is "+s, nil)
	}
	due, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("due")))
	green, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("green")))
	if !regexp.MustCompile(`\d{4}-\d\d-\d\d`).MatchString(due) || !strings.Contains(green, "eligible") || strings.Contains(green, "not eligible") {
		fail("due date "+due+" / green "+green, nil)
	}
	shot("application-exporter")
	signOut()

	// 2. The reviewer asks for information: the clock pauses.
	signIn("zhang@authority.example")
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#applications tr.overdue").length`)); n == 0 {
		fail("the demo queue shows no overdue application", nil)
	}
	shot("queue-reviewer")
	err = chromedp.Do(ctx,
		chromedp.Navigate(appPage),
		chromedp.WaitVisible(chromedp.ID("review-actions")),
		chromedp.SendKeys(chromedp.CSS(`#request-info-form textarea`), "Please send the end-user certificate in Chinese."),
		chromedp.Click(chromedp.ID("request-info")),
		chromedp.WaitVisible(chromedp.CSS(`#app-state[data-state="information_requested"]`)),
	)
	if err != nil {
		fail("request information", err)
	}
	if s := state(); s != "information_requested" {
		fail("state after the question is "+s, nil)
	}
	signOut()

	// 3. The exporter answers: the clock runs again.
	signIn("wei@ningbo.example")
	err = chromedp.Do(ctx,
		chromedp.Navigate(appPage),
		chromedp.WaitVisible(chromedp.ID("answer-form")),
		chromedp.SendKeys(chromedp.CSS(`#answer-form textarea`), "The translated certificate is attached."),
		chromedp.Click(chromedp.CSS(`#answer-form input[name="documents"]`)),
		chromedp.Click(chromedp.ID("send-answer")),
		chromedp.WaitVisible(chromedp.CSS(`#app-state[data-state="under_review"]`)),
	)
	if err != nil {
		fail("answer", err)
	}
	if s := state(); s != "under_review" {
		fail("state after the answer is "+s, nil)
	}
	signOut()

	// 4. The reviewer approves (below the countersignature value).
	signIn("zhang@authority.example")
	err = chromedp.Do(ctx,
		chromedp.Navigate(appPage),
		chromedp.WaitVisible(chromedp.ID("decide-form")),
		chromedp.SetValue(chromedp.ID("decision-kind"), "approve"),
		chromedp.SendKeys(chromedp.CSS(`#decide-form textarea[name="reasons"]`), "Validated civilian end user."),
		chromedp.Click(chromedp.ID("decide")),
		chromedp.WaitVisible(chromedp.ID("decision")),
	)
	if err != nil {
		fail("approve", err)
	}
	if s := state(); s != "approved" {
		fail("state after approval is "+s, nil)
	}
	shot("application-reviewer")
	signOut()

	// 5. The exporter records a shipment and sees the balance.
	signIn("wei@ningbo.example")
	err = chromedp.Do(ctx,
		chromedp.Navigate(appPage),
		chromedp.Click(chromedp.ID("licence-link")),
		chromedp.WaitVisible(chromedp.ID("shipment-form")),
		chromedp.SendKeys(chromedp.CSS(`#shipment-form input[name="quantity"]`), "120.5"),
		chromedp.SendKeys(chromedp.CSS(`#shipment-form input[name="value"]`), "11568"),
		chromedp.SendKeys(chromedp.CSS(`#shipment-form input[name="reference"]`), "CUS-2026-0999"),
		chromedp.Click(chromedp.ID("record-shipment")),
		chromedp.WaitVisible(chromedp.ID("shipments")),
	)
	if err != nil {
		fail("shipment", err)
	}
	left, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("quantity-left")))
	if strings.TrimSpace(left) != "379.5 kg" {
		fail("quantity left is "+left+", want 379.5 kg", nil)
	}
	shot("licence")
}
