package web

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"rarex"
	"rarex/assess"
	"rarex/rules"
	"rarex/screening"
)

// today is the regime's calendar date now, from the injected clock.
func (s *Server) today() string { return rules.Today(s.Accounts.Clock.Now()).String() }

func (s *Server) apiDetermine(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	if err := rarex.Authorize(actor, rarex.ActDetermine, ""); err != nil {
		return err
	}
	if err := requireJSON(r); err != nil {
		return err
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return bodyError(err)
	}
	req, err := rules.DecodeRequest(bytes.NewReader(body))
	if err != nil {
		return err
	}
	if req.Date == "" {
		req.Date = s.today()
	}
	hits, warnings := s.Screening.EndUser(r.Context(), actor, req.EndUser.Name, req.EndUser.Country, s.Regime.PartyLists, &req.EndUser.Lists)
	d, err := assess.Determine(s.Regime, req)
	if err != nil {
		return err
	}
	for _, m := range warnings {
		d.Warn(m)
	}
	writeJSON(w, http.StatusOK, struct {
		*assess.Result
		EndUserScreening []screening.Hit `json:"end_user_screening,omitempty"`
	}{d, hits})
	return nil
}

// requireJSON refuses a body declared as anything but JSON.
func requireJSON(r *http.Request) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return rarex.Errorf(rarex.EINVALID, "Content-Type must be application/json, not %q", ct)
		}
	}
	return nil
}

// bodyError maps an over-limit body to ETOOLARGE; coded errors pass, and
// any other reading error is EINVALID.
func bodyError(err error) error {
	var big *http.MaxBytesError
	var re *rarex.Error
	switch {
	case errors.As(err, &big):
		return rarex.Errorf(rarex.ETOOLARGE, "body: larger than %d bytes", big.Limit)
	case errors.As(err, &re):
		return err
	}
	return rarex.Errorf(rarex.EINVALID, "body: %v", err)
}

// determineForm is the "Check an item" form, as the user typed it.
type determineForm struct {
	Date, ShipFrom, Destination, Class, Elements, HSCode, Origin, Value, ContentValue string
	Tech                                                                              map[string]bool
	EndUserName, EndUserCountry, EndUserType, EndUse, Interpretation, ExporterName    string
	Lists                                                                             map[string]bool
	Validated, Programme                                                              bool
}

type determineData struct {
	Form   determineForm
	Regime *rules.Regime
	Result *rules.Determination
}

func (s *Server) handleDeterminePage(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	if err := rarex.Authorize(actor, rarex.ActDetermine, ""); err != nil {
		return err
	}
	f := determineForm{Date: s.today(), ShipFrom: "CN", Destination: "", Class: "magnet_ndfeb", Origin: "CN",
		EndUserType: "civilian", EndUse: "civilian_manufacturing"}
	// From a BOM's product page: fill the item in from the stored product.
	q := r.URL.Query()
	if id, product := q.Get("bom"), q.Get("product"); id != "" && product != "" {
		facts, err := s.BOMs.Product(r.Context(), actor, id, product, q.Get("interpretation"))
		if err != nil {
			return err
		}
		p := facts.Part
		f.Class, f.Elements, f.HSCode, f.Origin, f.ShipFrom = p.Class, strings.Join(p.Elements, ", "), p.HSCode, p.Origin, p.Origin
		f.Value, f.ContentValue, f.Interpretation = facts.Value, facts.ControlledValue, q.Get("interpretation")
		if d := q.Get("date"); d != "" {
			f.Date = d
		}
		f.Tech = map[string]bool{}
		for _, t := range p.CNTechnology {
			f.Tech[t] = true
		}
	}
	return s.renderDetermine(w, r, actor, http.StatusOK, f, nil, "")
}

func (s *Server) renderDetermine(w http.ResponseWriter, r *http.Request, actor *rarex.User, status int, f determineForm, res *rules.Determination, errMsg string) error {
	p := s.newPage(r, actor, "determine.title")
	p.Data, p.Error = determineData{Form: f, Regime: s.Regime, Result: res}, errMsg
	s.render(w, r, status, "determine", p)
	return nil
}

func (s *Server) handleDetermineForm(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	if err := rarex.Authorize(actor, rarex.ActDetermine, ""); err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	v := r.PostForm
	f := determineForm{Date: v.Get("date"), ShipFrom: upper(v.Get("ship_from")), Destination: upper(v.Get("destination")),
		Class: v.Get("class"), Elements: v.Get("elements"), HSCode: strings.TrimSpace(v.Get("hs_code")), Origin: upper(v.Get("origin")),
		Value: strings.TrimSpace(v.Get("value")), ContentValue: strings.TrimSpace(v.Get("cn_controlled_content_value")),
		Tech: map[string]bool{}, Lists: map[string]bool{}, EndUserName: v.Get("end_user_name"), EndUserCountry: upper(v.Get("end_user_country")),
		EndUserType: v.Get("end_user_type"), EndUse: v.Get("end_use"), Interpretation: v.Get("interpretation"),
		Validated: v.Get("validated") != "", Programme: v.Get("compliance_programme") != "", ExporterName: strings.TrimSpace(v.Get("exporter_name"))}
	req := rules.Request{Date: f.Date, ShipFrom: f.ShipFrom, Destination: f.Destination, Interpretation: f.Interpretation,
		Item:    rules.Item{Class: f.Class, HSCode: f.HSCode, Origin: f.Origin, Elements: splitList(f.Elements)},
		EndUser: rules.EndUser{Name: f.EndUserName, Country: f.EndUserCountry, Type: f.EndUserType, Validated: f.Validated},
		EndUse:  rules.EndUse{Category: f.EndUse}, Exporter: rules.Exporter{Name: f.ExporterName, ComplianceProgramme: f.Programme}}
	for _, t := range v["cn_technology"] {
		f.Tech[t] = true
		req.Item.CNTechnology = append(req.Item.CNTechnology, t)
	}
	for _, l := range v["lists"] {
		f.Lists[l] = true
		req.EndUser.Lists = append(req.EndUser.Lists, l)
	}
	lang := langOf(r)
	for field, raw := range map[string]string{"item.value": f.Value, "item.cn_controlled_content_value": f.ContentValue} {
		if raw == "" {
			continue
		}
		d, err := rules.NewDecimal(raw)
		if err != nil {
			return s.renderDetermine(w, r, actor, http.StatusBadRequest, f, nil, i18nInvalid(lang, field+": "+raw+" is not a decimal number"))
		}
		if field == "item.value" {
			req.Item.Value = &d
		} else {
			req.Item.CNControlledContentValue = &d
		}
	}
	_, warnings := s.Screening.EndUser(r.Context(), actor, req.EndUser.Name, req.EndUser.Country, s.Regime.PartyLists, &req.EndUser.Lists)
	res, err := s.Regime.Determine(req)
	if rarex.ErrorCode(err) == rarex.EINVALID {
		return s.renderDetermine(w, r, actor, http.StatusBadRequest, f, nil, invalidText(lang, err))
	} else if err != nil {
		return err
	}
	for _, m := range warnings {
		res.Warn(m)
	}
	return s.renderDetermine(w, r, actor, http.StatusOK, f, res, "")
}

func upper(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// splitList reads "Nd, Pr; Dy" or "Nd Pr Dy" into symbols.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\t' || r == '，' })
}
