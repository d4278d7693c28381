package web

import (
	"net/http"

	"rarex"
	"rarex/webhooks"
)

type webhookRequest struct {
	URL string `json:"url"`
}

func (s *Server) apiWebhooks(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	hs, err := s.Webhooks.List(r.Context(), actor)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"webhooks": nonNil(hs)})
	return nil
}

func (s *Server) apiCreateWebhook(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	var req webhookRequest
	if err := DecodeJSON(r, &req); err != nil {
		return err
	}
	h, err := s.Webhooks.Create(r.Context(), actor, req.URL)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, h)
	return nil
}

func (s *Server) apiDeleteWebhook(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	if err := s.Webhooks.Delete(r.Context(), actor, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiDeliveries(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	ds, err := s.Webhooks.Deliveries(r.Context(), actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"deliveries": nonNil(ds)})
	return nil
}

type webhooksData struct {
	Hooks      []*rarex.Webhook
	Created    *webhooks.Created
	Selected   *rarex.Webhook
	Deliveries []*rarex.Delivery
	URL        string
}

func (s *Server) renderWebhooks(w http.ResponseWriter, r *http.Request, actor *rarex.User, status int, d webhooksData, errMsg string) error {
	hs, err := s.Webhooks.List(r.Context(), actor)
	if err != nil {
		return err
	}
	d.Hooks = hs
	if id := r.PathValue("id"); id != "" {
		if d.Deliveries, err = s.Webhooks.Deliveries(r.Context(), actor, id); err != nil {
			return err
		}
		for _, h := range hs {
			if h.ID == id {
				d.Selected = h
			}
		}
	}
	p := s.newPage(r, actor, "hooks.title")
	p.Error, p.Data = errMsg, d
	s.render(w, r, status, "webhooks", p)
	return nil
}

// handleWebhooksPage lists the hooks and, under /webhooks/{id}, one's delivery log.
func (s *Server) handleWebhooksPage(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	return s.renderWebhooks(w, r, actor, http.StatusOK, webhooksData{}, "")
}

func (s *Server) handleWebhookForm(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	if err := parseForm(r); err != nil {
		return err
	}
	u := r.PostFormValue("url")
	h, err := s.Webhooks.Create(r.Context(), actor, u)
	if err != nil {
		if c := rarex.ErrorCode(err); c == rarex.EINVALID || c == rarex.ECONFLICT {
			return s.renderWebhooks(w, r, actor, HTTPStatus(err), webhooksData{URL: u}, invalidText(langOf(r), err))
		}
		return err
	}
	// The secret is shown on this response only.
	return s.renderWebhooks(w, r, actor, http.StatusCreated, webhooksData{Created: h}, "")
}

func (s *Server) handleWebhookDeleteForm(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	if err := s.Webhooks.Delete(r.Context(), actor, r.PathValue("id")); err != nil {
		return err
	}
	http.Redirect(w, r, "/webhooks", http.StatusSeeOther)
	return nil
}
