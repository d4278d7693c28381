package bom

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestIncrementalMatchesFullRollup: after random edits the incrementally
// updated roll-up equals a roll-up from scratch, and the reported verdict
// changes are exactly the products whose verdict differs.
func TestIncrementalMatchesFullRollup(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for iter := 0; iter < 200; iter++ {
		parts, edges := randomBOM(rng, 3+rng.IntN(12))
		g, err := Build(parts, edges)
		if err != nil {
			t.Fatal(err)
		}
		r := Roll(g, part1, official)
		for step := 0; step < 5; step++ {
			before := map[string]bool{}
			for _, p := range g.Products() {
				before[g.id(p)], _ = r.verdict(p)
			}
			var changes []VerdictChange
			if rng.IntN(2) == 0 || g.Edges() == 0 {
				id := g.id(int32(rng.IntN(g.Len())))
				origin := []string{"CN", "JP"}[rng.IntN(2)]
				value := strconv.Itoa(rng.IntN(500))
				changes, err = r.UpdatePart(id, PartEdit{Origin: &origin, UnitValue: &value}, vocab{}, part1)
			} else {
				k := rng.IntN(g.Edges())
				var parent int32
				for parent = 0; g.start[parent+1] <= int32(k); parent++ {
				}
				changes, err = r.UpdateQuantity(g.id(parent), g.id(g.child[k]), []string{"1", "0.5", "7", "0.1"}[rng.IntN(4)])
			}
			if err != nil {
				t.Fatal(err)
			}
			// From scratch on the edited data.
			var es []Edge
			for p := int32(0); p < int32(g.Len()); p++ {
				for k := g.start[p]; k < g.start[p+1]; k++ {
					es = append(es, Edge{Parent: g.id(p), Child: g.id(g.child[k]), Quantity: g.exactQty(k).FloatString(20)})
				}
			}
			fg, err := Build(allParts(g), es)
			if err != nil {
				t.Fatal(err)
			}
			full := Roll(fg, part1, official)
			for i := range int32(g.Len()) {
				j, _ := fg.Index(g.id(i))
				if !near(r.at(int32(i)).cv, full.at(j).cv) || !near(r.at(int32(i)).cn, full.at(j).cn) || r.tech[i] != full.tech[j] {
					t.Fatalf("iter %d step %d part %s: incremental %+v, full %+v", iter, step, g.id(i), r.at(int32(i)), full.at(j))
				}
			}
			flipped := map[string]bool{}
			for _, c := range changes {
				flipped[c.Product] = true
			}
			for _, p := range g.Products() {
				now, _ := r.verdict(p)
				if (now != before[g.id(p)]) != flipped[g.id(p)] {
					t.Fatalf("iter %d: product %s flipped=%v, reported %v", iter, g.id(p), now != before[g.id(p)], flipped[g.id(p)])
				}
			}
		}
	}
}

func TestIncrementalBadEdits(t *testing.T) {
	g := mustGraph(t, motorParts, motorEdges)
	r := Roll(g, part1, official)
	bad, cls, neg := "Mars", "gizmo", "-1"
	for name, fn := range map[string]func() error{
		"unknown part":   func() error { _, err := r.UpdatePart("nope", PartEdit{}, vocab{}, part1); return err },
		"bad origin":     func() error { _, err := r.UpdatePart("dy", PartEdit{Origin: &bad}, vocab{}, part1); return err },
		"bad class":      func() error { _, err := r.UpdatePart("dy", PartEdit{Class: &cls}, vocab{}, part1); return err },
		"negative value": func() error { _, err := r.UpdatePart("dy", PartEdit{UnitValue: &neg}, vocab{}, part1); return err },
		"no such edge":   func() error { _, err := r.UpdateQuantity("motor", "dy", "1"); return err },
		"zero quantity":  func() error { _, err := r.UpdateQuantity("rotor", "magnet", "0"); return err },
	} {
		if fn() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// A valid edit: Dy from Japan takes the motor under the threshold.
	jp := "JP"
	changes, err := r.UpdatePart("dy", PartEdit{Origin: &jp}, vocab{}, part1)
	if err != nil || len(changes) != 1 || changes[0].Product != "motor" || changes[0].Over {
		t.Fatalf("changes = %+v, %v", changes, err)
	}
}

// BenchmarkIncrementalLeaf: the value of the most shared leaf (a common
// fastener used all over the BOM) changes; compare with BenchmarkRollup.
func BenchmarkIncrementalLeaf(b *testing.B) {
	g := load(b)
	leaf := int32(0) // parts are numbered leaves first
	for p := range int32(g.Len()) {
		if g.start[p] == g.start[p+1] && g.parents[p] > g.parents[leaf] {
			leaf = int32(p)
		}
	}
	benchEdit(b, g, leaf)
}

// BenchmarkIncrementalTypicalLeaf: a leaf used by a single assembly.
func BenchmarkIncrementalTypicalLeaf(b *testing.B) {
	g := load(b)
	leaf := int32(-1)
	for p := range int32(g.Len()) {
		if g.start[p] == g.start[p+1] && g.parents[p] == 1 {
			leaf = int32(p)
			break
		}
	}
	benchEdit(b, g, leaf)
}

func benchEdit(b *testing.B, g *Graph, leaf int32) {
	r := Roll(g, part1, official)
	id := g.id(leaf)
	values := []string{"1.25", "2.5"}
	i := 0
	r.UpdatePart(id, PartEdit{UnitValue: &values[0]}, vocab{}, part1) // builds the parent index once
	b.ResetTimer()
	for b.Loop() {
		i++
		if _, err := r.UpdatePart(id, PartEdit{UnitValue: &values[i%2]}, vocab{}, part1); err != nil {
			b.Fatal(err)
		}
	}
}

// TestIncrementalNearThreshold: 0.1 × 3 of 300 is exactly 0.1%, which a
// strict threshold does not reach, though floating point says it does. An
// edit that takes it over must be reported as a flip.
func TestIncrementalNearThreshold(t *testing.T) {
	g := mustGraph(t, "part_id,class,elements,origin,unit_value\nP,assembly,,VN,300\nC1,metal,Dy,CN,0.1\nC2,metal,Dy,CN,0.1\nC3,metal,Dy,CN,0.1\n",
		"parent_id,child_id,quantity\nP,C1,1\nP,C2,1\nP,C3,1\n")
	strict := Threshold{Ratio: official.Ratio, Inclusive: false}
	r := Roll(g, part1, strict)
	p, _ := g.Index("P")
	if over, exact := r.verdict(p); over || !exact {
		t.Fatalf("before: over %v exact %v, want false by exact arithmetic", over, exact)
	}
	v := "0.2"
	changes, err := r.UpdatePart("C3", PartEdit{UnitValue: &v}, vocab{}, part1)
	if err != nil || len(changes) != 1 || !changes[0].Over {
		t.Fatalf("changes = %+v, %v", changes, err)
	}
}
