package office

import (
	"context"

	"rarex"
	"rarex/licensing"
	"rarex/monitor"
	"rarex/rules"
)

// SuppressionK is the smallest count published outside the authority.
const SuppressionK = 5

// Statistics are the licence office's figures for the monitor: the
// authority sees every cell; everyone else (overseers, exporters) sees
// cells of at least SuppressionK applications, and never a company's name,
// quantity or price.
func (s *Service) Statistics(ctx context.Context, actor *rarex.User) (*monitor.LicenceStats, error) {
	if err := rarex.Authorize(actor, rarex.ActViewIndicators, actor.OrgID); err != nil {
		return nil, err
	}
	k := SuppressionK
	if rarex.ScopeOf(actor.Role, rarex.ActViewApps) == rarex.ScopeAny {
		k = 1
	}
	return s.statistics(ctx, k)
}

// PublishedStatistics are the statistics as published outside the
// authority (cells of at least SuppressionK), for the operator's
// command line, which has no signed-in user.
func (s *Service) PublishedStatistics(ctx context.Context) (*monitor.LicenceStats, error) {
	return s.statistics(ctx, SuppressionK)
}

func (s *Service) statistics(ctx context.Context, k int) (*monitor.LicenceStats, error) {
	regions, err := monitor.ShippedRegions()
	if err != nil {
		return nil, err
	}
	apps, err := s.Store.Applications(ctx, rarex.ApplicationFilter{})
	if err != nil {
		return nil, err
	}
	lics, err := s.Store.Licences(ctx, "")
	if err != nil {
		return nil, err
	}
	licOf := map[string]*rarex.Licence{}
	for _, l := range lics {
		licOf[l.ApplicationID] = l
	}
	env := s.env()
	var recs []monitor.LicenceRecord
	open := 0
	for _, a := range apps {
		if a.State.Open() {
			open++
		}
		if !a.State.Final() || a.DecidedAt == nil || len(a.Body.Lines) == 0 {
			continue
		}
		r := monitor.LicenceRecord{Month: rules.Today(*a.DecidedAt).Format("2006-01"), Outcome: string(a.State), Green: a.Green, Days: -1,
			Class: a.Body.Lines[0].Class, Region: regions.Region(a.Body.Destination)}
		if a.ClockStart != "" {
			r.Days = licensing.Deadlines(a, env).Elapsed
		}
		if l := licOf[a.ID]; l != nil && a.State == rarex.AppApproved {
			r.Unit, r.Quantity, r.Currency, r.Value = l.Unit, l.QuantityLimit, l.Currency, l.ValueLimit
		}
		recs = append(recs, r)
	}
	return monitor.ComputeLicenceStats(recs, open, k), nil
}
