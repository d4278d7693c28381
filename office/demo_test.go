package office_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"rarex"
	"rarex/accounts"
	"rarex/licensing"
	"rarex/office"
	"rarex/rules"
	"rarex/screening"
	"rarex/sqlite"
	"rarex/workdays"
)

// TestSeedDemo: the demo office has an application in every state, an
// overdue one, a paused one, licences with shipments, and seeding twice
// adds nothing.
func TestSeedDemo(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	clock := &rarex.FixedClock{T: time.Date(2026, 11, 28, 6, 0, 0, 0, time.UTC)}
	acc := accounts.New(db, clock, rarex.RandomIDs{})
	acc.Hash = accounts.TestHashParams
	if _, err := acc.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	scr := &screening.Service{Store: db, Clock: clock, IDs: rarex.RandomIDs{}}
	if _, err := scr.SeedDemo(ctx, accounts.Operator); err != nil {
		t.Fatal(err)
	}
	if err := scr.Load(ctx); err != nil {
		t.Fatal(err)
	}
	regs, _ := rules.Shipped()
	proc, _ := licensing.Shipped()
	cal, _ := workdays.China()
	svc := &office.Service{Store: db, Clock: clock, IDs: rarex.RandomIDs{}, Regime: regs[0], Proc: proc, Cal: cal, Screening: scr, Policy: licensing.DefaultPolicy()}
	for range 2 {
		if err := svc.SeedDemo(ctx); err != nil {
			t.Fatal(err)
		}
	}
	zhang, _ := db.FindUserByEmail(ctx, office.DemoReviewer)
	rows, counts, err := svc.Queue(ctx, zhang, office.QueueFilter{All: true})
	if err != nil {
		t.Fatal(err)
	}
	states := map[rarex.AppState]int{}
	for _, r := range rows {
		states[r.App.State]++
	}
	for _, st := range []rarex.AppState{rarex.AppIncomplete, rarex.AppUnderReview, rarex.AppInfoRequested, rarex.AppCountersign, rarex.AppApproved, rarex.AppDenied, rarex.AppNotRequired, rarex.AppWithdrawn} {
		if states[st] == 0 {
			t.Errorf("no demo application is %s: %v", st, states)
		}
	}
	if counts.Overdue == 0 || counts.Paused == 0 || counts.Green == 0 {
		t.Errorf("counts %+v: want overdue, paused and green applications", counts)
	}
	wei, _ := db.FindUserByEmail(ctx, office.DemoExporter)
	mine, _, _ := svc.Queue(ctx, wei, office.QueueFilter{})
	if len(mine) != 11 || mine[0].App.State != rarex.AppDraft {
		t.Errorf("the exporter sees %d applications (want 11, a draft first)", len(mine))
	}
	// Six months of history: the overseer's statistics show real cells, not only withheld ones.
	amara, _ := db.FindUserByEmail(ctx, "amara@monitor.example")
	st, err := svc.Statistics(ctx, amara)
	if err != nil {
		t.Fatal(err)
	}
	shown, medians := 0, 0
	for _, m := range st.Months {
		if m.Outcomes["approved"] != nil && *m.Outcomes["approved"] >= 5 {
			shown++
		}
		if m.MedianDays != nil {
			medians++
		}
	}
	if st.K != 5 || len(st.Months) < 6 || shown < 4 || medians < 4 {
		t.Errorf("overseer statistics: k %d, %d months, %d with approvals shown, %d medians", st.K, len(st.Months), shown, medians)
	}
	if full, _ := svc.Statistics(ctx, zhang); full.K != 1 {
		t.Errorf("the authority's statistics are suppressed (k %d)", full.K)
	}
	ls, _ := svc.Licences(ctx, wei)
	if len(ls) != 2 || ls[0].Status != rarex.LicenceSuspended || ls[1].QuantityUsed != 1_050_000 || ls[1].Status != rarex.LicenceActive {
		for _, l := range ls {
			t.Logf("%s %s used %s", l.Number, l.Status, l.QuantityUsed)
		}
		t.Errorf("licences: want a suspended general licence and a drawn individual one")
	}
}
