package licensing

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"rarex"
	"rarex/assess"
	"rarex/i18n"
	"rarex/rules"
	"rarex/screen"
)

// Snapshot is what rarex found when the application was submitted, frozen
// on it: the determination of every line, the screening of every party,
// green-channel eligibility, risk signals and missing documents.
type Snapshot struct {
	Date           string          `json:"date"`
	Regime         string          `json:"regime"`
	Interpretation string          `json:"interpretation"`
	Outcome        string          `json:"outcome"` // the most decisive line outcome
	NeedsLicence   bool            `json:"needs_licence"`
	Why            []string        `json:"why,omitempty"` // when no licence is needed: each line's reason
	Lines          []LineCheck     `json:"lines"`
	Parties        []PartyCheck    `json:"parties"`
	Green          GreenCheck      `json:"green"`
	Risks          []Risk          `json:"risks"`
	Missing        []rarex.DocKind `json:"missing,omitempty"`
}

// LineCheck is one line's determination.
type LineCheck struct {
	Line          int            `json:"line"`
	Determination *assess.Result `json:"determination"`
}

// PartyCheck is one party's screening.
type PartyCheck struct {
	Role    string     `json:"role"` // consignee, end_user, intermediaries[0] ...
	Name    string     `json:"name"`
	Country string     `json:"country"`
	Hits    []PartyHit `json:"hits"`
}

// PartyHit is a screening hit as frozen on the application.
type PartyHit struct {
	ListID    string             `json:"list_id"`
	EntryID   string             `json:"entry_id"`
	EntryName string             `json:"entry_name"`
	List      string             `json:"list"`
	Meaning   string             `json:"meaning"`
	Score     float64            `json:"score"`
	Cleared   bool               `json:"cleared"`
	Why       screen.Explanation `json:"explanation"`
}

// GreenCheck is green-channel eligibility, criterion by criterion, so the
// applicant sees what to fix.
type GreenCheck struct {
	Eligible bool        `json:"eligible"`
	Criteria []Criterion `json:"criteria"`
}

// Criterion is one condition; Code keys the message catalog (green.<code>).
// Key and Args give the detail in any catalog language; Detail is it in
// English, for API clients.
type Criterion struct {
	Code   string   `json:"code"`
	Met    bool     `json:"met"`
	Detail string   `json:"detail"`
	Key    string   `json:"detail_key"`
	Args   []string `json:"detail_args,omitempty"`
}

// Risk is a signal for the reviewer; Code keys the message catalog
// (risk.<code>), Key and Args its detail, as for Criterion.
type Risk struct {
	Code   string   `json:"code"`
	Level  string   `json:"level"` // high or medium
	Detail string   `json:"detail"`
	Key    string   `json:"detail_key"`
	Args   []string `json:"detail_args,omitempty"`
}

// JSON encodes the snapshot for storage.
func (s *Snapshot) JSON() (json.RawMessage, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	return b, nil
}

// DecodeSnapshot reads a stored snapshot (nil for none).
func DecodeSnapshot(raw json.RawMessage) (*Snapshot, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var s Snapshot
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("stored snapshot: %w", err)
	}
	return &s, nil
}

// Facts is what the office knows beyond the application when it
// assesses one: the exporter's profile, the register, the exporter's
// earlier quantities, and what was uploaded.
type Facts struct {
	Profile   *rarex.ExporterProfile
	Validated []*rarex.ValidatedEndUser
	// History holds the exporter's earlier lines (other applications).
	History   []rarex.AppLine
	Documents []*rarex.Document
	Today     rules.Date
}

// Assess fills the green-channel check, the risk signals and the missing
// documents of a snapshot whose Lines and Parties are set.
func Assess(reg *rules.Regime, p *Procedure, b *rarex.ApplicationBody, snap *Snapshot, f Facts) {
	snap.Outcome, snap.NeedsLicence, snap.Why = rules.NotControlled, false, nil
	for _, lc := range snap.Lines {
		d := lc.Determination
		if morePrecedent(d.Outcome, snap.Outcome) {
			snap.Outcome = d.Outcome
		}
		switch d.Outcome {
		case rules.NotControlled, rules.Exempt:
			why := fmt.Sprintf("lines[%d]: %s", lc.Line, d.Outcome)
			if len(d.Reasons) > 0 {
				why += " (" + d.Reasons[0].Rule + ": " + d.Reasons[0].Text + ")"
			}
			snap.Why = append(snap.Why, why)
		default:
			snap.NeedsLicence = true
		}
	}
	if snap.NeedsLicence {
		snap.Why = nil
	}
	snap.Green = Green(reg, p, b, snap, f)
	snap.Risks = Risks(p, b, snap, f.History)
	snap.Missing = Missing(p, b, f.Documents)
}

var outcomeRank = map[string]int{rules.NotControlled: 0, rules.Exempt: 1, rules.LicenseRequired: 2, rules.CaseByCase: 3, rules.PresumptionOfDenial: 4}

// morePrecedent orders outcomes for an application: any line that needs a
// licence decides, and denial-leaning outcomes above plain licensing.
func morePrecedent(a, b string) bool { return outcomeRank[a] > outcomeRank[b] }

// Green evaluates green-channel eligibility from the data's criteria.
func Green(reg *rules.Regime, p *Procedure, b *rarex.ApplicationBody, snap *Snapshot, f Facts) GreenCheck {
	gc := reg.GreenChannel
	g := GreenCheck{Eligible: true}
	add := func(code string, met bool, variant string, args ...string) {
		key := "green.detail." + code + "." + variant
		g.Criteria = append(g.Criteria, Criterion{Code: code, Met: met, Detail: i18n.TS(i18n.English, key, args), Key: key, Args: args})
		g.Eligible = g.Eligible && met
	}
	prof := f.Profile
	if prof == nil {
		prof = &rarex.ExporterProfile{}
	}
	if gc.RequireCompliance {
		if prof.ICPReference != "" {
			add("compliance_programme", true, "met", prof.ICPReference)
		} else {
			add("compliance_programme", false, "unmet")
		}
	}
	years := p.Green.ViolationFreeYears
	cutoff := f.Today.AddDate(-years, 0, 0).Format("2006-01-02")
	if prof.LastViolation != "" && prof.LastViolation > cutoff {
		add("no_violation", false, "unmet", prof.LastViolation, strconv.Itoa(years))
	} else {
		add("no_violation", true, "met", strconv.Itoa(years))
	}
	if gc.RequireValidatedEndUser {
		if v := findValidated(f.Validated, b.EndUser); v != nil {
			add("validated_end_user", true, "met", v.Name, v.Country)
		} else {
			add("validated_end_user", false, "unmet", b.EndUser.Name, b.EndUser.Country)
		}
	}
	civilian := slices.Contains(gc.EndUses, b.EndUse.Category) && slices.Contains(gc.EndUserTypes, b.EndUser.Type)
	add("civilian_end_use", civilian, "any",
		b.EndUse.Category, b.EndUser.Type, strings.Join(gc.EndUses, ", "), strings.Join(gc.EndUserTypes, ", "))
	var hits []string
	for _, pc := range snap.Parties {
		for _, h := range pc.Hits {
			if !h.Cleared && h.Score >= p.Green.ScreeningThreshold {
				hits = append(hits, fmt.Sprintf("%s %q matches %q (%.2f)", pc.Role, pc.Name, h.EntryName, h.Score))
			}
		}
	}
	if len(hits) == 0 {
		add("no_screening_hit", true, "met", strconv.FormatFloat(p.Green.ScreeningThreshold, 'f', 2, 64))
	} else {
		add("no_screening_hit", false, "unmet", strings.Join(hits, "; "))
	}
	var blocked []string
	for _, lc := range snap.Lines {
		if !slices.Contains(gc.Outcomes, lc.Determination.Outcome) && (lc.Determination.Outcome == rules.CaseByCase || lc.Determination.Outcome == rules.PresumptionOfDenial) {
			blocked = append(blocked, fmt.Sprintf("lines[%d] is %s", lc.Line, lc.Determination.Outcome))
		}
	}
	if len(blocked) == 0 {
		add("routine_outcome", true, "met")
	} else {
		add("routine_outcome", false, "unmet", strings.Join(blocked, "; "))
	}
	q, _ := Totals(b)
	unit := ""
	if len(b.Lines) > 0 {
		unit = b.Lines[0].Unit
	}
	if limit, ok := p.Cap(unit); !ok {
		add("quantity_cap", false, "none", unit)
	} else if q > limit {
		add("quantity_cap", false, "unmet", q.String(), unit, limit.String()+" "+unit)
	} else {
		add("quantity_cap", true, "met", q.String(), unit, limit.String()+" "+unit)
	}
	return g
}

// findValidated finds the end user on the register: same country, same
// name once normalised (case, punctuation, legal forms, script).
func findValidated(reg []*rarex.ValidatedEndUser, p rarex.Party) *rarex.ValidatedEndUser {
	want := normalName(p.Name)
	for _, v := range reg {
		if v.Country == p.Country && normalName(v.Name) == want {
			return v
		}
	}
	return nil
}

// normalName caches normal forms: the register is normalised once, not at
// every assessment. The cache is dropped when it grows past a bound.
func normalName(name string) string {
	normalMu.Lock()
	n, ok := normalCache[name]
	normalMu.Unlock()
	if ok {
		return n
	}
	n = screen.Normalize(name).String()
	normalMu.Lock()
	if len(normalCache) >= 100_000 {
		normalCache = map[string]string{}
	}
	normalCache[name] = n
	normalMu.Unlock()
	return n
}

var (
	normalMu    sync.Mutex
	normalCache = map[string]string{}
)

// Risks lists the signals a reviewer should weigh.
func Risks(p *Procedure, b *rarex.ApplicationBody, snap *Snapshot, history []rarex.AppLine) []Risk {
	var out []Risk
	add := func(code, level string, args ...string) {
		key := "risk.detail." + code
		out = append(out, Risk{Code: code, Level: level, Detail: i18n.TS(i18n.English, key, args), Key: key, Args: args})
	}
	text := b.EndUse.Statement
	for _, l := range b.Lines {
		text += "\n" + l.Description
	}
	if words := MilitaryWords(p, text); len(words) > 0 {
		add("military_words", "high", strings.Join(words, ", "))
	}
	if b.EndUser.Type != "" && b.EndUser.Type != "civilian" {
		add("end_user_type", "medium", b.EndUser.Type)
	}
	countries := []string{b.Destination, b.Consignee.Country, b.EndUser.Country}
	for _, im := range b.Intermediaries {
		countries = append(countries, im.Country)
	}
	var embargoed []string
	for _, c := range countries {
		if slices.Contains(p.Risk.EmbargoedDestinations, c) && !slices.Contains(embargoed, c) {
			embargoed = append(embargoed, c)
		}
	}
	if len(embargoed) > 0 {
		add("embargoed_destination", "high", strings.Join(embargoed, ", "))
	}
	for i, im := range b.Intermediaries {
		if im.Country != b.Destination && im.Country != b.ShipFrom {
			add("third_country_intermediary", "medium", strconv.Itoa(i), im.Name, im.Country)
		}
	}
	for _, pc := range snap.Parties {
		for _, h := range pc.Hits {
			if h.Cleared {
				continue
			}
			level := "medium"
			if h.Score >= p.Green.ScreeningThreshold {
				level = "high"
			}
			add("screening_hit", level, pc.Role, pc.Name, h.EntryName, h.List, h.Meaning, strconv.FormatFloat(h.Score, 'f', 2, 64))
		}
	}
	for i, l := range b.Lines {
		var earlier []rarex.Quantity
		for _, h := range history {
			if h.Class == l.Class && h.Unit == l.Unit {
				earlier = append(earlier, h.Quantity)
			}
		}
		if len(earlier) < 3 {
			continue
		}
		sort.Slice(earlier, func(a, b int) bool { return earlier[a] < earlier[b] })
		med := earlier[len(earlier)/2]
		if l.Quantity > med*rarex.Quantity(p.Risk.UnusualQuantityFactor) {
			add("unusual_quantity", "medium", strconv.Itoa(i), l.Quantity.String(), l.Unit, l.Class, strconv.Itoa(len(earlier)), med.String()+" "+l.Unit)
		}
	}
	return out
}

// MilitaryWords returns the data's military words found in s: whole words
// for Latin script (case-blind), substrings for Chinese.
func MilitaryWords(p *Procedure, s string) []string {
	lower := strings.ToLower(s)
	words := " " + strings.Join(strings.FieldsFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) }), " ") + " "
	var found []string
	for _, w := range p.Risk.MilitaryWords {
		hanWord := strings.IndexFunc(w, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
		if (hanWord && strings.Contains(lower, w)) || (!hanWord && strings.Contains(words, " "+strings.ToLower(w)+" ")) {
			found = append(found, w)
		}
	}
	return found
}

// Missing lists the required documents not uploaded.
func Missing(p *Procedure, b *rarex.ApplicationBody, docs []*rarex.Document) []rarex.DocKind {
	need := slices.Clone(p.Documents.Required)
	for _, l := range b.Lines {
		if l.Class == "technology" {
			need = append(need, p.Documents.RequiredForTechnology...)
			break
		}
	}
	var out []rarex.DocKind
	for _, k := range need {
		if !slices.ContainsFunc(docs, func(d *rarex.Document) bool { return d.Kind == k }) && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}
