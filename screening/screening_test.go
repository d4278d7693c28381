package screening_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rarex"
	"rarex/accounts"
	"rarex/screen"
	"rarex/screening"
	"rarex/sqlite"
)

const head = "id,name,aliases,type,countries,list,meaning,date\n"

// list writes n generic entries (ids e0…), the k-th renamed when rename.
func list(n int, rename map[int]string) string {
	var b strings.Builder
	b.WriteString(head)
	for i := range n {
		name := fmt.Sprintf("Entity Number %c%c Trading", 'A'+i%26, 'A'+i/26)
		if r, ok := rename[i]; ok {
			name = r
		}
		fmt.Fprintf(&b, "e%d,%s,,organisation,US,Test list,control_list,2026-01-01\n", i, name)
	}
	return b.String()
}

func setup(t *testing.T) (*screening.Service, *rarex.User, *rarex.User, *rarex.User) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, o := range []*rarex.Organisation{{ID: "o1", Name: "One", Kind: rarex.OrgExporter}, {ID: "a", Name: "Authority", Kind: rarex.OrgAuthority}} {
		if err := db.CreateOrg(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	svc := &screening.Service{Store: db, Clock: &rarex.FixedClock{T: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)}, IDs: &rarex.SequenceIDs{Prefix: "c"}}
	if err := svc.Load(ctx); err != nil {
		t.Fatal(err)
	}
	return svc, &rarex.User{ID: "u1", OrgID: "o1", Role: rarex.RoleExporter}, &rarex.User{ID: "r", OrgID: "a", Role: rarex.RoleReviewer}, &rarex.User{ID: "ad", OrgID: "a", Role: rarex.RoleAdmin}
}

func importList(svc *screening.Service, actor *rarex.User, body string, force bool) (*rarex.ListVersion, error) {
	return svc.Import(context.Background(), actor, screening.ImportRequest{ListID: "test", Format: "generic", File: "test.csv", Body: strings.NewReader(body), Force: force})
}

func TestImportVersionsAndGuard(t *testing.T) {
	svc, exporter, reviewer, admin := setup(t)
	ctx := context.Background()
	if _, err := svc.Screen(ctx, exporter, []screen.Query{{Name: "x"}}, 0); rarex.ErrorCode(err) != rarex.ECONFLICT {
		t.Fatalf("screening with no list: %v", err)
	}
	for _, u := range []*rarex.User{exporter, reviewer} {
		if _, err := importList(svc, u, list(40, nil), false); rarex.ErrorCode(err) != rarex.EFORBIDDEN {
			t.Fatalf("%s imported: %v", u.Role, err)
		}
	}
	v1, err := importList(svc, admin, list(40, nil), false)
	if err != nil || v1.Version != 1 || v1.Added != 40 || v1.Entries != 40 || len(v1.SHA256) != 64 {
		t.Fatalf("v1 = %+v, %v", v1, err)
	}
	// One renamed, one added, one dropped (2.5%): fine.
	body := strings.Replace(list(41, map[int]string{3: "Renamed Holdings"}), "e7,Entity Number HA Trading,,organisation,US,Test list,control_list,2026-01-01\n", "", 1)
	v2, err := importList(svc, admin, body, false)
	if err != nil || v2.Version != 2 || v2.Added != 1 || v2.Removed != 1 || v2.Changed != 1 || v2.Forced {
		t.Fatalf("v2 = %+v, %v", v2, err)
	}
	var d screening.Diff
	if json.Unmarshal([]byte(v2.Diff), &d) != nil || d.Added[0] != "e40" || d.Removed[0] != "e7" || d.Changed[0] != "e3" {
		t.Fatalf("diff %s", v2.Diff)
	}
	// Dropping 10 of 40 (25%) is refused unless forced; nothing changes.
	if _, err := importList(svc, admin, list(30, nil), false); rarex.ErrorCode(err) != rarex.EINVALID || !strings.Contains(err.Error(), "would drop 11 of the 40 entries") {
		t.Fatalf("big drop: %v", err)
	}
	// A broken file changes nothing either.
	if _, err := importList(svc, admin, head+"e1,,,,,L,control_list,\n", false); rarex.ErrorCode(err) != rarex.EINVALID || !strings.Contains(err.Error(), "test.csv:2: name") {
		t.Fatalf("broken file: %v", err)
	}
	vs, err := svc.Versions(ctx, exporter, "test")
	if err != nil || len(vs) != 2 {
		t.Fatalf("versions %+v %v", vs, err)
	}
	v3, err := importList(svc, admin, list(30, nil), true)
	if err != nil || v3.Version != 3 || !v3.Forced || v3.Removed != 11 {
		t.Fatalf("forced: %+v %v", v3, err)
	}
	lists, err := svc.Lists(ctx, exporter)
	if err != nil || len(lists) != 1 || lists[0].Version != 3 || lists[0].Entries != 30 || lists[0].Title != "Test list" {
		t.Fatalf("lists %+v %v", lists, err)
	}
	if _, err := svc.Import(ctx, admin, screening.ImportRequest{ListID: "Bad ID", Format: "generic", Body: strings.NewReader(list(2, nil))}); rarex.ErrorCode(err) != rarex.EINVALID {
		t.Fatalf("bad id: %v", err)
	}
}

func TestClearanceReopensWhenTheEntryChanges(t *testing.T) {
	svc, exporter, reviewer, admin := setup(t)
	ctx := context.Background()
	if _, err := importList(svc, admin, list(40, map[int]string{5: "Acme Rare Metals"}), false); err != nil {
		t.Fatal(err)
	}
	res, err := svc.Screen(ctx, reviewer, []screen.Query{{Name: "ACME Rare Metals Co., Ltd."}}, 0)
	if err != nil || len(res[0].Hits) != 1 || res[0].Hits[0].ListID != "test" || res[0].Hits[0].Cleared != nil {
		t.Fatalf("screen %+v %v", res, err)
	}
	if _, err := svc.Clear(ctx, exporter, screening.ClearRequest{Party: "ACME Rare Metals", ListID: "test", EntryID: "e5", Reason: "x"}); rarex.ErrorCode(err) != rarex.EFORBIDDEN {
		t.Fatalf("exporter cleared: %v", err)
	}
	if _, err := svc.Clear(ctx, reviewer, screening.ClearRequest{Party: "ACME Rare Metals", ListID: "test", EntryID: "e5"}); rarex.ErrorCode(err) != rarex.EINVALID {
		t.Fatalf("no reason: %v", err)
	}
	if _, err := svc.Clear(ctx, reviewer, screening.ClearRequest{Party: "ACME Rare Metals", ListID: "test", EntryID: "nope", Reason: "r"}); rarex.ErrorCode(err) != rarex.ENOTFOUND {
		t.Fatalf("unknown entry: %v", err)
	}
	c, err := svc.Clear(ctx, reviewer, screening.ClearRequest{Party: "Acme Rare Metals Ltd", ListID: "test", EntryID: "e5", Reason: "Registered in Ohio, not the listed firm"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Clear(ctx, reviewer, screening.ClearRequest{Party: "Acme Rare Metals Ltd", ListID: "test", EntryID: "e5", Reason: "again"}); rarex.ErrorCode(err) != rarex.ECONFLICT {
		t.Fatalf("twice: %v", err)
	}
	res, _ = svc.Screen(ctx, reviewer, []screen.Query{{Name: "ACME Rare Metals Co., Ltd."}}, 0)
	if res[0].Hits[0].Cleared == nil || res[0].Hits[0].Cleared.ID != c.ID {
		t.Fatalf("not cleared: %+v", res[0].Hits[0])
	}
	// The exporter's organisation did not clear it.
	res, _ = svc.Screen(ctx, exporter, []screen.Query{{Name: "ACME Rare Metals"}}, 0)
	if res[0].Hits[0].Cleared != nil {
		t.Fatal("another organisation's clearance applied")
	}
	// The entry changes (a new alias): the hit opens again.
	body := strings.Replace(list(40, map[int]string{5: "Acme Rare Metals"}), "Acme Rare Metals,,", "Acme Rare Metals,ARM Group,", 1)
	if _, err := importList(svc, admin, body, false); err != nil {
		t.Fatal(err)
	}
	res, _ = svc.Screen(ctx, reviewer, []screen.Query{{Name: "ACME Rare Metals Co., Ltd."}}, 0)
	if res[0].Hits[0].Cleared != nil {
		t.Fatal("the clearance survived a change of the entry")
	}
}

func TestScreenBadInput(t *testing.T) {
	svc, exporter, _, admin := setup(t)
	ctx := context.Background()
	if _, err := importList(svc, admin, list(5, nil), false); err != nil {
		t.Fatal(err)
	}
	many := make([]screen.Query, screening.MaxBatch+1)
	for i := range many {
		many[i] = screen.Query{Name: "x"}
	}
	for _, c := range []struct {
		qs   []screen.Query
		min  float64
		want string
	}{
		{nil, 0, "at least one"},
		{many, 0, "at most 1000"},
		{[]screen.Query{{Name: " "}}, 0, "names[0].name"},
		{[]screen.Query{{Name: "a\xffb"}}, 0, "names[0].name"},
		{[]screen.Query{{Name: "a", Country: "XX"}}, 0, "names[0].country"},
		{[]screen.Query{{Name: "a", Type: "robot"}}, 0, "names[0].type"},
		{[]screen.Query{{Name: "a"}}, 1.5, "min_score"},
	} {
		_, err := svc.Screen(ctx, exporter, c.qs, c.min)
		if rarex.ErrorCode(err) != rarex.EINVALID || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err = %v; want %q", c.want, err, c.want)
		}
	}
	overseer := &rarex.User{ID: "ov", OrgID: "a", Role: rarex.RoleOverseer}
	if _, err := svc.Screen(ctx, overseer, []screen.Query{{Name: "x"}}, 0); rarex.ErrorCode(err) != rarex.EFORBIDDEN {
		t.Fatalf("overseer screened: %v", err)
	}
}

// TestImportSharedChinaList imports the real China lists and screens a
// Chinese name against them; the operator imports as the CLI does.
func TestImportSharedChinaList(t *testing.T) {
	svc, exporter, _, _ := setup(t)
	ctx := context.Background()
	f, err := os.Open("../../shared/data/lists/cn-sanctions/sanctions.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	v, err := svc.Import(ctx, accounts.Operator, screening.ImportRequest{ListID: "cn-sanctions", Format: "cn", File: "sanctions.csv", Body: f})
	if err != nil || v.Entries != 610 {
		t.Fatalf("import %+v %v", v, err)
	}
	res, err := svc.Screen(ctx, exporter, []screen.Query{{Name: "三菱造船株式会社"}}, 0)
	if err != nil || len(res[0].Hits) == 0 || res[0].Hits[0].Entry.Meaning != screen.ControlList {
		t.Fatalf("screen %+v %v", res, err)
	}
}

// TestWatchedPartiesRaiseAlerts: a watched party gets an alert for its
// hits now, none again for the same hit, one when an import lists it or
// changes its entry, and none for a hit its organisation cleared.
func TestWatchedPartiesRaiseAlerts(t *testing.T) {
	svc, exporter, reviewer, admin := setup(t)
	ctx := context.Background()
	if _, err := importList(svc, admin, list(40, map[int]string{2: "Acme Rare Metals"}), false); err != nil {
		t.Fatal(err)
	}
	acme, err := svc.Watch(ctx, exporter, screen.Query{Name: "ACME Rare Metals Ltd", Country: "us"})
	if err != nil || acme.Country != "US" {
		t.Fatalf("watch %+v %v", acme, err)
	}
	if _, err := svc.Watch(ctx, exporter, screen.Query{Name: "ACME Rare Metals Ltd"}); rarex.ErrorCode(err) != rarex.ECONFLICT {
		t.Fatalf("watched twice: %v", err)
	}
	for _, q := range []screen.Query{{Name: "..."}, {Name: "x", Country: "QQ"}, {Name: "x", Type: "robot"}} {
		if _, err := svc.Watch(ctx, exporter, q); rarex.ErrorCode(err) != rarex.EINVALID {
			t.Errorf("%+v: %v", q, err)
		}
	}
	if _, err := svc.Watch(ctx, exporter, screen.Query{Name: "Zenith Copper Works"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Watch(ctx, reviewer, screen.Query{Name: "Zenith Copper Works"}); err != nil {
		t.Fatal(err)
	}
	as, _ := svc.Alerts(ctx, exporter)
	if len(as) != 1 || as[0].EntryID != "e2" || as[0].ListVersion != 1 || as[0].Meaning != "control_list" {
		t.Fatalf("alerts at watch time: %+v", as)
	}
	// Version 2 lists Zenith: both organisations watching it get an alert.
	v2, err := importList(svc, admin, list(40, map[int]string{2: "Acme Rare Metals", 9: "Zenith Copper Works Co."}), false)
	if err != nil || v2.AlertsRaised != 2 {
		t.Fatalf("v2: %+v %v", v2, err)
	}
	as, _ = svc.Alerts(ctx, exporter)
	zenith := 0
	for _, a := range as {
		if a.PartyName == "Zenith Copper Works" && a.ListVersion == 2 && a.EntryID == "e9" {
			zenith++
		}
	}
	if len(as) != 2 || zenith != 1 {
		t.Fatalf("exporter alerts after v2: %d alerts, %d for Zenith", len(as), zenith)
	}
	// The same list again raises nothing new.
	if v3, err := importList(svc, admin, list(40, map[int]string{2: "Acme Rare Metals", 9: "Zenith Copper Works Co."}), false); err != nil || v3.AlertsRaised != 0 {
		t.Fatalf("v3: %+v %v", v3, err)
	}
	// The reviewer clears Zenith; then a change of Acme's entry alerts the
	// exporter again, and the reviewer's organisation gets nothing new.
	if _, err := svc.Clear(ctx, reviewer, screening.ClearRequest{Party: "Zenith Copper Works", ListID: "test", EntryID: "e9", Reason: "a different Zenith"}); err != nil {
		t.Fatal(err)
	}
	v4, err := importList(svc, admin, strings.Replace(list(40, map[int]string{2: "Acme Rare Metals", 9: "Zenith Copper Works Co."}), "Acme Rare Metals,,", "Acme Rare Metals,ARM,", 1), false)
	if err != nil || v4.AlertsRaised != 1 {
		t.Fatalf("v4: %+v %v", v4, err)
	}
	ras, _ := svc.Alerts(ctx, reviewer)
	if len(ras) != 1 {
		t.Fatalf("reviewer alerts: %+v", ras)
	}
	if err := svc.Acknowledge(ctx, exporter, as[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := svc.Acknowledge(ctx, exporter, ras[0].ID); rarex.ErrorCode(err) != rarex.ENOTFOUND {
		t.Fatalf("acknowledged another organisation's alert: %v", err)
	}
	if err := svc.Unwatch(ctx, exporter, acme.ID); err != nil {
		t.Fatal(err)
	}
	if ps, _ := svc.Parties(ctx, exporter); len(ps) != 1 {
		t.Fatalf("parties after unwatch: %+v", ps)
	}
	if err := svc.Unwatch(ctx, reviewer, acme.ID); rarex.ErrorCode(err) != rarex.ENOTFOUND {
		t.Fatalf("unwatched another organisation's party: %v", err)
	}
}
