package sqldb

import (
	"context"
	"database/sql"

	"rarex"
)

var _ rarex.ListStore = (*Store)(nil)

const listCols = `id, title, format, version, sha256, entries, names, imported_at`

func scanList(row interface{ Scan(...any) error }) (*rarex.ScreeningList, error) {
	var l rarex.ScreeningList
	err := row.Scan(&l.ID, &l.Title, &l.Format, &l.Version, &l.SHA256, &l.Entries, &l.Names, timeCol{&l.ImportedAt})
	return &l, err
}

// ImportList replaces a list's entries and records the version, in one
// transaction, after checking no other import came first.
func (s *Store) ImportList(ctx context.Context, l *rarex.ScreeningList, v *rarex.ListVersion, entries []rarex.ListEntry, prev int) error {
	if l.ID == "" || v.Version != prev+1 || v.ListID != l.ID {
		return rarex.Errorf(rarex.EINVALID, "list import: id and version %d after %d are required", v.Version, prev)
	}
	l.ImportedAt, v.ImportedAt = Canonical(l.ImportedAt), Canonical(v.ImportedAt)
	l.Version = v.Version
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var cur int
		err := tx.QueryRowContext(ctx, s.rebind(`SELECT version FROM screening_lists WHERE id = ?`), l.ID).Scan(&cur)
		switch {
		case err == sql.ErrNoRows:
			cur = 0
		case err != nil:
			return s.wrap(err, "list "+quote(l.ID))
		}
		if cur != prev {
			return rarex.Errorf(rarex.ECONFLICT, "List %q was imported again meanwhile (now version %d); import once more.", l.ID, cur)
		}
		if prev == 0 {
			_, err = tx.ExecContext(ctx, s.rebind(`INSERT INTO screening_lists (`+listCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
				l.ID, l.Title, l.Format, l.Version, l.SHA256, l.Entries, l.Names, s.t(l.ImportedAt))
		} else {
			_, err = tx.ExecContext(ctx, s.rebind(`UPDATE screening_lists SET title = ?, format = ?, version = ?, sha256 = ?, entries = ?, names = ?, imported_at = ? WHERE id = ?`),
				l.Title, l.Format, l.Version, l.SHA256, l.Entries, l.Names, s.t(l.ImportedAt), l.ID)
		}
		if err != nil {
			return s.wrap(err, "list "+quote(l.ID))
		}
		_, err = tx.ExecContext(ctx, s.rebind(`INSERT INTO list_versions (list_id, version, sha256, entries, names, added, removed, changed, diff, forced, imported_by, imported_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			v.ListID, v.Version, v.SHA256, v.Entries, v.Names, v.Added, v.Removed, v.Changed, v.Diff, v.Forced, v.ImportedBy, s.t(v.ImportedAt))
		if err != nil {
			return s.wrap(err, "list version")
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`DELETE FROM list_entries WHERE list_id = ?`), l.ID); err != nil {
			return s.wrap(err, "list entries")
		}
		return s.insertRows(ctx, tx, "list_entries", []string{"list_id", "entry_id", "hash", "data"}, "list entries", len(entries), func(i int) []any {
			e := entries[i]
			return []any{l.ID, e.EntryID, e.Hash, e.Data}
		})
	})
}

// Lists returns every list at its current version.
func (s *Store) Lists(ctx context.Context) ([]*rarex.ScreeningList, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT `+listCols+` FROM screening_lists ORDER BY id`)
	if err != nil {
		return nil, s.wrap(err, "lists")
	}
	defer rows.Close()
	var out []*rarex.ScreeningList
	for rows.Next() {
		l, err := scanList(rows)
		if err != nil {
			return nil, s.wrap(err, "lists")
		}
		out = append(out, l)
	}
	return out, s.wrap(rows.Err(), "lists")
}

// ListEntries returns a list's current entries, by entry id.
func (s *Store) ListEntries(ctx context.Context, listID string) ([]rarex.ListEntry, error) {
	if _, err := scanList(s.DB.QueryRowContext(ctx, s.rebind(`SELECT `+listCols+` FROM screening_lists WHERE id = ?`), listID)); err != nil {
		return nil, s.wrap(err, "list "+quote(listID))
	}
	rows, err := s.DB.QueryContext(ctx, s.rebind(`SELECT entry_id, hash, data FROM list_entries WHERE list_id = ? ORDER BY entry_id`), listID)
	if err != nil {
		return nil, s.wrap(err, "list entries")
	}
	defer rows.Close()
	var out []rarex.ListEntry
	for rows.Next() {
		var e rarex.ListEntry
		if err := rows.Scan(&e.EntryID, &e.Hash, &e.Data); err != nil {
			return nil, s.wrap(err, "list entries")
		}
		out = append(out, e)
	}
	return out, s.wrap(rows.Err(), "list entries")
}

// ListVersions returns a list's versions, newest first.
func (s *Store) ListVersions(ctx context.Context, listID string) ([]*rarex.ListVersion, error) {
	rows, err := s.DB.QueryContext(ctx, s.rebind(`SELECT list_id, version, sha256, entries, names, added, removed, changed, diff, forced, imported_by, imported_at
		FROM list_versions WHERE list_id = ? ORDER BY version DESC`), listID)
	if err != nil {
		return nil, s.wrap(err, "list versions")
	}
	defer rows.Close()
	var out []*rarex.ListVersion
	for rows.Next() {
		var v rarex.ListVersion
		if err := rows.Scan(&v.ListID, &v.Version, &v.SHA256, &v.Entries, &v.Names, &v.Added, &v.Removed, &v.Changed, &v.Diff, &v.Forced, &v.ImportedBy, timeCol{&v.ImportedAt}); err != nil {
			return nil, s.wrap(err, "list versions")
		}
		out = append(out, &v)
	}
	return out, s.wrap(rows.Err(), "list versions")
}

// AddClearance stores a clearance.
func (s *Store) AddClearance(ctx context.Context, c *rarex.Clearance) error {
	if c.ID == "" || c.OrgID == "" || c.Party == "" || c.ListID == "" || c.EntryID == "" || c.EntryHash == "" {
		return rarex.Errorf(rarex.EINVALID, "clearance: id, organisation, party, list, entry and entry hash are required")
	}
	c.ClearedAt = Canonical(c.ClearedAt)
	_, err := s.DB.ExecContext(ctx, s.rebind(`INSERT INTO clearances (id, org_id, party, list_id, entry_id, entry_hash, reason, cleared_by, cleared_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		c.ID, c.OrgID, c.Party, c.ListID, c.EntryID, c.EntryHash, c.Reason, c.ClearedBy, s.t(c.ClearedAt))
	return s.wrap(err, "clearance")
}

// Clearances returns an organisation's clearances, newest first.
func (s *Store) Clearances(ctx context.Context, orgID string) ([]*rarex.Clearance, error) {
	rows, err := s.DB.QueryContext(ctx, s.rebind(`SELECT id, org_id, party, list_id, entry_id, entry_hash, reason, cleared_by, cleared_at
		FROM clearances WHERE org_id = ? ORDER BY cleared_at DESC, id`), orgID)
	if err != nil {
		return nil, s.wrap(err, "clearances")
	}
	defer rows.Close()
	var out []*rarex.Clearance
	for rows.Next() {
		var c rarex.Clearance
		if err := rows.Scan(&c.ID, &c.OrgID, &c.Party, &c.ListID, &c.EntryID, &c.EntryHash, &c.Reason, &c.ClearedBy, timeCol{&c.ClearedAt}); err != nil {
			return nil, s.wrap(err, "clearances")
		}
		out = append(out, &c)
	}
	return out, s.wrap(rows.Err(), "clearances")
}
