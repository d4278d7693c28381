package bom

import (
	"fmt"
	"io"
	"math"
	"math/big"
	"slices"
	"sort"

	"rarex"
	"rarex/i18n"
)

// Alternative is one row of alternatives.csv: another source for a part.
type Alternative struct {
	PartID    string `json:"part_id"`
	Origin    string `json:"origin"`
	UnitValue string `json:"unit_value"`
	Supplier  string `json:"supplier"`
	// Where the row is, when it was read from a file: for errors.
	file      string
	line, col int
}

// ReadAlternatives reads alternatives.csv: part_id,origin,unit_value,supplier.
func ReadAlternatives(r io.Reader, file string) ([]Alternative, error) {
	t, err := openTable(r, file, []string{"part_id", "origin", "unit_value"}, []string{"supplier"})
	if err != nil {
		return nil, err
	}
	var out []Alternative
	c := t.index("part_id", "origin", "unit_value", "supplier")
	for {
		if err := t.next(); err == io.EOF {
			break
		} else if err != nil {
			return nil, err
		}
		a := Alternative{PartID: t.at(c[0]), Origin: t.at(c[1]), UnitValue: t.at(c[2]), Supplier: t.at(c[3]), file: file}
		a.line, a.col = t.s.pos(c[0])
		switch {
		case a.PartID == "":
			return nil, t.fail("part_id", i18n.M("bom.err.empty"))
		case !rarex.IsCountry(a.Origin):
			return nil, t.fail("origin", i18n.M("bom.err.country", a.Origin))
		case !isDecimal(a.UnitValue):
			return nil, t.fail("unit_value", i18n.M("bom.err.value", a.UnitValue))
		}
		out = append(out, a)
	}
	return out, nil
}

// Substitution is one chosen alternative.
type Substitution struct {
	Alternative
	Units     float64 `json:"units"`      // units of the part per unit of product
	CostDelta float64 `json:"cost_delta"` // (new − old unit value) × units
}

// Plan is the cheapest set of substitutions found for one product.
type Plan struct {
	Product       string         `json:"product"`
	Target        float64        `json:"target"`
	ShareBefore   float64        `json:"share_before"`
	ShareAfter    float64        `json:"share_after"`
	Feasible      bool           `json:"feasible"`
	Substitutions []Substitution `json:"substitutions"`
	CostDelta     float64        `json:"cost_delta"`       // per unit of product
	CostPercent   float64        `json:"cost_percent"`     // of the product's value
	Exact         bool           `json:"exact"`            // proven cheapest
	LowerBound    float64        `json:"cost_lower_bound"` // no plan costs less (heuristic plans)
	Candidates    int            `json:"candidates"`
}

// MaxExactCandidates is how many parts with alternatives the exact search takes.
const MaxExactCandidates = 30

type option struct {
	alt    Alternative
	reduce float64 // fall in the product's controlled value
	cost   float64
}

type candidate struct {
	part    int32
	options []option
	gates   bool // controlled now or under an option: it hides or reveals what lies below
}

// WhatIf finds the cheapest set of substitutions (at most one alternative
// per part, applied wherever the part is used in the product) that brings
// the product's controlled share below target. Up to MaxExactCandidates
// parts it searches exhaustively with branch and bound; beyond, it is
// greedy and reports a lower bound on the cost. The chosen plan is checked
// by re-rolling the BOM with the substitutions applied, in exact arithmetic.
func (r *Rollup) WhatIf(product int32, alts []Alternative, target *big.Rat, isControlled Controlled) (*Plan, error) {
	g := r.g
	v := g.value[product]
	t, _ := target.Float64()
	plan := &Plan{Product: g.id(product), Target: t, Substitutions: []Substitution{}}
	if v > 0 {
		plan.ShareBefore = r.at(product).cv / v
	}
	open, units := r.multiplicities(product)
	byPart := map[int32][]Alternative{}
	for _, a := range alts {
		i, ok := g.Index(a.PartID)
		if !ok {
			why := i18n.M("bom.err.not_in_bom", a.PartID)
			if a.line > 0 {
				return nil, newParseError(a.file, a.line, a.col, "part_id", why)
			}
			return nil, fmt.Errorf("alternative for %q: %s", a.PartID, why.In(i18n.English))
		}
		if units[i] > 0 && i != product {
			byPart[i] = append(byPart[i], a)
		}
	}
	var cands []candidate
	for i, as := range byPart {
		c := candidate{part: i, gates: r.isControlled(i)}
		for _, a := range as {
			nv := mustFloat(a.UnitValue)
			moved := g.Part(i)
			moved.Origin, moved.UnitValue = a.Origin, a.UnitValue
			newCV := r.childSum(i)
			if moved.Origin == "CN" && isControlled(moved.Class, moved.Elements) {
				newCV, c.gates = nv, true
			}
			c.options = append(c.options, option{alt: a, reduce: open[i] * (r.at(i).cv - newCV), cost: units[i] * (nv - g.value[i])})
		}
		cands = append(cands, c)
	}
	sort.Slice(cands, func(a, b int) bool { return cands[a].part < cands[b].part })
	plan.Candidates = len(cands)
	need := r.at(product).cv - t*v // the fall in cv needed; share must end below target
	choice, cost, exact, bound := solve(cands, need)
	// Reductions add up only when no candidate lies under another: a
	// substituted ancestor would change what its descendants contribute.
	plan.Exact, plan.LowerBound = exact && !r.nested(cands), bound
	if choice == nil {
		return plan, nil
	}
	for k, c := range cands {
		if choice[k] < 0 {
			continue
		}
		o := c.options[choice[k]]
		plan.Substitutions = append(plan.Substitutions, Substitution{Alternative: o.alt, Units: units[c.part], CostDelta: o.cost})
	}
	plan.CostDelta = cost
	if v > 0 {
		plan.CostPercent = cost / v * 100
	}
	// Verify by re-rolling with the substitutions applied, exactly.
	after, err := r.Applied(plan.Substitutions, isControlled)
	if err != nil {
		return nil, err
	}
	cv := after.exactCV(product)
	share := new(big.Rat).Quo(cv, g.exactValue(product))
	plan.ShareAfter, _ = share.Float64()
	plan.Feasible = share.Cmp(target) < 0
	return plan, nil
}

// nested reports whether some candidate part is used under a candidate
// that is, or may become, controlled: then reductions do not simply add.
func (r *Rollup) nested(cands []candidate) bool {
	g := r.g
	isCand := map[int32]bool{}
	for _, c := range cands {
		isCand[c.part] = true
	}
	for _, c := range cands {
		if !c.gates {
			continue
		}
		seen := map[int32]bool{}
		stack := []int32{c.part}
		for len(stack) > 0 {
			n := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for k := g.start[n]; k < g.start[n+1]; k++ {
				ch := g.child[k]
				if isCand[ch] {
					return true
				}
				if !seen[ch] {
					seen[ch] = true
					stack = append(stack, ch)
				}
			}
		}
	}
	return false
}

func mustFloat(s string) float64 {
	f, _ := new(big.Float).SetString(s)
	v, _ := f.Float64()
	return v
}

// childSum is Σ qty·cv(child) of p: its cv were it not controlled itself.
func (r *Rollup) childSum(p int32) float64 {
	g := r.g
	s := 0.0
	for k := g.start[p]; k < g.start[p+1]; k++ {
		s += g.qty[k] * r.at(g.child[k]).cv
	}
	return s
}

// multiplicities returns, per part, the units per unit of product reached
// through paths with no controlled part above it (open) and through all
// paths (units).
func (r *Rollup) multiplicities(product int32) (open, units []float64) {
	g := r.g
	return g.openUnits(product, r.isControlled), g.openUnits(product, func(int32) bool { return false })
}

// openUnits returns, per part, the units per unit of product reached
// through paths on which no part above it (product included) stops the
// descent; a stopping part still gets its own units. A pass from
// product toward the leaves (the other way from Graph.upward) visits
// every parent before its children.
func (g *Graph) openUnits(product int32, stop func(p int32) bool) []float64 {
	units := make([]float64, g.Len())
	units[product] = 1
	first, _, step := g.upward()
	for p := product; p != first-step; p -= step {
		if units[p] == 0 || stop(p) {
			continue
		}
		for k := g.start[p]; k < g.start[p+1]; k++ {
			units[g.child[k]] += units[p] * g.qty[k]
		}
	}
	return units
}

// Applied re-rolls the BOM with substitutions applied (the graph itself is
// not changed): a plan is verified this way, and its effect on exposure seen.
func (r *Rollup) Applied(subs []Substitution, isControlled Controlled) (*Rollup, error) {
	g := r.g
	parts := g.parts.withEdits()
	for _, s := range subs {
		i, _ := g.Index(s.PartID)
		p := parts.part(i)
		p.Origin, p.UnitValue = s.Origin, s.UnitValue
		parts.edit(i, p)
	}
	ng := &Graph{parts: parts, num: g.num, ids: g.ids, down: g.down, value: slices.Clone(g.value), start: g.start, child: g.child, qty: g.qty,
		long: g.long, parents: g.parents, china: slices.Clone(g.china), hasTech: g.hasTech}
	for _, s := range subs {
		i, _ := g.Index(s.PartID)
		ng.value[i], ng.china[i] = mustFloat(s.UnitValue), s.Origin == "CN"
	}
	return Roll(ng, isControlled, r.th), nil
}

// solve picks at most one option per candidate, minimising cost subject to
// Σ reduce > need. It returns the choice (−1: keep the part), its cost,
// whether the search was exhaustive, and a lower bound on any plan's cost.
func solve(cands []candidate, need float64) ([]int, float64, bool, float64) {
	n := len(cands)
	// Suffix bounds: the most reduction and the least cost still available.
	maxReduce, minCost := make([]float64, n+1), make([]float64, n+1)
	for k := n - 1; k >= 0; k-- {
		bestR, bestC := 0.0, 0.0
		for _, o := range cands[k].options {
			bestR = math.Max(bestR, o.reduce)
			bestC = math.Min(bestC, o.cost)
		}
		maxReduce[k], minCost[k] = maxReduce[k+1]+bestR, minCost[k+1]+bestC
	}
	if maxReduce[0] <= need {
		return nil, 0, true, math.Inf(1)
	}
	if n > MaxExactCandidates {
		return greedy(cands, need)
	}
	best := math.Inf(1)
	var bestChoice []int
	cur := make([]int, n)
	var dfs func(k int, reduced, cost float64)
	dfs = func(k int, reduced, cost float64) {
		if cost+minCost[k] >= best || reduced+maxReduce[k] <= need {
			return
		}
		if k == n {
			if reduced > need {
				best, bestChoice = cost, append([]int{}, cur...)
			}
			return
		}
		cur[k] = -1
		dfs(k+1, reduced, cost)
		for j, o := range cands[k].options {
			cur[k] = j
			dfs(k+1, reduced+o.reduce, cost+o.cost)
		}
		cur[k] = -1
	}
	dfs(0, 0, 0)
	return bestChoice, best, true, best
}

// greedy takes the options with the best cost per unit of reduction until
// the target is met; the fractional-knapsack optimum is its lower bound.
func greedy(cands []candidate, need float64) ([]int, float64, bool, float64) {
	type pick struct {
		k, j  int
		ratio float64
	}
	var picks []pick
	choice := make([]int, len(cands))
	cost, reduced := 0.0, 0.0
	for k, c := range cands {
		choice[k] = -1
		bestJ, bestRatio := -1, math.Inf(1)
		for j, o := range c.options {
			if o.reduce <= 0 {
				continue
			}
			if ratio := o.cost / o.reduce; ratio < bestRatio {
				bestJ, bestRatio = j, ratio
			}
		}
		if bestJ >= 0 {
			picks = append(picks, pick{k, bestJ, bestRatio})
		}
	}
	sort.Slice(picks, func(a, b int) bool { return picks[a].ratio < picks[b].ratio })
	bound, boundReduced := 0.0, 0.0
	for _, p := range picks {
		o := cands[p.k].options[p.j]
		if boundReduced < need {
			f := math.Min(1, (need-boundReduced)/o.reduce)
			bound += f * o.cost
			boundReduced += f * o.reduce
		}
		if reduced <= need || o.cost < 0 {
			choice[p.k] = p.j
			cost += o.cost
			reduced += o.reduce
		}
	}
	if reduced <= need {
		return nil, 0, false, bound
	}
	return choice, cost, false, bound
}
