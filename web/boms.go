package web

import (
	"encoding/csv"
	"errors"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"

	"rarex"
	"rarex/bom"
	"rarex/boms"
	"rarex/rules"
)

// rollupQuery reads ?date=&interpretation=&top= for a roll-up.
func (s *Server) rollupQuery(r *http.Request) (rules.Date, string, int, error) {
	q := r.URL.Query()
	d := rules.Today(s.Accounts.Clock.Now())
	if v := q.Get("date"); v != "" {
		var err error
		if d, err = rules.ParseDate(v); err != nil {
			return d, "", 0, rarex.Errorf(rarex.EINVALID, "date: %v", err)
		}
	}
	top, err := queryIntIn(r, "top", 3, 0, 100)
	return d, q.Get("interpretation"), top, err
}

// pageQuery reads which of a BOM's products a request wants: offset
// (default 0) and limit (default def, at most max).
func pageQuery(r *http.Request, def, max int) (boms.Page, error) {
	offset, err := queryInt(r, "offset")
	if err != nil {
		return boms.Page{}, err
	}
	limit, err := queryIntIn(r, "limit", def, 1, max)
	return boms.Page{Offset: offset, Limit: limit}, err
}

// Products a BOM's API report and its page give at once, unless asked
// for fewer (or, from the API, more).
const (
	apiProducts  = 1000
	apiMaxPage   = 10000
	pageProducts = 100
)

// uploadFiles reads the name and the two CSV files of a multipart upload.
func (s *Server) uploadFiles(w http.ResponseWriter, r *http.Request) (string, multipart.File, string, multipart.File, string, error) {
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		var big *http.MaxBytesError
		if errors.As(err, &big) {
			return "", nil, "", nil, "", rarex.Errorf(rarex.ETOOLARGE, "upload: larger than %d bytes", big.Limit)
		}
		return "", nil, "", nil, "", rarex.Errorf(rarex.EINVALID, "upload: send multipart/form-data with name, parts and edges (or JSON: name, parts, edges): %v", err)
	}
	pf, ph, err := r.FormFile("parts")
	if err != nil {
		return "", nil, "", nil, "", rarex.Errorf(rarex.EINVALID, "parts: a parts.csv file is required")
	}
	ef, eh, err := r.FormFile("edges")
	if err != nil {
		pf.Close()
		return "", nil, "", nil, "", rarex.Errorf(rarex.EINVALID, "edges: an edges.csv file is required")
	}
	return r.FormValue("name"), pf, ph.Filename, ef, eh.Filename, nil
}

func (s *Server) apiListBOMs(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	list, err := s.BOMs.List(r.Context(), actor)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"boms": nonNil(list)})
	return nil
}

// jsonUploadMax caps a BOM sent as JSON: it is decoded whole, where CSV
// files stream; a larger BOM goes as files.
const jsonUploadMax = 32 << 20

func (s *Server) apiUploadBOM(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/json" {
		r.Body = http.MaxBytesReader(w, r.Body, min(s.bodyLimit(r), jsonUploadMax))
		var body struct {
			Name  string     `json:"name"`
			Parts []bom.Part `json:"parts"`
			Edges []bom.Edge `json:"edges"`
		}
		if err := decodeJSONBody(r.Body, &body); err != nil {
			return err
		}
		b, err := s.BOMs.UploadDocument(r.Context(), actor, body.Name, &bom.Document{Parts: body.Parts, Edges: body.Edges}, "body")
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusCreated, b)
		return nil
	}
	name, pf, pname, ef, ename, err := s.uploadFiles(w, r)
	if err != nil {
		return err
	}
	defer pf.Close()
	defer ef.Close()
	b, err := s.BOMs.Upload(r.Context(), actor, name, pf, pname, ef, ename)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, b)
	return nil
}

func (s *Server) apiGetBOM(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	d, interp, top, err := s.rollupQuery(r)
	if err != nil {
		return err
	}
	page, err := pageQuery(r, apiProducts, apiMaxPage)
	if err != nil {
		return err
	}
	rep, err := s.BOMs.Rollup(r.Context(), actor, r.PathValue("id"), d, interp, r.URL.Query().Get("product"), top, page)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

func (s *Server) apiExposure(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	q := r.URL.Query()
	if q.Get("product") == "" {
		return rarex.Errorf(rarex.EINVALID, "product: required, e.g. ?product=HM-250")
	}
	rep, err := s.BOMs.Exposure(r.Context(), actor, r.PathValue("id"), q.Get("product"), q.Get("interpretation"), nil)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

func (s *Server) apiDeleteBOM(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	if err := s.BOMs.Delete(r.Context(), actor, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type bomsData struct {
	List []*rarex.BOM
	Name string
}

func (s *Server) renderBOMs(w http.ResponseWriter, r *http.Request, actor *rarex.User, status int, name, errMsg string) error {
	list, err := s.BOMs.List(r.Context(), actor)
	if err != nil {
		return err
	}
	p := s.newPage(r, actor, "boms.title")
	p.Data, p.Error = bomsData{List: list, Name: name}, errMsg
	s.render(w, r, status, "boms", p)
	return nil
}

func (s *Server) handleBOMsPage(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	return s.renderBOMs(w, r, actor, http.StatusOK, "", "")
}

func (s *Server) handleBOMUploadForm(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	if err := rarex.Authorize(actor, rarex.ActManageBOMs, actor.OrgID); err != nil {
		return err
	}
	name, pf, pname, ef, ename, err := s.uploadFiles(w, r)
	if err == nil {
		defer pf.Close()
		defer ef.Close()
		var b *rarex.BOM
		if b, err = s.BOMs.Upload(r.Context(), actor, name, pf, pname, ef, ename); err == nil {
			http.Redirect(w, r, "/boms/"+b.ID, http.StatusSeeOther)
			return nil
		}
	}
	if c := rarex.ErrorCode(err); c == rarex.EINVALID || c == rarex.ETOOLARGE {
		return s.renderBOMs(w, r, actor, HTTPStatus(err), name, invalidText(langOf(r), err))
	}
	return err
}

type bomData struct {
	Report   *boms.Report
	Regime   *rules.Regime
	Product  *bom.Result // set on a product's page
	Plan     *bom.Plan   // a what-if result
	Target   string
	Exposure *boms.ExposureReport // rare-earth sourcing, on a product's page
	Pager    pager                // where the table of products is among them
}

// pager is where a page of a BOM's products is among them: the first and
// last shown (counted from 1), the offsets of the pages before and after
// (-1: none) and the page's size.
type pager struct {
	First, Last, Prev, Next, Limit int
}

func pagerOf(rep *boms.Report, limit int) pager {
	pg := pager{First: rep.Offset + 1, Last: rep.Offset + len(rep.Products), Prev: -1, Next: -1, Limit: limit}
	if rep.Offset > 0 {
		pg.Prev = max(0, rep.Offset-limit)
	}
	if pg.Last < rep.Total {
		pg.Next = pg.Last
	}
	return pg
}

func (s *Server) handleBOMPage(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	d, interp, top, err := s.rollupQuery(r)
	if err != nil {
		return err
	}
	product := r.PathValue("product")
	page, err := pageQuery(r, pageProducts, pageProducts)
	if err != nil {
		return err
	}
	if product == "" {
		top = 0 // the table of products shows no paths
	}
	rep, err := s.BOMs.Rollup(r.Context(), actor, r.PathValue("id"), d, interp, product, top, page)
	if err != nil {
		return err
	}
	p := s.newPage(r, actor, "boms.report_title")
	data := bomData{Report: rep, Regime: s.Regime, Pager: pagerOf(rep, page.Limit)}
	if product != "" {
		data.Product = &rep.Products[0]
		if data.Exposure, err = s.BOMs.Exposure(r.Context(), actor, r.PathValue("id"), product, interp, nil); err != nil {
			return err
		}
	}
	p.Data = data
	s.render(w, r, http.StatusOK, "bom", p)
	return nil
}

func (s *Server) handleBOMDeleteForm(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	if err := s.BOMs.Delete(r.Context(), actor, r.PathValue("id")); err != nil {
		return err
	}
	http.Redirect(w, r, "/boms", http.StatusSeeOther)
	return nil
}

// pathString joins a contribution path for display.
func pathString(parts []string) string { return strings.Join(parts, " → ") }

// whatIfInput reads a what-if upload: the alternatives file, product and target.
func (s *Server) whatIfInput(r *http.Request) (multipart.File, string, error) {
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		var big *http.MaxBytesError
		if errors.As(err, &big) {
			return nil, "", rarex.Errorf(rarex.ETOOLARGE, "upload: larger than %d bytes", big.Limit)
		}
		return nil, "", rarex.Errorf(rarex.EINVALID, "upload: send multipart/form-data with alternatives and target: %v", err)
	}
	f, h, err := r.FormFile("alternatives")
	if err != nil {
		return nil, "", rarex.Errorf(rarex.EINVALID, "alternatives: an alternatives.csv file is required (part_id,origin,unit_value,supplier)")
	}
	return f, h.Filename, nil
}

func (s *Server) apiWhatIf(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	f, name, err := s.whatIfInput(r)
	if err != nil {
		return err
	}
	defer f.Close()
	plan, err := s.BOMs.WhatIf(r.Context(), actor, r.PathValue("id"), r.FormValue("product"), f, name, r.FormValue("target"), r.FormValue("interpretation"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, plan)
	return nil
}

// handleWhatIfForm shows the plan, or sends it as CSV when asked (format=csv).
func (s *Server) handleWhatIfForm(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	id, product := r.PathValue("id"), r.PathValue("product")
	f, name, err := s.whatIfInput(r)
	var plan *bom.Plan
	if err == nil {
		defer f.Close()
		plan, err = s.BOMs.WhatIf(r.Context(), actor, id, product, f, name, r.FormValue("target"), r.FormValue("interpretation"))
	}
	if err != nil && rarex.ErrorCode(err) != rarex.EINVALID && rarex.ErrorCode(err) != rarex.ETOOLARGE {
		return err
	}
	if err == nil && r.FormValue("format") == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="whatif-`+safeFilename(product)+`.csv"`)
		cw := csv.NewWriter(w)
		cw.Write([]string{"product", "part_id", "supplier", "origin", "unit_value", "units_per_product", "cost_delta", "share_before", "share_after", "target"})
		for _, sub := range plan.Substitutions {
			cw.Write([]string{plan.Product, sub.PartID, sub.Supplier, sub.Origin, sub.UnitValue, rarex.FormatNumber(sub.Units), rarex.FormatNumber(sub.CostDelta), rarex.FormatNumber(plan.ShareBefore), rarex.FormatNumber(plan.ShareAfter), rarex.FormatNumber(plan.Target)})
		}
		cw.Flush()
		return nil
	}
	d := rules.Today(s.Accounts.Clock.Now())
	if v := r.FormValue("date"); v != "" {
		pd, perr := rules.ParseDate(v)
		if perr != nil {
			return rarex.Errorf(rarex.EINVALID, "date: %v", perr)
		}
		d = pd
	}
	rep, rerr := s.BOMs.Rollup(r.Context(), actor, id, d, r.FormValue("interpretation"), product, 3, boms.Page{})
	if rerr != nil {
		return rerr
	}
	var subs []bom.Substitution
	if plan != nil && plan.Feasible {
		subs = plan.Substitutions
	}
	ex, xerr := s.BOMs.Exposure(r.Context(), actor, id, product, r.FormValue("interpretation"), subs)
	if xerr != nil {
		return xerr
	}
	p := s.newPage(r, actor, "boms.report_title")
	p.Data = bomData{Report: rep, Regime: s.Regime, Product: &rep.Products[0], Plan: plan, Target: r.FormValue("target"), Exposure: ex}
	status := http.StatusOK
	if err != nil {
		p.Error, status = invalidText(langOf(r), err), HTTPStatus(err)
	}
	s.render(w, r, status, "bom", p)
	return nil
}

// safeFilename keeps letters, digits, dot, dash and underscore.
func safeFilename(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '.' || r == '-' || r == '_' || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9') {
			return r
		}
		return '_'
	}, s)
}
