package web

import (
	"encoding/csv"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"rarex"
	"rarex/screen"
	"rarex/screening"
)

// screenRequest is POST /api/v1/screen: one party (name, country, type) or
// a batch (names), and optionally the threshold.
type screenRequest struct {
	Name     string         `json:"name"`
	Country  string         `json:"country"`
	Type     string         `json:"type"`
	Names    []screen.Query `json:"names"`
	MinScore float64        `json:"min_score"`
}

func (s *Server) apiScreen(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	if err := rarex.Authorize(actor, rarex.ActScreen, actor.OrgID); err != nil {
		return err
	}
	var req screenRequest
	if err := DecodeJSON(r, &req); err != nil {
		return err
	}
	qs := req.Names
	switch {
	case req.Name != "" && len(qs) > 0:
		return rarex.Errorf(rarex.EINVALID, "name, names: give one party (name) or a batch (names), not both")
	case req.Name != "":
		qs = []screen.Query{{Name: req.Name, Country: req.Country, Type: req.Type}}
	}
	res, err := s.Screening.Screen(r.Context(), actor, qs, req.MinScore)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": res})
	return nil
}

func (s *Server) apiLists(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	ls, err := s.Screening.Lists(r.Context(), actor)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"lists": nonNil(ls)})
	return nil
}

func (s *Server) apiListVersions(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	vs, err := s.Screening.Versions(r.Context(), actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"versions": vs})
	return nil
}

func (s *Server) apiClear(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	if err := rarex.Authorize(actor, rarex.ActClearHits, actor.OrgID); err != nil {
		return err
	}
	var req screening.ClearRequest
	if err := DecodeJSON(r, &req); err != nil {
		return err
	}
	c, err := s.Screening.Clear(r.Context(), actor, req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

// screenData is what the screening page shows.
type screenData struct {
	Query    screen.Query
	Searched bool
	Results  []screening.Result
	Lists    []*rarex.ScreeningList
	CanClear bool
	Parties  []*rarex.WatchedParty
	Alerts   []*rarex.Alert
}

// handleScreenPage shows the search box and, for ?name=, its results: a GET
// form, so it works without JavaScript and results can be bookmarked.
func (s *Server) handleScreenPage(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	q := r.URL.Query()
	d := screenData{Query: screen.Query{Name: strings.TrimSpace(q.Get("name")), Country: strings.ToUpper(strings.TrimSpace(q.Get("country"))), Type: q.Get("type")}}
	var errMsg string
	if d.Query.Name != "" {
		res, err := s.Screening.Screen(r.Context(), actor, []screen.Query{d.Query}, 0)
		switch c := rarex.ErrorCode(err); {
		case err == nil && res[0].Error != "":
			errMsg = i18nInvalid(langOf(r), res[0].Error)
		case err == nil:
			d.Results, d.Searched = res, true
		case c == rarex.EINVALID || c == rarex.ECONFLICT:
			errMsg = invalidText(langOf(r), err)
		default:
			return err
		}
	}
	return s.renderScreen(w, r, actor, http.StatusOK, d, errMsg)
}

func (s *Server) renderScreen(w http.ResponseWriter, r *http.Request, actor *rarex.User, status int, d screenData, errMsg string) error {
	ls, err := s.Screening.Lists(r.Context(), actor)
	if err != nil {
		return err
	}
	d.Lists, d.CanClear = ls, rarex.ScopeOf(actor.Role, rarex.ActClearHits) != rarex.ScopeNone
	if d.Parties, err = s.Screening.Parties(r.Context(), actor); err != nil {
		return err
	}
	if d.Alerts, err = s.Screening.Alerts(r.Context(), actor); err != nil {
		return err
	}
	p := s.newPage(r, actor, "screen.title")
	p.Data, p.Error = d, errMsg
	if errMsg != "" && status == http.StatusOK {
		status = http.StatusUnprocessableEntity
	}
	s.render(w, r, status, "screen", p)
	return nil
}

// handleScreenBatch screens an uploaded CSV of parties (a header naming
// name, and optionally country and type) and shows every result.
func (s *Server) handleScreenBatch(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	if err := rarex.Authorize(actor, rarex.ActScreen, actor.OrgID); err != nil {
		return err
	}
	qs, err := batchQueries(r)
	var res []screening.Result
	if err == nil {
		res, err = s.Screening.Screen(r.Context(), actor, qs, 0)
	}
	if c := rarex.ErrorCode(err); c == rarex.EINVALID || c == rarex.ETOOLARGE || c == rarex.ECONFLICT {
		return s.renderScreen(w, r, actor, HTTPStatus(err), screenData{}, invalidText(langOf(r), err))
	} else if err != nil {
		return err
	}
	if r.FormValue("format") == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="screening.csv"`)
		return writeScreenCSV(w, res)
	}
	return s.renderScreen(w, r, actor, http.StatusOK, screenData{Results: res, Searched: true}, "")
}

func batchQueries(r *http.Request) ([]screen.Query, error) {
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var big *http.MaxBytesError
		if errors.As(err, &big) {
			return nil, rarex.Errorf(rarex.ETOOLARGE, "upload: larger than %d bytes", big.Limit)
		}
		return nil, rarex.Errorf(rarex.EINVALID, "upload: send a CSV file named file: %v", err)
	}
	f, h, err := r.FormFile("file")
	if err != nil {
		return nil, rarex.Errorf(rarex.EINVALID, "file: a CSV of parties is required")
	}
	defer f.Close()
	qs, err := screen.ReadQueries(f, h.Filename, screening.MaxBatch)
	if err != nil {
		return nil, rarex.Errorf(rarex.EINVALID, "%v", err)
	}
	return qs, nil
}

func writeScreenCSV(w io.Writer, res []screening.Result) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"name", "score", "matched_name", "list_id", "list", "meaning", "entry_id", "cleared"})
	for _, r := range res {
		if len(r.Hits) == 0 {
			cw.Write([]string{r.Query.Name, "", "", "", "", "", "", ""})
		}
		for _, h := range r.Hits {
			cw.Write([]string{r.Query.Name, strconv.FormatFloat(h.Score, 'f', 3, 64), h.Name, h.ListID, h.Entry.List, string(h.Entry.Meaning), h.Entry.ID, strconv.FormatBool(h.Cleared != nil)})
		}
	}
	cw.Flush()
	return cw.Error()
}

// handleClearForm clears a hit from the screening page, then shows the
// party's results again.
func (s *Server) handleClearForm(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	if err := parseForm(r); err != nil {
		return err
	}
	req := screening.ClearRequest{Party: r.PostFormValue("party"), ListID: r.PostFormValue("list_id"), EntryID: r.PostFormValue("entry_id"), Reason: r.PostFormValue("reason")}
	if _, err := s.Screening.Clear(r.Context(), actor, req); err != nil {
		if c := rarex.ErrorCode(err); c == rarex.EINVALID || c == rarex.ECONFLICT {
			res, _ := s.Screening.Screen(r.Context(), actor, []screen.Query{{Name: req.Party}}, 0)
			return s.renderScreen(w, r, actor, HTTPStatus(err), screenData{Query: screen.Query{Name: req.Party}, Results: res, Searched: true}, invalidText(langOf(r), err))
		}
		return err
	}
	http.Redirect(w, r, "/screen?name="+url.QueryEscape(req.Party), http.StatusSeeOther)
	return nil
}

func (s *Server) apiWatch(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	var q screen.Query
	if err := DecodeJSON(r, &q); err != nil {
		return err
	}
	p, err := s.Screening.Watch(r.Context(), actor, q)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, p)
	return nil
}

func (s *Server) apiParties(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	ps, err := s.Screening.Parties(r.Context(), actor)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"parties": nonNil(ps)})
	return nil
}

func (s *Server) apiUnwatch(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	if err := s.Screening.Unwatch(r.Context(), actor, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiAlerts(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	as, err := s.Screening.Alerts(r.Context(), actor)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"alerts": nonNil(as)})
	return nil
}

func (s *Server) apiAcknowledge(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	if err := s.Screening.Acknowledge(r.Context(), actor, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// handleWatchForm adds a watched party from the screening page.
func (s *Server) handleWatchForm(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	if err := parseForm(r); err != nil {
		return err
	}
	q := screen.Query{Name: r.PostFormValue("name"), Country: r.PostFormValue("country"), Type: r.PostFormValue("type")}
	if _, err := s.Screening.Watch(r.Context(), actor, q); err != nil {
		if c := rarex.ErrorCode(err); c == rarex.EINVALID || c == rarex.ECONFLICT {
			return s.renderScreen(w, r, actor, HTTPStatus(err), screenData{Query: q}, invalidText(langOf(r), err))
		}
		return err
	}
	http.Redirect(w, r, "/screen#watched", http.StatusSeeOther)
	return nil
}

func (s *Server) handleUnwatchForm(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	if err := s.Screening.Unwatch(r.Context(), actor, r.PathValue("id")); err != nil {
		return err
	}
	http.Redirect(w, r, "/screen#watched", http.StatusSeeOther)
	return nil
}

func (s *Server) handleAcknowledgeForm(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	if err := s.Screening.Acknowledge(r.Context(), actor, r.PathValue("id")); err != nil {
		return err
	}
	http.Redirect(w, r, "/screen#alerts", http.StatusSeeOther)
	return nil
}
