package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"rarex"
)

// A matrixCase is one route called by one role on a resource of its own
// organisation ("own") or of an organisation it does not belong to ("other").
type matrixCase struct {
	route  string // "METHOD pattern", as registered
	tenant string // own, other, or self (the caller's own account)
	// build returns the path and body for this actor.
	build func(f *fixture, actor rarex.Role, n int) (path, body string)
	allow []rarex.Role
	// denied is the status a denied caller gets (403 unless it is masked as 404).
	denied int
	// exporterDenied, if set, is what a denied exporter gets instead
	// (another tenant's BOM reads as 404 to an exporter).
	exporterDenied int
}

var everyone = rarex.Roles

func fixed(path, body string) func(*fixture, rarex.Role, int) (string, string) {
	return func(*fixture, rarex.Role, int) (string, string) { return path, body }
}

func orgPath(format, tenant string) func(*fixture, rarex.Role, int) (string, string) {
	return func(f *fixture, actor rarex.Role, _ int) (string, string) {
		id := f.orgs["exporterB"].ID
		if tenant == "own" {
			id = f.users[actor].OrgID
		}
		return fmt.Sprintf(format, id), ""
	}
}

func userPath(format, tenant string) func(*fixture, rarex.Role, int) (string, string) {
	return func(f *fixture, actor rarex.Role, _ int) (string, string) {
		id := f.outside.ID
		if tenant == "own" {
			id = f.mates[actor].ID
		}
		return fmt.Sprintf(format, id), ""
	}
}

// tokenPath revokes a fresh token of the caller (own) or of the outsider (other).
func tokenPath(format, tenant string) func(*fixture, rarex.Role, int) (string, string) {
	return func(f *fixture, actor rarex.Role, n int) (string, string) {
		owner := f.outside
		if tenant == "own" {
			owner = f.users[actor]
		}
		_, tok, err := f.svc.CreateToken(context.Background(), adminOf(f), owner.ID, fmt.Sprint("victim", n), 0)
		if err != nil {
			f.t.Fatal(err)
		}
		return fmt.Sprintf(format, tok.ID), ""
	}
}

func adminOf(f *fixture) *rarex.User { return f.users[rarex.RoleAdmin] }

var matrix = []matrixCase{
	{"GET /{$}", "self", fixed("/", ""), everyone, 0, 0},
	{"GET /tokens", "self", fixed("/tokens", ""), everyone, 0, 0},
	{"POST /tokens", "self", fixed("/tokens", form("name", "matrix", "ttl_days", "1")), everyone, 0, 0},
	{"POST /tokens/{id}/revoke", "own", tokenPath("/tokens/%s/revoke", "own"), everyone, 0, 0},
	{"POST /tokens/{id}/revoke", "other", tokenPath("/tokens/%s/revoke", "other"), []rarex.Role{rarex.RoleAdmin}, 404, 0},
	{"GET /users", "other", fixed("/users", ""), []rarex.Role{rarex.RoleAdmin}, 403, 0},
	{"POST /users", "own", func(f *fixture, a rarex.Role, n int) (string, string) {
		return "/users", form("org_id", f.users[a].OrgID, "email", fmt.Sprintf("ui%d@example.com", n), "role", string(a))
	}, []rarex.Role{rarex.RoleAdmin}, 403, 0},
	{"POST /users", "other", func(f *fixture, a rarex.Role, n int) (string, string) {
		return "/users", form("org_id", f.orgs["exporterB"].ID, "email", fmt.Sprintf("ui%d@example.com", n), "role", "exporter")
	}, []rarex.Role{rarex.RoleAdmin}, 403, 0},
	{"POST /users/{id}/disable", "own", userPath("/users/%s/disable", "own"), []rarex.Role{rarex.RoleAdmin}, 403, 0},
	{"POST /users/{id}/disable", "other", userPath("/users/%s/disable", "other"), []rarex.Role{rarex.RoleAdmin}, 403, 0},
	{"POST /users/{id}/enable", "own", userPath("/users/%s/enable", "own"), []rarex.Role{rarex.RoleAdmin}, 403, 0},
	{"POST /users/{id}/enable", "other", userPath("/users/%s/enable", "other"), []rarex.Role{rarex.RoleAdmin}, 403, 0},

	{"GET /api/v1/me", "self", fixed("/api/v1/me", ""), everyone, 0, 0},
	{"GET /api/v1/organisations", "other", fixed("/api/v1/organisations", ""), []rarex.Role{rarex.RoleReviewer, rarex.RoleAdmin}, 403, 0},
	{"POST /api/v1/organisations", "other", func(_ *fixture, _ rarex.Role, n int) (string, string) {
		return "/api/v1/organisations", fmt.Sprintf(`{"name":"New Org %d","kind":"exporter","country":"KR"}`, n)
	}, []rarex.Role{rarex.RoleAdmin}, 403, 0},
	{"GET /api/v1/organisations/{id}", "own", orgPath("/api/v1/organisations/%s", "own"), everyone, 0, 0},
	{"GET /api/v1/organisations/{id}", "other", orgPath("/api/v1/organisations/%s", "other"), []rarex.Role{rarex.RoleReviewer, rarex.RoleAdmin}, 403, 0},
	{"GET /api/v1/organisations/{id}/users", "own", orgPath("/api/v1/organisations/%s/users", "own"), everyone, 0, 0},
	{"GET /api/v1/organisations/{id}/users", "other", orgPath("/api/v1/organisations/%s/users", "other"), []rarex.Role{rarex.RoleAdmin}, 403, 0},
	{"POST /api/v1/users", "own", func(f *fixture, a rarex.Role, n int) (string, string) {
		return "/api/v1/users", fmt.Sprintf(`{"org_id":%q,"email":"api%d@example.com","role":%q}`, f.users[a].OrgID, n, a)
	}, []rarex.Role{rarex.RoleAdmin}, 403, 0},
	{"POST /api/v1/users", "other", func(f *fixture, _ rarex.Role, n int) (string, string) {
		return "/api/v1/users", fmt.Sprintf(`{"org_id":%q,"email":"api%d@example.com","role":"exporter","password":"a long enough password"}`, f.orgs["exporterB"].ID, n)
	}, []rarex.Role{rarex.RoleAdmin}, 403, 0},
	{"POST /api/v1/users/{id}/disable", "own", userPath("/api/v1/users/%s/disable", "own"), []rarex.Role{rarex.RoleAdmin}, 403, 0},
	{"POST /api/v1/users/{id}/disable", "other", userPath("/api/v1/users/%s/disable", "other"), []rarex.Role{rarex.RoleAdmin}, 403, 0},
	{"POST /api/v1/users/{id}/enable", "own", userPath("/api/v1/users/%s/enable", "own"), []rarex.Role{rarex.RoleAdmin}, 403, 0},
	{"POST /api/v1/users/{id}/enable", "other", userPath("/api/v1/users/%s/enable", "other"), []rarex.Role{rarex.RoleAdmin}, 403, 0},
	{"GET /api/v1/tokens", "self", fixed("/api/v1/tokens", ""), everyone, 0, 0},
	{"POST /api/v1/tokens", "self", fixed("/api/v1/tokens", `{"name":"matrix","ttl_days":30}`), everyone, 0, 0},
	{"DELETE /api/v1/tokens/{id}", "own", tokenPath("/api/v1/tokens/%s", "own"), everyone, 0, 0},
	{"DELETE /api/v1/tokens/{id}", "other", tokenPath("/api/v1/tokens/%s", "other"), []rarex.Role{rarex.RoleAdmin}, 404, 0},
	{"GET /determine", "self", fixed("/determine", ""), everyone, 0, 0},
	{"POST /determine", "self", fixed("/determine", form("date", "2026-01-15", "ship_from", "CN", "destination", "KR", "class", "magnet_ndfeb", "elements", "Nd Dy", "origin", "CN")), everyone, 0, 0},
	{"POST /api/v1/determinations", "self", fixed("/api/v1/determinations", `{"date":"2026-01-15","ship_from":"CN","destination":"KR","item":{"class":"metal","elements":["Dy"],"origin":"CN"}}`), everyone, 0, 0},

	{"GET /boms", "self", fixed("/boms", ""), exporterOnly, 403, 0},
	{"POST /boms", "self", fixed("/boms", multipartBody("motor", motorParts, motorEdges)), exporterOnly, 403, 0},
	{"GET /boms/{id}", "own", bomPath("/boms/%s", "own"), exporterOnly, 403, 0},
	{"GET /boms/{id}", "other", bomPath("/boms/%s", "other"), nil, 403, 404},
	{"GET /boms/{id}/products/{product}", "own", bomPath("/boms/%s/products/motor", "own"), exporterOnly, 403, 0},
	{"GET /boms/{id}/products/{product}", "other", bomPath("/boms/%s/products/motor", "other"), nil, 403, 404},
	{"POST /boms/{id}/delete", "own", bomPath("/boms/%s/delete", "own"), exporterOnly, 403, 0},
	{"POST /boms/{id}/delete", "other", bomPath("/boms/%s/delete", "other"), nil, 403, 404},
	{"GET /api/v1/boms", "self", fixed("/api/v1/boms", ""), exporterOnly, 403, 0},
	{"POST /api/v1/boms", "self", fixed("/api/v1/boms", multipartBody("motor", motorParts, motorEdges)), exporterOnly, 403, 0},
	{"GET /api/v1/boms/{id}", "own", bomPath("/api/v1/boms/%s", "own"), exporterOnly, 403, 0},
	{"GET /api/v1/boms/{id}", "other", bomPath("/api/v1/boms/%s", "other"), nil, 403, 404},
	{"POST /boms/{id}/products/{product}/whatif", "own", withBody(bomPath("/boms/%s/products/motor/whatif", "own"), whatIfBody("motor", "", "html")), exporterOnly, 403, 0},
	{"POST /boms/{id}/products/{product}/whatif", "other", withBody(bomPath("/boms/%s/products/motor/whatif", "other"), whatIfBody("motor", "", "html")), nil, 403, 404},
	{"POST /api/v1/boms/{id}/whatif", "own", withBody(bomPath("/api/v1/boms/%s/whatif", "own"), whatIfBody("motor", "0.001", "")), exporterOnly, 403, 0},
	{"POST /api/v1/boms/{id}/whatif", "other", withBody(bomPath("/api/v1/boms/%s/whatif", "other"), whatIfBody("motor", "0.001", "")), nil, 403, 404},
	{"GET /api/v1/boms/{id}/exposure", "own", bomPath("/api/v1/boms/%s/exposure?product=motor", "own"), exporterOnly, 403, 0},
	{"GET /api/v1/boms/{id}/exposure", "other", bomPath("/api/v1/boms/%s/exposure?product=motor", "other"), nil, 403, 404},
	{"DELETE /api/v1/boms/{id}", "own", bomPath("/api/v1/boms/%s", "own"), exporterOnly, 403, 0},
	{"DELETE /api/v1/boms/{id}", "other", bomPath("/api/v1/boms/%s", "other"), nil, 403, 404},

	{"GET /screen", "self", fixed("/screen?name=Northwind+Defence+Electronics", ""), screeners, 403, 0},
	{"POST /screen/batch", "self", fixed("/screen/batch", partiesBody("name\nHarbor Point Aerospace\n")), screeners, 403, 0},
	{"POST /screen/clear", "own", func(_ *fixture, _ rarex.Role, n int) (string, string) {
		return "/screen/clear", form("party", fmt.Sprintf("Northwind Defence Electronics %d", n), "list_id", "demo-list", "entry_id", "demo-1", "reason", "another firm")
	}, []rarex.Role{rarex.RoleReviewer}, 403, 0},
	{"POST /api/v1/screen", "self", fixed("/api/v1/screen", `{"name":"Northwind Defence Electronics"}`), screeners, 403, 0},
	{"GET /api/v1/lists", "self", fixed("/api/v1/lists", ""), everyone, 403, 0},
	{"GET /api/v1/lists/{id}/versions", "self", fixed("/api/v1/lists/demo-list/versions", ""), everyone, 403, 0},
	{"POST /api/v1/clearances", "own", func(_ *fixture, _ rarex.Role, n int) (string, string) {
		return "/api/v1/clearances", fmt.Sprintf(`{"party":"Harbor Point %d","list_id":"demo-list","entry_id":"demo-2","reason":"another firm"}`, n)
	}, []rarex.Role{rarex.RoleReviewer}, 403, 0},
	{"POST /screen/parties", "self", func(_ *fixture, _ rarex.Role, n int) (string, string) {
		return "/screen/parties", form("name", fmt.Sprintf("Zenith Copper %d", n))
	}, screeners, 403, 0},
	{"POST /screen/parties/{id}/delete", "own", partyPath("/screen/parties/%s/delete", "own"), screeners, 403, 0},
	{"POST /screen/parties/{id}/delete", "other", partyPath("/screen/parties/%s/delete", "other"), nil, 404, 0},
	{"POST /screen/alerts/{id}/acknowledge", "own", alertPath("/screen/alerts/%s/acknowledge", "own"), screeners, 403, 0},
	{"POST /screen/alerts/{id}/acknowledge", "other", alertPath("/screen/alerts/%s/acknowledge", "other"), nil, 404, 0},
	{"GET /api/v1/parties", "self", fixed("/api/v1/parties", ""), screeners, 403, 0},
	{"POST /api/v1/parties", "self", func(_ *fixture, _ rarex.Role, n int) (string, string) {
		return "/api/v1/parties", fmt.Sprintf(`{"name":"Zenith Copper API %d"}`, n)
	}, screeners, 403, 0},
	{"DELETE /api/v1/parties/{id}", "own", partyPath("/api/v1/parties/%s", "own"), screeners, 403, 0},
	{"DELETE /api/v1/parties/{id}", "other", partyPath("/api/v1/parties/%s", "other"), nil, 404, 0},
	{"GET /api/v1/alerts", "self", fixed("/api/v1/alerts", ""), screeners, 403, 0},
	{"GET /monitor", "self", fixed("/monitor?date=2026-11-28", ""), everyone, 403, 0},
	{"GET /monitor/data/{chart}", "self", fixed("/monitor/data/prices?format=csv", ""), everyone, 403, 0},
	{"GET /api/v1/indicators", "self", fixed("/api/v1/indicators?date=2026-11-28", ""), everyone, 403, 0},
	{"POST /api/v1/alerts/{id}/acknowledge", "own", alertPath("/api/v1/alerts/%s/acknowledge", "own"), screeners, 403, 0},
	{"POST /api/v1/alerts/{id}/acknowledge", "other", alertPath("/api/v1/alerts/%s/acknowledge", "other"), nil, 404, 0},
}

// partyPath names a fresh watched party of the caller's organisation (own;
// an overseer, who may not watch, gets one of exporter A's) or of
// exporter B (other).
func partyPath(format, tenant string) func(*fixture, rarex.Role, int) (string, string) {
	return func(f *fixture, actor rarex.Role, n int) (string, string) {
		return fmt.Sprintf(format, f.partyOf(watcher(f, actor, tenant), n)), ""
	}
}

// alertPath names an alert of a fresh watched party, as partyPath.
func alertPath(format, tenant string) func(*fixture, rarex.Role, int) (string, string) {
	return func(f *fixture, actor rarex.Role, n int) (string, string) {
		return fmt.Sprintf(format, f.alertOf(watcher(f, actor, tenant), n)), ""
	}
}

func watcher(f *fixture, actor rarex.Role, tenant string) *rarex.User {
	if tenant == "other" {
		return f.outside
	}
	if actor == rarex.RoleOverseer {
		return f.users[rarex.RoleExporter]
	}
	return f.users[actor]
}

// deniedFor overrides the denied status for some roles of some rows: an
// overseer may not screen at all (403), while a screener asking for
// another organisation's party or alert finds nothing (404).
var deniedFor = map[string]map[rarex.Role]int{
	// A draft is its exporter's alone: the authority finds nothing; an
	// overseer may not read applications at all.
	"GET /applications/{id}/edit [own]":            {rarex.RoleOverseer: 403},
	"GET /applications/{id}/edit [other]":          {rarex.RoleOverseer: 403},
	"POST /screen/parties/{id}/delete [other]":     {rarex.RoleOverseer: 403},
	"POST /screen/alerts/{id}/acknowledge [other]": {rarex.RoleOverseer: 403},
	"DELETE /api/v1/parties/{id} [other]":          {rarex.RoleOverseer: 403},
	"POST /api/v1/alerts/{id}/acknowledge [other]": {rarex.RoleOverseer: 403},
}

// screeners may screen parties: everyone but overseers, who see aggregates only.
var screeners = []rarex.Role{rarex.RoleExporter, rarex.RoleReviewer, rarex.RoleAdmin}

var exporterOnly = []rarex.Role{rarex.RoleExporter}

// withBody gives a path builder a fixed body.
func withBody(build func(*fixture, rarex.Role, int) (string, string), body string) func(*fixture, rarex.Role, int) (string, string) {
	return func(f *fixture, r rarex.Role, n int) (string, string) {
		path, _ := build(f, r, n)
		return path, body
	}
}

// bomPath names a fresh BOM of exporter A (own, for the exporter) or of exporter B (other).
func bomPath(format, tenant string) func(*fixture, rarex.Role, int) (string, string) {
	return func(f *fixture, _ rarex.Role, _ int) (string, string) {
		owner := f.outside
		if tenant == "own" {
			owner = f.users[rarex.RoleExporter]
		}
		return fmt.Sprintf(format, f.bomOf(owner)), ""
	}
}

// public routes answer without credentials.
var public = map[string]struct {
	path, body string
	status     int
}{
	"GET /assets/":        {"/assets/style.css", "", 200},
	"GET /healthz":        {"/healthz", "", 200},
	"GET /login":          {"/login", "", 200},
	"POST /login":         {"/login", form("email", "nobody@example.com", "password", "wrong password!"), 401},
	"POST /logout":        {"/logout", "", 303},
	"GET /lang/{lang}":    {"/lang/zh-Hans?next=/login", "", 303},
	"GET /log/checkpoint": {"/log/checkpoint", "", 200},
	"GET /log/vkey":       {"/log/vkey", "", 200},
	"GET /log/tile/":      {"/log/tile/0/x001/../../../../log.key", "", 404},
}

func contains(rs []rarex.Role, r rarex.Role) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

// TestAuthorizationMatrix walks every route × role × tenant and checks the
// answer, then checks every registered route is in the matrix.
func TestAuthorizationMatrix(t *testing.T) {
	f := newFixture(t)
	covered := map[string]bool{}
	n := 0
	for _, c := range matrix {
		covered[c.route] = true
		method := strings.SplitN(c.route, " ", 2)[0]
		for _, role := range rarex.Roles {
			n++
			path, body := c.build(f, role, n)
			auth := "bearer:" + string(role)
			if !strings.HasPrefix(path, "/api/") {
				auth = "cookie:" + string(role)
			}
			resp := f.req(method, path, body, auth)
			allowed := contains(c.allow, role)
			ok := resp.StatusCode < 400
			if allowed && !ok {
				t.Errorf("%s [%s] as %s: status %d, want success: %s", c.route, c.tenant, role, resp.StatusCode, readBody(t, resp))
			}
			want := c.denied
			if role == rarex.RoleExporter && c.exporterDenied != 0 {
				want = c.exporterDenied
			}
			if o, ok := deniedFor[c.route+" ["+c.tenant+"]"][role]; ok {
				want = o
			}
			if !allowed && resp.StatusCode != want {
				t.Errorf("%s [%s] as %s: status %d, want %d (denied)", c.route, c.tenant, role, resp.StatusCode, want)
			}
		}
		// Without credentials: API 401, pages redirect to the login page.
		path, body := c.build(f, rarex.RoleAdmin, n+1000)
		resp := f.req(method, path, body, "")
		if strings.HasPrefix(path, "/api/") || path == "/metrics" { // machine endpoints answer 401
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s anonymous: status %d, want 401", c.route, resp.StatusCode)
			}
		} else if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Errorf("%s anonymous: status %d to %q, want 303 to /login", c.route, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	for route, p := range public {
		covered[route] = true
		method := strings.SplitN(route, " ", 2)[0]
		if resp := f.req(method, p.path, p.body, ""); resp.StatusCode != p.status {
			t.Errorf("public %s: status %d, want %d", route, resp.StatusCode, p.status)
		}
	}
	for _, r := range f.srv.Routes() {
		key := r.Method + " " + r.Pattern
		if !covered[key] {
			t.Errorf("route %s is not in the authorisation matrix", key)
		}
		if _, isPublic := public[key]; isPublic != r.Public {
			t.Errorf("route %s: public=%v in the server, %v in the test", key, r.Public, isPublic)
		}
	}
}
