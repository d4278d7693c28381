package rules

import (
	"fmt"
	"math/big"
	"slices"
	"sort"
	"strings"

	"rarex"
	"rarex/i18n"
)

// Determination is the answer to a Request, with its reasons.
type Determination struct {
	Date           string             `json:"date"`
	Regime         string             `json:"regime"`
	Interpretation string             `json:"interpretation"`
	Outcome        string             `json:"outcome"`
	ControlCodes   []string           `json:"control_codes"`
	Reasons        []Reason           `json:"reasons"`
	Instruments    []InstrumentStatus `json:"instruments"`
	Warnings       []string           `json:"warnings"`
	// WarningMessages are the warnings as catalog messages, one for each
	// of Warnings (which holds them in English), for readers of any
	// catalog language.
	WarningMessages     []i18n.Msg          `json:"warning_messages"`
	OutcomeIfNotInForce string              `json:"outcome_if_not_in_force,omitempty"`
	Content             *Content            `json:"content,omitempty"`
	GreenChannel        GreenChannelResult  `json:"green_channel"`
	GeneralLicences     []GeneralLicenceHit `json:"general_licences,omitempty"`
}

// GeneralLicenceHit says the exporter may already hold a general licence
// covering this export.
type GeneralLicenceHit struct {
	ID      string   `json:"id"`
	Number  string   `json:"number"`
	Holder  string   `json:"holder"`
	Until   string   `json:"until,omitempty"`
	Scope   string   `json:"scope"`
	Sources []string `json:"sources"`
}

// Reason is one rule that fired.
type Reason struct {
	Rule       string   `json:"rule"`
	Instrument string   `json:"instrument"`
	Number     string   `json:"number"`
	Article    string   `json:"article"`
	Outcome    string   `json:"outcome"`
	Status     string   `json:"status"` // the instrument's status on the date
	Text       string   `json:"text"`
	TextZh     string   `json:"text_zh,omitempty"`
	Sources    []string `json:"sources"`
}

// InstrumentStatus is an instrument's status on a date, with the window.
type InstrumentStatus struct {
	ID      string `json:"id"`
	Number  string `json:"number"`
	Title   string `json:"title"`
	Status  string `json:"status"`
	From    string `json:"from,omitempty"`
	To      string `json:"to,omitempty"`
	By      string `json:"by,omitempty"`
	Missing string `json:"missing,omitempty"`
	Note    string `json:"note,omitempty"`
}

// Content is the China-origin controlled content test of Ann. 61 Art. 1(1).
type Content struct {
	Value           float64 `json:"value"`
	ControlledValue float64 `json:"controlled_value"`
	Share           float64 `json:"share"`
	Threshold       float64 `json:"threshold"`
	Inclusive       bool    `json:"inclusive"` // reached at the threshold itself
	Over            bool    `json:"over"`
}

// GreenChannelResult says whether an application may take the green channel.
type GreenChannelResult struct {
	Eligible bool     `json:"eligible"`
	Why      []string `json:"why"`
}

// Interpretation returns the named interpretation ("" for the default).
func (r *Regime) Interpretation(id string) (*Interpretation, error) {
	if id == "" {
		return r.defaultInt, nil
	}
	it := r.interps[id]
	if it == nil {
		ids := make([]string, 0, len(r.interps))
		for k := range r.interps {
			ids = append(ids, k)
		}
		sort.Strings(ids)
		return nil, rarex.Errorf(rarex.EINVALID, "interpretation: %q is not one of %s", id, strings.Join(ids, ", "))
	}
	return it, nil
}

// StatusAt returns the status of instrument in on date d and its window.
func (in *Instrument) StatusAt(d Date) (string, *Window) {
	for i := range in.Windows {
		w := &in.Windows[i]
		if d.Before(w.From.Time) {
			break
		}
		if w.To.IsZero() || d.Before(w.To.Time) {
			return w.Status, w
		}
	}
	if len(in.Windows) > 0 && d.Before(in.Windows[0].From.Time) {
		return NotYetEffective, nil
	}
	// Past a closed last window with nothing after it.
	return Expired, nil
}

// Statuses returns every instrument's status on d, in data order.
func (r *Regime) Statuses(d Date) []InstrumentStatus {
	out := make([]InstrumentStatus, 0, len(r.Instruments))
	for _, in := range r.Instruments {
		st, w := in.StatusAt(d)
		s := InstrumentStatus{ID: in.ID, Number: in.Number, Title: in.Title, Status: st}
		if w != nil {
			s.From, s.To, s.By, s.Missing, s.Note = w.From.String(), w.To.String(), w.By, w.Missing, w.Note
		}
		out = append(out, s)
	}
	return out
}

// Boundaries lists every date on which some instrument or rule changes
// status, sorted: outcomes can change only on these days.
func (r *Regime) Boundaries() []Date {
	seen := map[string]Date{}
	add := func(d Date) {
		if !d.IsZero() {
			seen[d.String()] = d
		}
	}
	for _, in := range r.Instruments {
		for _, w := range in.Windows {
			add(w.From)
			add(w.To)
		}
	}
	for _, ru := range r.Rules {
		add(ru.Effective)
	}
	out := make([]Date, 0, len(seen))
	for _, d := range seen {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j].Time) })
	return out
}

// checked is a validated request with derived facts.
type checked struct {
	Request
	date     Date
	interp   *Interpretation
	elements map[string]bool
	tech     map[string]bool
	lists    map[string]bool
	content  *Content
	over     bool
	warnings []i18n.Msg
}

// check validates req and returns EINVALID naming the first bad field.
func (r *Regime) check(req Request) (*checked, error) {
	c := &checked{Request: req}
	var err error
	if req.Date == "" {
		return nil, rarex.Errorf(rarex.EINVALID, "date: required (YYYY-MM-DD)")
	}
	if c.date, err = ParseDate(req.Date); err != nil {
		return nil, rarex.Errorf(rarex.EINVALID, "date: %v", err)
	}
	if c.interp, err = r.Interpretation(req.Interpretation); err != nil {
		return nil, err
	}
	for field, cc := range map[string]string{"ship_from": req.ShipFrom, "destination": req.Destination, "item.origin": req.Item.Origin} {
		if cc == "" {
			return nil, rarex.Errorf(rarex.EINVALID, "%s: required (ISO 3166 two-letter code)", field)
		}
		if !rarex.IsCountry(cc) {
			return nil, rarex.Errorf(rarex.EINVALID, "%s: %q is not an ISO 3166 two-letter country code", field, cc)
		}
	}
	if req.EndUser.Country != "" && !rarex.IsCountry(req.EndUser.Country) {
		return nil, rarex.Errorf(rarex.EINVALID, "end_user.country: %q is not an ISO 3166 two-letter country code", req.EndUser.Country)
	}
	it := req.Item
	if it.Class == "" {
		return nil, rarex.Errorf(rarex.EINVALID, "item.class: required, one of %s", strings.Join(r.ItemClasses, ", "))
	}
	if !r.sets["item_classes"][it.Class] {
		return nil, rarex.Errorf(rarex.EINVALID, "item.class: %q is not one of %s", it.Class, strings.Join(r.ItemClasses, ", "))
	}
	c.elements = map[string]bool{}
	for i, el := range it.Elements {
		if !rarex.IsElement(el) {
			return nil, rarex.Errorf(rarex.EINVALID, "item.elements[%d]: %q is not an element symbol (e.g. Dy, Nd)", i, el)
		}
		c.elements[el] = true
	}
	if it.HSCode != "" && !rarex.IsHSCode(it.HSCode) {
		return nil, rarex.Errorf(rarex.EINVALID, "item.hs_code: %q is not 4 to 10 digits", it.HSCode)
	}
	c.tech = map[string]bool{}
	for i, s := range it.CNTechnology {
		if !r.sets["tech_stages"][s] {
			return nil, rarex.Errorf(rarex.EINVALID, "item.cn_technology[%d]: %q is not one of %s", i, s, strings.Join(r.TechStages, ", "))
		}
		c.tech[s] = true
	}
	for field, v := range map[string]*Decimal{"item.value": it.Value, "item.quantity": it.Quantity, "item.cn_controlled_content_value": it.CNControlledContentValue} {
		if v != nil && v.Rat.Sign() < 0 {
			return nil, rarex.Errorf(rarex.EINVALID, "%s: must not be negative", field)
		}
	}
	if it.CNControlledContentValue != nil {
		if it.Value == nil {
			return nil, rarex.Errorf(rarex.EINVALID, "item.value: required when item.cn_controlled_content_value is given")
		}
		if it.CNControlledContentValue.Rat.Cmp(it.Value.Rat) > 0 {
			return nil, rarex.Errorf(rarex.EINVALID, "item.cn_controlled_content_value: larger than item.value")
		}
	}
	if req.EndUser.Type != "" && !r.sets["end_user_types"][req.EndUser.Type] {
		return nil, rarex.Errorf(rarex.EINVALID, "end_user.type: %q is not one of %s", req.EndUser.Type, strings.Join(r.EndUserTypes, ", "))
	}
	c.lists = map[string]bool{}
	for i, l := range req.EndUser.Lists {
		if !r.sets["party_lists"][l] {
			return nil, rarex.Errorf(rarex.EINVALID, "end_user.lists[%d]: %q is not one of %s", i, l, strings.Join(r.PartyLists, ", "))
		}
		c.lists[l] = true
	}
	if req.EndUse.Category != "" && !r.sets["end_use_categories"][req.EndUse.Category] {
		return nil, rarex.Errorf(rarex.EINVALID, "end_use.category: %q is not one of %s", req.EndUse.Category, strings.Join(r.EndUseCategories, ", "))
	}
	if len(req.BOM) > 0 {
		return nil, rarex.Errorf(rarex.EINVALID, "bom: a bill of materials is rolled up by the assess package before the rules run")
	}
	c.measureContent()
	return c, nil
}

// measureContent computes the controlled share exactly: share ≥ ratio is
// decided as cv·den ≥ value·num in integers, never in floating point.
func (c *checked) measureContent() {
	it := c.Item
	if it.Value == nil || it.CNControlledContentValue == nil {
		return
	}
	ratio := c.interp.ratio
	ct := &Content{Value: it.Value.Float(), ControlledValue: it.CNControlledContentValue.Float(), Inclusive: c.interp.DeminimisInclusive}
	ct.Threshold, _ = ratio.Float64()
	if it.Value.Rat.Sign() == 0 {
		c.warnings = append(c.warnings, i18n.M("warn.value_zero"))
		c.content = ct
		return
	}
	share := new(big.Rat).Quo(it.CNControlledContentValue.Rat, it.Value.Rat)
	ct.Share, _ = share.Float64()
	cmp := share.Cmp(ratio)
	ct.Over = cmp > 0 || (cmp == 0 && c.interp.DeminimisInclusive)
	c.content, c.over = ct, ct.Over
}

func in(list []string, v string) bool { return slices.Contains(list, v) }

// holds evaluates a condition against the request.
func (c *checked) holds(cond Condition) bool {
	switch {
	case len(cond.ShipFrom) > 0 && !in(cond.ShipFrom, c.ShipFrom),
		len(cond.ShipFromNot) > 0 && in(cond.ShipFromNot, c.ShipFrom),
		len(cond.Origin) > 0 && !in(cond.Origin, c.Item.Origin),
		len(cond.OriginNot) > 0 && in(cond.OriginNot, c.Item.Origin),
		len(cond.Destination) > 0 && !in(cond.Destination, c.Destination),
		len(cond.ItemClass) > 0 && !in(cond.ItemClass, c.Item.Class),
		len(cond.ElementsAny) > 0 && !c.anyElement(cond.ElementsAny),
		cond.ElementsParam != "" && !c.anyElement(c.interp.Part1Elements),
		len(cond.CNTechnologyAny) > 0 && !anyIn(cond.CNTechnologyAny, c.tech),
		cond.ContentOverThreshold && !c.over,
		len(cond.EndUserType) > 0 && !in(cond.EndUserType, c.EndUser.Type),
		len(cond.EndUserListsAny) > 0 && !anyIn(cond.EndUserListsAny, c.lists),
		len(cond.EndUse) > 0 && !in(cond.EndUse, c.EndUse.Category):
		return false
	}
	if len(cond.AnyOf) > 0 {
		for _, sub := range cond.AnyOf {
			if c.holds(sub) {
				return true
			}
		}
		return false
	}
	return true
}

func (c *checked) anyElement(list []string) bool {
	for _, el := range list {
		if c.elements[el] {
			return true
		}
	}
	return false
}

func anyIn(list []string, set map[string]bool) bool {
	for _, v := range list {
		if set[v] {
			return true
		}
	}
	return false
}

// RuleStatus is the status rule ru has on d.
func (r *Regime) RuleStatus(ru *Rule, d Date) string {
	st, _ := r.ruleStatus(ru, d)
	return st
}

// ruleStatus is the status a rule has on d: its instrument's, or
// not_yet_effective before the rule's own effective date.
func (r *Regime) ruleStatus(ru *Rule, d Date) (string, *Window) {
	st, w := r.instruments[ru.Instrument].StatusAt(d)
	if (st == InForce || st == Uncertain) && !ru.Effective.IsZero() && d.Before(ru.Effective.Time) {
		return NotYetEffective, nil
	}
	return st, w
}

// fired evaluates all rules; with strict, instruments of uncertain status
// count as not in force.
func (r *Regime) fired(c *checked, strict bool) (out []*Rule, asleep []*Rule) {
	ok := func(ru *Rule) bool {
		st, _ := r.ruleStatus(ru, c.date)
		return st == InForce || (st == Uncertain && !strict)
	}
	controlled := false
	for _, ru := range r.Rules {
		if ru.AppliesToControlled || !c.holds(ru.When) {
			continue
		}
		if ok(ru) {
			out = append(out, ru)
			controlled = true
		} else {
			asleep = append(asleep, ru)
		}
	}
	for _, ru := range r.Rules {
		if !ru.AppliesToControlled || !c.holds(ru.When) {
			continue
		}
		if controlled && ok(ru) {
			out = append(out, ru)
		} else if controlled {
			asleep = append(asleep, ru)
		}
	}
	return out, asleep
}

func outcomeOf(rules []*Rule) string {
	best := NotControlled
	for _, ru := range rules {
		if precedence[ru.Outcome] > precedence[best] {
			best = ru.Outcome
		}
	}
	return best
}

// Warn adds a warning, in English to Warnings and as a message to
// WarningMessages.
func (d *Determination) Warn(m i18n.Msg) {
	d.Warnings = append(d.Warnings, m.In(i18n.English))
	d.WarningMessages = append(d.WarningMessages, m)
}

// WarningsIn returns the warnings in lang. A determination stored before
// warnings were messages has none: its English ones are returned.
func (d *Determination) WarningsIn(lang string) []string {
	if len(d.WarningMessages) != len(d.Warnings) {
		return d.Warnings
	}
	out := make([]string, len(d.WarningMessages))
	for i, m := range d.WarningMessages {
		out[i] = m.In(lang)
	}
	return out
}

// Determine answers req. The result is deterministic and every outcome
// other than not_controlled carries the rules that produced it.
// Errors: EINVALID naming the bad field.
func (r *Regime) Determine(req Request) (*Determination, error) {
	c, err := r.check(req)
	if err != nil {
		return nil, err
	}
	rules, asleep := r.fired(c, false)
	d := &Determination{Date: c.date.String(), Regime: r.ID, Interpretation: c.interp.ID, Outcome: outcomeOf(rules),
		Instruments: r.Statuses(c.date), Content: c.content, Warnings: []string{}, WarningMessages: []i18n.Msg{}, Reasons: []Reason{}}
	for _, m := range c.warnings {
		d.Warn(m)
	}
	codes := map[string]bool{}
	uncertain := map[string]bool{}
	for _, ru := range rules {
		in := r.instruments[ru.Instrument]
		st, w := r.ruleStatus(ru, c.date)
		d.Reasons = append(d.Reasons, Reason{Rule: ru.ID, Instrument: in.ID, Number: in.Number, Article: ru.Article,
			Outcome: ru.Outcome, Status: st, Text: ru.Text, TextZh: ru.TextZh, Sources: ru.Sources})
		if st == Uncertain && !uncertain[in.ID] {
			uncertain[in.ID] = true
			d.Warn(i18n.M("warn.uncertain", in.Number, d.Date, w.Missing))
		}
		if ru.Outcome == LicenseRequired {
			for _, code := range ru.ControlCodes {
				codes[code] = true
			}
			if ru.CodesFromElements {
				for _, el := range r.codeElements(ru, c) {
					if code := r.ElementCodes[el]; code != "" {
						codes[code] = true
					}
				}
			}
		}
	}
	for _, ru := range asleep {
		in := r.instruments[ru.Instrument]
		st, w := r.ruleStatus(ru, c.date)
		// warn.asleep.<status>[.by|.by_until|.effective]: one key for
		// each wording, so that every language words it whole.
		key, args := "warn.asleep."+st, []string{in.Number, ru.Article, d.Date}
		if w != nil && w.By != "" {
			key, args = key+".by", append(args, r.instruments[w.By].Number)
			if !w.To.IsZero() {
				key, args = key+"_until", append(args, w.To.String())
			}
		} else if st == NotYetEffective && !ru.Effective.IsZero() {
			key, args = key+".effective", append(args, ru.Effective.String())
		}
		d.Warn(i18n.M(key, args...))
	}
	if len(uncertain) > 0 {
		strictRules, _ := r.fired(c, true)
		d.OutcomeIfNotInForce = outcomeOf(strictRules)
	}
	if c.content == nil && r.contentRuleCould(c) {
		d.Warn(i18n.M("warn.no_content_value"))
	}
	if c.EndUser.Type == "" {
		d.Warn(i18n.M("warn.no_end_user_type"))
	}
	if c.EndUse.Category == "" {
		d.Warn(i18n.M("warn.no_end_use"))
	}
	d.ControlCodes = make([]string, 0, len(codes))
	for code := range codes {
		d.ControlCodes = append(d.ControlCodes, code)
	}
	sort.Strings(d.ControlCodes)
	d.GreenChannel = r.greenChannel(c, d.Outcome)
	d.GeneralLicences = r.generalLicences(c, rules, d)
	for _, m := range r.hsWarnings(c) {
		d.Warn(m)
	}
	return d, nil
}

// generalLicences finds general licences in force whose holder is the
// exporter and which cover a licence-requiring rule that fired.
func (r *Regime) generalLicences(c *checked, fired []*Rule, d *Determination) []GeneralLicenceHit {
	name := strings.ToLower(strings.TrimSpace(c.Exporter.Name))
	if name == "" || d.Outcome != LicenseRequired {
		return nil
	}
	var out []GeneralLicenceHit
	for _, gl := range r.GeneralLicences {
		holder := ""
		for _, h := range gl.Holders {
			if strings.Contains(name, strings.ToLower(h)) {
				holder = h
			}
		}
		covered := false
		for _, ru := range fired {
			covered = covered || slices.Contains(gl.CoversRules, ru.ID)
		}
		in := r.instruments[gl.Instrument]
		st, w := in.StatusAt(c.date)
		if holder == "" || !covered || st != InForce {
			continue
		}
		if anyIn(gl.NotForLists, c.lists) {
			d.Warn(i18n.M("warn.general_licence_not_for", holder, in.Number, strings.Join(gl.NotForLists, ", ")))
			continue
		}
		hit := GeneralLicenceHit{ID: gl.ID, Number: in.Number, Holder: holder, Scope: gl.Scope, Sources: gl.Sources}
		if w != nil {
			hit.Until = w.To.String()
		}
		out = append(out, hit)
	}
	return out
}

// codeElements are the item's elements that give a rule its control codes.
func (r *Regime) codeElements(ru *Rule, c *checked) []string {
	scope := ru.When.ElementsAny
	if len(scope) == 0 {
		scope = c.interp.Part1Elements
	}
	var out []string
	for _, el := range scope {
		if c.elements[el] {
			out = append(out, el)
		}
	}
	return out
}

// contentRuleCould reports whether a content-threshold rule would be
// assessed for this item if its content value were given.
func (r *Regime) contentRuleCould(c *checked) bool {
	for _, ru := range r.Rules {
		if !ru.When.ContentOverThreshold {
			continue
		}
		probe := *c
		probe.over = true
		if probe.holds(ru.When) {
			return true
		}
	}
	return false
}

func (r *Regime) greenChannel(c *checked, outcome string) GreenChannelResult {
	gc := r.GreenChannel
	res := GreenChannelResult{Eligible: true}
	need := func(ok bool, yes, no string) {
		if ok {
			res.Why = append(res.Why, yes)
		} else {
			res.Eligible = false
			res.Why = append(res.Why, no)
		}
	}
	need(in(gc.Outcomes, outcome), "The export needs a licence, which the green channel expedites.",
		fmt.Sprintf("The outcome is %s; the green channel is only for %s.", outcome, strings.Join(gc.Outcomes, ", ")))
	need(in(gc.EndUserTypes, c.EndUser.Type), fmt.Sprintf("The end user is %s.", c.EndUser.Type),
		fmt.Sprintf("The end user type is %q; the green channel takes %s.", c.EndUser.Type, strings.Join(gc.EndUserTypes, ", ")))
	need(in(gc.EndUses, c.EndUse.Category), fmt.Sprintf("The end use (%s) is civilian.", c.EndUse.Category),
		fmt.Sprintf("The end use %q is not one the green channel takes (%s).", c.EndUse.Category, strings.Join(gc.EndUses, ", ")))
	if gc.NoPartyLists {
		need(len(c.lists) == 0, "The end user is on no restricted-party list.", "The end user is on a restricted-party list.")
	}
	if gc.RequireValidatedEndUser {
		need(c.EndUser.Validated, "The end user is on the validated end-user register.", "The end user is not on the validated end-user register.")
	}
	if gc.RequireCompliance {
		need(c.Exporter.ComplianceProgramme, "The exporter has a compliance programme on file.", "The exporter has no compliance programme on file.")
	}
	return res
}

// hsWarnings compares a declared tariff code with the item's class and
// elements, using the reference lines in the data.
func (r *Regime) hsWarnings(c *checked) []i18n.Msg {
	code := c.Item.HSCode
	if code == "" {
		return nil
	}
	var out []i18n.Msg
	for _, h := range r.HSLines {
		if !strings.HasPrefix(code, h.Prefix) {
			continue
		}
		switch {
		case len(h.Classes) > 0 && !in(h.Classes, c.Item.Class):
			out = append(out, i18n.M("warn.hs_class", code, h.Note, c.Item.Class))
		case len(h.ElementsAny) > 0 && !c.anyElement(h.ElementsAny):
			out = append(out, i18n.M("warn.hs_elements_any", code, h.Note, strings.Join(h.ElementsAny, ", ")))
		case len(h.ElementsNone) > 0 && c.anyElement(h.ElementsNone):
			out = append(out, i18n.M("warn.hs_elements_none", code, h.Note, strings.Join(h.ElementsNone, ", ")))
		}
	}
	return out
}
