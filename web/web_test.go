package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"rarex"
	"rarex/i18n"
	"rarex/web"
)

func apiError(t *testing.T, resp *http.Response) web.ErrorBody {
	t.Helper()
	var b web.ErrorBody
	if err := json.NewDecoder(resp.Body).Decode(&b); err != nil {
		t.Fatalf("error body is not JSON: %v", err)
	}
	return b
}

func TestAPIBadInput(t *testing.T) {
	f := newFixture(t)
	big := `{"name":"` + strings.Repeat("x", 70<<10) + `"}`
	for name, c := range map[string]struct {
		method, path, body string
		hdr                []string
		status             int
		code, mention      string
	}{
		"malformed JSON":     {"POST", "/api/v1/tokens", `{"name":`, nil, 400, rarex.EINVALID, "JSON ends too early"},
		"syntax error":       {"POST", "/api/v1/tokens", `{"name" "x"}`, nil, 400, rarex.EINVALID, "malformed JSON"},
		"unknown field":      {"POST", "/api/v1/tokens", `{"name":"x","colour":"red"}`, nil, 400, rarex.EINVALID, `"colour"`},
		"wrong type":         {"POST", "/api/v1/tokens", `{"name":"x","ttl_days":"ten"}`, nil, 400, rarex.EINVALID, "ttl_days"},
		"two values":         {"POST", "/api/v1/tokens", `{"name":"x"}{"name":"y"}`, nil, 400, rarex.EINVALID, "more than one"},
		"empty body":         {"POST", "/api/v1/tokens", ``, nil, 400, rarex.EINVALID, "empty"},
		"array body":         {"POST", "/api/v1/tokens", `[1,2]`, nil, 400, rarex.EINVALID, "expected"},
		"oversized body":     {"POST", "/api/v1/tokens", big, nil, 413, rarex.ETOOLARGE, "larger than"},
		"wrong content type": {"POST", "/api/v1/tokens", `{"name":"x"}`, []string{"Content-Type", "text/plain"}, 400, rarex.EINVALID, "Content-Type"},
		"negative ttl":       {"POST", "/api/v1/tokens", `{"name":"x","ttl_days":-1}`, nil, 400, rarex.EINVALID, "ttl_days"},
		"blank token name":   {"POST", "/api/v1/tokens", `{"name":"  "}`, nil, 400, rarex.EINVALID, "name"},
		"bad limit":          {"GET", "/api/v1/organisations?limit=-5", ``, nil, 400, rarex.EINVALID, "limit"},
		"bad kind":           {"GET", "/api/v1/organisations?kind=pirate", ``, nil, 400, rarex.EINVALID, "kind"},
		"unknown org":        {"GET", "/api/v1/organisations/nope", ``, nil, 404, rarex.ENOTFOUND, "not found"},
		"unknown endpoint":   {"GET", "/api/v1/nothing", ``, nil, 404, rarex.ENOTFOUND, "No such endpoint"},
		"wrong method":       {"PUT", "/api/v1/tokens", `{}`, nil, 405, "", ""},
		"bad role for org":   {"POST", "/api/v1/users", `{"org_id":"%B","email":"r@example.com","role":"reviewer"}`, nil, 400, rarex.EINVALID, "role"},
		"duplicate email":    {"POST", "/api/v1/users", `{"org_id":"%B","email":"OUTSIDER@example.com","role":"exporter"}`, nil, 409, rarex.ECONFLICT, "already exists"},
		"duplicate org name": {"POST", "/api/v1/organisations", `{"name":"EXPORTERA","kind":"exporter"}`, nil, 409, rarex.ECONFLICT, "already exists"},
		"bad country":        {"POST", "/api/v1/organisations", `{"name":"Z","kind":"exporter","country":"Germany"}`, nil, 400, rarex.EINVALID, "country"},
	} {
		t.Run(name, func(t *testing.T) {
			body := strings.ReplaceAll(c.body, "%B", f.orgs["exporterB"].ID)
			resp := f.req(c.method, c.path, body, "bearer:admin", c.hdr...)
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.status, readBody(t, resp))
			}
			if c.code == "" {
				return
			}
			b := apiError(t, resp)
			if b.Error.Code != c.code || !strings.Contains(b.Error.Message, c.mention) {
				t.Fatalf("error %+v, want code %s mentioning %q", b.Error, c.code, c.mention)
			}
		})
	}
	// Nothing half-written: the failed creations left no rows.
	if _, total, _ := f.svc.ListOrgs(context.Background(), f.users[rarex.RoleAdmin], rarex.OrgFilter{}); total != 4 {
		t.Fatalf("organisations after bad input: %d, want 4", total)
	}
}

func TestCredentials(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for name, auth := range map[string]string{
		"garbage bearer":   "Bearer rxt_garbage",
		"basic scheme":     "Basic dXNlcjpwYXNz",
		"empty bearer":     "Bearer ",
		"session as token": "Bearer " + f.cookies[rarex.RoleExporter],
	} {
		resp := f.req("GET", "/api/v1/me", "", auth)
		if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s: status %d, want 401 with WWW-Authenticate", name, resp.StatusCode)
		}
	}
	if resp := f.req("GET", "/api/v1/me", "", "bearer:exporter"); resp.StatusCode != 200 {
		t.Fatalf("valid token: %d", resp.StatusCode)
	}
	// A disabled user's token and session stop working at once.
	if _, err := f.svc.SetDisabled(ctx, f.users[rarex.RoleAdmin], f.users[rarex.RoleExporter].ID, true); err != nil {
		t.Fatal(err)
	}
	if resp := f.req("GET", "/api/v1/me", "", "bearer:exporter"); resp.StatusCode != 401 {
		t.Errorf("disabled user's token: %d, want 401", resp.StatusCode)
	}
	if resp := f.req("GET", "/", "", "cookie:exporter"); resp.StatusCode != 303 || !strings.Contains(resp.Header.Get("Location"), "expired") {
		t.Errorf("disabled user's session: %d %q, want redirect to the login page", resp.StatusCode, resp.Header.Get("Location"))
	}
	// Expired session.
	f.clock.Advance(13 * time.Hour)
	resp := f.req("GET", "/tokens", "", "cookie:reviewer")
	if resp.StatusCode != 303 || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("expired session: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp := f.req("GET", "/api/v1/me", "", "cookie:reviewer"); resp.StatusCode != 401 {
		t.Errorf("expired session on the API: %d, want 401", resp.StatusCode)
	}
}

func TestLoginForm(t *testing.T) {
	f := newFixture(t)
	resp := f.req("POST", "/login", form("email", "reviewer@example.com", "password", "wrong password!"), "", "Accept-Language", "zh-CN")
	if body := readBody(t, resp); resp.StatusCode != 401 || !strings.Contains(body, i18n.T(i18n.Chinese, "login.failed")) || !strings.Contains(body, `value="reviewer@example.com"`) {
		t.Fatalf("wrong password: %d, body lacks the Chinese message or the kept address", resp.StatusCode)
	}
	resp = f.req("POST", "/login", form("email", "reviewer@example.com", "password", pw, "next", "/tokens"), "")
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/tokens" {
		t.Fatalf("login: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	var c *http.Cookie
	for _, x := range resp.Cookies() {
		if x.Name == "rarex_session" {
			c = x
		}
	}
	if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.MaxAge <= 0 || c.Value == f.cookies[rarex.RoleReviewer] {
		t.Fatalf("session cookie = %+v", c)
	}
	// Open redirects are refused.
	resp = f.req("POST", "/login", form("email", "reviewer@example.com", "password", pw, "next", "//evil.example/x"), "")
	if resp.Header.Get("Location") != "/" {
		t.Fatalf("next=//evil: redirected to %q", resp.Header.Get("Location"))
	}
	// Five failures lock the account: the sixth try gets 429 even with the right password.
	for i := 0; i < 5; i++ {
		f.req("POST", "/login", form("email", "overseer@example.com", "password", "nope nope nope"), "")
	}
	if resp := f.req("POST", "/login", form("email", "overseer@example.com", "password", pw), ""); resp.StatusCode != 429 {
		t.Fatalf("after 5 failures: %d, want 429", resp.StatusCode)
	}
	// Logout ends the session on the server.
	resp = f.req("POST", "/logout", "", "cookie:admin")
	if resp.StatusCode != 303 {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	if resp := f.req("GET", "/api/v1/me", "", "cookie:admin"); resp.StatusCode != 401 {
		t.Fatalf("session alive after logout: %d", resp.StatusCode)
	}
}

func TestCrossOriginFormRefused(t *testing.T) {
	f := newFixture(t)
	resp := f.req("POST", "/tokens", form("name", "x", "ttl_days", "1"), "cookie:exporter", "Sec-Fetch-Site", "cross-site")
	if resp.StatusCode != 403 {
		t.Fatalf("cross-site form post: %d, want 403", resp.StatusCode)
	}
	resp = f.req("POST", "/login", form("email", "exporter@example.com", "password", pw), "", "Origin", "https://evil.example")
	if resp.StatusCode != 403 {
		t.Fatalf("cross-origin login: %d, want 403", resp.StatusCode)
	}
	resp = f.req("POST", "/tokens", form("name", "x", "ttl_days", "1"), "cookie:exporter", "Sec-Fetch-Site", "same-origin")
	if resp.StatusCode != 201 {
		t.Fatalf("same-origin form post: %d, want 201", resp.StatusCode)
	}
}

// TestPagesInBothLanguages renders every page for every role in both
// languages and checks no message key is missing.
func TestPagesInBothLanguages(t *testing.T) {
	f := newFixture(t)
	for _, lang := range i18n.Langs {
		for _, role := range rarex.Roles {
			for _, path := range []string{"/", "/tokens", "/users", "/no-such-page"} {
				resp := f.req("GET", path, "", "cookie:"+string(role), "Cookie", "rarex_lang="+lang)
				body := readBody(t, resp)
				if strings.Contains(body, "[[") {
					t.Errorf("%s %s as %s: a message key is missing: %s", lang, path, role, body[strings.Index(body, "[["):][:60])
				}
				if !strings.Contains(body, `<html lang="`+lang+`">`) {
					t.Errorf("%s %s as %s: page not in %s", lang, path, role, lang)
				}
			}
		}
		resp := f.req("GET", "/login", "", "", "Cookie", "rarex_lang="+lang)
		if body := readBody(t, resp); !strings.Contains(body, i18n.T(lang, "login.submit")) {
			t.Errorf("login page in %s lacks its button", lang)
		}
	}
	// The home page is the role's: each role sees its own tasks.
	resp := f.req("GET", "/", "", "cookie:overseer")
	if body := readBody(t, resp); !strings.Contains(body, i18n.T(i18n.English, "task.indicators")) || strings.Contains(body, i18n.T(i18n.English, "task.apply")) {
		t.Errorf("overseer home shows the wrong tasks")
	}
}

func TestLanguageSwitch(t *testing.T) {
	f := newFixture(t)
	resp := f.req("GET", "/lang/zh-Hans?next=/tokens", "", "")
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/tokens" {
		t.Fatalf("switch: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if c := resp.Cookies(); len(c) != 1 || c[0].Value != "zh-Hans" {
		t.Fatalf("language cookie = %v", c)
	}
	if resp := f.req("GET", "/lang/fr", "", ""); resp.StatusCode != 404 {
		t.Fatalf("unknown language: %d", resp.StatusCode)
	}
	if resp := f.req("GET", "/lang/en?next=https://evil.example", "", ""); resp.Header.Get("Location") != "/" {
		t.Fatalf("open redirect via next: %q", resp.Header.Get("Location"))
	}
}

func TestTokenPageShowsSecretOnce(t *testing.T) {
	f := newFixture(t)
	resp := f.req("POST", "/tokens", form("name", "erp link", "ttl_days", "30"), "cookie:exporter")
	body := readBody(t, resp)
	i := strings.Index(body, `id="new-secret">`)
	if resp.StatusCode != 201 || i < 0 {
		t.Fatalf("create: %d, secret shown: %v", resp.StatusCode, i >= 0)
	}
	secret := body[i+len(`id="new-secret">`):]
	secret = secret[:strings.Index(secret, "<")]
	if resp := f.req("GET", "/api/v1/me", "", "Bearer "+secret); resp.StatusCode != 200 {
		t.Fatalf("the shown secret does not work: %d", resp.StatusCode)
	}
	if body := readBody(t, f.req("GET", "/tokens", "", "cookie:exporter")); strings.Contains(body, secret) {
		t.Fatal("the secret is shown again")
	}
	if resp := f.req("POST", "/tokens", form("name", "x", "ttl_days", "ninety"), "cookie:exporter"); resp.StatusCode != 400 {
		t.Fatalf("bad days: %d", resp.StatusCode)
	}
}

func TestHealthAndMetrics(t *testing.T) {
	f := newFixture(t)
	if resp := f.req("GET", "/healthz", "", ""); resp.StatusCode != 200 || !strings.Contains(readBody(t, resp), `"ok"`) {
		t.Fatalf("healthz: %d", resp.StatusCode)
	}
	f.req("GET", "/login", "", "")
	if resp := f.req("GET", "/metrics", "", ""); resp.StatusCode != 401 {
		t.Errorf("anonymous /metrics: %d, want 401", resp.StatusCode)
	}
	body := readBody(t, f.req("GET", "/metrics", "", "bearer:admin"))
	for _, want := range []string{`rarex_http_requests_total{code="200",method="GET",route="GET /login"}`, "rarex_http_request_duration_seconds_bucket"} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	f := newFixture(t)
	resp := f.req("GET", "/login", "", "")
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("missing %s", h)
		}
	}
}

func TestDisabledLoginMessage(t *testing.T) {
	f := newFixture(t)
	if _, err := f.svc.SetDisabled(context.Background(), f.users[rarex.RoleAdmin], f.users[rarex.RoleOverseer].ID, true); err != nil {
		t.Fatal(err)
	}
	resp := f.req("POST", "/login", form("email", "overseer@example.com", "password", pw), "", "Accept-Language", "zh-CN")
	if body := readBody(t, resp); resp.StatusCode != 401 || !strings.Contains(body, i18n.T(i18n.Chinese, "login.disabled")) {
		t.Fatalf("disabled login: %d, message missing", resp.StatusCode)
	}
}
