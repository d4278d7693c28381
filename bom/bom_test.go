package bom

import (
	"bytes"
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"rarex"
)

// vocab is a small vocabulary for tests.
type vocab struct{}

func (vocab) IsClass(c string) bool {
	return slices.Contains([]string{"assembly", "other", "metal", "oxide", "magnet_ndfeb", "magnet_smco", "target"}, c)
}
func (vocab) IsStage(s string) bool { return s == "separation" || s == "magnet_manufacturing" }

// part1 is the official reading: China-origin items of Part 1 classes with a 7 April element.
func part1(class string, elements []string) bool {
	if !slices.Contains([]string{"metal", "oxide", "magnet_ndfeb", "magnet_smco", "target"}, class) {
		return false
	}
	for _, el := range elements {
		if slices.Contains([]string{"Sm", "Gd", "Tb", "Dy", "Lu", "Sc", "Y"}, el) {
			return true
		}
	}
	return false
}

var official = Threshold{Ratio: big.NewRat(1, 1000), Inclusive: true}

const motorParts = `part_id,description,class,elements,hs_code,origin,unit_value,cn_technology
motor,e-bike hub motor,assembly,,,VN,200,
rotor,rotor,assembly,,,VN,60,
stator,stator,assembly,,,JP,50,
magnet,NdFeB magnet,magnet_ndfeb,Nd;Dy,8505111000,VN,10,magnet_manufacturing
dy,Dy metal,metal,Dy,2805301200,CN,1.10,
screw,screw,other,,,CN,0.05,
coil,coil,other,,,JP,5,
ndmag,NdFeB magnet without Dy,magnet_ndfeb,Nd;Pr,,CN,3,
`

const motorEdges = `parent_id,child_id,quantity
motor,rotor,1
motor,stator,1
motor,screw,8
rotor,magnet,4
magnet,dy,0.5
stator,coil,3
stator,screw,4
stator,ndmag,2
`

func mustGraph(t testing.TB, parts, edges string) *Graph {
	t.Helper()
	ps, err := ReadParts(strings.NewReader(parts), "parts.csv", vocab{})
	if err != nil {
		t.Fatal(err)
	}
	es, err := ReadEdges(strings.NewReader(edges), "edges.csv")
	if err != nil {
		t.Fatal(err)
	}
	g, err := Build(ps, es)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

// TestMotor checks the semantics on a hand-computed BOM (journey 1).
func TestMotor(t *testing.T) {
	g := mustGraph(t, motorParts, motorEdges)
	r := Roll(g, part1, official)
	if p := g.Products(); len(p) != 1 || g.id(p[0]) != "motor" {
		t.Fatalf("products = %v", p)
	}
	want := map[string][2]float64{ // cv, cn by hand
		"dy": {1.10, 1.10}, "screw": {0, 0.05}, "ndmag": {0, 3}, "coil": {0, 0},
		"magnet": {0.55, 0.55}, "rotor": {2.2, 2.2}, "stator": {0, 6.2}, "motor": {2.2, 8.8},
	}
	for id, w := range want {
		i, _ := g.Index(id)
		if !near(r.at(int32(i)).cv, w[0]) || !near(r.at(int32(i)).cn, w[1]) {
			t.Errorf("%s: cv %v cn %v, want %v %v", id, r.at(int32(i)).cv, r.at(int32(i)).cn, w[0], w[1])
		}
	}
	m, _ := g.Index("motor")
	res := r.Result(m, 3)
	if !res.Over || !near(res.Share, 0.011) || !near(res.CNShare, 0.044) || !res.CNTechnology || !slices.Equal(res.TechParts, []string{"magnet"}) {
		t.Fatalf("motor result = %+v", res)
	}
	if len(res.Paths) != 1 || !slices.Equal(res.Paths[0].Parts, []string{"motor", "rotor", "magnet", "dy"}) || !near(res.Paths[0].Quantity, 2) || !near(res.Paths[0].Value, 2.2) {
		t.Fatalf("paths = %+v", res.Paths)
	}
	// The news article's reading: over 50%? No.
	r50 := Roll(g, part1, Threshold{Ratio: big.NewRat(1, 2)})
	if r50.Result(m, 0).Over {
		t.Fatal("2.2 of 200 is over 50%")
	}
}

// TestExactVerdicts: shares at the threshold are decided exactly.
func TestExactVerdicts(t *testing.T) {
	for _, c := range []struct {
		name, product, child, qty string
		times                     int
		inclusive, over, exact    bool
	}{
		{"exactly 0.1%, inclusive", "1000", "1", "1", 1, true, true, true},
		{"exactly 0.1%, strict", "1000", "1", "1", 1, false, false, true},
		{"0.1+0.1+0.1 of 300 is exactly 0.1%", "300", "1", "0.1", 3, true, true, true},
		{"just under", "1000.000001", "1", "1", 1, true, false, true},
		{"clearly over", "100", "1", "1", 1, true, true, false},
		{"clearly under", "100000", "1", "1", 1, true, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			parts := "part_id,class,origin,unit_value,elements\nP,assembly,VN," + c.product + ",\n"
			edges := "parent_id,child_id,quantity\n"
			for i := 0; i < c.times; i++ {
				id := "C" + strconv.Itoa(i)
				parts += id + ",metal,CN," + c.child + ",Dy\n"
				edges += "P," + id + "," + c.qty + "\n"
			}
			g := mustGraph(t, parts, edges)
			r := Roll(g, part1, Threshold{Ratio: big.NewRat(1, 1000), Inclusive: c.inclusive})
			p, _ := g.Index("P")
			res := r.Result(p, 0)
			if res.Over != c.over || res.Exact != c.exact {
				t.Fatalf("over %v exact %v, want %v %v (share %v)", res.Over, res.Exact, c.over, c.exact, res.Share)
			}
		})
	}
}

// TestResultsAtOnce: results asked for from several goroutines at once
// are those asked for one by one, the exact verdicts' shared memo included
// (go test -race checks it).
func TestResultsAtOnce(t *testing.T) {
	parts := "part_id,class,origin,unit_value,elements\nS,assembly,VN,5,\nC,metal,CN,1,Dy\n"
	edges := "parent_id,child_id,quantity\nS,C,0.1\n"
	for i := range 64 {
		id := "P" + strconv.Itoa(i)
		parts += id + ",assembly,VN,100,\n" // S's 0.1 of C: exactly 0.1%
		edges += id + ",S,1\n"
	}
	g := mustGraph(t, parts, edges)
	products := g.Products()
	roll := func() *Rollup { return Roll(g, part1, Threshold{Ratio: big.NewRat(1, 1000), Inclusive: true}) }
	var want []Result
	r := roll()
	for _, p := range products {
		want = append(want, r.Result(p, 2))
	}
	if !want[0].Exact || !want[0].Over {
		t.Fatalf("the products are not at the threshold: %+v", want[0])
	}
	r = roll()
	got := make([][]Result, 4)
	var wg sync.WaitGroup
	for k := range got {
		wg.Go(func() {
			for _, p := range products {
				got[k] = append(got[k], r.Result(p, 2))
			}
		})
	}
	wg.Wait()
	for _, g := range got {
		if !reflect.DeepEqual(g, want) {
			t.Fatalf("at once: %+v\none by one: %+v", g[0], want[0])
		}
	}
	// Results: in order, the same.
	for _, n := range []int{0, 1, 63, 64} {
		if got := roll().Results(products[:n], 2); !reflect.DeepEqual(got, want[:n:n]) {
			t.Fatalf("Results of %d: %+v", n, got)
		}
	}
}

func TestCycle(t *testing.T) {
	ps, _ := ReadParts(strings.NewReader("part_id,class,origin,unit_value\na,assembly,VN,1\nb,assembly,VN,1\nc,assembly,VN,1\n"), "p.csv", vocab{})
	es, _ := ReadEdges(strings.NewReader("parent_id,child_id,quantity\na,b,1\nb,c,1\nc,a,1\n"), "e.csv")
	_, err := Build(ps, es)
	var ce *CycleError
	if !errors.As(err, &ce) || strings.Join(ce.Path, ">") != "a>b>c>a" {
		t.Fatalf("err = %v", err)
	}
	es, _ = ReadEdges(strings.NewReader("parent_id,child_id,quantity\na,a,1\n"), "e.csv")
	if _, err := Build(ps, es); !errors.As(err, &ce) {
		t.Fatalf("self-loop: %v", err)
	}
	es, _ = ReadEdges(strings.NewReader("parent_id,child_id,quantity\na,b,1\na,zz,1\n"), "e.csv")
	var ue *UnknownPartError
	if _, err := Build(ps, es); !errors.As(err, &ue) || ue.Line != 3 || ue.Field != "child_id" {
		t.Fatalf("unknown child: %v", err)
	}
}

func TestBadInput(t *testing.T) {
	head := "part_id,class,origin,unit_value,elements,hs_code,cn_technology\n"
	for _, c := range []struct {
		name, parts string
		line, col   int
		field       string
	}{
		{"empty file", "", 1, 0, "header"},
		{"missing column", "part_id,class,origin\n", 1, 0, "header"},
		{"duplicate column", "part_id,class,origin,unit_value,class\n", 1, 5, "class"},
		{"empty id", head + ",other,VN,1,,,\n", 2, 1, "part_id"},
		{"duplicate id", head + "a,other,VN,1,,,\na,other,VN,1,,,\n", 3, 1, "part_id"},
		{"unknown class", head + "a,gizmo,VN,1,,,\n", 2, 3, "class"},
		{"unknown country", head + "a,other,XX,1,,,\n", 2, 9, "origin"},
		{"negative value", head + "a,other,VN,-1,,,\n", 2, 12, "unit_value"},
		{"text value", head + "a,other,VN,ten,,,\n", 2, 12, "unit_value"},
		{"unknown element", head + "a,metal,CN,1,Dy;Qq,,\n", 2, 14, "elements"},
		{"bad hs code", head + "a,metal,CN,1,Dy,85A5,\n", 2, 17, "hs_code"},
		{"unknown stage", head + "a,metal,CN,1,Dy,,alchemy\n", 2, 18, "cn_technology"},
		{"bare quote", head + "a,\"oth\"er,VN,1,,,\n", 2, 0, "csv"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadParts(strings.NewReader(c.parts), "parts.csv", vocab{})
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v (%T)", err, err)
			}
			if pe.File != "parts.csv" || pe.Line != c.line || pe.Field != c.field || (c.col > 0 && pe.Column != c.col) {
				t.Fatalf("err = %v; want line %d column %d field %s", pe, c.line, c.col, c.field)
			}
		})
	}
	for _, c := range []struct{ name, edges, field string }{
		{"zero quantity", "parent_id,child_id,quantity\na,b,0\n", "quantity"},
		{"zero decimal quantity", "parent_id,child_id,quantity\na,b,0.000\n", "quantity"},
		{"negative quantity", "parent_id,child_id,quantity\na,b,-2\n", "quantity"},
		{"empty parent", "parent_id,child_id,quantity\n,b,1\n", "parent_id"},
		{"wrong header", "from,to,qty\na,b,1\n", "header"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadEdges(strings.NewReader(c.edges), "edges.csv")
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Field != c.field {
				t.Fatalf("err = %v; want field %s", err, c.field)
			}
		})
	}
}

func TestCRLFBOMMarkAndColumnOrder(t *testing.T) {
	parts := "\ufeffunit_value,origin,class,part_id,extra\r\n2,VN,assembly,a,x\r\n1,CN,metal,b,y\r\n"
	ps, err := ReadParts(strings.NewReader(parts), "p.csv", vocab{})
	if err != nil || len(ps) != 2 || ps[0].ID != "a" || ps[1].UnitValue != "1" {
		t.Fatalf("parts = %+v, %v", ps, err)
	}
}

// naive expands every path without memoisation, in exact rationals.
func naive(g *Graph, r *Rollup, p int32) *big.Rat {
	if r.isControlled(p) {
		return g.exactValue(p)
	}
	sum := new(big.Rat)
	for k := g.start[p]; k < g.start[p+1]; k++ {
		q := g.exactQty(k)
		sum.Add(sum, q.Mul(q, naive(g, r, g.child[k])))
	}
	return sum
}

// randomBOM makes a DAG where parents always have smaller indexes.
func randomBOM(rng *rand.Rand, n int) ([]Part, []Edge) {
	classes := []string{"assembly", "other", "metal", "magnet_ndfeb"}
	origins := []string{"CN", "VN", "JP"}
	var parts []Part
	for i := 0; i < n; i++ {
		parts = append(parts, Part{ID: "p" + strconv.Itoa(i), Class: classes[rng.IntN(4)], Origin: origins[rng.IntN(3)],
			Elements: [][]string{nil, {"Dy"}, {"Nd"}}[rng.IntN(3)], UnitValue: strconv.Itoa(rng.IntN(1000)) + "." + strconv.Itoa(rng.IntN(100))})
	}
	var edges []Edge
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			if rng.IntN(4) == 0 {
				edges = append(edges, Edge{Parent: parts[i].ID, Child: parts[j].ID, Quantity: []string{"1", "2", "0.5", "0.1", "3.25"}[rng.IntN(5)]})
			}
		}
	}
	// Listed top down, bottom up or in no order: graphs then keep their
	// numbering with leaves last or first, or are renumbered.
	switch rng.IntN(3) {
	case 1:
		slices.Reverse(parts)
	case 2:
		rng.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
	}
	return parts, edges
}

// TestProducts: the products are the parts no edge names as a child, in
// the parts' order, however the parts are listed (kept, reversed or
// renumbered), and also when there is one or none.
func TestProducts(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for iter := 0; iter < 300; iter++ {
		parts, edges := randomBOM(rng, 1+rng.IntN(40))
		if iter%10 == 0 { // every part is someone's child but the first
			edges = edges[:0]
			for i := 1; i < len(parts); i++ {
				edges = append(edges, Edge{Parent: parts[i-1].ID, Child: parts[i].ID, Quantity: "1"})
			}
		}
		g, err := Build(parts, edges)
		if err != nil {
			t.Fatal(err)
		}
		child := map[string]bool{}
		for _, e := range edges {
			child[e.Child] = true
		}
		var want, got []string
		for _, p := range parts {
			if !child[p.ID] {
				want = append(want, p.ID)
			}
		}
		for _, p := range g.Products() {
			got = append(got, g.id(p))
		}
		if !slices.Equal(got, want) {
			t.Fatalf("iter %d: products %v, want %v", iter, got, want)
		}
	}
}

// TestTechFlags: a part is flagged when it or a part anywhere under it
// was made with Chinese technology, on random DAGs, and after edits.
func TestTechFlags(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for iter := 0; iter < 300; iter++ {
		parts, edges := randomBOM(rng, 2+rng.IntN(30))
		for i := range parts {
			if rng.IntN(6) == 0 {
				parts[i].CNTechnology = []string{"magnet_manufacturing"}
			}
		}
		g, err := Build(parts, edges)
		if err != nil {
			t.Fatal(err)
		}
		children := map[string][]string{}
		for _, e := range edges {
			children[e.Parent] = append(children[e.Parent], e.Child)
		}
		made := map[string]bool{}
		for _, p := range parts {
			made[p.ID] = len(p.CNTechnology) > 0
		}
		var under func(id string) bool
		under = func(id string) bool {
			if made[id] {
				return true
			}
			for _, c := range children[id] {
				if under(c) {
					return true
				}
			}
			return false
		}
		r := Roll(g, part1, official)
		for _, p := range parts {
			i, _ := g.Index(p.ID)
			if r.tech[i] != under(p.ID) || r.techOf(i) != r.tech[i] {
				t.Fatalf("iter %d: %s flagged %v, want %v", iter, p.ID, r.tech[i], under(p.ID))
			}
		}
	}
}

// TestAgainstNaivePathExpansion compares the memoised roll-up with a naive
// expansion of every path on random small DAGs.
func TestAgainstNaivePathExpansion(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for iter := 0; iter < 300; iter++ {
		parts, edges := randomBOM(rng, 2+rng.IntN(12))
		g, err := Build(parts, edges)
		if err != nil {
			t.Fatal(err)
		}
		r := Roll(g, part1, official)
		for i := range int32(g.Len()) {
			want := naive(g, r, int32(i))
			wf, _ := want.Float64()
			if !near(r.at(int32(i)).cv, wf) {
				t.Fatalf("iter %d part %d: cv %v, naive %v", iter, i, r.at(int32(i)).cv, wf)
			}
			if ex := r.exactCV(int32(i)); ex.Cmp(want) != 0 {
				t.Fatalf("exact cv %v, naive %v", ex, want)
			}
			// The verdict agrees with the exact comparison.
			val := g.exactValue(int32(i))
			if val.Sign() > 0 {
				cmp := new(big.Rat).Quo(want, val).Cmp(official.Ratio)
				if over, _ := r.verdict(int32(i)); over != (cmp >= 0) {
					t.Fatalf("verdict %v, exact comparison %d", over, cmp)
				}
			}
			// Top paths sum to at most cv and come largest first.
			paths := r.TopPaths(int32(i), 1000)
			total := 0.0
			for k, p := range paths {
				total += p.Value
				if k > 0 && p.Value > paths[k-1].Value*(1+1e-12) {
					t.Fatalf("paths out of order: %+v", paths)
				}
			}
			if !near(total, r.at(int32(i)).cv) && len(paths) < 1000 {
				t.Fatalf("all paths sum to %v, cv %v", total, r.at(int32(i)).cv)
			}
		}
	}
}

func TestGenerateIsReproducibleAndValid(t *testing.T) {
	p1, e1, err := Generate(GenConfig{Parts: 2000, Depth: 4, Fanout: 4, Seed: 42})
	if err != nil {
		t.Fatal(err)
	}
	p2, e2, _ := Generate(GenConfig{Parts: 2000, Depth: 4, Fanout: 4, Seed: 42})
	var b1, b2 bytes.Buffer
	WriteParts(&b1, p1)
	WriteEdges(&b1, e1)
	WriteParts(&b2, p2)
	WriteEdges(&b2, e2)
	if !bytes.Equal(b1.Bytes(), b2.Bytes()) {
		t.Fatal("same seed, different BOM")
	}
	var pb, eb bytes.Buffer
	WriteParts(&pb, p1)
	WriteEdges(&eb, e1)
	g := mustGraph(t, pb.String(), eb.String())
	r := Roll(g, part1, official)
	over := 0
	for _, p := range g.Products() {
		if r.Result(p, 0).Over {
			over++
		}
	}
	if len(g.Products()) == 0 || over == 0 || over == len(g.Products()) {
		t.Fatalf("%d products, %d over: the mix should give both verdicts", len(g.Products()), over)
	}
}

func FuzzReadParts(f *testing.F) {
	f.Add(motorParts)
	f.Add("\ufeffpart_id,class,origin,unit_value\r\na,other,VN,1\r\n")
	f.Add("part_id,class,origin,unit_value\n\"a,b\",other,VN,1.5\n")
	f.Fuzz(func(t *testing.T, s string) {
		parts, err := ReadParts(strings.NewReader(s), "f.csv", vocab{})
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		for _, p := range parts {
			if p.ID == "" || !isDecimal(p.UnitValue) {
				t.Fatalf("accepted a bad part %+v", p)
			}
		}
	})
}

func FuzzRollup(f *testing.F) {
	f.Add(motorParts, motorEdges)
	f.Add("part_id,class,origin,unit_value\na,assembly,VN,0\nb,metal,CN,1\n", "parent_id,child_id,quantity\na,b,1\na,b,2\n")
	f.Fuzz(func(t *testing.T, parts, edges string) {
		ps, err := ReadParts(strings.NewReader(parts), "p.csv", vocab{})
		if err != nil {
			return
		}
		es, err := ReadEdges(strings.NewReader(edges), "e.csv")
		if err != nil {
			return
		}
		g, err := Build(ps, es)
		if err != nil {
			return
		}
		r := Roll(g, part1, official)
		for _, p := range g.Products() {
			res := r.Result(p, 5)
			if res.ControlledValue < 0 || math.IsNaN(res.Share) {
				t.Fatalf("bad result %+v", res)
			}
		}
	})
}

func TestSyntaxCheckers(t *testing.T) {
	for s, ok := range map[string]bool{"0": true, "12": true, "12.5": true, "0.000": true, "": false, ".5": false, "5.": false, "1.2.3": false, "-1": false, "1e3": false, " 1": false, "１": false} {
		if isDecimal(s) != ok {
			t.Errorf("decimal %q: want %v", s, ok)
		}
		if _, pok := parseDecimal(s); pok != ok {
			t.Errorf("parseDecimal(%q): ok %v, want %v", s, pok, ok)
		}
	}
	for s, ok := range map[string]bool{"8505": true, "8505111000": true, "850": false, "85051110001": false, "85A5": false} {
		if rarex.IsHSCode(s) != ok {
			t.Errorf("hs %q: want %v", s, ok)
		}
	}
}

func TestReadGraph(t *testing.T) {
	g, err := ReadGraph(strings.NewReader(motorParts), "parts.csv", strings.NewReader(motorEdges), "edges.csv", vocab{})
	if err != nil {
		t.Fatal(err)
	}
	want := mustGraph(t, motorParts, motorEdges)
	a, b := Roll(g, part1, official), Roll(want, part1, official)
	for i := range int32(g.Len()) {
		j, _ := want.Index(g.id(i))
		if a.at(int32(i)) != b.at(j) {
			t.Fatalf("part %s differs", g.id(i))
		}
	}
	for name, c := range map[string]struct {
		edges, want string
	}{
		"unknown child":  {"parent_id,child_id,quantity\nmotor,ghost,1\n", `edges.csv:2:7: child_id: "ghost" is not a part in parts.csv`},
		"unknown parent": {"parent_id,child_id,quantity\nghost,motor,1\n", `edges.csv:2:1: parent_id: "ghost" is not a part in parts.csv`},
		"zero quantity":  {"parent_id,child_id,quantity\nmotor,rotor,0\n", "edges.csv:2:13: quantity"},
		"cycle":          {"parent_id,child_id,quantity\nmotor,rotor,1\nrotor,motor,1\n", "cycle in the BOM: motor → rotor → motor"},
	} {
		_, err := ReadGraph(strings.NewReader(motorParts), "parts.csv", strings.NewReader(c.edges), "edges.csv", vocab{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", name, err, c.want)
		}
	}
}

// allParts is every part of g, by index.
func allParts(g *Graph) []Part {
	out := make([]Part, g.Len())
	for i := range out {
		out[i] = g.Part(int32(i))
	}
	return out
}

// TestTechParts: the parts made with Chinese technology that a product's
// tree holds are each reported once, all of them, or as many as asked.
func TestTechParts(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for iter := range 60 {
		n := 2 + rng.IntN(200)
		var parts []Part
		for i := range n {
			p := Part{ID: "p" + strconv.Itoa(i), Class: "other", Origin: "VN", UnitValue: "1"}
			if rng.IntN(3) == 0 {
				p.CNTechnology = []string{"magnet_manufacturing"}
			}
			parts = append(parts, p)
		}
		var edges []Edge
		for i := range n {
			for j := i + 1; j < n; j++ {
				if rng.IntN(n/8+1) == 0 {
					edges = append(edges, Edge{Parent: parts[i].ID, Child: parts[j].ID, Quantity: "1"})
				}
			}
		}
		g, err := Build(parts, edges)
		if err != nil {
			t.Fatal(err)
		}
		r := Roll(g, part1, official)
		for p := range int32(g.Len()) {
			tree := map[int32]bool{}
			var reach func(int32)
			reach = func(q int32) {
				if !tree[q] {
					tree[q] = true
					for e := g.start[q]; e < g.start[q+1]; e++ {
						reach(g.child[e])
					}
				}
			}
			reach(p)
			var want []string
			for q := range tree {
				if g.hasTech[q] {
					want = append(want, g.id(q))
				}
			}
			slices.Sort(want)
			if r.tech[p] != (len(want) > 0) {
				t.Fatalf("iteration %d, part %d: technology %v, with %d such parts in its tree", iter, p, r.tech[p], len(want))
			}
			for _, limit := range []int{3, n + 1} {
				got := slices.Sorted(slices.Values(r.techParts(p, limit)))
				if len(got) != min(limit, len(want)) || len(slices.Compact(slices.Clone(got))) != len(got) {
					t.Fatalf("iteration %d, part %d, limit %d: %v of %v", iter, p, limit, got, want)
				}
				for _, id := range got {
					if _, ok := slices.BinarySearch(want, id); !ok {
						t.Fatalf("iteration %d, part %d: %q is not in the tree", iter, p, id)
					}
				}
			}
		}
	}
}

// TestControlledAskedOncePerClassAndElements: the roll-up asks the
// classifier about each class and elements list of China-origin parts
// once, and gives every part the answer asking about it would give; an
// edited part is asked about as it now is.
func TestControlledAskedOncePerClassAndElements(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for range 50 {
		parts, edges := randomBOM(rng, 2+rng.IntN(60))
		g, err := Build(parts, edges)
		if err != nil {
			t.Fatal(err)
		}
		asked := map[string]int{}
		counting := func(class string, elements []string) bool {
			asked[class+"|"+strings.Join(elements, ";")]++
			return part1(class, elements)
		}
		r := Roll(g, counting, official)
		for pair, n := range asked {
			if n != 1 {
				t.Fatalf("asked %d times about %s", n, pair)
			}
		}
		for i := range int32(g.Len()) {
			p := g.Part(i)
			if want := p.Origin == "CN" && part1(p.Class, p.Elements); r.isControlled(i) != want {
				t.Fatalf("part %s (%s, %s, %v): controlled %v, want %v", p.ID, p.Origin, p.Class, p.Elements, r.isControlled(i), want)
			}
		}
		// An edit: the part is asked about as edited, not by its row.
		for i := range int32(g.Len()) {
			if p := g.Part(i); p.Origin == "CN" && p.Class == "other" {
				edited := p
				edited.Class, edited.Elements = "metal", []string{"Dy"}
				g.parts.edit(i, edited)
				if r := Roll(g, part1, official); !r.isControlled(i) {
					t.Fatalf("edited part %s: not controlled", p.ID)
				}
				break
			}
		}
	}
}

// decimalSyntax is the decimals' grammar, written independently of
// parseDecimal's loop.
var decimalSyntax = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)

// FuzzParseDecimal: parseDecimal accepts exactly the decimals (ok is
// isDecimal too) and gives what strconv gives: +Inf beyond a float64.
func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"0", "12.5", ".5", "5.", "1.2.3", "00012.000", "12345678901234567890.5", "1e3", "9007199254740993",
		"1" + strings.Repeat("0", 400), "1" + strings.Repeat("0", 30) + ".5.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := parseDecimal(s)
		if want := decimalSyntax.MatchString(s); ok != want || isDecimal(s) != want {
			t.Fatalf("%q: parseDecimal ok %v, isDecimal %v, want %v", s, ok, isDecimal(s), want)
		}
		if want, _ := strconv.ParseFloat(s, 64); ok && v != want {
			t.Fatalf("%q: %v, strconv %v", s, v, want)
		}
	})
}
