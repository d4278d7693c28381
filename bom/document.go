package bom

import (
	"fmt"

	"rarex"
)

// Document is a BOM as JSON: {"parts":[...],"edges":[...],"product":"id"}.
// It is what the API and determination requests carry.
type Document struct {
	Parts   []Part `json:"parts"`
	Edges   []Edge `json:"edges"`
	Product string `json:"product,omitempty"` // default: the only part with no parent
}

// FieldError names the JSON path of a bad value, e.g. bom.parts[3].origin.
type FieldError struct {
	Path string
	Msg  string
}

func (e *FieldError) Error() string { return e.Path + ": " + e.Msg }

// Validate checks every part and edge like the CSV readers do; prefix is
// the document's own path (e.g. "bom").
func (d *Document) Validate(prefix string, vocab Vocabulary) error {
	if len(d.Parts) == 0 {
		return &FieldError{prefix + ".parts", "at least one part is required"}
	}
	seen := map[string]int{}
	for i := range d.Parts {
		p := &d.Parts[i]
		at := func(f string) string { return fmt.Sprintf("%s.parts[%d].%s", prefix, i, f) }
		switch {
		case p.ID == "":
			return &FieldError{at("part_id"), "empty"}
		case seen[p.ID] > 0:
			return &FieldError{at("part_id"), fmt.Sprintf("%q is listed twice (first at parts[%d])", p.ID, seen[p.ID]-1)}
		case !vocab.IsClass(p.Class):
			return &FieldError{at("class"), fmt.Sprintf("%q is not an item class", p.Class)}
		case !rarex.IsCountry(p.Origin):
			return &FieldError{at("origin"), fmt.Sprintf("%q is not an ISO 3166 two-letter country code", p.Origin)}
		case !decimalSyntax.MatchString(p.UnitValue):
			return &FieldError{at("unit_value"), fmt.Sprintf("%q is not a non-negative decimal number", p.UnitValue)}
		case p.HSCode != "" && !hsSyntax.MatchString(p.HSCode):
			return &FieldError{at("hs_code"), fmt.Sprintf("%q is not 4 to 10 digits", p.HSCode)}
		}
		for _, el := range p.Elements {
			if !rarex.IsElement(el) {
				return &FieldError{at("elements"), fmt.Sprintf("%q is not an element symbol", el)}
			}
		}
		for _, s := range p.CNTechnology {
			if !vocab.IsStage(s) {
				return &FieldError{at("cn_technology"), fmt.Sprintf("%q is not a technology stage", s)}
			}
		}
		seen[p.ID] = i + 1
	}
	for i, e := range d.Edges {
		at := func(f string) string { return fmt.Sprintf("%s.edges[%d].%s", prefix, i, f) }
		switch {
		case seen[e.Parent] == 0:
			return &FieldError{at("parent_id"), fmt.Sprintf("%q is not a part", e.Parent)}
		case seen[e.Child] == 0:
			return &FieldError{at("child_id"), fmt.Sprintf("%q is not a part", e.Child)}
		case !decimalSyntax.MatchString(e.Quantity) || isZero(e.Quantity):
			return &FieldError{at("quantity"), fmt.Sprintf("%q is not a decimal number greater than 0", e.Quantity)}
		}
	}
	if d.Product != "" && seen[d.Product] == 0 {
		return &FieldError{prefix + ".product", fmt.Sprintf("%q is not a part", d.Product)}
	}
	return nil
}

func isZero(s string) bool {
	for _, r := range s {
		if r != '0' && r != '.' {
			return false
		}
	}
	return true
}
