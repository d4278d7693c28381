package rarex_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"rarex"
)

func TestErrorHelpers(t *testing.T) {
	e := rarex.Errorf(rarex.EINVALID, "field %s: bad", "x")
	wrapped := fmt.Errorf("context: %w", e)
	if rarex.ErrorCode(wrapped) != rarex.EINVALID || rarex.ErrorMessage(wrapped) != "field x: bad" {
		t.Fatalf("wrapped error: %q %q", rarex.ErrorCode(wrapped), rarex.ErrorMessage(wrapped))
	}
	plain := errors.New("disk on fire at /var/secret")
	if rarex.ErrorCode(plain) != rarex.EINTERNAL || rarex.ErrorMessage(plain) != "Internal error." {
		t.Fatal("a foreign error must read as internal and hide its text")
	}
	if rarex.ErrorCode(nil) != "" || rarex.ErrorMessage(nil) != "" {
		t.Fatal("nil error must have no code")
	}
}

// TestPolicy checks Authorize against the intended rules, role by role.
func TestPolicy(t *testing.T) {
	own, other := "org-own", "org-other"
	user := func(r rarex.Role) *rarex.User { return &rarex.User{ID: "u", OrgID: own, Role: r} }
	type want struct{ own, other, none bool }
	cases := map[rarex.Action]map[rarex.Role]want{
		rarex.ActViewSelf:       {rarex.RoleExporter: {true, false, true}, rarex.RoleReviewer: {true, false, true}, rarex.RoleAdmin: {true, false, true}, rarex.RoleOverseer: {true, false, true}},
		rarex.ActManageTokens:   {rarex.RoleExporter: {true, false, true}, rarex.RoleReviewer: {true, false, true}, rarex.RoleAdmin: {true, false, true}, rarex.RoleOverseer: {true, false, true}},
		rarex.ActListOrgs:       {rarex.RoleExporter: {}, rarex.RoleReviewer: {true, true, true}, rarex.RoleAdmin: {true, true, true}, rarex.RoleOverseer: {}},
		rarex.ActViewOrg:        {rarex.RoleExporter: {true, false, false}, rarex.RoleReviewer: {true, true, true}, rarex.RoleAdmin: {true, true, true}, rarex.RoleOverseer: {true, false, false}},
		rarex.ActListUsers:      {rarex.RoleExporter: {true, false, false}, rarex.RoleReviewer: {true, false, false}, rarex.RoleAdmin: {true, true, true}, rarex.RoleOverseer: {true, false, false}},
		rarex.ActCreateUser:     {rarex.RoleAdmin: {true, true, true}},
		rarex.ActDisableUser:    {rarex.RoleAdmin: {true, true, true}},
		rarex.ActCreateOrg:      {rarex.RoleAdmin: {true, true, true}},
		rarex.ActAdminTokens:    {rarex.RoleAdmin: {true, true, true}},
		rarex.ActManageBOMs:     {rarex.RoleExporter: {true, false, false}},
		rarex.ActScreen:         {rarex.RoleExporter: {true, false, false}, rarex.RoleReviewer: {true, false, false}, rarex.RoleAdmin: {true, false, false}},
		rarex.ActViewLists:      {rarex.RoleExporter: {true, false, false}, rarex.RoleReviewer: {true, false, false}, rarex.RoleAdmin: {true, false, false}, rarex.RoleOverseer: {true, false, false}},
		rarex.ActImportLists:    {rarex.RoleAdmin: {true, true, true}},
		rarex.ActClearHits:      {rarex.RoleReviewer: {true, false, false}},
		rarex.ActViewIndicators: {rarex.RoleExporter: {true, false, false}, rarex.RoleReviewer: {true, false, false}, rarex.RoleAdmin: {true, false, false}, rarex.RoleOverseer: {true, false, false}},
		rarex.ActDetermine:      {rarex.RoleExporter: {true, false, true}, rarex.RoleReviewer: {true, false, true}, rarex.RoleAdmin: {true, false, true}, rarex.RoleOverseer: {true, false, true}},
		rarex.ActApply:          {rarex.RoleExporter: {true, false, false}},
		rarex.ActViewApps:       {rarex.RoleExporter: {true, false, false}, rarex.RoleReviewer: {true, true, true}, rarex.RoleAdmin: {true, true, true}},
		rarex.ActReview:         {rarex.RoleReviewer: {true, true, true}},
		rarex.ActShip:           {rarex.RoleExporter: {true, false, false}},
		rarex.ActManageLicences: {rarex.RoleAdmin: {true, true, true}},
		rarex.ActManageRegister: {rarex.RoleAdmin: {true, true, true}},
		rarex.ActViewRegister:   {rarex.RoleReviewer: {true, true, true}, rarex.RoleAdmin: {true, true, true}},
		rarex.ActViewEvents:     {rarex.RoleExporter: {true, false, false}, rarex.RoleAdmin: {true, true, true}},
		rarex.ActManageWebhooks: {rarex.RoleExporter: {true, false, false}},
		rarex.ActViewMetrics:    {rarex.RoleAdmin: {true, true, true}},
	}
	if len(cases) != len(rarex.Actions()) {
		t.Fatalf("policy has %d actions, the test %d: add the new ones here", len(rarex.Actions()), len(cases))
	}
	for _, action := range rarex.Actions() {
		for _, role := range rarex.Roles {
			w := cases[action][role]
			for tenant, allowed := range map[string]bool{own: w.own, other: w.other, "": w.none} {
				err := rarex.Authorize(user(role), action, tenant)
				if (err == nil) != allowed {
					t.Errorf("%s as %s on %q: err %v, want allowed=%v", action, role, tenant, err, allowed)
				}
				if err != nil && rarex.ErrorCode(err) != rarex.EFORBIDDEN {
					t.Errorf("%s as %s: code %s, want forbidden", action, role, rarex.ErrorCode(err))
				}
			}
		}
	}
	if rarex.ErrorCode(rarex.Authorize(nil, rarex.ActViewSelf, "")) != rarex.EUNAUTHORIZED {
		t.Error("no actor must be unauthorized")
	}
	now := time.Now()
	disabled := &rarex.User{Role: rarex.RoleAdmin, DisabledAt: &now}
	if rarex.ErrorCode(rarex.Authorize(disabled, rarex.ActCreateOrg, "")) != rarex.EUNAUTHORIZED {
		t.Error("a disabled admin must be unauthorized")
	}
	if rarex.Authorize(user("pirate"), rarex.ActViewSelf, own) == nil {
		t.Error("an unknown role must be denied")
	}
}

func TestRoleOrgKinds(t *testing.T) {
	for role, kind := range map[rarex.Role]rarex.OrgKind{rarex.RoleExporter: rarex.OrgExporter, rarex.RoleReviewer: rarex.OrgAuthority, rarex.RoleAdmin: rarex.OrgAuthority, rarex.RoleOverseer: rarex.OrgOverseer, "x": ""} {
		if got := role.OrgKind(); got != kind {
			t.Errorf("%s.OrgKind() = %q, want %q", role, got, kind)
		}
	}
}

func TestClampLimit(t *testing.T) {
	for in, want := range map[int]int{-1: 100, 0: 100, 1: 1, 1000: 1000, 5000: 1000} {
		if got := rarex.ClampLimit(in); got != want {
			t.Errorf("ClampLimit(%d) = %d, want %d", in, got, want)
		}
	}
}

func TestSequenceIDsConcurrent(t *testing.T) {
	var s rarex.SequenceIDs
	s.Prefix = "x"
	seen := make(chan string, 100)
	for i := 0; i < 100; i++ {
		go func() { seen <- s.NewID() }()
	}
	got := map[string]bool{}
	for i := 0; i < 100; i++ {
		got[<-seen] = true
	}
	if len(got) != 100 {
		t.Fatalf("%d distinct IDs from 100 calls", len(got))
	}
	if id := (rarex.RandomIDs{}).NewID(); len(id) != 32 {
		t.Fatalf("random id %q", id)
	}
}

func TestDecodeJSON(t *testing.T) {
	type doc struct {
		Name string `json:"name"`
		N    int    `json:"n"`
	}
	for in, want := range map[string]string{
		`{"name":"x","n":1}`: "",
		``:                   "body: empty",
		`{"name":`:           "body: JSON ends too early",
		`{"name" 1}`:         "body: malformed JSON",
		`{"n":"one"}`:        "n: expected int, got JSON string",
		`{"colour":"red"}`:   `body: unknown field "colour"`,
		`{"n":1} {"n":2}`:    "body: more than one JSON value",
		`[1,2]`:              "body: expected rarex_test.doc",
	} {
		var d doc
		err := rarex.DecodeJSON(strings.NewReader(in), &d, "body")
		if want == "" {
			if err != nil {
				t.Errorf("%q: %v", in, err)
			}
			continue
		}
		if rarex.ErrorCode(err) != rarex.EINVALID || !strings.Contains(rarex.ErrorMessage(err), want) {
			t.Errorf("%q: err = %v, want EINVALID with %q", in, err, want)
		}
	}
}

func TestFormatNumber(t *testing.T) {
	for in, want := range map[float64]string{0.1 + 0.2: "0.3", 1242.73: "1242.73", 0.0000004: "0", 0.0017777777: "0.001778", -2.5: "-2.5", 8490: "8490"} {
		if got := rarex.FormatNumber(in); got != want {
			t.Errorf("FormatNumber(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestIsCountry(t *testing.T) {
	for c, want := range map[string]bool{
		"CN": true, "US": true, "DE": true, "XK": true, "AD": true, "ZW": true,
		"": false, "C": false, "CHN": false, "cn": false, "Cn": false, "ZZ": false, "AA": false, "UK": false,
		"C1": false, "@A": false, "A[": false, "\x00\x00": false, "中": false, "CN ": false,
	} {
		if got := rarex.IsCountry(c); got != want {
			t.Errorf("IsCountry(%q) = %v, want %v", c, got, want)
		}
	}
}

func FuzzIsCountry(f *testing.F) {
	for _, s := range []string{"CN", "zz", "", "ÄB"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, c string) {
		// A code is two capitals; the check never panics on anything else.
		if rarex.IsCountry(c) && (len(c) != 2 || strings.ToUpper(c) != c) {
			t.Fatalf("IsCountry(%q) = true", c)
		}
	})
}
