// Package bom rolls up bills of materials: for each product, its value, the
// value of its China-origin controlled content and that share, the parts
// made with Chinese technology, and the paths that contribute most. A BOM is
// a DAG: a part may be used by many parents. The engine is pure: readers
// take an io.Reader, and what counts as controlled is passed in.
package bom

import (
	"cmp"
	"fmt"
	"math"
	"math/big"
	"slices"
	"sort"
	"strconv"
	"strings"

	"rarex/i18n"
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

// Controlled decides whether a China-origin item of this class, made with
// these elements, is a controlled item (Ann. 61 Part 1 scope) under the
// interpretation in use: the item classification, which depends on
// nothing else. The engine asks it only about parts whose origin is CN,
// and a roll-up only once for each class and elements list.
type Controlled func(class string, elements []string) bool

// Graph is a BOM compiled for roll-ups. Roll-ups, what-ifs and lookups only
// read it, so one graph may serve many goroutines; incremental updates
// change it and need it to themselves. Parts are numbered in a
// topological order: leaves first (children before parents, each part's
// subtree close before it), or parents first for a BOM listed top down
// and kept as read (down). Either way a full roll-up is one sequential
// pass over the compressed child rows. num gives each part's row in the
// input.
type Graph struct {
	parts   *partStore
	num     numbering // each part's place, and its row in the input (num.part)
	ids     *idTable
	value   []float64 // unit values as floats, for the fast path
	start   []int32   // children of i: child[start[i]:start[i+1]]
	child   []int32
	qty     []float64
	long    map[int32]string // quantities a float64 does not give back exactly, by edge
	parents []int32          // number of parents of each part
	china   []bool           // made in China
	hasTech []bool
	// down: the parts are numbered parents first (each child after its
	// parents), as a BOM listed top down is, kept as it was read; a
	// roll-up goes from the last part to the first. Otherwise children
	// first.
	down bool
	// Built on the first incremental update: parents of each part (edge
	// indexes and parent indexes).
	pstart, pedge, pparent []int32
}

// upward gives the first part, the end and the step of a pass over the
// parts children first.
func (g *Graph) upward() (first, end, step int32) {
	if g.down {
		return int32(g.Len()) - 1, -1, -1
	}
	return 0, int32(g.Len()), 1
}

// upwardStart and upwardEnd are upward's first part and the end.
func (g *Graph) upwardStart() int32 { first, _, _ := g.upward(); return first }
func (g *Graph) upwardEnd() int32   { _, end, _ := g.upward(); return end }

// upwardMiddle is the part of the upward pass at which about half the
// edges are behind it: the parts before it (upward) own half the edges.
func (g *Graph) upwardMiddle() int32 {
	half := int32(len(g.child) / 2)
	k := int32(sort.Search(g.Len(), func(i int) bool { return g.start[i] >= half }))
	if g.down { // upward from the last part: the parts from k on own the second half
		return k - 1
	}
	return k
}

// childrenFirst reports whether a pass children first (upward) reaches
// part a before part b.
func (g *Graph) childrenFirst(a, b int32) bool {
	if g.down {
		return a > b
	}
	return a < b
}

// Len is the number of parts.
func (g *Graph) Len() int { return g.parts.len() }

// Part returns part i. Its strings and lists are shared with the graph:
// they must not be changed.
func (g *Graph) Part(i int32) Part { return g.parts.part(i) }

// id is part i's id.
func (g *Graph) id(i int32) string { return g.parts.id(i) }

// Edges is the number of edges.
func (g *Graph) Edges() int { return len(g.child) }

// Index returns the dense index of a part id.
func (g *Graph) Index(id string) (int32, bool) {
	i := g.ids.findString(id)
	return i, i >= 0
}

// Products returns the parts no other part uses, in input order.
func (g *Graph) Products() []int32 {
	// Without a branch per part: whether a part has a parent is as good as
	// random, and a branch on it kept the core guessing wrong (a million
	// parts took 3.3–3.9 ms, against 1.2). Counted first, then written:
	// each part is written at the next place, and the place moves on only
	// for a product (the one place more takes the parts after the last).
	none := func(n int32) int { return int((uint32(n) - 1) >> 31) } // 1 when n is 0 (counts are never negative)
	k := 0
	for _, n := range g.parents {
		k += none(n)
	}
	out := make([]int32, k+1)
	k = 0
	for i, n := range g.parents {
		out[k] = int32(i)
		k += none(n)
	}
	out = out[:k:k]
	// In input order: as numbered when the parts kept their order, the
	// other way when it was reversed.
	switch g.num.kind {
	case keep:
	case reverse:
		slices.Reverse(out)
	default:
		slices.SortFunc(out, func(a, b int32) int { return cmp.Compare(g.num.order[a], g.num.order[b]) })
	}
	return out
}

// exactQty returns the quantity of edge k in exact rationals. Quantities of
// up to 15 significant digits are given back exactly by the shortest
// decimal that rounds to their float64; the rest were kept as text.
func (g *Graph) exactQty(k int32) *big.Rat {
	text, ok := g.long[k]
	if !ok {
		text = strconv.FormatFloat(g.qty[k], 'g', -1, 64)
	}
	q, _ := new(big.Rat).SetString(text)
	return q
}

// CycleError reports a cycle as the path of part ids that closes it.
type CycleError struct{ Path []string }

func (e *CycleError) Error() string { return e.In(i18n.English) }

// In words e in lang.
func (e *CycleError) In(lang string) string {
	return i18n.T(lang, "bom.err.cycle", strings.Join(e.Path, " → "))
}

// Build compiles parts and edges (already validated field by field) into a
// Graph. It fails on duplicate part ids, unknown part ids in edges (naming
// the edge) and cycles. parts is copied: the graph renumbers its own.
func Build(parts []Part, edges []Edge) (*Graph, error) {
	b := newBuilder(len(parts), len(edges))
	for i := range parts {
		if first, err := b.addPart(parts[i]); err != nil {
			return nil, err
		} else if first >= 0 {
			return nil, fmt.Errorf("part %q is listed twice", parts[i].ID)
		}
	}
	for k, e := range edges {
		pi := b.g.ids.findString(e.Parent)
		if pi < 0 {
			return nil, edgeError(k, e, "parent_id", e.Parent)
		}
		ci := b.g.ids.findString(e.Child)
		if ci < 0 {
			return nil, edgeError(k, e, "child_id", e.Child)
		}
		q, long, ok := parseQuantity([]byte(e.Quantity))
		if !ok {
			return nil, fmt.Errorf("edge %d: quantity %q is not a decimal greater than 0", k+1, e.Quantity)
		}
		b.addEdge(pi, ci, q, long)
	}
	return b.finish()
}

// builder collects parts and edges (as dense index pairs, in arrival
// order) while a file streams in; finish numbers and lays them out.
type builder struct {
	g      *Graph
	onEdge func(parent, child, quantity string) error // see StreamGraph
	runs   [][]parentRun                              // the edges' parents, in pieces (see eachRun)
	echild []int32
	eqty   []float64
	long   map[int32]string // by arrival number
}

// parentRun says that the edges from arrival number from on, up to the
// next run's, have this parent. Files list a parent's edges together:
// a run each, not a parent per edge.
type parentRun struct{ parent, from int32 }

// eachRun yields the runs of the builder's edges in order, each with
// where its edges end. The fast reader's chunks each give a piece of the
// runs, kept as given: joining them took 1.6 ms of one core.
func (b *builder) eachRun(yield func(run parentRun, end int32) bool) {
	var prev *parentRun
	for _, piece := range b.runs {
		for i := range piece {
			if prev != nil && !yield(*prev, piece[i].from) {
				return
			}
			prev = &piece[i]
		}
	}
	if prev != nil {
		yield(*prev, int32(len(b.echild)))
	}
}

// newBuilder sizes its arrays for about parts and edges rows (hints; 0
// when unknown), so that large inputs are not copied as they grow.
func newBuilder(parts, edges int) *builder {
	store := newPartStore(parts)
	g := &Graph{parts: store, ids: newIDTable(store, parts), value: make([]float64, 0, parts)}
	return &builder{g: g, echild: make([]int32, 0, edges), eqty: make([]float64, 0, edges)}
}

// addPart adds p (already checked) and returns -1, or, when its id is
// taken, the index of the part that has it.
func (b *builder) addPart(p Part) (int32, error) {
	g := b.g
	if i := g.ids.findString(p.ID); i >= 0 {
		return i, nil
	}
	if err := g.parts.add(p); err != nil {
		return -1, err
	}
	v, _ := parseDecimal(p.UnitValue)
	g.value = append(g.value, v)
	g.ids.add(int32(g.parts.len() - 1))
	return -1, nil
}

// addEdge records parent uses q of child; long is the quantity's text
// when a float64 does not give it back exactly, else "".
func (b *builder) addEdge(parent, child int32, q float64, long string) {
	if long != "" {
		if b.long == nil {
			b.long = map[int32]string{}
		}
		b.long[int32(len(b.echild))] = long
	}
	if len(b.runs) == 0 {
		b.runs = [][]parentRun{nil}
	}
	if piece := &b.runs[len(b.runs)-1]; len(*piece) == 0 || (*piece)[len(*piece)-1].parent != parent {
		*piece = append(*piece, parentRun{parent, int32(len(b.echild))})
	}
	b.echild = append(b.echild, child)
	b.eqty = append(b.eqty, q)
}

// finish orders the parts (checking for cycles), renumbers them in that
// order and lays the edges out by parent.
func (b *builder) finish() (*Graph, error) {
	g := b.g
	n, m := g.Len(), len(b.echild)
	if int64(m) > math.MaxInt32 {
		return nil, fmt.Errorf("the BOM has %d edges; at most %d are supported", m, math.MaxInt32)
	}
	// Each parent's edges as a row of the arrival arrays: first[p] and
	// count[p]. Files list a parent's edges together, nearly always; when
	// they do not, the edges are first sorted by parent (stably).
	first, count, parents := make([]int32, n), make([]int32, n), make([]int32, n)
	// Whether every child comes after its parent in the parts file (or
	// every one before): the file's order, reversed or as it is, is then
	// already a topological one, as in BOMs listed top down (or bottom up).
	grouped, after, before := true, true, true
	// Whether the runs come in the parts' order, each part's edges in one
	// place: the rows then start where the parts keep their order, as a
	// file listed either way lists them, and start is where.
	inOrder, start := true, make([]int32, n+1)
	// The parents' rows and the children's parent counts share nothing:
	// two cores, one for the rows, read in order, and one for the counts,
	// written at random.
	both(func() {
		prev := int32(-1)
		for run, end := range b.eachRun {
			p := run.parent
			if count[p] == 0 {
				first[p] = run.from
			} else if prev != p {
				grouped = false
			}
			if p > prev && inOrder {
				for q := prev + 1; q <= p; q++ { // the parts before p have no edges
					start[q] = run.from
				}
			}
			inOrder = inOrder && p >= prev
			prev = p
			count[p] += end - run.from
			for _, c := range b.echild[run.from:end] {
				after, before = after && c > p, before && c < p
			}
		}
		for q := prev + 1; inOrder && q <= int32(n); q++ {
			start[q] = int32(m)
		}
	}, func() {
		for _, c := range b.echild {
			parents[c]++
		}
	})
	arrival := func(e int32) int32 { return e } // arrival number of row edge e
	if !grouped {
		at := int32(0)
		for p := range n {
			first[p] = at
			at += count[p]
		}
		child, qty := make([]int32, m), make([]float64, m)
		var from []int32
		if len(b.long) > 0 {
			from = make([]int32, m)
			arrival = func(e int32) int32 { return from[e] }
		}
		next := slices.Clone(first)
		for run, end := range b.eachRun {
			p := run.parent
			for e := run.from; e < end; e++ {
				k := next[p]
				next[p]++
				child[k], qty[k] = b.echild[e], b.eqty[e]
				if from != nil {
					from[k] = e
				}
			}
		}
		b.echild, b.eqty = child, qty
	}
	num := numbering{n: int32(n)}
	switch {
	case before || after && (inOrder || !grouped): // once sorted, the rows are in the parts' order
		// Leaves first already, or listed top down with each parent's edges
		// in the parts' order: kept as read, parents first (Graph.down).
		num.kind, g.down = keep, !before
	case after:
		num.kind = reverse
	default:
		order, err := b.sort(first, count)
		if err != nil {
			return nil, err
		}
		num.kind, num.order, num.pos = general, order, make([]int32, n)
		for i, p := range order {
			num.pos[p] = int32(i)
		}
	}
	// The children, the quantities and the parts move to their new places
	// independently: three jobs on the cores there are.
	same, mirror := true, false
	if num.kind == keep && inOrder {
		g.start = start
	} else {
		same, mirror = b.layStarts(num, first, count)
	}
	parallel(3, func(k int) {
		switch k {
		case 0:
			b.layChildren(num, same, mirror, first, count)
		case 1:
			b.layQuantities(num, same, mirror, first, count, arrival)
		default:
			g.renumber(num, parents)
		}
	})
	b.runs, b.echild, b.eqty, b.long = nil, nil, nil, nil
	return g, nil
}

// numbering maps the parts' numbers in the file to their places in the
// layout: place i takes part order[i], and part p goes to pos[p]. A file
// listed bottom up keeps its order (keep) and one listed top down
// reverses it (reverse): places and parts are then worked out, not
// looked up in order and pos, which only a general numbering has.
type numbering struct {
	order, pos []int32
	kind       numberingKind
	n          int32 // parts
}

type numberingKind int

const (
	general numberingKind = iota
	keep
	reverse
)

// place is part p's place.
func (num numbering) place(p int32) int32 { return num.via(num.pos, p) }

// part is the part at place i: where place maps it, the inverse.
func (num numbering) part(i int32) int32 { return num.via(num.order, i) }

// via maps x as place or part does: keeping and reversing the order are
// their own inverses; a general numbering looks x up in table.
func (num numbering) via(table []int32, x int32) int32 {
	switch num.kind {
	case keep:
		return x
	case reverse:
		return num.n - 1 - x
	}
	return table[x]
}

// layStarts works out where each part's row starts in the new order, and
// whether the rows already lie in that order (same) or in its mirror image
// (a parts file listed top down, whose order is reversed).
func (b *builder) layStarts(num numbering, first, count []int32) (same, mirror bool) {
	g := b.g
	m := int32(len(b.echild))
	g.start = make([]int32, num.n+1)
	same, mirror = true, true
	k := int32(0)
	for i := range num.n {
		if p := num.part(i); count[p] > 0 {
			c := count[p]
			same = same && first[p] == k
			mirror = mirror && first[p] == m-k-c
			k += c
		}
		g.start[i+1] = k
	}
	return same, mirror
}

// layRows lays one edge array, arr, out in the new order: in place where
// its rows already lie in that order or its mirror image, else into to.
func layRows[T any](arr, to []T, same, mirror bool, start []int32, num numbering, first, count []int32) []T {
	switch {
	case same:
		return arr
	case mirror:
		slices.Reverse(arr)
		for i := range num.n {
			slices.Reverse(arr[start[i]:start[i+1]])
		}
		return arr
	}
	k := int32(0)
	for i := range num.n {
		p := num.part(i)
		k += int32(copy(to[k:], arr[first[p]:first[p]+count[p]]))
	}
	return to
}

// layChildren lays the children out in the new order, renumbered.
func (b *builder) layChildren(num numbering, same, mirror bool, first, count []int32) {
	g := b.g
	var to []int32
	if !same && !mirror {
		to = make([]int32, len(b.echild))
	}
	child := layRows(b.echild, to, same, mirror, g.start, num, first, count)
	if num.kind != keep {
		for k, c := range child {
			child[k] = num.place(c)
		}
	}
	g.child = child
}

// layQuantities lays the quantities, and the texts of the long ones, out
// in the new order.
func (b *builder) layQuantities(num numbering, same, mirror bool, first, count []int32, arrival func(int32) int32) {
	g := b.g
	var to []float64
	if !same && !mirror {
		to = make([]float64, len(b.eqty))
		prefault(memory(to))
	}
	g.qty = layRows(b.eqty, to, same, mirror, g.start, num, first, count)
	if len(b.long) > 0 {
		g.long = map[int32]string{}
		k := int32(0)
		for i := range num.n {
			p := num.part(i)
			for e := first[p]; e < first[p]+count[p]; e++ {
				if text, ok := b.long[arrival(e)]; ok {
					g.long[k] = text
				}
				k++
			}
		}
	}
}

// renumber moves the parts and what is known of each to their places in
// order (place i takes part order[i]); the id table keeps the numbers it
// was filled with and is told the places.
func (g *Graph) renumber(num numbering, parents []int32) {
	n := int(num.n)
	// Origins and technology in file order, as the fast reader's parser
	// gives them, or else worked out first: the parts and the text their
	// fields point into are then read in order, not at random.
	china, tech := g.china, g.hasTech
	if china == nil {
		china, tech = make([]bool, n), make([]bool, n)
		for p := range int32(n) {
			china[p], tech[p] = g.parts.origin(p) == "CN", g.parts.hasTech(p)
		}
	}
	g.num = num
	switch num.kind {
	case keep: // everything is in its place already
		g.parents, g.china, g.hasTech = parents, china, tech
		return
	case reverse: // in place
		slices.Reverse(g.parts.rows)
		slices.Reverse(g.value)
		slices.Reverse(parents)
		slices.Reverse(china)
		slices.Reverse(tech)
		g.parents, g.china, g.hasTech = parents, china, tech
		g.ids.placed = &num
		return
	}
	g.parts.permute(num.order)
	value := make([]float64, n)
	g.parents, g.china, g.hasTech = make([]int32, n), make([]bool, n), make([]bool, n)
	for i, p := range num.order {
		value[i], g.parents[i] = g.value[p], parents[p]
		g.china[i], g.hasTech[i] = china[p], tech[p]
	}
	g.value = value
	g.ids.placed = &num
}

// sort computes a leaves-first order with an iterative depth-first search
// from each part in input order, reporting the first cycle found as a path.
// Part p's children are echild[first[p]:first[p]+count[p]].
func (b *builder) sort(first, count []int32) ([]int32, error) {
	const (
		white = iota
		grey
		black
	)
	g := b.g
	n := g.Len()
	color := make([]uint8, n)
	order := make([]int32, 0, n)
	type frame struct{ node, next, end int32 }
	var stack []frame
	for root := range int32(n) {
		if color[root] != white {
			continue
		}
		stack = append(stack[:0], frame{root, first[root], first[root] + count[root]})
		color[root] = grey
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			if top.next < top.end {
				c := b.echild[top.next]
				top.next++
				switch color[c] {
				case white:
					color[c] = grey
					stack = append(stack, frame{c, first[c], first[c] + count[c]})
				case grey:
					var path []string
					for i := range stack {
						if stack[i].node == c {
							for _, f := range stack[i:] {
								path = append(path, g.id(f.node))
							}
							break
						}
					}
					return nil, &CycleError{Path: append(path, g.id(c))}
				}
				continue
			}
			color[top.node] = black
			order = append(order, top.node)
			stack = stack[:len(stack)-1]
		}
	}
	return order, nil
}

// parseDecimal reads a non-negative decimal (digits, and optionally a dot
// followed by digits) as a float64, with the exact fast path when its
// digits fit in 2^53; ok is false for anything else. A decimal beyond a
// float64's range reads as +Inf. It is the one rule for decimals, so that
// a value is checked as it is read, not read twice.
func parseDecimal[T string | []byte](b T) (float64, bool) {
	var mant uint64
	scale, digits, seen, dot, slow := 0, 0, 0, false, false
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == '.' && !dot && seen > 0 && i < len(b)-1:
			dot = true
		case c >= '0' && c <= '9':
			seen++
			if mant == 0 && c == '0' {
				if dot {
					scale++
				}
				continue
			}
			if digits++; digits > 19 { // strconv reads it, once it is checked
				slow = true
				continue
			}
			mant = mant*10 + uint64(c-'0')
			if dot {
				scale++
			}
		default:
			return 0, false
		}
	}
	if seen == 0 {
		return 0, false
	}
	if slow || mant >= 1<<53 || scale > 22 {
		v, _ := strconv.ParseFloat(string(b), 64) // only its range can be out: +Inf then
		return v, true
	}
	// Both operands are exact, so the quotient is correctly rounded, as
	// strconv would give.
	return float64(mant) / pow10[scale], true
}

var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
	1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseQuantity reads an edge quantity: a decimal greater than 0. long is
// its text when the float64 would not give it back exactly (more than 15
// significant digits, or out of float range).
func parseQuantity(b []byte) (q float64, long string, ok bool) {
	if q, ok := quickQuantity(b); ok { // nearly every quantity: one pass
		return q, "", true
	}
	return longQuantity(b)
}

// longQuantity is parseQuantity for any text: checked as it is read.
func longQuantity(b []byte) (q float64, long string, ok bool) {
	if q, ok = parseDecimal(b); !ok || isZero(b) || math.IsInf(q, 0) { // too large for a float64: refused
		return 0, "", false
	}
	if q == 0 || len(b) > 15 && significant(b) > 15 {
		long = string(b)
	}
	return q, long, true
}

// quickQuantity reads a plain quantity (a decimal greater than 0 of at
// most 15 digits) in one pass, as longQuantity would; ok is false for
// anything else, which longQuantity then reads or refuses.
func quickQuantity(b []byte) (float64, bool) {
	if len(b) == 0 || len(b) > 15 || b[len(b)-1] == '.' || b[0] == '.' {
		return 0, false
	}
	var mant uint64
	scale, dot := 0, false
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			mant = mant*10 + uint64(c-'0')
			if dot {
				scale++
			}
		case c == '.' && !dot:
			dot = true
		default:
			return 0, false
		}
	}
	if mant == 0 {
		return 0, false
	}
	// Exact operands (fewer than 16 digits, 10^scale ≤ 10^14): the quotient
	// is correctly rounded, the float parseDecimal gives.
	return float64(mant) / pow10[scale], true
}

// significant counts the digits from the first to the last non-zero one.
func significant(b []byte) int {
	first, last, n := -1, -1, 0
	for _, c := range b {
		if c == '.' {
			continue
		}
		if c != '0' {
			if first < 0 {
				first = n
			}
			last = n
		}
		n++
	}
	if first < 0 {
		return 0
	}
	return last - first + 1
}

// UnknownPartError is an edge naming a part that is not in the parts file.
type UnknownPartError struct {
	Line  int // line in the edges file (or the edge's 1-based position)
	Field string
	ID    string
}

func (e *UnknownPartError) Error() string { return e.In(i18n.English) }

// In words e in lang.
func (e *UnknownPartError) In(lang string) string {
	return i18n.T(lang, "bom.err.unknown_part", strconv.Itoa(e.Line), e.Field, e.ID)
}

func edgeError(k int, e Edge, field, id string) error {
	line := e.line
	if line == 0 {
		line = k + 1
	}
	return &UnknownPartError{Line: line, Field: field, ID: id}
}
