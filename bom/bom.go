// Package bom rolls up bills of materials: for each product, its value, the
// value of its China-origin controlled content and that share, the parts
// made with Chinese technology, and the paths that contribute most. A BOM is
// a DAG: a part may be used by many parents. The engine is pure: readers
// take an io.Reader, and what counts as controlled is passed in.
package bom

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// Part is one row of parts.csv.
type Part struct {
	ID           string   `json:"part_id"`
	Description  string   `json:"description,omitempty"`
	Class        string   `json:"class"` // a rules item class, or assembly
	Elements     []string `json:"elements,omitempty"`
	HSCode       string   `json:"hs_code,omitempty"`
	Origin       string   `json:"origin"`
	UnitValue    string   `json:"unit_value"` // exact decimal text, as given
	CNTechnology []string `json:"cn_technology,omitempty"`
}

// Edge says parent uses Quantity units of child.
type Edge struct {
	Parent   string `json:"parent_id"`
	Child    string `json:"child_id"`
	Quantity string `json:"quantity"` // exact decimal text, > 0
	line     int    // in the edges file, for errors; 0 when not read from one
}

// Vocabulary tells the readers which classes and technology stages exist
// (the rules regime's, plus "assembly").
type Vocabulary interface {
	IsClass(string) bool
	IsStage(string) bool
}

// Controlled decides whether a part is a China-origin controlled item
// (Ann. 61 Part 1 scope) under the interpretation in use.
type Controlled func(p *Part) bool

// Graph is a BOM compiled for roll-ups: parts by dense index, children in
// compressed rows, and a topological order (children before parents).
type Graph struct {
	Parts    []Part
	index    map[string]int32
	value    []float64 // unit values as floats, for the fast path
	start    []int32   // children of i: child[start[i]:start[i+1]]
	child    []int32
	qty      []float64
	qtyText  []string
	parents  []int32 // number of parents of each part
	order    []int32 // topological, leaves first
	hasTech  []bool
	exactVal []*big.Rat // parsed lazily for the exact path
	// The roll-up's fast path: everything laid out by place in order, so a
	// full roll-up reads edges sequentially and finds a part's children,
	// placed just before it by the depth-first order, close by.
	pos    []int32 // place of each part in order
	ostart []int32 // edges of the part at place i: [ostart[i], ostart[i+1])
	ochild []int32 // the child's place
	oqty   []float64
	ovalue []float64
	ochina []bool // made in China
	otech  []bool
	// Built on the first incremental update: parents of each part (edge
	// indexes and parent indexes).
	pstart, pedge, pparent []int32
}

// Len is the number of parts.
func (g *Graph) Len() int { return len(g.Parts) }

// Edges is the number of edges.
func (g *Graph) Edges() int { return len(g.child) }

// Index returns the dense index of a part id.
func (g *Graph) Index(id string) (int32, bool) {
	i, ok := g.index[id]
	return i, ok
}

// Products returns the parts no other part uses, in input order.
func (g *Graph) Products() []int32 {
	var out []int32
	for i, n := range g.parents {
		if n == 0 {
			out = append(out, int32(i))
		}
	}
	return out
}

// CycleError reports a cycle as the path of part ids that closes it.
type CycleError struct{ Path []string }

func (e *CycleError) Error() string {
	return "cycle in the BOM: " + strings.Join(e.Path, " → ")
}

// Build compiles parts and edges (already validated field by field) into a
// Graph. It fails on unknown part ids in edges (naming the edge) and on cycles.
func Build(parts []Part, edges []Edge) (*Graph, error) {
	b, err := newBuilder(parts)
	if err != nil {
		return nil, err
	}
	for k, e := range edges {
		if err := b.add(k, e.Parent, e.Child, e.Quantity, e.line); err != nil {
			return nil, err
		}
	}
	return b.finish()
}

// builder collects edges as dense index pairs, so the edge rows themselves
// need not be kept while a file streams in.
type builder struct {
	g       *Graph
	pairs   [][2]int32
	qty     []float64
	qtyText []string
}

func newBuilder(parts []Part) (*builder, error) {
	g := &Graph{Parts: parts, index: make(map[string]int32, len(parts)), value: make([]float64, len(parts)),
		parents: make([]int32, len(parts)), hasTech: make([]bool, len(parts))}
	for i := range parts {
		p := &parts[i]
		if _, dup := g.index[p.ID]; dup {
			return nil, fmt.Errorf("part %q is listed twice", p.ID)
		}
		g.index[p.ID] = int32(i)
		v, err := strconv.ParseFloat(p.UnitValue, 64)
		if err != nil || !decimalSyntax.MatchString(p.UnitValue) {
			return nil, fmt.Errorf("part %q: unit_value %q is not a non-negative decimal", p.ID, p.UnitValue)
		}
		g.value[i] = v
		g.hasTech[i] = len(p.CNTechnology) > 0
	}
	return &builder{g: g}, nil
}

// add records edge k (line: its line in a file, or 0).
func (b *builder) add(k int, parent, child, quantity string, line int) error {
	g := b.g
	pi, ok := g.index[parent]
	if !ok {
		return edgeError(k, Edge{line: line}, "parent_id", parent)
	}
	ci, ok := g.index[child]
	if !ok {
		return edgeError(k, Edge{line: line}, "child_id", child)
	}
	q, err := strconv.ParseFloat(quantity, 64)
	if err != nil || q <= 0 || !decimalSyntax.MatchString(quantity) {
		return fmt.Errorf("edge %d: quantity %q is not a decimal greater than 0", k+1, quantity)
	}
	b.pairs = append(b.pairs, [2]int32{pi, ci})
	b.qty = append(b.qty, q)
	b.qtyText = append(b.qtyText, quantity)
	g.parents[ci]++
	return nil
}

// finish lays the edges out by parent, orders the parts and checks for cycles.
func (b *builder) finish() (*Graph, error) {
	g := b.g
	n := len(g.Parts)
	g.start = make([]int32, n+1)
	for _, pc := range b.pairs {
		g.start[pc[0]+1]++
	}
	for i := 1; i <= n; i++ {
		g.start[i] += g.start[i-1]
	}
	m := len(b.pairs)
	g.child, g.qty, g.qtyText = make([]int32, m), make([]float64, m), make([]string, m)
	fill := make([]int32, n)
	for k, pc := range b.pairs {
		at := g.start[pc[0]] + fill[pc[0]]
		fill[pc[0]]++
		g.child[at], g.qty[at], g.qtyText[at] = pc[1], b.qty[k], b.qtyText[k]
	}
	b.pairs, b.qty, b.qtyText = nil, nil, nil
	if err := g.sort(); err != nil {
		return nil, err
	}
	g.layout()
	return g, nil
}

// layout builds the order-indexed copies the full roll-up scans.
func (g *Graph) layout() {
	n := len(g.Parts)
	g.pos = make([]int32, n)
	for i, p := range g.order {
		g.pos[p] = int32(i)
	}
	g.ostart = make([]int32, n+1)
	g.ochild = make([]int32, 0, len(g.child))
	g.oqty = make([]float64, 0, len(g.child))
	g.ovalue, g.ochina, g.otech = make([]float64, n), make([]bool, n), make([]bool, n)
	for i, p := range g.order {
		for k := g.start[p]; k < g.start[p+1]; k++ {
			g.ochild = append(g.ochild, g.pos[g.child[k]])
			g.oqty = append(g.oqty, g.qty[k])
		}
		g.ostart[i+1] = int32(len(g.ochild))
		g.ovalue[i], g.ochina[i], g.otech[i] = g.value[p], g.Parts[p].Origin == "CN", g.hasTech[p]
	}
}

// sort computes a leaves-first order with an iterative depth-first search,
// reporting the first cycle found as a path.
func (g *Graph) sort() error {
	const (
		white = iota
		grey
		black
	)
	n := len(g.Parts)
	color := make([]uint8, n)
	g.order = make([]int32, 0, n)
	type frame struct{ node, next int32 }
	var stack []frame
	for root := 0; root < n; root++ {
		if color[root] != white {
			continue
		}
		stack = append(stack[:0], frame{int32(root), g.start[root]})
		color[root] = grey
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			if top.next < g.start[top.node+1] {
				c := g.child[top.next]
				top.next++
				switch color[c] {
				case white:
					color[c] = grey
					stack = append(stack, frame{c, g.start[c]})
				case grey:
					var path []string
					for i := range stack {
						if stack[i].node == c {
							for _, f := range stack[i:] {
								path = append(path, g.Parts[f.node].ID)
							}
							break
						}
					}
					return &CycleError{Path: append(path, g.Parts[c].ID)}
				}
				continue
			}
			color[top.node] = black
			g.order = append(g.order, top.node)
			stack = stack[:len(stack)-1]
		}
	}
	return nil
}

// UnknownPartError is an edge naming a part that is not in the parts file.
type UnknownPartError struct {
	Line  int // line in the edges file (or the edge's 1-based position)
	Field string
	ID    string
}

func (e *UnknownPartError) Error() string {
	return fmt.Sprintf("line %d: %s: %q is not a part", e.Line, e.Field, e.ID)
}

func edgeError(k int, e Edge, field, id string) error {
	line := e.line
	if line == 0 {
		line = k + 1
	}
	return &UnknownPartError{Line: line, Field: field, ID: id}
}
