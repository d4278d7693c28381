package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"log/slog"
	"strings"
	"sync"
	"time"

	"rarex"
)

// Service is the accounts use-case layer over an AccountStore.
type Service struct {
	Store      rarex.AccountStore
	Clock      rarex.Clock
	IDs        rarex.IDSource
	Hash       HashParams
	SessionTTL time.Duration
	Limiter    *Limiter
	Log        *slog.Logger
	dummyOnce  sync.Once
	dummyHash  string
}

// New returns a service with production defaults: 12-hour sessions,
// DefaultHashParams and a fresh Limiter.
func New(store rarex.AccountStore, clock rarex.Clock, ids rarex.IDSource) *Service {
	return &Service{Store: store, Clock: clock, IDs: ids, Hash: DefaultHashParams, SessionTTL: 12 * time.Hour,
		Limiter: NewLimiter(clock), Log: slog.Default()}
}

// Operator is the actor for commands run on the server itself (rarex user
// add, --demo): whoever can run them can already read the database.
var Operator = &rarex.User{ID: "operator", Email: "operator@localhost", Role: rarex.RoleAdmin}

// Secret prefixes make leaked credentials recognisable by scanners.
const (
	sessionPrefix = "rxs_"
	tokenPrefix   = "rxt_"
)

func newSecret(prefix string) string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("accounts: crypto/rand failed: " + err.Error())
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// HashSecret returns the stored form of a session or token secret.
func HashSecret(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// Sign-in failures, as values callers can tell apart with errors.Is (both
// are EUNAUTHORIZED).
var (
	ErrBadLogin = rarex.Errorf(rarex.EUNAUTHORIZED, "Wrong e-mail address or password.")
	ErrDisabled = rarex.Errorf(rarex.EUNAUTHORIZED, "This account is disabled. Ask your administrator.")
)

// Login checks an e-mail and password and starts a session. oldSecret, the
// session the browser had before (if any), is ended: sessions rotate at
// login. It returns the new session's secret for the cookie.
// Errors: EUNAUTHORIZED (wrong credentials or disabled account), ERATELIMIT.
func (s *Service) Login(ctx context.Context, email, password, addr, oldSecret string) (*rarex.User, string, *rarex.Session, error) {
	email = rarex.NormalizeEmail(email)
	if err := s.Limiter.Allow(email, addr); err != nil {
		return nil, "", nil, err
	}
	u, err := s.Store.FindUserByEmail(ctx, email)
	if rarex.ErrorCode(err) == rarex.ENOTFOUND {
		// Spend the same time as a real check, so timing does not reveal
		// which addresses have accounts.
		VerifyPassword(password, s.dummy())
		s.Limiter.Fail(email, addr)
		return nil, "", nil, ErrBadLogin
	} else if err != nil {
		return nil, "", nil, err
	}
	ok, err := VerifyPassword(password, u.PasswordHash)
	if err != nil {
		s.Log.Error("stored password hash unreadable", "user", u.ID, "err", err)
	}
	if !ok {
		s.Limiter.Fail(email, addr)
		return nil, "", nil, ErrBadLogin
	}
	s.Limiter.Succeed(email)
	if u.Disabled() {
		return nil, "", nil, ErrDisabled
	}
	if oldSecret != "" {
		if err := s.Store.DeleteSession(ctx, HashSecret(oldSecret)); err != nil {
			return nil, "", nil, err
		}
	}
	secret := newSecret(sessionPrefix)
	now := s.Clock.Now()
	se := &rarex.Session{TokenHash: HashSecret(secret), UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(s.SessionTTL)}
	if err := s.Store.CreateSession(ctx, se); err != nil {
		return nil, "", nil, err
	}
	return u, secret, se, nil
}

// dummy is a hash to verify against when the account does not exist.
func (s *Service) dummy() string {
	s.dummyOnce.Do(func() { s.dummyHash, _ = HashPassword("not a real password", s.Hash) })
	return s.dummyHash
}

// Logout ends the session with secret; an unknown secret is not an error.
func (s *Service) Logout(ctx context.Context, secret string) error {
	if secret == "" {
		return nil
	}
	return s.Store.DeleteSession(ctx, HashSecret(secret))
}

var errNoSession = rarex.Errorf(rarex.EUNAUTHORIZED, "Your session has ended. Sign in again.")

// Authenticate returns the user of a live session.
// Errors: EUNAUTHORIZED for an unknown or expired session or a disabled user.
func (s *Service) Authenticate(ctx context.Context, secret string) (*rarex.User, error) {
	if !strings.HasPrefix(secret, sessionPrefix) {
		return nil, errNoSession
	}
	se, err := s.Store.FindSession(ctx, HashSecret(secret))
	if rarex.ErrorCode(err) == rarex.ENOTFOUND {
		return nil, errNoSession
	} else if err != nil {
		return nil, err
	}
	if !s.Clock.Now().Before(se.ExpiresAt) {
		_ = s.Store.DeleteSession(ctx, se.TokenHash)
		return nil, errNoSession
	}
	return s.activeUser(ctx, se.UserID)
}

func (s *Service) activeUser(ctx context.Context, id string) (*rarex.User, error) {
	u, err := s.Store.FindUserByID(ctx, id)
	if rarex.ErrorCode(err) == rarex.ENOTFOUND {
		return nil, errNoSession
	} else if err != nil {
		return nil, err
	}
	if u.Disabled() {
		return nil, rarex.Errorf(rarex.EUNAUTHORIZED, "This account is disabled.")
	}
	return u, nil
}

var errBadToken = rarex.Errorf(rarex.EUNAUTHORIZED, "The API token is not valid, expired or revoked.")

// AuthenticateToken returns the user of an active bearer token and records its use.
// Errors: EUNAUTHORIZED for an unknown, expired or revoked token or a disabled user.
func (s *Service) AuthenticateToken(ctx context.Context, secret string) (*rarex.User, error) {
	if !strings.HasPrefix(secret, tokenPrefix) {
		return nil, errBadToken
	}
	t, err := s.Store.FindTokenByHash(ctx, HashSecret(secret))
	if rarex.ErrorCode(err) == rarex.ENOTFOUND {
		return nil, errBadToken
	} else if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	if !t.Active(now) {
		return nil, errBadToken
	}
	u, err := s.activeUser(ctx, t.UserID)
	if err != nil {
		return nil, err
	}
	if err := s.Store.TouchToken(ctx, t.ID, now); err != nil {
		s.Log.Warn("recording token use", "token", t.ID, "err", err)
	}
	return u, nil
}

// NewUser is the input for CreateUser.
type NewUser struct {
	OrgID    string     `json:"org_id"`
	Email    string     `json:"email"`
	Name     string     `json:"name"`
	Role     rarex.Role `json:"role"`
	Password string     `json:"password"`
}

// CreateUser adds a user; the role must suit the organisation's kind.
// Errors: EFORBIDDEN, EINVALID (naming the field), ECONFLICT (e-mail taken).
func (s *Service) CreateUser(ctx context.Context, actor *rarex.User, in NewUser) (*rarex.User, error) {
	if err := rarex.Authorize(actor, rarex.ActCreateUser, in.OrgID); err != nil {
		return nil, err
	}
	org, err := s.Store.FindOrgByID(ctx, in.OrgID)
	if rarex.ErrorCode(err) == rarex.ENOTFOUND {
		return nil, rarex.Errorf(rarex.EINVALID, "org_id: no organisation %q", in.OrgID)
	} else if err != nil {
		return nil, err
	}
	if !in.Role.Valid() {
		return nil, rarex.Errorf(rarex.EINVALID, "role: %q is not one of exporter, reviewer, admin, overseer", in.Role)
	}
	if in.Role.OrgKind() != org.Kind {
		return nil, rarex.Errorf(rarex.EINVALID, "role: a %s cannot belong to %s, an organisation of kind %s", in.Role, org.Name, org.Kind)
	}
	if err := CheckPassword(in.Password); err != nil {
		return nil, err
	}
	hash, err := HashPassword(in.Password, s.Hash)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	u := &rarex.User{ID: s.IDs.NewID(), OrgID: org.ID, Email: rarex.NormalizeEmail(in.Email), Name: strings.TrimSpace(in.Name),
		Role: in.Role, PasswordHash: hash, CreatedAt: now, UpdatedAt: now}
	if err := s.Store.CreateUser(ctx, u); err != nil {
		return nil, err
	}
	return u, nil
}

// SetPassword replaces a user's password and ends their sessions. Users may
// change their own; admins anyone's.
func (s *Service) SetPassword(ctx context.Context, actor *rarex.User, userID, password string) error {
	u, err := s.Store.FindUserByID(ctx, userID)
	if err != nil {
		return err
	}
	action := rarex.ActCreateUser
	if actor != nil && actor.ID == userID {
		action = rarex.ActViewSelf
	}
	if err := rarex.Authorize(actor, action, u.OrgID); err != nil {
		return err
	}
	if err := CheckPassword(password); err != nil {
		return err
	}
	hash, err := HashPassword(password, s.Hash)
	if err != nil {
		return err
	}
	if _, err := s.Store.UpdateUser(ctx, userID, rarex.UserUpdate{PasswordHash: &hash}, s.Clock.Now()); err != nil {
		return err
	}
	_, err = s.Store.DeleteUserSessions(ctx, userID)
	return err
}

// SetDisabled disables (ending every session; tokens stop working) or re-enables a user.
// Errors: EFORBIDDEN, ENOTFOUND, EINVALID (disabling oneself).
func (s *Service) SetDisabled(ctx context.Context, actor *rarex.User, userID string, disabled bool) (*rarex.User, error) {
	u, err := s.Store.FindUserByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	if err := rarex.Authorize(actor, rarex.ActDisableUser, u.OrgID); err != nil {
		return nil, err
	}
	if actor.ID == userID && disabled {
		return nil, rarex.Errorf(rarex.EINVALID, "user: you cannot disable your own account")
	}
	at := time.Time{}
	now := s.Clock.Now()
	if disabled {
		at = now
	}
	u, err = s.Store.UpdateUser(ctx, userID, rarex.UserUpdate{DisabledAt: &at}, now)
	if err != nil {
		return nil, err
	}
	if disabled {
		if _, err := s.Store.DeleteUserSessions(ctx, userID); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// FindUserByEmail returns a user for operator commands.
func (s *Service) FindUserByEmail(ctx context.Context, actor *rarex.User, email string) (*rarex.User, error) {
	u, err := s.Store.FindUserByEmail(ctx, email)
	if err != nil {
		return nil, err
	}
	if err := rarex.Authorize(actor, rarex.ActListUsers, u.OrgID); err != nil {
		return nil, rarex.Errorf(rarex.ENOTFOUND, "User %q not found.", email)
	}
	return u, nil
}

// ListUsers lists an organisation's users.
func (s *Service) ListUsers(ctx context.Context, actor *rarex.User, orgID string, limit, offset int) ([]*rarex.User, int, error) {
	if err := rarex.Authorize(actor, rarex.ActListUsers, orgID); err != nil {
		return nil, 0, err
	}
	if _, err := s.Store.FindOrgByID(ctx, orgID); err != nil {
		return nil, 0, err
	}
	return s.Store.ListUsers(ctx, rarex.UserFilter{OrgID: &orgID, Limit: limit, Offset: offset})
}

// CreateOrg adds an organisation.
// Errors: EFORBIDDEN, EINVALID, ECONFLICT (name taken).
func (s *Service) CreateOrg(ctx context.Context, actor *rarex.User, name string, kind rarex.OrgKind, country string) (*rarex.Organisation, error) {
	if err := rarex.Authorize(actor, rarex.ActCreateOrg, ""); err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	o := &rarex.Organisation{ID: s.IDs.NewID(), Name: strings.TrimSpace(name), Kind: kind, Country: strings.ToUpper(strings.TrimSpace(country)), CreatedAt: now, UpdatedAt: now}
	if err := s.Store.CreateOrg(ctx, o); err != nil {
		return nil, err
	}
	return o, nil
}

// GetOrg returns one organisation the actor may see. An organisation the
// actor may not see reads as EFORBIDDEN.
func (s *Service) GetOrg(ctx context.Context, actor *rarex.User, id string) (*rarex.Organisation, error) {
	if err := rarex.Authorize(actor, rarex.ActViewOrg, id); err != nil {
		return nil, err
	}
	return s.Store.FindOrgByID(ctx, id)
}

// FindOrgByName returns an organisation by name for operator commands.
func (s *Service) FindOrgByName(ctx context.Context, actor *rarex.User, name string) (*rarex.Organisation, error) {
	o, err := s.Store.FindOrgByName(ctx, name)
	if err != nil {
		return nil, err
	}
	if err := rarex.Authorize(actor, rarex.ActViewOrg, o.ID); err != nil {
		return nil, err
	}
	return o, nil
}

// ListOrgs lists organisations.
func (s *Service) ListOrgs(ctx context.Context, actor *rarex.User, f rarex.OrgFilter) ([]*rarex.Organisation, int, error) {
	if err := rarex.Authorize(actor, rarex.ActListOrgs, ""); err != nil {
		return nil, 0, err
	}
	return s.Store.ListOrgs(ctx, f)
}

// MaxTokenTTL bounds how long a token may live; 0 in CreateToken means no expiry.
const MaxTokenTTL = 366 * 24 * time.Hour

// CreateToken issues an API token for userID and returns its secret, which
// is shown once and never stored. Users issue their own; admins anyone's.
func (s *Service) CreateToken(ctx context.Context, actor *rarex.User, userID, name string, ttl time.Duration) (string, *rarex.APIToken, error) {
	u, err := s.tokenOwner(ctx, actor, userID)
	if err != nil {
		return "", nil, err
	}
	if ttl < 0 || ttl > MaxTokenTTL {
		return "", nil, rarex.Errorf(rarex.EINVALID, "ttl: between 0 (no expiry) and %d days", int(MaxTokenTTL.Hours()/24))
	}
	if u.Disabled() {
		return "", nil, rarex.Errorf(rarex.EINVALID, "user: %s is disabled", u.Email)
	}
	secret := newSecret(tokenPrefix)
	now := s.Clock.Now()
	t := &rarex.APIToken{ID: s.IDs.NewID(), UserID: u.ID, Name: strings.TrimSpace(name), Prefix: secret[:len(tokenPrefix)+6],
		TokenHash: HashSecret(secret), CreatedAt: now}
	if ttl > 0 {
		exp := now.Add(ttl)
		t.ExpiresAt = &exp
	}
	if err := s.Store.CreateToken(ctx, t); err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// tokenOwner loads userID and checks actor may manage that user's tokens.
func (s *Service) tokenOwner(ctx context.Context, actor *rarex.User, userID string) (*rarex.User, error) {
	if actor != nil && actor.ID == userID {
		if err := rarex.Authorize(actor, rarex.ActManageTokens, ""); err != nil {
			return nil, err
		}
		return actor, nil
	}
	if err := rarex.Authorize(actor, rarex.ActAdminTokens, ""); err != nil {
		return nil, err
	}
	return s.Store.FindUserByID(ctx, userID)
}

// ListTokens lists a user's tokens, newest first.
func (s *Service) ListTokens(ctx context.Context, actor *rarex.User, userID string) ([]*rarex.APIToken, error) {
	if _, err := s.tokenOwner(ctx, actor, userID); err != nil {
		return nil, err
	}
	return s.Store.ListTokens(ctx, userID)
}

// RevokeToken revokes a token. Another user's token reads as ENOTFOUND to
// non-admins, so token IDs cannot be probed.
func (s *Service) RevokeToken(ctx context.Context, actor *rarex.User, tokenID string) (*rarex.APIToken, error) {
	t, err := s.Store.FindTokenByID(ctx, tokenID)
	if err != nil {
		return nil, err
	}
	if _, err := s.tokenOwner(ctx, actor, t.UserID); err != nil {
		if rarex.ErrorCode(err) == rarex.EFORBIDDEN {
			return nil, rarex.Errorf(rarex.ENOTFOUND, "API token %q not found.", tokenID)
		}
		return nil, err
	}
	return s.Store.RevokeToken(ctx, tokenID, s.Clock.Now())
}

// OrgUsers is an organisation with its users.
type OrgUsers struct {
	Org   *rarex.Organisation
	Users []*rarex.User
}

// Directory returns every organisation with its users, for administrators.
// It shows at most rarex.MaxListLimit of each; truncated reports whether more exist.
func (s *Service) Directory(ctx context.Context, actor *rarex.User) (dir []OrgUsers, truncated bool, err error) {
	if err := rarex.Authorize(actor, rarex.ActListUsers, ""); err != nil {
		return nil, false, err
	}
	orgs, orgTotal, err := s.Store.ListOrgs(ctx, rarex.OrgFilter{Limit: rarex.MaxListLimit})
	if err != nil {
		return nil, false, err
	}
	users, userTotal, err := s.Store.ListUsers(ctx, rarex.UserFilter{Limit: rarex.MaxListLimit})
	if err != nil {
		return nil, false, err
	}
	byOrg := map[string][]*rarex.User{}
	for _, u := range users {
		byOrg[u.OrgID] = append(byOrg[u.OrgID], u)
	}
	for _, o := range orgs {
		dir = append(dir, OrgUsers{Org: o, Users: byOrg[o.ID]})
	}
	return dir, orgTotal > len(orgs) || userTotal > len(users), nil
}
