package web

import (
	"net/http"
	"strconv"
	"strings"

	"rarex"
)

// The public log, read-only, in the C2SP tlog-tiles layout: anyone may
// read it, so these routes need no sign-in.

func (s *Server) handleLogCheckpoint(w http.ResponseWriter, r *http.Request) {
	if s.PublicLog == nil {
		http.Error(w, "no log", http.StatusNotFound)
		return
	}
	cp, err := s.PublicLog.Checkpoint(r.Context())
	if err != nil {
		http.Error(w, "no checkpoint yet", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(cp)
}

func (s *Server) handleLogVKey(w http.ResponseWriter, r *http.Request) {
	if s.PublicLog == nil {
		http.Error(w, "no log", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte(s.PublicLog.Key.VKey + "\n"))
}

// handleLogTile serves tiles and entry bundles; only paths of the tlog-tiles
// form reach the files, so the log's internal state is never served.
func (s *Server) handleLogTile(w http.ResponseWriter, r *http.Request) {
	if s.PublicLog == nil || !validTilePath(strings.TrimPrefix(r.URL.Path, "/log/")) {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	if strings.Contains(r.URL.Path, ".p/") {
		w.Header().Set("Cache-Control", "public, max-age=60") // partial tiles grow
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	http.ServeFile(w, r, s.PublicLog.Dir+"/"+strings.TrimPrefix(r.URL.Path, "/log/"))
}

// validTilePath accepts tile/<L>/<N>[.p/<W>] and tile/entries/<N>[.p/<W>],
// with N written in x-prefixed groups of three digits.
func validTilePath(p string) bool {
	parts := strings.Split(p, "/")
	if len(parts) < 3 || parts[0] != "tile" {
		return false
	}
	if parts[1] != "entries" {
		if l, err := strconv.Atoi(parts[1]); err != nil || l < 0 || l > 63 || parts[1] != strconv.Itoa(l) {
			return false
		}
	}
	rest := parts[2:]
	for i, seg := range rest {
		last := i == len(rest)-1
		switch {
		case seg == "" || strings.Contains(seg, ".."):
			return false
		case strings.HasPrefix(seg, "x") && len(seg) == 4 && digits(seg[1:]) && !last:
		case len(seg) == 3 && digits(seg) && last:
		case len(seg) == 5 && digits(seg[:3]) && strings.HasSuffix(seg, ".p") && i == len(rest)-2:
		case i > 0 && strings.HasSuffix(rest[i-1], ".p") && last && digits(seg) && len(seg) <= 3:
		default:
			return false
		}
	}
	return true
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// logView is an application's public-log entry as its page and the API show it.
type logView struct {
	ID        string `json:"id"`
	Index     *int64 `json:"index,omitempty"`
	Published bool   `json:"published"` // covered by a published checkpoint: the receipt can be downloaded
	Entry     string `json:"entry"`
}

func (s *Server) logViews(r *http.Request, actor *rarex.User, id string) ([]logView, error) {
	es, err := s.Office.LogEntries(r.Context(), actor, id)
	if err != nil {
		return nil, err
	}
	out := make([]logView, len(es))
	for i, e := range es {
		out[i] = logView{ID: e.ID, Index: e.Index, Published: e.Published, Entry: string(e.Entry)}
	}
	return out, nil
}

func (s *Server) apiAppLog(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	vs, err := s.logViews(r, actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": nonNil(vs)})
	return nil
}

// serveReceipt sends an entry's tlog-proof receipt once a published
// checkpoint covers it.
func (s *Server) serveReceipt(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	rc, err := s.Office.Receipt(r.Context(), actor, r.PathValue("id"), r.PathValue("entry"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="decision-`+strconv.FormatUint(rc.Index, 10)+`.tlog-proof"`)
	w.Write(rc.Marshal())
	return nil
}

// serveOpening sends the salt and full record: the exporter's alone.
func (s *Server) serveOpening(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	b, err := s.Office.Opening(r.Context(), actor, r.PathValue("id"), r.PathValue("entry"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="opening-`+r.PathValue("entry")+`.json"`)
	w.Header().Set("Cache-Control", "private, no-store")
	w.Write(b)
	return nil
}
