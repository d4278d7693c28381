package bom

import (
	"container/heap"
	"fmt"
	"math"
	"math/big"
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
	n := g.Len()
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
	part := g.Part(p)
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
		if err != nil || !isDecimal(*e.UnitValue) {
			return nil, fmt.Errorf("unit_value: %q is not a non-negative decimal number", *e.UnitValue)
		}
		part.UnitValue, value = *e.UnitValue, v
	}
	set := func(part Part, value float64) {
		g.parts.edit(p, part)
		g.value[p], g.china[p] = value, part.Origin == "CN"
		r.controlled[p] = g.china[p] && isControlled(part.Class, part.Elements)
	}
	oldPart, oldValue := g.Part(p), g.value[p]
	return r.change(func() { set(part, value) }, func() { set(oldPart, oldValue) }, p)
}

// UpdateQuantity changes the quantity of the edge parent → child.
func (r *Rollup) UpdateQuantity(parent, child, qty string) ([]VerdictChange, error) {
	g := r.g
	p, ok1 := g.Index(parent)
	c, ok2 := g.Index(child)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("edge %s → %s: not a part", parent, child)
	}
	q, long, ok := parseQuantity([]byte(qty))
	if !ok {
		return nil, fmt.Errorf("quantity: %q is not a decimal number greater than 0", qty)
	}
	for k := g.start[p]; k < g.start[p+1]; k++ {
		if g.child[k] == c {
			set := func(q float64, long string) {
				g.qty[k] = q
				if long != "" {
					if g.long == nil {
						g.long = map[int32]string{}
					}
					g.long[k] = long
				} else {
					delete(g.long, k)
				}
			}
			oldQ, oldLong := g.qty[k], g.long[k]
			return r.change(func() { set(q, long) }, func() { set(oldQ, oldLong) }, p)
		}
	}
	return nil, fmt.Errorf("edge %s → %s: no such edge", parent, child)
}

type posHeap struct {
	g     *Graph
	items []int32
}

func (h posHeap) Len() int           { return len(h.items) }
func (h posHeap) Less(i, j int) bool { return h.g.childrenFirst(h.items[i], h.items[j]) }
func (h posHeap) Swap(i, j int)      { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *posHeap) Push(x any)        { h.items = append(h.items, x.(int32)) }
func (h *posHeap) Pop() any {
	x := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return x
}

// change applies edit, then recomputes from start upward in topological
// order, stopping where a part's sums do not change. It returns the
// products whose verdict flipped; undo reverts the edit, for the rare
// product whose old share sat so near the threshold that its old verdict
// needs exact arithmetic on the old data.
func (r *Rollup) change(edit, undo func(), start int32) ([]VerdictChange, error) {
	g := r.g
	g.reverse()
	t := r.tf
	type seen struct {
		id     int32
		before bool
		near   bool
	}
	var products []seen
	if g.parents[start] == 0 {
		before, _ := r.verdict(start)
		products = append(products, seen{id: start, before: before})
	}
	edit()
	r.exact = nil
	h := &posHeap{g: g}
	queued := r.mark()
	r.stamp[start] = queued
	heap.Push(h, start)
	for h.Len() > 0 {
		p := heap.Pop(h).(int32)
		old, oldTech := r.at(p), r.tech[p]
		if g.parents[p] == 0 && p != start {
			// The old verdict from the old sums; exact only when near.
			v := g.value[p]
			s := seen{id: p}
			if v > 0 {
				share := old.cv / v
				s.before = share > t || (share == t && r.th.Inclusive)
				s.near = math.Abs(share-t) <= 1e-9*t
			}
			products = append(products, s)
		}
		r.compute(p)
		if r.at(p) == old && r.tech[p] == oldTech && p != start {
			continue
		}
		for k := g.pstart[p]; k < g.pstart[p+1]; k++ {
			if a := g.pparent[k]; r.stamp[a] != queued {
				r.stamp[a] = queued
				heap.Push(h, a)
			}
		}
	}
	near := false
	for _, s := range products {
		near = near || s.near
	}
	if near {
		undo()
		r.exact = nil
		for i, s := range products {
			if s.near {
				products[i].before = r.exactOver(s.id)
			}
		}
		edit()
		r.exact = nil
	}
	var out []VerdictChange
	for _, s := range products {
		if now, _ := r.verdict(s.id); now != s.before {
			out = append(out, VerdictChange{Product: g.id(s.id), Over: now})
		}
	}
	return out, nil
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

// exactOver decides p's verdict in exact arithmetic on the current data.
func (r *Rollup) exactOver(p int32) bool {
	val := r.g.exactValue(p)
	if val.Sign() == 0 {
		return false
	}
	cmp := new(big.Rat).Quo(r.exactCV(p), val).Cmp(r.th.Ratio)
	return cmp > 0 || (cmp == 0 && r.th.Inclusive)
}
