package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"rarex"
	"rarex/licensing"
	"rarex/postgres"
	"rarex/sqlite"
)

// Config is every setting of rarex: defaults, then RAREX_* environment
// variables, then flags; Validate runs last.
type Config struct {
	DB              string        // DSN: sqlite:PATH or postgres://...; default sqlite:<DataDir>/rarex.db
	Addr            string        // listen address of serve
	DataDir         string        // where the SQLite file (and later the log tiles) live
	Demo            bool          // seed demo organisations and users
	SessionTTL      time.Duration // how long a sign-in lasts
	LogFormat       string        // text or json
	LogLevel        string        // debug, info, warn, error
	MaxBodyBytes    int64         // request body limit
	SecureCookies   bool          // mark cookies Secure behind a TLS-terminating proxy
	ShutdownTimeout time.Duration // how long in-flight requests get at shutdown
	RulesDir        string        // a directory of regime YAML files; empty: the shipped regime
	// CountersignAbove is the value above which an approval needs a second
	// reviewer, per currency: "USD=1000000,CNY=7000000". A currency not
	// named always needs one; so does every denial.
	CountersignAbove string
	// WebhooksInsecure lets webhooks use http:// and private addresses
	// (closed networks, tests); by default they must be https to public hosts.
	WebhooksInsecure bool
	// SecretsKey is the file of the key that seals webhook secrets in the
	// database (default <data>/secrets.key, made at first start). Every
	// instance on one database needs the same file.
	SecretsKey string
	// LogOrigin names the public log in its checkpoints; it is fixed for
	// the life of the log (default: <host name>/rarex/log).
	LogOrigin string
	// Witnesses ("VKEY=URL", repeatable) must cosign, at least
	// WitnessQuorum of them, before a checkpoint is published.
	Witnesses     []string
	WitnessQuorum int
	// PublicLog runs the log of decisions in this instance. Exactly one
	// instance writes it (its files are the log); replicas behind a load
	// balancer on one PostgreSQL set it false, and their decisions wait in the
	// shared outbox for the instance that keeps the log.
	PublicLog bool
}

// DefaultConfig returns the built-in defaults.
func DefaultConfig() Config {
	return Config{Addr: "127.0.0.1:8080", DataDir: "./rarex-data", SessionTTL: 12 * time.Hour, LogFormat: "text",
		LogLevel: "info", MaxBodyBytes: 1 << 20, ShutdownTimeout: 15 * time.Second,
		CountersignAbove: "USD=1000000,CNY=7000000,EUR=900000", PublicLog: true}
}

// envVars maps each environment variable to the setting it fills.
var envVars = []struct {
	name string
	set  func(c *Config, v string) error
}{
	{"RAREX_DB", func(c *Config, v string) error { c.DB = v; return nil }},
	{"RAREX_ADDR", func(c *Config, v string) error { c.Addr = v; return nil }},
	{"RAREX_DATA", func(c *Config, v string) error { c.DataDir = v; return nil }},
	{"RAREX_PUBLIC_LOG", func(c *Config, v string) (err error) { c.PublicLog, err = strconv.ParseBool(v); return }},
	{"RAREX_LOG_ORIGIN", func(c *Config, v string) error { c.LogOrigin = v; return nil }},
	{"RAREX_WEBHOOKS_INSECURE", func(c *Config, v string) (err error) { c.WebhooksInsecure, err = strconv.ParseBool(v); return }},
	{"RAREX_SECRETS_KEY", func(c *Config, v string) error { c.SecretsKey = v; return nil }},
	{"RAREX_COUNTERSIGN_ABOVE", func(c *Config, v string) error { c.CountersignAbove = v; return nil }},
	{"RAREX_DEMO", func(c *Config, v string) (err error) { c.Demo, err = strconv.ParseBool(v); return }},
	{"RAREX_SESSION_TTL", func(c *Config, v string) (err error) { c.SessionTTL, err = time.ParseDuration(v); return }},
	{"RAREX_LOG_FORMAT", func(c *Config, v string) error { c.LogFormat = v; return nil }},
	{"RAREX_LOG_LEVEL", func(c *Config, v string) error { c.LogLevel = v; return nil }},
	{"RAREX_MAX_BODY_BYTES", func(c *Config, v string) (err error) { c.MaxBodyBytes, err = strconv.ParseInt(v, 10, 64); return }},
	{"RAREX_SECURE_COOKIES", func(c *Config, v string) (err error) { c.SecureCookies, err = strconv.ParseBool(v); return }},
	{"RAREX_RULES", func(c *Config, v string) error { c.RulesDir = v; return nil }},
	{"RAREX_SHUTDOWN_TIMEOUT", func(c *Config, v string) (err error) { c.ShutdownTimeout, err = time.ParseDuration(v); return }},
}

// applyEnv overlays the environment (looked up through getenv) on c.
func (c *Config) applyEnv(getenv func(string) string) error {
	for _, e := range envVars {
		if v := getenv(e.name); v != "" {
			if err := e.set(c, v); err != nil {
				return fmt.Errorf("environment %s=%q: %v", e.name, v, err)
			}
		}
	}
	return nil
}

// bindStoreFlags registers the flags every command that opens the store has.
func (c *Config) bindStoreFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.DB, "db", c.DB, "database DSN: sqlite:PATH or postgres://user@host/db (default sqlite:<data>/rarex.db)")
	fs.StringVar(&c.DataDir, "data", c.DataDir, "data directory")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "log format: text or json")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "log level: debug, info, warn, error")
}

// bindServeFlags registers serve's own flags.
func (c *Config) bindServeFlags(fs *flag.FlagSet) {
	c.bindStoreFlags(fs)
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address")
	fs.BoolVar(&c.Demo, "demo", c.Demo, "seed demo organisations and users (idempotent) and print their logins")
	fs.DurationVar(&c.SessionTTL, "session-ttl", c.SessionTTL, "how long a sign-in lasts")
	fs.Int64Var(&c.MaxBodyBytes, "max-body-bytes", c.MaxBodyBytes, "request body limit in bytes")
	fs.BoolVar(&c.SecureCookies, "secure-cookies", c.SecureCookies, "mark cookies Secure (behind a TLS-terminating proxy)")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", c.ShutdownTimeout, "grace period for in-flight requests at shutdown")
	fs.StringVar(&c.RulesDir, "rules", c.RulesDir, "directory of regime YAML files (default: the shipped regime)")
	fs.Func("witness", "a witness that must cosign checkpoints: VKEY=URL (repeatable)", func(v string) error {
		c.Witnesses = append(c.Witnesses, v)
		return nil
	})
	fs.IntVar(&c.WitnessQuorum, "witness-quorum", c.WitnessQuorum, "how many of the witnesses must cosign (default: all)")
	fs.BoolVar(&c.PublicLog, "public-log", c.PublicLog, "keep the public log of decisions in this instance (exactly one instance does)")
	fs.StringVar(&c.LogOrigin, "log-origin", c.LogOrigin, "the public log's origin line, fixed for its life (default <host name>/rarex/log)")
	fs.BoolVar(&c.WebhooksInsecure, "webhooks-insecure", c.WebhooksInsecure, "allow webhooks over http:// and to private addresses (closed networks only)")
	fs.StringVar(&c.SecretsKey, "secrets-key", c.SecretsKey, "the key file that seals webhook secrets in the database; every instance on one database needs the same (default <data>/secrets.key, made at first start)")
	fs.StringVar(&c.CountersignAbove, "countersign-above", c.CountersignAbove, "approvals above these values need a second reviewer: CUR=AMOUNT,... (other currencies always do)")
}

// countersignPolicy reads --countersign-above.
func (c *Config) countersignPolicy() (licensing.Policy, error) {
	p := licensing.Policy{CountersignAbove: map[string]rarex.Money{}}
	for _, part := range strings.Split(c.CountersignAbove, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		cur, amount, ok := strings.Cut(part, "=")
		m, err := rarex.ParseMoney(amount)
		if !ok || len(cur) != 3 || strings.ToUpper(cur) != cur || err != nil {
			return p, fmt.Errorf("countersignature values (--countersign-above, RAREX_COUNTERSIGN_ABOVE): %q is not CUR=AMOUNT, e.g. USD=1000000", part)
		}
		p.CountersignAbove[cur] = m
	}
	return p, nil
}

// Validate fills derived defaults and rejects bad settings with a message
// naming the setting.
func (c *Config) Validate() error {
	if strings.TrimSpace(c.DataDir) == "" {
		return fmt.Errorf("data directory (--data, RAREX_DATA): must not be empty")
	}
	if c.DB == "" {
		c.DB = "sqlite:" + filepath.Join(c.DataDir, "rarex.db")
	}
	if _, _, err := splitDSN(c.DB); err != nil {
		return err
	}
	if c.SessionTTL < time.Minute || c.SessionTTL > 30*24*time.Hour {
		return fmt.Errorf("session TTL (--session-ttl, RAREX_SESSION_TTL): %s is outside 1m..720h", c.SessionTTL)
	}
	if c.MaxBodyBytes < 1024 || c.MaxBodyBytes > 1<<30 {
		return fmt.Errorf("max body bytes (--max-body-bytes, RAREX_MAX_BODY_BYTES): %d is outside 1024..1073741824", c.MaxBodyBytes)
	}
	if _, err := c.countersignPolicy(); err != nil {
		return err
	}
	if c.ShutdownTimeout <= 0 {
		return fmt.Errorf("shutdown timeout (--shutdown-timeout): must be positive")
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("log format (--log-format, RAREX_LOG_FORMAT): %q is not text or json", c.LogFormat)
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return fmt.Errorf("log level (--log-level, RAREX_LOG_LEVEL): %q is not debug, info, warn or error", c.LogLevel)
	}
	return nil
}

// splitDSN returns the store kind ("sqlite" or "postgres") and its address.
func splitDSN(dsn string) (kind, addr string, err error) {
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(dsn, "sqlite:")
		path = strings.TrimPrefix(path, "//")
		if path == "" {
			return "", "", fmt.Errorf("database DSN %q: sqlite: needs a file path, e.g. sqlite:./rarex-data/rarex.db", dsn)
		}
		return "sqlite", path, nil
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return "postgres", dsn, nil
	}
	scheme, _, _ := strings.Cut(dsn, ":")
	return "", "", fmt.Errorf("database DSN: unknown scheme %q; use sqlite:PATH or postgres://user@host:5432/db", scheme)
}

// logger builds the process logger from the config.
func (c *Config) logger(w io.Writer) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(c.LogLevel))
	opts := &slog.HandlerOptions{Level: lvl}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// openStore opens the configured database, creating the data directory for
// a SQLite file and checking it is writable first.
func openStore(ctx context.Context, c Config) (rarex.Store, error) {
	kind, addr, err := splitDSN(c.DB)
	if err != nil {
		return nil, err
	}
	if kind == "postgres" {
		return postgres.Open(ctx, addr)
	}
	dir := filepath.Dir(addr)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("data directory %s: cannot create it: %v", dir, err)
	}
	probe, err := os.CreateTemp(dir, ".rarex-write-check-*")
	if err != nil {
		return nil, fmt.Errorf("data directory %s: not writable: %v", dir, err)
	}
	probe.Close()
	os.Remove(probe.Name())
	return sqlite.Open(ctx, addr)
}
