// Package sqldb implements rarex's stores over database/sql once, for every
// SQL dialect rarex supports. The sqlite and postgres packages open their
// database, run their own migrations and supply a Dialect; the queries here
// are written in the portable subset both dialects share, with "?"
// placeholders that the dialect rebinds.
package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"rarex"
)

// Dialect is what differs between databases.
type Dialect struct {
	Name string
	// Numbered placeholders ($1, $2 ...) instead of "?".
	Numbered bool
	// TimeValue converts a UTC time into the driver's value for a timestamp column.
	TimeValue func(time.Time) any
	// Classify maps a driver error to a rarex code (ECONFLICT for a unique
	// violation, EINVALID for a foreign-key or check violation), or "" when
	// the error is not a constraint violation.
	Classify func(error) string
}

// Store implements rarex.AccountStore on a *sql.DB.
type Store struct {
	DB      *sql.DB
	Dialect Dialect
}

// TimeFormat is the fixed-width text form used where a dialect stores times
// as text: it sorts lexically in time order.
const TimeFormat = "2006-01-02T15:04:05.000000Z"

// Canonical returns t as both stores keep it: UTC, microsecond precision.
func Canonical(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func (s *Store) rebind(q string) string {
	if !s.Dialect.Numbered {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (s *Store) t(t time.Time) any { return s.Dialect.TimeValue(Canonical(t)) }

func (s *Store) tp(t *time.Time) any {
	if t == nil {
		return nil
	}
	return s.t(*t)
}

// wrap turns a driver error into a rarex error where the cause is known.
func (s *Store) wrap(err error, what string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return rarex.Errorf(rarex.ENOTFOUND, "%s not found.", what)
	}
	var re *rarex.Error
	if errors.As(err, &re) {
		return err
	}
	// The driver's text stays in the chain for logs; users see the message.
	switch s.Dialect.Classify(err) {
	case rarex.ECONFLICT:
		return fmt.Errorf("%w (%v)", rarex.Errorf(rarex.ECONFLICT, "%s already exists.", what), err)
	case rarex.EINVALID:
		return fmt.Errorf("%w (%v)", rarex.Errorf(rarex.EINVALID, "%s refers to something that does not exist or breaks a rule.", what), err)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", what, err)
	}
	return fmt.Errorf("%s: %s store: %w", what, s.Dialect.Name, err)
}

// inTx runs fn in a transaction, committing if it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.DB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s store: begin: %w", s.Dialect.Name, err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s store: commit: %w", s.Dialect.Name, err)
	}
	return nil
}

// timeCol scans a timestamp stored as text or as a native time.
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(v any) error {
	switch x := v.(type) {
	case time.Time:
		*c.t = Canonical(x)
	case string:
		t, err := time.Parse(time.RFC3339Nano, x)
		if err != nil {
			return fmt.Errorf("timestamp %q: %w", x, err)
		}
		*c.t = Canonical(t)
	case []byte:
		return c.Scan(string(x))
	default:
		return fmt.Errorf("timestamp: unexpected %T", v)
	}
	return nil
}

// nullTimeCol scans a nullable timestamp into a **time.Time.
type nullTimeCol struct{ t **time.Time }

func (c nullTimeCol) Scan(v any) error {
	if v == nil {
		*c.t = nil
		return nil
	}
	var t time.Time
	if err := (timeCol{&t}).Scan(v); err != nil {
		return err
	}
	*c.t = &t
	return nil
}

// Ping checks the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.DB.PingContext(ctx); err != nil {
		return rarex.Errorf(rarex.EUNAVAILABLE, "The %s database cannot be reached: %v", s.Dialect.Name, err)
	}
	return nil
}
