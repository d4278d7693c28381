package office

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"rarex"
	"rarex/licensing"
	"rarex/monitor"
	"rarex/rules"
	"rarex/tlog"
)

var (
	regionsOnce sync.Once
	regions     *monitor.Regions
	regionsErr  error
)

func region(country string) (string, error) {
	regionsOnce.Do(func() { regions, regionsErr = monitor.ShippedRegions() })
	if regionsErr != nil {
		return "", regionsErr
	}
	return regions.Region(country), nil
}

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
	reg, err := region(a.Body.Destination)
	if err != nil {
		return nil, err
	}
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
					if r.Outcome != rules.NotControlled && !contains(basis, r.Rule) {
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

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// Receipt is what an exporter downloads for a logged decision.
type Receipt struct {
	Entry   *rarex.LogEntry
	Receipt *tlog.Receipt // nil while no published checkpoint covers it
}

// LogReceipts returns an application's log entries with their receipts,
// for the exporter (own) and the authority.
func (s *Service) LogReceipts(ctx context.Context, actor *rarex.User, id string, log *tlog.Log) ([]Receipt, error) {
	a, err := s.load(ctx, actor, rarex.ActViewApps, id)
	if err != nil {
		return nil, err
	}
	es, err := s.Store.LogEntries(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	out := make([]Receipt, len(es))
	for i, e := range es {
		out[i].Entry = e
		if e.Index == nil || log == nil {
			continue
		}
		r, err := log.Receipt(ctx, uint64(*e.Index), e.Entry)
		switch {
		case err == tlog.ErrNotPublished:
		case err != nil:
			return nil, err
		default:
			out[i].Receipt = r
		}
	}
	return out, nil
}

// Opening returns the salt and record of one of an application's entries:
// only for the exporter whose decision it is.
func (s *Service) Opening(ctx context.Context, actor *rarex.User, id, entryID string) ([]byte, error) {
	a, err := s.load(ctx, actor, rarex.ActApply, id)
	if err != nil {
		return nil, err
	}
	es, err := s.Store.LogEntries(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	for _, e := range es {
		if e.ID == entryID {
			return e.Opening, nil
		}
	}
	return nil, rarex.Errorf(rarex.ENOTFOUND, "Log entry %q not found.", entryID)
}
