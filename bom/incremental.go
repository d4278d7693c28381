package bom

import (
	"container/heap"
	"fmt"
	"strconv"

	"rarex"
)

// PartEdit changes one part; nil fields stay.
type PartEdit struct {
	Origin    *string
	UnitValue *string
	Class     *string
}

// VerdictChange is a product whose verdict flipped after an edit.
type VerdictChange struct {
	Product string `json:"product"`
	Over    bool   `json:"over"` // the new verdict
}

// reverse builds, once, each part's parents (as edge indexes).
func (g *Graph) reverse() {
	if g.pstart != nil {
		return
	}
	n := len(g.Parts)
	g.pstart = make([]int32, n+1)
	for _, c := range g.child {
		g.pstart[c+1]++
	}
	for i := 1; i <= n; i++ {
		g.pstart[i] += g.pstart[i-1]
	}
	g.pedge = make([]int32, len(g.child))
	g.pparent = make([]int32, len(g.child))
	fill := make([]int32, n)
	for p := int32(0); p < int32(n); p++ {
		for k := g.start[p]; k < g.start[p+1]; k++ {
			c := g.child[k]
			at := g.pstart[c] + fill[c]
			fill[c]++
			g.pedge[at], g.pparent[at] = k, p
		}
	}
}

// UpdatePart edits one part and re-rolls only its ancestors. It returns the
// products whose verdict changed. Errors name the bad field.
func (r *Rollup) UpdatePart(id string, e PartEdit, vocab Vocabulary, isControlled Controlled) ([]VerdictChange, error) {
	g := r.g
	p, ok := g.Index(id)
	if !ok {
		return nil, fmt.Errorf("part_id: %q is not a part", id)
	}
	part := g.Parts[p]
	if e.Origin != nil {
		if !rarex.IsCountry(*e.Origin) {
			return nil, fmt.Errorf("origin: %q is not an ISO 3166 two-letter country code", *e.Origin)
		}
		part.Origin = *e.Origin
	}
	if e.Class != nil {
		if !vocab.IsClass(*e.Class) {
			return nil, fmt.Errorf("class: %q is not an item class", *e.Class)
		}
		part.Class = *e.Class
	}
	value := g.value[p]
	if e.UnitValue != nil {
		v, err := strconv.ParseFloat(*e.UnitValue, 64)
		if err != nil || !decimalSyntax.MatchString(*e.UnitValue) {
			return nil, fmt.Errorf("unit_value: %q is not a non-negative decimal number", *e.UnitValue)
		}
		part.UnitValue, value = *e.UnitValue, v
	}
	return r.change(func() {
		g.Parts[p], g.value[p] = part, value
		g.ovalue[g.pos[p]], g.ochina[g.pos[p]] = value, part.Origin == "CN"
		if g.exactVal != nil {
			g.exactVal[p] = nil
		}
		r.controlled[g.pos[p]] = isControlled(&g.Parts[p])
	}, p)
}

// UpdateQuantity changes the quantity of the edge parent → child.
func (r *Rollup) UpdateQuantity(parent, child, qty string) ([]VerdictChange, error) {
	g := r.g
	p, ok1 := g.Index(parent)
	c, ok2 := g.Index(child)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("edge %s → %s: not a part", parent, child)
	}
	q, err := strconv.ParseFloat(qty, 64)
	if err != nil || q <= 0 || !decimalSyntax.MatchString(qty) {
		return nil, fmt.Errorf("quantity: %q is not a decimal number greater than 0", qty)
	}
	for k := g.start[p]; k < g.start[p+1]; k++ {
		if g.child[k] == c {
			return r.change(func() {
				g.qty[k], g.qtyText[k] = q, qty
				g.oqty[g.ostart[g.pos[p]]+(k-g.start[p])] = q
			}, p)
		}
	}
	return nil, fmt.Errorf("edge %s → %s: no such edge", parent, child)
}

type posHeap struct {
	g     *Graph
	items []int32
}

func (h posHeap) Len() int           { return len(h.items) }
func (h posHeap) Less(i, j int) bool { return h.g.pos[h.items[i]] < h.g.pos[h.items[j]] }
func (h posHeap) Swap(i, j int)      { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *posHeap) Push(x any)        { h.items = append(h.items, x.(int32)) }
func (h *posHeap) Pop() any {
	x := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return x
}

// change applies edit, then recomputes from start upward in topological
// order, stopping where a part's sums do not change.
func (r *Rollup) change(edit func(), start int32) ([]VerdictChange, error) {
	g := r.g
	g.reverse()
	// Verdicts before, for the products above start.
	before := map[int32]bool{}
	r.ancestors(start, func(a int32) {
		if g.parents[a] == 0 {
			before[a], _ = r.verdict(a)
		}
	})
	edit()
	r.exact = nil
	h := &posHeap{g: g}
	queued := r.mark()
	r.stamp[start] = queued
	heap.Push(h, start)
	for h.Len() > 0 {
		p := heap.Pop(h).(int32)
		old := *r.at(p)
		r.update(p)
		if *r.at(p) == old && p != start {
			continue
		}
		for k := g.pstart[p]; k < g.pstart[p+1]; k++ {
			if a := g.pparent[k]; r.stamp[a] != queued {
				r.stamp[a] = queued
				heap.Push(h, a)
			}
		}
	}
	var out []VerdictChange
	for prod, was := range before {
		if now, _ := r.verdict(prod); now != was {
			out = append(out, VerdictChange{Product: g.Parts[prod].ID, Over: now})
		}
	}
	return out, nil
}

// ancestors calls fn for p and every part above it.
func (r *Rollup) ancestors(p int32, fn func(int32)) {
	g := r.g
	seen := r.mark()
	r.stamp[p] = seen
	stack := []int32{p}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		fn(n)
		for k := g.pstart[n]; k < g.pstart[n+1]; k++ {
			if a := g.pparent[k]; r.stamp[a] != seen {
				r.stamp[a] = seen
				stack = append(stack, a)
			}
		}
	}
}

// mark returns a fresh stamp: parts whose stamp equals it are marked. It
// avoids clearing a visited set of every part for each small update.
func (r *Rollup) mark() uint32 {
	if r.stamp == nil {
		r.stamp = make([]uint32, r.g.Len())
	}
	r.epoch++
	return r.epoch
}
