// Package tlog is rarex's public record: licence decisions appended to a
// Merkle-tree log in the transparency community's formats (C2SP
// tlog-tiles, signed-note checkpoints, tlog-proof receipts), so overseers
// can check that history was never rewritten. Entries carry coarse public
// fields and a salted commitment to the full decision record; the salt and
// record (the opening) go to the exporter only.
package tlog

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
)

// EntryVersion is the version of the entry format.
const EntryVersion = 1

// MaxEntryBytes bounds an entry's canonical form.
const MaxEntryBytes = 1024

// Decision types an entry can record.
var DecisionTypes = []string{"approved", "denied", "revoked", "suspended"}

// Decision is a decision entry's public part. Field order is the canonical
// order; nothing here names a company, a party, a quantity or a price.
type Decision struct {
	V          int      `json:"v"`
	Kind       string   `json:"kind"`       // "decision"
	Day        string   `json:"day"`        // YYYY-MM-DD of the decision
	Type       string   `json:"type"`       // approved, denied, revoked, suspended
	Class      string   `json:"class"`      // item class of the first line
	Region     string   `json:"region"`     // UN M49 region of the destination
	Basis      []string `json:"basis"`      // rule ids (the legal basis)
	Green      bool     `json:"green"`      // decided in the green channel
	Days       int      `json:"days"`       // working days from complete application to decision (-1: none)
	Commitment string   `json:"commitment"` // hex SHA-256 commitment to the opening
}

var (
	dayRE   = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	tokenRE = regexp.MustCompile(`^[A-Za-z0-9_.:-]{1,64}$`)
	hexRE   = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// Canonical returns the entry's bytes as logged: compact JSON in field
// order. It refuses an entry that is not well-formed.
func (d Decision) Canonical() ([]byte, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	if d.Basis == nil {
		d.Basis = []string{}
	}
	b, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	if len(b) > MaxEntryBytes {
		return nil, fmt.Errorf("entry: %d bytes; at most %d", len(b), MaxEntryBytes)
	}
	return b, nil
}

func (d Decision) check() error {
	switch {
	case d.V != EntryVersion:
		return fmt.Errorf("entry v: %d is not %d", d.V, EntryVersion)
	case d.Kind != "decision":
		return fmt.Errorf("entry kind: %q is not decision", d.Kind)
	case !dayRE.MatchString(d.Day):
		return fmt.Errorf("entry day: %q is not YYYY-MM-DD", d.Day)
	case !slices.Contains(DecisionTypes, d.Type):
		return fmt.Errorf("entry type: %q is not one of %v", d.Type, DecisionTypes)
	case !tokenRE.MatchString(d.Class):
		return fmt.Errorf("entry class: %q", d.Class)
	case !tokenRE.MatchString(d.Region):
		return fmt.Errorf("entry region: %q", d.Region)
	case d.Days < -1 || d.Days > 10000:
		return fmt.Errorf("entry days: %d", d.Days)
	case !hexRE.MatchString(d.Commitment):
		return fmt.Errorf("entry commitment: %q is not 64 lower-case hex digits", d.Commitment)
	case len(d.Basis) > 20:
		return fmt.Errorf("entry basis: %d rules; at most 20", len(d.Basis))
	}
	for i, r := range d.Basis {
		if !tokenRE.MatchString(r) {
			return fmt.Errorf("entry basis[%d]: %q", i, r)
		}
	}
	return nil
}

// ParseEntry reads a logged decision entry strictly: it must be exactly the
// canonical form of what it decodes to, so one decision has one encoding.
func ParseEntry(b []byte) (*Decision, error) {
	var d Decision
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("entry: %v", err)
	}
	canon, err := d.Canonical()
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(canon, b) {
		return nil, fmt.Errorf("entry: not in canonical form")
	}
	return &d, nil
}

// commitDomain separates rarex decision commitments from any other hash.
const commitDomain = "rarex/v1/decision"

// Opening is what proves an entry's commitment: a fresh 32-byte salt and
// the full decision record it commits to.
type Opening struct {
	Salt   string          `json:"salt"`   // hex, 32 bytes
	Record json.RawMessage `json:"record"` // the full decision record, canonical JSON
}

// NewOpening salts a record. Each record gets a fresh salt, so entries
// cannot be linked or brute-forced from their few public fields.
func NewOpening(record any) (*Opening, error) {
	rec, err := json.Marshal(record)
	if err != nil {
		return nil, err
	}
	var salt [32]byte
	if _, err := rand.Read(salt[:]); err != nil {
		return nil, err
	}
	return &Opening{Salt: hex.EncodeToString(salt[:]), Record: rec}, nil
}

// Commitment is SHA-256(domain ‖ salt ‖ record), in hex.
func (o *Opening) Commitment() (string, error) {
	salt, err := hex.DecodeString(o.Salt)
	if err != nil || len(salt) != 32 {
		return "", fmt.Errorf("opening salt: want 64 hex digits")
	}
	h := sha256.New()
	h.Write([]byte(commitDomain))
	h.Write(salt)
	h.Write(o.Record)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Opens reports whether the opening is the one the entry commits to.
func (o *Opening) Opens(d *Decision) error {
	c, err := o.Commitment()
	if err != nil {
		return err
	}
	if c != d.Commitment {
		return fmt.Errorf("the opening does not match the entry's commitment")
	}
	return nil
}
