// Package web serves rarex over HTTP: the JSON API under /api/v1, the
// server-rendered UI, /healthz and /metrics. Handlers translate between HTTP
// and the services; the services decide who may do what.
package web

import (
	"context"
	"embed"
	"errors"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"rarex"
	"rarex/accounts"
	"rarex/boms"
	"rarex/office"
	"rarex/rules"
	"rarex/screening"
	"rarex/tlog"
	"rarex/webhooks"
)

//go:embed templates/*.html assets
var files embed.FS

// Options configure a Server.
type Options struct {
	Accounts *accounts.Service
	Store    rarex.Store   // for health checks
	Regime   *rules.Regime // the export-control regime determinations run on
	BOMs     *boms.Service // stored bills of materials
	// Screening screens parties against the stored restricted-party lists.
	Screening *screening.Service
	// Office is the licence office.
	Office *office.Service
	// Webhooks registers organisations' webhooks.
	Webhooks *webhooks.Service
	// PublicLog is the public log of decisions; nil serves no log.
	PublicLog *tlog.Log
	// MaxUploadBytes caps BOM uploads; 0 means DefaultMaxUploadBytes.
	MaxUploadBytes int64
	Log            *slog.Logger
	Registry       *prometheus.Registry
	// MaxBodyBytes caps request bodies; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// SecureCookies marks cookies Secure even on plain HTTP, for servers
	// behind a TLS-terminating proxy. Requests over TLS always get Secure.
	SecureCookies bool
}

// Request body limits unless configured.
const (
	DefaultMaxBodyBytes   = 1 << 20
	DefaultMaxUploadBytes = 256 << 20
)

// Server is rarex's HTTP handler.
type Server struct {
	Options
	handler http.Handler
	routes  []Route
	pages   map[string]*pageTemplate
	metrics *metrics
}

// Route is one registered endpoint, listed for the authorisation matrix test.
type Route struct {
	Method  string
	Pattern string // ServeMux path pattern, e.g. /api/v1/organisations/{id}
	Public  bool   // reachable without signing in
}

// New builds a Server. Templates are parsed here, so a broken one fails at start.
func New(o Options) (*Server, error) {
	if o.Accounts == nil || o.Store == nil || o.Regime == nil || o.BOMs == nil || o.Screening == nil || o.Office == nil || o.Webhooks == nil {
		return nil, errors.New("web: Accounts, Store, Regime, BOMs, Screening, Office and Webhooks are required")
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Registry == nil {
		o.Registry = prometheus.NewRegistry()
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.MaxUploadBytes <= 0 {
		o.MaxUploadBytes = DefaultMaxUploadBytes
	}
	s := &Server{Options: o}
	var err error
	if s.pages, err = parsePages(); err != nil {
		return nil, err
	}
	if s.metrics, err = newMetrics(o.Registry); err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	add := func(method, pattern string, public bool, h http.HandlerFunc) {
		s.routes = append(s.routes, Route{Method: method, Pattern: pattern, Public: public})
		mux.HandleFunc(method+" "+pattern, h)
	}
	// Public.
	assets, _ := fs.Sub(files, "assets")
	assetServer := http.StripPrefix("/assets/", http.FileServerFS(assets))
	add("GET", "/assets/", true, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		assetServer.ServeHTTP(w, r)
	})
	add("GET", "/healthz", true, s.handleHealth)
	metricsHandler := promhttp.HandlerFor(o.Registry, promhttp.HandlerOpts{Registry: o.Registry})
	// Request counts and latencies by route say how the office is used:
	// an administrator's API token scrapes them.
	add("GET", "/metrics", false, s.api(func(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
		if err := rarex.Authorize(actor, rarex.ActViewMetrics, ""); err != nil {
			return err
		}
		metricsHandler.ServeHTTP(w, r)
		return nil
	}))
	add("GET", "/login", true, s.handleLoginPage)
	add("POST", "/login", true, s.handleLogin)
	add("POST", "/logout", true, s.handleLogout)
	add("GET", "/lang/{lang}", true, s.handleLang)
	add("GET", "/log/checkpoint", true, s.handleLogCheckpoint)
	add("GET", "/log/vkey", true, s.handleLogVKey)
	add("GET", "/log/tile/", true, s.handleLogTile)

	// UI, signed in.
	add("GET", "/{$}", false, s.page(s.handleHome))
	add("GET", "/tokens", false, s.page(s.handleTokensPage))
	add("POST", "/tokens", false, s.page(s.handleTokenCreateForm))
	add("POST", "/tokens/{id}/revoke", false, s.page(s.handleTokenRevokeForm))
	add("GET", "/users", false, s.page(s.handleUsersPage))
	add("POST", "/users", false, s.page(s.handleUserCreateForm))
	add("POST", "/users/{id}/disable", false, s.page(s.handleUserDisableForm(true)))
	add("POST", "/users/{id}/enable", false, s.page(s.handleUserDisableForm(false)))
	add("GET", "/determine", false, s.page(s.handleDeterminePage))
	add("POST", "/determine", false, s.page(s.handleDetermineForm))
	add("GET", "/boms", false, s.page(s.handleBOMsPage))
	add("POST", "/boms", false, s.upload(s.page(s.handleBOMUploadForm)))
	add("GET", "/boms/{id}", false, s.page(s.handleBOMPage))
	add("GET", "/boms/{id}/products/{product}", false, s.page(s.handleBOMPage))
	add("POST", "/boms/{id}/delete", false, s.page(s.handleBOMDeleteForm))
	add("POST", "/boms/{id}/products/{product}/whatif", false, s.upload(s.page(s.handleWhatIfForm)))
	add("GET", "/monitor", false, s.page(s.handleMonitorPage))
	add("GET", "/monitor/data/{chart}", false, s.page(s.handleMonitorData))
	add("GET", "/screen", false, s.page(s.handleScreenPage))
	add("POST", "/screen/batch", false, s.upload(s.page(s.handleScreenBatch)))
	add("POST", "/screen/clear", false, s.page(s.handleClearForm))
	add("POST", "/screen/parties", false, s.page(s.handleWatchForm))
	add("POST", "/screen/parties/{id}/delete", false, s.page(s.handleUnwatchForm))
	add("POST", "/screen/alerts/{id}/acknowledge", false, s.page(s.handleAcknowledgeForm))
	add("GET", "/applications", false, s.page(s.handleApplicationsPage))
	add("GET", "/applications/new", false, s.page(s.handleNewApplicationPage))
	add("POST", "/applications", false, s.page(s.handleCreateApplicationForm))
	add("GET", "/applications/{id}", false, s.page(s.handleApplicationPage))
	add("GET", "/applications/{id}/edit", false, s.page(s.handleEditApplicationPage))
	add("POST", "/applications/{id}/{action}", false, s.upload(s.page(s.handleApplicationForm)))
	add("GET", "/documents/{id}", false, s.page(s.serveDocument))
	add("GET", "/applications/{id}/log/{entry}/receipt", false, s.page(s.serveReceipt))
	add("GET", "/applications/{id}/log/{entry}/opening", false, s.page(s.serveOpening))
	add("GET", "/licences", false, s.page(s.handleLicencesPage))
	add("GET", "/licences/{id}", false, s.page(s.handleLicencePage))
	add("POST", "/licences/{id}/shipments", false, s.page(s.handleShipmentForm))
	add("POST", "/licences/{id}/status", false, s.page(s.handleLicenceStatusForm))
	add("GET", "/register", false, s.page(s.handleRegisterPage))
	add("POST", "/register", false, s.page(s.handleRegisterForm))
	add("POST", "/register/{id}/delete", false, s.page(s.handleRegisterDeleteForm))
	add("POST", "/register/profiles", false, s.page(s.handleProfileForm))
	add("GET", "/webhooks", false, s.page(s.handleWebhooksPage))
	add("POST", "/webhooks", false, s.page(s.handleWebhookForm))
	add("GET", "/webhooks/{id}", false, s.page(s.handleWebhooksPage))
	add("POST", "/webhooks/{id}/delete", false, s.page(s.handleWebhookDeleteForm))

	// JSON API, signed in (bearer token or session cookie).
	add("GET", "/api/v1/me", false, s.api(s.apiMe))
	add("GET", "/api/v1/organisations", false, s.api(s.apiListOrgs))
	add("POST", "/api/v1/organisations", false, s.api(s.apiCreateOrg))
	add("GET", "/api/v1/organisations/{id}", false, s.api(s.apiGetOrg))
	add("GET", "/api/v1/organisations/{id}/users", false, s.api(s.apiListUsers))
	add("POST", "/api/v1/users", false, s.api(s.apiCreateUser))
	add("POST", "/api/v1/users/{id}/disable", false, s.api(s.apiSetDisabled(true)))
	add("POST", "/api/v1/users/{id}/enable", false, s.api(s.apiSetDisabled(false)))
	add("GET", "/api/v1/tokens", false, s.api(s.apiListTokens))
	add("POST", "/api/v1/tokens", false, s.api(s.apiCreateToken))
	add("DELETE", "/api/v1/tokens/{id}", false, s.api(s.apiRevokeToken))
	add("POST", "/api/v1/determinations", false, s.api(s.apiDetermine))
	add("GET", "/api/v1/boms", false, s.api(s.apiListBOMs))
	add("POST", "/api/v1/boms", false, s.upload(s.api(s.apiUploadBOM)))
	add("GET", "/api/v1/boms/{id}", false, s.api(s.apiGetBOM))
	add("DELETE", "/api/v1/boms/{id}", false, s.api(s.apiDeleteBOM))
	add("GET", "/api/v1/boms/{id}/exposure", false, s.api(s.apiExposure))
	add("POST", "/api/v1/boms/{id}/whatif", false, s.upload(s.api(s.apiWhatIf)))
	add("POST", "/api/v1/screen", false, s.api(s.apiScreen))
	add("GET", "/api/v1/lists", false, s.api(s.apiLists))
	add("GET", "/api/v1/lists/{id}/versions", false, s.api(s.apiListVersions))
	add("POST", "/api/v1/clearances", false, s.api(s.apiClear))
	add("GET", "/api/v1/parties", false, s.api(s.apiParties))
	add("POST", "/api/v1/parties", false, s.api(s.apiWatch))
	add("DELETE", "/api/v1/parties/{id}", false, s.api(s.apiUnwatch))
	add("GET", "/api/v1/alerts", false, s.api(s.apiAlerts))
	add("POST", "/api/v1/alerts/{id}/acknowledge", false, s.api(s.apiAcknowledge))
	add("GET", "/api/v1/indicators", false, s.api(s.apiIndicators))
	add("GET", "/api/v1/applications", false, s.api(s.apiApplications))
	add("POST", "/api/v1/applications", false, s.api(s.apiCreateApplication))
	add("GET", "/api/v1/applications/{id}", false, s.api(s.apiGetApplication))
	add("PUT", "/api/v1/applications/{id}", false, s.api(s.apiUpdateApplication))
	add("POST", "/api/v1/applications/{id}/submit", false, s.api(s.apiTransition(apiSubmit)))
	add("POST", "/api/v1/applications/{id}/withdraw", false, s.api(s.apiTransition(apiWithdraw)))
	add("POST", "/api/v1/applications/{id}/documents", false, s.upload(s.api(s.apiAddDocument)))
	add("POST", "/api/v1/applications/{id}/information-requests", false, s.api(s.apiTransition(apiRequestInfo)))
	add("POST", "/api/v1/applications/{id}/answers", false, s.api(s.apiTransition(apiAnswer)))
	add("POST", "/api/v1/applications/{id}/messages", false, s.api(s.apiTransition(apiNote)))
	add("POST", "/api/v1/applications/{id}/decision", false, s.api(s.apiTransition(apiDecide)))
	add("POST", "/api/v1/applications/{id}/countersign", false, s.api(s.apiTransition(apiCountersign)))
	add("POST", "/api/v1/applications/{id}/return", false, s.api(s.apiTransition(apiReturn)))
	add("GET", "/api/v1/documents/{id}", false, s.api(s.serveDocument))
	add("GET", "/api/v1/applications/{id}/log", false, s.api(s.apiAppLog))
	add("GET", "/api/v1/applications/{id}/log/{entry}/receipt", false, s.api(s.serveReceipt))
	add("GET", "/api/v1/applications/{id}/log/{entry}/opening", false, s.api(s.serveOpening))
	add("GET", "/api/v1/licences", false, s.api(s.apiLicences))
	add("GET", "/api/v1/licences/{id}", false, s.api(s.apiLicence))
	add("POST", "/api/v1/licences/{id}/shipments", false, s.api(s.apiShipment))
	add("POST", "/api/v1/licences/{id}/status", false, s.api(s.apiLicenceStatus))
	add("GET", "/api/v1/events", false, s.api(s.apiEvents))
	add("GET", "/api/v1/register", false, s.api(s.apiRegister))
	add("POST", "/api/v1/register", false, s.api(s.apiAddRegister))
	add("DELETE", "/api/v1/register/{id}", false, s.api(s.apiDeleteRegister))
	add("GET", "/api/v1/organisations/{id}/profile", false, s.api(s.apiProfile))
	add("PUT", "/api/v1/organisations/{id}/profile", false, s.api(s.apiSetProfile))
	add("GET", "/api/v1/webhooks", false, s.api(s.apiWebhooks))
	add("POST", "/api/v1/webhooks", false, s.api(s.apiCreateWebhook))
	add("DELETE", "/api/v1/webhooks/{id}", false, s.api(s.apiDeleteWebhook))
	add("GET", "/api/v1/webhooks/{id}/deliveries", false, s.api(s.apiDeliveries))

	root := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		s.unrouted(w, r, mux)
	})

	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeAny(w, r, rarex.Errorf(rarex.EFORBIDDEN, "Cross-origin request refused."), "error.cross_origin")
	}))
	s.handler = s.observe(securityHeaders(csrf.Handler(root)))
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Routes lists every registered endpoint.
func (s *Server) Routes() []Route { return append([]Route(nil), s.routes...) }

func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
		h.ServeHTTP(w, r)
	})
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.Store.Ping(ctx); err != nil {
		s.Log.Warn("health check failed", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// clientAddr is the peer's IP. Proxies' forwarding headers are not trusted:
// behind a proxy, all clients share the proxy's rate-limit bucket.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	logins   *prometheus.CounterVec
}

func newMetrics(reg *prometheus.Registry) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rarex_http_requests_total", Help: "HTTP requests by route pattern, method and status."}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "rarex_http_request_duration_seconds", Help: "HTTP request latency by route pattern.", Buckets: prometheus.DefBuckets}, []string{"route"}),
		logins:   prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rarex_logins_total", Help: "Sign-in attempts by result."}, []string{"result"}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.duration, m.logins} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe records metrics and one log line per request.
func (s *Server) observe(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		route := r.Pattern // set by the ServeMux on this same request
		if route == "" {
			route = "unmatched"
		}
		d := time.Since(start)
		s.metrics.requests.WithLabelValues(route, r.Method, strconv.Itoa(sw.status)).Inc()
		s.metrics.duration.WithLabelValues(route).Observe(d.Seconds())
		s.Log.LogAttrs(r.Context(), slog.LevelInfo, "http", slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", sw.status), slog.Duration("duration", d), slog.String("remote", clientAddr(r)))
	})
}

// unrouted answers a request no route matched: 405 with Allow when the path
// exists for other methods, else 404; JSON under /api, a page elsewhere.
func (s *Server) unrouted(w http.ResponseWriter, r *http.Request, mux *http.ServeMux) {
	probe := &probeWriter{header: http.Header{}}
	mux.ServeHTTP(probe, r)
	if probe.status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", probe.header.Get("Allow"))
		var body ErrorBody
		body.Error.Code, body.Error.Message = "method_not_allowed", "Method "+r.Method+" is not allowed here; allowed: "+probe.header.Get("Allow")
		writeJSON(w, http.StatusMethodNotAllowed, body)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/api/") {
		s.writeError(w, r, rarex.Errorf(rarex.ENOTFOUND, "No such endpoint: %s %s", r.Method, r.URL.Path))
		return
	}
	s.renderError(w, r, nil, rarex.Errorf(rarex.ENOTFOUND, "No such page."))
}

// probeWriter records what the mux would answer, writing nothing.
type probeWriter struct {
	header http.Header
	status int
}

func (p *probeWriter) Header() http.Header         { return p.header }
func (p *probeWriter) Write(b []byte) (int, error) { return len(b), nil }
func (p *probeWriter) WriteHeader(code int)        { p.status = code }

// upload marks a route whose body may be as large as MaxUploadBytes: the
// wrappers' smaller limit is lifted here and the handler sets its own.
func (s *Server) upload(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h(w, r.WithContext(withUpload(r.Context())))
	}
}

type uploadKey struct{}

func withUpload(ctx context.Context) context.Context {
	return context.WithValue(ctx, uploadKey{}, true)
}

// bodyLimit is the body limit of r: MaxUploadBytes on upload routes.
func (s *Server) bodyLimit(r *http.Request) int64 {
	if r.Context().Value(uploadKey{}) != nil {
		return s.MaxUploadBytes
	}
	return s.MaxBodyBytes
}
