// Package office is the licence office's use-case layer: exporters write,
// submit and answer applications and record shipments; reviewers ask,
// decide and countersign; admins keep the registers and suspend or revoke
// licences. Each call authorises once, runs the licensing engine on what it
// read, and stores the result with its audit events in one transaction.
package office

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"rarex"
	"rarex/assess"
	"rarex/boms"
	"rarex/i18n"
	"rarex/licensing"
	"rarex/rules"
	"rarex/screen"
	"rarex/screening"
	"rarex/tlog"
	"rarex/workdays"
)

// Service runs the licence office.
type Service struct {
	Store     rarex.Store
	Clock     rarex.Clock
	IDs       rarex.IDSource
	Regime    *rules.Regime
	Proc      *licensing.Procedure
	Cal       *workdays.Calendar
	Screening *screening.Service
	BOMs      *boms.Service
	Policy    licensing.Policy
	// Log is the public log this instance keeps; nil on replicas, whose
	// decisions wait in the outbox for the instance that keeps it.
	Log *tlog.Log
	// SkipLog makes decisions without public-log entries. It exists only to
	// measure what the log costs (office benchmarks); rarex never sets it.
	SkipLog bool
}

func (s *Service) env() licensing.Env {
	now := s.Clock.Now()
	return licensing.Env{Proc: s.Proc, Cal: s.Cal, Now: now, Today: rules.Today(now)}
}

func (s *Service) today() string { return rules.Today(s.Clock.Now()).String() }

// event builds an audit event with the top-level fields that changed.
func (s *Service) event(actor *rarex.User, org, subject, id, action string, before, after any) *rarex.AuditEvent {
	b, a := diff(before, after)
	return &rarex.AuditEvent{ID: s.IDs.NewID(), OrgID: org, Subject: subject, SubjectID: id, Action: action,
		ActorID: actor.ID, ActorRole: actor.Role, At: s.Clock.Now(), Before: b, After: a}
}

// diff keeps the top-level JSON fields whose values differ.
func diff(before, after any) (json.RawMessage, json.RawMessage) {
	fields := func(v any) map[string]json.RawMessage {
		m := map[string]json.RawMessage{}
		if v == nil {
			return m
		}
		raw, _ := json.Marshal(v)
		_ = json.Unmarshal(raw, &m)
		return m
	}
	bm, am := fields(before), fields(after)
	bo, ao := map[string]json.RawMessage{}, map[string]json.RawMessage{}
	for k, v := range am {
		if k == "version" || k == "updated_at" {
			continue
		}
		if !bytes.Equal(bm[k], v) {
			ao[k] = v
			if old, ok := bm[k]; ok {
				bo[k] = old
			}
		}
	}
	for k, v := range bm {
		if _, ok := am[k]; !ok {
			bo[k] = v
		}
	}
	enc := func(m map[string]json.RawMessage) json.RawMessage {
		if len(m) == 0 {
			return nil
		}
		raw, _ := json.Marshal(m)
		return raw
	}
	return enc(bo), enc(ao)
}

func clone(a *rarex.Application) *rarex.Application {
	raw, _ := json.Marshal(a)
	var c rarex.Application
	_ = json.Unmarshal(raw, &c)
	c.Version = a.Version
	return &c
}

// load reads an application the actor may see under action, masking
// another tenant's as not found.
func (s *Service) load(ctx context.Context, actor *rarex.User, action rarex.Action, id string) (*rarex.Application, error) {
	if err := rarex.Authorize(actor, action, actor.OrgID); err != nil && rarex.ScopeOf(actor.Role, action) == rarex.ScopeNone {
		return nil, err
	}
	a, err := s.Store.Application(ctx, id)
	if err != nil {
		return nil, err
	}
	// A draft is the exporter's own until it is submitted.
	if a.State == rarex.AppDraft && actor.OrgID != a.OrgID {
		return nil, rarex.Errorf(rarex.ENOTFOUND, "Application %q not found.", id)
	}
	if err := rarex.Authorize(actor, action, a.OrgID); err != nil {
		if rarex.ScopeOf(actor.Role, action) == rarex.ScopeOwnOrg {
			return nil, rarex.Errorf(rarex.ENOTFOUND, "Application %q not found.", id)
		}
		return nil, err
	}
	return a, nil
}

// checkVersion refuses a write made against an older version than stored.
func checkVersion(a *rarex.Application, version int) error {
	if version != 0 && version != a.Version {
		return rarex.Errorf(rarex.ECONFLICT, "Application %s changed since you opened it (version %d, now %d); reload and try again.", a.Number, version, a.Version)
	}
	return nil
}

// save stores a changed application with one event.
func (s *Service) save(ctx context.Context, actor *rarex.User, before, a *rarex.Application, action string, lic *rarex.Licence) error {
	a.UpdatedAt = s.Clock.Now()
	evs := []*rarex.AuditEvent{s.event(actor, a.OrgID, "application", a.ID, action, summary(before), summary(a))}
	if lic != nil {
		lic.ID = s.IDs.NewID()
		a.LicenceID = lic.ID
		evs = append(evs, s.event(actor, a.OrgID, "licence", lic.ID, "licence.issue", nil, lic))
	}
	entry, err := s.decisionLogEntry(before, a)
	if err != nil {
		return err
	}
	if entry == nil || s.SkipLog {
		return s.Store.UpdateApplication(ctx, a, before.Version, evs, lic)
	}
	return s.Store.UpdateApplication(ctx, a, before.Version, evs, lic, entry)
}

// summary is what an application's audit events compare: everything but
// the snapshot, which is recorded once, at submission.
func summary(a *rarex.Application) any {
	c := *a
	c.Snapshot = nil
	if len(a.Snapshot) > 0 {
		sum := sha256.Sum256(a.Snapshot)
		return struct {
			rarex.Application
			SnapshotSHA256 string `json:"snapshot_sha256"`
		}{c, hex.EncodeToString(sum[:])}
	}
	return c
}

// Create stores a new draft for the actor's organisation.
func (s *Service) Create(ctx context.Context, actor *rarex.User, body rarex.ApplicationBody) (*rarex.Application, error) {
	if err := rarex.Authorize(actor, rarex.ActApply, actor.OrgID); err != nil {
		return nil, err
	}
	if err := s.validate(ctx, actor, &body); err != nil {
		return nil, err
	}
	org, err := s.Store.FindOrgByID(ctx, actor.OrgID)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	a := &rarex.Application{ID: s.IDs.NewID(), OrgID: actor.OrgID, OrgName: org.Name, State: rarex.AppDraft, Body: body,
		CreatedBy: actor.ID, CreatedAt: now, UpdatedAt: now}
	ev := s.event(actor, a.OrgID, "application", a.ID, "create", nil, summary(a))
	if err := s.Store.CreateApplication(ctx, a, ev); err != nil {
		return nil, err
	}
	return a, nil
}

// loadDraft reads one of the actor's drafts at version (0: any), saying
// why when it is no longer a draft.
func (s *Service) loadDraft(ctx context.Context, actor *rarex.User, id string, version int, notDraft string) (*rarex.Application, error) {
	a, err := s.load(ctx, actor, rarex.ActApply, id)
	if err != nil {
		return nil, err
	}
	if err := checkVersion(a, version); err != nil {
		return nil, err
	}
	if a.State != rarex.AppDraft {
		return nil, rarex.Errorf(rarex.ECONFLICT, "Application %s is %s: %s.", a.Number, a.State, notDraft)
	}
	return a, nil
}

// validate checks a body against the regime and the procedure, and that
// every stored BOM it names is the actor's and holds the product.
func (s *Service) validate(ctx context.Context, actor *rarex.User, b *rarex.ApplicationBody) error {
	if err := licensing.ValidateBody(s.Regime, s.Proc, b); err != nil {
		return err
	}
	for i, l := range b.Lines {
		if l.BOMID == "" || s.BOMs == nil {
			continue
		}
		if _, err := s.BOMs.Product(ctx, actor, l.BOMID, l.Product, b.Interpretation); err != nil {
			return i18n.Invalid("invalid.detail", fmt.Sprintf("lines[%d].bom_id", i), rarex.ErrorMessage(err))
		}
	}
	return nil
}

// UpdateDraft replaces a draft's body.
func (s *Service) UpdateDraft(ctx context.Context, actor *rarex.User, id string, version int, body rarex.ApplicationBody) (*rarex.Application, error) {
	a, err := s.loadDraft(ctx, actor, id, version, "only a draft can be edited")
	if err != nil {
		return nil, err
	}
	if err := s.validate(ctx, actor, &body); err != nil {
		return nil, err
	}
	before := clone(a)
	a.Body = body
	return a, s.save(ctx, actor, before, a, "edit", nil)
}

// facts gathers what green-channel eligibility and risk signals need.
func (s *Service) facts(ctx context.Context, a *rarex.Application) (licensing.Facts, error) {
	f := licensing.Facts{Today: s.env().Today}
	var err error
	if f.Profile, err = s.Store.ExporterProfile(ctx, a.OrgID); err != nil {
		return f, err
	}
	if f.Validated, err = s.Store.ValidatedEndUsers(ctx); err != nil {
		return f, err
	}
	if f.Documents, err = s.Store.Documents(ctx, a.ID); err != nil {
		return f, err
	}
	earlier, err := s.Store.Applications(ctx, rarex.ApplicationFilter{OrgID: a.OrgID, Limit: 500})
	if err != nil {
		return f, err
	}
	for _, e := range earlier {
		if e.ID != a.ID && e.State != rarex.AppDraft {
			f.History = append(f.History, e.Body.Lines...)
		}
	}
	return f, nil
}

// assessApp runs the determination of every line and screens every party.
func (s *Service) assessApp(ctx context.Context, actor *rarex.User, a *rarex.Application) (*licensing.Snapshot, error) {
	b := &a.Body
	f, err := s.facts(ctx, a)
	if err != nil {
		return nil, err
	}
	snap := &licensing.Snapshot{Date: f.Today.String(), Regime: s.Regime.ID, Interpretation: b.Interpretation}
	// Screen every party; hits at or above the list threshold feed the
	// end user's lists in the determination.
	parties := []struct {
		role string
		p    rarex.Party
	}{{"consignee", b.Consignee}, {"end_user", b.EndUser}}
	for i, im := range b.Intermediaries {
		parties = append(parties, struct {
			role string
			p    rarex.Party
		}{"intermediaries[" + strconv.Itoa(i) + "]", im})
	}
	var endUserLists []string
	qs := make([]screen.Query, len(parties))
	for i, p := range parties {
		qs[i] = screen.Query{Name: p.p.Name, Country: p.p.Country}
	}
	results, err := s.Screening.Screen(ctx, actor, qs, 0)
	if err != nil && rarex.ErrorCode(err) != rarex.ECONFLICT { // ECONFLICT: no list loaded
		return nil, err
	}
	for i, p := range parties {
		pc := licensing.PartyCheck{Role: p.role, Name: p.p.Name, Country: p.p.Country, Hits: []licensing.PartyHit{}}
		if i < len(results) {
			for _, h := range results[i].Hits {
				pc.Hits = append(pc.Hits, licensing.PartyHit{ListID: h.ListID, EntryID: h.Entry.ID, EntryName: h.Name, List: h.Entry.List,
					Meaning: string(h.Entry.Meaning), Score: h.Score, Cleared: h.Cleared != nil, Why: h.Why})
				if h.Cleared == nil && (p.role == "end_user" || p.role == "consignee") && slices.Contains(s.Regime.PartyLists, string(h.Entry.Meaning)) &&
					!slices.Contains(endUserLists, string(h.Entry.Meaning)) {
					endUserLists = append(endUserLists, string(h.Entry.Meaning))
				}
			}
		}
		snap.Parties = append(snap.Parties, pc)
	}
	validated := false
	for _, v := range f.Validated {
		if v.Country == b.EndUser.Country && screen.Normalize(v.Name).String() == screen.Normalize(b.EndUser.Name).String() {
			validated = true
		}
	}
	for i, l := range b.Lines {
		req := rules.Request{Date: snap.Date, ShipFrom: b.ShipFrom, Destination: b.Destination, Interpretation: b.Interpretation,
			Item:     rules.Item{Description: l.Description, Class: l.Class, Elements: l.Elements, HSCode: l.HSCode, Origin: l.Origin, Unit: l.Unit},
			EndUser:  rules.EndUser{Name: b.EndUser.Name, Country: b.EndUser.Country, Type: b.EndUser.Type, Lists: endUserLists, Validated: validated},
			EndUse:   rules.EndUse{Category: b.EndUse.Category, Description: b.EndUse.Statement},
			Exporter: rules.Exporter{Name: a.OrgName, ComplianceProgramme: f.Profile.ICPReference != ""}}
		qty, _ := rules.NewDecimal(l.Quantity.String())
		val, _ := rules.NewDecimal(l.Value.String())
		req.Item.Quantity, req.Item.Value = &qty, &val
		if l.BOMID != "" && s.BOMs != nil {
			pf, err := s.BOMs.Product(ctx, actor, l.BOMID, l.Product, b.Interpretation)
			if err != nil {
				return nil, i18n.Invalid("invalid.detail", fmt.Sprintf("lines[%d].bom_id", i), rarex.ErrorMessage(err))
			}
			uv, err1 := rules.NewDecimal(pf.Value)
			cv, err2 := rules.NewDecimal(pf.ControlledValue)
			if err1 == nil && err2 == nil {
				req.Item.Value, req.Item.CNControlledContentValue = &uv, &cv
			}
		}
		d, err := assess.Determine(s.Regime, req)
		if err != nil {
			return nil, i18n.Invalid("invalid.detail", fmt.Sprintf("lines[%d]", i), rarex.ErrorMessage(err))
		}
		snap.Lines = append(snap.Lines, licensing.LineCheck{Line: i, Determination: d})
	}
	licensing.Assess(s.Regime, s.Proc, b, snap, f)
	return snap, nil
}

// Preview returns what submitting would find, without submitting.
func (s *Service) Preview(ctx context.Context, actor *rarex.User, id string) (*licensing.Snapshot, error) {
	a, err := s.load(ctx, actor, rarex.ActApply, id)
	if err != nil {
		return nil, err
	}
	return s.assessApp(ctx, actor, a)
}

// Submit freezes the determination and screening on a draft and moves it
// on: not required, incomplete, or under review with the clock running.
func (s *Service) Submit(ctx context.Context, actor *rarex.User, id string, version int) (*rarex.Application, error) {
	a, err := s.loadDraft(ctx, actor, id, version, "it was submitted already")
	if err != nil {
		return nil, err
	}
	snap, err := s.assessApp(ctx, actor, a)
	if err != nil {
		return nil, err
	}
	before := clone(a)
	if err := licensing.Submit(a, snap, s.env()); err != nil {
		return nil, err
	}
	if err := s.save(ctx, actor, before, a, "submit", nil); err != nil {
		return nil, err
	}
	if a.State != rarex.AppNotRequired {
		s.watchParties(ctx, actor, a)
	}
	return a, nil
}

// watchParties keeps the application's parties screened: a later list
// version that lists one raises an alert for the exporter.
func (s *Service) watchParties(ctx context.Context, actor *rarex.User, a *rarex.Application) {
	ps := append([]rarex.Party{a.Body.Consignee, a.Body.EndUser}, a.Body.Intermediaries...)
	seen := map[string]bool{}
	for _, p := range ps {
		if seen[p.Name] {
			continue
		}
		seen[p.Name] = true
		// A party watched already is fine (ECONFLICT); anything else is not
		// worth failing a submitted application for.
		_, _ = s.Screening.Watch(ctx, actor, screen.Query{Name: p.Name, Country: p.Country})
	}
}

// Withdraw ends an application before a decision.
func (s *Service) Withdraw(ctx context.Context, actor *rarex.User, id string, version int) (*rarex.Application, error) {
	return s.transition(ctx, actor, rarex.ActApply, id, version, "withdraw", func(a *rarex.Application) (*rarex.Licence, error) {
		return nil, licensing.Withdraw(a, s.env())
	})
}

func (s *Service) transition(ctx context.Context, actor *rarex.User, action rarex.Action, id string, version int, name string, fn func(a *rarex.Application) (*rarex.Licence, error)) (*rarex.Application, error) {
	a, err := s.load(ctx, actor, action, id)
	if err != nil {
		return nil, err
	}
	if err := checkVersion(a, version); err != nil {
		return nil, err
	}
	before := clone(a)
	lic, err := fn(a)
	if err != nil {
		return nil, err
	}
	if err := s.save(ctx, actor, before, a, name, lic); err != nil {
		return nil, err
	}
	return a, nil
}

func (s *Service) message(actor *rarex.User, body string, docs []string) rarex.Message {
	return rarex.Message{ID: s.IDs.NewID(), AuthorID: actor.ID, Author: actor.Name, Role: actor.Role, Body: body, Documents: docs, At: s.Clock.Now()}
}

// RequestInformation asks the exporter a question and pauses the clock.
func (s *Service) RequestInformation(ctx context.Context, actor *rarex.User, id string, version int, question string) (*rarex.Application, error) {
	return s.transition(ctx, actor, rarex.ActReview, id, version, "request_information", func(a *rarex.Application) (*rarex.Licence, error) {
		return nil, licensing.RequestInformation(a, s.message(actor, question, nil), s.env())
	})
}

// Answer records the exporter's answer, with documents uploaded for it,
// and restarts the clock.
func (s *Service) Answer(ctx context.Context, actor *rarex.User, id string, version int, answer string, docIDs []string) (*rarex.Application, error) {
	return s.transition(ctx, actor, rarex.ActApply, id, version, "answer", func(a *rarex.Application) (*rarex.Licence, error) {
		if err := s.ownDocuments(ctx, a, docIDs); err != nil {
			return nil, err
		}
		return nil, licensing.Answer(a, s.message(actor, answer, docIDs), s.env())
	})
}

func (s *Service) ownDocuments(ctx context.Context, a *rarex.Application, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	docs, err := s.Store.Documents(ctx, a.ID)
	if err != nil {
		return err
	}
	for i, id := range ids {
		if !slices.ContainsFunc(docs, func(d *rarex.Document) bool { return d.ID == id }) {
			return i18n.Invalid("invalid.not_document", fmt.Sprintf("documents[%d]", i), id, a.Number)
		}
	}
	return nil
}

// Note posts a message that changes nothing else: exporters on their own
// applications, reviewers on any.
func (s *Service) Note(ctx context.Context, actor *rarex.User, id string, body string) (*rarex.Application, error) {
	action := rarex.ActApply
	if actor.Role == rarex.RoleReviewer {
		action = rarex.ActReview
	}
	return s.transition(ctx, actor, action, id, 0, "note", func(a *rarex.Application) (*rarex.Licence, error) {
		return nil, licensing.Note(a, s.message(actor, body, nil))
	})
}

// DecisionInput is what a reviewer sends to decide.
type DecisionInput struct {
	Kind        string            `json:"kind"`
	Reasons     string            `json:"reasons"`
	RuleIDs     []string          `json:"rule_ids"`
	LicenceType rarex.LicenceType `json:"licence_type"`
	ValidFrom   string            `json:"valid_from"`
	ValidTo     string            `json:"valid_to"`
	Quantity    rarex.Quantity    `json:"quantity_limit"`
	Value       rarex.Money       `json:"value_limit"`
	Conditions  string            `json:"conditions"`
}

func (s *Service) ruleIDs() map[string]bool {
	m := map[string]bool{}
	for _, r := range s.Regime.Rules {
		m[r.ID] = true
	}
	return m
}

// Decide records a reviewer's approval or denial; above the countersignature
// value, and for every denial, it waits for a second reviewer.
func (s *Service) Decide(ctx context.Context, actor *rarex.User, id string, version int, in DecisionInput) (*rarex.Application, error) {
	return s.transition(ctx, actor, rarex.ActReview, id, version, "decide."+in.Kind, func(a *rarex.Application) (*rarex.Licence, error) {
		d := rarex.Decision{Kind: in.Kind, By: actor.ID, ByName: actor.Name, Reasons: in.Reasons, RuleIDs: in.RuleIDs, LicenceType: in.LicenceType,
			ValidFrom: in.ValidFrom, ValidTo: in.ValidTo, Quantity: in.Quantity, Value: in.Value, Conditions: in.Conditions}
		return licensing.Decide(a, d, s.Policy, s.ruleIDs(), s.env())
	})
}

// Countersign completes a proposed decision as the second reviewer.
func (s *Service) Countersign(ctx context.Context, actor *rarex.User, id string, version int) (*rarex.Application, error) {
	return s.transition(ctx, actor, rarex.ActReview, id, version, "countersign", func(a *rarex.Application) (*rarex.Licence, error) {
		return licensing.Countersign(a, actor, s.env())
	})
}

// ReturnProposal sends a proposed decision back to review.
func (s *Service) ReturnProposal(ctx context.Context, actor *rarex.User, id string, version int, reason string) (*rarex.Application, error) {
	return s.transition(ctx, actor, rarex.ActReview, id, version, "return", func(a *rarex.Application) (*rarex.Licence, error) {
		return nil, licensing.ReturnProposal(a, s.message(actor, reason, nil), s.env())
	})
}

// Upload is a document as received.
type Upload struct {
	Kind     rarex.DocKind
	Filename string
	Data     []byte
}

// AddDocument attaches a document (PDF or image, sniffed, size-limited).
// An incomplete application whose last missing document arrives starts
// its review.
func (s *Service) AddDocument(ctx context.Context, actor *rarex.User, id string, up Upload) (*rarex.Document, *rarex.Application, error) {
	a, err := s.load(ctx, actor, rarex.ActApply, id)
	if err != nil {
		return nil, nil, err
	}
	if a.State.Final() || a.State == rarex.AppCountersign {
		return nil, nil, rarex.Errorf(rarex.ECONFLICT, "Application %s is %s: documents can no longer be added.", a.Number, a.State)
	}
	if !up.Kind.Valid() {
		return nil, nil, i18n.Invalid("invalid.not_one_of", "kind", string(up.Kind), "end_user_certificate, end_use_certificate, contract, technical_description, other")
	}
	name := filepath.Base(strings.ReplaceAll(up.Filename, `\`, "/"))
	if name == "." || name == "/" || !utf8.ValidString(name) || utf8.RuneCountInString(name) > 200 || strings.TrimSpace(name) == "" {
		return nil, nil, i18n.Invalid("invalid.file_name", "file")
	}
	if len(up.Data) == 0 {
		return nil, nil, i18n.Invalid("invalid.empty", "file "+name)
	}
	if int64(len(up.Data)) > s.Proc.Documents.MaxBytes {
		return nil, nil, rarex.Errorf(rarex.ETOOLARGE, "file %s: %d bytes; documents are limited to %d bytes", name, len(up.Data), s.Proc.Documents.MaxBytes)
	}
	ct := http.DetectContentType(up.Data)
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	if !slices.Contains(s.Proc.Documents.ContentTypes, ct) {
		return nil, nil, i18n.Invalid("invalid.file_type", "file "+name, ct)
	}
	sum := sha256.Sum256(up.Data)
	d := &rarex.Document{ID: s.IDs.NewID(), ApplicationID: a.ID, OrgID: a.OrgID, Kind: up.Kind, Filename: name, ContentType: ct,
		Size: int64(len(up.Data)), SHA256: hex.EncodeToString(sum[:]), UploadedBy: actor.ID, UploadedAt: s.Clock.Now()}
	if err := s.Store.AddDocument(ctx, d, up.Data, s.event(actor, a.OrgID, "application", a.ID, "document.add", nil, d)); err != nil {
		return nil, nil, err
	}
	if a.State == rarex.AppIncomplete {
		a, err = s.completeIfReady(ctx, actor, a)
	}
	return d, a, err
}

// completeIfReady starts the review of an incomplete application once
// nothing is missing. Two last documents uploaded at once may both try:
// the one that loses the race rereads and finds the work done.
func (s *Service) completeIfReady(ctx context.Context, actor *rarex.User, a *rarex.Application) (*rarex.Application, error) {
	for attempt := 0; ; attempt++ {
		docs, err := s.Store.Documents(ctx, a.ID)
		if err != nil {
			return a, err
		}
		if a.State != rarex.AppIncomplete || len(licensing.Missing(s.Proc, &a.Body, docs)) > 0 {
			return a, nil
		}
		before := clone(a)
		if err := licensing.Complete(a, nil, s.env()); err != nil {
			return a, err
		}
		err = s.save(ctx, actor, before, a, "complete", nil)
		if rarex.ErrorCode(err) != rarex.ECONFLICT || attempt == 2 {
			return a, err
		}
		if a, err = s.Store.Application(ctx, a.ID); err != nil {
			return a, err
		}
	}
}

// Document returns a document and its bytes, if the actor may see its application.
func (s *Service) Document(ctx context.Context, actor *rarex.User, id string) (*rarex.Document, []byte, error) {
	d, data, err := s.Store.DocumentData(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if err := rarex.Authorize(actor, rarex.ActViewApps, d.OrgID); err != nil {
		if rarex.ScopeOf(actor.Role, rarex.ActViewApps) == rarex.ScopeOwnOrg {
			return nil, nil, rarex.Errorf(rarex.ENOTFOUND, "Document %q not found.", id)
		}
		return nil, nil, err
	}
	return d, data, nil
}

// View is an application with everything its page shows.
type View struct {
	App         *rarex.Application  `json:"application"`
	Snapshot    *licensing.Snapshot `json:"snapshot,omitempty"`
	Deadline    licensing.Deadline  `json:"deadline"`
	Documents   []*rarex.Document   `json:"documents"`
	Missing     []rarex.DocKind     `json:"missing,omitempty"`
	Licence     *rarex.Licence      `json:"licence,omitempty"`
	History     []*rarex.AuditEvent `json:"history"`
	Countersign bool                `json:"countersign_needed,omitempty"`
}

// Get returns an application's view.
func (s *Service) Get(ctx context.Context, actor *rarex.User, id string) (*View, error) {
	a, err := s.load(ctx, actor, rarex.ActViewApps, id)
	if err != nil {
		return nil, err
	}
	v := &View{Deadline: licensing.Deadlines(a, s.env())}
	if v.Snapshot, err = licensing.DecodeSnapshot(a.Snapshot); err != nil {
		return nil, err
	}
	// The snapshot is served decoded, once.
	shown := *a
	shown.Snapshot = nil
	v.App = &shown
	if v.Documents, err = s.Store.Documents(ctx, a.ID); err != nil {
		return nil, err
	}
	if a.State == rarex.AppDraft || a.State == rarex.AppIncomplete {
		v.Missing = licensing.Missing(s.Proc, &a.Body, v.Documents)
	}
	if a.LicenceID != "" {
		if v.Licence, err = s.Store.Licence(ctx, a.LicenceID); err != nil {
			return nil, err
		}
	}
	if v.History, err = s.Store.Events(ctx, rarex.EventFilter{SubjectID: a.ID, Limit: rarex.MaxListLimit}); err != nil {
		return nil, err
	}
	if a.State == rarex.AppUnderReview {
		v.Countersign = s.Policy.NeedsCountersign(a, rarex.DecisionApprove)
	}
	return v, nil
}

// Row is an application in a list or queue.
type Row struct {
	App      *rarex.Application `json:"application"`
	Deadline licensing.Deadline `json:"deadline"`
}

// QueueFilter narrows the queue. Empty fields do not filter.
type QueueFilter struct {
	Track       string // green or standard
	Overdue     bool
	Class       string
	Destination string
	State       rarex.AppState
	All         bool // include drafts' and decided applications
}

// Counts summarise a queue.
type Counts struct {
	Open     int `json:"open"`
	Green    int `json:"green"`
	Standard int `json:"standard"`
	Overdue  int `json:"overdue"`
	Paused   int `json:"paused"`
	Shown    int `json:"shown"`
}

// Queue lists applications: an exporter's own (all states), or the
// authority's open queue ordered by due date, with counts.
func (s *Service) Queue(ctx context.Context, actor *rarex.User, f QueueFilter) ([]Row, Counts, error) {
	var c Counts
	if err := rarex.Authorize(actor, rarex.ActViewApps, actor.OrgID); err != nil {
		return nil, c, err
	}
	filter := rarex.ApplicationFilter{}
	if rarex.ScopeOf(actor.Role, rarex.ActViewApps) != rarex.ScopeAny {
		filter.OrgID = actor.OrgID
		f.All = true
	} else if !f.All {
		filter.States = []rarex.AppState{rarex.AppUnderReview, rarex.AppInfoRequested, rarex.AppCountersign, rarex.AppIncomplete}
	}
	apps, err := s.Store.Applications(ctx, filter)
	if err != nil {
		return nil, c, err
	}
	env := s.env()
	var rows []Row
	for _, a := range apps {
		if filter.OrgID == "" && a.State == rarex.AppDraft {
			continue // the authority never sees drafts
		}
		r := Row{App: a, Deadline: licensing.Deadlines(a, env)}
		if a.State.Open() {
			c.Open++
			if a.Green {
				c.Green++
			} else {
				c.Standard++
			}
			if r.Deadline.Overdue {
				c.Overdue++
			}
			if r.Deadline.Paused {
				c.Paused++
			}
		}
		switch {
		case f.Track == "green" && !a.Green, f.Track == "standard" && a.Green,
			f.Overdue && !r.Deadline.Overdue,
			f.Destination != "" && a.Body.Destination != f.Destination,
			f.State != "" && a.State != f.State,
			f.Class != "" && !slices.ContainsFunc(a.Body.Lines, func(l rarex.AppLine) bool { return l.Class == f.Class }):
			continue
		}
		rows = append(rows, r)
	}
	if filter.OrgID != "" {
		// An exporter's list is newest first, as the store returns it.
		c.Shown = len(rows)
		return rows, c, nil
	}
	sort.SliceStable(rows, func(i, j int) bool {
		di, dj := dueKey(rows[i]), dueKey(rows[j])
		if di != dj {
			return di < dj
		}
		return rows[i].App.Number < rows[j].App.Number
	})
	c.Shown = len(rows)
	return rows, c, nil
}

// dueKey orders the queue: the earliest deadline first (the green target
// for green applications), paused ones after running ones, decided last.
func dueKey(r Row) string {
	switch {
	case !r.App.State.Open():
		return "9" + r.App.Number
	case r.Deadline.Paused:
		return "5" + r.App.ClockStart
	case r.App.Green && r.Deadline.GreenDue != "":
		return "1" + r.Deadline.GreenDue
	}
	return "1" + r.Deadline.Due
}

// LicenceView is a licence with its shipments.
type LicenceView struct {
	Licence      *rarex.Licence      `json:"licence"`
	Status       rarex.LicenceStatus `json:"status_today"`
	Shipments    []*rarex.Shipment   `json:"shipments"`
	QuantityLeft rarex.Quantity      `json:"quantity_left"`
	ValueLeft    rarex.Money         `json:"value_left"`
}

func (s *Service) loadLicence(ctx context.Context, actor *rarex.User, action rarex.Action, id string) (*rarex.Licence, error) {
	l, err := s.Store.Licence(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := rarex.Authorize(actor, action, l.OrgID); err != nil {
		if rarex.ScopeOf(actor.Role, action) == rarex.ScopeOwnOrg {
			return nil, rarex.Errorf(rarex.ENOTFOUND, "Licence %q not found.", id)
		}
		return nil, err
	}
	return l, nil
}

// Licence returns a licence with its shipments.
func (s *Service) Licence(ctx context.Context, actor *rarex.User, id string) (*LicenceView, error) {
	l, err := s.loadLicence(ctx, actor, rarex.ActViewApps, id)
	if err != nil {
		return nil, err
	}
	shs, err := s.Store.Shipments(ctx, id)
	if err != nil {
		return nil, err
	}
	return &LicenceView{Licence: l, Status: l.StatusOn(s.today()), Shipments: shs, QuantityLeft: l.QuantityLimit - l.QuantityUsed, ValueLeft: l.ValueLimit - l.ValueUsed}, nil
}

// Licences lists the actor's organisation's licences (all, for the authority).
func (s *Service) Licences(ctx context.Context, actor *rarex.User) ([]*rarex.Licence, error) {
	if err := rarex.Authorize(actor, rarex.ActViewApps, actor.OrgID); err != nil {
		return nil, err
	}
	org := actor.OrgID
	if rarex.ScopeOf(actor.Role, rarex.ActViewApps) == rarex.ScopeAny {
		org = ""
	}
	ls, err := s.Store.Licences(ctx, org)
	if err != nil {
		return nil, err
	}
	today := s.today()
	for _, l := range ls {
		l.Status = l.StatusOn(today)
	}
	return ls, nil
}

// ShipmentInput is a shipment as recorded by the exporter.
type ShipmentInput struct {
	Date      string         `json:"date"`
	Quantity  rarex.Quantity `json:"quantity"`
	Value     rarex.Money    `json:"value"`
	Consignee string         `json:"consignee"`
	Reference string         `json:"reference"`
}

// RecordShipment draws a licence down.
func (s *Service) RecordShipment(ctx context.Context, actor *rarex.User, licenceID string, in ShipmentInput) (*LicenceView, error) {
	l, err := s.loadLicence(ctx, actor, rarex.ActShip, licenceID)
	if err != nil {
		return nil, err
	}
	if in.Date == "" {
		in.Date = s.today()
	}
	if utf8.RuneCountInString(in.Reference) > 200 {
		return nil, i18n.Invalid("invalid.too_long", "reference", "200")
	}
	sh := &rarex.Shipment{ID: s.IDs.NewID(), LicenceID: l.ID, OrgID: l.OrgID, Date: in.Date, Quantity: in.Quantity, Value: in.Value,
		Consignee: strings.TrimSpace(in.Consignee), Reference: in.Reference, CreatedBy: actor.ID, CreatedAt: s.Clock.Now()}
	if err := licensing.CheckShipment(l, sh, s.today()); err != nil {
		return nil, err
	}
	ev := s.event(actor, l.OrgID, "licence", l.ID, "shipment.record", nil, nil)
	if _, err := s.Store.RecordShipment(ctx, sh, ev); err != nil {
		return nil, err
	}
	return s.Licence(ctx, actor, l.ID)
}

// SetLicenceStatus suspends, reinstates or revokes a licence, with a reason.
func (s *Service) SetLicenceStatus(ctx context.Context, actor *rarex.User, id string, to rarex.LicenceStatus, reason string) (*rarex.Licence, error) {
	l, err := s.loadLicence(ctx, actor, rarex.ActManageLicences, id)
	if err != nil {
		return nil, err
	}
	before := *l
	if err := licensing.SetStatus(l, to, reason); err != nil {
		return nil, err
	}
	l.UpdatedAt = s.Clock.Now()
	action := map[rarex.LicenceStatus]string{rarex.LicenceSuspended: "licence.suspend", rarex.LicenceActive: "licence.reinstate", rarex.LicenceRevoked: "licence.revoke"}[to]
	var out []*rarex.LogEntry
	if to == rarex.LicenceSuspended || to == rarex.LicenceRevoked {
		// Suspensions and revocations are decisions too: they go in the log.
		a, err := s.Store.Application(ctx, l.ApplicationID)
		if err != nil {
			return nil, err
		}
		e, err := s.logEntry(a, string(to), nil, -1, decisionRecord{LicenceID: l.ID, Reason: reason})
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if err := s.Store.SetLicenceStatus(ctx, l, before.Version, s.event(actor, l.OrgID, "licence", l.ID, action, before, l), out...); err != nil {
		return nil, err
	}
	return l, nil
}

// Events returns the audit trail after a sequence number: an exporter's
// own organisation's, or everyone's for an admin.
func (s *Service) Events(ctx context.Context, actor *rarex.User, after int64, limit int) ([]*rarex.AuditEvent, error) {
	if err := rarex.Authorize(actor, rarex.ActViewEvents, actor.OrgID); err != nil {
		return nil, err
	}
	f := rarex.EventFilter{After: after, Limit: limit, OrgID: actor.OrgID}
	if rarex.ScopeOf(actor.Role, rarex.ActViewEvents) == rarex.ScopeAny {
		f.OrgID = ""
	}
	return s.Store.Events(ctx, f)
}

// Register returns the validated end-user register.
func (s *Service) Register(ctx context.Context, actor *rarex.User) ([]*rarex.ValidatedEndUser, error) {
	if err := rarex.Authorize(actor, rarex.ActViewRegister, actor.OrgID); err != nil {
		return nil, err
	}
	return s.Store.ValidatedEndUsers(ctx)
}

// AddValidated puts an end user on the register.
func (s *Service) AddValidated(ctx context.Context, actor *rarex.User, name, country, note string) (*rarex.ValidatedEndUser, error) {
	if err := rarex.Authorize(actor, rarex.ActManageRegister, ""); err != nil {
		return nil, err
	}
	name = strings.TrimSpace(name)
	switch {
	case name == "" || !utf8.ValidString(name) || utf8.RuneCountInString(name) > 300:
		return nil, i18n.Invalid("invalid.required_max", "name", "300")
	case !rarex.IsCountry(country):
		return nil, i18n.Invalid("invalid.country", "country", country)
	case utf8.RuneCountInString(note) > 2000:
		return nil, i18n.Invalid("invalid.too_long", "note", "2000")
	}
	v := &rarex.ValidatedEndUser{ID: s.IDs.NewID(), Name: name, Country: country, Note: note, AddedBy: actor.ID, AddedAt: s.Clock.Now()}
	if err := s.Store.AddValidatedEndUser(ctx, v, s.event(actor, "", "register", v.ID, "register.add", nil, v)); err != nil {
		return nil, err
	}
	return v, nil
}

// RemoveValidated takes an end user off the register.
func (s *Service) RemoveValidated(ctx context.Context, actor *rarex.User, id string) error {
	if err := rarex.Authorize(actor, rarex.ActManageRegister, ""); err != nil {
		return err
	}
	return s.Store.DeleteValidatedEndUser(ctx, id, s.event(actor, "", "register", id, "register.remove", nil, nil))
}

// Profile returns an exporter's green-channel profile: its own, or any for the authority.
func (s *Service) Profile(ctx context.Context, actor *rarex.User, orgID string) (*rarex.ExporterProfile, error) {
	if err := rarex.Authorize(actor, rarex.ActViewRegister, orgID); err != nil && !(actor.OrgID == orgID && actor.Role == rarex.RoleExporter) {
		return nil, err
	}
	return s.Store.ExporterProfile(ctx, orgID)
}

// SetProfile records an exporter's compliance programme and last violation.
func (s *Service) SetProfile(ctx context.Context, actor *rarex.User, p rarex.ExporterProfile) (*rarex.ExporterProfile, error) {
	if err := rarex.Authorize(actor, rarex.ActManageRegister, p.OrgID); err != nil {
		return nil, err
	}
	org, err := s.Store.FindOrgByID(ctx, p.OrgID)
	if err != nil {
		return nil, err
	}
	if org.Kind != rarex.OrgExporter {
		return nil, i18n.Invalid("invalid.not_exporter", "org_id", org.Name)
	}
	for field, d := range map[string]string{"icp_registered": p.ICPRegistered, "last_violation": p.LastViolation} {
		if d != "" {
			if _, err := rules.ParseDate(d); err != nil {
				return nil, i18n.Invalid("invalid.detail", field, err.Error())
			}
		}
	}
	if utf8.RuneCountInString(p.ICPReference) > 100 {
		return nil, i18n.Invalid("invalid.too_long", "icp_reference", "100")
	}
	before, err := s.Store.ExporterProfile(ctx, p.OrgID)
	if err != nil {
		return nil, err
	}
	p.UpdatedBy, p.UpdatedAt = actor.ID, s.Clock.Now()
	if err := s.Store.SetExporterProfile(ctx, &p, s.event(actor, p.OrgID, "profile", p.OrgID, "profile.set", before, p)); err != nil {
		return nil, err
	}
	return &p, nil
}
