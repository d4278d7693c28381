package bom

import (
	"fmt"
	"math/rand/v2"
	"strconv"
)

// GenConfig shapes a synthetic BOM.
type GenConfig struct {
	Parts  int    // total parts
	Depth  int    // assembly levels above the raw parts
	Fanout int    // children per assembly
	Seed   uint64 // same seed, same BOM
}

type leafKind struct {
	weight       int
	class        string
	elements     []string
	origins      []string
	lo, hi       float64 // unit value range
	description  string
	cnTechnology []string
}

// The raw-part mix: mostly harmless parts, some Chinese rare-earth items,
// magnets made elsewhere, a few parts made with Chinese technology.
var leafKinds = []leafKind{
	{40, "other", nil, []string{"JP", "DE", "VN", "KR", "US", "TH", "MY"}, 0.01, 20, "fastener or passive part", nil},
	{15, "other", nil, []string{"CN"}, 0.01, 10, "Chinese component", nil},
	{10, "magnet_ndfeb", []string{"Nd", "Pr", "Dy"}, []string{"VN", "JP", "DE"}, 1, 30, "NdFeB magnet", nil},
	{6, "magnet_ndfeb", []string{"Nd", "Pr", "Dy"}, []string{"CN"}, 1, 30, "Chinese NdFeB magnet with Dy", nil},
	{5, "metal", []string{"Dy"}, []string{"CN"}, 0.5, 5, "dysprosium metal", nil},
	{4, "oxide", []string{"Tb", "O"}, []string{"CN"}, 0.5, 5, "terbium oxide", nil},
	{4, "magnet_ndfeb", []string{"Nd", "Pr"}, []string{"CN"}, 1, 20, "Chinese NdFeB magnet without Dy/Tb", nil},
	{3, "magnet_smco", []string{"Sm", "Co"}, []string{"JP"}, 2, 40, "SmCo magnet", []string{"magnet_manufacturing"}},
	{13, "other", nil, []string{"MX", "IN", "PL"}, 0.5, 50, "electronic part", nil},
}

// Generate makes a reproducible BOM: assemblies in Depth levels, each with
// Fanout children drawn from deeper levels, a third of them from a pool of
// common parts shared across products.
func Generate(c GenConfig) ([]Part, []Edge, error) {
	if c.Parts < 2 || c.Depth < 1 || c.Fanout < 1 {
		return nil, nil, fmt.Errorf("bom gen: need at least 2 parts, depth 1 and fanout 1")
	}
	rng := rand.New(rand.NewPCG(c.Seed, c.Seed^0x9e3779b97f4a7c15))
	leaves := c.Parts / 2
	if leaves < 1 {
		leaves = 1
	}
	internal := c.Parts - leaves
	// Level sizes grow geometrically toward the leaves.
	sizes := make([]int, c.Depth)
	weight, total := 1.0, 0.0
	for range sizes {
		total += weight
		weight *= 2
	}
	left := internal
	weight = 1
	for l := range sizes {
		sizes[l] = int(float64(internal) * weight / total)
		if sizes[l] < 1 {
			sizes[l] = 1
		}
		weight *= 2
		left -= sizes[l]
	}
	sizes[c.Depth-1] += left
	if sizes[c.Depth-1] < 1 {
		sizes[c.Depth-1] = 1
	}
	firstOf := make([]int, c.Depth+1)
	for l := 1; l <= c.Depth; l++ {
		firstOf[l] = firstOf[l-1] + sizes[l-1]
	}
	n := firstOf[c.Depth] + leaves
	parts := make([]Part, n)
	values := make([]float64, n)
	totalWeight := 0
	for _, k := range leafKinds {
		totalWeight += k.weight
	}
	for i := firstOf[c.Depth]; i < n; i++ {
		w := rng.IntN(totalWeight)
		k := leafKinds[0]
		for _, kk := range leafKinds {
			if w < kk.weight {
				k = kk
				break
			}
			w -= kk.weight
		}
		v := k.lo + rng.Float64()*(k.hi-k.lo)
		values[i] = float64(int(v*100+0.5)) / 100
		if values[i] == 0 {
			values[i] = 0.01
		}
		parts[i] = Part{ID: "P" + strconv.Itoa(i), Description: k.description, Class: k.class, Elements: k.elements,
			Origin: k.origins[rng.IntN(len(k.origins))], UnitValue: strconv.FormatFloat(values[i], 'f', 2, 64), CNTechnology: k.cnTechnology}
	}
	common := leaves / 50
	if common < 1 {
		common = 1
	}
	var edges []Edge
	level := 0
	for i := 0; i < firstOf[c.Depth]; i++ {
		for i >= firstOf[level+1] {
			level++
		}
		lo := firstOf[level+1]
		used := map[int]bool{}
		for f := 0; f < c.Fanout; f++ {
			var child int
			if rng.IntN(3) == 0 {
				child = firstOf[c.Depth] + rng.IntN(common)
			} else {
				child = lo + rng.IntN(n-lo)
			}
			if used[child] {
				continue
			}
			used[child] = true
			q := strconv.Itoa(1 + rng.IntN(8))
			if rng.IntN(10) == 0 {
				q = "0.5"
			}
			edges = append(edges, Edge{Parent: "P" + strconv.Itoa(i), Child: "P" + strconv.Itoa(child), Quantity: q})
		}
	}
	// Assembly values: their children's value plus 20%, computed bottom-up
	// (children always have larger indexes).
	childSum := make([]float64, n)
	byParent := make([][]int, firstOf[c.Depth])
	for k, e := range edges {
		p, _ := strconv.Atoi(e.Parent[1:])
		byParent[p] = append(byParent[p], k)
	}
	for i := firstOf[c.Depth] - 1; i >= 0; i-- {
		for _, k := range byParent[i] {
			ch, _ := strconv.Atoi(edges[k].Child[1:])
			q, _ := strconv.ParseFloat(edges[k].Quantity, 64)
			childSum[i] += q * values[ch]
		}
		values[i] = float64(int(childSum[i]*1.2*100+0.5))/100 + 1
		cls, desc := "assembly", "assembly"
		if i < firstOf[1] {
			desc = "product"
		}
		parts[i] = Part{ID: "P" + strconv.Itoa(i), Description: desc, Class: cls, Origin: []string{"VN", "DE", "JP", "US", "MX"}[rng.IntN(5)],
			UnitValue: strconv.FormatFloat(values[i], 'f', 2, 64)}
	}
	return parts, edges, nil
}
