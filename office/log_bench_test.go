package office_test

import (
	"context"
	"io"
	"log/slog"
	"sort"
	"testing"
	"time"

	"rarex"
	"rarex/office"
	"rarex/tlog"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// reviewable makes n applications under review, ready for a decision.
func reviewable(b *testing.B, w *world, n int) []*rarex.Application {
	b.Helper()
	ctx := context.Background()
	out := make([]*rarex.Application, n)
	for i := range n {
		a, err := w.svc.Create(ctx, w.exporter, body())
		if err != nil {
			b.Fatal(err)
		}
		for _, k := range []rarex.DocKind{rarex.DocEndUserCert, rarex.DocEndUseCert, rarex.DocContract} {
			if _, _, err := w.svc.AddDocument(ctx, w.exporter, a.ID, office.Upload{Kind: k, Filename: "x.pdf", Data: pdf}); err != nil {
				b.Fatal(err)
			}
		}
		if out[i], err = w.svc.Submit(ctx, w.exporter, a.ID, 0); err != nil {
			b.Fatal(err)
		}
	}
	return out
}

// benchLog opens a log as rarex serve runs it, with its appender draining
// the store's outbox in the background until ctx ends.
func benchLog(b *testing.B, ctx context.Context, store rarex.LogOutbox) *tlog.Log {
	b.Helper()
	dir := b.TempDir()
	key, err := tlog.LoadOrCreateKey(dir, "bench.test/log")
	if err != nil {
		b.Fatal(err)
	}
	l, err := tlog.Open(ctx, dir, "bench.test/log", key, tlog.Options{Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { l.Close(context.Background()) })
	ap := &tlog.Appender{Log: l, Store: store, Clock: rarex.SystemClock{}, Logger: quiet}
	go ap.Run(ctx, 500*time.Millisecond)
	return l
}

func benchWorld(b *testing.B) *world {
	db := sqliteDB(&testing.T{})
	b.Cleanup(func() { db.Close() })
	return setup(&testing.T{}, db)
}

// BenchmarkDecide measures what an approval costs on one SQLite store with
// the public log off and on (its appender draining in the background, as in
// rarex serve), with approvals paced at 50 a second as the load
// says; ns/op is the mean time of one Decide call, so the ratio of the two
// runs is the log's cost.
func BenchmarkDecide(b *testing.B) {
	for _, withLog := range []bool{false, true} {
		name := "log=off"
		if withLog {
			name = "log=on"
		}
		b.Run(name, func(b *testing.B) {
			w := benchWorld(b)
			w.svc.SkipLog = !withLog
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if withLog {
				benchLog(b, ctx, w.svc.Store)
			}
			apps := reviewable(b, w, b.N)
			tick := time.NewTicker(20 * time.Millisecond)
			defer tick.Stop()
			var spent time.Duration
			b.ResetTimer()
			for i := range b.N {
				<-tick.C
				start := time.Now()
				if _, err := w.svc.Decide(ctx, w.reviewer, apps[i].ID, 0, office.DecisionInput{Kind: rarex.DecisionApprove, Reasons: "ok"}); err != nil {
					b.Fatal(err)
				}
				spent += time.Since(start)
			}
			b.StopTimer()
			b.ReportMetric(float64(spent.Nanoseconds())/float64(b.N), "decide-ns/op")
		})
	}
}

// BenchmarkReceiptLatency paces approvals at 50 a second with the log as
// rarex serve runs it (1 s checkpoints, appender every 500 ms) and reports
// the time from a decision to its published receipt.
func BenchmarkReceiptLatency(b *testing.B) {
	w := benchWorld(b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w.svc.Log = benchLog(b, ctx, w.svc.Store)
	const n = 50
	var lat []time.Duration
	for range b.N {
		apps := reviewable(b, w, n)
		decided := make([]time.Time, n)
		tick := time.NewTicker(20 * time.Millisecond)
		for i, a := range apps {
			<-tick.C
			if _, err := w.svc.Decide(ctx, w.reviewer, a.ID, 0, office.DecisionInput{Kind: rarex.DecisionApprove, Reasons: "ok"}); err != nil {
				b.Fatal(err)
			}
			decided[i] = time.Now()
		}
		tick.Stop()
		for i, a := range apps {
			for {
				es, err := w.svc.LogEntries(ctx, w.exporter, a.ID)
				if err != nil {
					b.Fatal(err)
				}
				if len(es) == 1 {
					_, err := w.svc.Receipt(ctx, w.exporter, a.ID, es[0].ID)
					if err == nil {
						lat = append(lat, time.Since(decided[i]))
						break
					}
					if rarex.ErrorCode(err) != rarex.ECONFLICT {
						b.Fatal(err)
					}
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Milliseconds()), "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Milliseconds()), "p99-ms")
}
