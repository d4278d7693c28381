package screen

import (
	"fmt"
	"strings"
)

// Meaning is what being on a list means for a determination.
type Meaning string

// The meanings the rules engine knows.
const (
	ControlList      Meaning = "control_list"      // MOFCOM Export Control List (ECL Art. 18; Ann. 61 Art. 2)
	WatchList        Meaning = "watch_list"        // MOFCOM export-control watch list
	UnreliableEntity Meaning = "unreliable_entity" // MOFCOM Unreliable Entity List
	MilitaryEndUser  Meaning = "military_end_user" // a military end user
	Sanctions        Meaning = "sanctions"         // sanctions or countermeasures
	DeniedParty      Meaning = "denied_party"      // export privileges denied (e.g. BIS DPL)
)

// Meanings lists every meaning, for validation and docs.
var Meanings = []Meaning{ControlList, WatchList, UnreliableEntity, MilitaryEndUser, Sanctions, DeniedParty}

// Entry types.
const (
	Person       = "person"
	Organisation = "organisation"
	Vessel       = "vessel"
	Aircraft     = "aircraft"
	Unknown      = "unknown"
)

// Entry is one listed party.
type Entry struct {
	ID        string   `json:"id"`     // unique within its source
	Source    string   `json:"source"` // e.g. cn-sanctions, ofac-sdn, un, bis-dpl
	List      string   `json:"list"`   // the list's own name
	Meaning   Meaning  `json:"meaning"`
	Type      string   `json:"type"`
	Names     []string `json:"names"` // the primary name first, then aliases and other scripts
	Countries []string `json:"countries,omitempty"`
	Dates     []string `json:"dates,omitempty"` // listing dates, YYYY-MM-DD
	Programs  []string `json:"programs,omitempty"`
	SourceURL string   `json:"source_url,omitempty"`
}

// ReadError names the file, line and field of bad list input.
type ReadError struct {
	File  string
	Line  int
	Field string
	Msg   string
}

func (e *ReadError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Field, e.Msg)
}

// addName appends a non-empty, not yet present name.
func (e *Entry) addName(n string) {
	n = strings.TrimSpace(n)
	if n == "" {
		return
	}
	for _, have := range e.Names {
		if have == n {
			return
		}
	}
	e.Names = append(e.Names, n)
}
