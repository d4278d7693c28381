package bom

import (
	"fmt"

	"rarex/i18n"
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
		if seen[p.ID] > 0 {
			return &FieldError{fmt.Sprintf("%s.parts[%d].part_id", prefix, i), fmt.Sprintf("%q is listed twice (first at parts[%d])", p.ID, seen[p.ID]-1)}
		}
		if field, why := checkPart(p, vocab); field != "" {
			return &FieldError{fmt.Sprintf("%s.parts[%d].%s", prefix, i, field), why.In(i18n.English)}
		}
		seen[p.ID] = i + 1
	}
	for i, e := range d.Edges {
		at := func(f string) string { return fmt.Sprintf("%s.edges[%d].%s", prefix, i, f) }
		if field, why := checkEdge(e.Parent, e.Child, e.Quantity); field != "" {
			return &FieldError{at(field), why.In(i18n.English)}
		}
		switch {
		case seen[e.Parent] == 0:
			return &FieldError{at("parent_id"), fmt.Sprintf("%q is not a part", e.Parent)}
		case seen[e.Child] == 0:
			return &FieldError{at("child_id"), fmt.Sprintf("%q is not a part", e.Child)}
		}
	}
	if d.Product != "" && seen[d.Product] == 0 {
		return &FieldError{prefix + ".product", fmt.Sprintf("%q is not a part", d.Product)}
	}
	return nil
}

func isZero[T string | []byte](s T) bool {
	for i := 0; i < len(s); i++ {
		if r := s[i]; r != '0' && r != '.' {
			return false
		}
	}
	return true
}
