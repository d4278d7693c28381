package office

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"rarex"
	"rarex/licensing"
	"rarex/monitor"
	"rarex/rules"
	"rarex/tlog"
)

// decisionRecord is what a decision entry commits to: the full decision,
// opened only by the exporter's choice.
type decisionRecord struct {
	Version     int                    `json:"v"`
	Type        string                 `json:"type"`
	Application string                 `json:"application"` // number
	ID          string                 `json:"application_id"`
	Exporter    string                 `json:"exporter"`
	Body        *rarex.ApplicationBody `json:"body,omitempty"`
	Decision    *rarex.Decision        `json:"decision,omitempty"`
	LicenceID   string                 `json:"licence_id,omitempty"`
	Reason      string                 `json:"reason,omitempty"`
	At          string                 `json:"at"`
}

// logEntry builds the public entry and the exporter's opening for a
// decision of type typ (approved, denied, revoked, suspended) on a.
func (s *Service) logEntry(a *rarex.Application, typ string, basis []string, days int, rec decisionRecord) (*rarex.LogEntry, error) {
	regions, err := monitor.ShippedRegions()
	if err != nil {
		return nil, err
	}
	reg := regions.Region(a.Body.Destination)
	now := s.Clock.Now()
	rec.Version, rec.Type, rec.Application, rec.ID, rec.Exporter, rec.At = 1, typ, a.Number, a.ID, a.OrgName, now.UTC().Format("2006-01-02T15:04:05Z")
	op, err := tlog.NewOpening(rec)
	if err != nil {
		return nil, err
	}
	c, err := op.Commitment()
	if err != nil {
		return nil, err
	}
	class := "other"
	if len(a.Body.Lines) > 0 {
		class = a.Body.Lines[0].Class
	}
	if basis == nil {
		basis = []string{}
	}
	entry, err := tlog.Decision{V: tlog.EntryVersion, Kind: "decision", Day: rules.Today(now).String(), Type: typ, Class: class, Region: reg,
		Basis: basis, Green: a.Green, Days: days, Commitment: c}.Canonical()
	if err != nil {
		return nil, fmt.Errorf("log entry for %s: %w", a.Number, err)
	}
	opening, err := json.Marshal(op)
	if err != nil {
		return nil, err
	}
	return &rarex.LogEntry{ID: s.IDs.NewID(), SubjectID: a.ID, OrgID: a.OrgID, Entry: entry, Opening: opening, CreatedAt: now}, nil
}

// decisionLogEntry is the entry for a final approval or denial; nil for
// any other change.
func (s *Service) decisionLogEntry(before, a *rarex.Application) (*rarex.LogEntry, error) {
	if before.State == a.State || (a.State != rarex.AppApproved && a.State != rarex.AppDenied) || a.Decision == nil {
		return nil, nil
	}
	basis := a.Decision.RuleIDs
	if len(basis) == 0 {
		// An approval rests on the rules that required the licence; only
		// those fields of the snapshot are read.
		var snap struct {
			Lines []struct {
				Determination struct {
					Reasons []struct {
						Rule    string `json:"rule"`
						Outcome string `json:"outcome"`
					} `json:"reasons"`
				} `json:"determination"`
			} `json:"lines"`
		}
		if err := json.Unmarshal(a.Snapshot, &snap); err == nil {
			for _, l := range snap.Lines {
				for _, r := range l.Determination.Reasons {
					if r.Outcome != rules.NotControlled && !slices.Contains(basis, r.Rule) {
						basis = append(basis, r.Rule)
					}
				}
			}
		}
	}
	d := licensing.Deadlines(a, s.env())
	days := -1
	if a.ClockStart != "" {
		days = d.Elapsed
	}
	typ := "approved"
	if a.State == rarex.AppDenied {
		typ = "denied"
	}
	body := a.Body
	return s.logEntry(a, typ, basis, days, decisionRecord{Body: &body, Decision: a.Decision, LicenceID: a.LicenceID})
}

// LoggedEntry is one of an application's public-log entries and whether a
// published checkpoint covers it yet (its receipt can then be made).
type LoggedEntry struct {
	*rarex.LogEntry
	Published bool
}

// LogEntries returns an application's public-log entries, for the exporter
// (own) and the authority. It reads the log's size once; receipts are built
// only when one is asked for.
func (s *Service) LogEntries(ctx context.Context, actor *rarex.User, id string) ([]LoggedEntry, error) {
	a, err := s.load(ctx, actor, rarex.ActViewApps, id)
	if err != nil {
		return nil, err
	}
	es, err := s.Store.LogEntries(ctx, a.ID)
	if err != nil || len(es) == 0 {
		return nil, err
	}
	var size uint64
	if s.Log != nil {
		if size, _, err = s.Log.Size(ctx); err != nil {
			return nil, err
		}
	}
	out := make([]LoggedEntry, len(es))
	for i, e := range es {
		out[i] = LoggedEntry{LogEntry: e, Published: e.Index != nil && uint64(*e.Index) < size}
	}
	return out, nil
}

// entry finds one of an application's log entries, if actor may act on the
// application under action.
func (s *Service) entry(ctx context.Context, actor *rarex.User, action rarex.Action, id, entryID string) (*rarex.LogEntry, error) {
	a, err := s.load(ctx, actor, action, id)
	if err != nil {
		return nil, err
	}
	es, err := s.Store.LogEntries(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	for _, e := range es {
		if e.ID == entryID {
			return e, nil
		}
	}
	return nil, rarex.Errorf(rarex.ENOTFOUND, "Log entry %q not found.", entryID)
}

// Receipt proves one of an application's entries against the latest
// published checkpoint: ECONFLICT until a checkpoint covers it.
func (s *Service) Receipt(ctx context.Context, actor *rarex.User, id, entryID string) (*tlog.Receipt, error) {
	e, err := s.entry(ctx, actor, rarex.ActViewApps, id, entryID)
	if err != nil {
		return nil, err
	}
	if s.Log == nil {
		return nil, rarex.Errorf(rarex.EUNAVAILABLE, "This instance does not keep the public log; ask the one that does.")
	}
	if e.Index == nil {
		return nil, errNotPublished
	}
	r, err := s.Log.Receipt(ctx, uint64(*e.Index), e.Entry)
	if errors.Is(err, tlog.ErrNotPublished) {
		return nil, errNotPublished
	}
	return r, err
}

var errNotPublished = rarex.Errorf(rarex.ECONFLICT, "The decision is not yet in a published checkpoint of the log; the receipt is ready within seconds.")

// Opening returns the salt and record of one of an application's entries:
// only for the exporter whose decision it is.
func (s *Service) Opening(ctx context.Context, actor *rarex.User, id, entryID string) ([]byte, error) {
	e, err := s.entry(ctx, actor, rarex.ActApply, id, entryID)
	if err != nil {
		return nil, err
	}
	return e.Opening, nil
}
