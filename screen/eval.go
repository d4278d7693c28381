package screen

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mozillazg/go-pinyin"
)

// Case is one labelled query: a variation of a listed name (Want is the
// entry it must find) or a hard non-match (Want is "").
type Case struct {
	Query  Query  `json:"query"`
	Want   string `json:"want,omitempty"` // entry id
	Kind   string `json:"kind"`           // the variation: typo, reorder, legal-form, ... or non-match
	Source string `json:"source"`         // the list the case was drawn from
	Script string `json:"script"`         // latin, cjk, cyrillic, arabic, other
}

// variations are the ways a true match is written differently, each a
// function of the listed name (ok false when it does not apply).
var variations = []struct {
	kind string
	make func(ix *Index, rng *rand.Rand, name string) (string, bool)
}{
	{"as-listed", func(_ *Index, _ *rand.Rand, n string) (string, bool) { return n, true }},
	{"typo", plain(typo)},
	{"reorder", plain(reorder)},
	{"dropped-word", dropWord},
	{"legal-form", plain(legalForm)},
	{"case-punctuation", plain(casePunct)},
	{"diacritics", plain(diacritics)},
	{"transliterated", plain(transliterated)},
}

func plain(f func(*rand.Rand, string) (string, bool)) func(*Index, *rand.Rand, string) (string, bool) {
	return func(_ *Index, rng *rand.Rand, n string) (string, bool) { return f(rng, n) }
}

// LabelledSet draws about n cases from entries, reproducibly from seed:
// true matches with realistic variation (typos, dropped or swapped words,
// legal-form and case changes, diacritics, aliases, Chinese and other
// scripts as listed) and hard non-matches (a listed name with its most
// distinctive word replaced by another list's word).
func LabelledSet(entries []Entry, seed uint64, n int) []Case {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	ix := NewIndex(entries)
	var out []Case
	perm := rng.Perm(len(entries))
	vocab := wordPool(entries)
	for k := 0; len(out) < n && k < 4*len(entries); k++ {
		e := &entries[perm[k%len(entries)]]
		name := e.Names[rng.IntN(len(e.Names))]
		if Normalize(name).Empty() {
			continue
		}
		q := Query{Name: name}
		if rng.IntN(4) == 0 {
			// Hard non-match: the name's rarest word swapped for another.
			if neg, ok := replaceRarest(ix, rng, name, vocab); ok {
				out = append(out, Case{Query: Query{Name: neg}, Kind: "non-match", Source: e.Source, Script: scriptOf(neg)})
				continue
			}
		}
		v := variations[rng.IntN(len(variations))]
		// Few names are listed in other scripts: when the entry has one,
		// a third of the time write that one in Latin letters.
		for _, n := range e.Names {
			if other, _ := transliterated(rng, n); other != "" && rng.IntN(3) == 0 {
				name, v = n, variations[len(variations)-1]
				break
			}
		}
		if s, ok := v.make(ix, rng, name); ok && !Normalize(s).Empty() {
			q.Name = s
			out = append(out, Case{Query: q, Want: e.ID, Kind: v.kind, Source: e.Source, Script: scriptOf(s)})
		}
	}
	return out
}

// words of a name as written, split on spaces.
func words(s string) []string { return strings.Fields(s) }

func typo(rng *rand.Rand, n string) (string, bool) {
	w := words(n)
	var long []int
	for i, x := range w {
		if utf8.RuneCountInString(x) >= 6 && isLatinWord(x) {
			long = append(long, i)
		}
	}
	if len(long) == 0 {
		return "", false
	}
	i := long[rng.IntN(len(long))]
	r := []rune(w[i])
	j := 1 + rng.IntN(len(r)-2) // keep the first letter, as people do
	switch rng.IntN(3) {
	case 0: // transpose
		r[j], r[j+1] = r[j+1], r[j]
	case 1: // delete
		r = append(r[:j], r[j+1:]...)
	default: // double a letter
		r = append(r[:j+1], r[j:]...)
	}
	w[i] = string(r)
	return strings.Join(w, " "), true
}

func isLatinWord(s string) bool {
	for _, r := range s {
		if !unicode.In(r, unicode.Latin) {
			return false
		}
	}
	return true
}

func reorder(rng *rand.Rand, n string) (string, bool) {
	w := words(strings.ReplaceAll(n, ",", ""))
	if len(w) < 2 {
		return "", false
	}
	slices.Reverse(w)
	return strings.Join(w, " "), true
}

// dropWord leaves out the most common word (not a legal form, which the
// legal-form variation covers) of a name of four or more such words, as
// people leave out "International" or "Trading" and not the name's own word.
func dropWord(ix *Index, _ *rand.Rand, n string) (string, bool) {
	w := words(n)
	if len(Normalize(n).Tokens) < 4 {
		return "", false
	}
	drop, least := -1, math.Inf(1)
	for i, x := range w {
		nn := Normalize(x)
		if len(nn.Tokens) != 1 || stopWords[nn.Tokens[0]] || isNumber(nn.Tokens[0]) {
			continue
		}
		if wt := ix.weight(nn.Tokens[0]); wt < least {
			drop, least = i, wt
		}
	}
	if drop < 0 {
		return "", false
	}
	return strings.Join(append(w[:drop:drop], w[drop+1:]...), " "), true
}

var legalForms = []string{"Co., Ltd.", "Limited", "Ltd", "Inc.", "Corporation", "Corp.", "LLC", "GmbH", "S.A.", "Company Limited", "有限公司"}

func legalForm(rng *rand.Rand, n string) (string, bool) {
	base := n
	for _, f := range legalForms {
		if strings.HasSuffix(base, " "+f) || strings.HasSuffix(base, ", "+f) {
			base = strings.TrimSuffix(strings.TrimSuffix(base, f), " ")
			base = strings.TrimSuffix(base, ",")
			break
		}
	}
	f := legalForms[rng.IntN(len(legalForms))]
	if f == "有限公司" {
		if !strings.ContainsFunc(base, isCJK) {
			f = "Ltd."
		} else {
			return base + f, true
		}
	}
	return base + " " + f, true
}

func casePunct(rng *rand.Rand, n string) (string, bool) {
	var b strings.Builder
	for _, r := range n {
		if unicode.IsPunct(r) && r != '&' {
			continue
		}
		b.WriteRune(r)
	}
	s := b.String()
	if rng.IntN(2) == 0 {
		return strings.ToUpper(s), true
	}
	return strings.ToLower(s), true
}

var accents = map[rune]rune{'a': 'á', 'e': 'é', 'i': 'í', 'o': 'ö', 'u': 'ü', 'n': 'ñ', 'c': 'ç'}

// diacritics adds accents to a plain name, or strips them from an accented one.
func diacritics(rng *rand.Rand, n string) (string, bool) {
	var b strings.Builder
	changed := false
	for _, r := range n {
		if a, ok := accents[unicode.ToLower(r)]; ok && rng.IntN(3) == 0 {
			if unicode.IsUpper(r) {
				a = unicode.ToUpper(a)
			}
			b.WriteRune(a)
			changed = true
			continue
		}
		b.WriteRune(r)
	}
	return b.String(), changed
}

// transliterated writes a name listed in another script in Latin letters, as
// a clerk would: Cyrillic, Greek and Arabic letter by letter, Chinese as
// pinyin with the syllables paired into words ("Beijing Hangkong").
func transliterated(_ *rand.Rand, n string) (string, bool) {
	if !strings.ContainsFunc(n, func(r rune) bool { return unicode.IsLetter(r) && !unicode.In(r, unicode.Latin) }) {
		return "", false
	}
	var words []string
	nn := Normalize(n)
	for _, t := range nn.Tokens {
		if !isASCII(t) {
			return "", false // a script the normaliser keeps as it is
		}
		words = append(words, t)
	}
	if nn.CJK != "" {
		if !strings.ContainsFunc(nn.CJK, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
			return "", false
		}
		syl := pinyin.LazyPinyin(nn.CJK, pinyinArgs)
		for i := 0; i < len(syl); i += 2 {
			words = append(words, strings.Join(syl[i:min(i+2, len(syl))], ""))
		}
	}
	if len(words) == 0 {
		return "", false
	}
	for i, w := range words {
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(words, " "), true
}

// wordPool is every Latin word of the lists, for hard non-matches.
func wordPool(entries []Entry) []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range entries {
		for _, t := range Normalize(e.Names[0]).Tokens {
			if len(t) >= 5 && !seen[t] && !isNumber(t) {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	sort.Strings(out)
	return out
}

// replaceRarest swaps the name's most distinctive word for a random word of
// the pool: "Raytheon Missiles & Defense" becomes "Harbin Missiles &
// Defense". It is checked against the index, so it names no listed party.
func replaceRarest(ix *Index, rng *rand.Rand, name string, pool []string) (string, bool) {
	w := words(name)
	if len(w) < 2 || len(pool) == 0 {
		return "", false
	}
	best, bestW := -1, 0.0
	for i, x := range w {
		nn := Normalize(x)
		if len(nn.Tokens) != 1 || stopWords[nn.Tokens[0]] || isNumber(nn.Tokens[0]) {
			continue
		}
		if wt := ix.weight(nn.Tokens[0]); wt > bestW {
			best, bestW = i, wt
		}
	}
	if best < 0 {
		return "", false
	}
	orig := Normalize(w[best]).Tokens[0]
	for try := 0; try < 5; try++ {
		word := pool[rng.IntN(len(pool))]
		if jaroWinkler(word, orig) >= 0.8 {
			continue // a near-spelling of the word it replaces is a typo, not another party
		}
		w[best] = strings.ToUpper(word[:1]) + word[1:]
		cand := strings.Join(w, " ")
		if ix.listedExactly(cand) {
			continue
		}
		return cand, true
	}
	return "", false
}

// listedExactly reports whether some listed name has the same normal form.
func (ix *Index) listedExactly(s string) bool { return ix.normals[Normalize(s).String()] }

// scriptOf names the main script of s.
func scriptOf(s string) string {
	counts := map[string]int{}
	for _, r := range s {
		switch {
		case isCJK(r):
			counts["cjk"]++
		case unicode.In(r, unicode.Cyrillic):
			counts["cyrillic"]++
		case unicode.In(r, unicode.Arabic):
			counts["arabic"]++
		case unicode.In(r, unicode.Latin):
			counts["latin"]++
		case unicode.IsLetter(r):
			counts["other"]++
		}
	}
	best, n := "latin", 0
	for _, k := range []string{"latin", "cjk", "cyrillic", "arabic", "other"} {
		if counts[k] > n {
			best, n = k, counts[k]
		}
	}
	return best
}

// Score counts outcomes.
type Score struct {
	TP, FP, FN, TN int
}

// Precision is TP / (TP + FP) (1 when nothing was flagged).
func (s Score) Precision() float64 {
	if s.TP+s.FP == 0 {
		return 1
	}
	return float64(s.TP) / float64(s.TP+s.FP)
}

// Recall is TP / (TP + FN) (1 when nothing was to be found).
func (s Score) Recall() float64 {
	if s.TP+s.FN == 0 {
		return 1
	}
	return float64(s.TP) / float64(s.TP+s.FN)
}

// F1 is the harmonic mean of precision and recall.
func (s Score) F1() float64 {
	p, r := s.Precision(), s.Recall()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

func (s *Score) add(o Score) { s.TP += o.TP; s.FP += o.FP; s.FN += o.FN; s.TN += o.TN }

// Report is an evaluation at one threshold.
type Report struct {
	Threshold float64          `json:"threshold"`
	Cases     int              `json:"cases"`
	All       Score            `json:"all"`
	BySource  map[string]Score `json:"by_source"`
	ByScript  map[string]Score `json:"by_script"`
	ByKind    map[string]Score `json:"by_kind"`
	Misses    []Miss           `json:"misses,omitempty"` // the wrong answers, for tuning
}

// Miss is a case answered wrongly.
type Miss struct {
	Case Case    `json:"case"`
	Got  string  `json:"got,omitempty"` // the entry found, if any
	Name string  `json:"got_name,omitempty"`
	At   float64 `json:"score,omitempty"`
}

// Evaluate screens every case and counts: the top hit at or above the
// threshold is the answer. A true-match case is right when the answer is
// its entry or another entry sharing one of its names (a party on several
// lists); a non-match is right when there is no answer.
func (ix *Index) Evaluate(cases []Case, threshold float64) Report {
	return ix.evaluate(cases, threshold, ix.Search)
}

// EvaluateBruteForce is Evaluate with every name scored (ScanAll): it
// shows what candidate generation through the index loses, if anything.
func (ix *Index) EvaluateBruteForce(cases []Case, threshold float64) Report {
	return ix.evaluate(cases, threshold, func(q Query, opt Options) ([]Hit, error) {
		hits, err := ix.ScanAll(q, opt)
		sort.Slice(hits, func(a, b int) bool {
			if hits[a].Score != hits[b].Score {
				return hits[a].Score > hits[b].Score
			}
			return hits[a].Entry.ID < hits[b].Entry.ID
		})
		return hits, err
	})
}

func (ix *Index) evaluate(cases []Case, threshold float64, search func(Query, Options) ([]Hit, error)) Report {
	rep := Report{Threshold: threshold, Cases: len(cases), BySource: map[string]Score{}, ByScript: map[string]Score{}, ByKind: map[string]Score{}}
	same := ix.sameParty()
	for _, c := range cases {
		hits, err := search(c.Query, Options{MinScore: threshold, Limit: 1})
		var s Score
		var got *Hit
		if err == nil && len(hits) > 0 {
			got = &hits[0]
		}
		switch {
		case c.Want == "" && got == nil:
			s.TN = 1
		case c.Want == "":
			s.FP = 1
		case got == nil:
			s.FN = 1
		case same(c.Want, got.Entry.ID):
			s.TP = 1
		default:
			s.FP, s.FN = 1, 1
		}
		if s.FP+s.FN > 0 {
			m := Miss{Case: c}
			if got != nil {
				m.Got, m.Name, m.At = got.Entry.ID, got.Name, got.Score
			}
			rep.Misses = append(rep.Misses, m)
		}
		rep.All.add(s)
		for key, into := range map[string]map[string]Score{c.Source: rep.BySource, c.Script: rep.ByScript, c.Kind: rep.ByKind} {
			v := into[key]
			v.add(s)
			into[key] = v
		}
	}
	return rep
}

// sameParty reports whether two entries share a name: the same tokens in
// any order ("BA'ASYIR, Abdul Rosyid Ridho" on one list, "ABDUL ROSYID
// RIDHO BA'ASYIR" on another), or the same CJK name.
func (ix *Index) sameParty() func(a, b string) bool {
	names := map[string]map[string]bool{}
	for _, n := range ix.names {
		id := ix.Entries[n.entry].ID
		if names[id] == nil {
			names[id] = map[string]bool{}
		}
		toks := slices.Clone(n.norm.Tokens)
		slices.Sort(toks)
		names[id][strings.Join(toks, " ")+"|"+n.norm.CJK] = true
	}
	return func(a, b string) bool {
		if a == b {
			return true
		}
		for n := range names[a] {
			if names[b][n] {
				return true
			}
		}
		return false
	}
}

// FalsePositives screens names that are on no list and returns those that
// hit at or above the threshold.
func (ix *Index) FalsePositives(names []string, threshold float64) []Miss {
	qs := make([]Query, len(names))
	for i, n := range names {
		qs[i] = Query{Name: n}
	}
	var out []Miss
	for _, r := range ix.SearchBatch(qs, Options{MinScore: threshold, Limit: 1}) {
		if len(r.Hits) > 0 {
			out = append(out, Miss{Case: Case{Query: r.Query, Kind: "negative"}, Got: r.Hits[0].Entry.ID, Name: r.Hits[0].Name, At: r.Hits[0].Score})
		}
	}
	return out
}
