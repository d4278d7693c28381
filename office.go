package rarex

import (
	"context"
	"encoding/json"
	"time"
)

// AppState is where a licence application stands.
type AppState string

// Application states. docs/licensing.md draws the machine.
const (
	AppDraft         AppState = "draft"                    // the exporter is still writing it
	AppIncomplete    AppState = "incomplete"               // submitted, documents missing: the clock has not started
	AppUnderReview   AppState = "under_review"             // complete: the statutory clock runs
	AppInfoRequested AppState = "information_requested"    // the reviewer asked a question: the clock is paused
	AppCountersign   AppState = "pending_countersignature" // a decision waits for a second reviewer
	AppApproved      AppState = "approved"                 // a licence was issued
	AppDenied        AppState = "denied"
	AppNotRequired   AppState = "not_required" // nothing in it needs a licence
	AppWithdrawn     AppState = "withdrawn"
)

// Final reports whether no further transition leaves s.
func (s AppState) Final() bool {
	return s == AppApproved || s == AppDenied || s == AppNotRequired || s == AppWithdrawn
}

// Open reports whether the authority still has to decide.
func (s AppState) Open() bool {
	return s == AppUnderReview || s == AppInfoRequested || s == AppCountersign
}

// LicenceType is individual (one contract, ≤ 1 year) or general (repeated
// exports to named customers, ≤ 3 years).
type LicenceType string

// Licence types.
const (
	LicenceIndividual LicenceType = "individual"
	LicenceGeneral    LicenceType = "general"
)

// Valid reports whether t is a known type.
func (t LicenceType) Valid() bool { return t == LicenceIndividual || t == LicenceGeneral }

// Party is a named party to an export: consignee, end user or intermediary.
type Party struct {
	Name    string `json:"name"`
	Address string `json:"address,omitempty"`
	Country string `json:"country"`
	// Type is the end-user type (civilian, military, ...) for the end user,
	// the role (broker, forwarder, distributor, ...) for an intermediary.
	Type string `json:"type,omitempty"`
}

// AppLine is one item an application asks to export. Quantity and Value
// are exact decimals; all lines share one unit and one currency, since the
// licence limits one quantity and one value.
type AppLine struct {
	Description string   `json:"description"`
	Class       string   `json:"class"`
	Elements    []string `json:"elements,omitempty"`
	HSCode      string   `json:"hs_code,omitempty"`
	Origin      string   `json:"origin,omitempty"`
	Quantity    Quantity `json:"quantity"`
	Unit        string   `json:"unit"`
	Value       Money    `json:"value"`
	Currency    string   `json:"currency"`
	// BOMID and Product name a stored BOM whose roll-up gives the line's
	// China-origin controlled content (foreign-made products, Ann. 61).
	BOMID   string `json:"bom_id,omitempty"`
	Product string `json:"product,omitempty"`
}

// EndUseStatement is what the goods will be used for.
type EndUseStatement struct {
	Category  string `json:"category"`
	Statement string `json:"statement"`
}

// ApplicationBody is what the exporter writes; it is frozen at submission.
type ApplicationBody struct {
	Lines          []AppLine       `json:"lines"`
	ShipFrom       string          `json:"ship_from"`
	Destination    string          `json:"destination"`
	Consignee      Party           `json:"consignee"`
	EndUser        Party           `json:"end_user"`
	Intermediaries []Party         `json:"intermediaries,omitempty"`
	EndUse         EndUseStatement `json:"end_use"`
	ContractRef    string          `json:"contract_ref,omitempty"`
	LicenceType    LicenceType     `json:"licence_type"`
	ValidityMonths int             `json:"validity_months"`
	Interpretation string          `json:"interpretation,omitempty"`
}

// Pause is a stretch of time the statutory clock stood still, from the day
// information was requested to the day it was answered (To empty: still open).
type Pause struct {
	From string `json:"from"`
	To   string `json:"to,omitempty"`
}

// Message is one post in an application's thread between the reviewer and
// the exporter.
type Message struct {
	ID        string    `json:"id"`
	AuthorID  string    `json:"author_id"`
	Author    string    `json:"author"`
	Role      Role      `json:"role"`
	Kind      string    `json:"kind"` // question, answer, note
	Body      string    `json:"body"`
	Documents []string  `json:"documents,omitempty"` // ids of documents sent with it
	At        time.Time `json:"at"`
}

// Decision is a reviewer's approval or denial. Above the countersignature
// value (and for every denial) a second reviewer must sign it.
type Decision struct {
	Kind        string      `json:"kind"` // approve or deny
	By          string      `json:"by"`
	ByName      string      `json:"by_name"`
	At          time.Time   `json:"at"`
	Reasons     string      `json:"reasons"`
	RuleIDs     []string    `json:"rule_ids,omitempty"`
	LicenceType LicenceType `json:"licence_type,omitempty"`
	ValidFrom   string      `json:"valid_from,omitempty"`
	ValidTo     string      `json:"valid_to,omitempty"` // last day the licence may be used
	Quantity    Quantity    `json:"quantity_limit,omitempty"`
	Value       Money       `json:"value_limit,omitempty"`
	Conditions  string      `json:"conditions,omitempty"`
	// NeedsCountersign is set when the decision was proposed; CounterBy
	// and CounterAt when the second reviewer signed.
	NeedsCountersign bool       `json:"needs_countersign"`
	CounterBy        string     `json:"countersigned_by,omitempty"`
	CounterName      string     `json:"countersigned_by_name,omitempty"`
	CounterAt        *time.Time `json:"countersigned_at,omitempty"`
}

// Decision kinds.
const (
	DecisionApprove = "approve"
	DecisionDeny    = "deny"
)

// Application is a licence application and everything that happened to it.
// Version increases with every stored change: a write made against an older
// version fails with ECONFLICT, so of two reviewers acting at once exactly
// one wins.
type Application struct {
	ID      string          `json:"id"`
	Number  string          `json:"number"` // human-readable, e.g. A-2026-00017
	OrgID   string          `json:"org_id"`
	OrgName string          `json:"org_name"`
	State   AppState        `json:"state"`
	Version int             `json:"version"`
	Body    ApplicationBody `json:"body"`
	// Snapshot is the determination of every line and the screening of
	// every party, frozen at submission (licensing.Snapshot as JSON).
	Snapshot json.RawMessage `json:"snapshot,omitempty"`
	Green    bool            `json:"green"` // in the green-channel queue
	// ClockStart is the day the application became complete; the review
	// period counts working days after it.
	ClockStart  string     `json:"clock_start,omitempty"`
	Pauses      []Pause    `json:"pauses,omitempty"`
	Due         string     `json:"due,omitempty"`       // statutory deadline (working days)
	GreenDue    string     `json:"green_due,omitempty"` // green-channel target
	Messages    []Message  `json:"messages,omitempty"`
	Proposal    *Decision  `json:"proposal,omitempty"` // awaiting countersignature
	Decision    *Decision  `json:"decision,omitempty"` // final
	LicenceID   string     `json:"licence_id,omitempty"`
	CreatedBy   string     `json:"created_by"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	SubmittedAt *time.Time `json:"submitted_at,omitempty"`
	DecidedAt   *time.Time `json:"decided_at,omitempty"`
}

// DocKind is the purpose of an uploaded document.
type DocKind string

// Document kinds an application can carry.
const (
	DocEndUserCert DocKind = "end_user_certificate"
	DocEndUseCert  DocKind = "end_use_certificate"
	DocContract    DocKind = "contract"
	DocTechnical   DocKind = "technical_description"
	DocOther       DocKind = "other"
)

// DocKinds lists the kinds, in the order forms show them.
var DocKinds = []DocKind{DocEndUserCert, DocEndUseCert, DocContract, DocTechnical, DocOther}

// Valid reports whether k is a known kind.
func (k DocKind) Valid() bool {
	for _, x := range DocKinds {
		if k == x {
			return true
		}
	}
	return false
}

// Document is an uploaded file attached to an application. The bytes are
// stored apart; SHA256 lets anyone check them.
type Document struct {
	ID            string    `json:"id"`
	ApplicationID string    `json:"application_id"`
	OrgID         string    `json:"org_id"`
	Kind          DocKind   `json:"kind"`
	Filename      string    `json:"filename"`
	ContentType   string    `json:"content_type"` // sniffed, never the client's claim
	Size          int64     `json:"size"`
	SHA256        string    `json:"sha256"`
	UploadedBy    string    `json:"uploaded_by"`
	UploadedAt    time.Time `json:"uploaded_at"`
}

// LicenceStatus is where a licence stands. Expiry is by date and is
// computed, not stored: a licence past ValidTo reads as expired.
type LicenceStatus string

// Licence statuses.
const (
	LicenceActive    LicenceStatus = "active"
	LicenceSuspended LicenceStatus = "suspended"
	LicenceRevoked   LicenceStatus = "revoked"
	LicenceExhausted LicenceStatus = "exhausted"
	LicenceExpired   LicenceStatus = "expired"
)

// Licence is an issued export licence; shipments draw it down.
type Licence struct {
	ID            string        `json:"id"`
	Number        string        `json:"number"` // e.g. RE-G-2026-00003
	ApplicationID string        `json:"application_id"`
	OrgID         string        `json:"org_id"`
	OrgName       string        `json:"org_name"`
	Type          LicenceType   `json:"type"`
	Status        LicenceStatus `json:"status"`
	ValidFrom     string        `json:"valid_from"`
	ValidTo       string        `json:"valid_to"`
	Unit          string        `json:"unit"`
	Currency      string        `json:"currency"`
	QuantityLimit Quantity      `json:"quantity_limit"`
	QuantityUsed  Quantity      `json:"quantity_used"`
	ValueLimit    Money         `json:"value_limit"`
	ValueUsed     Money         `json:"value_used"`
	// Consignees a general licence may ship to without a new application.
	Consignees  []string  `json:"consignees"`
	Destination string    `json:"destination"`
	Items       string    `json:"items"` // the lines, summarised for the printed licence
	Conditions  string    `json:"conditions,omitempty"`
	Reason      string    `json:"reason,omitempty"` // of the last suspension or revocation
	Version     int       `json:"version"`
	IssuedAt    time.Time `json:"issued_at"`
	IssuedBy    string    `json:"issued_by"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// StatusOn is the licence's status on day (YYYY-MM-DD): Expired past
// ValidTo while otherwise active.
func (l *Licence) StatusOn(day string) LicenceStatus {
	if l.Status == LicenceActive && day > l.ValidTo {
		return LicenceExpired
	}
	return l.Status
}

// Shipment is one export made under a licence.
type Shipment struct {
	ID        string    `json:"id"`
	LicenceID string    `json:"licence_id"`
	OrgID     string    `json:"org_id"`
	Date      string    `json:"date"`
	Quantity  Quantity  `json:"quantity"`
	Value     Money     `json:"value"`
	Consignee string    `json:"consignee"`
	Reference string    `json:"reference,omitempty"` // customs declaration or invoice
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// AuditEvent is one state change, written in the transaction that made it.
// Seq orders events in commit order across the whole store, so a feed
// reader that asks for events after the last Seq it saw misses none.
type AuditEvent struct {
	Seq       int64           `json:"seq"`
	ID        string          `json:"id"`
	OrgID     string          `json:"org_id"` // the tenant the subject belongs to ("" for the authority's own records)
	Subject   string          `json:"subject"`
	SubjectID string          `json:"subject_id"`
	Action    string          `json:"action"`
	ActorID   string          `json:"actor_id"`
	ActorRole Role            `json:"actor_role"`
	At        time.Time       `json:"at"`
	Before    json.RawMessage `json:"before,omitempty"`
	After     json.RawMessage `json:"after,omitempty"`
}

// ValidatedEndUser is an entry of the authority's register of validated
// civilian end users: exports to them may take the green channel.
type ValidatedEndUser struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Country string    `json:"country"`
	Note    string    `json:"note,omitempty"`
	AddedBy string    `json:"added_by"`
	AddedAt time.Time `json:"added_at"`
}

// ExporterProfile is what the authority knows of an exporter for the green
// channel: its internal compliance programme and its last violation.
type ExporterProfile struct {
	OrgID         string    `json:"org_id"`
	ICPReference  string    `json:"icp_reference,omitempty"`  // registration of the compliance programme; empty: none
	ICPRegistered string    `json:"icp_registered,omitempty"` // date
	LastViolation string    `json:"last_violation,omitempty"` // date; empty: none on record
	UpdatedBy     string    `json:"updated_by"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// ApplicationFilter selects applications. Empty fields do not filter.
type ApplicationFilter struct {
	OrgID  string
	States []AppState
	Limit  int
}

// EventFilter selects audit events after a sequence number.
type EventFilter struct {
	OrgID     string // "" for every organisation's
	SubjectID string
	After     int64
	Limit     int
}

// OfficeStore keeps the licence office: applications, documents,
// licences, shipments, the audit trail and the green-channel registers.
// Every change writes its audit events in the same transaction.
type OfficeStore interface {
	// CreateApplication stores a new application and gives it its Number.
	CreateApplication(ctx context.Context, a *Application, ev *AuditEvent) error
	Application(ctx context.Context, id string) (*Application, error)
	Applications(ctx context.Context, f ApplicationFilter) ([]*Application, error)
	// UpdateApplication stores a, which was read at version prev, and bumps
	// its Version; ECONFLICT if it changed since. A non-nil lic is issued in
	// the same transaction and given its Number.
	// Log entries in out join the public log's outbox in the same transaction.
	UpdateApplication(ctx context.Context, a *Application, prev int, evs []*AuditEvent, lic *Licence, out ...*LogEntry) error

	// AddDocument stores a document and its bytes.
	AddDocument(ctx context.Context, d *Document, data []byte, ev *AuditEvent) error
	Documents(ctx context.Context, applicationID string) ([]*Document, error)
	DocumentData(ctx context.Context, id string) (*Document, []byte, error)

	Licence(ctx context.Context, id string) (*Licence, error)
	Licences(ctx context.Context, orgID string) ([]*Licence, error)
	// SetLicenceStatus moves a licence read at version prev to status (ECONFLICT if it changed).
	SetLicenceStatus(ctx context.Context, l *Licence, prev int, ev *AuditEvent, out ...*LogEntry) error
	// RecordShipment draws the licence down by the shipment, atomically:
	// ECONFLICT if the licence is not active on the shipment's date or the
	// shipment exceeds what remains. A licence drawn to zero on either
	// limit becomes exhausted. It returns the licence after the draw.
	RecordShipment(ctx context.Context, sh *Shipment, ev *AuditEvent) (*Licence, error)
	Shipments(ctx context.Context, licenceID string) ([]*Shipment, error)

	// Events returns audit events in Seq order.
	Events(ctx context.Context, f EventFilter) ([]*AuditEvent, error)

	AddValidatedEndUser(ctx context.Context, v *ValidatedEndUser, ev *AuditEvent) error
	ValidatedEndUsers(ctx context.Context) ([]*ValidatedEndUser, error)
	DeleteValidatedEndUser(ctx context.Context, id string, ev *AuditEvent) error
	// SetExporterProfile creates or replaces an exporter's profile.
	SetExporterProfile(ctx context.Context, p *ExporterProfile, ev *AuditEvent) error
	// ExporterProfile returns the profile, or an empty one if none is stored.
	ExporterProfile(ctx context.Context, orgID string) (*ExporterProfile, error)

	LogOutbox
}

// IdempotentResponse is a stored response to a request sent with an
// Idempotency-Key.
type IdempotentResponse struct {
	Status int
	Body   []byte
}

// IdempotencyStore lets a retried POST return the first response instead
// of acting twice.
type IdempotencyStore interface {
	// ReserveIdempotencyKey claims a user's key for a request hash. It
	// returns the stored response when the same request completed before;
	// nil when the caller should run the request; ECONFLICT when the key
	// belongs to a different request or its first run is still going.
	// Keys older than a day are forgotten.
	ReserveIdempotencyKey(ctx context.Context, userID, key, requestHash string, at time.Time) (*IdempotentResponse, error)
	// CompleteIdempotencyKey stores the response of a reserved key.
	CompleteIdempotencyKey(ctx context.Context, userID, key string, resp IdempotentResponse) error
	// ReleaseIdempotencyKey forgets a reserved key whose request failed, so it can be retried.
	ReleaseIdempotencyKey(ctx context.Context, userID, key string) error
}

// LogEntry is a public-log entry waiting in the outbox or appended. Entry
// is what is logged; Opening (salt and full record) is the exporter's proof
// material and is never published.
type LogEntry struct {
	ID        string     `json:"id"`
	SubjectID string     `json:"subject_id"` // the application
	OrgID     string     `json:"org_id"`
	Entry     []byte     `json:"-"`
	Opening   []byte     `json:"-"`
	Index     *int64     `json:"index,omitempty"` // nil until appended
	CreatedAt time.Time  `json:"created_at"`
	LoggedAt  *time.Time `json:"logged_at,omitempty"`
}

// LogOutbox is the transactional outbox between decisions and the log.
type LogOutbox interface {
	// PendingLogEntries returns entries not yet appended, oldest first.
	PendingLogEntries(ctx context.Context, limit int) ([]*LogEntry, error)
	// MarkLogged records the index each entry (by id) got, in one
	// transaction (ECONFLICT if one is logged already or its index is taken).
	MarkLogged(ctx context.Context, indexOf map[string]int64, at time.Time) error
	// MaxLoggedIndex is the highest recorded index, -1 for none.
	MaxLoggedIndex(ctx context.Context) (int64, error)
	// LogEntries returns a subject's entries, oldest first.
	LogEntries(ctx context.Context, subjectID string) ([]*LogEntry, error)
}
