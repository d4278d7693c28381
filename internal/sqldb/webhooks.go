package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"rarex"
)

var _ rarex.WebhookStore = (*Store)(nil)

// CreateWebhook stores a hook.
func (s *Store) CreateWebhook(ctx context.Context, h *rarex.Webhook, ev *rarex.AuditEvent) error {
	h.CreatedAt = Canonical(h.CreatedAt)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO webhooks (id, org_id, url, secret, last_seq, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`),
			h.ID, h.OrgID, h.URL, h.Secret, h.LastSeq, h.CreatedBy, s.t(h.CreatedAt))
		if err != nil {
			return s.wrap(err, "webhook")
		}
		return s.addEvents(ctx, tx, ev)
	})
}

// Webhooks returns hooks, oldest first.
func (s *Store) Webhooks(ctx context.Context, orgID string) ([]*rarex.Webhook, error) {
	q, args := `SELECT id, org_id, url, secret, last_seq, created_by, created_at FROM webhooks ORDER BY created_at, id`, []any{}
	if orgID != "" {
		q, args = `SELECT id, org_id, url, secret, last_seq, created_by, created_at FROM webhooks WHERE org_id = ? ORDER BY created_at, id`, []any{orgID}
	}
	rows, err := s.DB.QueryContext(ctx, s.rebind(q), args...)
	if err != nil {
		return nil, s.wrap(err, "webhooks")
	}
	defer rows.Close()
	var out []*rarex.Webhook
	for rows.Next() {
		var h rarex.Webhook
		if err := rows.Scan(&h.ID, &h.OrgID, &h.URL, &h.Secret, &h.LastSeq, &h.CreatedBy, timeCol{&h.CreatedAt}); err != nil {
			return nil, s.wrap(err, "webhooks")
		}
		out = append(out, &h)
	}
	return out, s.wrap(rows.Err(), "webhooks")
}

// SetWebhookSecret swaps a hook's stored secret, if it is still old.
func (s *Store) SetWebhookSecret(ctx context.Context, id, old, secret string) error {
	res, err := s.DB.ExecContext(ctx, s.rebind(`UPDATE webhooks SET secret = ? WHERE id = ? AND secret = ?`), secret, id, old)
	if err != nil {
		return s.wrap(err, "webhook")
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	var one int
	switch err := s.DB.QueryRowContext(ctx, s.rebind(`SELECT 1 FROM webhooks WHERE id = ?`), id).Scan(&one); {
	case errors.Is(err, sql.ErrNoRows):
		return rarex.Errorf(rarex.ENOTFOUND, "Webhook %q not found.", id)
	case err != nil:
		return s.wrap(err, "webhook")
	}
	return rarex.Errorf(rarex.ECONFLICT, "Webhook %q's secret changed meanwhile.", id)
}

// DeleteWebhook removes a hook and, by cascade, its deliveries.
func (s *Store) DeleteWebhook(ctx context.Context, orgID, id string, ev *rarex.AuditEvent) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.rebind(`DELETE FROM webhooks WHERE id = ? AND org_id = ?`), id, orgID)
		if err != nil {
			return s.wrap(err, "webhook")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return rarex.Errorf(rarex.ENOTFOUND, "Webhook %q not found.", id)
		}
		return s.addEvents(ctx, tx, ev)
	})
}

// QueueDeliveries stores new deliveries and advances the hook's cursor.
func (s *Store) QueueDeliveries(ctx context.Context, hookID string, from, upTo int64, ds []*rarex.Delivery) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.rebind(`UPDATE webhooks SET last_seq = ? WHERE id = ? AND last_seq = ?`), upTo, hookID, from)
		if err != nil {
			return s.wrap(err, "webhook")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return rarex.Errorf(rarex.ECONFLICT, "Webhook %s moved on meanwhile.", hookID)
		}
		for _, d := range ds {
			d.CreatedAt, d.NextAttemptAt = Canonical(d.CreatedAt), Canonical(d.NextAttemptAt)
			_, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO webhook_deliveries (id, webhook_id, org_id, event_seq, payload, status, attempts, next_attempt_at, last_code, last_error, created_at, delivered_at)
				VALUES (?, ?, ?, ?, ?, ?, 0, ?, 0, '', ?, NULL) ON CONFLICT (webhook_id, event_seq) DO NOTHING`),
				d.ID, d.WebhookID, d.OrgID, d.EventSeq, string(d.Payload), rarex.DeliveryPending, s.t(d.NextAttemptAt), s.t(d.CreatedAt))
			if err != nil {
				return s.wrap(err, "delivery")
			}
		}
		return nil
	})
}

const deliveryCols = `id, webhook_id, org_id, event_seq, payload, status, attempts, next_attempt_at, last_code, last_error, created_at, delivered_at`

func scanDelivery(row interface{ Scan(...any) error }) (*rarex.Delivery, error) {
	var d rarex.Delivery
	var payload string
	err := row.Scan(&d.ID, &d.WebhookID, &d.OrgID, &d.EventSeq, &payload, &d.Status, &d.Attempts, timeCol{&d.NextAttemptAt}, &d.LastCode, &d.LastError, timeCol{&d.CreatedAt}, nullTimeCol{&d.DeliveredAt})
	d.Payload = []byte(payload)
	return &d, err
}

// ClaimDeliveries leases due deliveries: each is taken by a conditional
// update on its due time, so of two dispatchers only one sends it.
func (s *Store) ClaimDeliveries(ctx context.Context, now, leaseUntil time.Time, limit int) ([]*rarex.Delivery, error) {
	rows, err := s.DB.QueryContext(ctx, s.rebind(`SELECT `+deliveryCols+` FROM webhook_deliveries WHERE status = ? AND next_attempt_at <= ? ORDER BY next_attempt_at, event_seq LIMIT ?`),
		rarex.DeliveryPending, s.t(now), limit)
	if err != nil {
		return nil, s.wrap(err, "deliveries")
	}
	var due []*rarex.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			rows.Close()
			return nil, s.wrap(err, "deliveries")
		}
		due = append(due, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, s.wrap(err, "deliveries")
	}
	var out []*rarex.Delivery
	for _, d := range due {
		res, err := s.DB.ExecContext(ctx, s.rebind(`UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id = ? AND status = ? AND next_attempt_at = ?`),
			s.t(leaseUntil), d.ID, rarex.DeliveryPending, s.t(d.NextAttemptAt))
		if err != nil {
			return nil, s.wrap(err, "delivery")
		}
		if n, _ := res.RowsAffected(); n == 1 {
			d.NextAttemptAt = Canonical(leaseUntil)
			out = append(out, d)
		}
	}
	return out, nil
}

// SaveDelivery stores an attempt's outcome.
func (s *Store) SaveDelivery(ctx context.Context, d *rarex.Delivery) error {
	d.NextAttemptAt = Canonical(d.NextAttemptAt)
	_, err := s.DB.ExecContext(ctx, s.rebind(`UPDATE webhook_deliveries SET status = ?, attempts = ?, next_attempt_at = ?, last_code = ?, last_error = ?, delivered_at = ? WHERE id = ?`),
		d.Status, d.Attempts, s.t(d.NextAttemptAt), d.LastCode, d.LastError, s.tp(d.DeliveredAt), d.ID)
	return s.wrap(err, "delivery")
}

// Deliveries returns a hook's deliveries, newest first.
func (s *Store) Deliveries(ctx context.Context, hookID string, limit int) ([]*rarex.Delivery, error) {
	rows, err := s.DB.QueryContext(ctx, s.rebind(`SELECT `+deliveryCols+` FROM webhook_deliveries WHERE webhook_id = ? ORDER BY event_seq DESC LIMIT ?`), hookID, rarex.ClampLimit(limit))
	if err != nil {
		return nil, s.wrap(err, "deliveries")
	}
	defer rows.Close()
	var out []*rarex.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, s.wrap(err, "deliveries")
		}
		out = append(out, d)
	}
	return out, s.wrap(rows.Err(), "deliveries")
}

// LastEventSeq reads the audit counter.
func (s *Store) LastEventSeq(ctx context.Context) (int64, error) {
	var n int64
	err := s.DB.QueryRowContext(ctx, `SELECT n FROM counters WHERE name = 'events'`).Scan(&n)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	return n, s.wrap(err, "events")
}
