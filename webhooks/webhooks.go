// Package webhooks sends each organisation's audit events to the URLs it
// registered: signed with HMAC-SHA256, retried with exponential backoff,
// every attempt in a delivery log. Delivery is at least once; receivers
// deduplicate on the event's sequence number.
package webhooks

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"rarex"
	"rarex/i18n"
)

// Retry schedule: the n-th failed attempt waits BaseDelay·2^(n-1), at most
// MaxDelay; after MaxAttempts the delivery is failed.
const (
	BaseDelay   = 30 * time.Second
	MaxDelay    = time.Hour
	MaxAttempts = 8
	// SignatureHeader carries "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">".
	SignatureHeader = "Rarex-Signature"
)

// Backoff is the wait after the n-th failed attempt (n ≥ 1).
func Backoff(n int) time.Duration {
	d := BaseDelay
	for i := 1; i < n && d < MaxDelay; i++ {
		d *= 2
	}
	return min(d, MaxDelay)
}

// Sign returns the signature header value for body sent at t.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + mac(secret, ts, body)
}

func mac(secret, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "."))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Verify checks a signature header against body, refusing signatures older
// than tolerance (replays) — what a receiver does.
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sig == "" {
		return errors.New("signature header: want t=<unix>,v1=<hex>")
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("signature is %s old; at most %s allowed", d.Round(time.Second), tolerance)
	}
	if !hmac.Equal([]byte(sig), []byte(mac(secret, ts, body))) {
		return errors.New("signature does not match")
	}
	return nil
}

// Service registers and lists webhooks.
type Service struct {
	Store rarex.Store
	Clock rarex.Clock
	IDs   rarex.IDSource
	// AllowInsecure accepts http:// URLs and private addresses, for tests
	// and closed networks; by default hooks must be https to public hosts.
	AllowInsecure bool
	// Sealer encrypts the secrets it stores; nil stores them as they are.
	Sealer *Sealer
	// MaxPerOrg caps an organisation's hooks; 0 means DefaultMaxPerOrg.
	MaxPerOrg int
}

// DefaultMaxPerOrg is how many hooks an organisation may have unless configured.
const DefaultMaxPerOrg = 10

// Created is a new hook with its secret, shown this once.
type Created struct {
	*rarex.Webhook
	Secret string `json:"secret"`
}

// Create registers a hook for the actor's organisation; it receives the
// events that happen from now on, starting with its own creation (a ping
// that shows the receiver works).
func (s *Service) Create(ctx context.Context, actor *rarex.User, rawURL string) (*Created, error) {
	if err := rarex.Authorize(actor, rarex.ActManageWebhooks, actor.OrgID); err != nil {
		return nil, err
	}
	if err := s.checkURL(rawURL); err != nil {
		return nil, err
	}
	hooks, err := s.Store.Webhooks(ctx, actor.OrgID)
	if err != nil {
		return nil, err
	}
	limit := s.MaxPerOrg
	if limit <= 0 {
		limit = DefaultMaxPerOrg
	}
	if len(hooks) >= limit {
		return nil, rarex.Errorf(rarex.ECONFLICT, "An organisation may have at most %d webhooks; remove one first.", limit)
	}
	last, err := s.Store.LastEventSeq(ctx)
	if err != nil {
		return nil, err
	}
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	secret := "whsec_" + hex.EncodeToString(b[:])
	h := &rarex.Webhook{ID: s.IDs.NewID(), OrgID: actor.OrgID, URL: rawURL, LastSeq: last, CreatedBy: actor.ID, CreatedAt: s.Clock.Now()}
	if h.Secret, err = s.Sealer.Seal(h.ID, secret); err != nil {
		return nil, err
	}
	ev := &rarex.AuditEvent{ID: s.IDs.NewID(), OrgID: actor.OrgID, Subject: "webhook", SubjectID: h.ID, Action: "webhook.create", ActorID: actor.ID, ActorRole: actor.Role, At: h.CreatedAt}
	ev.After, _ = json.Marshal(map[string]string{"url": rawURL})
	if err := s.Store.CreateWebhook(ctx, h, ev); err != nil {
		return nil, err
	}
	return &Created{Webhook: h, Secret: secret}, nil
}

// SealStored seals the secrets stored before sealing (by an earlier
// version) and returns how many it sealed. A secret another instance
// sealed meanwhile is left to it.
func (s *Service) SealStored(ctx context.Context) (int, error) {
	if s.Sealer == nil {
		return 0, nil
	}
	hooks, err := s.Store.Webhooks(ctx, "")
	if err != nil {
		return 0, err
	}
	n := 0
	for _, h := range hooks {
		if strings.HasPrefix(h.Secret, sealedPrefix) {
			continue
		}
		sealed, err := s.Sealer.Seal(h.ID, h.Secret)
		if err != nil {
			return n, err
		}
		switch err := s.Store.SetWebhookSecret(ctx, h.ID, h.Secret, sealed); rarex.ErrorCode(err) {
		case "":
			n++
		case rarex.ECONFLICT, rarex.ENOTFOUND: // sealed or deleted meanwhile
		default:
			return n, err
		}
	}
	return n, nil
}

func (s *Service) checkURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil || len(raw) > 2000:
		return i18n.Invalid("invalid.url", "url", raw)
	case u.Scheme != "https" && !(s.AllowInsecure && u.Scheme == "http"):
		return i18n.Invalid("invalid.url_https", "url", raw)
	case u.Host == "" || u.User != nil || u.Fragment != "":
		return i18n.Invalid("invalid.url_host", "url", raw)
	}
	return nil
}

// List returns the actor's organisation's hooks.
func (s *Service) List(ctx context.Context, actor *rarex.User) ([]*rarex.Webhook, error) {
	if err := rarex.Authorize(actor, rarex.ActManageWebhooks, actor.OrgID); err != nil {
		return nil, err
	}
	return s.Store.Webhooks(ctx, actor.OrgID)
}

// Delete removes one of the actor's organisation's hooks.
func (s *Service) Delete(ctx context.Context, actor *rarex.User, id string) error {
	if err := rarex.Authorize(actor, rarex.ActManageWebhooks, actor.OrgID); err != nil {
		return err
	}
	ev := &rarex.AuditEvent{ID: s.IDs.NewID(), OrgID: actor.OrgID, Subject: "webhook", SubjectID: id, Action: "webhook.delete", ActorID: actor.ID, ActorRole: actor.Role, At: s.Clock.Now()}
	return s.Store.DeleteWebhook(ctx, actor.OrgID, id, ev)
}

// Deliveries returns a hook's delivery log, newest first.
func (s *Service) Deliveries(ctx context.Context, actor *rarex.User, id string) ([]*rarex.Delivery, error) {
	hooks, err := s.List(ctx, actor)
	if err != nil {
		return nil, err
	}
	for _, h := range hooks {
		if h.ID == id {
			return s.Store.Deliveries(ctx, id, 200)
		}
	}
	return nil, rarex.Errorf(rarex.ENOTFOUND, "Webhook %q not found.", id)
}

// Dispatcher queues new events for every hook and sends what is due.
type Dispatcher struct {
	Store  rarex.Store
	Clock  rarex.Clock
	IDs    rarex.IDSource
	Log    *slog.Logger
	Client *http.Client // nil: SafeClient(false)
	// Sealer opens the secrets the Service sealed (the same key).
	Sealer *Sealer
}

// SafeClient is an HTTP client for webhooks: a 10 s timeout, no redirects,
// and, unless allowPrivate, no connection to loopback, private, link-local
// or otherwise internal addresses (checked on the resolved address, so DNS
// tricks do not get around it).
func SafeClient(allowPrivate bool) *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second}
	if !allowPrivate {
		d.Control = func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			ip := net.ParseIP(host)
			if ip == nil || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsUnspecified() || ip.IsMulticast() {
				return fmt.Errorf("webhook address %s is not a public address", host)
			}
			return nil
		}
	}
	return &http.Client{
		Timeout:       10 * time.Second,
		Transport:     &http.Transport{DialContext: d.DialContext, TLSHandshakeTimeout: 5 * time.Second, ResponseHeaderTimeout: 10 * time.Second},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Run ticks every interval until ctx ends.
func (d *Dispatcher) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := d.Tick(ctx); err != nil && ctx.Err() == nil {
			d.Log.Warn("webhooks", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Tick queues every hook's new events, then sends the deliveries due.
func (d *Dispatcher) Tick(ctx context.Context) error {
	hooks, err := d.Store.Webhooks(ctx, "")
	if err != nil {
		return err
	}
	secrets := map[string]*rarex.Webhook{}
	now := d.Clock.Now()
	for _, h := range hooks {
		secrets[h.ID] = h
		evs, err := d.Store.Events(ctx, rarex.EventFilter{OrgID: h.OrgID, After: h.LastSeq, Limit: 200})
		if err != nil || len(evs) == 0 {
			continue
		}
		ds := make([]*rarex.Delivery, 0, len(evs))
		for _, ev := range evs {
			payload, err := json.Marshal(map[string]any{"webhook_id": h.ID, "event": ev})
			if err != nil {
				return err
			}
			ds = append(ds, &rarex.Delivery{ID: d.IDs.NewID(), WebhookID: h.ID, OrgID: h.OrgID, EventSeq: ev.Seq, Payload: payload, NextAttemptAt: now, CreatedAt: now})
		}
		if err := d.Store.QueueDeliveries(ctx, h.ID, h.LastSeq, evs[len(evs)-1].Seq, ds); err != nil && rarex.ErrorCode(err) != rarex.ECONFLICT {
			return err
		}
	}
	due, err := d.Store.ClaimDeliveries(ctx, now, now.Add(time.Minute), 50)
	if err != nil {
		return err
	}
	client := d.Client
	if client == nil {
		client = SafeClient(false)
	}
	for _, dl := range due {
		h := secrets[dl.WebhookID]
		if h == nil {
			continue // removed meanwhile; its deliveries went with it
		}
		d.send(ctx, client, h, dl)
		if err := d.Store.SaveDelivery(ctx, dl); err != nil {
			return err
		}
	}
	return nil
}

// send makes one attempt and records its outcome on dl.
func (d *Dispatcher) send(ctx context.Context, client *http.Client, h *rarex.Webhook, dl *rarex.Delivery) {
	now := d.Clock.Now()
	dl.Attempts++
	// Nothing goes out unsigned: a secret that does not open fails the
	// attempt, with the reason in the delivery log.
	secret, err := d.Sealer.Open(h.ID, h.Secret)
	var req *http.Request
	if err == nil {
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(dl.Payload))
	}
	code := 0
	if err == nil {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "rarex-webhooks/1")
		req.Header.Set("Rarex-Delivery", dl.ID)
		req.Header.Set("Rarex-Event-Seq", strconv.FormatInt(dl.EventSeq, 10))
		req.Header.Set(SignatureHeader, Sign(secret, now, dl.Payload))
		var resp *http.Response
		if resp, err = client.Do(req); err == nil {
			io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
			code = resp.StatusCode
			if code < 200 || code > 299 {
				err = fmt.Errorf("the receiver answered %d", code)
			}
		}
	}
	dl.LastCode = code
	if err == nil {
		dl.Status, dl.LastError, dl.DeliveredAt, dl.NextAttemptAt = rarex.DeliveryDelivered, "", &now, now
		return
	}
	dl.LastError = err.Error()
	if len(dl.LastError) > 500 {
		dl.LastError = dl.LastError[:500]
	}
	if dl.Attempts >= MaxAttempts {
		dl.Status, dl.NextAttemptAt = rarex.DeliveryFailed, now
		return
	}
	dl.Status, dl.NextAttemptAt = rarex.DeliveryPending, now.Add(Backoff(dl.Attempts))
}
