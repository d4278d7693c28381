package screen

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
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
const candidates = 150

// Search screens one party against the index.
func (ix *Index) Search(q Query, opt Options) ([]Hit, error) {
	if opt.MinScore == 0 {
		opt.MinScore = DefaultThreshold
	}
	if opt.Limit == 0 {
		opt.Limit = 10
	}
	pq, err := ix.prepare(q.Name)
	if err != nil {
		return nil, err
	}
	best := map[int32]Hit{}
	for _, id := range ix.candidates(pq.Name, pq.keys) {
		ix.consider(pq, q, id, opt.MinScore, best)
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

// consider scores name id quickly and, when it reaches min, explains it
// and keeps it as its entry's best hit.
func (ix *Index) consider(pq *prepared, q Query, id int32, min float64, best map[int32]Hit) {
	n := &ix.names[id]
	e := &ix.Entries[n.entry]
	quick := ix.score(pq, n, false)
	if s, _ := adjust(quick.NameScore, q, e); s < min {
		return
	}
	why := ix.score(pq, n, true)
	s, adj := adjust(why.NameScore, q, e)
	why.Adjustments = append(why.Adjustments, adj...)
	if h, ok := best[n.entry]; !ok || s > h.Score {
		best[n.entry] = Hit{Entry: e, Name: n.text, Score: round(s), Why: why}
	}
}

// prepared is a query ready for scoring.
type prepared struct {
	Name
	keys    []string // phonetic key per token
	weights []float64
	joined  string // tokens run together
	nums    []string
}

func (ix *Index) prepare(name string) (*prepared, error) {
	qn := Normalize(name)
	if qn.Empty() {
		return nil, ErrEmptyName
	}
	pq := &prepared{Name: qn, keys: make([]string, len(qn.Tokens)), weights: make([]float64, len(qn.Tokens)),
		joined: strings.Join(qn.Tokens, ""), nums: numbers(qn.Tokens)}
	for i, t := range qn.Tokens {
		pq.keys[i], pq.weights[i] = phonetic(t), ix.weight(t)
	}
	return pq, nil
}

// candidates ranks names by the weight of index features they share with
// the query and returns the best few. Trigrams that a twentieth of all
// names share say little and cost much: they are skipped.
func (ix *Index) candidates(qn Name, qkeys []string) []int32 {
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	if len(sc.acc) < len(ix.names) {
		sc.acc = make([]float32, len(ix.names))
	}
	acc, touched := sc.acc, sc.touched[:0]
	common := len(ix.names)/20 + 1
	for _, f := range features(qn, qkeys) {
		post := ix.post[f]
		var w float32 = 1
		switch f[0] {
		case 't':
			w = float32(3 * ix.weight(f[2:]))
		case 'p':
			w = 2
		case 'g':
			if len(post) > common {
				continue
			}
		}
		for _, id := range post {
			if acc[id] == 0 {
				touched = append(touched, id)
			}
			acc[id] += w
		}
	}
	// Keep the best few in a min-heap (worst on top): selecting is
	// cheaper than sorting the thousands a common word touches.
	h := sc.heap[:0]
	for _, id := range touched {
		c := cand{id, acc[id]}
		acc[id] = 0
		if len(h) < candidates {
			h = append(h, c)
			for i := len(h) - 1; i > 0 && worse(h[i], h[(i-1)/2]); i = (i - 1) / 2 {
				h[i], h[(i-1)/2] = h[(i-1)/2], h[i]
			}
			continue
		}
		if !worse(h[0], c) {
			continue
		}
		h[0] = c
		for i := 0; ; {
			l, r, m := 2*i+1, 2*i+2, i
			if l < len(h) && worse(h[l], h[m]) {
				m = l
			}
			if r < len(h) && worse(h[r], h[m]) {
				m = r
			}
			if m == i {
				break
			}
			h[i], h[m] = h[m], h[i]
			i = m
		}
	}
	sc.touched, sc.heap = touched, h
	ids := make([]int32, len(h))
	for i, c := range h {
		ids[i] = c.id
	}
	return ids
}

// cand is a candidate name and the feature weight it shares with the query.
type cand struct {
	id  int32
	acc float32
}

// worse orders candidates: less shared weight, then the later name.
func worse(a, b cand) bool {
	if a.acc != b.acc {
		return a.acc < b.acc
	}
	return a.id > b.id
}

// scratch is a query's reusable candidate accumulator.
type scratch struct {
	acc     []float32
	touched []int32
	heap    []cand
}

var scratchPool = sync.Pool{New: func() any { return &scratch{} }}

// ScanAll scores every name with the same similarity: the brute-force
// baseline the index is measured against.
func (ix *Index) ScanAll(q Query, opt Options) ([]Hit, error) {
	if opt.MinScore == 0 {
		opt.MinScore = DefaultThreshold
	}
	pq, err := ix.prepare(q.Name)
	if err != nil {
		return nil, err
	}
	best := map[int32]Hit{}
	for id := range ix.names {
		ix.consider(pq, q, int32(id), opt.MinScore, best)
	}
	hits := make([]Hit, 0, len(best))
	for _, h := range best {
		hits = append(hits, h)
	}
	return hits, nil
}

// score compares the query with one name: the best of a weighted token-set
// comparison, a comparison of the names with spaces removed, CJK bigram
// overlap and Latin against pinyin. Without explain it only scores.
func (ix *Index) score(q *prepared, n *indexedName, explain bool) Explanation {
	var why Explanation
	why.Method = "tokens"
	if explain {
		why.Normal, why.Query = n.norm.String(), q.String()
	}
	if len(q.Tokens) > 0 && len(n.norm.Tokens) > 0 {
		ix.tokenScore(q, n, &why, explain)
		if j := joinedScore(q.Tokens, q.joined, q.nums, n.norm.Tokens, n.joined, n.nums); j > why.NameScore {
			why.Method, why.NameScore = "joined", j
		}
	}
	if q.CJK != "" && n.norm.CJK != "" {
		if c := dice(bigrams(q.CJK), n.bigrams); c > why.NameScore {
			why.Method, why.NameScore = "cjk", c
		}
	}
	// Across scripts: Latin spelling against the Mandarin reading.
	if p := max(pinyinScore(q.joined, q.nums, n.norm.Pinyin), pinyinScore(n.joined, n.nums, q.Pinyin)); p > why.NameScore {
		why.Method, why.NameScore = "pinyin", p
	}
	return why
}

// pinyinScore compares Latin tokens, joined, with a pinyin reading: the
// same Jaro-Winkler floor as the joined method, discounted a little more
// (readings of Han characters are not always the spelling a name uses).
func pinyinScore(joined string, nums []string, py string) float64 {
	// Two-character names (most Chinese personal names) read alike too
	// often: 成朱 is chengzhu, close to "Chen Zhu". Ask for eight letters.
	if len(py) < 8 || joined == "" || len(nums) > 0 {
		return 0
	}
	if 10*min(len(joined), len(py)) < 8*max(len(joined), len(py)) {
		return 0
	}
	s := jaroWinkler(joined, py)
	if s < 0.9 {
		return 0
	}
	return 0.95 * s
}

// tokenScore pairs query and name tokens one to one, best pairs first,
// and weighs the matched share of each side by token rarity; the score is
// the mean of the two shares. A word missing on either side counts as
// much: "Leonardo Ruiz" is not "Leonardo Ruiz Perez", and Mitsubishi
// Electric is not Mitsubishi Electric Engineering.
func (ix *Index) tokenScore(q *prepared, n *indexedName, why *Explanation, explain bool) {
	type pair struct {
		i, j int
		sim  float64
		how  string
	}
	var buf [64]pair
	pairs := buf[:0]
	for i, a := range q.Tokens {
		for j, b := range n.norm.Tokens {
			sim, how := tokenSim(a, b, q.keys[i], n.keys[j])
			if sim > 0 {
				pairs = append(pairs, pair{i, j, sim, how})
			}
		}
	}
	// Best pairs first (insertion sort: there are few, and it is stable).
	for i := 1; i < len(pairs); i++ {
		for j := i; j > 0 && pairs[j].sim > pairs[j-1].sim; j-- {
			pairs[j], pairs[j-1] = pairs[j-1], pairs[j]
		}
	}
	var qBuf, nBuf [16]float64
	var mBuf [16]int
	qUsed, nUsed, matched := qBuf[:0], nBuf[:0], mBuf[:0] // matched: pair index + 1
	if len(q.Tokens) <= 16 && len(n.norm.Tokens) <= 16 {
		qUsed, nUsed, matched = qBuf[:len(q.Tokens)], nBuf[:len(n.norm.Tokens)], mBuf[:len(q.Tokens)]
	} else {
		qUsed, nUsed, matched = make([]float64, len(q.Tokens)), make([]float64, len(n.norm.Tokens)), make([]int, len(q.Tokens))
	}
	for k := range pairs {
		p := &pairs[k]
		if qUsed[p.i] > 0 || nUsed[p.j] > 0 {
			continue
		}
		qUsed[p.i], nUsed[p.j] = p.sim, p.sim
		matched[p.i] = k + 1
	}
	var qw, qm, nw, nm float64
	for i, w := range q.weights {
		qw += w
		qm += w * qUsed[i]
	}
	for j, w := range n.weights {
		nw += w
		nm += w * nUsed[j]
	}
	why.NameScore = (qm/qw + nm/nw) / 2
	// Numbers must agree: different numbers are different parties, and a
	// number on one side only is a strong sign of another one.
	var note string
	switch {
	case len(q.nums) > 0 && len(n.nums) > 0 && !slices.Equal(q.nums, n.nums):
		why.NameScore, note = 0, "numbers differ: no match"
	case len(q.nums) != len(n.nums):
		why.NameScore, note = why.NameScore*0.8, "a number on one side only: ×0.80"
	}
	if !explain {
		return
	}
	why.QueryCover, why.NameCover = round(qm/qw), round(nm/nw)
	if note != "" {
		why.Adjustments = append(why.Adjustments, note)
	}
	for i, t := range q.Tokens {
		tm := TokenMatch{Query: t, How: "none", Weight: round(q.weights[i])}
		if k := matched[i]; k > 0 {
			p := pairs[k-1]
			tm.Name, tm.How, tm.Similarity = n.norm.Tokens[p.j], p.how, round(p.sim)
		} else if isNumber(t) {
			tm.How = "number-mismatch"
		}
		why.Tokens = append(why.Tokens, tm)
	}
}

// tokenSim compares two tokens: numbers only exactly; words by
// Jaro-Winkler, 0 below 0.88; two words of five letters or more that sound
// alike (same phonetic key) and are close in spelling (0.8) count 0.88.
func tokenSim(a, b, ka, kb string) (float64, string) {
	if a == b {
		return 1, "exact"
	}
	if ka == numberKey || kb == numberKey {
		return 0, ""
	}
	if isASCII(a) && isASCII(b) && jwBound(a, b) < 0.8 {
		return 0, "" // too different in length to reach even the phonetic bar
	}
	s := jaroWinkler(a, b)
	switch {
	case s >= tokenFloor:
		return s, "fuzzy"
	case ka != "" && ka == kb && len(a) >= 5 && len(b) >= 5 && s >= 0.8:
		return tokenFloor, "phonetic"
	}
	return 0, ""
}

// jwBound is an upper bound of the Jaro-Winkler similarity of two ASCII
// strings from their lengths and first letters alone.
func jwBound(a, b string) float64 {
	la, lb := float64(len(a)), float64(len(b))
	m := min(la, lb)
	j := (m/la + m/lb + 1) / 3
	if a[0] != b[0] {
		return j
	}
	return j + 0.4*(1-j)
}

// tokenFloor is the least similarity two different words count with.
const tokenFloor = 0.88

// joinedScore compares the names with their spaces removed ("zhong ke" and
// "zhongke"), discounted a little; numbers must still agree.
func joinedScore(q []string, qj string, qnums []string, n []string, nj string, nnums []string) float64 {
	if len(q) == len(n) || len(qj) < 3 {
		return 0
	}
	if qj == nj { // "EP-MOA" and "EPMOA", "P 913" and "P913"
		return 0.95
	}
	// Only for names that differ in their spacing, not in their words:
	// the joined forms must be about as long, and agree from end to end
	// (plain Jaro: a shared beginning earns nothing extra here).
	if len(qj) < 6 || len(nj) < 6 || 10*min(len(qj), len(nj)) < 9*max(len(qj), len(nj)) || !slices.Equal(qnums, nnums) {
		return 0
	}
	s := jaro(qj, nj)
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

// jaroWinkler is the Jaro-Winkler similarity of two strings, by rune
// (by byte for ASCII, which needs no conversion).
func jaroWinkler(a, b string) float64 {
	if isASCII(a) && isASCII(b) {
		return jw([]byte(a), []byte(b))
	}
	return jw([]rune(a), []rune(b))
}

// jaro is the Jaro similarity, without Winkler's bonus for a common prefix.
func jaro(a, b string) float64 {
	if isASCII(a) && isASCII(b) {
		return jaroOf([]byte(a), []byte(b))
	}
	return jaroOf([]rune(a), []rune(b))
}

func jw[T byte | rune](ra, rb []T) float64 {
	j := jaroOf(ra, rb)
	prefix := 0
	for prefix < min(4, len(ra), len(rb)) && ra[prefix] == rb[prefix] {
		prefix++
	}
	return j + float64(prefix)*0.1*(1-j)
}

func jaroOf[T byte | rune](ra, rb []T) float64 {
	if len(ra) == 0 || len(rb) == 0 {
		return 0
	}
	window := max(len(ra), len(rb))/2 - 1
	if window < 0 {
		window = 0
	}
	var bufA, bufB [64]bool
	ma, mb := bufA[:0], bufB[:0]
	if len(ra) <= 64 && len(rb) <= 64 {
		ma, mb = bufA[:len(ra)], bufB[:len(rb)]
	} else {
		ma, mb = make([]bool, len(ra)), make([]bool, len(rb))
	}
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
	return (fm/float64(len(ra)) + fm/float64(len(rb)) + (fm-float64(t)/2)/fm) / 3
}

func round(f float64) float64 { return math.Round(f*1000) / 1000 }
