package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"rarex"
	"rarex/accounts"
	"rarex/boms"
	"rarex/licensing"
	"rarex/office"
	"rarex/rules"
	"rarex/screening"
	"rarex/tlog"
	"rarex/web"
	"rarex/webhooks"
	"rarex/workdays"
)

func (a *App) serve(ctx context.Context, args []string) error {
	cfg, _, err := a.config("serve", args, (*Config).bindServeFlags)
	if err != nil {
		return err
	}
	log := cfg.logger(a.Stderr)
	regime, err := loadRegime(cfg.RulesDir)
	if err != nil {
		return err
	}
	// Listen first: a taken port fails before anything is written.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("cannot listen on %s: the address is in use (is another rarex running? choose another with --addr)", cfg.Addr)
		}
		return fmt.Errorf("cannot listen on %s: %v", cfg.Addr, err)
	}
	defer ln.Close()

	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()

	svc := accounts.New(store, rarex.SystemClock{}, rarex.RandomIDs{})
	svc.SessionTTL, svc.Log = cfg.SessionTTL, log
	bomSvc := &boms.Service{Store: store, Regime: regime, Clock: rarex.SystemClock{}, IDs: rarex.RandomIDs{}}
	screenSvc := &screening.Service{Store: store, Clock: rarex.SystemClock{}, IDs: rarex.RandomIDs{}}
	if cfg.Demo {
		if err := seedDemo(ctx, a, svc, bomSvc); err != nil {
			return fmt.Errorf("seeding demo data: %w", err)
		}
		if _, err := screenSvc.SeedDemo(ctx, accounts.Operator); err != nil {
			return fmt.Errorf("seeding the demo list: %w", err)
		}
	}
	if err := screenSvc.Load(ctx); err != nil {
		return fmt.Errorf("loading restricted-party lists: %w", err)
	}
	officeSvc, err := newOffice(&cfg, store, regime, screenSvc, bomSvc, rarex.SystemClock{})
	if err != nil {
		return err
	}
	if cfg.Demo {
		if err := officeSvc.SeedDemo(ctx); err != nil {
			return fmt.Errorf("seeding the demo licence office: %w", err)
		}
	}

	// The log outlives the request context: at shutdown it still publishes a
	// checkpoint covering what it sequenced, then stops.
	logCtx, stopLog := context.WithCancel(context.WithoutCancel(ctx))
	defer stopLog()
	var pubLog *tlog.Log
	if cfg.PublicLog {
		if pubLog, err = openPublicLog(logCtx, &cfg, log); err != nil {
			return err
		}
		defer func() {
			closeCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := pubLog.Close(closeCtx); err != nil {
				log.Warn("closing the public log", "err", err)
			}
		}()
		officeSvc.Log = pubLog
		fmt.Fprintf(a.Stdout, "Public log %q; overseers pin its verifier key:\n  %s\n", pubLog.Origin, pubLog.Key.VKey)
	} else {
		fmt.Fprintln(a.Stdout, "Public log: kept by another instance (--public-log=false); decisions wait in the shared outbox")
	}

	sealer, err := openSecretsKey(&cfg)
	if err != nil {
		return err
	}
	hooks := &webhooks.Service{Store: store, Clock: rarex.SystemClock{}, IDs: rarex.RandomIDs{}, AllowInsecure: cfg.WebhooksInsecure, Sealer: sealer}
	if n, err := hooks.SealStored(ctx); err != nil {
		return fmt.Errorf("sealing stored webhook secrets: %w", err)
	} else if n > 0 {
		log.Info("sealed webhook secrets stored before sealing", "hooks", n)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	handler, err := web.New(web.Options{Accounts: svc, Store: store, Regime: regime, BOMs: bomSvc, Screening: screenSvc, Office: officeSvc, PublicLog: pubLog, Log: log, Registry: reg,
		Webhooks:     hooks,
		MaxBodyBytes: cfg.MaxBodyBytes, SecureCookies: cfg.SecureCookies})
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	addr := ln.Addr().String()
	fmt.Fprintf(a.Stdout, "rarex is serving on http://%s (data: %s)\n", addr, redactDSN(cfg.DB))
	log.Info("serving", "addr", addr, "db", redactDSN(cfg.DB))
	if a.OnListen != nil {
		a.OnListen(addr)
	}

	sweepCtx, stopSweep := context.WithCancel(ctx)
	defer stopSweep()
	go sweepSessions(sweepCtx, store, log)
	dispatcher := &webhooks.Dispatcher{Store: store, Clock: rarex.SystemClock{}, IDs: rarex.RandomIDs{}, Log: log, Client: webhooks.SafeClient(cfg.WebhooksInsecure), Sealer: sealer}
	go dispatcher.Run(sweepCtx, 2*time.Second)
	if pubLog != nil {
		appender := &tlog.Appender{Log: pubLog, Store: store, Clock: rarex.SystemClock{}, Logger: log}
		go appender.Run(sweepCtx, 500*time.Millisecond)
	}

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("server stopped: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down; finishing in-flight requests", "grace", cfg.ShutdownTimeout)
	shutCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

// openPublicLog opens the decisions' log under the data directory, making
// its signing key (mode 0600) at first start.
// openSecretsKey reads the key that seals webhook secrets (hex, one line),
// making it, readable by the owner only, when the file does not exist.
func openSecretsKey(cfg *Config) (*webhooks.Sealer, error) {
	path := cfg.SecretsKey
	if path == "" {
		path = filepath.Join(cfg.DataDir, "secrets.key")
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key := make([]byte, webhooks.SecretsKeySize)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("secrets key %s: %w", path, err)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("secrets key %s: %w", path, err)
		}
		_, werr := fmt.Fprintln(f, hex.EncodeToString(key))
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return nil, fmt.Errorf("secrets key %s: %w", path, werr)
		}
		return webhooks.NewSealer(key)
	}
	if err != nil {
		return nil, fmt.Errorf("secrets key %s: %w", path, err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) != webhooks.SecretsKeySize {
		return nil, fmt.Errorf("secrets key %s: want %d bytes in hex on one line", path, webhooks.SecretsKeySize)
	}
	return webhooks.NewSealer(key)
}

func openPublicLog(ctx context.Context, cfg *Config, logger *slog.Logger) (*tlog.Log, error) {
	origin := cfg.LogOrigin
	if origin == "" {
		host, err := os.Hostname()
		if err != nil || host == "" {
			host = "localhost"
		}
		origin = strings.ToLower(host) + "/rarex/log"
	}
	dir := filepath.Join(cfg.DataDir, "log")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("log directory %s: %w", dir, err)
	}
	key, err := tlog.LoadOrCreateKey(dir, origin)
	if err != nil {
		return nil, err
	}
	opt := tlog.Options{Quorum: cfg.WitnessQuorum, Logger: logger}
	for _, w := range cfg.Witnesses {
		vkey, u, ok := strings.Cut(w, "=")
		if !ok {
			return nil, fmt.Errorf("--witness %q: want VKEY=URL", w)
		}
		opt.Witnesses = append(opt.Witnesses, tlog.WitnessEndpoint{VKey: vkey, URL: u})
	}
	if len(opt.Witnesses) > 0 && opt.Quorum == 0 {
		opt.Quorum = len(opt.Witnesses)
	}
	return tlog.Open(ctx, dir, origin, key, opt)
}

// newOffice builds the licence office on the shipped procedure and calendar.
func newOffice(cfg *Config, store rarex.Store, regime *rules.Regime, scr *screening.Service, bs *boms.Service, clock rarex.Clock) (*office.Service, error) {
	proc, err := licensing.Shipped()
	if err != nil {
		return nil, err
	}
	cal, err := workdays.China()
	if err != nil {
		return nil, err
	}
	pol, err := cfg.countersignPolicy()
	if err != nil {
		return nil, err
	}
	return &office.Service{Store: store, Clock: clock, IDs: rarex.RandomIDs{}, Regime: regime, Proc: proc, Cal: cal, Screening: scr, BOMs: bs, Policy: pol}, nil
}

// seedDemo creates the demo accounts and the exporter's demo BOM, once.
func seedDemo(ctx context.Context, a *App, svc *accounts.Service, bomSvc *boms.Service) error {
	logins, err := svc.SeedDemo(ctx)
	if err != nil {
		return err
	}
	printDemoLogins(a, logins)
	for _, l := range logins {
		if l.Role != rarex.RoleExporter {
			continue
		}
		u, err := svc.Store.FindUserByEmail(ctx, l.Email)
		if err != nil {
			return err
		}
		if _, err := bomSvc.SeedDemo(ctx, u); err != nil {
			return err
		}
		return nil
	}
	return nil
}

func printDemoLogins(a *App, logins []accounts.DemoLogin) {
	fmt.Fprintln(a.Stdout, "Demo accounts:")
	for _, l := range logins {
		pw := l.Password
		if pw == "" {
			pw = "(set at first start; reset with: rarex user passwd --email " + l.Email + ")"
		}
		fmt.Fprintf(a.Stdout, "  %-9s %-26s %s   [%s]\n", l.Role, l.Email, pw, l.Org)
	}
	fmt.Fprintln(a.Stdout, "Passwords are shown only when an account is created.")
}

// sweepSessions deletes expired sessions every ten minutes.
func sweepSessions(ctx context.Context, store rarex.Store, log *slog.Logger) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := store.DeleteExpiredSessions(ctx, time.Now().UTC()); err != nil {
				log.Warn("sweeping sessions", "err", err)
			} else if n > 0 {
				log.Debug("swept expired sessions", "count", n)
			}
		}
	}
}

// redactDSN hides a password in a postgres URL before it is logged.
func redactDSN(dsn string) string {
	kind, _, err := splitDSN(dsn)
	if err != nil || kind != "postgres" {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://(unparsable DSN)"
	}
	return u.Redacted()
}
