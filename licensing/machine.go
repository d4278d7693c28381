package licensing

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"rarex"
	"rarex/i18n"
	"rarex/rules"
	"rarex/workdays"
)

// Env is what a transition needs besides the application: the procedure,
// the calendar and the clock's instant and day.
type Env struct {
	Proc  *Procedure
	Cal   *workdays.Calendar
	Now   time.Time
	Today rules.Date
}

func conflict(a *rarex.Application, what string) error {
	return rarex.Errorf(rarex.ECONFLICT, "Application %s is %s: it cannot be %s.", a.Number, a.State, what)
}

// ValidateBody checks a draft against the regime's vocabulary and the
// procedure: each error names its field (lines[2].unit).
func ValidateBody(reg *rules.Regime, p *Procedure, b *rarex.ApplicationBody) error {
	bad := i18n.Invalid
	text := func(field, s string, max int, required bool) error {
		switch {
		case !utf8.ValidString(s):
			return bad("invalid.utf8", field)
		case required && strings.TrimSpace(s) == "":
			return bad("invalid.required", field)
		case utf8.RuneCountInString(s) > max:
			return bad("invalid.too_long", field, strconv.Itoa(max))
		}
		return nil
	}
	country := func(field, c string, required bool) error {
		if c == "" && !required {
			return nil
		}
		if !rarex.IsCountry(c) {
			return bad("invalid.country", field, c)
		}
		return nil
	}
	party := func(field string, pt rarex.Party, typeVocab []string) error {
		if err := text(field+".name", pt.Name, 300, true); err != nil {
			return err
		}
		if err := text(field+".address", pt.Address, 500, false); err != nil {
			return err
		}
		if err := country(field+".country", pt.Country, true); err != nil {
			return err
		}
		if typeVocab != nil && !slices.Contains(typeVocab, pt.Type) {
			return bad("invalid.not_one_of", field+".type", pt.Type, strings.Join(typeVocab, ", "))
		}
		return text(field+".type", pt.Type, 100, false)
	}
	if len(b.Lines) == 0 {
		return bad("invalid.no_lines", "lines")
	}
	if len(b.Lines) > 100 {
		return bad("invalid.too_many_lines", "lines", strconv.Itoa(len(b.Lines)))
	}
	for i, l := range b.Lines {
		f := fmt.Sprintf("lines[%d]", i)
		if err := text(f+".description", l.Description, 500, true); err != nil {
			return err
		}
		if !slices.Contains(reg.ItemClasses, l.Class) {
			return bad("invalid.not_one_of", f+".class", l.Class, strings.Join(reg.ItemClasses, ", "))
		}
		for j, e := range l.Elements {
			if !rarex.IsElement(e) {
				return bad("invalid.element", fmt.Sprintf("%s.elements[%d]", f, j), e)
			}
		}
		if l.HSCode != "" && !rarex.IsHSCode(l.HSCode) {
			return bad("invalid.hs_code", f+".hs_code", l.HSCode)
		}
		if err := country(f+".origin", l.Origin, false); err != nil {
			return err
		}
		if l.Quantity <= 0 {
			return bad("invalid.positive", f+".quantity")
		}
		if !slices.Contains(p.Units, l.Unit) {
			return bad("invalid.not_one_of", f+".unit", l.Unit, strings.Join(p.Units, ", "))
		}
		if l.Value <= 0 {
			return bad("invalid.positive", f+".value")
		}
		if !slices.Contains(p.Currencies, l.Currency) {
			return bad("invalid.not_one_of", f+".currency", l.Currency, strings.Join(p.Currencies, ", "))
		}
		if i > 0 && l.Unit != b.Lines[0].Unit {
			return bad("invalid.unit_differs", f+".unit", l.Unit, b.Lines[0].Unit)
		}
		if i > 0 && l.Currency != b.Lines[0].Currency {
			return bad("invalid.currency_differs", f+".currency", l.Currency, b.Lines[0].Currency)
		}
		if (l.BOMID == "") != (l.Product == "") {
			return bad("invalid.bom_pair", f+".bom_id")
		}
	}
	if err := country("ship_from", b.ShipFrom, true); err != nil {
		return err
	}
	if err := country("destination", b.Destination, true); err != nil {
		return err
	}
	if err := party("consignee", b.Consignee, nil); err != nil {
		return err
	}
	if err := party("end_user", b.EndUser, reg.EndUserTypes); err != nil {
		return err
	}
	if len(b.Intermediaries) > 20 {
		return bad("invalid.at_most_20", "intermediaries")
	}
	for i, pt := range b.Intermediaries {
		if err := party(fmt.Sprintf("intermediaries[%d]", i), pt, nil); err != nil {
			return err
		}
	}
	if !slices.Contains(reg.EndUseCategories, b.EndUse.Category) {
		return bad("invalid.not_one_of", "end_use.category", b.EndUse.Category, strings.Join(reg.EndUseCategories, ", "))
	}
	if err := text("end_use.statement", b.EndUse.Statement, 4000, true); err != nil {
		return err
	}
	if err := text("contract_ref", b.ContractRef, 200, false); err != nil {
		return err
	}
	if !b.LicenceType.Valid() {
		return bad("invalid.licence_type", "licence_type", string(b.LicenceType))
	}
	if max := p.Licence.MaxValidityMonths[b.LicenceType]; b.ValidityMonths < 1 || b.ValidityMonths > max {
		return bad("invalid.validity", "validity_months", strconv.Itoa(b.ValidityMonths), string(b.LicenceType), strconv.Itoa(max))
	}
	if b.Interpretation != "" {
		if _, err := reg.Interpretation(b.Interpretation); err != nil {
			return err
		}
	}
	return nil
}

// Totals returns an application's total quantity and value.
func Totals(b *rarex.ApplicationBody) (rarex.Quantity, rarex.Money) {
	var q rarex.Quantity
	var v rarex.Money
	for _, l := range b.Lines {
		q += l.Quantity
		v += l.Value
	}
	return q, v
}

// Submit moves a draft on with its frozen snapshot: to not_required when
// no line needs a licence, to incomplete when documents are missing, else
// under review with the clock started.
func Submit(a *rarex.Application, snap *Snapshot, env Env) error {
	if a.State != rarex.AppDraft {
		return conflict(a, "submitted")
	}
	raw, err := snap.JSON()
	if err != nil {
		return err
	}
	now := env.Now
	a.Snapshot, a.SubmittedAt, a.Green = raw, &now, snap.Green.Eligible
	switch {
	case !snap.NeedsLicence:
		a.State, a.DecidedAt = rarex.AppNotRequired, &now
	case len(snap.Missing) > 0 && env.Proc.Review.StartsWhenComplete:
		a.State = rarex.AppIncomplete
	default:
		startClock(a, env)
	}
	return nil
}

// Complete starts the review of an incomplete application once nothing
// is missing any more.
func Complete(a *rarex.Application, missing []rarex.DocKind, env Env) error {
	if a.State != rarex.AppIncomplete {
		return conflict(a, "completed")
	}
	if len(missing) > 0 {
		return rarex.Errorf(rarex.ECONFLICT, "Application %s still lacks: %s.", a.Number, joinKinds(missing))
	}
	startClock(a, env)
	return nil
}

func joinKinds(ks []rarex.DocKind) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

func startClock(a *rarex.Application, env Env) {
	a.State, a.ClockStart = rarex.AppUnderReview, env.Today.String()
	Recompute(a, env)
}

// Recompute sets the stored due dates from the clock start and the pauses
// (empty while an open pause holds the clock).
func Recompute(a *rarex.Application, env Env) {
	dl := Deadlines(a, env)
	a.Due, a.GreenDue = dl.Due, ""
	if a.Green {
		a.GreenDue = dl.GreenDue
	}
}

// Deadline is where an application stands against its periods.
type Deadline struct {
	Due      string `json:"due,omitempty"`       // statutory deadline
	GreenDue string `json:"green_due,omitempty"` // green-channel target
	Paused   bool   `json:"paused"`              // the clock stands still
	Assumed  bool   `json:"assumed,omitempty"`   // counted through a year without a calendar notice
	Elapsed  int    `json:"elapsed"`             // working days counted so far (to the decision, once decided)
	Left     int    `json:"left"`                // working days to the deadline (negative: overdue)
	Overdue  bool   `json:"overdue"`
}

// Deadlines computes an application's deadlines on env.Today.
func Deadlines(a *rarex.Application, env Env) Deadline {
	var dl Deadline
	if a.ClockStart == "" {
		return dl
	}
	start, err := rules.ParseDate(a.ClockStart)
	if err != nil {
		return dl
	}
	pauses := Intervals(a.Pauses)
	due, assumed, stopped := env.Cal.Due(start, env.Proc.Review.WorkingDays, pauses)
	dl.Paused, dl.Assumed = stopped || (len(a.Pauses) > 0 && a.Pauses[len(a.Pauses)-1].To == ""), assumed
	if !stopped {
		dl.Due = due.String()
	}
	if g, gassumed, gstopped := env.Cal.Due(start, env.Proc.Green.TargetWorkingDays, pauses); !gstopped {
		dl.GreenDue = g.String()
		dl.Assumed = dl.Assumed || gassumed
	}
	end := env.Today
	if a.DecidedAt != nil {
		end = rules.Today(*a.DecidedAt)
	}
	dl.Elapsed = env.Cal.Between(start, end, pauses)
	dl.Left = env.Proc.Review.WorkingDays - dl.Elapsed
	dl.Overdue = a.State.Open() && !dl.Paused && dl.Due != "" && env.Today.String() > dl.Due
	return dl
}

// Intervals turns stored pauses into the calendar's intervals.
func Intervals(ps []rarex.Pause) []workdays.Interval {
	out := make([]workdays.Interval, 0, len(ps))
	for _, p := range ps {
		from, err := rules.ParseDate(p.From)
		if err != nil {
			continue
		}
		var to rules.Date
		if p.To != "" {
			to, _ = rules.ParseDate(p.To)
		}
		out = append(out, workdays.Interval{From: from, To: to})
	}
	return out
}

// RequestInformation asks the exporter a question; when the procedure says
// so, the clock stops from the next day until the day of the answer.
func RequestInformation(a *rarex.Application, m rarex.Message, env Env) error {
	if a.State != rarex.AppUnderReview {
		return conflict(a, "sent a request for information")
	}
	if err := checkMessage(m); err != nil {
		return err
	}
	m.Kind = "question"
	a.Messages = append(a.Messages, m)
	a.State = rarex.AppInfoRequested
	if env.Proc.InformationRequest.PausesClock {
		// The day of the request was the authority's and stays counted.
		a.Pauses = append(a.Pauses, rarex.Pause{From: env.Today.AddDate(0, 0, 1).Format(time.DateOnly)})
	}
	Recompute(a, env)
	return nil
}

// Answer records the exporter's answer and restarts the clock.
func Answer(a *rarex.Application, m rarex.Message, env Env) error {
	if a.State != rarex.AppInfoRequested {
		return conflict(a, "answered")
	}
	if err := checkMessage(m); err != nil {
		return err
	}
	m.Kind = "answer"
	a.Messages = append(a.Messages, m)
	a.State = rarex.AppUnderReview
	closePause(a, env)
	Recompute(a, env)
	return nil
}

func closePause(a *rarex.Application, env Env) {
	n := len(a.Pauses)
	if n == 0 || a.Pauses[n-1].To != "" {
		return
	}
	if today := env.Today.String(); today < a.Pauses[n-1].From {
		a.Pauses = a.Pauses[:n-1] // answered the day it was asked: no day was paused
	} else {
		a.Pauses[n-1].To = today
	}
}

func checkMessage(m rarex.Message) error {
	switch {
	case !utf8.ValidString(m.Body) || strings.TrimSpace(m.Body) == "":
		return rarex.Errorf(rarex.EINVALID, "message: required")
	case utf8.RuneCountInString(m.Body) > 8000:
		return rarex.Errorf(rarex.EINVALID, "message: longer than 8000 characters")
	}
	return nil
}

// Note adds a message that changes nothing else (the exporter sends
// another document, a reviewer leaves a remark).
func Note(a *rarex.Application, m rarex.Message) error {
	if a.State == rarex.AppDraft || a.State.Final() {
		return conflict(a, "sent a message")
	}
	if err := checkMessage(m); err != nil {
		return err
	}
	m.Kind = "note"
	a.Messages = append(a.Messages, m)
	return nil
}

// Withdraw ends an application at the exporter's request, before a decision.
func Withdraw(a *rarex.Application, env Env) error {
	if a.State.Final() || a.State == rarex.AppCountersign {
		return conflict(a, "withdrawn")
	}
	closePause(a, env)
	now := env.Now
	a.State, a.DecidedAt = rarex.AppWithdrawn, &now
	return nil
}

// Policy is what the authority configures rather than the regime: the
// value above which an approval needs a second signature, by currency. A
// currency with no threshold always needs one; every denial needs one.
type Policy struct {
	CountersignAbove map[string]rarex.Money
}

// DefaultPolicy is used when the server is not configured otherwise.
func DefaultPolicy() Policy {
	return Policy{CountersignAbove: map[string]rarex.Money{"USD": 100_000_000, "CNY": 700_000_000, "EUR": 90_000_000}}
}

// NeedsCountersign reports whether decision kind on a needs four eyes.
func (p Policy) NeedsCountersign(a *rarex.Application, kind string) bool {
	if kind == rarex.DecisionDeny {
		return true
	}
	_, v := Totals(&a.Body)
	limit, ok := p.CountersignAbove[a.Body.Lines[0].Currency]
	return !ok || v > limit
}

// Decide records a reviewer's decision. It checks the decision against the
// application and the procedure; ruleIDs is the set of rule ids a denial
// may cite. When four eyes are needed the decision waits as a proposal.
// It returns the licence to issue, if the approval is final.
func Decide(a *rarex.Application, d rarex.Decision, pol Policy, ruleIDs map[string]bool, env Env) (*rarex.Licence, error) {
	if a.State != rarex.AppUnderReview {
		return nil, conflict(a, "decided")
	}
	if err := checkDecision(a, &d, ruleIDs, env); err != nil {
		return nil, err
	}
	d.At = env.Now
	d.NeedsCountersign = pol.NeedsCountersign(a, d.Kind)
	if d.NeedsCountersign {
		a.State, a.Proposal = rarex.AppCountersign, &d
		return nil, nil
	}
	return finish(a, &d, env), nil
}

// Countersign completes a proposed decision. The second reviewer must not
// be the one who proposed it.
func Countersign(a *rarex.Application, by *rarex.User, env Env) (*rarex.Licence, error) {
	if a.State != rarex.AppCountersign || a.Proposal == nil {
		return nil, conflict(a, "countersigned")
	}
	if a.Proposal.By == by.ID {
		return nil, rarex.Errorf(rarex.EFORBIDDEN, "Four eyes: the reviewer who proposed this decision cannot also countersign it.")
	}
	d := *a.Proposal
	now := env.Now
	d.CounterBy, d.CounterName, d.CounterAt = by.ID, by.Name, &now
	return finish(a, &d, env), nil
}

// ReturnProposal sends a proposed decision back to review, with the second
// reviewer's reason as a note.
func ReturnProposal(a *rarex.Application, m rarex.Message, env Env) error {
	if a.State != rarex.AppCountersign || a.Proposal == nil {
		return conflict(a, "returned to review")
	}
	if a.Proposal.By == m.AuthorID {
		return rarex.Errorf(rarex.EFORBIDDEN, "Four eyes: the reviewer who proposed this decision cannot return it; a second reviewer does.")
	}
	if err := checkMessage(m); err != nil {
		return err
	}
	m.Kind = "note"
	a.Messages = append(a.Messages, m)
	a.State, a.Proposal = rarex.AppUnderReview, nil
	Recompute(a, env)
	return nil
}

func finish(a *rarex.Application, d *rarex.Decision, env Env) *rarex.Licence {
	now := env.Now
	a.Proposal, a.Decision, a.DecidedAt = nil, d, &now
	if d.Kind == rarex.DecisionDeny {
		a.State = rarex.AppDenied
		return nil
	}
	a.State = rarex.AppApproved
	return IssueLicence(a, d, now)
}

func checkDecision(a *rarex.Application, d *rarex.Decision, ruleIDs map[string]bool, env Env) error {
	bad := i18n.Invalid
	if !utf8.ValidString(d.Reasons) || utf8.RuneCountInString(d.Reasons) > 8000 {
		return bad("invalid.reasons_long", "reasons")
	}
	if len(d.RuleIDs) > 20 {
		return bad("invalid.at_most_20", "rule_ids")
	}
	for i, id := range d.RuleIDs {
		if !ruleIDs[id] {
			return bad("invalid.rule", fmt.Sprintf("rule_ids[%d]", i), id)
		}
	}
	switch d.Kind {
	case rarex.DecisionDeny:
		if strings.TrimSpace(d.Reasons) == "" {
			return bad("invalid.denial_reasons", "reasons")
		}
		if len(d.RuleIDs) == 0 {
			return bad("invalid.denial_rules", "rule_ids")
		}
		d.LicenceType, d.ValidFrom, d.ValidTo, d.Quantity, d.Value, d.Conditions = "", "", "", 0, 0, ""
		return nil
	case rarex.DecisionApprove:
	default:
		return bad("invalid.kind", "kind", string(d.Kind))
	}
	if d.LicenceType == "" {
		d.LicenceType = a.Body.LicenceType
	}
	if !d.LicenceType.Valid() {
		return bad("invalid.licence_type", "licence_type", string(d.LicenceType))
	}
	if d.ValidFrom == "" {
		d.ValidFrom = env.Today.String()
	}
	from, err := rules.ParseDate(d.ValidFrom)
	if err != nil {
		return bad("invalid.detail", "valid_from", err.Error())
	}
	if d.ValidFrom < env.Today.String() {
		return bad("invalid.past", "valid_from", d.ValidFrom)
	}
	months := env.Proc.Licence.MaxValidityMonths[d.LicenceType]
	latest := from.AddDate(0, months, -1).Format(time.DateOnly)
	if d.ValidTo == "" {
		d.ValidTo = from.AddDate(0, min(a.Body.ValidityMonths, months), -1).Format(time.DateOnly)
	}
	if _, err := rules.ParseDate(d.ValidTo); err != nil {
		return bad("invalid.detail", "valid_to", err.Error())
	}
	if d.ValidTo < d.ValidFrom || d.ValidTo > latest {
		return bad("invalid.valid_to", "valid_to", d.ValidTo, string(d.LicenceType), d.ValidFrom, latest, strconv.Itoa(months))
	}
	q, v := Totals(&a.Body)
	if d.Quantity == 0 {
		d.Quantity = q
	}
	if d.Value == 0 {
		d.Value = v
	}
	if d.Quantity < 0 || d.Quantity > q {
		return bad("invalid.over_applied", "quantity_limit", d.Quantity.String(), q.String(), a.Body.Lines[0].Unit)
	}
	if d.Value < 0 || d.Value > v {
		return bad("invalid.over_applied", "value_limit", d.Value.String(), v.String(), a.Body.Lines[0].Currency)
	}
	if utf8.RuneCountInString(d.Conditions) > 4000 {
		return bad("invalid.too_long", "conditions", "4000")
	}
	return nil
}

// IssueLicence makes the licence an approval grants; the store numbers it.
func IssueLicence(a *rarex.Application, d *rarex.Decision, now time.Time) *rarex.Licence {
	items := make([]string, len(a.Body.Lines))
	for i, l := range a.Body.Lines {
		items[i] = fmt.Sprintf("%s (%s", l.Description, l.Class)
		if len(l.Elements) > 0 {
			items[i] += ", " + strings.Join(l.Elements, "/")
		}
		if l.HSCode != "" {
			items[i] += ", HS " + l.HSCode
		}
		items[i] += fmt.Sprintf("): %s %s", l.Quantity, l.Unit)
	}
	consignees := []string{a.Body.Consignee.Name}
	if a.Body.EndUser.Name != a.Body.Consignee.Name {
		consignees = append(consignees, a.Body.EndUser.Name)
	}
	return &rarex.Licence{
		ApplicationID: a.ID, OrgID: a.OrgID, OrgName: a.OrgName, Type: d.LicenceType, Status: rarex.LicenceActive,
		ValidFrom: d.ValidFrom, ValidTo: d.ValidTo, Unit: a.Body.Lines[0].Unit, Currency: a.Body.Lines[0].Currency,
		QuantityLimit: d.Quantity, ValueLimit: d.Value, Consignees: consignees, Destination: a.Body.Destination,
		Items: strings.Join(items, "; "), Conditions: d.Conditions, IssuedAt: now, IssuedBy: d.By, UpdatedAt: now,
	}
}

// CheckShipment says whether sh may be drawn from l on its date, and why
// not. Stores enforce the same conditions atomically.
func CheckShipment(l *rarex.Licence, sh *rarex.Shipment, today string) error {
	if _, err := rules.ParseDate(sh.Date); err != nil {
		return rarex.Errorf(rarex.EINVALID, "date: %v", err)
	}
	switch {
	case sh.Quantity <= 0:
		return rarex.Errorf(rarex.EINVALID, "quantity: must be more than zero")
	case sh.Value < 0:
		return rarex.Errorf(rarex.EINVALID, "value: must not be negative")
	case sh.Date > today:
		return rarex.Errorf(rarex.EINVALID, "date: %s is in the future; record a shipment once it has left", sh.Date)
	case strings.TrimSpace(sh.Consignee) == "" || utf8.RuneCountInString(sh.Consignee) > 300:
		return rarex.Errorf(rarex.EINVALID, "consignee: required, at most 300 characters")
	}
	// A general licence ships only to its named customers; an individual
	// one to its consignee and end user.
	if !slices.ContainsFunc(l.Consignees, func(c string) bool { return strings.EqualFold(strings.TrimSpace(c), strings.TrimSpace(sh.Consignee)) }) {
		return rarex.Errorf(rarex.EINVALID, "consignee: %q is not named on licence %s (%s)", sh.Consignee, l.Number, strings.Join(l.Consignees, "; "))
	}
	return Drawable(l, sh)
}

// Drawable checks status, validity and what remains.
func Drawable(l *rarex.Licence, sh *rarex.Shipment) error {
	switch {
	case l.Status != rarex.LicenceActive:
		return rarex.Errorf(rarex.ECONFLICT, "Licence %s is %s: no shipment can be recorded against it.", l.Number, l.Status)
	case sh.Date < l.ValidFrom:
		return rarex.Errorf(rarex.ECONFLICT, "Licence %s is valid from %s; the shipment is dated %s.", l.Number, l.ValidFrom, sh.Date)
	case sh.Date > l.ValidTo:
		return rarex.Errorf(rarex.ECONFLICT, "Licence %s expired on %s; the shipment is dated %s.", l.Number, l.ValidTo, sh.Date)
	case sh.Quantity > l.QuantityLimit-l.QuantityUsed:
		return rarex.Errorf(rarex.ECONFLICT, "Licence %s has %s %s left; the shipment is %s %s.", l.Number, l.QuantityLimit-l.QuantityUsed, l.Unit, sh.Quantity, l.Unit)
	case sh.Value > l.ValueLimit-l.ValueUsed:
		return rarex.Errorf(rarex.ECONFLICT, "Licence %s has %s %s of value left; the shipment is %s %s.", l.Number, l.ValueLimit-l.ValueUsed, l.Currency, sh.Value, l.Currency)
	}
	return nil
}

// Draw applies a shipment to an in-memory licence, as stores do.
func Draw(l *rarex.Licence, sh *rarex.Shipment) error {
	if err := Drawable(l, sh); err != nil {
		return err
	}
	l.QuantityUsed += sh.Quantity
	l.ValueUsed += sh.Value
	if l.QuantityUsed == l.QuantityLimit || l.ValueUsed == l.ValueLimit {
		l.Status = rarex.LicenceExhausted
	}
	return nil
}

// SetStatus suspends, reinstates or revokes a licence.
func SetStatus(l *rarex.Licence, to rarex.LicenceStatus, reason string) error {
	if strings.TrimSpace(reason) == "" || utf8.RuneCountInString(reason) > 2000 {
		return rarex.Errorf(rarex.EINVALID, "reason: required, at most 2000 characters")
	}
	ok := false
	switch to {
	case rarex.LicenceSuspended:
		ok = l.Status == rarex.LicenceActive
	case rarex.LicenceActive:
		ok = l.Status == rarex.LicenceSuspended
	case rarex.LicenceRevoked:
		ok = l.Status == rarex.LicenceActive || l.Status == rarex.LicenceSuspended || l.Status == rarex.LicenceExhausted
	}
	if !ok {
		return rarex.Errorf(rarex.ECONFLICT, "Licence %s is %s: it cannot become %s.", l.Number, l.Status, to)
	}
	l.Status, l.Reason = to, reason
	return nil
}
