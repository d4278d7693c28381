package rarex

import (
	"context"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// OrgKind says what an organisation is in the regime.
type OrgKind string

// Organisation kinds.
const (
	OrgExporter  OrgKind = "exporter"  // a company that exports or makes products: a tenant
	OrgAuthority OrgKind = "authority" // the licensing authority
	OrgOverseer  OrgKind = "overseer"  // a neutral monitor (WTO/IEA-like)
)

// Valid reports whether k is a known kind.
func (k OrgKind) Valid() bool {
	return k == OrgExporter || k == OrgAuthority || k == OrgOverseer
}

// Role is what a user may do. Each user has exactly one.
type Role string

// Roles.
const (
	RoleExporter Role = "exporter" // acts for their own organisation only
	RoleReviewer Role = "reviewer" // reviews licence applications
	RoleAdmin    Role = "admin"    // runs the authority: accounts, tokens, countersignatures
	RoleOverseer Role = "overseer" // sees aggregates and the public log only
)

// Roles lists every role, in a stable order.
var Roles = []Role{RoleExporter, RoleReviewer, RoleAdmin, RoleOverseer}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// OrgKind returns the kind of organisation a user with this role belongs to.
func (r Role) OrgKind() OrgKind {
	switch r {
	case RoleExporter:
		return OrgExporter
	case RoleReviewer, RoleAdmin:
		return OrgAuthority
	case RoleOverseer:
		return OrgOverseer
	}
	return ""
}

// Organisation is a tenant.
type Organisation struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Kind      OrgKind   `json:"kind"`
	Country   string    `json:"country"` // ISO 3166-1 alpha-2, upper case; may be empty
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Validate returns EINVALID naming the first bad field.
func (o *Organisation) Validate() error {
	switch {
	case strings.TrimSpace(o.Name) == "":
		return Errorf(EINVALID, "organisation name: required")
	case utf8.RuneCountInString(o.Name) > 200:
		return Errorf(EINVALID, "organisation name: longer than 200 characters")
	case !o.Kind.Valid():
		return Errorf(EINVALID, "organisation kind: %q is not one of exporter, authority, overseer", o.Kind)
	case o.Country != "" && !IsCountry(o.Country):
		return Errorf(EINVALID, "organisation country: %q is not an ISO 3166 two-letter country code (upper case)", o.Country)
	}
	return nil
}

// User is a person who signs in. PasswordHash is an encoded argon2id hash and
// never leaves the server.
type User struct {
	ID           string     `json:"id"`
	OrgID        string     `json:"org_id"`
	Email        string     `json:"email"` // stored lower-case
	Name         string     `json:"name"`
	Role         Role       `json:"role"`
	PasswordHash string     `json:"-"`
	DisabledAt   *time.Time `json:"disabled_at,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

// Disabled reports whether the user may no longer sign in or use tokens.
func (u *User) Disabled() bool { return u.DisabledAt != nil }

// NormalizeEmail lower-cases and trims an address so lookups are case-blind.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Validate returns EINVALID naming the first bad field.
func (u *User) Validate() error {
	switch {
	case u.OrgID == "":
		return Errorf(EINVALID, "user org_id: required")
	case u.Email == "":
		return Errorf(EINVALID, "user email: required")
	case len(u.Email) > 254:
		return Errorf(EINVALID, "user email: longer than 254 characters")
	case u.Email != NormalizeEmail(u.Email):
		return Errorf(EINVALID, "user email: %q must be lower-case without surrounding spaces", u.Email)
	case !validEmail(u.Email):
		return Errorf(EINVALID, "user email: %q is not an e-mail address", u.Email)
	case utf8.RuneCountInString(u.Name) > 200:
		return Errorf(EINVALID, "user name: longer than 200 characters")
	case !u.Role.Valid():
		return Errorf(EINVALID, "user role: %q is not one of exporter, reviewer, admin, overseer", u.Role)
	case u.PasswordHash == "":
		return Errorf(EINVALID, "user password: required")
	}
	return nil
}

func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == ""
}

// Session is a signed-in browser. The cookie holds a random secret; only its
// SHA-256 hash (TokenHash) is stored, so a stolen database yields no sessions.
type Session struct {
	TokenHash string    `json:"-"`
	UserID    string    `json:"user_id"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// APIToken is a bearer credential for the JSON API. Like sessions, only the
// hash of the secret is stored; the secret is shown once at creation.
type APIToken struct {
	ID         string     `json:"id"`
	UserID     string     `json:"user_id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"` // first characters of the secret, to recognise it
	TokenHash  string     `json:"-"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

// Active reports whether the token may be used at now.
func (t *APIToken) Active(now time.Time) bool {
	return t.RevokedAt == nil && (t.ExpiresAt == nil || now.Before(*t.ExpiresAt))
}

// OrgFilter selects organisations. Nil fields do not filter.
type OrgFilter struct {
	Kind   *OrgKind
	Name   *string
	Limit  int // 0 means the store's default
	Offset int
}

// UserFilter selects users. Nil fields do not filter.
type UserFilter struct {
	OrgID  *string
	Role   *Role
	Email  *string
	Limit  int
	Offset int
}

// UserUpdate changes a user. Nil fields stay as they are; a non-nil
// DisabledAt pointing at the zero time re-enables the user.
type UserUpdate struct {
	Name         *string
	PasswordHash *string
	DisabledAt   *time.Time
}

// DefaultListLimit applies when a filter's Limit is 0; MaxListLimit caps it.
const (
	DefaultListLimit = 100
	MaxListLimit     = 1000
)

// ClampLimit returns the limit a store should apply for a requested one.
func ClampLimit(n int) int {
	switch {
	case n <= 0:
		return DefaultListLimit
	case n > MaxListLimit:
		return MaxListLimit
	}
	return n
}

// AccountStore persists organisations, users, sessions and API tokens.
// Implementations: sqlite.DB and postgres.DB; storetest checks both.
// Every Find returns ENOTFOUND when nothing matches, never a nil value with a
// nil error. Uniqueness violations return ECONFLICT; bad values EINVALID.
type AccountStore interface {
	// CreateOrg stores o; o.ID must be set. Name is unique, case-blind (ECONFLICT).
	CreateOrg(ctx context.Context, o *Organisation) error
	FindOrgByID(ctx context.Context, id string) (*Organisation, error)
	FindOrgByName(ctx context.Context, name string) (*Organisation, error)
	// ListOrgs returns a page of organisations ordered by name, and the total matching.
	ListOrgs(ctx context.Context, f OrgFilter) ([]*Organisation, int, error)
	// UpdateOrgName renames an organisation (ENOTFOUND, ECONFLICT).
	UpdateOrgName(ctx context.Context, id, name string, at time.Time) (*Organisation, error)

	// CreateUser stores u; the organisation must exist (EINVALID otherwise)
	// and the e-mail be unused (ECONFLICT).
	CreateUser(ctx context.Context, u *User) error
	FindUserByID(ctx context.Context, id string) (*User, error)
	FindUserByEmail(ctx context.Context, email string) (*User, error)
	// ListUsers returns a page of users ordered by e-mail, and the total matching.
	ListUsers(ctx context.Context, f UserFilter) ([]*User, int, error)
	// UpdateUser applies upd at time at (ENOTFOUND).
	UpdateUser(ctx context.Context, id string, upd UserUpdate, at time.Time) (*User, error)

	// CreateSession stores s (ECONFLICT on a repeated hash, EINVALID for an unknown user).
	CreateSession(ctx context.Context, s *Session) error
	FindSession(ctx context.Context, tokenHash string) (*Session, error)
	// DeleteSession removes one session; removing a missing one is not an error.
	DeleteSession(ctx context.Context, tokenHash string) error
	// DeleteUserSessions signs a user out everywhere and returns how many sessions ended.
	DeleteUserSessions(ctx context.Context, userID string) (int, error)
	// DeleteExpiredSessions removes sessions that expired at or before now.
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error)

	// CreateToken stores t (ECONFLICT on a repeated ID or hash).
	CreateToken(ctx context.Context, t *APIToken) error
	FindTokenByHash(ctx context.Context, tokenHash string) (*APIToken, error)
	FindTokenByID(ctx context.Context, id string) (*APIToken, error)
	// ListTokens returns a user's tokens, newest first.
	ListTokens(ctx context.Context, userID string) ([]*APIToken, error)
	// RevokeToken marks a token revoked at time at (ENOTFOUND; revoking twice keeps the first time).
	RevokeToken(ctx context.Context, id string, at time.Time) (*APIToken, error)
	// TouchToken records that a token was used at time at.
	TouchToken(ctx context.Context, id string, at time.Time) error
}

// Store is everything a running rarex needs from its database.
type Store interface {
	AccountStore
	BOMStore
	ListStore
	PartyStore
	OfficeStore
	IdempotencyStore
	WebhookStore
	// Ping checks the database is reachable.
	Ping(ctx context.Context) error
	Close() error
}
