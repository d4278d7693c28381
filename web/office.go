package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"rarex"
	"rarex/i18n"
	"rarex/office"
)

// The licence office's pages: forms post back and redirect (POST, then
// GET), so every step works without JavaScript.

type applicationsData struct {
	Rows      []office.Row
	Counts    office.Counts
	Filter    office.QueueFilter
	Authority bool
	Classes   []string
}

func (s *Server) handleApplicationsPage(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	f, err := queueFilter(r)
	if err != nil {
		return err
	}
	rows, counts, err := s.Office.Queue(r.Context(), actor, f)
	if err != nil {
		return err
	}
	authority := rarex.ScopeOf(actor.Role, rarex.ActViewApps) == rarex.ScopeAny
	key := "apps.title"
	if authority {
		key = "apps.queue_title"
	}
	p := s.newPage(r, actor, key)
	p.Data = applicationsData{Rows: rows, Counts: counts, Filter: f, Authority: authority, Classes: s.Regime.ItemClasses}
	s.render(w, r, http.StatusOK, "applications", p)
	return nil
}

// newAppData fills the application form: the vocabularies and what is
// typed (a draft's body when editing; what was sent after a refusal).
type newAppData struct {
	Classes, EndUserTypes, EndUses, Units, Currencies []string
	Form                                              url.Values
	Lines, Intermediaries                             []int  // the rows the form shows
	Action                                            string // where the form posts
	Version                                           int    // the draft's version, when editing
	BOMs                                              []*rarex.BOM
}

// newAppData fills the form for actor, offering the organisation's stored
// BOMs for lines that are foreign-made products.
func (s *Server) newAppData(r *http.Request, actor *rarex.User, form url.Values) newAppData {
	d := s.appFormData(form)
	if list, err := s.BOMs.List(r.Context(), actor); err == nil {
		d.BOMs = list
	}
	return d
}

func (s *Server) appFormData(form url.Values) newAppData {
	if form == nil {
		form = url.Values{"ship_from": {"CN"}, "licence_type": {"individual"}, "validity_months": {"12"}, "unit_0": {"kg"}, "currency_0": {"USD"}, "origin_0": {"CN"}}
	}
	lines, intermediaries := rowsToShow(form)
	return newAppData{Classes: s.Regime.ItemClasses, EndUserTypes: s.Regime.EndUserTypes, EndUses: s.Regime.EndUseCategories,
		Units: s.Office.Proc.Units, Currencies: s.Office.Proc.Currencies, Form: form, Lines: upTo(lines), Intermediaries: upTo(intermediaries), Action: "/applications"}
}

// The form shows three line rows and one intermediary at first; its "add"
// buttons post it back for one more, without a script, up to the limits of
// an application (licensing.Validate: 100 lines, 20 intermediaries).
const (
	formLines, maxFormLines                   = 3, 100
	formIntermediaries, maxFormIntermediaries = 1, 20
)

// formRows reads how many line and intermediary rows the posted form had
// (hidden fields "lines" and "intermediaries").
func formRows(form url.Values) (lines, intermediaries int) {
	count := func(key string, def, max int) int {
		n, err := strconv.Atoi(form.Get(key))
		if err != nil || n < def {
			n = def
		}
		return min(n, max)
	}
	return count("lines", formLines, maxFormLines), count("intermediaries", formIntermediaries, maxFormIntermediaries)
}

// rowsToShow is formRows plus one row when the form's "add" button asked
// for it.
func rowsToShow(form url.Values) (lines, intermediaries int) {
	lines, intermediaries = formRows(form)
	switch form.Get("add") {
	case "line":
		lines = min(lines+1, maxFormLines)
	case "intermediary":
		intermediaries = min(intermediaries+1, maxFormIntermediaries)
	}
	return lines, intermediaries
}

// upTo returns 0, 1, …, n-1.
func upTo(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// formFromBody is bodyFromForm's inverse, to edit a draft in the form.
func formFromBody(b rarex.ApplicationBody) (url.Values, error) {
	if len(b.Lines) > maxFormLines || len(b.Intermediaries) > maxFormIntermediaries {
		return nil, rarex.Errorf(rarex.ECONFLICT, "This draft has %d lines and %d intermediaries; the form edits at most %d and %d: edit it through the API (PUT /api/v1/applications/{id}).", len(b.Lines), len(b.Intermediaries), maxFormLines, maxFormIntermediaries)
	}
	f := url.Values{}
	f.Set("lines", strconv.Itoa(max(formLines, len(b.Lines))))
	f.Set("intermediaries", strconv.Itoa(max(formIntermediaries, len(b.Intermediaries))))
	set := func(k, v string) {
		if v != "" {
			f.Set(k, v)
		}
	}
	for i, l := range b.Lines {
		n := strconv.Itoa(i)
		set("description_"+n, l.Description)
		set("class_"+n, l.Class)
		set("elements_"+n, strings.Join(l.Elements, ";"))
		set("hs_code_"+n, l.HSCode)
		set("origin_"+n, l.Origin)
		set("quantity_"+n, l.Quantity.String())
		set("unit_"+n, l.Unit)
		set("value_"+n, l.Value.String())
		set("currency_"+n, l.Currency)
		set("bom_id_"+n, l.BOMID)
		set("product_"+n, l.Product)
	}
	set("ship_from", b.ShipFrom)
	set("destination", b.Destination)
	set("contract_ref", b.ContractRef)
	set("consignee_name", b.Consignee.Name)
	set("consignee_address", b.Consignee.Address)
	set("consignee_country", b.Consignee.Country)
	set("end_user_name", b.EndUser.Name)
	set("end_user_address", b.EndUser.Address)
	set("end_user_country", b.EndUser.Country)
	set("end_user_type", b.EndUser.Type)
	for j, im := range b.Intermediaries {
		n := strconv.Itoa(j)
		set("intermediary_name_"+n, im.Name)
		set("intermediary_address_"+n, im.Address)
		set("intermediary_country_"+n, im.Country)
		set("intermediary_type_"+n, im.Type)
	}
	set("end_use_category", b.EndUse.Category)
	set("end_use_statement", b.EndUse.Statement)
	set("licence_type", string(b.LicenceType))
	set("validity_months", strconv.Itoa(b.ValidityMonths))
	set("interpretation", b.Interpretation)
	return f, nil
}

// handleEditApplicationPage shows a draft in the application form.
func (s *Server) handleEditApplicationPage(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	v, err := s.editableDraft(r, actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	form, err := formFromBody(v.App.Body)
	if err != nil {
		return err
	}
	s.renderAppForm(w, r, actor, http.StatusOK, form, v.App.ID, v.App.Number, v.App.Version, nil)
	return nil
}

// editableDraft loads application id for actor to edit: its own draft.
func (s *Server) editableDraft(r *http.Request, actor *rarex.User, id string) (*office.View, error) {
	v, err := s.Office.Get(r.Context(), actor, id)
	if err != nil {
		return nil, err
	}
	if err := rarex.Authorize(actor, rarex.ActApply, v.App.OrgID); err != nil {
		return nil, err
	}
	if v.App.State != rarex.AppDraft {
		return nil, rarex.Errorf(rarex.ECONFLICT, "Application %s is %s: only a draft can be edited.", v.App.Number, v.App.State)
	}
	return v, nil
}

// renderAppForm shows the application form, new (editID "") or editing a
// draft, with what is typed and the error that sent it back, if any.
func (s *Server) renderAppForm(w http.ResponseWriter, r *http.Request, actor *rarex.User, status int, form url.Values, editID, number string, version int, err error) {
	key := "apps.new_title"
	d := s.newAppData(r, actor, form)
	if editID != "" {
		key = "apps.edit_title"
		d.Action, d.Version = "/applications/"+editID+"/edit", version
	}
	p := s.newPage(r, actor, key)
	if number != "" {
		p.Title += " " + number
	}
	if err != nil {
		p.Error = invalidText(p.Lang, err)
	}
	p.Data = d
	s.render(w, r, status, "application_new", p)
}

func (s *Server) handleNewApplicationPage(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	if err := rarex.Authorize(actor, rarex.ActApply, actor.OrgID); err != nil {
		return err
	}
	s.renderAppForm(w, r, actor, http.StatusOK, nil, "", "", 0, nil)
	return nil
}

// bodyFromForm reads the application form: as many line and intermediary
// rows as it says it has; rows left blank are skipped.
func bodyFromForm(form url.Values) (rarex.ApplicationBody, error) {
	g := func(k string) string { return strings.TrimSpace(form.Get(k)) }
	b := rarex.ApplicationBody{ShipFrom: strings.ToUpper(g("ship_from")), Destination: strings.ToUpper(g("destination")),
		Consignee:   rarex.Party{Name: g("consignee_name"), Address: g("consignee_address"), Country: strings.ToUpper(g("consignee_country"))},
		EndUser:     rarex.Party{Name: g("end_user_name"), Address: g("end_user_address"), Country: strings.ToUpper(g("end_user_country")), Type: g("end_user_type")},
		EndUse:      rarex.EndUseStatement{Category: g("end_use_category"), Statement: g("end_use_statement")},
		ContractRef: g("contract_ref"), LicenceType: rarex.LicenceType(g("licence_type")), Interpretation: g("interpretation")}
	if g("same_as_consignee") != "" && b.EndUser.Name == "" {
		b.EndUser.Name, b.EndUser.Address, b.EndUser.Country = b.Consignee.Name, b.Consignee.Address, b.Consignee.Country
	}
	lines, intermediaries := formRows(form)
	for j := range intermediaries {
		// The first row also answers to its older, unnumbered names.
		k := func(f string) string {
			if v := g(f + "_" + strconv.Itoa(j)); v != "" || j > 0 {
				return v
			}
			return g(f)
		}
		if name := k("intermediary_name"); name != "" {
			b.Intermediaries = append(b.Intermediaries, rarex.Party{Name: name, Address: k("intermediary_address"), Country: strings.ToUpper(k("intermediary_country")), Type: k("intermediary_type")})
		}
	}
	if v := g("validity_months"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return b, rarex.Errorf(rarex.EINVALID, "validity_months: %q is not a whole number", v)
		}
		b.ValidityMonths = n
	}
	for i := range lines {
		k := func(f string) string { return g(f + "_" + strconv.Itoa(i)) }
		if k("description") == "" && k("quantity") == "" && k("value") == "" {
			continue
		}
		field := "lines[" + strconv.Itoa(len(b.Lines)) + "]"
		q, err := rarex.ParseQuantity(k("quantity"))
		if err != nil {
			return b, rarex.Errorf(rarex.EINVALID, "%s.quantity: %v", field, err)
		}
		v, err := rarex.ParseMoney(k("value"))
		if err != nil {
			return b, rarex.Errorf(rarex.EINVALID, "%s.value: %v", field, err)
		}
		var els []string
		for _, e := range strings.FieldsFunc(k("elements"), func(r rune) bool { return r == ';' || r == ',' || r == ' ' }) {
			els = append(els, e)
		}
		b.Lines = append(b.Lines, rarex.AppLine{Description: k("description"), Class: k("class"), Elements: els, HSCode: k("hs_code"),
			Origin: strings.ToUpper(k("origin")), Quantity: q, Unit: k("unit"), Value: v, Currency: k("currency"), BOMID: k("bom_id"), Product: k("product")})
	}
	return b, nil
}

func (s *Server) handleCreateApplicationForm(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	if err := parseForm(r); err != nil {
		return err
	}
	if r.PostForm.Get("add") != "" { // one more row, nothing saved
		if err := rarex.Authorize(actor, rarex.ActApply, actor.OrgID); err != nil {
			return err
		}
		s.renderAppForm(w, r, actor, http.StatusOK, r.PostForm, "", "", 0, nil)
		return nil
	}
	b, err := bodyFromForm(r.PostForm)
	var a *rarex.Application
	if err == nil {
		a, err = s.Office.Create(r.Context(), actor, b)
	}
	if err != nil {
		if rarex.ErrorCode(err) != rarex.EINVALID {
			return err
		}
		s.renderAppForm(w, r, actor, http.StatusBadRequest, r.PostForm, "", "", 0, err)
		return nil
	}
	http.Redirect(w, r, "/applications/"+a.ID, http.StatusSeeOther)
	return nil
}

// applicationData is what an application's page shows.
type applicationData struct {
	*office.View
	IsOwner, IsReviewer bool
	Today               string
	DocKinds            []rarex.DocKind
	RuleIDs             []string
	MaxDocMB            int64
	DocNames            map[string]string // document id → file name, for the thread
	// Preview is set on a draft: the snapshot is what submitting would
	// freeze now, shown so the exporter sees the green-channel criteria first.
	Preview bool
	// LogEntries are the decision's entries in the public log.
	LogEntries []logView
}

func (s *Server) renderApplication(w http.ResponseWriter, r *http.Request, actor *rarex.User, id string, status int, errMsg, flash string) error {
	v, err := s.Office.Get(r.Context(), actor, id)
	if err != nil {
		return err
	}
	p := s.newPage(r, actor, "app.title")
	p.Title = i18n.T(p.Lang, "app.title") + " " + v.App.Number
	p.Error, p.Flash = errMsg, flash
	var ruleIDs []string
	for _, ru := range s.Regime.Rules {
		ruleIDs = append(ruleIDs, ru.ID)
	}
	owner := actor.OrgID == v.App.OrgID && actor.Role == rarex.RoleExporter
	preview := false
	if owner && v.App.State == rarex.AppDraft {
		if snap, err := s.Office.Preview(r.Context(), actor, v.App.ID); err == nil {
			v.Snapshot, preview = snap, true
		} else if c := rarex.ErrorCode(err); c != rarex.EINVALID {
			return err
		} else if errMsg == "" {
			p.Error = invalidText(p.Lang, err) // e.g. a stored BOM that is gone
		}
	}
	logs, err := s.logViews(r, actor, v.App.ID)
	if err != nil {
		return err
	}
	p.Data = applicationData{View: v, IsOwner: owner, Preview: preview, LogEntries: logs,
		IsReviewer: actor.Role == rarex.RoleReviewer, Today: s.today(), DocKinds: rarex.DocKinds, RuleIDs: ruleIDs,
		MaxDocMB: s.Office.Proc.Documents.MaxBytes >> 20, DocNames: map[string]string{}}
	for _, doc := range v.Documents {
		p.Data.(applicationData).DocNames[doc.ID] = doc.Filename
	}
	s.render(w, r, status, "application", p)
	return nil
}

func (s *Server) handleApplicationPage(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	flash := ""
	if k := r.URL.Query().Get("done"); k != "" && i18n.Has("app.done."+k) {
		flash = i18n.T(langOf(r), "app.done."+k)
	}
	return s.renderApplication(w, r, actor, r.PathValue("id"), http.StatusOK, "", flash)
}

// handleApplicationForm runs one action posted from an application's page.
func (s *Server) handleApplicationForm(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	id, action := r.PathValue("id"), r.PathValue("action")
	ctx := r.Context()
	var err error
	if action == "document" {
		r.Body = http.MaxBytesReader(w, r.Body, s.Office.Proc.Documents.MaxBytes+1<<20)
		var up office.Upload
		if up, err = s.documentUpload(r); err == nil {
			_, _, err = s.Office.AddDocument(ctx, actor, id, up)
		}
	} else {
		r.Body = http.MaxBytesReader(w, r.Body, s.MaxBodyBytes)
		if err := parseForm(r); err != nil {
			return err
		}
		version, _ := strconv.Atoi(r.PostFormValue("version"))
		msg := r.PostFormValue("message")
		switch action {
		case "edit":
			if r.PostForm.Get("add") != "" { // one more row, nothing saved
				v, err := s.editableDraft(r, actor, id)
				if err != nil {
					return err
				}
				s.renderAppForm(w, r, actor, http.StatusOK, r.PostForm, id, v.App.Number, version, nil)
				return nil
			}
			var b rarex.ApplicationBody
			if b, err = bodyFromForm(r.PostForm); err == nil {
				_, err = s.Office.UpdateDraft(ctx, actor, id, version, b)
			}
			if rarex.ErrorCode(err) == rarex.EINVALID { // back to the form, with what was typed
				s.renderAppForm(w, r, actor, http.StatusBadRequest, r.PostForm, id, "", version, err)
				return nil
			}
		case "submit":
			_, err = s.Office.Submit(ctx, actor, id, version)
		case "withdraw":
			_, err = s.Office.Withdraw(ctx, actor, id, version)
		case "request-info":
			_, err = s.Office.RequestInformation(ctx, actor, id, version, msg)
		case "answer":
			_, err = s.Office.Answer(ctx, actor, id, version, msg, r.PostForm["documents"])
		case "note":
			_, err = s.Office.Note(ctx, actor, id, msg)
		case "decide":
			var in office.DecisionInput
			if in, err = decisionFromForm(r.PostForm); err == nil {
				_, err = s.Office.Decide(ctx, actor, id, version, in)
			}
		case "countersign":
			_, err = s.Office.Countersign(ctx, actor, id, version)
		case "return":
			_, err = s.Office.ReturnProposal(ctx, actor, id, version, msg)
		default:
			return rarex.Errorf(rarex.ENOTFOUND, "No such action.")
		}
	}
	if err != nil {
		switch rarex.ErrorCode(err) {
		case rarex.EINVALID, rarex.ECONFLICT, rarex.ETOOLARGE:
			lang := langOf(r)
			msg := invalidText(lang, err)
			if rarex.ErrorCode(err) == rarex.ECONFLICT {
				msg = i18n.T(lang, "error.conflict", rarex.ErrorMessage(err))
			}
			return s.renderApplication(w, r, actor, id, HTTPStatus(err), msg, "")
		}
		return err
	}
	http.Redirect(w, r, "/applications/"+id+"?done="+action, http.StatusSeeOther)
	return nil
}

func decisionFromForm(form url.Values) (office.DecisionInput, error) {
	g := func(k string) string { return strings.TrimSpace(form.Get(k)) }
	in := office.DecisionInput{Kind: g("kind"), Reasons: g("reasons"), LicenceType: rarex.LicenceType(g("licence_type")),
		ValidFrom: g("valid_from"), ValidTo: g("valid_to"), Conditions: g("conditions")}
	for _, id := range form["rule_ids"] {
		if id = strings.TrimSpace(id); id != "" {
			in.RuleIDs = append(in.RuleIDs, id)
		}
	}
	if v := g("quantity_limit"); v != "" {
		q, err := rarex.ParseQuantity(v)
		if err != nil {
			return in, rarex.Errorf(rarex.EINVALID, "quantity_limit: %v", err)
		}
		in.Quantity = q
	}
	if v := g("value_limit"); v != "" {
		m, err := rarex.ParseMoney(v)
		if err != nil {
			return in, rarex.Errorf(rarex.EINVALID, "value_limit: %v", err)
		}
		in.Value = m
	}
	return in, nil
}

type licencesData struct {
	Licences  []*rarex.Licence
	Authority bool
}

func (s *Server) handleLicencesPage(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	ls, err := s.Office.Licences(r.Context(), actor)
	if err != nil {
		return err
	}
	p := s.newPage(r, actor, "lic.list_title")
	p.Data = licencesData{Licences: ls, Authority: rarex.ScopeOf(actor.Role, rarex.ActViewApps) == rarex.ScopeAny}
	s.render(w, r, http.StatusOK, "licences", p)
	return nil
}

type licenceData struct {
	*office.LicenceView
	CanShip, CanManage bool
	Today              string
}

func (s *Server) renderLicence(w http.ResponseWriter, r *http.Request, actor *rarex.User, id string, status int, errMsg, flash string) error {
	v, err := s.Office.Licence(r.Context(), actor, id)
	if err != nil {
		return err
	}
	p := s.newPage(r, actor, "lic.title")
	p.Title = i18n.T(p.Lang, "lic.title") + " " + v.Licence.Number
	p.Error, p.Flash = errMsg, flash
	p.Data = licenceData{LicenceView: v, CanShip: actor.Role == rarex.RoleExporter && actor.OrgID == v.Licence.OrgID && v.Status == rarex.LicenceActive,
		CanManage: rarex.ScopeOf(actor.Role, rarex.ActManageLicences) == rarex.ScopeAny, Today: s.today()}
	s.render(w, r, status, "licence", p)
	return nil
}

func (s *Server) handleLicencePage(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	flash := ""
	if r.URL.Query().Get("done") != "" {
		flash = i18n.T(langOf(r), "lic.saved")
	}
	return s.renderLicence(w, r, actor, r.PathValue("id"), http.StatusOK, "", flash)
}

func (s *Server) handleShipmentForm(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	if err := parseForm(r); err != nil {
		return err
	}
	id := r.PathValue("id")
	in := office.ShipmentInput{Date: r.PostFormValue("date"), Consignee: r.PostFormValue("consignee"), Reference: r.PostFormValue("reference")}
	var err error
	if in.Quantity, err = rarex.ParseQuantity(r.PostFormValue("quantity")); err != nil {
		err = rarex.Errorf(rarex.EINVALID, "quantity: %v", err)
	} else if in.Value, err = rarex.ParseMoney(r.PostFormValue("value")); err != nil {
		err = rarex.Errorf(rarex.EINVALID, "value: %v", err)
	} else {
		_, err = s.Office.RecordShipment(r.Context(), actor, id, in)
	}
	return s.afterLicenceForm(w, r, actor, id, err)
}

func (s *Server) afterLicenceForm(w http.ResponseWriter, r *http.Request, actor *rarex.User, id string, err error) error {
	if err != nil {
		switch rarex.ErrorCode(err) {
		case rarex.EINVALID, rarex.ECONFLICT:
			return s.renderLicence(w, r, actor, id, HTTPStatus(err), invalidText(langOf(r), err), "")
		}
		return err
	}
	http.Redirect(w, r, "/licences/"+id+"?done=1", http.StatusSeeOther)
	return nil
}

func (s *Server) handleLicenceStatusForm(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	if err := parseForm(r); err != nil {
		return err
	}
	id := r.PathValue("id")
	_, err := s.Office.SetLicenceStatus(r.Context(), actor, id, rarex.LicenceStatus(r.PostFormValue("status")), r.PostFormValue("reason"))
	return s.afterLicenceForm(w, r, actor, id, err)
}

type registerData struct {
	Register  []*rarex.ValidatedEndUser
	Exporters []*rarex.Organisation
	Profiles  map[string]*rarex.ExporterProfile
	CanManage bool
}

func (s *Server) renderRegister(w http.ResponseWriter, r *http.Request, actor *rarex.User, status int, errMsg string) error {
	vs, err := s.Office.Register(r.Context(), actor)
	if err != nil {
		return err
	}
	kind := rarex.OrgExporter
	orgs, _, err := s.Accounts.ListOrgs(r.Context(), actor, rarex.OrgFilter{Kind: &kind, Limit: rarex.MaxListLimit})
	if err != nil {
		return err
	}
	profiles := map[string]*rarex.ExporterProfile{}
	for _, o := range orgs {
		if profiles[o.ID], err = s.Office.Profile(r.Context(), actor, o.ID); err != nil {
			return err
		}
	}
	p := s.newPage(r, actor, "reg.title")
	p.Error = errMsg
	p.Data = registerData{Register: vs, Exporters: orgs, Profiles: profiles, CanManage: rarex.ScopeOf(actor.Role, rarex.ActManageRegister) == rarex.ScopeAny}
	s.render(w, r, status, "register", p)
	return nil
}

func (s *Server) handleRegisterPage(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	return s.renderRegister(w, r, actor, http.StatusOK, "")
}

func (s *Server) afterRegisterForm(w http.ResponseWriter, r *http.Request, actor *rarex.User, err error) error {
	if err != nil {
		switch rarex.ErrorCode(err) {
		case rarex.EINVALID, rarex.ECONFLICT:
			return s.renderRegister(w, r, actor, HTTPStatus(err), invalidText(langOf(r), err))
		}
		return err
	}
	http.Redirect(w, r, "/register", http.StatusSeeOther)
	return nil
}

func (s *Server) handleRegisterForm(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	if err := parseForm(r); err != nil {
		return err
	}
	_, err := s.Office.AddValidated(r.Context(), actor, r.PostFormValue("name"), strings.ToUpper(strings.TrimSpace(r.PostFormValue("country"))), r.PostFormValue("note"))
	return s.afterRegisterForm(w, r, actor, err)
}

func (s *Server) handleRegisterDeleteForm(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	return s.afterRegisterForm(w, r, actor, s.Office.RemoveValidated(r.Context(), actor, r.PathValue("id")))
}

func (s *Server) handleProfileForm(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	if err := parseForm(r); err != nil {
		return err
	}
	g := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	_, err := s.Office.SetProfile(r.Context(), actor, rarex.ExporterProfile{OrgID: g("org_id"), ICPReference: g("icp_reference"),
		ICPRegistered: g("icp_registered"), LastViolation: g("last_violation")})
	return s.afterRegisterForm(w, r, actor, err)
}
