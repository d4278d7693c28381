package rarex

import (
	"context"
	"time"
)

// ScreeningList is a restricted-party list imported into rarex, at its
// current version.
type ScreeningList struct {
	ID         string    `json:"id"` // chosen at import, e.g. cn-sanctions
	Title      string    `json:"title"`
	Format     string    `json:"format"`
	Version    int       `json:"version"`
	SHA256     string    `json:"sha256"` // of the file of the current version
	Entries    int       `json:"entries"`
	Names      int       `json:"names"`
	ImportedAt time.Time `json:"imported_at"`
}

// ListVersion is one import of a list: its file's hash, counts and what
// changed against the version before.
type ListVersion struct {
	ListID     string    `json:"list_id"`
	Version    int       `json:"version"`
	SHA256     string    `json:"sha256"`
	Entries    int       `json:"entries"`
	Names      int       `json:"names"`
	Added      int       `json:"added"`
	Removed    int       `json:"removed"`
	Changed    int       `json:"changed"`
	Diff       string    `json:"diff"` // JSON: {"added":[ids],"removed":[ids],"changed":[ids]}
	Forced     bool      `json:"forced"`
	ImportedBy string    `json:"imported_by"`
	ImportedAt time.Time `json:"imported_at"`
	// AlertsRaised is how many alerts on watched parties this import
	// raised, reported by the import itself (not stored).
	AlertsRaised int `json:"alerts_raised,omitempty"`
}

// ListEntry is one stored entry of a list's current version. Hash is of
// its content: a clearance holds for that hash only.
type ListEntry struct {
	EntryID string
	Hash    string
	Data    []byte // the entry as JSON (screen.Entry)
}

// Clearance records that a hit of a party on a list entry was judged a
// false positive, for that version (hash) of the entry only.
type Clearance struct {
	ID        string    `json:"id"`
	OrgID     string    `json:"org_id"`
	Party     string    `json:"party"` // the party's name in normal form
	ListID    string    `json:"list_id"`
	EntryID   string    `json:"entry_id"`
	EntryHash string    `json:"entry_hash"`
	Reason    string    `json:"reason"`
	ClearedBy string    `json:"cleared_by"`
	ClearedAt time.Time `json:"cleared_at"`
}

// ListStore keeps imported lists and clearances.
type ListStore interface {
	// ImportList makes v the list's current version with exactly entries,
	// in one transaction. prev is the version the import was computed
	// against (0 for a new list): ECONFLICT if another import came first.
	ImportList(ctx context.Context, l *ScreeningList, v *ListVersion, entries []ListEntry, prev int) error
	// Lists returns every list at its current version, by id.
	Lists(ctx context.Context) ([]*ScreeningList, error)
	// ListEntries returns a list's current entries (ENOTFOUND for no list).
	ListEntries(ctx context.Context, listID string) ([]ListEntry, error)
	// ListVersions returns a list's versions, newest first.
	ListVersions(ctx context.Context, listID string) ([]*ListVersion, error)
	// AddClearance stores a clearance (ECONFLICT if the same one exists).
	AddClearance(ctx context.Context, c *Clearance) error
	// Clearances returns an organisation's clearances, newest first.
	Clearances(ctx context.Context, orgID string) ([]*Clearance, error)
}

// WatchedParty is a counterparty an organisation keeps screened: each new
// version of a list re-screens it, and new hits raise alerts.
type WatchedParty struct {
	ID        string    `json:"id"`
	OrgID     string    `json:"org_id"`
	Name      string    `json:"name"`
	Country   string    `json:"country,omitempty"`
	Type      string    `json:"type,omitempty"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Alert is a new hit of a watched party, raised by a list import.
type Alert struct {
	ID             string     `json:"id"`
	OrgID          string     `json:"org_id"`
	PartyID        string     `json:"party_id"`
	PartyName      string     `json:"party_name"`
	ListID         string     `json:"list_id"`
	ListVersion    int        `json:"list_version"`
	EntryID        string     `json:"entry_id"`
	EntryHash      string     `json:"entry_hash"`
	EntryName      string     `json:"entry_name"`
	Meaning        string     `json:"meaning"`
	Score          float64    `json:"score"`
	CreatedAt      time.Time  `json:"created_at"`
	AcknowledgedAt *time.Time `json:"acknowledged_at,omitempty"`
	AcknowledgedBy string     `json:"acknowledged_by,omitempty"`
}

// PartyStore keeps watched parties and their alerts.
type PartyStore interface {
	// AddParty stores a watched party (ECONFLICT for the same name twice in an organisation).
	AddParty(ctx context.Context, p *WatchedParty) error
	// Parties returns an organisation's watched parties ("" for every organisation's), by name.
	Parties(ctx context.Context, orgID string) ([]*WatchedParty, error)
	// DeleteParty removes a watched party and its alerts (ENOTFOUND if absent).
	DeleteParty(ctx context.Context, id string) error
	// AddAlerts stores alerts, skipping any for the same party, list entry and entry version as one stored before; it returns how many it stored.
	AddAlerts(ctx context.Context, as []*Alert) (int, error)
	// Alerts returns an organisation's alerts, newest first.
	Alerts(ctx context.Context, orgID string) ([]*Alert, error)
	// AcknowledgeAlert marks an alert seen (ENOTFOUND if absent or not orgID's).
	AcknowledgeAlert(ctx context.Context, orgID, id, by string, at time.Time) error
}
