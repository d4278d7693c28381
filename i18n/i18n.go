// Package i18n is rarex's one message catalog. Every string a person reads
// in the web UI comes from here, in English and Simplified Chinese.
package i18n

import (
	"fmt"
	"strconv"
	"strings"

	"rarex"
)

// Languages, as BCP 47 tags.
const (
	English = "en"
	Chinese = "zh-Hans"
)

// Langs lists the supported languages; the first is the default.
var Langs = []string{English, Chinese}

// Supported reports whether tag is one of Langs.
func Supported(tag string) bool { return tag == English || tag == Chinese }

// T returns the message key in lang, formatted with args. A missing key
// returns "[[key]]" so a test (and a reader) spots it at once.
func T(lang, key string, args ...any) string {
	m, ok := catalog[key]
	if !ok {
		return "[[" + key + "]]"
	}
	s := m.en
	if lang == Chinese {
		s = m.zh
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// TS is T for string arguments, as engines record a message to be shown
// later in the reader's language.
func TS(lang, key string, args []string) string {
	a := make([]any, len(args))
	for i, x := range args {
		a[i] = x
	}
	return T(lang, key, a...)
}

// Msg is a message an engine records now, to be shown later in the
// reader's language: a catalog key and its string arguments.
type Msg struct {
	Key  string   `json:"key"`
	Args []string `json:"args,omitempty"`
}

// M makes a Msg.
func M(key string, args ...string) Msg { return Msg{Key: key, Args: args} }

// In renders m in lang.
func (m Msg) In(lang string) string { return TS(lang, m.Key, m.Args) }

// Invalid is an input error (rarex.EINVALID) worded by catalog message key,
// whose first argument is the field: its Message is the English, and the
// key and arguments go with it for readers of other languages.
func Invalid(key string, args ...string) error {
	return &rarex.Error{Code: rarex.EINVALID, Message: TS(English, key, args), Key: key, Args: args}
}

// Has reports whether key is in the catalog.
func Has(key string) bool { _, ok := catalog[key]; return ok }

// Match picks a supported language from an Accept-Language header value,
// honouring q-values; any zh variant maps to Simplified Chinese.
func Match(accept string) string {
	best, bestQ := English, -1.0
	for _, part := range strings.Split(accept, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				continue
			}
			q = f
		}
		tag = strings.ToLower(strings.TrimSpace(tag))
		var lang string
		switch {
		case tag == "zh" || strings.HasPrefix(tag, "zh-"):
			lang = Chinese
		case tag == "en" || strings.HasPrefix(tag, "en-"):
			lang = English
		default:
			continue
		}
		if q > bestQ {
			best, bestQ = lang, q
		}
	}
	return best
}

type msg struct{ en, zh string }
