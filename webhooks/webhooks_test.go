package webhooks_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"rarex"
	"rarex/sqlite"
	"rarex/webhooks"
)

func TestBackoffAndSignature(t *testing.T) {
	for n, want := range map[int]time.Duration{1: 30 * time.Second, 2: time.Minute, 3: 2 * time.Minute, 7: 32 * time.Minute, 8: time.Hour, 50: time.Hour} {
		if got := webhooks.Backoff(n); got != want {
			t.Errorf("Backoff(%d) = %s, want %s", n, got, want)
		}
	}
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"event":{"seq":1}}`)
	sig := webhooks.Sign("whsec_x", now, body)
	if err := webhooks.Verify("whsec_x", sig, body, now.Add(time.Minute), 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		secret, header string
		body           []byte
		at             time.Time
	}{
		"other secret": {"whsec_y", sig, body, now},
		"other body":   {"whsec_x", sig, []byte(`{}`), now},
		"too old":      {"whsec_x", sig, body, now.Add(10 * time.Minute)},
		"garbled":      {"whsec_x", "v1=abc", body, now},
	} {
		if err := webhooks.Verify(c.secret, c.header, c.body, c.at, 5*time.Minute); err == nil {
			t.Errorf("%s: verified", name)
		}
	}
}

type receiver struct {
	mu     sync.Mutex
	calls  int
	got    []int64
	fail   int // answer 500 this many times first
	secret string
	errs   []string
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	rc.calls++
	defer rc.mu.Unlock()
	if err := webhooks.Verify(rc.secret, r.Header.Get(webhooks.SignatureHeader), body, time.Now(), 24*time.Hour*365*10); err != nil {
		rc.errs = append(rc.errs, err.Error())
	}
	if rc.fail > 0 {
		rc.fail--
		http.Error(w, "busy", 500)
		return
	}
	var p struct{ Event rarex.AuditEvent }
	if err := json.Unmarshal(body, &p); err != nil {
		rc.errs = append(rc.errs, err.Error())
	}
	rc.got = append(rc.got, p.Event.Seq)
}

func TestDispatch(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, o := range []string{"o1", "o2"} {
		if err := db.CreateOrg(ctx, &rarex.Organisation{ID: o, Name: o, Kind: rarex.OrgExporter}); err != nil {
			t.Fatal(err)
		}
	}
	clock := &rarex.FixedClock{T: time.Now().UTC()}
	ids := &rarex.SequenceIDs{Prefix: "w"}
	key := bytes.Repeat([]byte{7}, webhooks.SecretsKeySize)
	sealer, err := webhooks.NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	svc := &webhooks.Service{Store: db, Clock: clock, IDs: ids, Sealer: sealer}
	exporter := &rarex.User{ID: "u1", OrgID: "o1", Role: rarex.RoleExporter}
	if _, err := svc.Create(ctx, exporter, "http://127.0.0.1:9/hook"); rarex.ErrorCode(err) != rarex.EINVALID {
		t.Fatalf("http without AllowInsecure: %v", err)
	}
	for _, bad := range []string{"ftp://x", "https://user:pw@example.com/", "https:///nohost", "not a url\x7f"} {
		if _, err := svc.Create(ctx, exporter, bad); rarex.ErrorCode(err) != rarex.EINVALID {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if _, err := svc.Create(ctx, &rarex.User{ID: "r", OrgID: "a", Role: rarex.RoleReviewer}, "https://example.com"); rarex.ErrorCode(err) != rarex.EFORBIDDEN {
		t.Errorf("reviewer: %v", err)
	}
	// An event before the hook exists is not sent.
	event := func(org, action string) {
		a := &rarex.Application{ID: ids.NewID(), OrgID: org, State: rarex.AppDraft, CreatedAt: clock.T, UpdatedAt: clock.T}
		if err := db.CreateApplication(ctx, a, &rarex.AuditEvent{ID: ids.NewID(), OrgID: org, Subject: "application", Action: action, At: clock.T}); err != nil {
			t.Fatal(err)
		}
	}
	event("o1", "before")
	rc := &receiver{fail: 3}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	svc.AllowInsecure = true
	h, err := svc.Create(ctx, exporter, srv.URL+"/hook")
	if err != nil {
		t.Fatal(err)
	}
	rc.secret = h.Secret
	// The database holds the secret sealed, not as it was shown.
	if stored, err := db.Webhooks(ctx, "o1"); err != nil || len(stored) != 1 || strings.Contains(stored[0].Secret, h.Secret) || !strings.HasPrefix(stored[0].Secret, "sealed.v1:") {
		t.Fatalf("stored secret: %+v, %v", stored, err)
	}
	event("o1", "one")
	event("o2", "other tenant")
	event("o1", "two")
	d := &webhooks.Dispatcher{Store: db, Clock: clock, IDs: ids, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Client: webhooks.SafeClient(true), Sealer: sealer}
	if err := d.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	// The hook's own creation (a ping), "one" and "two" all failed (500):
	// retried after the backoff, not before.
	if err := d.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if len(rc.got) != 0 {
		t.Fatalf("delivered before the backoff: %v", rc.got)
	}
	clock.Advance(31 * time.Second)
	if err := d.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	rc.mu.Lock()
	got, errs := append([]int64(nil), rc.got...), rc.errs
	rc.mu.Unlock()
	if len(got) != 3 || got[0] >= got[1] || got[1] >= got[2] || len(errs) != 0 {
		t.Fatalf("delivered %v, receiver errors %v", got, errs)
	}
	log, err := svc.Deliveries(ctx, exporter, h.ID)
	if err != nil || len(log) != 3 || log[0].Status != rarex.DeliveryDelivered || log[1].Attempts != 2 {
		t.Fatalf("delivery log: %+v %v", log, err)
	}
	if _, err := svc.Deliveries(ctx, &rarex.User{ID: "u2", OrgID: "o2", Role: rarex.RoleExporter}, h.ID); rarex.ErrorCode(err) != rarex.ENOTFOUND {
		t.Errorf("another tenant's log: %v", err)
	}
	// A receiver that never answers 2xx: failed after MaxAttempts.
	rc.mu.Lock()
	rc.fail = 1000
	rc.mu.Unlock()
	event("o1", "three")
	for range webhooks.MaxAttempts + 2 {
		if err := d.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		clock.Advance(webhooks.MaxDelay)
	}
	log, _ = svc.Deliveries(ctx, exporter, h.ID)
	if log[0].Status != rarex.DeliveryFailed || log[0].Attempts != webhooks.MaxAttempts || !strings.Contains(log[0].LastError, "500") {
		t.Fatalf("exhausted delivery: %+v", log[0])
	}
	// The default client refuses loopback addresses.
	event("o1", "four")
	d.Client = nil
	if err := d.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	log, _ = svc.Deliveries(ctx, exporter, h.ID)
	if !strings.Contains(log[0].LastError, "not a public address") {
		t.Errorf("loopback with the safe client: %+v", log[0])
	}
	if err := svc.Delete(ctx, exporter, h.ID); err != nil {
		t.Fatal(err)
	}
	if hs, _ := svc.List(ctx, exporter); len(hs) != 0 {
		t.Errorf("after delete: %v", hs)
	}
	svc.MaxPerOrg = 2
	for i := range 3 {
		_, err := svc.Create(ctx, exporter, "https://example.com/"+string(rune('a'+i)))
		if (i < 2) != (err == nil) || (i == 2 && rarex.ErrorCode(err) != rarex.ECONFLICT) {
			t.Errorf("hook %d of at most 2: %v", i+1, err)
		}
	}
}

// TestSealedSecrets: a dispatcher whose key does not open a hook's secret
// sends nothing and says why in the delivery log; with the right key the
// delivery goes out signed with the secret the organisation was shown.
func TestSealedSecrets(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CreateOrg(ctx, &rarex.Organisation{ID: "o1", Name: "o1", Kind: rarex.OrgExporter}); err != nil {
		t.Fatal(err)
	}
	clock := &rarex.FixedClock{T: time.Now().UTC()}
	ids := &rarex.SequenceIDs{Prefix: "s"}
	right, _ := webhooks.NewSealer(bytes.Repeat([]byte{1}, webhooks.SecretsKeySize))
	wrong, _ := webhooks.NewSealer(bytes.Repeat([]byte{2}, webhooks.SecretsKeySize))
	svc := &webhooks.Service{Store: db, Clock: clock, IDs: ids, AllowInsecure: true, Sealer: right}
	rc := &receiver{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	exporter := &rarex.User{ID: "u1", OrgID: "o1", Role: rarex.RoleExporter}
	h, err := svc.Create(ctx, exporter, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	rc.secret = h.Secret
	d := &webhooks.Dispatcher{Store: db, Clock: clock, IDs: ids, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Client: webhooks.SafeClient(true)}
	for _, c := range []struct {
		sealer *webhooks.Sealer
		want   string
	}{{wrong, "does not open with this server's secrets key"}, {nil, "no secrets key"}} {
		d.Sealer = c.sealer
		if err := d.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		log, _ := svc.Deliveries(ctx, exporter, h.ID)
		rc.mu.Lock()
		calls := rc.calls
		rc.mu.Unlock()
		if len(log) != 1 || !strings.Contains(log[0].LastError, c.want) || calls != 0 {
			t.Fatalf("want %q: %+v, %d requests", c.want, log, calls)
		}
		clock.Advance(webhooks.MaxDelay)
	}
	d.Sealer = right
	if err := d.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.got) != 1 || len(rc.errs) != 0 {
		t.Fatalf("with the right key: delivered %v, receiver errors %v", rc.got, rc.errs)
	}
}

func TestSealer(t *testing.T) {
	s, err := webhooks.NewSealer(bytes.Repeat([]byte{3}, webhooks.SecretsKeySize))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := webhooks.NewSealer([]byte("short")); err == nil {
		t.Error("a 5-byte key was taken")
	}
	sealed, err := s.Seal("h1", "whsec_abc")
	if err != nil || !strings.HasPrefix(sealed, "sealed.v1:") || strings.Contains(sealed, "whsec_abc") {
		t.Fatalf("sealed %q, %v", sealed, err)
	}
	if again, _ := s.Seal("h1", "whsec_abc"); again == sealed {
		t.Error("two seals of one secret are equal: the nonce is not fresh")
	}
	if got, err := s.Open("h1", sealed); err != nil || got != "whsec_abc" {
		t.Fatalf("open: %q, %v", got, err)
	}
	if _, err := s.Open("h2", sealed); err == nil {
		t.Error("a secret sealed for h1 opened for h2")
	}
	tampered := sealed[:len(sealed)-2] + "AA"
	if tampered == sealed {
		tampered = sealed[:len(sealed)-2] + "BB"
	}
	for _, bad := range []string{tampered, "sealed.v1:", "sealed.v1:!!!", "sealed.v1:AAAA"} {
		if _, err := s.Open("h1", bad); err == nil {
			t.Errorf("%q opened", bad)
		}
	}
	// A secret stored before sealing is used as it is.
	if got, err := s.Open("h1", "whsec_legacy"); err != nil || got != "whsec_legacy" {
		t.Errorf("legacy: %q, %v", got, err)
	}
	var none *webhooks.Sealer
	if got, _ := none.Seal("h1", "x"); got != "x" {
		t.Errorf("nil sealer sealed: %q", got)
	}
}

// FuzzSealer: any stored text opens or fails without a panic, and any
// secret comes back from its seal.
func FuzzSealer(f *testing.F) {
	s, _ := webhooks.NewSealer(bytes.Repeat([]byte{5}, webhooks.SecretsKeySize))
	f.Add("h1", "whsec_0123", "sealed.v1:AAAA")
	f.Fuzz(func(t *testing.T, id, secret, stored string) {
		s.Open(id, stored)
		sealed, err := s.Seal(id, secret)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.Open(id, sealed); err != nil || got != secret {
			t.Fatalf("round trip: %q, %v", got, err)
		}
	})
}

// TestSealStored: secrets stored before sealing are sealed in place, once,
// and still sign as before.
func TestSealStored(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CreateOrg(ctx, &rarex.Organisation{ID: "o1", Name: "o1", Kind: rarex.OrgExporter}); err != nil {
		t.Fatal(err)
	}
	clock := &rarex.FixedClock{T: time.Now().UTC()}
	plain := &webhooks.Service{Store: db, Clock: clock, IDs: &rarex.SequenceIDs{Prefix: "p"}, AllowInsecure: true} // as earlier versions stored them
	exporter := &rarex.User{ID: "u1", OrgID: "o1", Role: rarex.RoleExporter}
	h, err := plain.Create(ctx, exporter, "https://example.com/hook")
	if err != nil {
		t.Fatal(err)
	}
	sealer, _ := webhooks.NewSealer(bytes.Repeat([]byte{9}, webhooks.SecretsKeySize))
	svc := &webhooks.Service{Store: db, Clock: clock, IDs: &rarex.SequenceIDs{Prefix: "s"}, Sealer: sealer}
	for run, want := range []int{1, 0} { // the second run finds nothing left
		if n, err := svc.SealStored(ctx); err != nil || n != want {
			t.Fatalf("run %d: sealed %d, %v; want %d", run+1, n, err, want)
		}
	}
	hs, _ := db.Webhooks(ctx, "o1")
	if len(hs) != 1 || !strings.HasPrefix(hs[0].Secret, "sealed.v1:") {
		t.Fatalf("stored: %+v", hs)
	}
	if got, err := sealer.Open(h.ID, hs[0].Secret); err != nil || got != h.Secret {
		t.Fatalf("the sealed secret opens to %q, %v; want the one shown", got, err)
	}
}
