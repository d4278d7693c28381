package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"rarex"
	"rarex/licensing"
	"rarex/rules"
)

var _ rarex.OfficeStore = (*Store)(nil)

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// next hands out the next number of a named counter. The upsert locks the
// counter's row until the transaction ends, so numbers follow commit order.
func (s *Store) next(ctx context.Context, tx execer, name string) (int64, error) {
	var n int64
	err := tx.QueryRowContext(ctx, s.rebind(`INSERT INTO counters (name, n) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET n = counters.n + 1 RETURNING n`), name).Scan(&n)
	if err != nil {
		return 0, s.wrap(err, "counter "+name)
	}
	return n, nil
}

func (s *Store) addEvents(ctx context.Context, tx execer, evs ...*rarex.AuditEvent) error {
	for _, ev := range evs {
		if ev == nil {
			continue
		}
		seq, err := s.next(ctx, tx, "events")
		if err != nil {
			return err
		}
		ev.Seq, ev.At = seq, Canonical(ev.At)
		_, err = tx.ExecContext(ctx, s.rebind(`INSERT INTO audit_events (seq, id, org_id, subject, subject_id, action, actor_id, actor_role, at, before, after)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			seq, ev.ID, ev.OrgID, ev.Subject, ev.SubjectID, ev.Action, ev.ActorID, string(ev.ActorRole), s.t(ev.At), rawText(ev.Before), rawText(ev.After))
		if err != nil {
			return s.wrap(err, "audit event")
		}
	}
	return nil
}

func rawText(r json.RawMessage) string {
	if len(r) == 0 {
		return ""
	}
	return string(r)
}

// year is the calendar year in China of t, for numbering.
func year(t time.Time) int { return rules.Today(t).Year() }

// CreateApplication stores a new application, numbering it A-<year>-<n>.
func (s *Store) CreateApplication(ctx context.Context, a *rarex.Application, ev *rarex.AuditEvent) error {
	if a.ID == "" || a.OrgID == "" {
		return rarex.Errorf(rarex.EINVALID, "application: id and organisation are required")
	}
	a.CreatedAt, a.UpdatedAt, a.Version = Canonical(a.CreatedAt), Canonical(a.UpdatedAt), 1
	return s.inTx(ctx, func(tx *sql.Tx) error {
		y := year(a.CreatedAt)
		n, err := s.next(ctx, tx, fmt.Sprintf("application-%d", y))
		if err != nil {
			return err
		}
		a.Number = fmt.Sprintf("A-%d-%05d", y, n)
		doc, err := json.Marshal(a)
		if err != nil {
			return fmt.Errorf("application: %w", err)
		}
		_, err = tx.ExecContext(ctx, s.rebind(`INSERT INTO applications (id, number, org_id, state, version, green, due, created_at, updated_at, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			a.ID, a.Number, a.OrgID, string(a.State), a.Version, a.Green, a.Due, s.t(a.CreatedAt), s.t(a.UpdatedAt), string(doc))
		if err != nil {
			return s.wrap(err, "application")
		}
		if ev != nil {
			ev.SubjectID = a.ID
		}
		return s.addEvents(ctx, tx, ev)
	})
}

func scanApplication(row interface{ Scan(...any) error }) (*rarex.Application, error) {
	var doc string
	var version int
	if err := row.Scan(&version, &doc); err != nil {
		return nil, err
	}
	var a rarex.Application
	if err := json.Unmarshal([]byte(doc), &a); err != nil {
		return nil, fmt.Errorf("stored application: %w", err)
	}
	a.Version = version
	return &a, nil
}

// Application returns one application.
func (s *Store) Application(ctx context.Context, id string) (*rarex.Application, error) {
	a, err := scanApplication(s.DB.QueryRowContext(ctx, s.rebind(`SELECT version, doc FROM applications WHERE id = ?`), id))
	return a, s.wrap(err, "Application "+quote(id))
}

// Applications returns applications, newest first.
func (s *Store) Applications(ctx context.Context, f rarex.ApplicationFilter) ([]*rarex.Application, error) {
	q := `SELECT version, doc FROM applications WHERE 1 = 1`
	var args []any
	if f.OrgID != "" {
		q += ` AND org_id = ?`
		args = append(args, f.OrgID)
	}
	if len(f.States) > 0 {
		q += ` AND state IN (?` + strings.Repeat(", ?", len(f.States)-1) + `)`
		for _, st := range f.States {
			args = append(args, string(st))
		}
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 10000
	}
	q += ` ORDER BY created_at DESC, id LIMIT ?`
	args = append(args, limit)
	rows, err := s.DB.QueryContext(ctx, s.rebind(q), args...)
	if err != nil {
		return nil, s.wrap(err, "applications")
	}
	defer rows.Close()
	var out []*rarex.Application
	for rows.Next() {
		a, err := scanApplication(rows)
		if err != nil {
			return nil, s.wrap(err, "applications")
		}
		out = append(out, a)
	}
	return out, s.wrap(rows.Err(), "applications")
}

// UpdateApplication stores a if it is still at version prev.
func (s *Store) UpdateApplication(ctx context.Context, a *rarex.Application, prev int, evs []*rarex.AuditEvent, lic *rarex.Licence, out ...*rarex.LogEntry) error {
	a.UpdatedAt = Canonical(a.UpdatedAt)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if lic != nil {
			if lic.ID == "" {
				return rarex.Errorf(rarex.EINVALID, "licence: id required")
			}
			lic.IssuedAt, lic.UpdatedAt, lic.Version = Canonical(lic.IssuedAt), Canonical(lic.UpdatedAt), 1
			y := year(lic.IssuedAt)
			n, err := s.next(ctx, tx, fmt.Sprintf("licence-%d", y))
			if err != nil {
				return err
			}
			kind := "I"
			if lic.Type == rarex.LicenceGeneral {
				kind = "G"
			}
			lic.Number = fmt.Sprintf("RE-%s-%d-%05d", kind, y, n)
			a.LicenceID = lic.ID
		}
		a.Version = prev + 1
		doc, err := json.Marshal(a)
		if err != nil {
			return fmt.Errorf("application: %w", err)
		}
		res, err := tx.ExecContext(ctx, s.rebind(`UPDATE applications SET state = ?, version = ?, green = ?, due = ?, updated_at = ?, doc = ? WHERE id = ? AND version = ?`),
			string(a.State), a.Version, a.Green, a.Due, s.t(a.UpdatedAt), string(doc), a.ID, prev)
		if err != nil {
			return s.wrap(err, "application")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var v int
			if err := tx.QueryRowContext(ctx, s.rebind(`SELECT version FROM applications WHERE id = ?`), a.ID).Scan(&v); err != nil {
				return s.wrap(err, "Application "+quote(a.ID))
			}
			return rarex.Errorf(rarex.ECONFLICT, "Application %s changed since you opened it (someone else acted on it); reload and try again.", a.Number)
		}
		if lic != nil {
			if err := s.insertLicence(ctx, tx, lic); err != nil {
				return err
			}
		}
		for _, ev := range evs {
			if ev != nil && ev.SubjectID == "" {
				ev.SubjectID = a.ID
			}
		}
		if err := s.addLogEntries(ctx, tx, out); err != nil {
			return err
		}
		return s.addEvents(ctx, tx, evs...)
	})
}

func (s *Store) insertLicence(ctx context.Context, tx execer, l *rarex.Licence) error {
	doc, err := json.Marshal(l)
	if err != nil {
		return fmt.Errorf("licence: %w", err)
	}
	_, err = tx.ExecContext(ctx, s.rebind(`INSERT INTO licences (id, number, application_id, org_id, status, valid_from, valid_to, quantity_limit, quantity_used, value_limit, value_used, reason, version, updated_at, doc)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		l.ID, l.Number, l.ApplicationID, l.OrgID, string(l.Status), l.ValidFrom, l.ValidTo, int64(l.QuantityLimit), int64(l.QuantityUsed),
		int64(l.ValueLimit), int64(l.ValueUsed), l.Reason, l.Version, s.t(l.UpdatedAt), string(doc))
	return s.wrap(err, "licence")
}

// AddDocument stores a document with its bytes.
func (s *Store) AddDocument(ctx context.Context, d *rarex.Document, data []byte, ev *rarex.AuditEvent) error {
	d.UploadedAt = Canonical(d.UploadedAt)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO documents (id, application_id, org_id, kind, filename, content_type, size, sha256, uploaded_by, uploaded_at, data)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			d.ID, d.ApplicationID, d.OrgID, string(d.Kind), d.Filename, d.ContentType, d.Size, d.SHA256, d.UploadedBy, s.t(d.UploadedAt), data)
		if err != nil {
			return s.wrap(err, "document")
		}
		return s.addEvents(ctx, tx, ev)
	})
}

const docCols = `id, application_id, org_id, kind, filename, content_type, size, sha256, uploaded_by, uploaded_at`

func scanDocument(row interface{ Scan(...any) error }, extra ...any) (*rarex.Document, error) {
	var d rarex.Document
	var kind string
	err := row.Scan(append([]any{&d.ID, &d.ApplicationID, &d.OrgID, &kind, &d.Filename, &d.ContentType, &d.Size, &d.SHA256, &d.UploadedBy, timeCol{&d.UploadedAt}}, extra...)...)
	d.Kind = rarex.DocKind(kind)
	return &d, err
}

// Documents returns an application's documents, oldest first.
func (s *Store) Documents(ctx context.Context, applicationID string) ([]*rarex.Document, error) {
	rows, err := s.DB.QueryContext(ctx, s.rebind(`SELECT `+docCols+` FROM documents WHERE application_id = ? ORDER BY uploaded_at, id`), applicationID)
	if err != nil {
		return nil, s.wrap(err, "documents")
	}
	defer rows.Close()
	var out []*rarex.Document
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			return nil, s.wrap(err, "documents")
		}
		out = append(out, d)
	}
	return out, s.wrap(rows.Err(), "documents")
}

// DocumentData returns a document and its bytes.
func (s *Store) DocumentData(ctx context.Context, id string) (*rarex.Document, []byte, error) {
	var data []byte
	d, err := scanDocument(s.DB.QueryRowContext(ctx, s.rebind(`SELECT `+docCols+`, data FROM documents WHERE id = ?`), id), &data)
	if err != nil {
		return nil, nil, s.wrap(err, "Document "+quote(id))
	}
	return d, data, nil
}

const licenceCols = `status, quantity_used, value_used, reason, version, updated_at, doc`

// scanLicence reads the JSON document and lays the mutable columns over it.
func scanLicence(row interface{ Scan(...any) error }) (*rarex.Licence, error) {
	var status, reason, doc string
	var qUsed, vUsed int64
	var version int
	var updated time.Time
	if err := row.Scan(&status, &qUsed, &vUsed, &reason, &version, timeCol{&updated}, &doc); err != nil {
		return nil, err
	}
	var l rarex.Licence
	if err := json.Unmarshal([]byte(doc), &l); err != nil {
		return nil, fmt.Errorf("stored licence: %w", err)
	}
	l.Status, l.QuantityUsed, l.ValueUsed, l.Reason, l.Version, l.UpdatedAt = rarex.LicenceStatus(status), rarex.Quantity(qUsed), rarex.Money(vUsed), reason, version, updated
	return &l, nil
}

// Licence returns one licence.
func (s *Store) Licence(ctx context.Context, id string) (*rarex.Licence, error) {
	l, err := scanLicence(s.DB.QueryRowContext(ctx, s.rebind(`SELECT `+licenceCols+` FROM licences WHERE id = ?`), id))
	return l, s.wrap(err, "Licence "+quote(id))
}

// Licences returns an organisation's licences ("" for all), newest issue first.
func (s *Store) Licences(ctx context.Context, orgID string) ([]*rarex.Licence, error) {
	q, args := `SELECT `+licenceCols+` FROM licences ORDER BY number DESC`, []any{}
	if orgID != "" {
		q, args = `SELECT `+licenceCols+` FROM licences WHERE org_id = ? ORDER BY number DESC`, []any{orgID}
	}
	rows, err := s.DB.QueryContext(ctx, s.rebind(q), args...)
	if err != nil {
		return nil, s.wrap(err, "licences")
	}
	defer rows.Close()
	var out []*rarex.Licence
	for rows.Next() {
		l, err := scanLicence(rows)
		if err != nil {
			return nil, s.wrap(err, "licences")
		}
		out = append(out, l)
	}
	// Numbers carry the licence type, so they do not sort by issue.
	sort.SliceStable(out, func(i, j int) bool { return out[i].IssuedAt.After(out[j].IssuedAt) })
	return out, s.wrap(rows.Err(), "licences")
}

// SetLicenceStatus stores l's status and reason if l is still at version prev.
func (s *Store) SetLicenceStatus(ctx context.Context, l *rarex.Licence, prev int, ev *rarex.AuditEvent, out ...*rarex.LogEntry) error {
	l.UpdatedAt = Canonical(l.UpdatedAt)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.rebind(`UPDATE licences SET status = ?, reason = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`),
			string(l.Status), l.Reason, s.t(l.UpdatedAt), l.ID, prev)
		if err != nil {
			return s.wrap(err, "licence")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return rarex.Errorf(rarex.ECONFLICT, "Licence %s changed since you opened it; reload and try again.", l.Number)
		}
		l.Version = prev + 1
		if err := s.addLogEntries(ctx, tx, out); err != nil {
			return err
		}
		return s.addEvents(ctx, tx, ev)
	})
}

// RecordShipment draws the licence down in one conditional update: the
// database re-checks status, validity and what remains on the row it
// locks, so concurrent shipments can never overdraw.
func (s *Store) RecordShipment(ctx context.Context, sh *rarex.Shipment, ev *rarex.AuditEvent) (*rarex.Licence, error) {
	sh.CreatedAt = Canonical(sh.CreatedAt)
	var out *rarex.Licence
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		q, v := int64(sh.Quantity), int64(sh.Value)
		res, err := tx.ExecContext(ctx, s.rebind(`UPDATE licences SET
				quantity_used = quantity_used + ?, value_used = value_used + ?,
				status = CASE WHEN quantity_used + ? = quantity_limit OR value_used + ? = value_limit THEN 'exhausted' ELSE status END,
				version = version + 1, updated_at = ?
			WHERE id = ? AND org_id = ? AND status = 'active' AND valid_from <= ? AND valid_to >= ?
				AND quantity_used + ? <= quantity_limit AND value_used + ? <= value_limit`),
			q, v, q, v, s.t(sh.CreatedAt), sh.LicenceID, sh.OrgID, sh.Date, sh.Date, q, v)
		if err != nil {
			return s.wrap(err, "shipment")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			l, err := scanLicence(tx.QueryRowContext(ctx, s.rebind(`SELECT `+licenceCols+` FROM licences WHERE id = ? AND org_id = ?`), sh.LicenceID, sh.OrgID))
			if err != nil {
				return s.wrap(err, "Licence "+quote(sh.LicenceID))
			}
			if err := licensing.Drawable(l, sh); err != nil {
				return err
			}
			return rarex.Errorf(rarex.ECONFLICT, "Licence %s cannot take this shipment.", l.Number)
		}
		_, err = tx.ExecContext(ctx, s.rebind(`INSERT INTO shipments (id, licence_id, org_id, date, quantity, value, consignee, reference, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			sh.ID, sh.LicenceID, sh.OrgID, sh.Date, q, v, sh.Consignee, sh.Reference, sh.CreatedBy, s.t(sh.CreatedAt))
		if err != nil {
			return s.wrap(err, "shipment")
		}
		if out, err = scanLicence(tx.QueryRowContext(ctx, s.rebind(`SELECT `+licenceCols+` FROM licences WHERE id = ?`), sh.LicenceID)); err != nil {
			return s.wrap(err, "licence")
		}
		if ev != nil {
			ev.After, _ = json.Marshal(map[string]any{"shipment": sh, "quantity_used": out.QuantityUsed, "value_used": out.ValueUsed, "status": out.Status})
		}
		return s.addEvents(ctx, tx, ev)
	})
	return out, err
}

// Shipments returns a licence's shipments by date.
func (s *Store) Shipments(ctx context.Context, licenceID string) ([]*rarex.Shipment, error) {
	rows, err := s.DB.QueryContext(ctx, s.rebind(`SELECT id, licence_id, org_id, date, quantity, value, consignee, reference, created_by, created_at FROM shipments WHERE licence_id = ? ORDER BY date, created_at, id`), licenceID)
	if err != nil {
		return nil, s.wrap(err, "shipments")
	}
	defer rows.Close()
	var out []*rarex.Shipment
	for rows.Next() {
		var sh rarex.Shipment
		var q, v int64
		if err := rows.Scan(&sh.ID, &sh.LicenceID, &sh.OrgID, &sh.Date, &q, &v, &sh.Consignee, &sh.Reference, &sh.CreatedBy, timeCol{&sh.CreatedAt}); err != nil {
			return nil, s.wrap(err, "shipments")
		}
		sh.Quantity, sh.Value = rarex.Quantity(q), rarex.Money(v)
		out = append(out, &sh)
	}
	return out, s.wrap(rows.Err(), "shipments")
}

// Events returns audit events after f.After in sequence order.
func (s *Store) Events(ctx context.Context, f rarex.EventFilter) ([]*rarex.AuditEvent, error) {
	q, args := `SELECT seq, id, org_id, subject, subject_id, action, actor_id, actor_role, at, before, after FROM audit_events WHERE seq > ?`, []any{f.After}
	if f.OrgID != "" {
		q += ` AND org_id = ?`
		args = append(args, f.OrgID)
	}
	if f.SubjectID != "" {
		q += ` AND subject_id = ?`
		args = append(args, f.SubjectID)
	}
	q += ` ORDER BY seq LIMIT ?`
	args = append(args, rarex.ClampLimit(f.Limit))
	rows, err := s.DB.QueryContext(ctx, s.rebind(q), args...)
	if err != nil {
		return nil, s.wrap(err, "events")
	}
	defer rows.Close()
	var out []*rarex.AuditEvent
	for rows.Next() {
		var ev rarex.AuditEvent
		var role, before, after string
		if err := rows.Scan(&ev.Seq, &ev.ID, &ev.OrgID, &ev.Subject, &ev.SubjectID, &ev.Action, &ev.ActorID, &role, timeCol{&ev.At}, &before, &after); err != nil {
			return nil, s.wrap(err, "events")
		}
		ev.ActorRole = rarex.Role(role)
		if before != "" {
			ev.Before = json.RawMessage(before)
		}
		if after != "" {
			ev.After = json.RawMessage(after)
		}
		out = append(out, &ev)
	}
	return out, s.wrap(rows.Err(), "events")
}

// AddValidatedEndUser adds an entry to the register (ECONFLICT for the same name and country twice).
func (s *Store) AddValidatedEndUser(ctx context.Context, v *rarex.ValidatedEndUser, ev *rarex.AuditEvent) error {
	v.AddedAt = Canonical(v.AddedAt)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO validated_end_users (id, name, country, note, added_by, added_at) VALUES (?, ?, ?, ?, ?, ?)`),
			v.ID, v.Name, v.Country, v.Note, v.AddedBy, s.t(v.AddedAt))
		if err != nil {
			return s.wrap(err, "Validated end user "+quote(v.Name))
		}
		return s.addEvents(ctx, tx, ev)
	})
}

// ValidatedEndUsers returns the register by name.
func (s *Store) ValidatedEndUsers(ctx context.Context) ([]*rarex.ValidatedEndUser, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT id, name, country, note, added_by, added_at FROM validated_end_users ORDER BY name, country`)
	if err != nil {
		return nil, s.wrap(err, "register")
	}
	defer rows.Close()
	var out []*rarex.ValidatedEndUser
	for rows.Next() {
		var v rarex.ValidatedEndUser
		if err := rows.Scan(&v.ID, &v.Name, &v.Country, &v.Note, &v.AddedBy, timeCol{&v.AddedAt}); err != nil {
			return nil, s.wrap(err, "register")
		}
		out = append(out, &v)
	}
	return out, s.wrap(rows.Err(), "register")
}

// DeleteValidatedEndUser removes an entry from the register.
func (s *Store) DeleteValidatedEndUser(ctx context.Context, id string, ev *rarex.AuditEvent) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.rebind(`DELETE FROM validated_end_users WHERE id = ?`), id)
		if err != nil {
			return s.wrap(err, "register")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return rarex.Errorf(rarex.ENOTFOUND, "Validated end user %q not found.", id)
		}
		return s.addEvents(ctx, tx, ev)
	})
}

// SetExporterProfile creates or replaces a profile.
func (s *Store) SetExporterProfile(ctx context.Context, p *rarex.ExporterProfile, ev *rarex.AuditEvent) error {
	p.UpdatedAt = Canonical(p.UpdatedAt)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO exporter_profiles (org_id, icp_reference, icp_registered, last_violation, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (org_id) DO UPDATE SET icp_reference = excluded.icp_reference, icp_registered = excluded.icp_registered,
				last_violation = excluded.last_violation, updated_by = excluded.updated_by, updated_at = excluded.updated_at`),
			p.OrgID, p.ICPReference, p.ICPRegistered, p.LastViolation, p.UpdatedBy, s.t(p.UpdatedAt))
		if err != nil {
			return s.wrap(err, "exporter profile")
		}
		return s.addEvents(ctx, tx, ev)
	})
}

// ExporterProfile returns an organisation's profile, empty if none is stored.
func (s *Store) ExporterProfile(ctx context.Context, orgID string) (*rarex.ExporterProfile, error) {
	p := rarex.ExporterProfile{OrgID: orgID}
	err := s.DB.QueryRowContext(ctx, s.rebind(`SELECT icp_reference, icp_registered, last_violation, updated_by, updated_at FROM exporter_profiles WHERE org_id = ?`), orgID).
		Scan(&p.ICPReference, &p.ICPRegistered, &p.LastViolation, &p.UpdatedBy, timeCol{&p.UpdatedAt})
	if err == sql.ErrNoRows {
		return &p, nil
	}
	return &p, s.wrap(err, "exporter profile")
}

// IdempotencyTTL is how long a stored response is replayed.
const IdempotencyTTL = 24 * time.Hour

// ReserveIdempotencyKey claims a key, or returns what it holds.
func (s *Store) ReserveIdempotencyKey(ctx context.Context, userID, key, requestHash string, at time.Time) (*rarex.IdempotentResponse, error) {
	var out *rarex.IdempotentResponse
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.rebind(`DELETE FROM idempotency_keys WHERE created_at < ?`), s.t(at.Add(-IdempotencyTTL))); err != nil {
			return s.wrap(err, "idempotency key")
		}
		res, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO idempotency_keys (user_id, key, request_hash, status, body, created_at) VALUES (?, ?, ?, 0, ?, ?) ON CONFLICT (user_id, key) DO NOTHING`),
			userID, key, requestHash, []byte{}, s.t(at))
		if err != nil {
			return s.wrap(err, "idempotency key")
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil
		}
		var hash string
		var r rarex.IdempotentResponse
		if err := tx.QueryRowContext(ctx, s.rebind(`SELECT request_hash, status, body FROM idempotency_keys WHERE user_id = ? AND key = ?`), userID, key).Scan(&hash, &r.Status, &r.Body); err != nil {
			return s.wrap(err, "idempotency key")
		}
		switch {
		case hash != requestHash:
			return rarex.Errorf(rarex.ECONFLICT, "Idempotency-Key %q was used for a different request; use a new key.", key)
		case r.Status == 0:
			return rarex.Errorf(rarex.ECONFLICT, "The request with Idempotency-Key %q is still running; retry shortly.", key)
		}
		out = &r
		return nil
	})
	return out, err
}

// CompleteIdempotencyKey stores a response.
func (s *Store) CompleteIdempotencyKey(ctx context.Context, userID, key string, resp rarex.IdempotentResponse) error {
	_, err := s.DB.ExecContext(ctx, s.rebind(`UPDATE idempotency_keys SET status = ?, body = ? WHERE user_id = ? AND key = ?`), resp.Status, resp.Body, userID, key)
	return s.wrap(err, "idempotency key")
}

// ReleaseIdempotencyKey forgets a reserved key.
func (s *Store) ReleaseIdempotencyKey(ctx context.Context, userID, key string) error {
	_, err := s.DB.ExecContext(ctx, s.rebind(`DELETE FROM idempotency_keys WHERE user_id = ? AND key = ? AND status = 0`), userID, key)
	return s.wrap(err, "idempotency key")
}

func (s *Store) addLogEntries(ctx context.Context, tx execer, out []*rarex.LogEntry) error {
	for _, e := range out {
		e.CreatedAt = Canonical(e.CreatedAt)
		_, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO log_outbox (id, subject_id, org_id, entry, opening, log_index, created_at, logged_at) VALUES (?, ?, ?, ?, ?, NULL, ?, NULL)`),
			e.ID, e.SubjectID, e.OrgID, e.Entry, e.Opening, s.t(e.CreatedAt))
		if err != nil {
			return s.wrap(err, "log entry")
		}
	}
	return nil
}

const logEntryCols = `id, subject_id, org_id, entry, opening, log_index, created_at, logged_at`

func (s *Store) logEntries(ctx context.Context, q string, args ...any) ([]*rarex.LogEntry, error) {
	rows, err := s.DB.QueryContext(ctx, s.rebind(q), args...)
	if err != nil {
		return nil, s.wrap(err, "log entries")
	}
	defer rows.Close()
	var out []*rarex.LogEntry
	for rows.Next() {
		var e rarex.LogEntry
		var idx sql.NullInt64
		if err := rows.Scan(&e.ID, &e.SubjectID, &e.OrgID, &e.Entry, &e.Opening, &idx, timeCol{&e.CreatedAt}, nullTimeCol{&e.LoggedAt}); err != nil {
			return nil, s.wrap(err, "log entries")
		}
		if idx.Valid {
			e.Index = &idx.Int64
		}
		out = append(out, &e)
	}
	return out, s.wrap(rows.Err(), "log entries")
}

// PendingLogEntries returns entries not yet in the log, oldest first.
func (s *Store) PendingLogEntries(ctx context.Context, limit int) ([]*rarex.LogEntry, error) {
	return s.logEntries(ctx, `SELECT `+logEntryCols+` FROM log_outbox WHERE log_index IS NULL ORDER BY created_at, id LIMIT ?`, rarex.ClampLimit(limit))
}

// LogEntries returns a subject's entries, oldest first.
func (s *Store) LogEntries(ctx context.Context, subjectID string) ([]*rarex.LogEntry, error) {
	return s.logEntries(ctx, `SELECT `+logEntryCols+` FROM log_outbox WHERE subject_id = ? ORDER BY created_at, id`, subjectID)
}

// MarkLogged records entries' indexes, once each, in one transaction.
func (s *Store) MarkLogged(ctx context.Context, indexOf map[string]int64, at time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for id, index := range indexOf {
			res, err := tx.ExecContext(ctx, s.rebind(`UPDATE log_outbox SET log_index = ?, logged_at = ? WHERE id = ? AND log_index IS NULL`), index, s.t(at), id)
			if err != nil {
				return s.wrap(err, "log entry")
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return rarex.Errorf(rarex.ECONFLICT, "Log entry %q is logged already or does not exist.", id)
			}
		}
		return nil
	})
}

// MaxLoggedIndex is the highest index recorded, -1 for none.
func (s *Store) MaxLoggedIndex(ctx context.Context) (int64, error) {
	var n sql.NullInt64
	if err := s.DB.QueryRowContext(ctx, `SELECT MAX(log_index) FROM log_outbox`).Scan(&n); err != nil {
		return 0, s.wrap(err, "log entries")
	}
	if !n.Valid {
		return -1, nil
	}
	return n.Int64, nil
}
