// Package storetest is the conformance suite every rarex store must pass.
// Each store's tests call Run with a function that opens a fresh, empty store.
package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"rarex"
)

// Opener returns a new empty store; it registers its own cleanup.
type Opener func(t *testing.T) rarex.Store

// t0 has nanoseconds on purpose: stores keep microseconds.
var t0 = time.Date(2026, 1, 15, 9, 30, 0, 123456789, time.UTC)

func us(t time.Time) time.Time { return t.Truncate(time.Microsecond) }

// Run runs the whole suite against stores made by open.
func Run(t *testing.T, open Opener) {
	t.Run("Organisations", func(t *testing.T) { testOrgs(t, open(t)) })
	t.Run("Users", func(t *testing.T) { testUsers(t, open(t)) })
	t.Run("Sessions", func(t *testing.T) { testSessions(t, open(t)) })
	t.Run("Tokens", func(t *testing.T) { testTokens(t, open(t)) })
	t.Run("ConcurrentWriters", func(t *testing.T) { testConcurrent(t, open(t)) })
	t.Run("BOMs", func(t *testing.T) { testBOMs(t, open(t)) })
	t.Run("StreamBOM", func(t *testing.T) { testStreamBOM(t, open(t)) })
	t.Run("Lists", func(t *testing.T) { testLists(t, open(t)) })
	t.Run("Clearances", func(t *testing.T) { testClearances(t, open(t)) })
	t.Run("PartiesAndAlerts", func(t *testing.T) { testParties(t, open(t)) })
	t.Run("Applications", func(t *testing.T) { testApplications(t, open(t)) })
	t.Run("Licences", func(t *testing.T) { testLicences(t, open(t)) })
	t.Run("DrawDownRace", func(t *testing.T) { testDrawDownRace(t, open(t)) })
	t.Run("DecisionRace", func(t *testing.T) { testDecisionRace(t, open(t)) })
	t.Run("Registers", func(t *testing.T) { testRegisters(t, open(t)) })
	t.Run("Idempotency", func(t *testing.T) { testIdempotency(t, open(t)) })
	t.Run("Webhooks", func(t *testing.T) { testWebhooks(t, open(t)) })
	t.Run("LogOutbox", func(t *testing.T) { testLogOutbox(t, open(t)) })
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := rarex.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func mustOrg(t *testing.T, s rarex.Store, id, name string, kind rarex.OrgKind) *rarex.Organisation {
	t.Helper()
	o := &rarex.Organisation{ID: id, Name: name, Kind: kind, Country: "DE", CreatedAt: t0, UpdatedAt: t0}
	if err := s.CreateOrg(context.Background(), o); err != nil {
		t.Fatalf("CreateOrg(%s): %v", name, err)
	}
	return o
}

func mustUser(t *testing.T, s rarex.Store, id, orgID, email string, role rarex.Role) *rarex.User {
	t.Helper()
	u := &rarex.User{ID: id, OrgID: orgID, Email: email, Name: "N " + id, Role: role, PasswordHash: "$argon2id$x", CreatedAt: t0, UpdatedAt: t0}
	if err := s.CreateUser(context.Background(), u); err != nil {
		t.Fatalf("CreateUser(%s): %v", email, err)
	}
	return u
}

func testOrgs(t *testing.T, s rarex.Store) {
	ctx := context.Background()
	a := mustOrg(t, s, "o1", "Ningbo Magnetics", rarex.OrgExporter)
	mustOrg(t, s, "o2", "Licensing Authority", rarex.OrgAuthority)
	mustOrg(t, s, "o3", "Alpha Motors", rarex.OrgExporter)

	got, err := s.FindOrgByID(ctx, "o1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != a.Name || got.Kind != a.Kind || got.Country != "DE" || !got.CreatedAt.Equal(t0.Truncate(time.Microsecond)) {
		t.Fatalf("FindOrgByID = %+v, want %+v", got, a)
	}
	if got, err := s.FindOrgByName(ctx, "  NINGBO magnetics "); err != nil || got.ID != "o1" {
		t.Fatalf("FindOrgByName case-blind = %v, %v", got, err)
	}
	_, err = s.FindOrgByID(ctx, "nope")
	wantCode(t, err, rarex.ENOTFOUND)
	_, err = s.FindOrgByName(ctx, "nope")
	wantCode(t, err, rarex.ENOTFOUND)

	err = s.CreateOrg(ctx, &rarex.Organisation{ID: "o4", Name: "ningbo MAGNETICS", Kind: rarex.OrgExporter, CreatedAt: t0, UpdatedAt: t0})
	wantCode(t, err, rarex.ECONFLICT)
	if msg := rarex.ErrorMessage(err); msg != `Organisation "ningbo MAGNETICS" already exists.` {
		t.Fatalf("conflict message %q: users must not see driver text", msg)
	}
	wantCode(t, s.CreateOrg(ctx, &rarex.Organisation{ID: "o1", Name: "Other", Kind: rarex.OrgExporter, CreatedAt: t0, UpdatedAt: t0}), rarex.ECONFLICT)
	wantCode(t, s.CreateOrg(ctx, &rarex.Organisation{ID: "o5", Name: "", Kind: rarex.OrgExporter}), rarex.EINVALID)
	wantCode(t, s.CreateOrg(ctx, &rarex.Organisation{ID: "o5", Name: "X", Kind: "pirate"}), rarex.EINVALID)
	wantCode(t, s.CreateOrg(ctx, &rarex.Organisation{ID: "o5", Name: "X", Kind: rarex.OrgExporter, Country: "deu"}), rarex.EINVALID)
	wantCode(t, s.CreateOrg(ctx, &rarex.Organisation{Name: "X", Kind: rarex.OrgExporter}), rarex.EINVALID)

	list, total, err := s.ListOrgs(ctx, rarex.OrgFilter{})
	if err != nil || total != 3 || len(list) != 3 || list[0].Name != "Alpha Motors" || list[2].Name != "Ningbo Magnetics" {
		t.Fatalf("ListOrgs = %v total %d err %v", names(list), total, err)
	}
	kind := rarex.OrgExporter
	list, total, err = s.ListOrgs(ctx, rarex.OrgFilter{Kind: &kind, Limit: 1, Offset: 1})
	if err != nil || total != 2 || len(list) != 1 || list[0].ID != "o1" {
		t.Fatalf("ListOrgs(exporter, page 2) = %v total %d err %v", names(list), total, err)
	}
	_, _, err = s.ListOrgs(ctx, rarex.OrgFilter{Offset: -1})
	wantCode(t, err, rarex.EINVALID)

	later := t0.Add(time.Hour)
	o, err := s.UpdateOrgName(ctx, "o3", "Alpha Motors GmbH", later)
	if err != nil || o.Name != "Alpha Motors GmbH" || !o.UpdatedAt.Equal(later.Truncate(time.Microsecond)) {
		t.Fatalf("UpdateOrgName = %+v, %v", o, err)
	}
	_, err = s.UpdateOrgName(ctx, "o3", "NINGBO Magnetics", later)
	wantCode(t, err, rarex.ECONFLICT)
	_, err = s.UpdateOrgName(ctx, "missing", "Y", later)
	wantCode(t, err, rarex.ENOTFOUND)
	if o, _ := s.FindOrgByID(ctx, "o3"); o.Name != "Alpha Motors GmbH" {
		t.Fatalf("failed rename changed the row: %q", o.Name)
	}
}

func names(os []*rarex.Organisation) []string {
	var out []string
	for _, o := range os {
		out = append(out, o.Name)
	}
	return out
}

func testUsers(t *testing.T, s rarex.Store) {
	ctx := context.Background()
	mustOrg(t, s, "o1", "Exporter One", rarex.OrgExporter)
	mustOrg(t, s, "o2", "Authority", rarex.OrgAuthority)
	u := mustUser(t, s, "u1", "o1", "linh@example.vn", rarex.RoleExporter)
	mustUser(t, s, "u2", "o1", "an@example.vn", rarex.RoleExporter)
	mustUser(t, s, "u3", "o2", "zhang@mofcom.example", rarex.RoleReviewer)

	got, err := s.FindUserByEmail(ctx, " LINH@Example.VN")
	if err != nil || got.ID != "u1" || got.PasswordHash != u.PasswordHash || got.Disabled() || got.Role != rarex.RoleExporter {
		t.Fatalf("FindUserByEmail = %+v, %v", got, err)
	}
	if got, err := s.FindUserByID(ctx, "u3"); err != nil || got.Email != "zhang@mofcom.example" {
		t.Fatalf("FindUserByID = %+v, %v", got, err)
	}
	_, err = s.FindUserByID(ctx, "nope")
	wantCode(t, err, rarex.ENOTFOUND)
	_, err = s.FindUserByEmail(ctx, "nope@example.com")
	wantCode(t, err, rarex.ENOTFOUND)

	dup := &rarex.User{ID: "u9", OrgID: "o1", Email: "linh@example.vn", Role: rarex.RoleExporter, PasswordHash: "h"}
	wantCode(t, s.CreateUser(ctx, dup), rarex.ECONFLICT)
	orphan := &rarex.User{ID: "u9", OrgID: "missing-org", Email: "x@example.com", Role: rarex.RoleExporter, PasswordHash: "h"}
	wantCode(t, s.CreateUser(ctx, orphan), rarex.EINVALID)
	for _, bad := range []rarex.User{
		{ID: "u9", OrgID: "o1", Email: "not-an-address", Role: rarex.RoleExporter, PasswordHash: "h"},
		{ID: "u9", OrgID: "o1", Email: "Upper@example.com", Role: rarex.RoleExporter, PasswordHash: "h"},
		{ID: "u9", OrgID: "o1", Email: "x@example.com", Role: "king", PasswordHash: "h"},
		{ID: "u9", OrgID: "o1", Email: "x@example.com", Role: rarex.RoleExporter},
	} {
		wantCode(t, s.CreateUser(ctx, &bad), rarex.EINVALID)
	}
	if _, total, _ := s.ListUsers(ctx, rarex.UserFilter{}); total != 3 {
		t.Fatalf("rejected users were stored: total %d", total)
	}

	org := "o1"
	list, total, err := s.ListUsers(ctx, rarex.UserFilter{OrgID: &org})
	if err != nil || total != 2 || list[0].Email != "an@example.vn" || list[1].Email != "linh@example.vn" {
		t.Fatalf("ListUsers(o1) = %d users total %d err %v", len(list), total, err)
	}
	role := rarex.RoleReviewer
	if list, total, err := s.ListUsers(ctx, rarex.UserFilter{Role: &role}); err != nil || total != 1 || list[0].ID != "u3" {
		t.Fatalf("ListUsers(reviewer) = %v %d %v", list, total, err)
	}

	later := t0.Add(2 * time.Hour)
	name, hash := "Linh Tran", "$argon2id$new"
	got, err = s.UpdateUser(ctx, "u1", rarex.UserUpdate{Name: &name, PasswordHash: &hash, DisabledAt: &later}, later)
	if err != nil || got.Name != name || got.PasswordHash != hash || !got.Disabled() || !got.DisabledAt.Equal(us(later)) {
		t.Fatalf("UpdateUser = %+v, %v", got, err)
	}
	got, _ = s.FindUserByID(ctx, "u1")
	if !got.Disabled() || got.Name != name {
		t.Fatalf("update not stored: %+v", got)
	}
	var zero time.Time
	if got, err = s.UpdateUser(ctx, "u1", rarex.UserUpdate{DisabledAt: &zero}, later); err != nil || got.Disabled() {
		t.Fatalf("re-enable = %+v, %v", got, err)
	}
	_, err = s.UpdateUser(ctx, "missing", rarex.UserUpdate{Name: &name}, later)
	wantCode(t, err, rarex.ENOTFOUND)
	empty := ""
	_, err = s.UpdateUser(ctx, "u1", rarex.UserUpdate{PasswordHash: &empty}, later)
	wantCode(t, err, rarex.EINVALID)
}

func testSessions(t *testing.T, s rarex.Store) {
	ctx := context.Background()
	mustOrg(t, s, "o1", "Exporter One", rarex.OrgExporter)
	mustUser(t, s, "u1", "o1", "a@example.com", rarex.RoleExporter)
	mustUser(t, s, "u2", "o1", "b@example.com", rarex.RoleExporter)
	mk := func(hash, user string, exp time.Duration) {
		t.Helper()
		if err := s.CreateSession(ctx, &rarex.Session{TokenHash: hash, UserID: user, CreatedAt: t0, ExpiresAt: t0.Add(exp)}); err != nil {
			t.Fatal(err)
		}
	}
	mk("h1", "u1", time.Hour)
	mk("h2", "u1", 2*time.Hour)
	mk("h3", "u2", 3*time.Hour)
	wantCode(t, s.CreateSession(ctx, &rarex.Session{TokenHash: "h1", UserID: "u2", CreatedAt: t0, ExpiresAt: t0}), rarex.ECONFLICT)
	wantCode(t, s.CreateSession(ctx, &rarex.Session{TokenHash: "h9", UserID: "ghost", CreatedAt: t0, ExpiresAt: t0}), rarex.EINVALID)

	se, err := s.FindSession(ctx, "h2")
	if err != nil || se.UserID != "u1" || !se.ExpiresAt.Equal(t0.Add(2*time.Hour).Truncate(time.Microsecond)) {
		t.Fatalf("FindSession = %+v, %v", se, err)
	}
	_, err = s.FindSession(ctx, "nope")
	wantCode(t, err, rarex.ENOTFOUND)

	if n, err := s.DeleteExpiredSessions(ctx, t0.Add(time.Hour)); err != nil || n != 1 {
		t.Fatalf("DeleteExpiredSessions = %d, %v; want 1", n, err)
	}
	_, err = s.FindSession(ctx, "h1")
	wantCode(t, err, rarex.ENOTFOUND)
	if err := s.DeleteSession(ctx, "h3"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSession(ctx, "h3"); err != nil {
		t.Fatalf("deleting a missing session: %v", err)
	}
	mk("h4", "u1", time.Hour)
	if n, err := s.DeleteUserSessions(ctx, "u1"); err != nil || n != 2 {
		t.Fatalf("DeleteUserSessions = %d, %v; want 2", n, err)
	}
}

func testTokens(t *testing.T, s rarex.Store) {
	ctx := context.Background()
	mustOrg(t, s, "o1", "Exporter One", rarex.OrgExporter)
	mustUser(t, s, "u1", "o1", "a@example.com", rarex.RoleExporter)
	exp := t0.Add(24 * time.Hour)
	for i, name := range []string{"ci", "erp"} {
		tok := &rarex.APIToken{ID: fmt.Sprint("t", i), UserID: "u1", Name: name, Prefix: "rx_ab", TokenHash: fmt.Sprint("hash", i), CreatedAt: t0.Add(time.Duration(i) * time.Minute)}
		if i == 1 {
			tok.ExpiresAt = &exp
		}
		if err := s.CreateToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	wantCode(t, s.CreateToken(ctx, &rarex.APIToken{ID: "t9", UserID: "u1", Name: "x", TokenHash: "hash0", CreatedAt: t0}), rarex.ECONFLICT)
	wantCode(t, s.CreateToken(ctx, &rarex.APIToken{ID: "t9", UserID: "ghost", Name: "x", TokenHash: "hash9", CreatedAt: t0}), rarex.EINVALID)
	wantCode(t, s.CreateToken(ctx, &rarex.APIToken{ID: "t9", UserID: "u1", Name: " ", TokenHash: "hash9", CreatedAt: t0}), rarex.EINVALID)

	tok, err := s.FindTokenByHash(ctx, "hash1")
	if err != nil || tok.ID != "t1" || tok.ExpiresAt == nil || !tok.ExpiresAt.Equal(us(exp)) || tok.RevokedAt != nil || !tok.Active(t0) || tok.Active(exp) {
		t.Fatalf("FindTokenByHash = %+v, %v", tok, err)
	}
	_, err = s.FindTokenByHash(ctx, "nope")
	wantCode(t, err, rarex.ENOTFOUND)
	list, err := s.ListTokens(ctx, "u1")
	if err != nil || len(list) != 2 || list[0].ID != "t1" {
		t.Fatalf("ListTokens = %v, %v (want newest first)", list, err)
	}
	if err := s.TouchToken(ctx, "t0", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.TouchToken(ctx, "nope", t0), rarex.ENOTFOUND)
	r1 := t0.Add(time.Hour)
	tok, err = s.RevokeToken(ctx, "t0", r1)
	if err != nil || tok.RevokedAt == nil || !tok.RevokedAt.Equal(us(r1)) || tok.LastUsedAt == nil || tok.Active(r1) {
		t.Fatalf("RevokeToken = %+v, %v", tok, err)
	}
	tok, err = s.RevokeToken(ctx, "t0", r1.Add(time.Hour))
	if err != nil || !tok.RevokedAt.Equal(us(r1)) {
		t.Fatalf("second revoke moved the time: %+v, %v", tok, err)
	}
	_, err = s.RevokeToken(ctx, "nope", r1)
	wantCode(t, err, rarex.ENOTFOUND)
	if got, err := s.FindTokenByID(ctx, "t0"); err != nil || got.RevokedAt == nil {
		t.Fatalf("FindTokenByID = %+v, %v", got, err)
	}
}

// testConcurrent has many writers race to create the same and different
// users and to update one row; every write must land exactly once.
func testConcurrent(t *testing.T, s rarex.Store) {
	ctx := context.Background()
	mustOrg(t, s, "o1", "Exporter One", rarex.OrgExporter)
	mustUser(t, s, "hot", "o1", "hot@example.com", rarex.RoleExporter)
	const workers, each = 8, 20
	var wg sync.WaitGroup
	var mu sync.Mutex
	created := map[string]int{}
	var failures []error
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				// Every worker tries the shared addresses; each also has its own.
				email := fmt.Sprintf("shared%d@example.com", i)
				if i%2 == 1 {
					email = fmt.Sprintf("w%d-%d@example.com", w, i)
				}
				u := &rarex.User{ID: fmt.Sprintf("w%d-%d", w, i), OrgID: "o1", Email: email, Role: rarex.RoleExporter, PasswordHash: "h", CreatedAt: t0, UpdatedAt: t0}
				err := s.CreateUser(ctx, u)
				name := fmt.Sprint("n", w, i)
				_, uerr := s.UpdateUser(ctx, "hot", rarex.UserUpdate{Name: &name}, t0)
				mu.Lock()
				switch {
				case err == nil:
					created[email]++
				case rarex.ErrorCode(err) != rarex.ECONFLICT:
					failures = append(failures, err)
				}
				if uerr != nil {
					failures = append(failures, uerr)
				}
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("%d writes failed, first: %v", len(failures), failures[0])
	}
	for email, n := range created {
		if n != 1 {
			t.Errorf("%s created %d times", email, n)
		}
	}
	want := each/2 + workers*each/2 + 1
	if _, total, err := s.ListUsers(ctx, rarex.UserFilter{}); err != nil || total != want || len(created) != want-1 {
		t.Fatalf("after the race: %d users stored, %d created, err %v; want %d", total, len(created), err, want)
	}
}

func testBOMs(t *testing.T, s rarex.Store) {
	ctx := context.Background()
	mustOrg(t, s, "o1", "Exporter One", rarex.OrgExporter)
	mustOrg(t, s, "o2", "Exporter Two", rarex.OrgExporter)
	var parts []rarex.BOMPart
	var edges []rarex.BOMEdge
	for i := 0; i < 450; i++ { // more than one insert batch
		parts = append(parts, rarex.BOMPart{PartID: fmt.Sprint("p", i), Class: "other", Origin: "VN", UnitValue: "1.25", Elements: "Nd;Dy"})
		if i > 0 {
			edges = append(edges, rarex.BOMEdge{ParentID: "p0", ChildID: fmt.Sprint("p", i), Quantity: "0.5"})
		}
	}
	b := &rarex.BOM{ID: "b1", OrgID: "o1", Name: "Hub motor", CreatedBy: "u1", CreatedAt: t0}
	if err := s.CreateBOM(ctx, b, parts, edges); err != nil {
		t.Fatal(err)
	}
	b2 := &rarex.BOM{ID: "b2", OrgID: "o1", Name: "Later", CreatedBy: "u1", CreatedAt: t0.Add(time.Hour)}
	if err := s.CreateBOM(ctx, b2, parts[:1], nil); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindBOM(ctx, "b1")
	if err != nil || got.Parts != 450 || got.Edges != 449 || got.Name != "Hub motor" || !got.CreatedAt.Equal(us(t0)) {
		t.Fatalf("FindBOM = %+v, %v", got, err)
	}
	ps, es, err := s.LoadBOM(ctx, "b1")
	if err != nil || len(ps) != 450 || len(es) != 449 || ps[449].PartID != "p449" || ps[3].Elements != "Nd;Dy" || es[0].Quantity != "0.5" {
		t.Fatalf("LoadBOM = %d parts, %d edges, %v", len(ps), len(es), err)
	}
	list, err := s.ListBOMs(ctx, "o1")
	if err != nil || len(list) != 2 || list[0].ID != "b2" {
		t.Fatalf("ListBOMs = %v, %v", list, err)
	}
	if list, _ := s.ListBOMs(ctx, "o2"); len(list) != 0 {
		t.Fatalf("another tenant sees %d BOMs", len(list))
	}
	// A failing upload leaves nothing: duplicate part ids abort the transaction.
	dup := append(append([]rarex.BOMPart{}, parts[:3]...), parts[1])
	wantCode(t, s.CreateBOM(ctx, &rarex.BOM{ID: "b3", OrgID: "o1", Name: "Bad", CreatedAt: t0}, dup, nil), rarex.ECONFLICT)
	_, err = s.FindBOM(ctx, "b3")
	wantCode(t, err, rarex.ENOTFOUND)
	wantCode(t, s.CreateBOM(ctx, &rarex.BOM{ID: "b4", OrgID: "nope", Name: "Orphan", CreatedAt: t0}, nil, nil), rarex.EINVALID)
	wantCode(t, s.CreateBOM(ctx, &rarex.BOM{ID: "b5", OrgID: "o1", Name: " ", CreatedAt: t0}, nil, nil), rarex.EINVALID)
	if err := s.DeleteBOM(ctx, "b1"); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.LoadBOM(ctx, "b1")
	wantCode(t, err, rarex.ENOTFOUND)
	wantCode(t, s.DeleteBOM(ctx, "b1"), rarex.ENOTFOUND)
}

func testLists(t *testing.T, s rarex.Store) {
	ctx := context.Background()
	now := us(time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC))
	l := &rarex.ScreeningList{ID: "cn-sanctions", Title: "China lists", Format: "cn", SHA256: "aa", Entries: 2, Names: 3, ImportedAt: now}
	v1 := &rarex.ListVersion{ListID: l.ID, Version: 1, SHA256: "aa", Entries: 2, Names: 3, Added: 2, Diff: `{"added":["a","b"]}`, ImportedBy: "op", ImportedAt: now}
	entries := []rarex.ListEntry{{EntryID: "b", Hash: "hb", Data: []byte(`{"id":"b"}`)}, {EntryID: "a", Hash: "ha", Data: []byte(`{"id":"a"}`)}}
	if err := s.ImportList(ctx, l, v1, entries, 0); err != nil {
		t.Fatal(err)
	}
	// A second import computed against version 0 lost the race.
	wantCode(t, s.ImportList(ctx, l, &rarex.ListVersion{ListID: l.ID, Version: 1}, nil, 0), rarex.ECONFLICT)
	got, err := s.ListEntries(ctx, l.ID)
	if err != nil || len(got) != 2 || got[0].EntryID != "a" || string(got[0].Data) != `{"id":"a"}` || got[1].Hash != "hb" {
		t.Fatalf("entries %+v %v", got, err)
	}
	l2 := *l
	l2.SHA256, l2.Entries, l2.ImportedAt = "bb", 1, now.Add(time.Hour)
	v2 := &rarex.ListVersion{ListID: l.ID, Version: 2, SHA256: "bb", Entries: 1, Names: 1, Removed: 1, Changed: 1, Diff: `{"removed":["b"],"changed":["a"]}`, Forced: true, ImportedBy: "op", ImportedAt: now.Add(time.Hour)}
	if err := s.ImportList(ctx, &l2, v2, []rarex.ListEntry{{EntryID: "a", Hash: "ha2", Data: []byte(`{}`)}}, 1); err != nil {
		t.Fatal(err)
	}
	lists, err := s.Lists(ctx)
	if err != nil || len(lists) != 1 || lists[0].Version != 2 || lists[0].SHA256 != "bb" || !lists[0].ImportedAt.Equal(now.Add(time.Hour)) {
		t.Fatalf("lists %+v %v", lists, err)
	}
	got, _ = s.ListEntries(ctx, l.ID)
	if len(got) != 1 || got[0].Hash != "ha2" {
		t.Fatalf("entries after v2: %+v", got)
	}
	vs, err := s.ListVersions(ctx, l.ID)
	if err != nil || len(vs) != 2 || vs[0].Version != 2 || !vs[0].Forced || vs[1].Forced || vs[0].Diff != v2.Diff || vs[1].Added != 2 {
		t.Fatalf("versions %+v %v", vs, err)
	}
	_, err = s.ListEntries(ctx, "nope")
	wantCode(t, err, rarex.ENOTFOUND)
	// A bad version number is refused and changes nothing.
	wantCode(t, s.ImportList(ctx, &l2, &rarex.ListVersion{ListID: l.ID, Version: 5}, nil, 2), rarex.EINVALID)
	if got, _ := s.ListEntries(ctx, l.ID); len(got) != 1 {
		t.Fatalf("a refused import changed the entries: %+v", got)
	}
	// Entries go in batches: a version of 450 entries takes two full ones
	// and a part; one that repeats an entry (in its third batch) is refused
	// as a conflict of list entries and changes nothing.
	many := make([]rarex.ListEntry, 450)
	for i := range many {
		many[i] = rarex.ListEntry{EntryID: fmt.Sprintf("e%03d", i), Hash: "h", Data: []byte(`{}`)}
	}
	l3 := l2
	v3 := &rarex.ListVersion{ListID: l.ID, Version: 3, Entries: len(many), ImportedBy: "op", ImportedAt: now.Add(2 * time.Hour)}
	bad := append(slices.Clone(many), rarex.ListEntry{EntryID: "e001", Hash: "h", Data: []byte(`{}`)})
	err = s.ImportList(ctx, &l3, v3, bad, 2)
	wantCode(t, err, rarex.ECONFLICT)
	if msg := rarex.ErrorMessage(err); !strings.Contains(msg, "list entries") {
		t.Errorf("a repeated entry reads %q", msg)
	}
	if got, _ := s.ListEntries(ctx, l.ID); len(got) != 1 {
		t.Fatalf("a refused import changed the entries: %d of them", len(got))
	}
	if err := s.ImportList(ctx, &l3, v3, many, 2); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ListEntries(ctx, l.ID); len(got) != len(many) || got[449].EntryID != "e449" {
		t.Fatalf("%d entries stored, want %d", len(got), len(many))
	}
}

func testClearances(t *testing.T, s rarex.Store) {
	ctx := context.Background()
	org := mustOrg(t, s, "o1", "Authority", rarex.OrgAuthority)
	c := &rarex.Clearance{ID: "c1", OrgID: org.ID, Party: "acme", ListID: "cn", EntryID: "e1", EntryHash: "h1", Reason: "different company", ClearedBy: "u1", ClearedAt: us(time.Now())}
	if err := s.AddClearance(ctx, c); err != nil {
		t.Fatal(err)
	}
	dup := *c
	dup.ID = "c2"
	wantCode(t, s.AddClearance(ctx, &dup), rarex.ECONFLICT)
	wantCode(t, s.AddClearance(ctx, &rarex.Clearance{ID: "c3", OrgID: "missing", Party: "x", ListID: "l", EntryID: "e", EntryHash: "h"}), rarex.EINVALID)
	wantCode(t, s.AddClearance(ctx, &rarex.Clearance{ID: "c4", OrgID: org.ID}), rarex.EINVALID)
	cs, err := s.Clearances(ctx, org.ID)
	if err != nil || len(cs) != 1 || cs[0].Reason != "different company" || !cs[0].ClearedAt.Equal(c.ClearedAt) {
		t.Fatalf("clearances %+v %v", cs, err)
	}
}

func testParties(t *testing.T, s rarex.Store) {
	ctx := context.Background()
	o1 := mustOrg(t, s, "o1", "Exporter One", rarex.OrgExporter)
	o2 := mustOrg(t, s, "o2", "Exporter Two", rarex.OrgExporter)
	now := us(time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC))
	p := &rarex.WatchedParty{ID: "p1", OrgID: o1.ID, Name: "Acme Rare Metals", Country: "US", Type: "organisation", CreatedBy: "u1", CreatedAt: now}
	if err := s.AddParty(ctx, p); err != nil {
		t.Fatal(err)
	}
	dup := *p
	dup.ID = "p2"
	wantCode(t, s.AddParty(ctx, &dup), rarex.ECONFLICT)
	other := &rarex.WatchedParty{ID: "p3", OrgID: o2.ID, Name: "Acme Rare Metals", CreatedAt: now}
	if err := s.AddParty(ctx, other); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.AddParty(ctx, &rarex.WatchedParty{ID: "p4", OrgID: o1.ID, Name: " "}), rarex.EINVALID)
	if ps, err := s.Parties(ctx, o1.ID); err != nil || len(ps) != 1 || ps[0].Country != "US" || !ps[0].CreatedAt.Equal(now) {
		t.Fatalf("parties %+v %v", ps, err)
	}
	if ps, _ := s.Parties(ctx, ""); len(ps) != 2 {
		t.Fatalf("all parties: %d", len(ps))
	}
	a := &rarex.Alert{ID: "a1", OrgID: o1.ID, PartyID: p.ID, PartyName: p.Name, ListID: "cn", ListVersion: 2, EntryID: "e1", EntryHash: "h1", EntryName: "ACME", Meaning: "control_list", Score: 0.97, CreatedAt: now}
	n, err := s.AddAlerts(ctx, []*rarex.Alert{a})
	if err != nil || n != 1 {
		t.Fatalf("add alerts: %d %v", n, err)
	}
	// The same hit again is not a new alert; a new version of the entry is.
	again, newer := *a, *a
	again.ID, newer.ID, newer.EntryHash = "a2", "a3", "h2"
	if n, err := s.AddAlerts(ctx, []*rarex.Alert{&again, &newer}); err != nil || n != 1 {
		t.Fatalf("dedupe: %d %v", n, err)
	}
	as, err := s.Alerts(ctx, o1.ID)
	if err != nil || len(as) != 2 || as[0].AcknowledgedAt != nil || as[0].Score != 0.97 {
		t.Fatalf("alerts %+v %v", as, err)
	}
	wantCode(t, s.AcknowledgeAlert(ctx, o2.ID, "a1", "x", now), rarex.ENOTFOUND)
	if err := s.AcknowledgeAlert(ctx, o1.ID, "a1", "u1", now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	as, _ = s.Alerts(ctx, o1.ID)
	for _, x := range as {
		if x.ID == "a1" && (x.AcknowledgedAt == nil || x.AcknowledgedBy != "u1") {
			t.Fatalf("not acknowledged: %+v", x)
		}
	}
	if err := s.DeleteParty(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if as, _ := s.Alerts(ctx, o1.ID); len(as) != 0 {
		t.Fatalf("alerts outlived their party: %+v", as)
	}
	wantCode(t, s.DeleteParty(ctx, p.ID), rarex.ENOTFOUND)
}

// testStreamBOM: rows stream in batches; a fill that fails half way leaves
// nothing behind.
func testStreamBOM(t *testing.T, s rarex.Store) {
	ctx := context.Background()
	mustOrg(t, s, "o1", "Exporter", rarex.OrgExporter)
	fill := func(n int, failAt int) func(rarex.BOMWriter) error {
		return func(w rarex.BOMWriter) error {
			for i := range n {
				if i == failAt {
					return rarex.Errorf(rarex.EINVALID, "parts.csv:%d: bad row", i+2)
				}
				if err := w.Part(rarex.BOMPart{PartID: fmt.Sprintf("p%d", i), Class: "other", Origin: "VN", UnitValue: "1"}); err != nil {
					return err
				}
				if i > 0 {
					if err := w.Edge(rarex.BOMEdge{ParentID: "p0", ChildID: fmt.Sprintf("p%d", i), Quantity: "2"}); err != nil {
						return err
					}
				}
			}
			return nil
		}
	}
	bad := &rarex.BOM{ID: "b1", OrgID: "o1", Name: "Half", CreatedAt: t0}
	wantCode(t, s.StreamBOM(ctx, bad, fill(1000, 450)), rarex.EINVALID)
	if _, err := s.FindBOM(ctx, "b1"); rarex.ErrorCode(err) != rarex.ENOTFOUND {
		t.Fatalf("a failed stream left a BOM: %v", err)
	}
	good := &rarex.BOM{ID: "b2", OrgID: "o1", Name: "Whole", CreatedAt: t0}
	if err := s.StreamBOM(ctx, good, fill(1000, -1)); err != nil {
		t.Fatal(err)
	}
	if good.Parts != 1000 || good.Edges != 999 {
		t.Fatalf("counts %d %d", good.Parts, good.Edges)
	}
	got, err := s.FindBOM(ctx, "b2")
	parts, edges, err2 := s.LoadBOM(ctx, "b2")
	if err != nil || err2 != nil || got.Parts != 1000 || len(parts) != 1000 || len(edges) != 999 || parts[999].PartID != "p999" || edges[0].ChildID != "p1" {
		t.Fatalf("stored %+v, %d parts, %d edges, %v %v", got, len(parts), len(edges), err, err2)
	}
}
