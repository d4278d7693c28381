// Package boms keeps exporters' bills of materials: upload (parsed and
// checked whole before anything is stored), list, roll up under the regime
// in force on a date, and delete. Each tenant sees only its own BOMs.
package boms

import (
	"context"
	"errors"
	"io"
	"math/big"
	"slices"
	"strings"

	"rarex"
	"rarex/assess"
	"rarex/bom"
	"rarex/rules"
)

// Service is the stored-BOM use-case layer.
type Service struct {
	Store  rarex.Store
	Regime *rules.Regime
	Clock  rarex.Clock
	IDs    rarex.IDSource
	// CacheEdges caps the compiled graphs kept in memory, in edges: 0 is
	// DefaultCacheEdges, a negative number keeps none.
	CacheEdges int

	cache graphCache
}

// invalid turns an engine's input error into EINVALID, keeping its text
// (which names the file, line, column and field) as the message, and the
// engine's error in the chain, for pages that word it in the reader's
// language.
func invalid(err error) error {
	var re *rarex.Error
	if errors.As(err, &re) {
		return err
	}
	return inputError{rarex.Errorf(rarex.EINVALID, "%v", err), err}
}

// inputError is EINVALID with the engine's error that it words.
type inputError struct {
	err   *rarex.Error
	cause error
}

func (e inputError) Error() string   { return e.err.Error() }
func (e inputError) Unwrap() []error { return []error{e.err, e.cause} }

// Upload reads parts and edges CSV and stores the BOM for the actor's
// organisation as it reads: rows stream into the store in batches, inside
// one transaction, while the graph is checked whole (fields, duplicate ids,
// unknown parts, cycles). A bad file stores nothing.
// Errors: EFORBIDDEN, EINVALID naming file, line, column and field.
func (s *Service) Upload(ctx context.Context, actor *rarex.User, name string, parts io.Reader, partsName string, edges io.Reader, edgesName string) (*rarex.BOM, error) {
	if err := rarex.Authorize(actor, rarex.ActManageBOMs, orgOf(actor)); err != nil {
		return nil, err
	}
	b := &rarex.BOM{ID: s.IDs.NewID(), OrgID: orgOf(actor), Name: strings.TrimSpace(name), CreatedBy: actor.ID, CreatedAt: s.Clock.Now()}
	var g *bom.Graph
	err := s.Store.StreamBOM(ctx, b, func(w rarex.BOMWriter) error {
		var err error
		g, err = bom.StreamGraph(parts, partsName, edges, edgesName, s.Regime,
			func(p bom.Part) error { return storeErr{w.Part(toRow(p))}.or() },
			func(parent, child, qty string) error {
				return storeErr{w.Edge(rarex.BOMEdge{ParentID: parent, ChildID: child, Quantity: qty})}.or()
			})
		var se storeErr
		if errors.As(err, &se) {
			return se.err // the store's own error, as it is
		}
		if err != nil {
			var ce *bom.CycleError
			if errors.As(err, &ce) {
				return inputError{rarex.Errorf(rarex.EINVALID, "%s: %v", edgesName, err), err}
			}
			return invalid(err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The graph checked on the way in is the one a first view would build
	// from the stored rows (same rows, same order): keep it, so that the
	// first view of a large BOM does not wait for it.
	s.cacheGraph(b.ID, g)
	return b, nil
}

// UploadDocument stores a BOM given as JSON (bom.Document, which
// determination requests carry too), checked as the CSV files are: a bad
// value is named by its path from at (e.g. body.parts[3].origin), a cycle
// as a path of ids. Its rows are stored in the document's order, in one
// transaction; nothing is stored when anything is wrong.
func (s *Service) UploadDocument(ctx context.Context, actor *rarex.User, name string, doc *bom.Document, at string) (*rarex.BOM, error) {
	if err := rarex.Authorize(actor, rarex.ActManageBOMs, orgOf(actor)); err != nil {
		return nil, err
	}
	if err := doc.Validate(at, s.Regime); err != nil {
		return nil, invalid(err)
	}
	g, err := bom.Build(doc.Parts, doc.Edges)
	if err != nil {
		return nil, inputError{rarex.Errorf(rarex.EINVALID, "%s.edges: %v", at, err), err}
	}
	b := &rarex.BOM{ID: s.IDs.NewID(), OrgID: orgOf(actor), Name: strings.TrimSpace(name), CreatedBy: actor.ID, CreatedAt: s.Clock.Now()}
	err = s.Store.StreamBOM(ctx, b, func(w rarex.BOMWriter) error {
		for _, p := range doc.Parts {
			if err := w.Part(toRow(p)); err != nil {
				return err
			}
		}
		for _, e := range doc.Edges {
			if err := w.Edge(rarex.BOMEdge{ParentID: e.Parent, ChildID: e.Child, Quantity: e.Quantity}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.cacheGraph(b.ID, g) // the graph the stored rows give, as Upload's
	return b, nil
}

// storeErr marks an error of the store met while streaming rows, so it is
// not taken for bad input.
type storeErr struct{ err error }

func (e storeErr) Error() string { return e.err.Error() }
func (e storeErr) Unwrap() error { return e.err }

// or is nil for no error, else the marked error.
func (e storeErr) or() error {
	if e.err == nil {
		return nil
	}
	return e
}

func toRow(p bom.Part) rarex.BOMPart {
	return rarex.BOMPart{PartID: p.ID, Description: p.Description, Class: p.Class, Elements: strings.Join(p.Elements, ";"),
		HSCode: p.HSCode, Origin: p.Origin, UnitValue: p.UnitValue, CNTechnology: strings.Join(p.CNTechnology, ";")}
}

// List returns the actor's organisation's BOMs, newest first.
func (s *Service) List(ctx context.Context, actor *rarex.User) ([]*rarex.BOM, error) {
	if err := rarex.Authorize(actor, rarex.ActManageBOMs, orgOf(actor)); err != nil {
		return nil, err
	}
	return s.Store.ListBOMs(ctx, actor.OrgID)
}

// Get returns one BOM. Another tenant's BOM reads as ENOTFOUND.
func (s *Service) Get(ctx context.Context, actor *rarex.User, id string) (*rarex.BOM, error) {
	if err := rarex.Authorize(actor, rarex.ActManageBOMs, orgOf(actor)); err != nil {
		return nil, err
	}
	b, err := s.Store.FindBOM(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := rarex.Authorize(actor, rarex.ActManageBOMs, b.OrgID); err != nil {
		return nil, rarex.Errorf(rarex.ENOTFOUND, "BOM %q not found.", id)
	}
	return b, nil
}

// Delete removes one of the actor's organisation's BOMs.
func (s *Service) Delete(ctx context.Context, actor *rarex.User, id string) error {
	if _, err := s.Get(ctx, actor, id); err != nil {
		return err
	}
	s.cache.drop(id)
	err := s.Store.DeleteBOM(ctx, id)
	s.cache.drop(id) // a roll-up that read it meanwhile may have cached it again
	return err
}

// Report is a stored BOM rolled up on a date under an interpretation.
type Report struct {
	BOM            *rarex.BOM   `json:"bom"`
	Date           string       `json:"date"`
	Interpretation string       `json:"interpretation"`
	Rule           string       `json:"rule"`        // the content-test rule
	RuleStatus     string       `json:"rule_status"` // its status on the date
	Threshold      float64      `json:"threshold"`
	Total          int          `json:"products_total"` // the BOM's products, whatever the page
	Over           int          `json:"products_over"`  // how many of them reach the threshold
	Offset         int          `json:"offset"`         // where Products start among them
	Products       []bom.Result `json:"products"`
}

// Page is a window on a BOM's products, in their order: from Offset on,
// at most Limit of them (0: all). A million-part BOM has some 200,000.
type Page struct{ Offset, Limit int }

// Rollup rolls a stored BOM up and reports the page of its products, each
// with its top paths, and how many products there are and reach the
// threshold. With product set, only that product is reported (ENOTFOUND
// if it is not a part).
func (s *Service) Rollup(ctx context.Context, actor *rarex.User, id string, date rules.Date, interp, product string, top int, page Page) (*Report, error) {
	b, test, g, err := s.load(ctx, actor, id, interp)
	if err != nil {
		return nil, err
	}
	r := assess.Roll(g, test)
	rep := &Report{BOM: b, Date: date.String(), Interpretation: test.Interpretation}
	rep.Rule, rep.RuleStatus = s.Regime.ContentRuleStatus(date)
	rep.Threshold, _ = test.Ratio.Float64()
	ids := g.Products()
	rep.Total = len(ids)
	for _, p := range ids {
		if r.Over(p) {
			rep.Over++
		}
	}
	if product != "" {
		p, err := productIndex(g, product)
		if err != nil {
			return nil, err
		}
		ids = []int32{p}
	} else {
		from := min(max(page.Offset, 0), len(ids))
		to := len(ids)
		if page.Limit > 0 {
			to = min(to, from+page.Limit)
		}
		ids, rep.Offset = ids[from:to], from
	}
	rep.Products = r.Results(ids, top)
	return rep, nil
}

// load checks the actor may see BOM id, and returns it with the content
// test under interp and the compiled graph.
func (s *Service) load(ctx context.Context, actor *rarex.User, id, interp string) (*rarex.BOM, *rules.ContentTest, *bom.Graph, error) {
	b, err := s.Get(ctx, actor, id)
	if err != nil {
		return nil, nil, nil, err
	}
	test, err := s.Regime.ContentTest(interp)
	if err != nil {
		return nil, nil, nil, err
	}
	g, err := s.graph(ctx, id)
	if err != nil {
		return nil, nil, nil, err
	}
	return b, test, g, nil
}

func productIndex(g *bom.Graph, product string) (int32, error) {
	p, ok := g.Index(product)
	if !ok {
		return 0, rarex.Errorf(rarex.ENOTFOUND, "Product %q is not a part of this BOM.", product)
	}
	return p, nil
}

// graph returns a stored BOM compiled, from the cache when it is there.
func (s *Service) graph(ctx context.Context, id string) (*bom.Graph, error) {
	if g := s.cache.get(id); g != nil {
		return g, nil
	}
	rows, edgeRows, err := s.Store.LoadBOM(ctx, id)
	if err != nil {
		return nil, err
	}
	parts, edges := FromRows(rows, edgeRows)
	g, err := bom.Build(parts, edges) // stored BOMs were checked at upload
	if err != nil {
		return nil, err
	}
	s.cacheGraph(id, g)
	return g, nil
}

// cacheGraph keeps BOM id's compiled graph, unless the cache is off.
func (s *Service) cacheGraph(id string, g *bom.Graph) {
	max := s.CacheEdges
	if max == 0 {
		max = DefaultCacheEdges
	}
	if max > 0 && g != nil {
		s.cache.put(id, g, max)
	}
}

// FromRows turns stored rows back into the engine's parts and edges.
func FromRows(rows []rarex.BOMPart, edgeRows []rarex.BOMEdge) ([]bom.Part, []bom.Edge) {
	parts := make([]bom.Part, len(rows))
	for i, p := range rows {
		parts[i] = bom.Part{ID: p.PartID, Description: p.Description, Class: p.Class, Elements: bom.SplitList(p.Elements), HSCode: p.HSCode,
			Origin: p.Origin, UnitValue: p.UnitValue, CNTechnology: bom.SplitList(p.CNTechnology)}
	}
	edges := make([]bom.Edge, len(edgeRows))
	for i, e := range edgeRows {
		edges[i] = bom.Edge{Parent: e.ParentID, Child: e.ChildID, Quantity: e.Quantity}
	}
	return parts, edges
}

// orgOf is the actor's organisation, or "" for no actor (Authorize then
// answers EUNAUTHORIZED).
func orgOf(actor *rarex.User) string {
	if actor == nil {
		return ""
	}
	return actor.OrgID
}

// WhatIf finds the cheapest substitutions from alternatives (CSV) that bring
// product below target (a decimal share; "" for the interpretation's threshold).
func (s *Service) WhatIf(ctx context.Context, actor *rarex.User, id, product string, alternatives io.Reader, altName, target, interp string) (*bom.Plan, error) {
	_, test, g, err := s.load(ctx, actor, id, interp)
	if err != nil {
		return nil, err
	}
	ratio := test.Ratio
	if target != "" {
		d, err := rules.NewDecimal(target)
		if err != nil || d.Rat.Sign() <= 0 || d.Rat.Cmp(big.NewRat(1, 1)) > 0 {
			return nil, rarex.Errorf(rarex.EINVALID, "target: %q is not a share between 0 and 1, e.g. 0.001", target)
		}
		ratio = d.Rat
	}
	alts, err := bom.ReadAlternatives(alternatives, altName)
	if err != nil {
		return nil, invalid(err)
	}
	p, err := productIndex(g, product)
	if err != nil {
		return nil, err
	}
	controlled, th := assess.Classifier(test)
	r := bom.Roll(g, controlled, th)
	plan, err := r.WhatIf(p, alts, ratio, controlled)
	var pe *bom.ParseError
	if errors.As(err, &pe) {
		return nil, invalid(err)
	} else if err != nil {
		return nil, rarex.Errorf(rarex.EINVALID, "%s: %v", altName, err)
	}
	return plan, nil
}

// ExposureReport is a product's rare-earth sourcing, and after a plan's
// substitutions when one is given.
type ExposureReport struct {
	Before   bom.Exposure  `json:"before"`
	After    *bom.Exposure `json:"after,omitempty"`
	DeltaHHI *float64      `json:"delta_hhi,omitempty"`
}

// Delta is the change of the sourcing HHI the substitutions make (0 without).
func (e *ExposureReport) Delta() float64 {
	if e.DeltaHHI == nil {
		return 0
	}
	return *e.DeltaHHI
}

// isRareEarth: a part of a rare-earth item class that lists elements.
func (s *Service) isRareEarth(p *bom.Part) bool {
	return len(p.Elements) > 0 && slices.Contains(s.Regime.Part1Classes, p.Class)
}

// Exposure reports where a stored product's rare-earth content comes from
// (value by origin country and stage, and the HHI of that sourcing), and,
// with subs, the same after those substitutions.
func (s *Service) Exposure(ctx context.Context, actor *rarex.User, id, product, interp string, subs []bom.Substitution) (*ExposureReport, error) {
	_, test, g, err := s.load(ctx, actor, id, interp)
	if err != nil {
		return nil, err
	}
	p, err := productIndex(g, product)
	if err != nil {
		return nil, err
	}
	controlled, th := assess.Classifier(test)
	r := bom.Roll(g, controlled, th)
	rep := &ExposureReport{Before: r.Exposure(p, s.isRareEarth)}
	if len(subs) > 0 {
		after, err := r.Applied(subs, controlled)
		if err != nil {
			return nil, err
		}
		ex := after.Exposure(p, s.isRareEarth)
		d := ex.HHI - rep.Before.HHI
		rep.After, rep.DeltaHHI = &ex, &d
	}
	return rep, nil
}

// ProductFacts are what a determination needs to know of a stored product.
type ProductFacts struct {
	Part            bom.Part
	Value           string // exact decimal
	ControlledValue string // exact decimal, under the interpretation
}

// Product returns a stored product with its exact value and China-origin
// controlled content, to fill in a determination.
func (s *Service) Product(ctx context.Context, actor *rarex.User, id, product, interp string) (*ProductFacts, error) {
	_, test, g, err := s.load(ctx, actor, id, interp)
	if err != nil {
		return nil, err
	}
	p, err := productIndex(g, product)
	if err != nil {
		return nil, err
	}
	r := assess.Roll(g, test)
	part := g.Part(p)
	return &ProductFacts{Part: part, Value: part.UnitValue, ControlledValue: rules.DecimalFromRat(r.ExactControlledValue(p)).String()}, nil
}
