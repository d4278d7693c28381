// Package screen matches party names against restricted-party lists:
// China's export-control, watch and unreliable-entity lists first, and the
// US and UN lists. It normalises names across scripts, finds candidates
// through an inverted index and scores them with an explanation. It holds
// no I/O: readers take an io.Reader.
package screen

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mozillazg/go-pinyin"
	"golang.org/x/text/unicode/norm"
)

// Name is a name prepared for matching.
type Name struct {
	// Tokens are the name's words in Latin script (other scripts
	// transliterated), folded, without marks, punctuation, legal forms or
	// honorifics.
	Tokens []string
	// CJK is the name's Han, kana and Hangul characters in order, legal
	// forms removed: CJK has no spaces, so it is matched on n-grams.
	CJK string
	// Pinyin is the Mandarin reading of CJK's Han characters, syllables
	// run together ("beijinghangkonghangtiandaxue"): English spellings of
	// Chinese names join syllables by word, so they are compared joined.
	Pinyin string
}

// String is the normal form: tokens, then the CJK run, space-separated.
// Normalising a normal form gives it back (the normaliser is idempotent).
func (n Name) String() string {
	s := strings.Join(n.Tokens, " ")
	if n.CJK != "" {
		if s != "" {
			s += " "
		}
		s += n.CJK
	}
	return s
}

// Empty reports whether nothing matchable is left.
func (n Name) Empty() bool { return len(n.Tokens) == 0 && n.CJK == "" }

// pinyinArgs: toneless syllables, the first reading of each character.
var pinyinArgs = pinyin.NewArgs()

var foldReplacer = strings.NewReplacer("ß", "ss", "ẞ", "ss", "ſ", "s", "ς", "σ")

// Normalize prepares a name: Unicode NFKC, lower case (ß is ss), marks stripped,
// punctuation to spaces, other scripts transliterated to Latin (CJK kept
// apart), runs of single letters joined ("L.L.C." → llc), then legal-form
// words and honorifics dropped unless nothing else would be left.
func Normalize(s string) Name {
	// Invalid bytes first: the normaliser would pass what follows them through.
	s = strings.ToValidUTF8(s, " ")
	s = norm.NFKC.String(s)
	// Lower case, with the folds that matter for names; full Unicode case
	// folding is not idempotent with what follows (Cherokee folds upward).
	s = foldReplacer.Replace(strings.ToLower(s))
	// Strip combining marks: decompose, drop Mn, recompose.
	s = norm.NFD.String(s)
	var b strings.Builder
	var cjk strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case isCJK(r):
			cjk.WriteRune(r)
			b.WriteByte(' ')
		case r == '\'' || r == '’' || r == '`' || r == 'ʼ':
			// O'Brien and O’Brien are OBrien: apostrophes join.
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if t, ok := translit[r]; ok {
				b.WriteString(t)
			} else {
				b.WriteRune(r)
			}
		default:
			b.WriteByte(' ')
		}
	}
	latin := norm.NFC.String(b.String())
	// Transliteration may bring back letters with marks (e.g. ё → yo is
	// plain, but a table may use é); strip once more.
	tokens := strings.Fields(stripMarks(latin))
	// Joining initials can make a legal form ("s a" → sa) and dropping one
	// can bring initials together: repeat to a fixed point, so normalising
	// a normal form changes nothing.
	for {
		n := len(tokens)
		tokens = dropWords(joinInitials(tokens))
		if len(tokens) == n {
			break
		}
	}
	n := Name{Tokens: tokens, CJK: dropCJKForms(cjk.String())}
	if n.CJK != "" {
		n.Pinyin = strings.Join(pinyin.LazyPinyin(n.CJK, pinyinArgs), "")
	}
	return n
}

func stripMarks(s string) string {
	if isASCII(s) {
		return s
	}
	d := norm.NFD.String(s)
	var b strings.Builder
	for _, r := range d {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return norm.NFC.String(b.String())
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

// joinInitials joins runs of two or more single letters: "l l c" → "llc",
// "s a" → "sa", "u s a" → "usa". Digits are not joined.
func joinInitials(tokens []string) []string {
	out := tokens[:0:0]
	for i := 0; i < len(tokens); {
		j := i
		for j < len(tokens) && isInitial(tokens[j]) {
			j++
		}
		if j-i >= 2 {
			out = append(out, strings.Join(tokens[i:j], ""))
			i = j
			continue
		}
		out = append(out, tokens[i])
		i++
	}
	return out
}

func isInitial(t string) bool {
	r, size := utf8.DecodeRuneInString(t)
	return size == len(t) && unicode.IsLetter(r)
}

// dropWords removes legal forms and honorifics, and misspellings of the
// long legal-form words ("Compnay"), unless that would leave no token (a
// company called "Holding AG" stays "holding").
func dropWords(tokens []string) []string {
	kept := tokens[:0:0]
	for _, t := range tokens {
		if !stopWords[t] && !misspeltForm(t) {
			kept = append(kept, t)
		}
	}
	if len(kept) == 0 {
		return tokens
	}
	return kept
}

// longForms are legal-form words long enough that a one-letter slip still
// names them unambiguously.
var longForms = []string{"company", "companies", "corporation", "incorporated", "limited", "kabushiki", "kaisha", "aktsionernoe", "obshchestvo"}

// misspeltForm reports whether t is one of longForms with one letter
// swapped, dropped, doubled or changed.
func misspeltForm(t string) bool {
	if len(t) < 6 || !isASCII(t) {
		return false
	}
	for _, f := range longForms {
		if d := len(t) - len(f); d >= -1 && d <= 1 && t[0] == f[0] && editsWithinOne(t, f) {
			return true
		}
	}
	return false
}

// editsWithinOne reports whether a and b differ by at most one insertion,
// deletion, substitution or transposition of adjacent letters.
func editsWithinOne(a, b string) bool {
	if a == b {
		return true
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	switch {
	case len(a) == len(b):
		if a[i+1:] == b[i+1:] {
			return true // substitution
		}
		return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:] // transposition
	default:
		return a[i:] == b[i+1:] // b has one letter more
	}
}

// stopWords are legal-form words (in the Latin form the normaliser gives
// them, so Cyrillic ООО arrives as ooo) and honorifics.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
		co company companies corp corporation inc incorporated ltd limited llc plc lp llp
		pte pty bhd sdn tbk pt cv jsc ojsc cjsc pjsc oao zao pao ooo ao tov pp
		gmbh ag kg ohg ug mbh eg ev
		sa sas sarl sasu sca sci snc eurl spa srl sapa snc
		bv nv vof
		ab oy oyj as asa aps
		kk yk gk kabushiki kaisha yugen godo
		sl slu ltda limitada cia sapi
		gongsi youxian gufen zeren youxiangongsi gufenyouxiangongsi youxianzerengongsi
		otkrytoe zakrytoe publichnoe aktsionernoe obshchestvo ogranichennoi otvetstvennostiu otvetstvennostyu joint stock
		the of and de del y e da do das dos s
		mr mrs ms miss dr prof sir madam mme mlle herr frau
	`) {
		m[w] = true
	}
	return m
}()

// cjkForms are legal forms in Chinese, Japanese and Korean, longest first.
var cjkForms = []string{"股份有限公司", "有限责任公司", "有限公司", "株式会社", "有限会社", "合同会社", "주식회사", "公司"}

func dropCJKForms(s string) string {
	if s == "" {
		return s
	}
	out := s
	for {
		before := out
		for _, f := range cjkForms {
			out = strings.ReplaceAll(out, f, "")
		}
		if out == "" {
			return before
		}
		if out == before {
			return out
		}
	}
}

// translit maps Cyrillic, Greek and Arabic letters (lower case: the name
// is folded first) to Latin, following common passport-style schemes.
var translit = func() map[rune]string {
	m := map[rune]string{}
	add := func(pairs string) {
		f := strings.Fields(pairs)
		for i := 0; i+1 < len(f); i += 2 {
			r, _ := utf8.DecodeRuneInString(f[i])
			m[r] = f[i+1]
			if f[i+1] == "-" {
				m[r] = ""
			}
		}
	}
	// Russian, Ukrainian, Belarusian (ICAO 9303 style).
	add(`а a б b в v г g д d е e ё e ж zh з z и i й i к k л l м m н n о o п p р r с s т t у u ф f х kh ц ts
		ч ch ш sh щ shch ъ - ы y ь - э e ю iu я ia і i ї i є ie ґ g ў u`)
	// Greek (ELOT 743 simplified).
	add(`α a β v γ g δ d ε e ζ z η i θ th ι i κ k λ l μ m ν n ξ x ο o π p ρ r σ s ς s τ t υ y φ f χ ch ψ ps ω o`)
	// Arabic consonants and long vowels (a rough, common romanisation).
	add(`ا a أ a إ i آ a ب b ت t ث th ج j ح h خ kh د d ذ dh ر r ز z س s ش sh ص s ض d ط t ظ z ع - غ gh ف f ق q ك k
		ل l م m ن n ه h و w ي y ى a ة a ء - ئ - ؤ -`)
	// Persian additions.
	add(`پ p چ ch ژ zh گ g ک k ی y`)
	return m
}()
