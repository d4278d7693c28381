// Package screening is the stored-list use-case layer: lists are imported
// as versions (hash, counts, a diff, and a guard against silently dropping
// entries), screened against in memory, and hits can be cleared as false
// positives for one version of an entry.
package screening

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"rarex"
	"rarex/i18n"
	"rarex/screen"
)

// MaxBatch is the most parties one screening call takes.
const MaxBatch = 1000

// MaxDrop is the share of a list's entries an import may drop without force.
const MaxDrop = 0.05

// Service screens parties against the stored lists.
type Service struct {
	Store rarex.Store
	Clock rarex.Clock
	IDs   rarex.IDSource

	mu     sync.RWMutex
	ix     *screen.Index
	listOf map[*screen.Entry]string // the stored list of each indexed entry
	hashOf map[string]string        // listID/entryID → entry hash
}

// Load builds the in-memory index from the stored lists. Call it at start.
func (s *Service) Load(ctx context.Context) error {
	lists, err := s.Store.Lists(ctx)
	if err != nil {
		return err
	}
	var entries []screen.Entry
	var listIDs []string
	hashOf := map[string]string{}
	for _, l := range lists {
		rows, err := s.Store.ListEntries(ctx, l.ID)
		if err != nil {
			return err
		}
		for _, r := range rows {
			var e screen.Entry
			if err := json.Unmarshal(r.Data, &e); err != nil {
				return fmt.Errorf("list %s entry %s: stored data: %w", l.ID, r.EntryID, err)
			}
			entries = append(entries, e)
			listIDs = append(listIDs, l.ID)
			hashOf[l.ID+"/"+r.EntryID] = r.Hash
		}
	}
	ix := screen.NewIndex(entries)
	listOf := make(map[*screen.Entry]string, len(entries))
	for i := range ix.Entries {
		listOf[&ix.Entries[i]] = listIDs[i]
	}
	s.mu.Lock()
	s.ix, s.listOf, s.hashOf = ix, listOf, hashOf
	s.mu.Unlock()
	return nil
}

// ImportRequest is a list file to import as the list's next version.
type ImportRequest struct {
	ListID string    // e.g. cn-sanctions: letters, digits and hyphens
	Title  string    // default: the first entry's list name
	Format string    // a screen format; "ofac" needs Entries instead
	File   string    // the file's name, for errors
	Body   io.Reader // the file
	Force  bool      // import even if it drops more than MaxDrop of the entries
	// Entries, when set, are imported instead of parsing Body (formats
	// made of several files, such as OFAC's, are read by the caller);
	// SHA256 then names their files' hash.
	Entries []screen.Entry
	SHA256  string
}

// Import reads a list file and makes it the list's next version. A file
// that does not parse, or that would drop more than MaxDrop of the
// entries without Force, leaves the stored list as it was.
func (s *Service) Import(ctx context.Context, actor *rarex.User, req ImportRequest) (*rarex.ListVersion, error) {
	if err := rarex.Authorize(actor, rarex.ActImportLists, ""); err != nil {
		return nil, err
	}
	if !validListID(req.ListID) {
		return nil, rarex.Errorf(rarex.EINVALID, "list id: %q must be 1 to 64 lower-case letters, digits and hyphens", req.ListID)
	}
	entries, sum := req.Entries, req.SHA256
	if entries == nil {
		h := sha256.New()
		var err error
		entries, err = screen.ReadList(io.TeeReader(req.Body, h), req.File, req.Format)
		if err != nil {
			return nil, rarex.Errorf(rarex.EINVALID, "%v", err)
		}
		sum = hex.EncodeToString(h.Sum(nil))
	}
	if len(entries) == 0 {
		return nil, rarex.Errorf(rarex.EINVALID, "%s: the list has no entries", req.File)
	}
	rows := make([]rarex.ListEntry, len(entries))
	names := 0
	seen := map[string]bool{}
	for i, e := range entries {
		if seen[e.ID] {
			return nil, rarex.Errorf(rarex.EINVALID, "%s: entry id %q appears twice", req.File, e.ID)
		}
		seen[e.ID] = true
		data, err := json.Marshal(e)
		if err != nil {
			return nil, err
		}
		h := sha256.Sum256(data)
		rows[i] = rarex.ListEntry{EntryID: e.ID, Hash: hex.EncodeToString(h[:16]), Data: data}
		names += len(e.Names)
	}
	prev, prevVersion, err := s.current(ctx, req.ListID)
	if err != nil {
		return nil, err
	}
	diff := diffOf(prev, rows)
	if n := len(prev); n > 0 && float64(len(diff.Removed)) > MaxDrop*float64(n) && !req.Force {
		return nil, rarex.Errorf(rarex.EINVALID, "%s would drop %d of the %d entries of list %s (%.1f%%, more than %.0f%%): check the file, or import it with force",
			req.File, len(diff.Removed), n, req.ListID, 100*float64(len(diff.Removed))/float64(n), 100*MaxDrop)
	}
	title := strings.TrimSpace(req.Title)
	if title == "" {
		// The list's own name when the file holds one list; a file of
		// several (the China lists CSV) is named by its id.
		title = entries[0].List
		for _, e := range entries {
			if e.List != title {
				title = req.ListID
				break
			}
		}
	}
	diffJSON, _ := json.Marshal(diff)
	now := s.Clock.Now()
	l := &rarex.ScreeningList{ID: req.ListID, Title: title, Format: req.Format, SHA256: sum, Entries: len(rows), Names: names, ImportedAt: now}
	v := &rarex.ListVersion{ListID: req.ListID, Version: prevVersion + 1, SHA256: sum, Entries: len(rows), Names: names,
		Added: len(diff.Added), Removed: len(diff.Removed), Changed: len(diff.Changed), Diff: string(diffJSON),
		Forced: req.Force && float64(len(diff.Removed)) > MaxDrop*float64(len(prev)), ImportedBy: actor.ID, ImportedAt: now}
	if err := s.Store.ImportList(ctx, l, v, rows, prevVersion); err != nil {
		return nil, err
	}
	if err := s.Load(ctx); err != nil {
		return nil, err
	}
	ps, err := s.Store.Parties(ctx, "")
	if err != nil {
		return nil, err
	}
	n, err := s.rescreen(ctx, ps, req.ListID, v.Version)
	v.AlertsRaised = n
	return v, err
}

// current returns the list's stored entry hashes and version (0 if new).
func (s *Service) current(ctx context.Context, listID string) (map[string]string, int, error) {
	lists, err := s.Store.Lists(ctx)
	if err != nil {
		return nil, 0, err
	}
	for _, l := range lists {
		if l.ID != listID {
			continue
		}
		rows, err := s.Store.ListEntries(ctx, listID)
		if err != nil {
			return nil, 0, err
		}
		m := make(map[string]string, len(rows))
		for _, r := range rows {
			m[r.EntryID] = r.Hash
		}
		return m, l.Version, nil
	}
	return map[string]string{}, 0, nil
}

// Diff is what an import changed, by entry id.
type Diff struct {
	Added   []string `json:"added,omitempty"`
	Removed []string `json:"removed,omitempty"`
	Changed []string `json:"changed,omitempty"`
}

func diffOf(prev map[string]string, rows []rarex.ListEntry) Diff {
	var d Diff
	now := map[string]bool{}
	for _, r := range rows {
		now[r.EntryID] = true
		switch h, ok := prev[r.EntryID]; {
		case !ok:
			d.Added = append(d.Added, r.EntryID)
		case h != r.Hash:
			d.Changed = append(d.Changed, r.EntryID)
		}
	}
	for id := range prev {
		if !now[id] {
			d.Removed = append(d.Removed, id)
		}
	}
	sort.Strings(d.Added)
	sort.Strings(d.Removed)
	sort.Strings(d.Changed)
	return d
}

func validListID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// Lists returns the stored lists with their current versions.
func (s *Service) Lists(ctx context.Context, actor *rarex.User) ([]*rarex.ScreeningList, error) {
	if err := rarex.Authorize(actor, rarex.ActViewLists, actor.OrgID); err != nil {
		return nil, err
	}
	return s.Store.Lists(ctx)
}

// Versions returns a list's versions, newest first.
func (s *Service) Versions(ctx context.Context, actor *rarex.User, listID string) ([]*rarex.ListVersion, error) {
	if err := rarex.Authorize(actor, rarex.ActViewLists, actor.OrgID); err != nil {
		return nil, err
	}
	vs, err := s.Store.ListVersions(ctx, listID)
	if err == nil && len(vs) == 0 {
		return nil, rarex.Errorf(rarex.ENOTFOUND, "List %q not found.", listID)
	}
	return vs, err
}

// Hit is a screening hit with where it came from and whether the caller's
// organisation cleared it.
type Hit struct {
	screen.Hit
	ListID    string           `json:"list_id"`
	EntryHash string           `json:"entry_hash"`
	Cleared   *rarex.Clearance `json:"cleared,omitempty"`
}

// Result is one party's hits.
type Result struct {
	Query screen.Query `json:"query"`
	Hits  []Hit        `json:"hits"`
	Error string       `json:"error,omitempty"`
}

// Screen screens up to MaxBatch parties. minScore 0 means the default.
func (s *Service) Screen(ctx context.Context, actor *rarex.User, qs []screen.Query, minScore float64) ([]Result, error) {
	if err := rarex.Authorize(actor, rarex.ActScreen, actor.OrgID); err != nil {
		return nil, err
	}
	switch {
	case len(qs) == 0:
		return nil, i18n.Invalid("invalid.no_names", "names")
	case len(qs) > MaxBatch:
		return nil, i18n.Invalid("invalid.too_many_names", "names", strconv.Itoa(len(qs)), strconv.Itoa(MaxBatch))
	case minScore < 0 || minScore > 1 || math.IsNaN(minScore):
		return nil, i18n.Invalid("invalid.min_score", "min_score")
	}
	for i, q := range qs {
		switch {
		case !utf8.ValidString(q.Name) || strings.TrimSpace(q.Name) == "":
			return nil, i18n.Invalid("invalid.required_utf8", fmt.Sprintf("names[%d].name", i))
		case utf8.RuneCountInString(q.Name) > 500:
			return nil, i18n.Invalid("invalid.too_long", fmt.Sprintf("names[%d].name", i), "500")
		case q.Country != "" && !rarex.IsCountry(strings.ToUpper(q.Country)):
			return nil, i18n.Invalid("invalid.country_code", fmt.Sprintf("names[%d].country", i), q.Country)
		case q.Type != "" && q.Type != screen.Person && q.Type != screen.Organisation && q.Type != screen.Vessel && q.Type != screen.Aircraft:
			return nil, i18n.Invalid("invalid.party_type", fmt.Sprintf("names[%d].type", i), q.Type)
		}
	}
	s.mu.RLock()
	ix, listOf, hashOf := s.ix, s.listOf, s.hashOf
	s.mu.RUnlock()
	if ix == nil || len(ix.Entries) == 0 {
		return nil, rarex.Errorf(rarex.ECONFLICT, "No restricted-party list is loaded yet: an administrator imports them with rarex lists import.")
	}
	clear, err := s.clearances(ctx, actor.OrgID)
	if err != nil {
		return nil, err
	}
	raw := ix.SearchBatch(qs, screen.Options{MinScore: minScore})
	out := make([]Result, len(raw))
	for i, r := range raw {
		out[i] = Result{Query: r.Query, Error: r.Error, Hits: []Hit{}}
		party := screen.Normalize(r.Query.Name).String()
		for _, h := range r.Hits {
			list := listOf[h.Entry]
			hash := hashOf[list+"/"+h.Entry.ID]
			out[i].Hits = append(out[i].Hits, Hit{Hit: h, ListID: list, EntryHash: hash, Cleared: clear[clearKey{party, list, h.Entry.ID, hash}]})
		}
	}
	return out, nil
}

type clearKey struct{ party, list, entry, hash string }

func (s *Service) clearances(ctx context.Context, orgID string) (map[clearKey]*rarex.Clearance, error) {
	cs, err := s.Store.Clearances(ctx, orgID)
	if err != nil {
		return nil, err
	}
	m := make(map[clearKey]*rarex.Clearance, len(cs))
	for _, c := range cs {
		m[clearKey{c.Party, c.ListID, c.EntryID, c.EntryHash}] = c
	}
	return m, nil
}

// ClearRequest clears one hit as a false positive.
type ClearRequest struct {
	Party   string `json:"party"` // the name as screened
	ListID  string `json:"list_id"`
	EntryID string `json:"entry_id"`
	Reason  string `json:"reason"`
}

// Clear records that the party is not the listed entry, for the entry's
// current version: when the entry changes, the hit opens again.
func (s *Service) Clear(ctx context.Context, actor *rarex.User, req ClearRequest) (*rarex.Clearance, error) {
	if err := rarex.Authorize(actor, rarex.ActClearHits, actor.OrgID); err != nil {
		return nil, err
	}
	party := screen.Normalize(req.Party).String()
	switch {
	case party == "":
		return nil, i18n.Invalid("invalid.required", "party")
	case strings.TrimSpace(req.Reason) == "":
		return nil, i18n.Invalid("invalid.clear_reason", "reason")
	case utf8.RuneCountInString(req.Reason) > 2000:
		return nil, i18n.Invalid("invalid.too_long", "reason", "2,000")
	}
	s.mu.RLock()
	hash, ok := s.hashOf[req.ListID+"/"+req.EntryID]
	s.mu.RUnlock()
	if !ok {
		return nil, rarex.Errorf(rarex.ENOTFOUND, "Entry %q of list %q not found.", req.EntryID, req.ListID)
	}
	c := &rarex.Clearance{ID: s.IDs.NewID(), OrgID: actor.OrgID, Party: party, ListID: req.ListID, EntryID: req.EntryID, EntryHash: hash,
		Reason: strings.TrimSpace(req.Reason), ClearedBy: actor.ID, ClearedAt: s.Clock.Now()}
	if err := s.Store.AddClearance(ctx, c); err != nil {
		if rarex.ErrorCode(err) == rarex.ECONFLICT {
			return nil, rarex.Errorf(rarex.ECONFLICT, "This hit is already cleared.")
		}
		return nil, err
	}
	return c, nil
}

// EndUser screens a determination's end user by name and adds, to lists,
// what the lists of its open (not cleared) hits mean, when the regime's
// vocabulary knows the meaning: the rules then see a control-list or
// military end user without the caller saying so. It returns the hits used
// and a warning for each. A caller who may not screen, an empty name or no
// loaded list leaves the request as given.
func (s *Service) EndUser(ctx context.Context, actor *rarex.User, name, country string, vocabulary []string, lists *[]string) ([]Hit, []i18n.Msg) {
	name = strings.TrimSpace(name)
	if name == "" || rarex.ScopeOf(actor.Role, rarex.ActScreen) == rarex.ScopeNone {
		return nil, nil
	}
	res, err := s.Screen(ctx, actor, []screen.Query{{Name: name, Country: country}}, 0)
	if err != nil || len(res) == 0 {
		return nil, nil
	}
	var used []Hit
	var warnings []i18n.Msg
	for _, h := range res[0].Hits {
		meaning := string(h.Entry.Meaning)
		if h.Cleared != nil || !slices.Contains(vocabulary, meaning) {
			continue
		}
		used = append(used, h)
		warnings = append(warnings, i18n.M("warn.end_user_listed", h.Name, h.Entry.List, h.ListID, strconv.FormatFloat(h.Score, 'f', 3, 64), meaning))
		if !slices.Contains(*lists, meaning) {
			*lists = append(*lists, meaning)
		}
	}
	return used, warnings
}
