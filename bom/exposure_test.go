package bom

import (
	"math"
	"strings"
	"testing"
)

// TestExposure on the motor BOM of the other tests: the VN magnet (4 × 10
// = 40 under the rotor) and the CN Nd-Pr magnet (2 × 3 = 6 under the
// stator) are rare-earth content and count whole; the Dy metal under the
// VN magnet is not counted again; screws and coils are not rare earths.
// Shares 40/46 and 6/46: HHI 86.96² + 13.04² = 7,732.
func TestExposure(t *testing.T) {
	ps, _ := ReadParts(strings.NewReader(motorParts), "p.csv", vocab{})
	es, _ := ReadEdges(strings.NewReader(motorEdges), "e.csv")
	g, err := Build(ps, es)
	if err != nil {
		t.Fatal(err)
	}
	r := Roll(g, part1, official)
	motor, _ := g.Index("motor")
	isRE := func(p *Part) bool { return len(p.Elements) > 0 && p.Class != "assembly" && p.Class != "other" }
	ex := r.Exposure(motor, isRE)
	if math.Abs(ex.Total-46) > 1e-9 || ex.ByCountry["VN"] != 40 || ex.ByCountry["CN"] != 6 || ex.ByStage["magnets"] != 46 || ex.HHI != 7732 || ex.Controlled != 0 || ex.Shares[0].Country != "VN" {
		t.Fatalf("exposure %+v", ex)
	}
	// Seen from the magnet: its Dy metal (0.5 × 1.10, CN, controlled) is the content.
	magnet, _ := g.Index("magnet")
	ex = r.Exposure(magnet, isRE)
	if math.Abs(ex.Total-0.55) > 1e-9 || ex.Shares[0].Country != "CN" || math.Abs(ex.Controlled-0.55) > 1e-9 || ex.ByStage["metal"] == 0 {
		t.Fatalf("magnet exposure %+v", ex)
	}
}
