package screen

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
)

// DefaultThreshold is the score at and above which a hit is reported.
const DefaultThreshold = 0.85

// Query is a party to screen.
type Query struct {
	Name    string `json:"name"`
	Country string `json:"country,omitempty"` // ISO 3166-1 alpha-2, adjusts the score when given
	Type    string `json:"type,omitempty"`    // person, organisation, ...
}

// Options tune a search.
type Options struct {
	MinScore float64 // default DefaultThreshold
	Limit    int     // most hits returned; default 10
}

// TokenMatch says which query token matched which name token, and how.
type TokenMatch struct {
	Query      string  `json:"query"`
	Name       string  `json:"name,omitempty"`
	How        string  `json:"how"` // exact, fuzzy, phonetic, number-mismatch, none
	Similarity float64 `json:"similarity"`
	Weight     float64 `json:"weight"` // the token's rarity in the lists
}

// Explanation says why a score is what it is.
type Explanation struct {
	Method      string       `json:"method"` // tokens, joined, cjk
	Normal      string       `json:"normal"` // the name's normal form
	Query       string       `json:"query"`  // the query's normal form
	Tokens      []TokenMatch `json:"tokens,omitempty"`
	QueryCover  float64      `json:"query_cover"` // share of the query's weight matched
	NameCover   float64      `json:"name_cover"`  // share of the name's weight matched
	NameScore   float64      `json:"name_score"`  // before adjustments
	Adjustments []string     `json:"adjustments,omitempty"`
}

// Hit is a listed entry that matched.
type Hit struct {
	Entry *Entry      `json:"entry"`
	Name  string      `json:"matched_name"`
	Score float64     `json:"score"`
	Why   Explanation `json:"explanation"`
}

// ErrEmptyName is a query with nothing matchable in it.
var ErrEmptyName = errors.New("name: nothing to match once punctuation and legal forms are removed")

// candidates is how many names, by shared index features, get scored.
const candidates = 300

// Search screens one party against the index.
func (ix *Index) Search(q Query, opt Options) ([]Hit, error) {
	if opt.MinScore == 0 {
		opt.MinScore = DefaultThreshold
	}
	if opt.Limit == 0 {
		opt.Limit = 10
	}
	qn := Normalize(q.Name)
	if qn.Empty() {
		return nil, ErrEmptyName
	}
	qkeys := make([]string, len(qn.Tokens))
	for i, t := range qn.Tokens {
		qkeys[i] = phonetic(t)
	}
	best := map[int32]Hit{}
	for _, id := range ix.candidates(qn, qkeys) {
		n := &ix.names[id]
		why := ix.score(qn, qkeys, n)
		s := why.NameScore
		e := &ix.Entries[n.entry]
		var adj []string
		s, adj = adjust(s, q, e)
		why.Adjustments = append(why.Adjustments, adj...)
		if s < opt.MinScore {
			continue
		}
		if h, ok := best[n.entry]; !ok || s > h.Score {
			best[n.entry] = Hit{Entry: e, Name: n.text, Score: round(s), Why: why}
		}
	}
	hits := make([]Hit, 0, len(best))
	for _, h := range best {
		hits = append(hits, h)
	}
	sort.Slice(hits, func(a, b int) bool {
		if hits[a].Score != hits[b].Score {
			return hits[a].Score > hits[b].Score
		}
		return hits[a].Entry.ID < hits[b].Entry.ID
	})
	if len(hits) > opt.Limit {
		hits = hits[:opt.Limit]
	}
	return hits, nil
}

// candidates ranks names by the weight of index features they share with
// the query and returns the best few hundred.
func (ix *Index) candidates(qn Name, qkeys []string) []int32 {
	acc := map[int32]float64{}
	for _, f := range features(qn, qkeys) {
		w := 1.0
		switch f[0] {
		case 't':
			w = 3 * ix.weight(f[2:])
		case 'p':
			w = 2
		}
		for _, id := range ix.post[f] {
			acc[id] += w
		}
	}
	ids := make([]int32, 0, len(acc))
	for id := range acc {
		ids = append(ids, id)
	}
	if len(ids) > candidates {
		sort.Slice(ids, func(a, b int) bool {
			if acc[ids[a]] != acc[ids[b]] {
				return acc[ids[a]] > acc[ids[b]]
			}
			return ids[a] < ids[b]
		})
		ids = ids[:candidates]
	}
	return ids
}

// ScanAll scores every name with the same similarity: the brute-force
// baseline the index is measured against.
func (ix *Index) ScanAll(q Query, opt Options) ([]Hit, error) {
	if opt.MinScore == 0 {
		opt.MinScore = DefaultThreshold
	}
	qn := Normalize(q.Name)
	if qn.Empty() {
		return nil, ErrEmptyName
	}
	qkeys := make([]string, len(qn.Tokens))
	for i, t := range qn.Tokens {
		qkeys[i] = phonetic(t)
	}
	var hits []Hit
	for id := range ix.names {
		n := &ix.names[id]
		why := ix.score(qn, qkeys, n)
		e := &ix.Entries[n.entry]
		s, adj := adjust(why.NameScore, q, e)
		why.Adjustments = append(why.Adjustments, adj...)
		if s >= opt.MinScore {
			hits = append(hits, Hit{Entry: e, Name: n.text, Score: round(s), Why: why})
		}
	}
	return hits, nil
}

// score compares the query with one name: the best of a weighted token-set
// comparison, a comparison of the names with spaces removed, and CJK
// bigram overlap.
func (ix *Index) score(qn Name, qkeys []string, n *indexedName) Explanation {
	why := Explanation{Method: "tokens", Normal: n.norm.String(), Query: qn.String()}
	if len(qn.Tokens) > 0 && len(n.norm.Tokens) > 0 {
		ix.tokenScore(qn, qkeys, n, &why)
		if j := joinedScore(qn.Tokens, n.norm.Tokens); j > why.NameScore {
			why.Method, why.NameScore = "joined", j
		}
	}
	if qn.CJK != "" && n.norm.CJK != "" {
		if c := dice(bigrams(qn.CJK), bigrams(n.norm.CJK)); c > why.NameScore {
			why.Method, why.NameScore = "cjk", c
		}
	}
	// Across scripts: Latin spelling against the Mandarin reading.
	if p := max(pinyinScore(qn.Tokens, n.norm.Pinyin), pinyinScore(n.norm.Tokens, qn.Pinyin)); p > why.NameScore {
		why.Method, why.NameScore = "pinyin", p
	}
	return why
}

// pinyinScore compares Latin tokens, joined, with a pinyin reading: the
// same Jaro-Winkler floor as the joined method, discounted a little more
// (readings of Han characters are not always the spelling a name uses).
func pinyinScore(tokens []string, py string) float64 {
	if py == "" || len(tokens) == 0 || len(numbers(tokens)) > 0 {
		return 0
	}
	a := strings.Join(tokens, "")
	if 10*min(len(a), len(py)) < 8*max(len(a), len(py)) {
		return 0
	}
	s := jaroWinkler(a, py)
	if s < 0.9 {
		return 0
	}
	return 0.95 * s
}

// tokenScore pairs query and name tokens one to one, best pairs first,
// and weighs the matched share of each side by token rarity. The query's
// side counts a little more (0.6 against 0.4): a listed name often carries
// words a query leaves out, but a missing distinctive word usually means
// another party (Mitsubishi Electric is not Mitsubishi Electric Engineering).
func (ix *Index) tokenScore(qn Name, qkeys []string, n *indexedName, why *Explanation) {
	type pair struct {
		i, j int
		sim  float64
		how  string
	}
	var pairs []pair
	for i, a := range qn.Tokens {
		for j, b := range n.norm.Tokens {
			sim, how := tokenSim(a, b, qkeys[i], n.keys[j])
			if sim > 0 {
				pairs = append(pairs, pair{i, j, sim, how})
			}
		}
	}
	sort.SliceStable(pairs, func(a, b int) bool { return pairs[a].sim > pairs[b].sim })
	qUsed := make([]float64, len(qn.Tokens))
	nUsed := make([]float64, len(n.norm.Tokens))
	qTaken, nTaken := make([]bool, len(qn.Tokens)), make([]bool, len(n.norm.Tokens))
	matched := make([]*pair, len(qn.Tokens))
	for k := range pairs {
		p := &pairs[k]
		if qTaken[p.i] || nTaken[p.j] {
			continue
		}
		qTaken[p.i], nTaken[p.j] = true, true
		qUsed[p.i], nUsed[p.j] = p.sim, p.sim
		matched[p.i] = p
	}
	var qw, qm, nw, nm float64
	for i, t := range qn.Tokens {
		w := ix.weight(t)
		qw += w
		qm += w * qUsed[i]
		tm := TokenMatch{Query: t, How: "none", Weight: round(w)}
		if p := matched[i]; p != nil {
			tm.Name, tm.How, tm.Similarity = n.norm.Tokens[p.j], p.how, round(p.sim)
		} else if isNumber(t) {
			tm.How = "number-mismatch"
		}
		why.Tokens = append(why.Tokens, tm)
	}
	for j, t := range n.norm.Tokens {
		w := ix.weight(t)
		nw += w
		nm += w * nUsed[j]
	}
	why.QueryCover, why.NameCover = round(qm/qw), round(nm/nw)
	why.NameScore = 0.6*qm/qw + 0.4*nm/nw
	// Numbers must agree: different numbers are different parties, and a
	// number on one side only is a strong sign of another one.
	qnum, nnum := numbers(qn.Tokens), numbers(n.norm.Tokens)
	switch {
	case len(qnum) > 0 && len(nnum) > 0 && !slices.Equal(qnum, nnum):
		why.NameScore = 0
		why.Adjustments = append(why.Adjustments, "numbers differ: no match")
	case len(qnum) != len(nnum):
		why.NameScore *= 0.8
		why.Adjustments = append(why.Adjustments, "a number on one side only: ×0.80")
	}
}

// tokenSim compares two tokens: numbers only exactly; words by
// Jaro-Winkler, raised to 0.9 when they sound alike; below 0.84 nothing.
func tokenSim(a, b, ka, kb string) (float64, string) {
	if a == b {
		return 1, "exact"
	}
	if isNumber(a) || isNumber(b) {
		return 0, ""
	}
	s := jaroWinkler(a, b)
	how := "fuzzy"
	if ka != "" && ka == kb && len(a) >= 4 && s < 0.9 {
		s, how = 0.9, "phonetic"
	}
	if s < 0.84 {
		return 0, ""
	}
	return s, how
}

// joinedScore compares the names with their spaces removed ("zhong ke" and
// "zhongke"), discounted a little; numbers must still agree.
func joinedScore(q, n []string) float64 {
	a, b := strings.Join(q, ""), strings.Join(n, "")
	// Only for names that differ in their spacing, not in their words:
	// the joined forms must be about as long.
	if len(a) < 6 || len(b) < 6 || len(q) == len(n) || 10*min(len(a), len(b)) < 9*max(len(a), len(b)) {
		return 0
	}
	if !slices.Equal(numbers(q), numbers(n)) {
		return 0
	}
	s := jaroWinkler(a, b)
	if s < 0.9 {
		return 0
	}
	return 0.95 * s
}

func numbers(ts []string) []string {
	var out []string
	for _, t := range ts {
		if isNumber(t) {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

func isNumber(t string) bool {
	for i := 0; i < len(t); i++ {
		if t[i] >= '0' && t[i] <= '9' {
			return true
		}
	}
	return false
}

// adjust applies the query's country and type, when both sides have one.
func adjust(s float64, q Query, e *Entry) (float64, []string) {
	var notes []string
	if c := strings.ToUpper(strings.TrimSpace(q.Country)); c != "" && len(e.Countries) > 0 {
		if slices.Contains(e.Countries, c) {
			s = math.Min(1, s+0.02)
			notes = append(notes, fmt.Sprintf("country %s matches the entry's: +0.02", c))
		} else {
			s *= 0.9
			notes = append(notes, fmt.Sprintf("country %s is not the entry's (%s): ×0.90", c, strings.Join(e.Countries, ", ")))
		}
	}
	if t := strings.ToLower(strings.TrimSpace(q.Type)); t != "" && e.Type != Unknown && e.Type != "" && t != e.Type {
		s *= 0.9
		notes = append(notes, fmt.Sprintf("type %s is not the entry's (%s): ×0.90", t, e.Type))
	}
	return s, notes
}

// dice is the Dice coefficient of two bigram lists (as multisets).
func dice(a, b []string) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	count := map[string]int{}
	for _, g := range a {
		count[g]++
	}
	common := 0
	for _, g := range b {
		if count[g] > 0 {
			count[g]--
			common++
		}
	}
	return 2 * float64(common) / float64(len(a)+len(b))
}

// jaroWinkler is the Jaro-Winkler similarity of two strings, by rune.
func jaroWinkler(a, b string) float64 {
	ra, rb := []rune(a), []rune(b)
	if len(ra) == 0 || len(rb) == 0 {
		return 0
	}
	window := max(len(ra), len(rb))/2 - 1
	if window < 0 {
		window = 0
	}
	ma, mb := make([]bool, len(ra)), make([]bool, len(rb))
	m := 0
	for i := range ra {
		lo, hi := max(0, i-window), min(len(rb), i+window+1)
		for j := lo; j < hi; j++ {
			if !mb[j] && ra[i] == rb[j] {
				ma[i], mb[j] = true, true
				m++
				break
			}
		}
	}
	if m == 0 {
		return 0
	}
	t, j := 0, 0
	for i := range ra {
		if !ma[i] {
			continue
		}
		for !mb[j] {
			j++
		}
		if ra[i] != rb[j] {
			t++
		}
		j++
	}
	fm := float64(m)
	jaro := (fm/float64(len(ra)) + fm/float64(len(rb)) + (fm-float64(t)/2)/fm) / 3
	prefix := 0
	for prefix < min(4, len(ra), len(rb)) && ra[prefix] == rb[prefix] {
		prefix++
	}
	return jaro + float64(prefix)*0.1*(1-jaro)
}

func round(f float64) float64 { return math.Round(f*1000) / 1000 }
