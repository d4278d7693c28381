package screen

import (
	"encoding/csv"
	"io"
	"math/big"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Holding says Owner holds Share (0 < Share ≤ 1) of Owned. Parties are
// named by id: a list entry's id, or any id the caller's records use.
type Holding struct {
	Owner string   `json:"owner"`
	Owned string   `json:"owned"`
	Share *big.Rat `json:"-"`
}

// Chain is one path of holdings from a listed owner down to a party.
type Chain struct {
	Path  []string `json:"path"`  // listed owner first, the party last
	Share string   `json:"share"` // the product of the shares along it, exact
}

// Control is a party that listed parties own 50% or more of, in total.
type Control struct {
	Party  string  `json:"party"`
	Total  string  `json:"total"` // exact fraction, e.g. 0.55
	Chains []Chain `json:"chains"`
}

// maxDepth bounds ownership chains; real structures are a few levels deep.
const maxDepth = 12

// ControlledParties applies the 50% rule: for every party reachable from a
// listed owner, it adds, across listed owners and across paths, the product
// of the shares along each path. A path stops at another listed party,
// whose own holdings are counted from it, so nothing is counted twice; a
// path never visits a party twice. It returns the parties (other than the
// listed ones) whose total reaches threshold (½ for the rule), with the
// chains that prove it, largest first.
func ControlledParties(holdings []Holding, listed func(id string) bool, threshold *big.Rat) []Control {
	by := map[string][]Holding{}
	var owners []string
	for _, h := range holdings {
		if _, ok := by[h.Owner]; !ok {
			owners = append(owners, h.Owner)
		}
		by[h.Owner] = append(by[h.Owner], h)
	}
	sort.Strings(owners)
	total := map[string]*big.Rat{}
	chains := map[string][]chain{}
	var walk func(path []string, share *big.Rat)
	walk = func(path []string, share *big.Rat) {
		at := path[len(path)-1]
		if len(path) > maxDepth {
			return
		}
		for _, h := range by[at] {
			if slices.Contains(path, h.Owned) || listed(h.Owned) {
				continue
			}
			s := new(big.Rat).Mul(share, h.Share)
			if total[h.Owned] == nil {
				total[h.Owned] = new(big.Rat)
			}
			total[h.Owned].Add(total[h.Owned], s)
			p := append(append([]string(nil), path...), h.Owned)
			chains[h.Owned] = append(chains[h.Owned], chain{p, s})
			walk(p, s)
		}
	}
	for _, o := range owners {
		if listed(o) {
			walk([]string{o}, big.NewRat(1, 1))
		}
	}
	var out []Control
	for party, t := range total {
		if t.Cmp(threshold) < 0 {
			continue
		}
		cs := chains[party]
		sort.SliceStable(cs, func(a, b int) bool { return cs[a].share.Cmp(cs[b].share) > 0 })
		c := Control{Party: party, Total: ratString(t)}
		for _, ch := range cs {
			c.Chains = append(c.Chains, Chain{Path: ch.path, Share: ratString(ch.share)})
		}
		out = append(out, c)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Party < out[b].Party })
	return out
}

type chain struct {
	path  []string
	share *big.Rat
}

// ratString shows an exact fraction as a decimal when it has one of at most
// 12 places, else as a/b.
func ratString(r *big.Rat) string {
	if s := r.FloatString(12); strings.Contains(s, ".") {
		back, _ := new(big.Rat).SetString(s)
		if back.Cmp(r) == 0 {
			s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
			return s
		}
	}
	return r.String()
}

// Listed returns the predicate the 50% rule needs over an index: a party
// (as named in holdings) is listed when it is an entry id of the index or
// its name hits the index at minScore. why records, for each listed party
// asked about, the entry that makes it listed.
func (ix *Index) Listed(minScore float64) (listed func(party string) bool, why map[string]string) {
	ids := map[string]bool{}
	for _, e := range ix.Entries {
		ids[e.ID] = true
	}
	why = map[string]string{}
	asked := map[string]bool{}
	listed = func(party string) bool {
		if ids[party] {
			why[party] = party
			return true
		}
		if asked[party] {
			return why[party] != ""
		}
		asked[party] = true
		hits, err := ix.Search(Query{Name: party}, Options{MinScore: minScore, Limit: 1})
		if err != nil || len(hits) == 0 {
			return false
		}
		why[party] = hits[0].Entry.ID + " (" + hits[0].Name + ", " + strconv.FormatFloat(hits[0].Score, 'f', 3, 64) + ")"
		return true
	}
	return listed, why
}

// ReadHoldings reads owner,owned,share CSV (header required; columns in
// any order). share is a fraction (0.5) or a percentage (50%), in (0, 1].
func ReadHoldings(r io.Reader, file string) ([]Holding, error) {
	cr := csv.NewReader(limitLines(r, file))
	cr.FieldsPerRecord = -1
	col, _, err := readHeader(cr, file, "owner, owned, share", "owner", "owned", "share")
	if err != nil {
		return nil, err
	}
	var out []Holding
	into := map[string]*big.Rat{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, csvErr(file, err)
		}
		line, _ := cr.FieldPos(0)
		get := func(name string) string { return field(rec, col, name) }
		h := Holding{Owner: get("owner"), Owned: get("owned")}
		switch {
		case h.Owner == "":
			return nil, &ReadError{File: file, Line: line, Field: "owner", Msg: "empty"}
		case h.Owned == "":
			return nil, &ReadError{File: file, Line: line, Field: "owned", Msg: "empty"}
		case h.Owner == h.Owned:
			return nil, &ReadError{File: file, Line: line, Field: "owned", Msg: "a party cannot hold itself"}
		}
		share, ok := parseShare(get("share"))
		if !ok {
			return nil, &ReadError{File: file, Line: line, Field: "share", Msg: "\"" + get("share") + "\" is not a fraction in (0, 1] or a percentage in (0%, 100%]"}
		}
		h.Share = share
		if into[h.Owned] == nil {
			into[h.Owned] = new(big.Rat)
		}
		if into[h.Owned].Add(into[h.Owned], share).Cmp(big.NewRat(1, 1)) > 0 {
			return nil, &ReadError{File: file, Line: line, Field: "share", Msg: "the holdings in " + h.Owned + " add up to more than 100%"}
		}
		out = append(out, h)
	}
}

func parseShare(s string) (*big.Rat, bool) {
	pct := strings.HasSuffix(s, "%")
	s = strings.TrimSpace(strings.TrimSuffix(s, "%"))
	if s == "" || strings.ContainsAny(s, "/eE") {
		return nil, false
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return nil, false
	}
	if pct {
		r.Quo(r, big.NewRat(100, 1))
	}
	if r.Sign() <= 0 || r.Cmp(big.NewRat(1, 1)) > 0 {
		return nil, false
	}
	return r, true
}
