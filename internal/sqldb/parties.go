package sqldb

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"rarex"
)

var _ rarex.PartyStore = (*Store)(nil)

// AddParty stores a watched party.
func (s *Store) AddParty(ctx context.Context, p *rarex.WatchedParty) error {
	if p.ID == "" || p.OrgID == "" || strings.TrimSpace(p.Name) == "" {
		return rarex.Errorf(rarex.EINVALID, "party: id, organisation and name are required")
	}
	p.CreatedAt = Canonical(p.CreatedAt)
	_, err := s.DB.ExecContext(ctx, s.rebind(`INSERT INTO watched_parties (id, org_id, name, country, type, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`),
		p.ID, p.OrgID, p.Name, p.Country, p.Type, p.CreatedBy, s.t(p.CreatedAt))
	return s.wrap(err, "party "+quote(p.Name))
}

// Parties returns an organisation's watched parties ("" for all), by name.
func (s *Store) Parties(ctx context.Context, orgID string) ([]*rarex.WatchedParty, error) {
	q, args := `SELECT id, org_id, name, country, type, created_by, created_at FROM watched_parties ORDER BY org_id, name`, []any{}
	if orgID != "" {
		q, args = `SELECT id, org_id, name, country, type, created_by, created_at FROM watched_parties WHERE org_id = ? ORDER BY name`, []any{orgID}
	}
	rows, err := s.DB.QueryContext(ctx, s.rebind(q), args...)
	if err != nil {
		return nil, s.wrap(err, "parties")
	}
	defer rows.Close()
	var out []*rarex.WatchedParty
	for rows.Next() {
		var p rarex.WatchedParty
		if err := rows.Scan(&p.ID, &p.OrgID, &p.Name, &p.Country, &p.Type, &p.CreatedBy, timeCol{&p.CreatedAt}); err != nil {
			return nil, s.wrap(err, "parties")
		}
		out = append(out, &p)
	}
	return out, s.wrap(rows.Err(), "parties")
}

// DeleteParty removes a watched party and, by cascade, its alerts.
func (s *Store) DeleteParty(ctx context.Context, id string) error {
	res, err := s.DB.ExecContext(ctx, s.rebind(`DELETE FROM watched_parties WHERE id = ?`), id)
	if err != nil {
		return s.wrap(err, "party")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return rarex.Errorf(rarex.ENOTFOUND, "Party %q not found.", id)
	}
	return nil
}

// AddAlerts stores the alerts not raised before, in one transaction.
func (s *Store) AddAlerts(ctx context.Context, as []*rarex.Alert) (int, error) {
	stored := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for _, a := range as {
			a.CreatedAt = Canonical(a.CreatedAt)
			res, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO alerts (id, org_id, party_id, party_name, list_id, list_version, entry_id, entry_hash, entry_name, meaning, score, created_at, acknowledged_at, acknowledged_by)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, '') ON CONFLICT (party_id, list_id, entry_id, entry_hash) DO NOTHING`),
				a.ID, a.OrgID, a.PartyID, a.PartyName, a.ListID, a.ListVersion, a.EntryID, a.EntryHash, a.EntryName, a.Meaning, a.Score, s.t(a.CreatedAt))
			if err != nil {
				return s.wrap(err, "alert")
			}
			n, _ := res.RowsAffected()
			stored += int(n)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return stored, nil
}

// Alerts returns an organisation's alerts, newest first.
func (s *Store) Alerts(ctx context.Context, orgID string) ([]*rarex.Alert, error) {
	rows, err := s.DB.QueryContext(ctx, s.rebind(`SELECT id, org_id, party_id, party_name, list_id, list_version, entry_id, entry_hash, entry_name, meaning, score, created_at, acknowledged_at, acknowledged_by
		FROM alerts WHERE org_id = ? ORDER BY created_at DESC, id`), orgID)
	if err != nil {
		return nil, s.wrap(err, "alerts")
	}
	defer rows.Close()
	var out []*rarex.Alert
	for rows.Next() {
		var a rarex.Alert
		if err := rows.Scan(&a.ID, &a.OrgID, &a.PartyID, &a.PartyName, &a.ListID, &a.ListVersion, &a.EntryID, &a.EntryHash, &a.EntryName, &a.Meaning, &a.Score,
			timeCol{&a.CreatedAt}, nullTimeCol{&a.AcknowledgedAt}, &a.AcknowledgedBy); err != nil {
			return nil, s.wrap(err, "alerts")
		}
		out = append(out, &a)
	}
	return out, s.wrap(rows.Err(), "alerts")
}

// AcknowledgeAlert marks one of orgID's alerts seen.
func (s *Store) AcknowledgeAlert(ctx context.Context, orgID, id, by string, at time.Time) error {
	res, err := s.DB.ExecContext(ctx, s.rebind(`UPDATE alerts SET acknowledged_at = ?, acknowledged_by = ? WHERE id = ? AND org_id = ?`), s.t(at), by, id, orgID)
	if err != nil {
		return s.wrap(err, "alert")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return rarex.Errorf(rarex.ENOTFOUND, "Alert %q not found.", id)
	}
	return nil
}
