package screen

import (
	"math"
	"slices"
	"strings"
	"unicode/utf8"
)

// Index holds the entries of one or more lists, ready for screening. A
// query never scans the whole list: candidates come from postings of
// whole tokens, token trigrams, phonetic keys and CJK bigrams.
type Index struct {
	Entries []Entry
	names   []indexedName
	post    map[string][]int32 // feature → names having it (each at most once)
	normals map[string]bool    // every name's normal form
	idf     map[string]float64
	unseen  float64 // the weight of a token no name has
}

// indexedName is one name of one entry.
type indexedName struct {
	entry   int32
	text    string // as listed
	norm    Name
	keys    []string  // phonetic key per token
	weights []float64 // rarity weight per token
	joined  string    // tokens run together
	nums    []string  // number tokens, sorted
	bigrams []string  // of the CJK run
}

// NewIndex indexes every name of entries.
func NewIndex(entries []Entry) *Index {
	ix := &Index{Entries: entries, post: map[string][]int32{}, normals: map[string]bool{}}
	df := map[string]int{} // token → names having it, for rarity weights
	for i := range entries {
		for _, n := range entries[i].Names {
			nn := Normalize(n)
			if nn.Empty() {
				continue
			}
			id := int32(len(ix.names))
			in := indexedName{entry: int32(i), text: n, norm: nn, keys: make([]string, len(nn.Tokens))}
			for k, t := range nn.Tokens {
				in.keys[k] = phonetic(t)
			}
			ix.names = append(ix.names, in)
			ix.normals[nn.String()] = true
			feats := features(nn, in.keys)
			for _, f := range feats {
				ix.post[f] = append(ix.post[f], id)
			}
			seen := map[string]bool{}
			for _, t := range nn.Tokens {
				if !seen[t] {
					seen[t] = true
					df[t]++
				}
			}
		}
	}
	ix.idf = make(map[string]float64, len(df))
	for t, n := range df {
		ix.idf[t] = idf(len(ix.names), n)
	}
	ix.unseen = idf(len(ix.names), 0)
	for i := range ix.names {
		n := &ix.names[i]
		n.weights = make([]float64, len(n.norm.Tokens))
		for k, t := range n.norm.Tokens {
			n.weights[k] = ix.idf[t]
		}
		n.joined, n.nums, n.bigrams = strings.Join(n.norm.Tokens, ""), numbers(n.norm.Tokens), bigrams(n.norm.CJK)
	}
	return ix
}

func idf(total, df int) float64 { return math.Log(1 + float64(total+1)/float64(df+1)) }

// Names is the number of names indexed.
func (ix *Index) Names() int { return len(ix.names) }

// features are a name's index keys, each once.
func features(n Name, keys []string) []string {
	var out []string
	add := func(f string) {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	for k, t := range n.Tokens {
		add("t:" + t)
		if keys[k] != "" && keys[k] != numberKey {
			add("p:" + keys[k])
		}
		for _, g := range trigrams(t) {
			add("g:" + g)
		}
	}
	for _, g := range bigrams(n.CJK) {
		add("c:" + g)
	}
	// Pinyin shares the trigram space with Latin tokens, so an English
	// spelling finds a Chinese name and the other way round.
	if n.Pinyin != "" {
		for _, g := range trigrams(n.Pinyin) {
			add("g:" + g)
		}
	}
	return out
}

// trigrams of a token padded with boundary marks, so short tokens have some.
func trigrams(t string) []string {
	r := []rune("^" + t + "$")
	if len(r) < 3 {
		return nil
	}
	out := make([]string, 0, len(r)-2)
	for i := 0; i+3 <= len(r); i++ {
		out = append(out, string(r[i:i+3]))
	}
	return out
}

// bigrams of a CJK run (the run itself when one character long).
func bigrams(s string) []string {
	r := []rune(s)
	if len(r) == 1 {
		return []string{s}
	}
	var out []string
	for i := 0; i+2 <= len(r); i++ {
		out = append(out, string(r[i:i+2]))
	}
	return out
}

// weight is a token's rarity: log-scaled inverse document frequency, so
// "international" counts for less than "huawei".
func (ix *Index) weight(t string) float64 {
	if w, ok := ix.idf[t]; ok {
		return w
	}
	return ix.unseen
}

// numberKey is the phonetic "key" of a token with a digit in it: numbers
// are compared exactly, never by sound.
const numberKey = "#"

// phonetic is a compact sound key of a Latin token: the first letter, then
// consonant classes with vowels and repeats dropped (a Soundex relative
// that keeps length). A token with a digit gets numberKey.
func phonetic(t string) string {
	if t == "" {
		return ""
	}
	if isNumber(t) {
		return numberKey
	}
	var b strings.Builder
	last := byte(0)
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c >= utf8.RuneSelf {
			return "" // not Latin: no key
		}
		var k byte
		switch c {
		case 'b', 'p', 'f', 'v':
			k = '1'
		case 'c', 'g', 'j', 'k', 'q', 's', 'x', 'z':
			k = '2'
		case 'd', 't':
			k = '3'
		case 'l':
			k = '4'
		case 'm', 'n':
			k = '5'
		case 'r':
			k = '6'
		default:
			k = 0 // vowels, h, w, y
		}
		if i == 0 {
			b.WriteByte(c)
			last = k
			continue
		}
		if k != 0 && k != last {
			b.WriteByte(k)
		}
		if c != 'h' && c != 'w' {
			last = k
		}
	}
	return b.String()
}
