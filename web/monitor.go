package web

import (
	"net/http"

	"rarex"
	"rarex/monitor"
	"rarex/rules"
)

// apiIndicators serves the supply-stability indicators: public facts and
// aggregates only, so every signed-in role may read them.
func (s *Server) apiIndicators(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	if err := rarex.Authorize(actor, rarex.ActViewIndicators, actor.OrgID); err != nil {
		return err
	}
	d := rules.Today(s.Accounts.Clock.Now())
	if v := r.URL.Query().Get("date"); v != "" {
		var err error
		if d, err = rules.ParseDate(v); err != nil {
			return rarex.Errorf(rarex.EINVALID, "date: %v", err)
		}
	}
	facts, err := monitor.Shipped()
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, facts.Compute(s.Regime, d))
	return nil
}
