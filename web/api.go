package web

import (
	"net/http"
	"time"

	"rarex"
	"rarex/accounts"
)

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	org, err := s.Accounts.GetOrg(r.Context(), actor, actor.OrgID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": actor, "organisation": org})
	return nil
}

func (s *Server) apiListOrgs(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	var f rarex.OrgFilter
	var err error
	if f.Limit, err = queryInt(r, "limit"); err != nil {
		return err
	}
	if f.Offset, err = queryInt(r, "offset"); err != nil {
		return err
	}
	if k := r.URL.Query().Get("kind"); k != "" {
		kind := rarex.OrgKind(k)
		if !kind.Valid() {
			return rarex.Errorf(rarex.EINVALID, "kind: %q is not one of exporter, authority, overseer", k)
		}
		f.Kind = &kind
	}
	orgs, total, err := s.Accounts.ListOrgs(r.Context(), actor, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"organisations": nonNil(orgs), "total": total})
	return nil
}

// CreateOrgRequest is the body of POST /api/v1/organisations.
type CreateOrgRequest struct {
	Name    string        `json:"name"`
	Kind    rarex.OrgKind `json:"kind"`
	Country string        `json:"country"`
}

func (s *Server) apiCreateOrg(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	var req CreateOrgRequest
	if err := DecodeJSON(r, &req); err != nil {
		return err
	}
	o, err := s.Accounts.CreateOrg(r.Context(), actor, req.Name, req.Kind, req.Country)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, o)
	return nil
}

func (s *Server) apiGetOrg(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	o, err := s.Accounts.GetOrg(r.Context(), actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, o)
	return nil
}

func (s *Server) apiListUsers(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	limit, err := queryInt(r, "limit")
	if err != nil {
		return err
	}
	offset, err := queryInt(r, "offset")
	if err != nil {
		return err
	}
	users, total, err := s.Accounts.ListUsers(r.Context(), actor, r.PathValue("id"), limit, offset)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": nonNil(users), "total": total})
	return nil
}

// CreateUserRequest is the body of POST /api/v1/users. An empty password
// makes the server generate one, returned once as generated_password.
type CreateUserRequest = accounts.NewUser

func (s *Server) apiCreateUser(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	var req CreateUserRequest
	if err := DecodeJSON(r, &req); err != nil {
		return err
	}
	generated := ""
	if req.Password == "" {
		generated = accounts.GeneratePassword()
		req.Password = generated
	}
	u, err := s.Accounts.CreateUser(r.Context(), actor, req)
	if err != nil {
		return err
	}
	out := map[string]any{"user": u}
	if generated != "" {
		out["generated_password"] = generated
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

func (s *Server) apiSetDisabled(disabled bool) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
		u, err := s.Accounts.SetDisabled(r.Context(), actor, r.PathValue("id"), disabled)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, u)
		return nil
	}
}

func (s *Server) apiListTokens(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	toks, err := s.Accounts.ListTokens(r.Context(), actor, actor.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"tokens": nonNil(toks)})
	return nil
}

// CreateTokenRequest is the body of POST /api/v1/tokens.
type CreateTokenRequest struct {
	Name    string `json:"name"`
	TTLDays int    `json:"ttl_days"` // 0: no expiry
}

func (s *Server) apiCreateToken(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	var req CreateTokenRequest
	if err := DecodeJSON(r, &req); err != nil {
		return err
	}
	if req.TTLDays < 0 || req.TTLDays > 366 {
		return rarex.Errorf(rarex.EINVALID, "ttl_days: between 0 (no expiry) and 366")
	}
	secret, tok, err := s.Accounts.CreateToken(r.Context(), actor, actor.ID, req.Name, time.Duration(req.TTLDays)*24*time.Hour)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"token": tok, "secret": secret})
	return nil
}

func (s *Server) apiRevokeToken(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	tok, err := s.Accounts.RevokeToken(r.Context(), actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, tok)
	return nil
}

// nonNil makes empty lists encode as [] rather than null.
func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}
