package accounts_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rarex"
	"rarex/accounts"
	"rarex/sqlite"
)

type env struct {
	svc   *accounts.Service
	clock *rarex.FixedClock
	org   *rarex.Organisation
	auth  *rarex.Organisation
	user  *rarex.User
	admin *rarex.User
}

const pw = "correct horse battery"

func setup(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clock := &rarex.FixedClock{T: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	svc := accounts.New(db, clock, &rarex.SequenceIDs{Prefix: "id"})
	svc.Hash = accounts.TestHashParams
	e := &env{svc: svc, clock: clock}
	if e.org, err = svc.CreateOrg(ctx, accounts.Operator, "Exporter A", rarex.OrgExporter, "vn"); err != nil {
		t.Fatal(err)
	}
	if e.auth, err = svc.CreateOrg(ctx, accounts.Operator, "Authority", rarex.OrgAuthority, ""); err != nil {
		t.Fatal(err)
	}
	if e.user, err = svc.CreateUser(ctx, accounts.Operator, accounts.NewUser{OrgID: e.org.ID, Email: "Linh@Example.com", Role: rarex.RoleExporter, Password: pw}); err != nil {
		t.Fatal(err)
	}
	if e.admin, err = svc.CreateUser(ctx, accounts.Operator, accounts.NewUser{OrgID: e.auth.ID, Email: "admin@example.com", Role: rarex.RoleAdmin, Password: pw}); err != nil {
		t.Fatal(err)
	}
	return e
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := rarex.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func TestLoginSessionLifecycle(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	if e.org.Country != "VN" || e.user.Email != "linh@example.com" {
		t.Fatalf("inputs not normalised: %q %q", e.org.Country, e.user.Email)
	}
	u, secret, se, err := e.svc.Login(ctx, " LINH@example.com", pw, "10.0.0.1", "")
	if err != nil || u.ID != e.user.ID || !strings.HasPrefix(secret, "rxs_") || !se.ExpiresAt.Equal(e.clock.T.Add(12*time.Hour)) {
		t.Fatalf("Login = %v %q %v %v", u, secret, se, err)
	}
	if got, err := e.svc.Authenticate(ctx, secret); err != nil || got.ID != u.ID {
		t.Fatalf("Authenticate = %v, %v", got, err)
	}
	// A second login from the same browser rotates the session.
	_, secret2, _, err := e.svc.Login(ctx, "linh@example.com", pw, "10.0.0.1", secret)
	if err != nil || secret2 == secret {
		t.Fatalf("second login: %v (same secret: %v)", err, secret2 == secret)
	}
	_, err = e.svc.Authenticate(ctx, secret)
	wantCode(t, err, rarex.EUNAUTHORIZED)
	// Expiry.
	e.clock.Advance(12*time.Hour - time.Second)
	if _, err := e.svc.Authenticate(ctx, secret2); err != nil {
		t.Fatalf("just before expiry: %v", err)
	}
	e.clock.Advance(time.Second)
	_, err = e.svc.Authenticate(ctx, secret2)
	wantCode(t, err, rarex.EUNAUTHORIZED)
	// Logout.
	_, secret3, _, _ := e.svc.Login(ctx, "linh@example.com", pw, "10.0.0.1", "")
	if err := e.svc.Logout(ctx, secret3); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Authenticate(ctx, secret3)
	wantCode(t, err, rarex.EUNAUTHORIZED)
	for _, bad := range []string{"", "rxs_", "rxs_nope", "rxt_abc", strings.Repeat("x", 5000)} {
		_, err = e.svc.Authenticate(ctx, bad)
		wantCode(t, err, rarex.EUNAUTHORIZED)
	}
}

func TestLoginFailuresAndRateLimit(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	_, _, _, err := e.svc.Login(ctx, "nobody@example.com", pw, "10.0.0.1", "")
	wantCode(t, err, rarex.EUNAUTHORIZED)
	if msg := rarex.ErrorMessage(err); msg != "Wrong e-mail address or password." {
		t.Fatalf("unknown address message %q differs from wrong password's", msg)
	}
	for i := 0; i < 4; i++ {
		_, _, _, err = e.svc.Login(ctx, "linh@example.com", "wrong password!", "10.0.0.2", "")
		wantCode(t, err, rarex.EUNAUTHORIZED)
	}
	// The fifth failure locks the account, even from a new address and with the right password.
	e.svc.Login(ctx, "linh@example.com", "wrong password!", "10.0.0.3", "")
	_, _, _, err = e.svc.Login(ctx, "linh@example.com", pw, "10.0.0.4", "")
	wantCode(t, err, rarex.ERATELIMIT)
	// Another account from a clean address is unaffected.
	if _, _, _, err := e.svc.Login(ctx, "admin@example.com", pw, "10.0.0.5", ""); err != nil {
		t.Fatalf("other account: %v", err)
	}
	e.clock.Advance(15 * time.Minute)
	if _, _, _, err := e.svc.Login(ctx, "linh@example.com", pw, "10.0.0.4", ""); err != nil {
		t.Fatalf("after the window: %v", err)
	}
	// Per-address limit: 20 failures across many accounts from one address.
	for i := 0; i < 20; i++ {
		e.svc.Login(ctx, "guess"+string(rune('a'+i))+"@example.com", "x", "10.9.9.9", "")
	}
	_, _, _, err = e.svc.Login(ctx, "admin@example.com", pw, "10.9.9.9", "")
	wantCode(t, err, rarex.ERATELIMIT)
}

func TestDisabledUserAndTokens(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	secret, tok, err := e.svc.CreateToken(ctx, e.user, e.user.ID, "erp", 0)
	if err != nil || !strings.HasPrefix(secret, tok.Prefix) || tok.ExpiresAt != nil {
		t.Fatalf("CreateToken = %q %+v %v", secret, tok, err)
	}
	if u, err := e.svc.AuthenticateToken(ctx, secret); err != nil || u.ID != e.user.ID {
		t.Fatalf("AuthenticateToken = %v, %v", u, err)
	}
	list, _ := e.svc.ListTokens(ctx, e.user, e.user.ID)
	if len(list) != 1 || list[0].LastUsedAt == nil {
		t.Fatalf("token use not recorded: %+v", list)
	}
	_, _, sessionSecret, _ := loginSecret(t, e)
	// An exporter may not issue tokens for others, nor disable anyone.
	_, _, err = e.svc.CreateToken(ctx, e.user, e.admin.ID, "x", 0)
	wantCode(t, err, rarex.EFORBIDDEN)
	_, err = e.svc.SetDisabled(ctx, e.user, e.admin.ID, true)
	wantCode(t, err, rarex.EFORBIDDEN)
	_, err = e.svc.SetDisabled(ctx, e.admin, e.admin.ID, true)
	wantCode(t, err, rarex.EINVALID)

	if _, err := e.svc.SetDisabled(ctx, e.admin, e.user.ID, true); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.AuthenticateToken(ctx, secret)
	wantCode(t, err, rarex.EUNAUTHORIZED)
	_, err = e.svc.Authenticate(ctx, sessionSecret)
	wantCode(t, err, rarex.EUNAUTHORIZED)
	_, _, _, err = e.svc.Login(ctx, "linh@example.com", pw, "10.0.0.1", "")
	wantCode(t, err, rarex.EUNAUTHORIZED)

	if _, err := e.svc.SetDisabled(ctx, e.admin, e.user.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AuthenticateToken(ctx, secret); err != nil {
		t.Fatalf("re-enabled user's token: %v", err)
	}
	// Revocation: another user's token reads as not found.
	_, err = e.svc.RevokeToken(ctx, e.admin, "missing")
	wantCode(t, err, rarex.ENOTFOUND)
	adminSecret, adminTok, _ := e.svc.CreateToken(ctx, e.admin, e.admin.ID, "ops", time.Hour)
	_, err = e.svc.RevokeToken(ctx, e.user, adminTok.ID)
	wantCode(t, err, rarex.ENOTFOUND)
	if _, err := e.svc.RevokeToken(ctx, e.user, tok.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.AuthenticateToken(ctx, secret)
	wantCode(t, err, rarex.EUNAUTHORIZED)
	// Expiry.
	e.clock.Advance(time.Hour)
	_, err = e.svc.AuthenticateToken(ctx, adminSecret)
	wantCode(t, err, rarex.EUNAUTHORIZED)
	_, _, err = e.svc.CreateToken(ctx, e.admin, e.admin.ID, "long", 400*24*time.Hour)
	wantCode(t, err, rarex.EINVALID)
	_, _, err = e.svc.CreateToken(ctx, e.admin, e.admin.ID, "", 0)
	wantCode(t, err, rarex.EINVALID)
}

func loginSecret(t *testing.T, e *env) (*rarex.User, *rarex.Session, string, error) {
	t.Helper()
	u, s, se, err := e.svc.Login(context.Background(), "linh@example.com", pw, "10.0.0.1", "")
	if err != nil {
		t.Fatal(err)
	}
	return u, se, s, err
}

func TestCreateUserRules(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	for name, tc := range map[string]struct {
		actor *rarex.User
		in    accounts.NewUser
		code  string
	}{
		"exporter may not add users": {e.user, accounts.NewUser{OrgID: e.org.ID, Email: "x@example.com", Role: rarex.RoleExporter, Password: pw}, rarex.EFORBIDDEN},
		"no actor":                   {nil, accounts.NewUser{OrgID: e.org.ID, Email: "x@example.com", Role: rarex.RoleExporter, Password: pw}, rarex.EUNAUTHORIZED},
		"role does not fit org":      {e.admin, accounts.NewUser{OrgID: e.org.ID, Email: "x@example.com", Role: rarex.RoleReviewer, Password: pw}, rarex.EINVALID},
		"unknown role":               {e.admin, accounts.NewUser{OrgID: e.org.ID, Email: "x@example.com", Role: "boss", Password: pw}, rarex.EINVALID},
		"unknown org":                {e.admin, accounts.NewUser{OrgID: "nope", Email: "x@example.com", Role: rarex.RoleExporter, Password: pw}, rarex.EINVALID},
		"short password":             {e.admin, accounts.NewUser{OrgID: e.org.ID, Email: "x@example.com", Role: rarex.RoleExporter, Password: "short"}, rarex.EINVALID},
		"bad email":                  {e.admin, accounts.NewUser{OrgID: e.org.ID, Email: "x at example", Role: rarex.RoleExporter, Password: pw}, rarex.EINVALID},
		"taken email":                {e.admin, accounts.NewUser{OrgID: e.org.ID, Email: "LINH@example.com", Role: rarex.RoleExporter, Password: pw}, rarex.ECONFLICT},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := e.svc.CreateUser(ctx, tc.actor, tc.in)
			wantCode(t, err, tc.code)
		})
	}
}

func TestSeedDemoIsIdempotent(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	first, err := e.svc.SeedDemo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	roles := map[rarex.Role]int{}
	for _, l := range first {
		if l.Password == "" {
			t.Fatalf("first seeding gave no password for %s", l.Email)
		}
		roles[l.Role]++
		if _, _, _, err := e.svc.Login(ctx, l.Email, l.Password, "127.0.0.1", ""); err != nil {
			t.Fatalf("demo login %s: %v", l.Email, err)
		}
	}
	if roles[rarex.RoleExporter] != 4 || roles[rarex.RoleReviewer] != 2 || roles[rarex.RoleAdmin] != 1 || roles[rarex.RoleOverseer] != 1 {
		t.Fatalf("demo roles = %v", roles)
	}
	again, err := e.svc.SeedDemo(ctx)
	if err != nil || len(again) != len(first) {
		t.Fatalf("second seeding: %d logins, %v", len(again), err)
	}
	for _, l := range again {
		if l.Password != "" {
			t.Fatalf("second seeding printed a password for %s", l.Email)
		}
	}
	orgs, total, _ := e.svc.ListOrgs(ctx, e.admin, rarex.OrgFilter{})
	if total != 7 || len(orgs) != 7 {
		t.Fatalf("after two seedings: %d organisations, want 7 (the test's two and the five demo ones)", total)
	}
}
