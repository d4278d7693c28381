package web

import (
	"bytes"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"rarex"
	"rarex/accounts"
	"rarex/i18n"
)

type pageTemplate struct{ t *template.Template }

var pageNames = []string{"login", "home", "tokens", "users", "error", "determine", "boms", "bom", "screen", "monitor",
	"applications", "application_new", "application", "licences", "licence", "register", "webhooks"}

var funcs = template.FuncMap{
	"t":    i18n.T,
	"role": func(lang string, r rarex.Role) string { return i18n.T(lang, "role."+string(r)) },
	"kind": func(lang string, k rarex.OrgKind) string { return i18n.T(lang, "orgkind."+string(k)) },
	"date": func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"day": func(t time.Time) string { return t.UTC().Format("2006-01-02") },
	"ptr": func(t time.Time) *time.Time { return &t },
	// detail renders an engine's detail (message key and arguments) in the
	// page's language, or its English text when it has no key.
	"detail": func(lang, key string, args []string, english string) string {
		if key == "" || !i18n.Has(key) {
			return english
		}
		return i18n.TS(lang, key, args)
	},
	"deref64": func(p *int64) int64 {
		if p == nil {
			return 0
		}
		return *p
	},
	"deref": func(p *int) int {
		if p == nil {
			return 0
		}
		return *p
	},
	// v translates a vocabulary value, e.g. v lang "outcome" "license_required".
	"v":    func(lang, group, value string) string { return i18n.T(lang, group+"."+value) },
	"pct":  func(f float64) string { return strconv.FormatFloat(f*100, 'g', 6, 64) + "%" },
	"num":  rarex.FormatNumber,
	"path": pathString,
	"host": func(s string) string {
		if u, err := url.Parse(s); err == nil && u.Host != "" {
			return u.Host
		}
		return s
	},
}

func parsePages() (map[string]*pageTemplate, error) {
	out := map[string]*pageTemplate{}
	for _, name := range pageNames {
		t, err := template.New(name).Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, err
		}
		out[name] = &pageTemplate{t}
	}
	return out, nil
}

// navItem is one link of the top navigation.
type navItem struct {
	Key, Href string
	Current   bool
}

// navFor lists the pages each role has. Later features add theirs here.
func navFor(role rarex.Role, path string) []navItem {
	items := []navItem{{Key: "nav.home", Href: "/"}, {Key: "nav.determine", Href: "/determine"}}
	if role == rarex.RoleExporter {
		items = append(items, navItem{Key: "nav.boms", Href: "/boms"})
	}
	if rarex.ScopeOf(role, rarex.ActScreen) != rarex.ScopeNone {
		items = append(items, navItem{Key: "nav.screen", Href: "/screen"})
	}
	if rarex.ScopeOf(role, rarex.ActViewApps) != rarex.ScopeNone {
		items = append(items, navItem{Key: "nav.applications", Href: "/applications"}, navItem{Key: "nav.licences", Href: "/licences"})
	}
	if rarex.ScopeOf(role, rarex.ActViewRegister) != rarex.ScopeNone {
		items = append(items, navItem{Key: "nav.register", Href: "/register"})
	}
	if rarex.ScopeOf(role, rarex.ActManageWebhooks) != rarex.ScopeNone {
		items = append(items, navItem{Key: "nav.webhooks", Href: "/webhooks"})
	}
	items = append(items, navItem{Key: "nav.monitor", Href: "/monitor"})
	if role == rarex.RoleAdmin {
		items = append(items, navItem{Key: "nav.users", Href: "/users"})
	}
	items = append(items, navItem{Key: "nav.tokens", Href: "/tokens"})
	for i := range items {
		items[i].Current = items[i].Href == path || (items[i].Href != "/" && strings.HasPrefix(path, items[i].Href+"/"))
	}
	return items
}

// pageData is what every template receives.
type pageData struct {
	Lang, OtherLang string
	Title           string
	Path            string
	User            *rarex.User
	Nav             []navItem
	Flash, Error    string
	Data            any
}

func langOf(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil && i18n.Supported(c.Value) {
		return c.Value
	}
	return i18n.Match(r.Header.Get("Accept-Language"))
}

func (s *Server) newPage(r *http.Request, actor *rarex.User, titleKey string) *pageData {
	lang := langOf(r)
	other := i18n.Chinese
	if lang == i18n.Chinese {
		other = i18n.English
	}
	p := &pageData{Lang: lang, OtherLang: other, Title: i18n.T(lang, titleKey), Path: r.URL.Path, User: actor}
	if actor != nil {
		p.Nav = navFor(actor.Role, r.URL.Path)
	}
	return p
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *pageData) {
	var buf bytes.Buffer
	if err := s.pages[name].t.ExecuteTemplate(&buf, "layout", p); err != nil {
		s.Log.Error("rendering page", "page", name, "err", err)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", p.Lang)
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// wordedText words err in lang when it is an error that words itself, as
// the BOM engine's input errors do (a bad field of a file with its place,
// a cycle, an edge naming no part).
func wordedText(lang string, err error) (string, bool) {
	var e wordedError
	if errors.As(err, &e) {
		return e.In(lang), true
	}
	return "", false
}

// wordedError is an error that words itself in a language.
type wordedError interface {
	error
	In(lang string) string
}

// errorKeys gives the catalog message for each error code on an error page.
var errorKeys = map[string]string{
	rarex.EFORBIDDEN:   "error.forbidden",
	rarex.ENOTFOUND:    "error.not_found",
	rarex.EINTERNAL:    "error.internal",
	rarex.EUNAVAILABLE: "error.unavailable",
	rarex.ETOOLARGE:    "error.too_large",
}

func i18nInvalid(lang, msg string) string { return i18n.T(lang, "error.invalid", msg) }

// invalidText is the page's wording of an input error: in the reader's
// language when the error carries a catalog message, else its message.
func invalidText(lang string, err error) string {
	if text, ok := wordedText(lang, err); ok {
		return i18nInvalid(lang, text)
	}
	var e *rarex.Error
	if errors.As(err, &e) && e.Key != "" && i18n.Has(e.Key) {
		return i18nInvalid(lang, i18n.TS(lang, e.Key, e.Args))
	}
	return i18nInvalid(lang, rarex.ErrorMessage(err))
}

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, actor *rarex.User, err error) {
	s.renderErrorKey(w, r, actor, err, "")
}

func (s *Server) renderErrorKey(w http.ResponseWriter, r *http.Request, actor *rarex.User, err error, key string) {
	code := rarex.ErrorCode(err)
	if code == rarex.EINTERNAL || code == rarex.EUNAVAILABLE {
		s.Log.Error("page failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	p := s.newPage(r, actor, "error.title")
	switch {
	case key != "":
		p.Error = i18n.T(p.Lang, key)
	case errorKeys[code] != "":
		p.Error = i18n.T(p.Lang, errorKeys[code])
	case code == rarex.ECONFLICT:
		p.Error = i18n.T(p.Lang, "error.conflict", rarex.ErrorMessage(err))
	default:
		p.Error = i18n.T(p.Lang, "error.invalid", rarex.ErrorMessage(err))
	}
	s.render(w, r, HTTPStatus(err), "error", p)
}

type pageFunc func(w http.ResponseWriter, r *http.Request, actor *rarex.User) error

// page wraps a UI handler: it limits the body, sends visitors without a
// session to the login page and renders returned errors as a page.
func (s *Server) page(fn pageFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, s.bodyLimit(r))
		actor, err := s.actor(r)
		if rarex.ErrorCode(err) == rarex.EUNAUTHORIZED || (err == nil && actor == nil) {
			target := "/login"
			if r.Method == http.MethodGet && r.URL.Path != "/" {
				target += "?next=" + url.QueryEscape(r.URL.RequestURI())
			} else if err != nil {
				target += "?expired=1"
			}
			http.Redirect(w, r, target, http.StatusSeeOther)
			return
		}
		if err == nil {
			err = fn(w, r, actor)
		}
		if err != nil {
			s.renderError(w, r, actor, err)
		}
	}
}

// parseForm reads a form body, mapping an oversized body to ETOOLARGE.
func parseForm(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		if strings.Contains(err.Error(), "too large") {
			return rarex.Errorf(rarex.ETOOLARGE, "form: too large")
		}
		return rarex.Errorf(rarex.EINVALID, "form: %v", err)
	}
	return nil
}

// safeNext keeps redirects on this site: a local absolute path only.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || strings.ContainsAny(next, "\r\n") {
		return "/"
	}
	return next
}

func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: r.TLS != nil || s.SecureCookies, SameSite: http.SameSiteLaxMode})
}

type loginData struct {
	Email, Next string
}

func (s *Server) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r, nil, "login.title")
	q := r.URL.Query()
	p.Data = loginData{Next: safeNext(q.Get("next"))}
	switch {
	case q.Get("expired") != "":
		p.Error = i18n.T(p.Lang, "login.expired")
	case q.Get("bye") != "":
		p.Flash = i18n.T(p.Lang, "login.signed_out")
	}
	s.render(w, r, http.StatusOK, "login", p)
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, s.bodyLimit(r))
	if err := parseForm(r); err != nil {
		s.renderError(w, r, nil, err)
		return
	}
	email, next := r.PostFormValue("email"), safeNext(r.PostFormValue("next"))
	old := ""
	if c, err := r.Cookie(sessionCookie); err == nil {
		old = c.Value
	}
	_, secret, se, err := s.Accounts.Login(r.Context(), email, r.PostFormValue("password"), clientAddr(r), old)
	if err != nil {
		s.metrics.logins.WithLabelValues(rarex.ErrorCode(err)).Inc()
		if c := rarex.ErrorCode(err); c != rarex.EUNAUTHORIZED && c != rarex.ERATELIMIT {
			s.renderError(w, r, nil, err)
			return
		}
		p := s.newPage(r, nil, "login.title")
		p.Data = loginData{Email: email, Next: next}
		switch {
		case errors.Is(err, accounts.ErrDisabled):
			p.Error = i18n.T(p.Lang, "login.disabled")
		case rarex.ErrorCode(err) == rarex.ERATELIMIT:
			p.Error = i18n.T(p.Lang, "login.rate_limited")
		default:
			p.Error = i18n.T(p.Lang, "login.failed")
		}
		s.render(w, r, HTTPStatus(err), "login", p)
		return
	}
	s.metrics.logins.WithLabelValues("ok").Inc()
	s.setCookie(w, r, sessionCookie, secret, int(time.Until(se.ExpiresAt).Seconds()))
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.Accounts.Logout(r.Context(), c.Value); err != nil {
			s.renderError(w, r, nil, err)
			return
		}
	}
	s.setCookie(w, r, sessionCookie, "", -1)
	http.Redirect(w, r, "/login?bye=1", http.StatusSeeOther)
}

// handleLang stores the chosen language for a year and goes back.
func (s *Server) handleLang(w http.ResponseWriter, r *http.Request) {
	lang := r.PathValue("lang")
	if !i18n.Supported(lang) {
		s.renderError(w, r, nil, rarex.Errorf(rarex.ENOTFOUND, "No such language."))
		return
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		Secure: r.TLS != nil || s.SecureCookies, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
}

// task is one entry on a role's home page.
type task struct {
	Key   string
	Href  string // empty while the feature is not built
	Ready bool
}

var tasksByRole = map[rarex.Role][]task{
	rarex.RoleExporter: {{Key: "task.determine", Href: "/determine", Ready: true}, {Key: "task.bom", Href: "/boms", Ready: true}, {Key: "task.screen"}, {Key: "task.apply"}, {Key: "task.tokens", Href: "/tokens", Ready: true}},
	rarex.RoleReviewer: {{Key: "task.queue"}, {Key: "task.decide"}, {Key: "task.determine", Href: "/determine", Ready: true}, {Key: "task.screen"}, {Key: "task.tokens", Href: "/tokens", Ready: true}},
	rarex.RoleAdmin:    {{Key: "task.users", Href: "/users", Ready: true}, {Key: "task.countersign"}, {Key: "task.queue"}},
	rarex.RoleOverseer: {{Key: "task.indicators"}, {Key: "task.log"}, {Key: "task.timeline", Href: "/determine", Ready: true}, {Key: "task.tokens", Href: "/tokens", Ready: true}},
}

type homeData struct {
	Org   *rarex.Organisation
	Tasks []task
}

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	org, err := s.Accounts.GetOrg(r.Context(), actor, actor.OrgID)
	if err != nil {
		return err
	}
	p := s.newPage(r, actor, "home.title")
	p.Data = homeData{Org: org, Tasks: tasksByRole[actor.Role]}
	s.render(w, r, http.StatusOK, "home", p)
	return nil
}

type tokensData struct {
	Tokens    []*rarex.APIToken
	NewSecret string
	Now       time.Time
	Name      string
}

func (s *Server) renderTokens(w http.ResponseWriter, r *http.Request, actor *rarex.User, status int, d tokensData, errMsg string) error {
	toks, err := s.Accounts.ListTokens(r.Context(), actor, actor.ID)
	if err != nil {
		return err
	}
	d.Tokens, d.Now = toks, s.Accounts.Clock.Now()
	p := s.newPage(r, actor, "tokens.title")
	p.Data, p.Error = d, errMsg
	if d.NewSecret != "" {
		p.Flash = i18n.T(p.Lang, "tokens.created")
	}
	s.render(w, r, status, "tokens", p)
	return nil
}

func (s *Server) handleTokensPage(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	return s.renderTokens(w, r, actor, http.StatusOK, tokensData{}, "")
}

func (s *Server) handleTokenCreateForm(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	if err := parseForm(r); err != nil {
		return err
	}
	name := r.PostFormValue("name")
	days, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("ttl_days")))
	if err != nil || days < 0 || days > 366 {
		return s.renderTokens(w, r, actor, http.StatusBadRequest, tokensData{Name: name}, i18n.T(langOf(r), "tokens.bad_ttl"))
	}
	secret, _, err := s.Accounts.CreateToken(r.Context(), actor, actor.ID, name, time.Duration(days)*24*time.Hour)
	if rarex.ErrorCode(err) == rarex.EINVALID {
		return s.renderTokens(w, r, actor, http.StatusBadRequest, tokensData{Name: name}, i18n.T(langOf(r), "error.invalid", rarex.ErrorMessage(err)))
	} else if err != nil {
		return err
	}
	return s.renderTokens(w, r, actor, http.StatusCreated, tokensData{NewSecret: secret}, "")
}

func (s *Server) handleTokenRevokeForm(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	if _, err := s.Accounts.RevokeToken(r.Context(), actor, r.PathValue("id")); err != nil {
		return err
	}
	http.Redirect(w, r, "/tokens", http.StatusSeeOther)
	return nil
}

type usersData struct {
	Dir       []accounts.OrgUsers
	Truncated bool
	Roles     []rarex.Role
	Form      accounts.NewUser
}

func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, actor *rarex.User, status int, form accounts.NewUser, flash, errMsg string) error {
	dir, truncated, err := s.Accounts.Directory(r.Context(), actor)
	if err != nil {
		return err
	}
	p := s.newPage(r, actor, "users.title")
	form.Password = ""
	p.Data, p.Flash, p.Error = usersData{Dir: dir, Truncated: truncated, Roles: rarex.Roles, Form: form}, flash, errMsg
	s.render(w, r, status, "users", p)
	return nil
}

func (s *Server) handleUsersPage(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	return s.renderUsers(w, r, actor, http.StatusOK, accounts.NewUser{}, "", "")
}

func (s *Server) handleUserCreateForm(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	if err := parseForm(r); err != nil {
		return err
	}
	in := accounts.NewUser{OrgID: r.PostFormValue("org_id"), Email: r.PostFormValue("email"), Name: r.PostFormValue("name"),
		Role: rarex.Role(r.PostFormValue("role")), Password: r.PostFormValue("password")}
	generated := in.Password == ""
	if generated {
		in.Password = accounts.GeneratePassword()
	}
	u, err := s.Accounts.CreateUser(r.Context(), actor, in)
	lang := langOf(r)
	switch rarex.ErrorCode(err) {
	case "":
	case rarex.EINVALID:
		return s.renderUsers(w, r, actor, http.StatusBadRequest, in, "", i18n.T(lang, "error.invalid", rarex.ErrorMessage(err)))
	case rarex.ECONFLICT:
		return s.renderUsers(w, r, actor, http.StatusConflict, in, "", i18n.T(lang, "error.conflict", rarex.ErrorMessage(err)))
	default:
		return err
	}
	flash := i18n.T(lang, "users.added", u.Email)
	if generated {
		flash = i18n.T(lang, "users.created", u.Email, in.Password)
	}
	return s.renderUsers(w, r, actor, http.StatusCreated, accounts.NewUser{}, flash, "")
}

func (s *Server) handleUserDisableForm(disabled bool) pageFunc {
	return func(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
		if _, err := s.Accounts.SetDisabled(r.Context(), actor, r.PathValue("id"), disabled); err != nil {
			return err
		}
		http.Redirect(w, r, "/users", http.StatusSeeOther)
		return nil
	}
}
