package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"rarex/postgres/pgtest"
)

// syncBuffer is a bytes.Buffer safe for a server goroutine and a test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func newApp(env map[string]string, stdin string) (*App, *syncBuffer, *syncBuffer) {
	out, errOut := &syncBuffer{}, &syncBuffer{}
	return &App{Stdin: strings.NewReader(stdin), Stdout: out, Stderr: errOut, Getenv: func(k string) string { return env[k] }}, out, errOut
}

// startServe runs serve in the background and returns its base URL and stdout.
func startServe(t *testing.T, args ...string) (string, *syncBuffer) {
	t.Helper()
	app, out, errOut := newApp(nil, "")
	addrc := make(chan string, 1)
	app.OnListen = func(a string) { addrc <- a }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve returned %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("serve did not shut down")
		}
	})
	select {
	case a := <-addrc:
		return "http://" + a, out
	case err := <-done:
		t.Fatalf("serve failed: %v\n%s", err, errOut.String())
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}
	return "", nil
}

var loginLine = regexp.MustCompile(`(?m)^\s+(\w+)\s+(\S+@\S+)\s+(\S+)\s+\[`)

func demoLogins(out string) map[string][2]string {
	m := map[string][2]string{}
	for _, g := range loginLine.FindAllStringSubmatch(out, -1) {
		if _, ok := m[g[1]]; !ok {
			m[g[1]] = [2]string{g[2], g[3]}
		}
	}
	return m
}

// newBrowser starts Debian's Chromium headless (never a downloaded
// browser) for the test; it fails in CI when Chromium is missing.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is not installed; .ci/run must install it")
		}
		t.Skip("chromium not installed: browser test SKIPPED (apt-get install -y chromium)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 1000),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return bctx
}

// TestBrowserLogin signs in through the real form in headless Chromium.
func TestBrowserLogin(t *testing.T) {
	bctx := newBrowser(t)
	base, out := startServe(t, "--data", t.TempDir(), "--demo")
	logins := demoLogins(out.String())
	if len(logins) != 4 {
		t.Fatalf("demo logins not printed for every role: %v\n%s", logins, out.String())
	}
	for _, c := range []struct{ role, lang, wantRole string }{
		{"exporter", "en", "Exporter"},
		{"reviewer", "zh-Hans", "审查员"},
		{"overseer", "en", "Overseer"},
	} {
		t.Run(c.role, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(bctx, 60*time.Second)
			defer cancel()
			ctx, cancel = chromedp.NewContext(ctx) // a fresh tab, sharing the browser's cookie jar
			defer cancel()
			cred := logins[c.role]
			err := chromedp.Do(ctx,
				chromedp.Navigate(base+"/lang/"+c.lang+"?next=/tokens"), // a protected page: redirects to the login form
				chromedp.WaitVisible(chromedp.ID("login-form")),
				chromedp.SendKeys(chromedp.ID("email"), cred[0]),
				chromedp.SendKeys(chromedp.ID("password"), cred[1]),
				chromedp.Click(chromedp.ID("login-submit")),
				chromedp.WaitVisible(chromedp.CSS(`nav a[aria-current="page"][href="/tokens"]`)), // back where the redirect came from
				chromedp.Navigate(base+"/"),
				chromedp.WaitVisible(chromedp.ID("role")),
			)
			if err != nil {
				html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("body")))
				t.Fatalf("login flow: %v\npage: %s", err, html)
			}
			role, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("role")))
			if err != nil || role != c.wantRole {
				t.Fatalf("role on the home page = %q (%v), want %q", role, err, c.wantRole)
			}
			if dir := os.Getenv("RAREX_SCREENSHOT_DIR"); dir != "" { // for a person to look at
				if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
					os.WriteFile(filepath.Join(dir, "home-"+c.role+".png"), png, 0o644)
				}
			}
			who, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("who")))
			if !strings.Contains(who, cred[0]) {
				t.Fatalf("header shows %q, want the signed-in address %s", who, cred[0])
			}
			if c.role == "exporter" {
				// Journey 1: Linh checks her Vietnamese motor magnet after the suspension ended.
				err := chromedp.Do(ctx,
					chromedp.Click(chromedp.CSS(`nav a[href="/determine"]`)),
					chromedp.WaitVisible(chromedp.ID("determine-form")),
					chromedp.SetValue(chromedp.CSS(`input[name="date"]`), "2026-11-20"),
					chromedp.SetValue(chromedp.CSS(`input[name="ship_from"]`), "VN"),
					chromedp.SendKeys(chromedp.CSS(`input[name="destination"]`), "DE"),
					chromedp.SetValue(chromedp.CSS(`input[name="origin"]`), "VN"),
					chromedp.SendKeys(chromedp.CSS(`input[name="elements"]`), "Nd, Pr, Dy"),
					chromedp.SendKeys(chromedp.CSS(`input[name="value"]`), "12000"),
					chromedp.SendKeys(chromedp.CSS(`input[name="cn_controlled_content_value"]`), "30.5"),
					chromedp.Click(chromedp.ID("determine-submit")),
					chromedp.WaitVisible(chromedp.ID("outcome")),
				)
				if err != nil {
					t.Fatalf("check an item: %v", err)
				}
				outcome, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("outcome")))
				if err != nil || outcome != "Licence required" {
					t.Fatalf("outcome shown = %q (%v), want Licence required", outcome, err)
				}
				if dir := os.Getenv("RAREX_SCREENSHOT_DIR"); dir != "" {
					if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
						os.WriteFile(filepath.Join(dir, "determine.png"), png, 0o644)
					}
				}
				// An upload through the form, with its progress script: it lands on the new BOM's page.
				partsCSV, _ := filepath.Abs("../../boms/demo/parts.csv")
				edgesCSV, _ := filepath.Abs("../../boms/demo/edges.csv")
				err = chromedp.Do(ctx,
					chromedp.Click(chromedp.CSS(`nav a[href="/boms"]`)),
					chromedp.WaitVisible(chromedp.ID("upload-form")),
					chromedp.SendKeys(chromedp.CSS(`#upload-form input[name="name"]`), "Uploaded in the browser"),
					chromedp.SetUploadFiles(chromedp.CSS(`input[name="parts"]`), []string{partsCSV}),
					chromedp.SetUploadFiles(chromedp.CSS(`input[name="edges"]`), []string{edgesCSV}),
				)
				enhanced, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.rarexUploadProgress === true`))
				if err == nil {
					err = chromedp.Do(ctx, chromedp.Click(chromedp.ID("upload-submit")), chromedp.WaitVisible(chromedp.ID("products")))
				}
				if err != nil || !enhanced {
					html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
					t.Fatalf("upload with progress (script active: %v): %v\n%s", enhanced, err, html)
				}
				// Journey 1 again: her demo BOM, the product over the threshold, and a what-if
				// with the alternatives her buyer listed, uploaded through the real form.
				alts, _ := filepath.Abs("../../boms/demo/alternatives.csv")
				err = chromedp.Do(ctx,
					chromedp.Click(chromedp.CSS(`nav a[href="/boms"]`)),
					chromedp.Click(chromedp.CSS(`#bom-list a`)), // the copy just uploaded: the same demo BOM
					chromedp.SetValue(chromedp.CSS(`input[name="date"]`), "2026-11-20"),
					chromedp.Submit(chromedp.CSS(`input[name="date"]`)),
					chromedp.WaitVisible(chromedp.ID("products")),
					chromedp.Click(chromedp.CSS(`#products a[href*="/products/HM-250"]`)),
					chromedp.WaitVisible(chromedp.ID("whatif-form")),
					chromedp.SetUploadFiles(chromedp.CSS(`input[name="alternatives"]`), []string{alts}),
					chromedp.Click(chromedp.ID("whatif-submit")),
					chromedp.WaitVisible(chromedp.ID("plan")),
				)
				if err != nil {
					html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
					t.Fatalf("BOM journey: %v\n%s", err, html)
				}
				plan, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("plan")))
				if !strings.Contains(plan, "DY-FOIL") || !strings.Contains(plan, "Shin-Etsu") {
					t.Fatalf("what-if plan shown: %q", plan)
				}
				if dir := os.Getenv("RAREX_SCREENSHOT_DIR"); dir != "" {
					if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
						os.WriteFile(filepath.Join(dir, "whatif.png"), png, 0o644)
					}
				}
				// Screening a consignee written in Chinese against the demo list.
				err = chromedp.Do(ctx,
					chromedp.Click(chromedp.CSS(`nav a[href="/screen"]`)),
					chromedp.WaitVisible(chromedp.ID("screen-form")),
					chromedp.SendKeys(chromedp.CSS(`#screen-form input[name="name"]`), "北风国防电子"),
					chromedp.Submit(chromedp.CSS(`#screen-form input[name="name"]`)),
					chromedp.WaitVisible(chromedp.CSS(`table.hits`)),
				)
				if err != nil {
					html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
					t.Fatalf("screening journey: %v\n%s", err, html)
				}
				hits, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`table.hits`)))
				if !strings.Contains(hits, "Northwind Defence Electronics") || !strings.Contains(hits, "Export control list") {
					t.Fatalf("screening hits shown: %q", hits)
				}
			}
			if c.role == "overseer" {
				// The overseer's dashboard: every chart drawn by the vendored chart
				// library from its JSON, no script error and no console error.
				var mu sync.Mutex
				var consoleErrors []string
				if err := chromedp.Listen(ctx, func(ev any) {
					mu.Lock()
					defer mu.Unlock()
					switch e := ev.(type) {
					case *cdpruntime.EventExceptionThrown:
						consoleErrors = append(consoleErrors, "exception: "+e.ExceptionDetails.Text)
					case *cdpruntime.EventConsoleAPICalled:
						if e.Type == cdpruntime.ConsoleAPICalledTypeError {
							consoleErrors = append(consoleErrors, "console.error")
						}
					}
				}); err != nil {
					t.Fatal(err)
				}
				err := chromedp.Do(ctx,
					chromedp.Click(chromedp.CSS(`nav a[href="/monitor"]`)),
					chromedp.WaitVisible(chromedp.CSS(`#prices .chart canvas`)),
					chromedp.WaitVisible(chromedp.CSS(`#demand .chart canvas`)),
					chromedp.WaitVisible(chromedp.CSS(`#concentration .chart canvas`)),
					chromedp.WaitVisible(chromedp.CSS(`#licences .chart canvas`)),
					chromedp.WaitVisible(chromedp.CSS(`#licence_times .chart canvas`)),
				)
				drawn, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`window.rarexCharts.drawn`))
				errs, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.rarexCharts.errors`))
				mu.Lock()
				errs = append(errs, consoleErrors...)
				mu.Unlock()
				if err != nil || drawn != 5 || len(errs) > 0 {
					html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
					t.Fatalf("dashboard: %v; %d charts drawn, errors %v\n%s", err, drawn, errs, html)
				}
				// The CSV downloads say what the API says: prices value for
				// value, licence decisions month by month (withheld cells too).
				mismatch, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(async () => {
					const api = await (await fetch("/api/v1/indicators?date=2026-11-28")).json();
					const rows = t => t.trim().split("\n").map(l => l.split(","));
					const prices = rows(await (await fetch("/monitor/data/prices?format=csv&date=2026-11-28")).text());
					const head = prices[0];
					for (const r of prices.slice(1)) for (let i = 1; i < head.length; i++) {
						const v = api.prices.series[head[i]][r[0]];
						if ((v === undefined ? "" : String(v)) !== r[i]) return "prices " + head[i] + " " + r[0] + ": csv " + r[i] + ", api " + v;
					}
					const lic = rows(await (await fetch("/monitor/data/licences?format=csv&date=2026-11-28")).text());
					const months = api.licence_statistics.months;
					if (lic.length - 1 !== months.length || months.length === 0) return "licence months: csv " + (lic.length - 1) + ", api " + months.length;
					for (let i = 0; i < months.length; i++) {
						const a = months[i].outcomes.approved;
						if (lic[i + 1][0] !== months[i].month || lic[i + 1][2] !== (a === null ? "<k" : String(a))) return "licences " + months[i].month + ": csv " + lic[i + 1] + ", api " + a;
					}
					return "";
				})()`, chromedp.EvalAwaitPromise))
				if err != nil || mismatch != "" {
					t.Fatalf("the CSV downloads and the API disagree: %q %v", mismatch, err)
				}
				if dir := os.Getenv("RAREX_SCREENSHOT_DIR"); dir != "" { // CI keeps it as an artifact
					png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
					if err == nil {
						err = os.WriteFile(filepath.Join(dir, "monitor.png"), png, 0o644)
					}
					if err != nil || len(png) < 1000 {
						t.Fatalf("dashboard screenshot: %v (%d bytes)", err, len(png))
					}
				}
			}
			// Sign out, so the next role starts clean.
			if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.ID("login-form"))); err != nil {
				t.Fatalf("logout: %v", err)
			}
		})
	}
}

func TestDemoSeedIsIdempotentAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	_, out := startServeOnce(t, dir)
	first := demoLogins(out)
	_, out2 := startServeOnce(t, dir)
	if len(first) != 4 || !strings.Contains(out2, "set at first start") {
		t.Fatalf("second start should list the accounts without passwords:\n%s", out2)
	}
	// The first passwords still work after the restart, and the demo BOM exists once.
	base, _ := startServe(t, "--data", dir)
	resp, err := noRedirectClient.PostForm(base+"/login", map[string][]string{"email": {first["exporter"][0]}, "password": {first["exporter"][1]}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login with the first start's password: %v %v", resp.StatusCode, err)
	}
	req, _ := http.NewRequest("GET", base+"/boms", nil)
	for _, c := range resp.Cookies() {
		req.AddCookie(c)
	}
	page, err := noRedirectClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer page.Body.Close()
	b, _ := io.ReadAll(page.Body)
	if n := strings.Count(string(b), "Hub motors and controller (demo)"); n != 1 {
		t.Fatalf("demo BOM listed %d times after two seedings", n)
	}
}

var noRedirectClient = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func startServeOnce(t *testing.T, dir string) (string, string) {
	t.Helper()
	app, out, errOut := newApp(nil, "")
	ctx, cancel := context.WithCancel(context.Background())
	app.OnListen = func(string) { cancel() }
	if err := app.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", dir, "--demo"}); err != nil {
		t.Fatalf("serve: %v\n%s", err, errOut.String())
	}
	return "", out.String()
}

func TestServeErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	notDir := filepath.Join(t.TempDir(), "file")
	os.WriteFile(notDir, []byte("x"), 0o600)
	badKey := filepath.Join(t.TempDir(), "secrets.key")
	os.WriteFile(badKey, []byte("not hex\n"), 0o600)
	for name, c := range map[string]struct {
		args []string
		env  map[string]string
		want string
	}{
		"port in use":     {[]string{"--addr", ln.Addr().String()}, nil, "in use"},
		"unknown scheme":  {[]string{"--db", "mysql://root@localhost/x"}, nil, `unknown scheme "mysql"`},
		"empty sqlite":    {[]string{"--db", "sqlite:"}, nil, "needs a file path"},
		"data is a file":  {[]string{"--addr", "127.0.0.1:0", "--data", notDir}, nil, "data directory"},
		"unreachable pg":  {[]string{"--addr", "127.0.0.1:0", "--db", "postgres://nobody@127.0.0.1:1/x?connect_timeout=2"}, nil, "cannot reach"},
		"bad env":         {nil, map[string]string{"RAREX_DEMO": "perhaps"}, "RAREX_DEMO"},
		"bad log format":  {[]string{"--log-format", "xml"}, nil, "log format"},
		"bad flag":        {[]string{"--no-such-flag"}, nil, "not defined"},
		"stray argument":  {[]string{"extra"}, nil, "unexpected argument"},
		"tiny body limit": {[]string{"--max-body-bytes", "10"}, nil, "max body bytes"},
		"bad secrets key": {[]string{"--addr", "127.0.0.1:0", "--data", t.TempDir(), "--secrets-key", badKey}, nil, "want 32 bytes in hex"},
	} {
		t.Run(name, func(t *testing.T) {
			app, _, errOut := newApp(c.env, "")
			err := app.Run(context.Background(), append([]string{"serve"}, c.args...))
			if err == nil || !strings.Contains(err.Error()+errOut.String(), c.want) {
				t.Fatalf("err = %v, want it to mention %q", err, c.want)
			}
		})
	}
}

func TestConfigPrecedence(t *testing.T) {
	app, _, _ := newApp(map[string]string{"RAREX_ADDR": "127.0.0.1:9999", "RAREX_DATA": "/srv/rarex", "RAREX_SESSION_TTL": "2h"}, "")
	cfg, _, err := app.config("serve", []string{"--addr", "127.0.0.1:7000"}, (*Config).bindServeFlags)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:7000" || cfg.DataDir != "/srv/rarex" || cfg.SessionTTL != 2*time.Hour || cfg.DB != "sqlite:/srv/rarex/rarex.db" {
		t.Fatalf("config = %+v", cfg)
	}
}

func TestOperatorCommands(t *testing.T) {
	dir := t.TempDir()
	run := func(stdin string, args ...string) (string, error) {
		app, out, errOut := newApp(nil, stdin)
		err := app.Run(context.Background(), append(args, "--data", dir))
		return out.String() + errOut.String(), err
	}
	if out, err := run("", "user", "add", "--org", "Acme", "--role", "exporter", "--email", "a@acme.example"); err == nil || !strings.Contains(out+err.Error(), "rarex org add") {
		t.Fatalf("user add to a missing org: %v %s", err, out)
	}
	if _, err := run("", "org", "add", "--name", "Acme", "--kind", "exporter", "--country", "kr"); err != nil {
		t.Fatal(err)
	}
	if _, err := run("", "org", "add", "--name", "ACME", "--kind", "exporter"); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("duplicate org: %v", err)
	}
	if _, err := run("", "org", "add", "--name", "Bad", "--kind", "pirate"); err == nil || !strings.Contains(err.Error(), "kind") {
		t.Fatalf("bad kind: %v", err)
	}
	out, err := run("", "user", "add", "--org", "acme", "--role", "exporter", "--email", "a@acme.example", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var added struct {
		User     struct{ Email, Role string }
		Password string `json:"generated_password"`
	}
	if err := json.Unmarshal([]byte(out), &added); err != nil || added.User.Email != "a@acme.example" || len(added.Password) != 20 {
		t.Fatalf("user add --json = %s (%v)", out, err)
	}
	if _, err := run("a password from stdin\n", "user", "add", "--org", "Acme", "--role", "exporter", "--email", "b@acme.example", "--password-stdin"); err != nil {
		t.Fatal(err)
	}
	if _, err := run("short\n", "user", "passwd", "--email", "b@acme.example", "--password-stdin"); err == nil || !strings.Contains(err.Error(), "12") {
		t.Fatalf("short password: %v", err)
	}
	if _, err := run("", "user", "add", "--org", "Acme", "--role", "reviewer", "--email", "c@acme.example"); err == nil || !strings.Contains(err.Error(), "role") {
		t.Fatalf("reviewer in an exporter org: %v", err)
	}
	if _, err := run("", "user", "add", "--org", "Acme", "--email", "c@acme.example"); err == nil || !strings.Contains(err.Error(), "--role is required") {
		t.Fatalf("missing --role: %v", err)
	}
	out, err = run("", "token", "create", "--email", "a@acme.example", "--name", "erp", "--ttl-days", "30")
	if err != nil || !strings.Contains(out, "rxt_") {
		t.Fatalf("token create: %v %s", err, out)
	}
	if _, err := run("", "token", "create", "--email", "nobody@acme.example", "--name", "erp"); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("token for unknown user: %v", err)
	}
	if out, err := run("", "user", "disable", "--email", "b@acme.example"); err != nil || !strings.Contains(out, "Disabled b@acme.example") {
		t.Fatalf("disable: %v %s", err, out)
	}
	out, err = run("", "user", "list", "--org", "Acme")
	if err != nil || !strings.Contains(out, "b@acme.example") || !strings.Contains(out, "disabled") {
		t.Fatalf("user list: %v\n%s", err, out)
	}
	if _, err := run("", "user", "frobnicate"); err == nil {
		t.Fatal("unknown subcommand accepted")
	}
	if _, err := run("", "nonsense"); err == nil {
		t.Fatal("unknown command accepted")
	}
}

// TestServeOnPostgres runs the server on PostgreSQL and signs in over HTTP.
func TestServeOnPostgres(t *testing.T) {
	dsn := pgtest.DSN(t)
	base, out := startServe(t, "--db", dsn, "--data", t.TempDir(), "--demo")
	logins := demoLogins(out.String())
	resp, err := noRedirectClient.PostForm(base+"/login", map[string][]string{"email": {logins["reviewer"][0]}, "password": {logins["reviewer"][1]}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login on PostgreSQL: %v %v", resp, err)
	}
	if strings.Contains(out.String(), "rarex_ci:rarex_ci@") {
		t.Error("the DSN's password was printed")
	}
	resp, err = http.Get(base + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz on PostgreSQL: %v %v", resp, err)
	}
}

// TestGracefulShutdown: a request in flight when the signal comes still gets its answer.
func TestGracefulShutdown(t *testing.T) {
	app, _, _ := newApp(nil, "")
	addrc := make(chan string, 1)
	app.OnListen = func(a string) { addrc <- a }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- app.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--demo"})
	}()
	addr := <-addrc
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := "email=nobody%40example.com&password=not+the+password"
	// Send the headers and half the body, then ask the server to stop.
	fmt.Fprintf(conn, "POST /login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", addr, len(body), body[:10])
	time.Sleep(200 * time.Millisecond)
	cancel()
	time.Sleep(200 * time.Millisecond)
	fmt.Fprint(conn, body[10:])
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("in-flight request lost at shutdown: %v", err)
	}
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("in-flight request: status %d, want 401", resp.StatusCode)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Fatal("still accepting connections after shutdown")
	}
}

// TestSecretsKeyFile: serve makes the key that seals webhook secrets at
// first start, readable by its owner only, and keeps it across restarts.
func TestSecretsKeyFile(t *testing.T) {
	dir := t.TempDir()
	startServeOnce(t, dir)
	path := filepath.Join(dir, "secrets.key")
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("secrets.key mode %v, want 0600", st.Mode().Perm())
	}
	first, _ := os.ReadFile(path)
	startServeOnce(t, dir)
	if again, _ := os.ReadFile(path); string(again) != string(first) || len(strings.TrimSpace(string(first))) != 64 {
		t.Errorf("secrets.key changed across restarts or is not 32 bytes in hex: %q then %q", first, again)
	}
}
