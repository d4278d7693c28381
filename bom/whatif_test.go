package bom

import (
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

func TestWhatIfMotor(t *testing.T) {
	g := mustGraph(t, motorParts, motorEdges)
	r := Roll(g, part1, official)
	m, _ := g.Index("motor")
	alts := []Alternative{
		{PartID: "dy", Origin: "JP", UnitValue: "1.50", Supplier: "Shin-Etsu"}, // removes all controlled content
		{PartID: "dy", Origin: "CN", UnitValue: "0.90", Supplier: "cheaper, still Chinese"},
		{PartID: "magnet", Origin: "DE", UnitValue: "14", Supplier: "VAC"}, // does not help: dy is still inside
	}
	plan, err := r.WhatIf(m, alts, big.NewRat(1, 1000), part1)
	if err != nil {
		t.Fatal(err)
	}
	// Switching dy to JP costs 2 units × 0.40 = 0.80 per motor (0.4% of 200);
	// the cheaper Chinese Dy is taken too? No: it is the same part, one alternative each.
	if !plan.Feasible || !plan.Exact || len(plan.Substitutions) != 1 || plan.Substitutions[0].Supplier != "Shin-Etsu" ||
		math.Abs(plan.CostDelta-0.8) > 1e-9 || plan.ShareAfter != 0 || math.Abs(plan.CostPercent-0.4) > 1e-9 {
		t.Fatalf("plan = %+v", plan)
	}
	// Already below a 50% target: only money-saving switches.
	plan, _ = r.WhatIf(m, alts, big.NewRat(1, 2), part1)
	if !plan.Feasible || len(plan.Substitutions) != 1 || plan.Substitutions[0].Supplier != "cheaper, still Chinese" || plan.CostDelta >= 0 {
		t.Fatalf("plan below target = %+v", plan)
	}
	// No alternative reaches the target: infeasible, said plainly.
	plan, _ = r.WhatIf(m, alts[1:], big.NewRat(1, 1000), part1)
	if plan.Feasible || len(plan.Substitutions) != 0 {
		t.Fatalf("infeasible plan = %+v", plan)
	}
}

// brute tries every combination by re-rolling the BOM in exact arithmetic.
func brute(t *testing.T, g *Graph, product int32, alts []Alternative, target *big.Rat) (bool, float64) {
	byPart := map[string][]Alternative{}
	var ids []string
	for _, a := range alts {
		if byPart[a.PartID] == nil {
			ids = append(ids, a.PartID)
		}
		byPart[a.PartID] = append(byPart[a.PartID], a)
	}
	r := Roll(g, part1, official)
	_, units := r.multiplicities(product)
	best, found := math.Inf(1), false
	choice := make([]int, len(ids))
	var rec func(k int)
	rec = func(k int) {
		if k == len(ids) {
			var subs []Substitution
			cost := 0.0
			for i, id := range ids {
				if choice[i] < 0 {
					continue
				}
				a := byPart[id][choice[i]]
				p, _ := g.Index(id)
				if units[p] == 0 {
					continue
				}
				subs = append(subs, Substitution{Alternative: a})
				cost += units[p] * (mustFloat(a.UnitValue) - g.value[p])
			}
			after, _ := r.Applied(subs, part1)
			share := new(big.Rat).Quo(after.exactCV(product), g.exactValue(product))
			if share.Cmp(target) < 0 && cost < best-1e-12 {
				best, found = cost, true
			}
			return
		}
		for j := -1; j < len(byPart[ids[k]]); j++ {
			choice[k] = j
			rec(k + 1)
		}
	}
	rec(0)
	return found, best
}

// TestWhatIfAgainstBruteForce: on random small BOMs the plan is as cheap as
// the best of every combination, whenever the search says it is exact.
func TestWhatIfAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	checked := 0
	for iter := 0; iter < 400; iter++ {
		parts, edges := randomBOM(rng, 3+rng.IntN(9))
		parts[0].UnitValue = "1000"
		g, err := Build(parts, edges)
		if err != nil {
			t.Fatal(err)
		}
		var alts []Alternative
		for i := 1; i < len(parts); i++ {
			for k := rng.IntN(3); k > 0; k-- {
				alts = append(alts, Alternative{PartID: parts[i].ID, Origin: []string{"CN", "JP", "VN"}[rng.IntN(3)],
					UnitValue: strconv.Itoa(rng.IntN(900)) + "." + strconv.Itoa(rng.IntN(10)), Supplier: "s" + strconv.Itoa(k)})
			}
		}
		target := big.NewRat(int64(1+rng.IntN(50)), 1000)
		r := Roll(g, part1, official)
		product, _ := g.Index(parts[0].ID)
		plan, err := r.WhatIf(product, alts, target, part1)
		if err != nil {
			t.Fatal(err)
		}
		feasible, cost := brute(t, g, product, alts, target)
		if plan.Feasible && !feasible {
			t.Fatalf("iter %d: plan feasible, brute force finds none: %+v", iter, plan)
		}
		if !plan.Exact {
			continue
		}
		checked++
		if plan.Feasible != feasible {
			t.Fatalf("iter %d: feasible %v, brute force %v (cost %v): %+v", iter, plan.Feasible, feasible, cost, plan)
		}
		if feasible && math.Abs(plan.CostDelta-cost) > 1e-6*math.Max(1, math.Abs(cost)) {
			t.Fatalf("iter %d: cost %v, brute force %v", iter, plan.CostDelta, cost)
		}
	}
	if checked < 100 {
		t.Fatalf("only %d exact cases checked", checked)
	}
}

func TestReadAlternatives(t *testing.T) {
	as, err := ReadAlternatives(strings.NewReader("part_id,origin,unit_value,supplier\ndy,JP,1.5,Shin-Etsu\n"), "a.csv")
	if err != nil || len(as) != 1 || as[0].Supplier != "Shin-Etsu" {
		t.Fatalf("%+v %v", as, err)
	}
	for _, bad := range []string{"part_id,origin,unit_value\n,JP,1\n", "part_id,origin,unit_value\ndy,Japan,1\n", "part_id,origin,unit_value\ndy,JP,-1\n", "part_id,origin\ndy,JP\n"} {
		if _, err := ReadAlternatives(strings.NewReader(bad), "a.csv"); err == nil || !strings.HasPrefix(err.Error(), "a.csv:") {
			t.Errorf("%q: err = %v", bad, err)
		}
	}
}

// TestWhatIfUnknownPart: an alternative for a part the BOM does not have
// is an error at its line and column when it was read from a file.
func TestWhatIfUnknownPart(t *testing.T) {
	g := mustGraph(t, motorParts, motorEdges)
	r := Roll(g, part1, official)
	m, _ := g.Index("motor")
	as, err := ReadAlternatives(strings.NewReader("supplier,part_id,origin,unit_value\nShin-Etsu,dy,JP,1.5\nX, ghost ,JP,1\n"), "a.csv")
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.WhatIf(m, as, big.NewRat(1, 1000), part1)
	var pe *ParseError
	if !errors.As(err, &pe) || err.Error() != `a.csv:3:3: part_id: "ghost" is not a part of the BOM` || pe.Why.Key != "bom.err.not_in_bom" {
		t.Fatalf("err = %v", err)
	}
	// Given directly, it is named without a place.
	_, err = r.WhatIf(m, []Alternative{{PartID: "ghost", Origin: "JP", UnitValue: "1"}}, big.NewRat(1, 1000), part1)
	if err == nil || err.Error() != `alternative for "ghost": "ghost" is not a part of the BOM` {
		t.Fatalf("err = %v", err)
	}
}

// TestWhatIfHeuristic: past MaxExactCandidates the plan is greedy, feasible
// and no cheaper than its reported lower bound.
func TestWhatIfHeuristic(t *testing.T) {
	var parts strings.Builder
	var edges strings.Builder
	parts.WriteString("part_id,class,elements,origin,unit_value\nP,assembly,,VN,10000\n")
	edges.WriteString("parent_id,child_id,quantity\n")
	var alts []Alternative
	for i := 0; i < 40; i++ {
		id := "d" + strconv.Itoa(i)
		parts.WriteString(id + ",metal,Dy,CN," + strconv.Itoa(1+i) + "\n")
		edges.WriteString("P," + id + ",1\n")
		alts = append(alts, Alternative{PartID: id, Origin: "JP", UnitValue: strconv.Itoa(2 + i + i%7), Supplier: "jp"})
	}
	g := mustGraph(t, parts.String(), edges.String())
	r := Roll(g, part1, official)
	p, _ := g.Index("P")
	plan, err := r.WhatIf(p, alts, big.NewRat(1, 100), part1)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Exact || !plan.Feasible || plan.Candidates != 40 || plan.LowerBound > plan.CostDelta+1e-9 || plan.ShareAfter >= 0.01 {
		t.Fatalf("plan = %+v", plan)
	}
}
