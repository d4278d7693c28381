package rules

import (
	"fmt"
	"math/big"
	"rarex"
	"regexp"
	"strings"
)

var hsPrefix = regexp.MustCompile(`^[0-9]{2,10}$`)

// errAt makes a LoadError. Line 1 stands for "the top-level field": the
// line where that field's key stands in the file is used instead.
func (r *Regime) errAt(line int, field, format string, args ...any) error {
	if line == 1 {
		if l, ok := r.keyLines[strings.SplitN(field, ".", 2)[0]]; ok {
			line = l
		}
	}
	return &LoadError{File: r.file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// validate checks the regime as a whole and builds its indexes.
func (r *Regime) validate() error {
	if r.ID == "" {
		return r.errAt(1, "regime", "required")
	}
	r.sets = map[string]map[string]bool{}
	for field, list := range map[string][]string{"item_classes": r.ItemClasses, "tech_stages": r.TechStages,
		"end_user_types": r.EndUserTypes, "end_use_categories": r.EndUseCategories, "party_lists": r.PartyLists} {
		if len(list) == 0 {
			return r.errAt(1, field, "required: list the values requests may use")
		}
		r.sets[field] = rarex.SetOf(list)
		if len(r.sets[field]) != len(list) {
			return r.errAt(1, field, "a value is listed twice")
		}
	}
	for el, code := range r.ElementCodes {
		if !rarex.IsElement(el) || code == "" {
			return r.errAt(1, "element_codes."+el, "not an element symbol with a control code")
		}
	}
	if len(r.Part1Classes) == 0 {
		return r.errAt(1, "part1_classes", "required: the item classes the content test counts")
	}
	if err := r.checkVocab(1, "part1_classes", "item_classes", r.Part1Classes); err != nil {
		return err
	}
	if err := r.validateInterpretations(); err != nil {
		return err
	}
	r.instruments = map[string]*Instrument{}
	for _, in := range r.Instruments {
		if in.ID == "" {
			return r.errAt(in.line, "instruments.id", "required")
		}
		if r.instruments[in.ID] != nil {
			return r.errAt(in.line, "instruments.id", "%q is defined twice", in.ID)
		}
		r.instruments[in.ID] = in
	}
	for _, in := range r.Instruments {
		if err := r.validateInstrument(in); err != nil {
			return err
		}
	}
	ruleIDs := map[string]bool{}
	for _, ru := range r.Rules {
		if ru.ID == "" {
			return r.errAt(ru.line, "rules.id", "required")
		}
		if ruleIDs[ru.ID] {
			return r.errAt(ru.line, "rules.id", "%q is defined twice", ru.ID)
		}
		ruleIDs[ru.ID] = true
		if err := r.validateRule(ru); err != nil {
			return err
		}
	}
	for _, gl := range r.GeneralLicences {
		switch {
		case gl.ID == "" || r.instruments[gl.Instrument] == nil:
			return r.errAt(1, "general_licences.instrument", "%s: unknown instrument %q", gl.ID, gl.Instrument)
		case len(gl.Holders) == 0 || len(gl.CoversRules) == 0 || len(gl.Sources) == 0:
			return r.errAt(1, "general_licences", "%s: holders, covers_rules and sources are required", gl.ID)
		}
		for _, id := range gl.CoversRules {
			if !ruleIDs[id] {
				return r.errAt(1, "general_licences.covers_rules", "%s: unknown rule %q", gl.ID, id)
			}
		}
		if err := r.checkVocab(1, "general_licences.not_for_lists", "party_lists", gl.NotForLists); err != nil {
			return err
		}
	}
	for _, h := range r.HSLines {
		if !hsPrefix.MatchString(h.Prefix) {
			return r.errAt(1, "hs_lines.prefix", "%q is not a tariff code prefix", h.Prefix)
		}
		if err := r.checkVocab(1, "hs_lines.classes", "item_classes", h.Classes); err != nil {
			return err
		}
		for _, el := range append(append([]string{}, h.ElementsAny...), h.ElementsNone...) {
			if !rarex.IsElement(el) {
				return r.errAt(1, "hs_lines", "%s: %q is not an element symbol", h.Prefix, el)
			}
		}
	}
	if len(r.HSLines) > 0 && len(r.HSSources) == 0 {
		return r.errAt(1, "hs_sources", "required when hs_lines are given")
	}
	gc := r.GreenChannel
	for _, o := range gc.Outcomes {
		if _, ok := precedence[o]; !ok {
			return r.errAt(1, "green_channel.outcomes", "unknown outcome %q", o)
		}
	}
	if err := r.checkVocab(1, "green_channel.end_user_types", "end_user_types", gc.EndUserTypes); err != nil {
		return err
	}
	return r.checkVocab(1, "green_channel.end_uses", "end_use_categories", gc.EndUses)
}

func (r *Regime) validateInterpretations() error {
	r.interps = map[string]*Interpretation{}
	for _, it := range r.Interpretations {
		switch {
		case it.ID == "":
			return r.errAt(it.line, "interpretations.id", "required")
		case r.interps[it.ID] != nil:
			return r.errAt(it.line, "interpretations.id", "%q is defined twice", it.ID)
		case len(it.Sources) == 0:
			return r.errAt(it.line, "interpretations.sources", "%s: at least one source is required", it.ID)
		}
		r.interps[it.ID] = it
		rat, ok := new(big.Rat).SetString(it.DeminimisRatio)
		if !ok || rat.Sign() <= 0 || rat.Cmp(big.NewRat(1, 1)) > 0 {
			return r.errAt(it.line, "interpretations.deminimis_ratio", "%s: %q is not a decimal in (0, 1]", it.ID, it.DeminimisRatio)
		}
		it.ratio = rat
		if len(it.Part1Elements) == 0 {
			return r.errAt(it.line, "interpretations.part1_elements", "%s: required", it.ID)
		}
		for _, el := range it.Part1Elements {
			if !rarex.IsElement(el) {
				return r.errAt(it.line, "interpretations.part1_elements", "%s: %q is not an element symbol", it.ID, el)
			}
		}
		if it.Default {
			if r.defaultInt != nil {
				return r.errAt(it.line, "interpretations.default", "both %s and %s are marked default", r.defaultInt.ID, it.ID)
			}
			r.defaultInt = it
		}
	}
	if r.defaultInt == nil {
		return r.errAt(1, "interpretations", "one interpretation must be marked default: true")
	}
	return nil
}

func (r *Regime) validateInstrument(in *Instrument) error {
	switch {
	case in.Title == "" || in.Number == "":
		return r.errAt(in.line, "instruments.title", "%s: title and number are required", in.ID)
	case len(in.Sources) == 0:
		return r.errAt(in.line, "instruments.sources", "%s: at least one source is required", in.ID)
	case len(in.Windows) == 0:
		return r.errAt(in.line, "instruments.windows", "%s: at least one status window is required", in.ID)
	}
	for i, w := range in.Windows {
		switch {
		case w.From.IsZero():
			return r.errAt(w.line, "windows.from", "%s: required", in.ID)
		case !statuses[w.Status]:
			return r.errAt(w.line, "windows.status", "%s: %q is not one of not_yet_effective, in_force, suspended, expired, uncertain", in.ID, w.Status)
		case !w.To.IsZero() && !w.To.After(w.From.Time):
			return r.errAt(w.line, "windows.to", "%s: window ends (%s) before it starts (%s)", in.ID, w.To, w.From)
		case w.By != "" && r.instruments[w.By] == nil:
			return r.errAt(w.line, "windows.by", "%s: unknown instrument %q", in.ID, w.By)
		case w.Status == Uncertain && w.Missing == "":
			return r.errAt(w.line, "windows.missing", "%s: an uncertain window must say which fact is missing", in.ID)
		}
		if i > 0 {
			prev := in.Windows[i-1]
			if prev.To.IsZero() || w.From.Before(prev.To.Time) {
				return r.errAt(w.line, "windows.from", "%s: window from %s overlaps the one before (from %s, to %s)", in.ID, w.From, prev.From, orOpen(prev.To))
			}
		}
	}
	return nil
}

func orOpen(d Date) string {
	if d.IsZero() {
		return "open-ended"
	}
	return d.String()
}

func (r *Regime) validateRule(ru *Rule) error {
	switch {
	case r.instruments[ru.Instrument] == nil:
		return r.errAt(ru.line, "rules.instrument", "%s: unknown instrument %q", ru.ID, ru.Instrument)
	case ru.Outcome == NotControlled || precedence[ru.Outcome] == 0:
		return r.errAt(ru.line, "rules.outcome", "%s: %q is not one of license_required, case_by_case, exempt, presumption_of_denial", ru.ID, ru.Outcome)
	case ru.Text == "" || ru.Article == "":
		return r.errAt(ru.line, "rules.text", "%s: article and text are required", ru.ID)
	case len(ru.Sources) == 0:
		return r.errAt(ru.line, "rules.sources", "%s: at least one source is required", ru.ID)
	case ru.Outcome == LicenseRequired && ru.AppliesToControlled:
		return r.errAt(ru.line, "rules.applies_to_controlled", "%s: a licence-requiring rule cannot depend on another licence requirement", ru.ID)
	case ru.Outcome != LicenseRequired && !ru.AppliesToControlled:
		return r.errAt(ru.line, "rules.applies_to_controlled", "%s: a %s rule must set applies_to_controlled: true", ru.ID, ru.Outcome)
	}
	return r.validateCondition(ru, ru.When, "when")
}

func (r *Regime) validateCondition(ru *Rule, c Condition, where string) error {
	for field, list := range map[string][]string{"ship_from": c.ShipFrom, "ship_from_not": c.ShipFromNot, "origin": c.Origin, "origin_not": c.OriginNot, "destination": c.Destination} {
		for _, cc := range list {
			if !rarex.IsCountry(cc) {
				return r.errAt(ru.line, where+"."+field, "%s: %q is not an ISO 3166 country code", ru.ID, cc)
			}
		}
	}
	for _, el := range c.ElementsAny {
		if !rarex.IsElement(el) {
			return r.errAt(ru.line, where+".elements_any", "%s: %q is not an element symbol", ru.ID, el)
		}
	}
	if c.ElementsParam != "" && c.ElementsParam != "part1_elements" {
		return r.errAt(ru.line, where+".elements_param", "%s: %q is not an interpretation parameter (part1_elements)", ru.ID, c.ElementsParam)
	}
	for _, chk := range []struct {
		field, vocab string
		list         []string
	}{{"item_class", "item_classes", c.ItemClass}, {"cn_technology_any", "tech_stages", c.CNTechnologyAny},
		{"end_user_type", "end_user_types", c.EndUserType}, {"end_user_lists_any", "party_lists", c.EndUserListsAny},
		{"end_use", "end_use_categories", c.EndUse}} {
		if err := r.checkVocab(ru.line, where+"."+chk.field, chk.vocab, chk.list); err != nil {
			return r.errAt(ru.line, where+"."+chk.field, "%s: %s", ru.ID, err.(*LoadError).Msg)
		}
	}
	for i, sub := range c.AnyOf {
		if len(sub.AnyOf) > 0 {
			return r.errAt(ru.line, where+".any_of", "%s: any_of may not nest", ru.ID)
		}
		if err := r.validateCondition(ru, sub, fmt.Sprintf("%s.any_of[%d]", where, i)); err != nil {
			return err
		}
	}
	return nil
}

func (r *Regime) checkVocab(line int, field, vocab string, list []string) error {
	for _, v := range list {
		if !r.sets[vocab][v] {
			return r.errAt(line, field, "%q is not in %s", v, vocab)
		}
	}
	return nil
}
