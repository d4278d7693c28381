package bom

import (
	"math"
	"sort"
)

// Exposure is where a product's rare-earth content comes from: the value
// per unit of product of its rare-earth parts (each counted once, whole,
// at the first rare-earth part on a path, like controlled content) by
// origin country and by stage, and the concentration of that sourcing.
type Exposure struct {
	Product    string             `json:"product"`
	Total      float64            `json:"rare_earth_value"`
	Controlled float64            `json:"controlled_value"`
	ByCountry  map[string]float64 `json:"by_country"`
	ByStage    map[string]float64 `json:"by_stage"`
	Shares     []CountryShare     `json:"shares"` // by country, largest first
	HHI        float64            `json:"hhi"`    // of the country shares, 0–10,000
}

// CountryShare is one origin's share of the rare-earth value.
type CountryShare struct {
	Country string  `json:"country"`
	Value   float64 `json:"value"`
	Share   float64 `json:"share"` // percent
}

// StageOf names the supply stage an item class comes from.
func StageOf(class string) string {
	switch class {
	case "oxide", "compound", "mixture":
		return "separation"
	case "metal", "alloy", "target":
		return "metal"
	case "magnet_ndfeb", "magnet_smco", "magnet_other":
		return "magnets"
	}
	return "other"
}

// Exposure computes product's rare-earth exposure. A part is rare-earth
// content when isRE says so (typically: it lists elements and is of a
// rare-earth item class).
func (r *Rollup) Exposure(product int32, isRE func(*Part) bool) Exposure {
	g := r.g
	ex := Exposure{Product: g.id(product), ByCountry: map[string]float64{}, ByStage: map[string]float64{}}
	re := make([]bool, g.Len())
	var part Part // one variable for all: isRE's argument escapes
	for p := range int32(g.Len()) {
		part = g.Part(p)
		re[p] = p != product && isRE(&part)
	}
	// Units of each part per unit of product, through paths with no
	// rare-earth part above it: each counts once, whole.
	open := g.openUnits(product, func(p int32) bool { return re[p] })
	for p, u := range open {
		if u == 0 || !re[p] {
			continue
		}
		v := u * g.value[p]
		ex.Total += v
		part = g.Part(int32(p))
		ex.ByCountry[part.Origin] += v
		ex.ByStage[StageOf(part.Class)] += v
		if r.controlled[p] {
			ex.Controlled += v
		}
	}
	for c, v := range ex.ByCountry {
		s := 0.0
		if ex.Total > 0 {
			s = 100 * v / ex.Total
		}
		ex.Shares = append(ex.Shares, CountryShare{Country: c, Value: v, Share: s})
		ex.HHI += s * s
	}
	sort.Slice(ex.Shares, func(a, b int) bool {
		if ex.Shares[a].Value != ex.Shares[b].Value {
			return ex.Shares[a].Value > ex.Shares[b].Value
		}
		return ex.Shares[a].Country < ex.Shares[b].Country
	})
	ex.HHI = math.Round(ex.HHI)
	return ex
}
