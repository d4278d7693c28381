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
