package accounts

import (
	"sync"
	"time"

	"rarex"
)

// Limiter counts failed sign-ins per account and per client address in
// fixed windows. It lives in memory: with several replicas each counts its
// own share, which still bounds guessing to replicas × limit.
type Limiter struct {
	Clock         rarex.Clock
	Window        time.Duration
	MaxPerAccount int
	MaxPerAddress int
	mu            sync.Mutex
	failures      map[string]*window
	lastPrune     time.Time
}

type window struct {
	start time.Time
	n     int
}

// NewLimiter allows 5 failures per account and 20 per address in 15 minutes.
func NewLimiter(c rarex.Clock) *Limiter {
	return &Limiter{Clock: c, Window: 15 * time.Minute, MaxPerAccount: 5, MaxPerAddress: 20, failures: map[string]*window{}}
}

func (l *Limiter) count(key string, now time.Time) int {
	w := l.failures[key]
	if w == nil || now.Sub(w.start) >= l.Window {
		return 0
	}
	return w.n
}

// Allow returns ERATELIMIT when the account or the address has failed too often.
func (l *Limiter) Allow(account, addr string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.Clock.Now()
	if l.count("a:"+account, now) >= l.MaxPerAccount || l.count("i:"+addr, now) >= l.MaxPerAddress {
		return rarex.Errorf(rarex.ERATELIMIT, "Too many failed sign-in attempts. Try again in %d minutes.", int(l.Window.Minutes()))
	}
	return nil
}

// Fail records a failed attempt.
func (l *Limiter) Fail(account, addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.Clock.Now()
	for _, k := range []string{"a:" + account, "i:" + addr} {
		w := l.failures[k]
		if w == nil || now.Sub(w.start) >= l.Window {
			w = &window{start: now}
			l.failures[k] = w
		}
		w.n++
	}
	l.prune(now)
}

// Succeed clears an account's failures after a correct password.
func (l *Limiter) Succeed(account string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, "a:"+account)
}

// prune drops expired windows at most once per window, so the map stays small.
func (l *Limiter) prune(now time.Time) {
	if now.Sub(l.lastPrune) < l.Window {
		return
	}
	l.lastPrune = now
	for k, w := range l.failures {
		if now.Sub(w.start) >= l.Window {
			delete(l.failures, k)
		}
	}
}
