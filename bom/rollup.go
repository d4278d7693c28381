package bom

import (
	"container/heap"
	"math"
	"math/big"
	"runtime"
	"sync"
	"unsafe"
)

// Threshold is the de-minimis test: share ≥ Ratio (or > Ratio when not Inclusive).
type Threshold struct {
	Ratio     *big.Rat
	Inclusive bool
}

// Rollup holds the controlled and Chinese-origin value of every part.
type Rollup struct {
	g          *Graph
	controlled []bool
	cv, cn     []float64 // controlled and Chinese-origin content value of one unit
	tech       []bool    // some part in the tree was made with Chinese technology
	th         Threshold
	tf         float64    // th.Ratio as a float
	exactMu    sync.Mutex // Result may be called from several goroutines at once
	exact      map[int32]*big.Rat
	stamp      []uint32 // visit marks for incremental updates
	epoch      uint32
}

// acc is what the roll-up knows of one unit of a part.
type acc struct {
	cv float64 // controlled content value
	cn float64 // Chinese-origin content value
}

// Roll computes, in a pass over the edges in topological order,
// cv(p) = value(p) if controlled(p) else Σ qty·cv(child), and likewise
// cn(p) for all China-origin parts. A controlled (or China-origin) part
// counts once, whole, and is not descended into.
func Roll(g *Graph, isControlled Controlled, th Threshold) *Rollup {
	n := g.Len()
	r := &Rollup{g: g, controlled: make([]bool, n), cv: make([]float64, n), cn: make([]float64, n), tech: make([]bool, n), th: th}
	r.tf, _ = th.Ratio.Float64()
	// A pass over the parts children first (Graph.upward). The two sums
	// share nothing, so they run on two cores, each reading at random
	// an array of its own half the size of a pair's. The controlled parts
	// are found on the first, before it sums cv: isControlled is still
	// asked from one goroutine only. The technology flags are the third
	// job, cut in two at the middle edge: the second core flags the parts
	// the pass meets first and then sums cn; the first flags the rest
	// after its sum, when those parts' children are all flagged. (With
	// the flags after cn, the second core took 2–5 ms longer than the
	// first.)
	mid := g.upwardMiddle()
	flagged := make(chan struct{})
	both(func() {
		r.findControlled(isControlled)
		rollValues(g, r.cv, r.controlled)
		<-flagged
		r.rollTech(mid, g.upwardEnd())
	}, func() {
		r.rollTech(g.upwardStart(), mid)
		close(flagged)
		rollValues(g, r.cn, g.china)
	})
	return r
}

// findControlled asks isControlled about the China-origin parts: only
// they can be China-origin controlled items (the others are most parts of
// most BOMs). Many parts share a class and an elements list: each pair is
// asked about once.
func (r *Rollup) findControlled(isControlled Controlled) {
	s := r.g.parts
	// The answers by class and elements list, in a table: the classes are
	// the regime's few, so it costs less than the lists it is indexed by.
	// (At 1M parts the pass took 4.5–5.4 ms with a map, 3.0–3.8 with it.)
	const unknown, no, yes = 0, 1, 2
	known := make([]uint8, len(s.classes)*len(s.lists))
	for p, china := range r.g.china {
		if !china {
			continue
		}
		if part, ok := s.edited(int32(p)); ok {
			r.controlled[p] = isControlled(part.Class, part.Elements)
			continue
		}
		row := &s.rows[p]
		k := int(row.class)*len(s.lists) + int(row.elements)
		if known[k] == unknown {
			known[k] = no
			if isControlled(s.classes[row.class], s.lists[row.elements]) {
				known[k] = yes
			}
		}
		r.controlled[p] = known[k] == yes
	}
}

// rollValues sets out[i], for every part children first, to valueOf(i). The
// children's values are read at random: each edge's is prefetched about
// 64 edges before it is needed, 8 at a time (on a million parts the
// roll-up took a sixth less time; further ahead, or more at a time, did
// less well).
func rollValues(g *Graph, out []float64, whole []bool) {
	const ahead, run = 64, 8
	m := int32(len(g.child))
	// The edges from the first to next are prefetched (down: from next to
	// the last), as the pass reads them.
	next := int32(0)
	if g.down {
		next = m
	}
	first, end, step := g.upward()
	for i := first; i != end; i += step {
		if g.down {
			for to := max(g.start[i+1]-ahead, 0); next > to; next -= run {
				from := max(next-run, 0)
				prefetchValues(&out[0], &g.child[from], int(next-from))
			}
		} else {
			for to := min(g.start[i]+ahead, m); next < to; next += run {
				prefetchValues(&out[0], &g.child[next], int(min(run, m-next)))
			}
		}
		out[i] = g.valueOf(i, out, whole)
	}
}

// valueOf is one unit of part i's content: its own value where whole[i],
// else Σ qty·out[child] over its children.
func (g *Graph) valueOf(i int32, out []float64, whole []bool) float64 {
	if whole[i] {
		return g.value[i]
	}
	var s float64
	for k := g.start[i]; k < g.start[i+1]; k++ {
		s += g.qty[k] * out[g.child[k]]
	}
	return s
}

// rollTech marks the parts from first to end (upward, end not included)
// with a part made with Chinese technology in their trees, their
// children flagged already.
func (r *Rollup) rollTech(first, end int32) {
	_, _, step := r.g.upward()
	for i := first; i != end; i += step {
		r.tech[i] = r.techOf(i)
	}
}

// techOf reports whether part i or a part under it was made with Chinese
// technology, its children flagged already: the flags are or-ed as bytes,
// every child's, where a test of each until one was set (whether a part
// has one is as good as random) kept the core guessing wrong: the pass at
// 1M parts took 8.8–9.1 ms against 11.8–12.0. (A Go bool is the byte 0 or
// 1, and the or of two of them is one of them.)
func (r *Rollup) techOf(i int32) bool {
	g := r.g
	tech := boolBytes(r.tech)
	t := boolBytes(g.hasTech)[i]
	for _, c := range g.child[g.start[i]:g.start[i+1]] {
		t |= tech[c]
	}
	return t != 0
}

// boolBytes is b's bools as the bytes they are.
func boolBytes(b []bool) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(b))), len(b))
}

// compute recomputes part i from its children, as the full roll-up does.
func (r *Rollup) compute(i int32) {
	g := r.g
	r.cv[i], r.cn[i], r.tech[i] = g.valueOf(i, r.cv, r.controlled), g.valueOf(i, r.cn, g.china), r.techOf(i)
}

// at returns the roll-up of part p.
func (r *Rollup) at(p int32) acc { return acc{r.cv[p], r.cn[p]} }

// isControlled reports whether part p counts whole.
func (r *Rollup) isControlled(p int32) bool { return r.controlled[p] }

// Result is one product's roll-up.
type Result struct {
	Product         string   `json:"product"`
	Description     string   `json:"description,omitempty"`
	Class           string   `json:"class"`
	Value           float64  `json:"value"`
	ControlledValue float64  `json:"controlled_value"`
	Share           float64  `json:"share"`
	CNValue         float64  `json:"cn_value"`
	CNShare         float64  `json:"cn_share"`
	Threshold       float64  `json:"threshold"`
	Over            bool     `json:"over"`
	Exact           bool     `json:"exact_check"` // the verdict needed exact arithmetic
	CNTechnology    bool     `json:"cn_technology"`
	TechParts       []string `json:"cn_technology_parts,omitempty"`
	Paths           []Path   `json:"top_paths,omitempty"`
}

// Result reports product p with its top k contributing paths. Several
// goroutines may ask for results at once, but not while the roll-up is
// updated.
func (r *Rollup) Result(p int32, k int) Result {
	g := r.g
	part := g.Part(p)
	res := Result{Product: part.ID, Description: part.Description, Class: part.Class, Value: g.value[p], ControlledValue: r.at(p).cv,
		CNValue: r.at(p).cn, CNTechnology: r.tech[p]}
	res.Threshold = r.tf
	if g.value[p] > 0 {
		res.Share, res.CNShare = r.at(p).cv/g.value[p], r.at(p).cn/g.value[p]
	}
	res.Over, res.Exact = r.verdict(p)
	if k > 0 {
		res.Paths = r.TopPaths(p, k)
	}
	if r.tech[p] {
		res.TechParts = r.techParts(p, 20)
	}
	return res
}

// Results reports the products ids, each with its top k contributing
// paths, made on every core (a million-part BOM has some 200,000
// products, and their paths are most of the work).
func (r *Rollup) Results(ids []int32, k int) []Result {
	out := make([]Result, len(ids))
	const size = 256 // products a piece
	pieces := (len(ids) + size - 1) / size
	spread(pieces, runtime.GOMAXPROCS(0), func(_, piece int) {
		for i := piece * size; i < min(len(ids), (piece+1)*size); i++ {
			out[i] = r.Result(ids[i], k)
		}
	})
	return out
}

// Over reports whether product p's share reaches the threshold.
func (r *Rollup) Over(p int32) bool {
	over, _ := r.verdict(p)
	return over
}

// verdict decides share ≥ threshold. Floating point decides when the share
// is clearly away from the threshold; within a relative 1e-9 of it the
// subtree is re-summed in exact rationals, so rounding never flips a verdict.
func (r *Rollup) verdict(p int32) (over, exact bool) {
	v := r.g.value[p]
	if v <= 0 {
		return false, false
	}
	t := r.tf
	share := r.at(p).cv / v
	if math.Abs(share-t) > 1e-9*t {
		return share > t, false
	}
	cv := r.exactCV(p)
	val := r.g.exactValue(p)
	if val.Sign() == 0 {
		return false, true
	}
	cmp := new(big.Rat).Quo(cv, val).Cmp(r.th.Ratio)
	return cmp > 0 || (cmp == 0 && r.th.Inclusive), true
}

// exactValue is part p's unit value in exact rationals, parsed afresh: the
// graph holds no caches, so roll-ups can share it across goroutines.
func (g *Graph) exactValue(p int32) *big.Rat {
	v, _ := new(big.Rat).SetString(g.Part(p).UnitValue)
	return v
}

// exactCV is cv(p) in exact rationals, memoised (the value is shared:
// not to be changed). The few verdicts near the threshold need it, from
// whichever goroutine asks for them.
func (r *Rollup) exactCV(p int32) *big.Rat {
	r.exactMu.Lock()
	defer r.exactMu.Unlock()
	return r.exactSum(p)
}

// exactSum is exactCV, for a caller that holds exactMu.
func (r *Rollup) exactSum(p int32) *big.Rat {
	if r.exact == nil {
		r.exact = map[int32]*big.Rat{}
	}
	if v, ok := r.exact[p]; ok {
		return v
	}
	g := r.g
	var out *big.Rat
	if r.isControlled(p) {
		out = g.exactValue(p)
	} else {
		out = new(big.Rat)
		for k := g.start[p]; k < g.start[p+1]; k++ {
			q := g.exactQty(k)
			out.Add(out, q.Mul(q, r.exactSum(g.child[k])))
		}
	}
	r.exact[p] = out
	return out
}

// Path is one way from a product down to a controlled part.
type Path struct {
	Parts    []string `json:"parts"`
	Quantity float64  `json:"quantity"` // units of the last part per unit of product
	Value    float64  `json:"value"`    // quantity × the part's unit value
}

type partial struct {
	nodes []int32
	mult  float64
	bound float64 // mult × cv(last): no completion is worth more
}

type pathHeap []partial

func (h pathHeap) Len() int           { return len(h) }
func (h pathHeap) Less(i, j int) bool { return h[i].bound > h[j].bound }
func (h pathHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *pathHeap) Push(x any)        { *h = append(*h, x.(partial)) }
func (h *pathHeap) Pop() any          { o := *h; x := o[len(o)-1]; *h = o[:len(o)-1]; return x }

// TopPaths returns the k paths from p to controlled parts with the largest
// contributions, largest first. Best-first search: a partial path's bound
// is an upper limit of its completions, so a complete path popped is the
// next largest; only branches that carry controlled value are opened.
func (r *Rollup) TopPaths(p int32, k int) []Path {
	g := r.g
	h := &pathHeap{{nodes: []int32{p}, mult: 1, bound: r.at(p).cv}}
	var out []Path
	for h.Len() > 0 && len(out) < k {
		top := heap.Pop(h).(partial)
		last := top.nodes[len(top.nodes)-1]
		if r.isControlled(last) {
			ids := make([]string, len(top.nodes))
			for i, n := range top.nodes {
				ids[i] = g.id(n)
			}
			out = append(out, Path{Parts: ids, Quantity: top.mult, Value: top.bound})
			continue
		}
		for e := g.start[last]; e < g.start[last+1]; e++ {
			c := g.child[e]
			if r.at(c).cv <= 0 {
				continue
			}
			m := top.mult * g.qty[e]
			nodes := make([]int32, len(top.nodes)+1)
			copy(nodes, top.nodes)
			nodes[len(top.nodes)] = c
			heap.Push(h, partial{nodes: nodes, mult: m, bound: m * r.at(c).cv})
		}
	}
	return out
}

// techParts lists up to max parts under p made with Chinese technology.
func (r *Rollup) techParts(p int32, max int) []string {
	g := r.g
	seen := map[int32]bool{p: true}
	stack := []int32{p}
	var out []string
	for len(stack) > 0 && len(out) < max {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if g.hasTech[n] {
			out = append(out, g.id(n))
		}
		for e := g.start[n]; e < g.start[n+1]; e++ {
			if c := g.child[e]; r.tech[c] && !seen[c] {
				seen[c] = true
				stack = append(stack, c)
			}
		}
	}
	return out
}

// ExactControlledValue returns cv(p) in exact rationals.
func (r *Rollup) ExactControlledValue(p int32) *big.Rat { return new(big.Rat).Set(r.exactCV(p)) }

// ExactValue returns the unit value of p in exact rationals.
func (r *Rollup) ExactValue(p int32) *big.Rat { return new(big.Rat).Set(r.g.exactValue(p)) }

// ControlledValue returns cv of part p (one unit).
func (r *Rollup) ControlledValue(p int32) float64 { return r.at(p).cv }
