package tlog

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/transparency-dev/tessera/client"

	"rarex"
)

// Appender drains the store's outbox into the log. Each decision and its
// entry commit together in the database; the appender adds pending entries
// to the log and records the index each got. After a crash between the two
// steps, Recover finds the entries the log already holds and records their
// index, so no entry is lost and none is appended twice.
type Appender struct {
	Log    *Log
	Store  rarex.LogOutbox
	Clock  rarex.Clock
	Logger *slog.Logger

	scanned       bool
	nextFrom      uint64 // the first index the next statement covers
	lastStatement string // the day of the last statement
}

// chinaTime is the regime's calendar, in which statements are daily.
var chinaTime = time.FixedZone("CST", 8*3600)

// scanStatements finds where the last statement left off, reading the
// log's entry bundles from the end: statements are daily, so the last one
// is near the end and start-up does not read the whole log.
func (a *Appender) scanStatements(ctx context.Context) error {
	size, _, err := a.Log.Size(ctx)
	if err != nil {
		return err
	}
	for bi := int64(size+255)/256 - 1; bi >= 0; bi-- {
		b, err := client.GetEntryBundle(ctx, a.Log.reader.ReadEntryBundle, uint64(bi), size)
		if err != nil {
			return err
		}
		for j := len(b.Entries) - 1; j >= 0; j-- {
			var st Statement
			if kindOf(b.Entries[j]) == "statement" && json.Unmarshal(b.Entries[j], &st) == nil {
				a.nextFrom, a.lastStatement = uint64(bi)*256+uint64(j)+1, st.Day
				a.scanned = true
				return nil
			}
		}
	}
	a.scanned = true
	return nil
}

// Statement appends the day's aggregate statement over the decisions logged
// since the last one, once a day; it returns how many statement entries it
// added.
func (a *Appender) Statement(ctx context.Context) (int, error) {
	if !a.scanned {
		if err := a.scanStatements(ctx); err != nil {
			return 0, err
		}
	}
	day := a.Clock.Now().In(chinaTime).Format(time.DateOnly)
	if day <= a.lastStatement {
		return 0, nil
	}
	size, _, err := a.Log.Size(ctx)
	if err != nil || size <= a.nextFrom {
		return 0, err
	}
	es, err := a.Log.Entries(ctx, a.nextFrom, size)
	if err != nil {
		return 0, err
	}
	sts, err := Statements(day, a.nextFrom, es)
	if err != nil {
		return 0, err
	}
	var last uint64
	for _, st := range sts {
		if last, err = a.Log.Add(ctx, st); err != nil {
			return 0, err
		}
	}
	a.nextFrom, a.lastStatement = last+1, day
	return len(sts), nil
}

// Recover waits until the log's published checkpoint covers everything it
// sequenced, then records the index of every pending entry already in it.
func (a *Appender) Recover(ctx context.Context) (int, error) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		next, err := a.Log.reader.NextIndex(ctx)
		if err != nil {
			return 0, err
		}
		size, _, err := a.Log.Size(ctx)
		if err != nil {
			return 0, err
		}
		if size >= next {
			break
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("log recovery: the checkpoint still covers %d of %d sequenced entries", size, next)
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	last, err := a.Store.MaxLoggedIndex(ctx)
	if err != nil {
		return 0, err
	}
	size, _, err := a.Log.Size(ctx)
	if err != nil || uint64(last+1) >= size {
		return 0, err
	}
	logged, err := a.Log.Entries(ctx, uint64(last+1), size)
	if err != nil {
		return 0, err
	}
	at := map[string]int64{}
	for i, e := range logged {
		at[string(e)] = last + 1 + int64(i)
	}
	found := 0
	for {
		pending, err := a.Store.PendingLogEntries(ctx, rarex.MaxListLimit)
		if err != nil {
			return found, err
		}
		marks := map[string]int64{}
		for _, p := range pending {
			if idx, ok := at[string(p.Entry)]; ok {
				marks[p.ID] = idx
			}
		}
		marked := len(marks)
		if marked > 0 {
			if err := a.Store.MarkLogged(ctx, marks, a.Clock.Now()); err != nil {
				return found, err
			}
		}
		found += marked
		if marked == 0 || len(pending) < rarex.MaxListLimit {
			return found, nil
		}
	}
}

// Drain appends every pending entry and records its index. Each batch of
// pending entries goes to the log at once, so they share one sequencing
// round instead of waiting for one each.
func (a *Appender) Drain(ctx context.Context) (int, error) {
	n := 0
	for {
		pending, err := a.Store.PendingLogEntries(ctx, 256)
		if err != nil || len(pending) == 0 {
			return n, err
		}
		waits := make([]func() (uint64, error), len(pending))
		for i, p := range pending {
			waits[i] = a.Log.AddAsync(ctx, p.Entry)
		}
		marks := make(map[string]int64, len(pending))
		for i, wait := range waits {
			idx, err := wait()
			if err != nil {
				if len(marks) > 0 { // record what did get in before giving up
					_ = a.Store.MarkLogged(ctx, marks, a.Clock.Now())
				}
				return n, fmt.Errorf("log append: %w", err)
			}
			marks[pending[i].ID] = int64(idx)
		}
		if err := a.Store.MarkLogged(ctx, marks, a.Clock.Now()); err != nil {
			return n, err
		}
		n += len(marks)
	}
}

// Run recovers, then drains every interval until ctx ends.
func (a *Appender) Run(ctx context.Context, interval time.Duration) {
	if n, err := a.Recover(ctx); err != nil {
		a.Logger.Error("log recovery", "err", err)
	} else if n > 0 {
		a.Logger.Info("log recovery: entries found already logged", "entries", n)
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := a.Drain(ctx); err != nil && ctx.Err() == nil {
			a.Logger.Warn("log appender", "err", err)
		}
		if _, err := a.Statement(ctx); err != nil && ctx.Err() == nil {
			a.Logger.Warn("log statement", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
