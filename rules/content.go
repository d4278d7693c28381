package rules

import (
	"math/big"
	"slices"
)

// AssemblyClass is the class of a BOM part that is made of other parts.
const AssemblyClass = "assembly"

// IsClass reports whether c is an item class of the regime or "assembly".
func (r *Regime) IsClass(c string) bool { return c == AssemblyClass || r.sets["item_classes"][c] }

// IsStage reports whether s is a technology stage of the regime.
func (r *Regime) IsStage(s string) bool { return r.sets["tech_stages"][s] }

// ContentTest is what the China-origin content test of Ann. 61 Art. 1(1)
// counts under one interpretation.
type ContentTest struct {
	Interpretation string
	Ratio          *big.Rat
	Inclusive      bool
	classes        []string
	elements       []string
}

// ContentTest returns the test under the named interpretation ("" for the default).
func (r *Regime) ContentTest(interp string) (*ContentTest, error) {
	it, err := r.Interpretation(interp)
	if err != nil {
		return nil, err
	}
	return &ContentTest{Interpretation: it.ID, Ratio: it.ratio, Inclusive: it.DeminimisInclusive, classes: r.Part1Classes, elements: it.Part1Elements}, nil
}

// Controlled reports whether an item of this origin, class and elements is
// a China-origin Part 1 controlled item.
func (t *ContentTest) Controlled(origin, class string, elements []string) bool {
	if origin != "CN" || !slices.Contains(t.classes, class) {
		return false
	}
	for _, el := range elements {
		if slices.Contains(t.elements, el) {
			return true
		}
	}
	return false
}

// ContentRuleStatus is the status on d of the rules that apply the content
// test (Ann. 61 Art. 1(1)), e.g. "suspended"; "" if the regime has none.
func (r *Regime) ContentRuleStatus(d Date) (rule, status string) {
	for _, ru := range r.Rules {
		if ru.When.ContentOverThreshold {
			return ru.ID, r.RuleStatus(ru, d)
		}
	}
	return "", ""
}

// IsContentItem reports whether items of class are what the content test
// (Ann. 61 Art. 1(1)) applies to: Part 2 items, magnets and targets.
func (r *Regime) IsContentItem(class string) bool {
	for _, ru := range r.Rules {
		if ru.When.ContentOverThreshold && slices.Contains(ru.When.ItemClass, class) {
			return true
		}
	}
	return false
}
