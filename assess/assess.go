// Package assess answers a determination request end to end: when the
// request carries a bill of materials, the bom engine rolls it up under the
// regime's content test and the result feeds the rules engine. It is pure.
package assess

import (
	"bytes"
	"errors"

	"rarex"
	"rarex/bom"
	"rarex/rules"
)

// BOMSummary reports the roll-up a determination used.
type BOMSummary struct {
	Product         string     `json:"product"`
	Parts           int        `json:"parts"`
	Edges           int        `json:"edges"`
	Value           float64    `json:"value"`
	ControlledValue float64    `json:"controlled_value"`
	CNShare         float64    `json:"cn_share"`
	TopPaths        []bom.Path `json:"top_paths"`
	CNTechnology    []string   `json:"cn_technology_parts,omitempty"`
}

// Result is a determination with the BOM roll-up behind it, if any.
type Result struct {
	*rules.Determination
	BOM *BOMSummary `json:"bom,omitempty"`
}

// Determine resolves req.BOM (if present) into the item's value and
// China-origin controlled content, then determines. Errors: EINVALID naming
// the field (bom.parts[3].origin, a cycle, a BOM with several products and
// none named).
func Determine(reg *rules.Regime, req rules.Request) (*Result, error) {
	if len(req.BOM) == 0 {
		d, err := reg.Determine(req)
		if err != nil {
			return nil, err
		}
		return &Result{Determination: d}, nil
	}
	var doc bom.Document
	if err := rarex.DecodeJSON(bytes.NewReader(req.BOM), &doc, "bom"); err != nil {
		return nil, err
	}
	if err := doc.Validate("bom", reg); err != nil {
		return nil, rarex.Errorf(rarex.EINVALID, "%v", err)
	}
	test, err := reg.ContentTest(req.Interpretation)
	if err != nil {
		return nil, err
	}
	g, err := bom.Build(doc.Parts, doc.Edges)
	if err != nil {
		var ce *bom.CycleError
		if errors.As(err, &ce) {
			return nil, rarex.Errorf(rarex.EINVALID, "bom.edges: %v", err)
		}
		return nil, rarex.Errorf(rarex.EINVALID, "bom: %v", err)
	}
	product, err := pickProduct(g, doc.Product)
	if err != nil {
		return nil, err
	}
	r := Roll(g, test)
	res := r.Result(product, 5)
	// The BOM's product is the item: its exact value and controlled value go
	// to the rules engine, which compares them exactly.
	v := rules.DecimalFromRat(r.ExactValue(product))
	c := rules.DecimalFromRat(r.ExactControlledValue(product))
	req.Item.Value, req.Item.CNControlledContentValue, req.BOM = &v, &c, nil
	d, err := reg.Determine(req)
	if err != nil {
		return nil, err
	}
	return &Result{Determination: d, BOM: &BOMSummary{Product: res.Product, Parts: g.Len(), Edges: g.Edges(), Value: res.Value,
		ControlledValue: res.ControlledValue, CNShare: res.CNShare, TopPaths: res.Paths, CNTechnology: res.TechParts}}, nil
}

func pickProduct(g *bom.Graph, named string) (int32, error) {
	if named != "" {
		i, _ := g.Index(named)
		return i, nil
	}
	products := g.Products()
	if len(products) != 1 {
		return 0, rarex.Errorf(rarex.EINVALID, "bom.product: the BOM has %d products (parts with no parent); name the one exported", len(products))
	}
	return products[0], nil
}

// Classifier adapts a regime's content test to the bom engine: which parts
// count as China-origin controlled items, and the threshold.
func Classifier(test *rules.ContentTest) (bom.Controlled, bom.Threshold) {
	return func(class string, elements []string) bool { return test.Controlled("CN", class, elements) },
		bom.Threshold{Ratio: test.Ratio, Inclusive: test.Inclusive}
}

// Roll rolls g up under test.
func Roll(g *bom.Graph, test *rules.ContentTest) *bom.Rollup {
	controlled, th := Classifier(test)
	return bom.Roll(g, controlled, th)
}
