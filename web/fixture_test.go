package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"rarex"
	"rarex/accounts"
	"rarex/boms"
	"rarex/licensing"
	"rarex/office"
	"rarex/rules"
	"rarex/screen"
	"rarex/screening"
	"rarex/sqlite"
	"rarex/tlog"
	"rarex/web"
	"rarex/webhooks"
	"rarex/workdays"
)

const pw = "correct horse battery"

// fixture is a running server with one user per role and a second
// exporter organisation the actors do not belong to.
type fixture struct {
	t        *testing.T
	srv      *web.Server
	ts       *httptest.Server
	svc      *accounts.Service
	boms     *boms.Service
	screen   *screening.Service
	office   *office.Service
	log      *tlog.Log
	appender *tlog.Appender
	clock    *rarex.FixedClock
	orgs     map[string]*rarex.Organisation // exporterA, exporterB, authority, overseer
	users    map[rarex.Role]*rarex.User
	mates    map[rarex.Role]*rarex.User // a colleague in the same organisation
	outside  *rarex.User                // a user of exporterB
	cookies  map[rarex.Role]string
	tokens   map[rarex.Role]string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "web.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clock := &rarex.FixedClock{T: time.Now().UTC()}
	svc := accounts.New(db, clock, rarex.RandomIDs{})
	svc.Hash = accounts.TestHashParams
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc.Log = log
	regimes, err := rules.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	f0boms := &boms.Service{Store: db, Regime: regimes[0], Clock: clock, IDs: rarex.RandomIDs{}}
	screenSvc := &screening.Service{Store: db, Clock: clock, IDs: rarex.RandomIDs{}}
	if _, err := screenSvc.SeedDemo(ctx, accounts.Operator); err != nil {
		t.Fatal(err)
	}
	if err := screenSvc.Load(ctx); err != nil {
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
	officeSvc := &office.Service{Store: db, Clock: clock, IDs: rarex.RandomIDs{}, Regime: regimes[0], Proc: proc, Cal: cal, Screening: screenSvc, BOMs: f0boms, Policy: licensing.DefaultPolicy()}
	logKey, err := tlog.LoadOrCreateKey(t.TempDir(), "rarex.test/log")
	if err != nil {
		t.Fatal(err)
	}
	logDir := t.TempDir()
	pubLog, err := tlog.Open(ctx, logDir, "rarex.test/log", logKey, tlog.Options{CheckpointInterval: 100 * time.Millisecond, BatchAge: 5 * time.Millisecond, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pubLog.Close(context.Background()) })
	officeSvc.Log = pubLog
	srv, err := web.New(web.Options{PublicLog: pubLog, Accounts: svc, Store: db, Regime: regimes[0], BOMs: f0boms, Screening: screenSvc, Office: officeSvc, Webhooks: &webhooks.Service{Store: db, Clock: clock, IDs: rarex.RandomIDs{}, AllowInsecure: true, MaxPerOrg: 1000}, Log: log, MaxBodyBytes: 64 << 10, MaxUploadBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, srv: srv, svc: svc, boms: f0boms, screen: screenSvc, office: officeSvc, log: pubLog, appender: &tlog.Appender{Log: pubLog, Store: db, Clock: clock, Logger: log}, clock: clock, orgs: map[string]*rarex.Organisation{},
		users: map[rarex.Role]*rarex.User{}, mates: map[rarex.Role]*rarex.User{}, cookies: map[rarex.Role]string{}, tokens: map[rarex.Role]string{}}
	for name, kind := range map[string]rarex.OrgKind{"exporterA": rarex.OrgExporter, "exporterB": rarex.OrgExporter, "authority": rarex.OrgAuthority, "overseer": rarex.OrgOverseer} {
		o, err := svc.CreateOrg(ctx, accounts.Operator, name, kind, "")
		if err != nil {
			t.Fatal(err)
		}
		f.orgs[name] = o
	}
	orgOf := map[rarex.Role]string{rarex.RoleExporter: "exporterA", rarex.RoleReviewer: "authority", rarex.RoleAdmin: "authority", rarex.RoleOverseer: "overseer"}
	mk := func(org, email string, role rarex.Role) *rarex.User {
		u, err := svc.CreateUser(ctx, accounts.Operator, accounts.NewUser{OrgID: f.orgs[org].ID, Email: email, Role: role, Password: pw})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	for _, role := range rarex.Roles {
		f.users[role] = mk(orgOf[role], string(role)+"@example.com", role)
		f.mates[role] = mk(orgOf[role], string(role)+"-mate@example.com", role)
		_, secret, _, err := svc.Login(ctx, string(role)+"@example.com", pw, "127.0.0.1", "")
		if err != nil {
			t.Fatal(err)
		}
		f.cookies[role] = secret
		tok, _, err := svc.CreateToken(ctx, f.users[role], f.users[role].ID, "test", 0)
		if err != nil {
			t.Fatal(err)
		}
		f.tokens[role] = tok
	}
	f.outside = mk("exporterB", "outsider@example.com", rarex.RoleExporter)
	f.ts = httptest.NewServer(srv)
	t.Cleanup(f.ts.Close)
	return f
}

// req sends a request without following redirects. auth is "cookie:ROLE",
// "bearer:ROLE", a raw "Bearer ..." header, or "" for none.
func (f *fixture) req(method, path, body string, auth string, hdr ...string) *http.Response {
	f.t.Helper()
	r, err := http.NewRequest(method, f.ts.URL+path, strings.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	if body != "" {
		if strings.HasPrefix(body, "--"+boundary) {
			r.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
		} else if strings.HasPrefix(body, "{") || strings.HasPrefix(body, "[") {
			r.Header.Set("Content-Type", "application/json")
		} else {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	kind, role, _ := strings.Cut(auth, ":")
	switch kind {
	case "cookie":
		r.AddCookie(&http.Cookie{Name: "rarex_session", Value: f.cookies[rarex.Role(role)]})
	case "bearer":
		r.Header.Set("Authorization", "Bearer "+f.tokens[rarex.Role(role)])
	case "":
	default:
		r.Header.Set("Authorization", auth)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Cookie" && r.Header.Get("Cookie") != "" {
			r.Header.Set("Cookie", r.Header.Get("Cookie")+"; "+hdr[i+1])
			continue
		}
		r.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := noRedirect.Do(r)
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func readBody(t *testing.T, r *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func form(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v.Encode()
}

const boundary = "rarexboundary"

// multipartBody builds an upload of name, parts and edges.
// multipartOf builds a multipart body from parts: name, file name ("" for
// a plain field) and value.
func multipartOf(parts ...[3]string) string {
	var b strings.Builder
	for _, p := range parts {
		b.WriteString("--" + boundary + "\r\n")
		if p[1] != "" {
			b.WriteString(`Content-Disposition: form-data; name="` + p[0] + `"; filename="` + p[1] + "\"\r\nContent-Type: text/csv\r\n\r\n")
		} else {
			b.WriteString(`Content-Disposition: form-data; name="` + p[0] + "\"\r\n\r\n")
		}
		b.WriteString(p[2] + "\r\n")
	}
	b.WriteString("--" + boundary + "--\r\n")
	return b.String()
}

func multipartBody(name, parts, edges string) string {
	return multipartOf([3]string{"name", "", name}, [3]string{"parts", "parts.csv", parts}, [3]string{"edges", "edges.csv", edges})
}

// partiesBody uploads a CSV of parties to screen.
func partiesBody(csv string, extra ...[3]string) string {
	return multipartOf(append([][3]string{{"file", "parties.csv", csv}}, extra...)...)
}

const motorParts = `part_id,description,class,elements,hs_code,origin,unit_value,cn_technology
motor,e-bike hub motor,assembly,,,VN,200,
rotor,rotor,assembly,,,VN,60,
magnet,NdFeB magnet,magnet_ndfeb,Nd;Dy,8505111000,VN,10,magnet_manufacturing
dy,Dy metal,metal,Dy,2805301200,CN,1.10,
`

const motorEdges = `parent_id,child_id,quantity
motor,rotor,1
rotor,magnet,4
magnet,dy,0.5
`

// bomOf stores a BOM for the user's organisation and returns its id.
func (f *fixture) bomOf(u *rarex.User) string {
	f.t.Helper()
	b, err := f.boms.Upload(context.Background(), u, "motor", strings.NewReader(motorParts), "parts.csv", strings.NewReader(motorEdges), "edges.csv")
	if err != nil {
		f.t.Fatal(err)
	}
	return b.ID
}

const motorAlternatives = "part_id,origin,unit_value,supplier\ndy,JP,1.50,Shin-Etsu\n"

// whatIfBody builds a what-if upload.
func whatIfBody(product, target, format string) string {
	return multipartOf([3]string{"product", "", product}, [3]string{"target", "", target}, [3]string{"format", "", format},
		[3]string{"alternatives", "alternatives.csv", motorAlternatives})
}

// partyOf watches a fresh party for the user's organisation and returns its
// id; the party is on the demo list, so watching it raises an alert.
func (f *fixture) partyOf(u *rarex.User, n int) string {
	f.t.Helper()
	// The name differs only in punctuation (n in binary), so it matches.
	suffix := strings.NewReplacer("0", ".", "1", ",").Replace(strconv.FormatInt(int64(n), 2))
	p, err := f.screen.Watch(context.Background(), u, screen.Query{Name: "Northwind Defence Electronics " + suffix})
	if err != nil {
		f.t.Fatal(err)
	}
	return p.ID
}

// alertOf returns the id of an alert of the user's organisation.
func (f *fixture) alertOf(u *rarex.User, n int) string {
	f.t.Helper()
	pid := f.partyOf(u, n)
	as, err := f.screen.Alerts(context.Background(), u)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, a := range as {
		if a.PartyID == pid {
			return a.ID
		}
	}
	f.t.Fatalf("no alert for party %s", pid)
	return ""
}
