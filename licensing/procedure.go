// Package licensing is the licence office's engine: the application and
// licence state machine, statutory deadlines counted in working days,
// green-channel eligibility, risk signals and licence draw-down. It is
// pure: the procedure is data (data/procedure.yaml), the calendar comes
// from workdays, and callers pass in the clock's day.
package licensing

import (
	"bytes"
	_ "embed"
	"fmt"
	"slices"

	"go.yaml.in/yaml/v3"

	"rarex"
)

//go:embed data/procedure.yaml
var procedureYAML []byte

// Procedure is the regime's licensing procedure.
type Procedure struct {
	Regime string `yaml:"regime"`
	Review struct {
		WorkingDays        int    `yaml:"working_days"`
		Source             string `yaml:"source"`
		Note               string `yaml:"note"`
		StartsWhenComplete bool   `yaml:"starts_when_complete"`
		CompleteSource     string `yaml:"complete_source"`
	} `yaml:"review"`
	InformationRequest struct {
		PausesClock bool   `yaml:"pauses_clock"`
		Source      string `yaml:"source"`
	} `yaml:"information_request"`
	Green struct {
		TargetWorkingDays  int               `yaml:"target_working_days"`
		ViolationFreeYears int               `yaml:"violation_free_years"`
		ScreeningThreshold float64           `yaml:"screening_threshold"`
		QuantityCaps       map[string]string `yaml:"quantity_caps"`
		Source             string            `yaml:"source"`
		caps               map[string]rarex.Quantity
	} `yaml:"green_channel"`
	Licence struct {
		MaxValidityMonths map[rarex.LicenceType]int `yaml:"max_validity_months"`
		Source            string                    `yaml:"source"`
	} `yaml:"licence"`
	Documents struct {
		Required              []rarex.DocKind `yaml:"required"`
		RequiredForTechnology []rarex.DocKind `yaml:"required_for_technology"`
		MaxBytes              int64           `yaml:"max_bytes"`
		ContentTypes          []string        `yaml:"content_types"`
		Source                string          `yaml:"source"`
	} `yaml:"documents"`
	Units      []string `yaml:"units"`
	Currencies []string `yaml:"currencies"`
	Risk       struct {
		MilitaryWords         []string `yaml:"military_words"`
		EmbargoedDestinations []string `yaml:"embargoed_destinations"`
		EmbargoSource         string   `yaml:"embargo_source"`
		UnusualQuantityFactor int      `yaml:"unusual_quantity_factor"`
	} `yaml:"risk"`
}

// Shipped returns the procedure embedded in the binary.
func Shipped() (*Procedure, error) {
	return LoadProcedure(procedureYAML, "licensing/data/procedure.yaml")
}

// LoadProcedure reads and checks a procedure file; errors name the file and field.
func LoadProcedure(b []byte, file string) (*Procedure, error) {
	var p Procedure
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("%s: %s: %s", file, field, fmt.Sprintf(format, args...))
	}
	switch {
	case p.Regime == "":
		return nil, bad("regime", "required")
	case p.Review.WorkingDays <= 0 || p.Review.WorkingDays > 365:
		return nil, bad("review.working_days", "%d is not between 1 and 365", p.Review.WorkingDays)
	case p.Review.Source == "":
		return nil, bad("review.source", "required: every period needs its source")
	case p.Green.TargetWorkingDays <= 0 || p.Green.TargetWorkingDays > p.Review.WorkingDays:
		return nil, bad("green_channel.target_working_days", "%d must be between 1 and the review period (%d)", p.Green.TargetWorkingDays, p.Review.WorkingDays)
	case p.Green.ScreeningThreshold <= 0 || p.Green.ScreeningThreshold > 1:
		return nil, bad("green_channel.screening_threshold", "%v is not in (0, 1]", p.Green.ScreeningThreshold)
	case p.Green.ViolationFreeYears < 0:
		return nil, bad("green_channel.violation_free_years", "must not be negative")
	case p.Documents.MaxBytes <= 0:
		return nil, bad("documents.max_bytes", "must be positive")
	case len(p.Documents.ContentTypes) == 0:
		return nil, bad("documents.content_types", "name at least one type")
	case len(p.Units) == 0 || len(p.Currencies) == 0:
		return nil, bad("units", "units and currencies are required")
	case p.Risk.UnusualQuantityFactor < 2:
		return nil, bad("risk.unusual_quantity_factor", "must be at least 2")
	}
	for _, t := range []rarex.LicenceType{rarex.LicenceIndividual, rarex.LicenceGeneral} {
		if m := p.Licence.MaxValidityMonths[t]; m <= 0 || m > 120 {
			return nil, bad("licence.max_validity_months."+string(t), "%d is not between 1 and 120", m)
		}
	}
	for _, k := range slices.Concat(p.Documents.Required, p.Documents.RequiredForTechnology) {
		if !k.Valid() {
			return nil, bad("documents.required", "%q is not a document kind", k)
		}
	}
	p.Green.caps = map[string]rarex.Quantity{}
	for unit, s := range p.Green.QuantityCaps {
		if !slices.Contains(p.Units, unit) {
			return nil, bad("green_channel.quantity_caps."+unit, "%q is not one of the units", unit)
		}
		q, err := rarex.ParseQuantity(s)
		if err != nil {
			return nil, bad("green_channel.quantity_caps."+unit, "%v", err)
		}
		p.Green.caps[unit] = q
	}
	for _, c := range p.Risk.EmbargoedDestinations {
		if !rarex.IsCountry(c) {
			return nil, bad("risk.embargoed_destinations", "%q is not an ISO 3166 country code", c)
		}
	}
	return &p, nil
}

// Cap returns the green-channel quantity cap for unit, if one is set.
func (p *Procedure) Cap(unit string) (rarex.Quantity, bool) {
	q, ok := p.Green.caps[unit]
	return q, ok
}
