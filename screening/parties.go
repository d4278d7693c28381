package screening

import (
	"context"
	"strings"
	"unicode/utf8"

	"rarex"
	"rarex/i18n"
	"rarex/screen"
)

// Watch adds a counterparty to the actor's organisation's watched parties
// and raises alerts for its current hits; every later list import
// re-screens it and raises alerts for new ones.
func (s *Service) Watch(ctx context.Context, actor *rarex.User, q screen.Query) (*rarex.WatchedParty, error) {
	if err := rarex.Authorize(actor, rarex.ActScreen, actor.OrgID); err != nil {
		return nil, err
	}
	q.Name, q.Country = strings.TrimSpace(q.Name), strings.ToUpper(strings.TrimSpace(q.Country))
	switch {
	case q.Name == "" || !utf8.ValidString(q.Name) || screen.Normalize(q.Name).Empty():
		return nil, i18n.Invalid("invalid.name_match", "name")
	case utf8.RuneCountInString(q.Name) > 500:
		return nil, i18n.Invalid("invalid.too_long", "name", "500")
	case q.Country != "" && !rarex.IsCountry(q.Country):
		return nil, i18n.Invalid("invalid.country_code", "country", q.Country)
	case q.Type != "" && q.Type != screen.Person && q.Type != screen.Organisation && q.Type != screen.Vessel && q.Type != screen.Aircraft:
		return nil, i18n.Invalid("invalid.party_type", "type", q.Type)
	}
	p := &rarex.WatchedParty{ID: s.IDs.NewID(), OrgID: actor.OrgID, Name: q.Name, Country: q.Country, Type: q.Type, CreatedBy: actor.ID, CreatedAt: s.Clock.Now()}
	if err := s.Store.AddParty(ctx, p); err != nil {
		if rarex.ErrorCode(err) == rarex.ECONFLICT {
			return nil, rarex.Errorf(rarex.ECONFLICT, "%q is watched already.", q.Name)
		}
		return nil, err
	}
	if _, err := s.rescreen(ctx, []*rarex.WatchedParty{p}, "", 0); err != nil {
		return nil, err
	}
	return p, nil
}

// Parties returns the actor's organisation's watched parties.
func (s *Service) Parties(ctx context.Context, actor *rarex.User) ([]*rarex.WatchedParty, error) {
	if err := rarex.Authorize(actor, rarex.ActScreen, actor.OrgID); err != nil {
		return nil, err
	}
	return s.Store.Parties(ctx, actor.OrgID)
}

// Unwatch removes one of the actor's organisation's watched parties.
func (s *Service) Unwatch(ctx context.Context, actor *rarex.User, id string) error {
	ps, err := s.Parties(ctx, actor)
	if err != nil {
		return err
	}
	for _, p := range ps {
		if p.ID == id {
			return s.Store.DeleteParty(ctx, id)
		}
	}
	return rarex.Errorf(rarex.ENOTFOUND, "Party %q not found.", id)
}

// Alerts returns the actor's organisation's alerts, newest first.
func (s *Service) Alerts(ctx context.Context, actor *rarex.User) ([]*rarex.Alert, error) {
	if err := rarex.Authorize(actor, rarex.ActScreen, actor.OrgID); err != nil {
		return nil, err
	}
	return s.Store.Alerts(ctx, actor.OrgID)
}

// Acknowledge marks one of the actor's organisation's alerts seen.
func (s *Service) Acknowledge(ctx context.Context, actor *rarex.User, id string) error {
	if err := rarex.Authorize(actor, rarex.ActScreen, actor.OrgID); err != nil {
		return err
	}
	return s.Store.AcknowledgeAlert(ctx, actor.OrgID, id, actor.ID, s.Clock.Now())
}

// rescreen screens parties and stores an alert for each hit not alerted
// before (the store dedupes by party, entry and entry version) and not
// cleared by the party's organisation. listID, when set, limits alerts to
// that list's entries (an import re-screens for the list it changed), and
// version is then its new version. It returns how many alerts it stored.
func (s *Service) rescreen(ctx context.Context, ps []*rarex.WatchedParty, listID string, version int) (int, error) {
	s.mu.RLock()
	ix, listOf, hashOf := s.ix, s.listOf, s.hashOf
	s.mu.RUnlock()
	if ix == nil || len(ix.Entries) == 0 {
		return 0, nil
	}
	versions := map[string]int{}
	if version == 0 {
		ls, err := s.Store.Lists(ctx)
		if err != nil {
			return 0, err
		}
		for _, l := range ls {
			versions[l.ID] = l.Version
		}
	}
	cleared := map[string]map[clearKey]*rarex.Clearance{}
	var alerts []*rarex.Alert
	for _, p := range ps {
		hits, err := ix.Search(screen.Query{Name: p.Name, Country: p.Country, Type: p.Type}, screen.Options{})
		if err != nil {
			continue // a name with nothing to match has no hits
		}
		if cleared[p.OrgID] == nil {
			if cleared[p.OrgID], err = s.clearances(ctx, p.OrgID); err != nil {
				return 0, err
			}
		}
		party := screen.Normalize(p.Name).String()
		for _, h := range hits {
			list := listOf[h.Entry]
			if listID != "" && list != listID {
				continue
			}
			hash := hashOf[list+"/"+h.Entry.ID]
			if cleared[p.OrgID][clearKey{party, list, h.Entry.ID, hash}] != nil {
				continue
			}
			v := version
			if v == 0 {
				v = versions[list]
			}
			alerts = append(alerts, &rarex.Alert{ID: s.IDs.NewID(), OrgID: p.OrgID, PartyID: p.ID, PartyName: p.Name, ListID: list, ListVersion: v,
				EntryID: h.Entry.ID, EntryHash: hash, EntryName: h.Name, Meaning: string(h.Entry.Meaning), Score: h.Score, CreatedAt: s.Clock.Now()})
		}
	}
	if len(alerts) == 0 {
		return 0, nil
	}
	return s.Store.AddAlerts(ctx, alerts)
}
