package monitor

import (
	"errors"
	"fmt"
)

// SupplyRiskInput is what the EU supply-risk formula (JRC 2017 method,
// reused in 2020 and 2023) needs for one stage.
type SupplyRiskInput struct {
	// Global and EU-sourcing supply shares (0–1) with each country's
	// governance score (WGI scaled 0–10) and trade-restriction factor
	// (t ≥ 1, above 1 for export-restricting countries).
	Global, EUSourcing []Supplier
	ImportReliance     float64 // IR = (imports − exports) / (production + imports − exports), 0–1
	EndOfLifeRecycling float64 // EoL-RIR, 0–1
	Substitution       float64 // SI_SR, 0–1
}

// Supplier is one country's share of a stage's supply.
type Supplier struct {
	Country     string  `json:"country"`
	Share       float64 `json:"share"`       // 0–1
	Governance  float64 `json:"governance"`  // WGI scaled 0–10 (higher is riskier)
	Restriction float64 `json:"restriction"` // t ≥ 1
}

// HHIWGIt is Σ s² · WGI · t over the suppliers.
func HHIWGIt(ss []Supplier) (float64, error) {
	var h float64
	for _, s := range ss {
		switch {
		case s.Share < 0 || s.Share > 1:
			return 0, fmt.Errorf("%s: share %g is not in 0–1", s.Country, s.Share)
		case s.Governance < 0 || s.Governance > 10:
			return 0, fmt.Errorf("%s: governance %g is not in 0–10", s.Country, s.Governance)
		case s.Restriction < 1:
			return 0, fmt.Errorf("%s: restriction factor %g is below 1", s.Country, s.Restriction)
		}
		h += s.Share * s.Share * s.Governance * s.Restriction
	}
	return h, nil
}

// SupplyRisk is SR = [HHI_WGI,t(global)·IR/2 + HHI_WGI,t(EU)·(1 − IR/2)] ·
// (1 − EoL_RIR) · SI_SR: import reliance blends global and EU-sourcing
// concentration rather than multiplying the risk.
func SupplyRisk(in SupplyRiskInput) (float64, error) {
	for name, v := range map[string]float64{"import reliance": in.ImportReliance, "end-of-life recycling": in.EndOfLifeRecycling, "substitution": in.Substitution} {
		if v < 0 || v > 1 {
			return 0, fmt.Errorf("%s %g is not in 0–1", name, v)
		}
	}
	if len(in.Global) == 0 || len(in.EUSourcing) == 0 {
		return 0, errors.New("global and EU-sourcing suppliers are both required")
	}
	g, err := HHIWGIt(in.Global)
	if err != nil {
		return 0, fmt.Errorf("global: %w", err)
	}
	eu, err := HHIWGIt(in.EUSourcing)
	if err != nil {
		return 0, fmt.Errorf("EU sourcing: %w", err)
	}
	ir := in.ImportReliance
	return (g*ir/2 + eu*(1-ir/2)) * (1 - in.EndOfLifeRecycling) * in.Substitution, nil
}

// ImportReliance is (imports − exports) / (production + imports − exports),
// clamped to 0–1 (a net exporter relies on no imports).
func ImportReliance(production, imports, exports float64) (float64, error) {
	den := production + imports - exports
	if den <= 0 {
		return 0, errors.New("production + imports − exports must be positive")
	}
	ir := (imports - exports) / den
	return max(0, min(1, ir)), nil
}

// GeoPolRisk is a company's geopolitical supply risk for one material:
// HHI (0–1) of world supply · Σ gᵢ·fᵢ / (domestic production + imports),
// with fᵢ the company's purchases from country i and gᵢ that country's
// instability (0–1).
func GeoPolRisk(worldHHI float64, purchases map[string]float64, instability map[string]float64, domestic float64) (float64, error) {
	if worldHHI < 0 || worldHHI > 1 {
		return 0, fmt.Errorf("world HHI %g is not in 0–1", worldHHI)
	}
	var weighted, total float64
	for c, f := range purchases {
		g, ok := instability[c]
		if !ok {
			return 0, fmt.Errorf("%s: no instability score", c)
		}
		weighted += g * f
		total += f
	}
	if total+domestic <= 0 {
		return 0, errors.New("purchases and domestic production are both zero")
	}
	return worldHHI * weighted / (total + domestic), nil
}
