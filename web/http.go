package web

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"

	"rarex"
)

// statusOf maps error codes to HTTP status: the one table of it.
var statusOf = map[string]int{
	rarex.ECONFLICT:     http.StatusConflict,
	rarex.EFORBIDDEN:    http.StatusForbidden,
	rarex.EINTERNAL:     http.StatusInternalServerError,
	rarex.EINVALID:      http.StatusBadRequest,
	rarex.ENOTFOUND:     http.StatusNotFound,
	rarex.EUNAUTHORIZED: http.StatusUnauthorized,
	rarex.ERATELIMIT:    http.StatusTooManyRequests,
	rarex.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	rarex.EUNAVAILABLE:  http.StatusServiceUnavailable,
}

// HTTPStatus returns the status for err's code.
func HTTPStatus(err error) int {
	if st, ok := statusOf[rarex.ErrorCode(err)]; ok {
		return st
	}
	return http.StatusInternalServerError
}

// ErrorBody is the JSON shape of every API error.
type ErrorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		http.Error(w, `{"error":{"code":"internal","message":"Internal error."}}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// writeError sends err as JSON. Internal errors are logged with their cause
// and shown only as "Internal error.".
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := rarex.ErrorCode(err)
	if code == rarex.EINTERNAL || code == rarex.EUNAVAILABLE {
		s.Log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if code == rarex.EUNAUTHORIZED {
		w.Header().Set("WWW-Authenticate", `Bearer realm="rarex"`)
	}
	var body ErrorBody
	body.Error.Code, body.Error.Message = code, rarex.ErrorMessage(err)
	writeJSON(w, HTTPStatus(err), body)
}

// writeAny answers in JSON for API clients and as a page for browsers.
func (s *Server) writeAny(w http.ResponseWriter, r *http.Request, err error, msgKey string) {
	if isAPI(r) {
		s.writeError(w, r, err)
		return
	}
	s.renderErrorKey(w, r, nil, err, msgKey)
}

func isAPI(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") || r.Header.Get("Authorization") != ""
}

// DecodeJSON reads exactly one JSON object from r's body into v, which must
// be a pointer. Unknown fields, trailing data, a wrong content type and a
// body over the server's limit are errors naming what is wrong.
func DecodeJSON(r *http.Request, v any) error {
	if err := requireJSON(r); err != nil {
		return err
	}
	return decodeJSONBody(r.Body, v)
}

func decodeJSONBody(body io.Reader, v any) error {
	if err := rarex.DecodeJSON(body, v, "body"); err != nil {
		return bodyError(err)
	}
	return nil
}

// queryInt reads an optional non-negative integer query parameter.
func queryInt(r *http.Request, name string) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, rarex.Errorf(rarex.EINVALID, "%s: %q is not a non-negative whole number", name, v)
	}
	return n, nil
}

// queryIntIn reads an optional integer query parameter from least to
// most; def when it is absent.
func queryIntIn(r *http.Request, name string, def, least, most int) (int, error) {
	if r.URL.Query().Get(name) == "" {
		return def, nil
	}
	n, err := queryInt(r, name)
	if err == nil && (n < least || n > most) {
		err = rarex.Errorf(rarex.EINVALID, "%s: %d is not from %d to %d", name, n, least, most)
	}
	return n, err
}

const (
	sessionCookie = "rarex_session"
	langCookie    = "rarex_lang"
)

// actor returns the caller: from a bearer token when an Authorization
// header is present (and then only from it), else from the session cookie.
// No credentials give (nil, nil); bad ones an EUNAUTHORIZED error.
func (s *Server) actor(r *http.Request) (*rarex.User, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
			return nil, rarex.Errorf(rarex.EUNAUTHORIZED, "Authorization header must be: Bearer TOKEN")
		}
		return s.Accounts.AuthenticateToken(r.Context(), strings.TrimSpace(tok))
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, nil
	}
	return s.Accounts.Authenticate(r.Context(), c.Value)
}

type apiFunc func(w http.ResponseWriter, r *http.Request, actor *rarex.User) error

// api wraps an API handler: it limits the body, requires a caller and turns
// returned errors into JSON error responses.
func (s *Server) api(fn apiFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, s.bodyLimit(r))
		actor, err := s.actor(r)
		if err == nil && actor == nil {
			err = rarex.Errorf(rarex.EUNAUTHORIZED, "Sign in or send an API token: Authorization: Bearer TOKEN")
		}
		if err == nil {
			err = s.idempotent(w, r, actor, fn)
		}
		if err != nil {
			s.writeError(w, r, err)
		}
	}
}
