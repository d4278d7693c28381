package rarex

import (
	"context"
	"time"
)

// Webhook sends an organisation's audit events to a URL it chose, signed
// with a secret only the organisation and rarex know.
type Webhook struct {
	ID        string    `json:"id"`
	OrgID     string    `json:"org_id"`
	URL       string    `json:"url"`
	Secret    string    `json:"-"`        // shown once, at creation
	LastSeq   int64     `json:"last_seq"` // the last event queued for it
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Delivery statuses.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed" // attempts ran out
)

// Delivery is one event sent (or to be sent) to one webhook.
type Delivery struct {
	ID            string     `json:"id"`
	WebhookID     string     `json:"webhook_id"`
	OrgID         string     `json:"org_id"`
	EventSeq      int64      `json:"event_seq"`
	Payload       []byte     `json:"-"`
	Status        string     `json:"status"`
	Attempts      int        `json:"attempts"`
	NextAttemptAt time.Time  `json:"next_attempt_at"`
	LastCode      int        `json:"last_code,omitempty"`
	LastError     string     `json:"last_error,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	DeliveredAt   *time.Time `json:"delivered_at,omitempty"`
}

// WebhookStore keeps webhooks and their delivery log.
type WebhookStore interface {
	CreateWebhook(ctx context.Context, h *Webhook, ev *AuditEvent) error
	// Webhooks returns an organisation's webhooks ("" for every organisation's).
	Webhooks(ctx context.Context, orgID string) ([]*Webhook, error)
	// SetWebhookSecret replaces hook id's stored secret with secret if it
	// is still old (ECONFLICT if not, ENOTFOUND if there is no such hook).
	SetWebhookSecret(ctx context.Context, id, old, secret string) error
	// DeleteWebhook removes one of orgID's webhooks and its deliveries (ENOTFOUND if absent).
	DeleteWebhook(ctx context.Context, orgID, id string, ev *AuditEvent) error
	// QueueDeliveries stores ds (skipping events queued before) and moves
	// the hook's LastSeq to upTo, if it is still at from (ECONFLICT if not:
	// another dispatcher queued them).
	QueueDeliveries(ctx context.Context, hookID string, from, upTo int64, ds []*Delivery) error
	// ClaimDeliveries takes up to limit pending deliveries due at now and
	// leases them until leaseUntil, so no other dispatcher sends them meanwhile.
	ClaimDeliveries(ctx context.Context, now, leaseUntil time.Time, limit int) ([]*Delivery, error)
	// SaveDelivery records an attempt's outcome.
	SaveDelivery(ctx context.Context, d *Delivery) error
	// Deliveries returns a hook's deliveries, newest first.
	Deliveries(ctx context.Context, hookID string, limit int) ([]*Delivery, error)
	// LastEventSeq is the sequence number of the newest audit event (0 for none).
	LastEventSeq(ctx context.Context) (int64, error)
}
