package sqldb

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"rarex"
)

var _ rarex.AccountStore = (*Store)(nil)

const orgCols = `id, name, kind, country, created_at, updated_at`

func scanOrg(row interface{ Scan(...any) error }) (*rarex.Organisation, error) {
	var o rarex.Organisation
	err := row.Scan(&o.ID, &o.Name, &o.Kind, &o.Country, timeCol{&o.CreatedAt}, timeCol{&o.UpdatedAt})
	return &o, err
}

func nameKey(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// CreateOrg stores o.
func (s *Store) CreateOrg(ctx context.Context, o *rarex.Organisation) error {
	if o.ID == "" {
		return rarex.Errorf(rarex.EINVALID, "organisation id: required")
	}
	if err := o.Validate(); err != nil {
		return err
	}
	o.CreatedAt, o.UpdatedAt = Canonical(o.CreatedAt), Canonical(o.UpdatedAt)
	_, err := s.DB.ExecContext(ctx, s.rebind(`INSERT INTO organisations (id, name, name_key, kind, country, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`),
		o.ID, o.Name, nameKey(o.Name), o.Kind, o.Country, s.t(o.CreatedAt), s.t(o.UpdatedAt))
	return s.wrap(err, "Organisation "+quote(o.Name))
}

// FindOrgByID returns the organisation with id, or ENOTFOUND.
func (s *Store) FindOrgByID(ctx context.Context, id string) (*rarex.Organisation, error) {
	o, err := scanOrg(s.DB.QueryRowContext(ctx, s.rebind(`SELECT `+orgCols+` FROM organisations WHERE id = ?`), id))
	if err != nil {
		return nil, s.wrap(err, "Organisation "+quote(id))
	}
	return o, nil
}

// FindOrgByName returns the organisation named name (case-blind), or ENOTFOUND.
func (s *Store) FindOrgByName(ctx context.Context, name string) (*rarex.Organisation, error) {
	o, err := scanOrg(s.DB.QueryRowContext(ctx, s.rebind(`SELECT `+orgCols+` FROM organisations WHERE name_key = ?`), nameKey(name)))
	if err != nil {
		return nil, s.wrap(err, "Organisation "+quote(name))
	}
	return o, nil
}

// ListOrgs returns a page of organisations ordered by name and the total.
func (s *Store) ListOrgs(ctx context.Context, f rarex.OrgFilter) ([]*rarex.Organisation, int, error) {
	var where []string
	var args []any
	if f.Kind != nil {
		where, args = append(where, "kind = ?"), append(args, *f.Kind)
	}
	if f.Name != nil {
		where, args = append(where, "name_key = ?"), append(args, nameKey(*f.Name))
	}
	var out []*rarex.Organisation
	total, err := s.page(ctx, "organisations", orgCols, where, args, "name_key, id", f.Limit, f.Offset, func(r *sql.Rows) error {
		o, err := scanOrg(r)
		out = append(out, o)
		return err
	})
	return out, total, err
}

// page runs a filtered, counted, ordered and limited select.
func (s *Store) page(ctx context.Context, table, cols string, where []string, args []any, order string, limit, offset int, scan func(*sql.Rows) error) (int, error) {
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	if offset < 0 {
		return 0, rarex.Errorf(rarex.EINVALID, "offset: must not be negative")
	}
	var total int
	if err := s.DB.QueryRowContext(ctx, s.rebind(`SELECT count(*) FROM `+table+cond), args...).Scan(&total); err != nil {
		return 0, s.wrap(err, "List of "+table)
	}
	q := `SELECT ` + cols + ` FROM ` + table + cond + ` ORDER BY ` + order + ` LIMIT ? OFFSET ?`
	rows, err := s.DB.QueryContext(ctx, s.rebind(q), append(args, rarex.ClampLimit(limit), offset)...)
	if err != nil {
		return 0, s.wrap(err, "List of "+table)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return 0, s.wrap(err, "List of "+table)
		}
	}
	return total, s.wrap(rows.Err(), "List of "+table)
}

// UpdateOrgName renames an organisation.
func (s *Store) UpdateOrgName(ctx context.Context, id, name string, at time.Time) (*rarex.Organisation, error) {
	var out *rarex.Organisation
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		o, err := scanOrg(tx.QueryRowContext(ctx, s.rebind(`SELECT `+orgCols+` FROM organisations WHERE id = ?`), id))
		if err != nil {
			return s.wrap(err, "Organisation "+quote(id))
		}
		o.Name, o.UpdatedAt = name, Canonical(at)
		if err := o.Validate(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.rebind(`UPDATE organisations SET name = ?, name_key = ?, updated_at = ? WHERE id = ?`), o.Name, nameKey(o.Name), s.t(o.UpdatedAt), id)
		if err != nil {
			return s.wrap(err, "Organisation "+quote(name))
		}
		out = o
		return nil
	})
	return out, err
}

const userCols = `id, org_id, email, name, role, password_hash, disabled_at, created_at, updated_at`

func scanUser(row interface{ Scan(...any) error }) (*rarex.User, error) {
	var u rarex.User
	err := row.Scan(&u.ID, &u.OrgID, &u.Email, &u.Name, &u.Role, &u.PasswordHash, nullTimeCol{&u.DisabledAt}, timeCol{&u.CreatedAt}, timeCol{&u.UpdatedAt})
	return &u, err
}

// CreateUser stores u.
func (s *Store) CreateUser(ctx context.Context, u *rarex.User) error {
	if u.ID == "" {
		return rarex.Errorf(rarex.EINVALID, "user id: required")
	}
	if err := u.Validate(); err != nil {
		return err
	}
	u.CreatedAt, u.UpdatedAt = Canonical(u.CreatedAt), Canonical(u.UpdatedAt)
	_, err := s.DB.ExecContext(ctx, s.rebind(`INSERT INTO users (`+userCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		u.ID, u.OrgID, u.Email, u.Name, u.Role, u.PasswordHash, s.tp(u.DisabledAt), s.t(u.CreatedAt), s.t(u.UpdatedAt))
	return s.wrap(err, "User "+quote(u.Email))
}

// FindUserByID returns the user with id, or ENOTFOUND.
func (s *Store) FindUserByID(ctx context.Context, id string) (*rarex.User, error) {
	u, err := scanUser(s.DB.QueryRowContext(ctx, s.rebind(`SELECT `+userCols+` FROM users WHERE id = ?`), id))
	if err != nil {
		return nil, s.wrap(err, "User "+quote(id))
	}
	return u, nil
}

// FindUserByEmail returns the user with the address (case-blind), or ENOTFOUND.
func (s *Store) FindUserByEmail(ctx context.Context, email string) (*rarex.User, error) {
	u, err := scanUser(s.DB.QueryRowContext(ctx, s.rebind(`SELECT `+userCols+` FROM users WHERE email = ?`), rarex.NormalizeEmail(email)))
	if err != nil {
		return nil, s.wrap(err, "User "+quote(email))
	}
	return u, nil
}

// ListUsers returns a page of users ordered by e-mail and the total.
func (s *Store) ListUsers(ctx context.Context, f rarex.UserFilter) ([]*rarex.User, int, error) {
	var where []string
	var args []any
	if f.OrgID != nil {
		where, args = append(where, "org_id = ?"), append(args, *f.OrgID)
	}
	if f.Role != nil {
		where, args = append(where, "role = ?"), append(args, *f.Role)
	}
	if f.Email != nil {
		where, args = append(where, "email = ?"), append(args, rarex.NormalizeEmail(*f.Email))
	}
	var out []*rarex.User
	total, err := s.page(ctx, "users", userCols, where, args, "email", f.Limit, f.Offset, func(r *sql.Rows) error {
		u, err := scanUser(r)
		out = append(out, u)
		return err
	})
	return out, total, err
}

// UpdateUser applies upd.
func (s *Store) UpdateUser(ctx context.Context, id string, upd rarex.UserUpdate, at time.Time) (*rarex.User, error) {
	var out *rarex.User
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		u, err := scanUser(tx.QueryRowContext(ctx, s.rebind(`SELECT `+userCols+` FROM users WHERE id = ?`), id))
		if err != nil {
			return s.wrap(err, "User "+quote(id))
		}
		if upd.Name != nil {
			u.Name = *upd.Name
		}
		if upd.PasswordHash != nil {
			u.PasswordHash = *upd.PasswordHash
		}
		if upd.DisabledAt != nil {
			if upd.DisabledAt.IsZero() {
				u.DisabledAt = nil
			} else {
				d := Canonical(*upd.DisabledAt)
				u.DisabledAt = &d
			}
		}
		u.UpdatedAt = Canonical(at)
		if err := u.Validate(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.rebind(`UPDATE users SET name = ?, password_hash = ?, disabled_at = ?, updated_at = ? WHERE id = ?`),
			u.Name, u.PasswordHash, s.tp(u.DisabledAt), s.t(u.UpdatedAt), id)
		if err != nil {
			return s.wrap(err, "User "+quote(id))
		}
		out = u
		return nil
	})
	return out, err
}

// CreateSession stores a session.
func (s *Store) CreateSession(ctx context.Context, se *rarex.Session) error {
	if se.TokenHash == "" || se.UserID == "" {
		return rarex.Errorf(rarex.EINVALID, "session: token hash and user id are required")
	}
	se.CreatedAt, se.ExpiresAt = Canonical(se.CreatedAt), Canonical(se.ExpiresAt)
	_, err := s.DB.ExecContext(ctx, s.rebind(`INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)`),
		se.TokenHash, se.UserID, s.t(se.CreatedAt), s.t(se.ExpiresAt))
	return s.wrap(err, "Session")
}

// FindSession returns the session with the hash, or ENOTFOUND. Expiry is the caller's to check.
func (s *Store) FindSession(ctx context.Context, tokenHash string) (*rarex.Session, error) {
	var se rarex.Session
	err := s.DB.QueryRowContext(ctx, s.rebind(`SELECT token_hash, user_id, created_at, expires_at FROM sessions WHERE token_hash = ?`), tokenHash).
		Scan(&se.TokenHash, &se.UserID, timeCol{&se.CreatedAt}, timeCol{&se.ExpiresAt})
	if err != nil {
		return nil, s.wrap(err, "Session")
	}
	return &se, nil
}

// DeleteSession removes one session.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	_, err := s.DB.ExecContext(ctx, s.rebind(`DELETE FROM sessions WHERE token_hash = ?`), tokenHash)
	return s.wrap(err, "Session")
}

// DeleteUserSessions removes all of a user's sessions.
func (s *Store) DeleteUserSessions(ctx context.Context, userID string) (int, error) {
	return s.execCount(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
}

// DeleteExpiredSessions removes sessions whose expiry is at or before now.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	return s.execCount(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, s.t(now))
}

func (s *Store) execCount(ctx context.Context, q string, args ...any) (int, error) {
	res, err := s.DB.ExecContext(ctx, s.rebind(q), args...)
	if err != nil {
		return 0, s.wrap(err, "Sessions")
	}
	n, err := res.RowsAffected()
	return int(n), s.wrap(err, "Sessions")
}

const tokenCols = `id, user_id, name, prefix, token_hash, created_at, expires_at, revoked_at, last_used_at`

func scanToken(row interface{ Scan(...any) error }) (*rarex.APIToken, error) {
	var t rarex.APIToken
	err := row.Scan(&t.ID, &t.UserID, &t.Name, &t.Prefix, &t.TokenHash, timeCol{&t.CreatedAt},
		nullTimeCol{&t.ExpiresAt}, nullTimeCol{&t.RevokedAt}, nullTimeCol{&t.LastUsedAt})
	return &t, err
}

// CreateToken stores an API token.
func (s *Store) CreateToken(ctx context.Context, t *rarex.APIToken) error {
	switch {
	case t.ID == "" || t.UserID == "" || t.TokenHash == "":
		return rarex.Errorf(rarex.EINVALID, "token: id, user id and hash are required")
	case strings.TrimSpace(t.Name) == "" || len(t.Name) > 100:
		return rarex.Errorf(rarex.EINVALID, "token name: required, at most 100 characters")
	}
	t.CreatedAt = Canonical(t.CreatedAt)
	_, err := s.DB.ExecContext(ctx, s.rebind(`INSERT INTO api_tokens (`+tokenCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		t.ID, t.UserID, t.Name, t.Prefix, t.TokenHash, s.t(t.CreatedAt), s.tp(t.ExpiresAt), s.tp(t.RevokedAt), s.tp(t.LastUsedAt))
	return s.wrap(err, "API token "+quote(t.Name))
}

// FindTokenByHash returns the token with the hash, or ENOTFOUND.
func (s *Store) FindTokenByHash(ctx context.Context, tokenHash string) (*rarex.APIToken, error) {
	t, err := scanToken(s.DB.QueryRowContext(ctx, s.rebind(`SELECT `+tokenCols+` FROM api_tokens WHERE token_hash = ?`), tokenHash))
	if err != nil {
		return nil, s.wrap(err, "API token")
	}
	return t, nil
}

// FindTokenByID returns the token with id, or ENOTFOUND.
func (s *Store) FindTokenByID(ctx context.Context, id string) (*rarex.APIToken, error) {
	t, err := scanToken(s.DB.QueryRowContext(ctx, s.rebind(`SELECT `+tokenCols+` FROM api_tokens WHERE id = ?`), id))
	if err != nil {
		return nil, s.wrap(err, "API token "+quote(id))
	}
	return t, nil
}

// ListTokens returns a user's tokens, newest first.
func (s *Store) ListTokens(ctx context.Context, userID string) ([]*rarex.APIToken, error) {
	rows, err := s.DB.QueryContext(ctx, s.rebind(`SELECT `+tokenCols+` FROM api_tokens WHERE user_id = ? ORDER BY created_at DESC, id`), userID)
	if err != nil {
		return nil, s.wrap(err, "API tokens")
	}
	defer rows.Close()
	var out []*rarex.APIToken
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, s.wrap(err, "API tokens")
		}
		out = append(out, t)
	}
	return out, s.wrap(rows.Err(), "API tokens")
}

// RevokeToken marks a token revoked; a second revocation keeps the first time.
func (s *Store) RevokeToken(ctx context.Context, id string, at time.Time) (*rarex.APIToken, error) {
	var out *rarex.APIToken
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`), s.t(at), id); err != nil {
			return s.wrap(err, "API token "+quote(id))
		}
		t, err := scanToken(tx.QueryRowContext(ctx, s.rebind(`SELECT `+tokenCols+` FROM api_tokens WHERE id = ?`), id))
		if err != nil {
			return s.wrap(err, "API token "+quote(id))
		}
		out = t
		return nil
	})
	return out, err
}

// TouchToken records a token's last use.
func (s *Store) TouchToken(ctx context.Context, id string, at time.Time) error {
	res, err := s.DB.ExecContext(ctx, s.rebind(`UPDATE api_tokens SET last_used_at = ? WHERE id = ?`), s.t(at), id)
	if err != nil {
		return s.wrap(err, "API token "+quote(id))
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return rarex.Errorf(rarex.ENOTFOUND, "API token %q not found.", id)
	}
	return nil
}

func quote(s string) string {
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return `"` + s + `"`
}
