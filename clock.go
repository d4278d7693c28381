package rarex

import (
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"sync/atomic"
	"time"
)

// Clock tells the time. It is injected everywhere a time is recorded or
// compared, so deadlines, expiries and log timestamps are testable.
type Clock interface{ Now() time.Time }

// SystemClock is the wall clock, in UTC.
type SystemClock struct{}

// Now returns the current time in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

// FixedClock is a settable clock for tests and replays.
type FixedClock struct{ T time.Time }

// Now returns the clock's current time.
func (c *FixedClock) Now() time.Time { return c.T }

// Advance moves the clock forward by d.
func (c *FixedClock) Advance(d time.Duration) { c.T = c.T.Add(d) }

// IDSource generates identifiers for new records. It is injected so tests can
// predict IDs.
type IDSource interface{ NewID() string }

// RandomIDs produces 128-bit random identifiers in hex.
type RandomIDs struct{}

// NewID returns a fresh 32-character hex identifier.
func (RandomIDs) NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("rarex: crypto/rand failed: " + err.Error())
	}
	return hex.EncodeToString(b[:])
}

// SequenceIDs produces predictable identifiers "<prefix>1", "<prefix>2"... for tests.
// It is safe for concurrent use.
type SequenceIDs struct {
	Prefix string
	n      atomic.Int64
}

// NewID returns the next identifier in the sequence.
func (s *SequenceIDs) NewID() string {
	return s.Prefix + strconv.FormatInt(s.n.Add(1), 10)
}
