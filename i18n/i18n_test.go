package i18n

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var verb = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)

func TestEveryMessageInBothLanguages(t *testing.T) {
	for key, m := range catalog {
		if strings.TrimSpace(m.en) == "" || strings.TrimSpace(m.zh) == "" {
			t.Errorf("%s: a language is empty: %+v", key, m)
		}
		if a, b := verb.FindAllString(m.en, -1), verb.FindAllString(m.zh, -1); strings.Join(a, " ") != strings.Join(b, " ") {
			t.Errorf("%s: format verbs differ: en %v, zh %v", key, a, b)
		}
	}
}

func TestT(t *testing.T) {
	if got := T(Chinese, "home.signed_in", "linh"); got != "当前用户：linh" {
		t.Fatalf("T zh = %q", got)
	}
	if got := TS(Chinese, "home.signed_in", []string{"linh"}); got != "当前用户：linh" {
		t.Fatalf("TS zh = %q", got)
	}
	if got := T(English, "nav.home"); got != "Home" {
		t.Fatalf("T en = %q", got)
	}
	if got := T("fr", "nav.home"); got != "Home" {
		t.Fatalf("unknown language should fall back to English, got %q", got)
	}
	if got := T(English, "no.such.key"); got != "[[no.such.key]]" {
		t.Fatalf("missing key = %q", got)
	}
}

func TestMatch(t *testing.T) {
	for in, want := range map[string]string{
		"":                           English,
		"zh-CN,zh;q=0.9,en;q=0.8":    Chinese,
		"en-US,en;q=0.9,zh-CN;q=0.8": English,
		"de-DE,zh-TW;q=0.5":          Chinese,
		"fr, de":                     English,
		"en;q=0.2, zh;q=0.7":         Chinese,
		"zh;q=bogus, en":             English,
		";;;,,,q=,zh-Hans-CN;q=1.0":  Chinese,
	} {
		if got := Match(in); got != want {
			t.Errorf("Match(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzMatch(f *testing.F) {
	f.Add("zh-CN,zh;q=0.9,en;q=0.8")
	f.Add(";q=;q=,")
	f.Fuzz(func(t *testing.T, s string) {
		if got := Match(s); !Supported(got) {
			t.Fatalf("Match(%q) = %q, unsupported", s, got)
		}
	})
}

// TestInvalidKeysInCatalog: every input error worded by key (Invalid, or
// the licence office's bad) anywhere in the code has its message in the
// catalog, in both languages, starting with its field.
func TestInvalidKeysInCatalog(t *testing.T) {
	use := regexp.MustCompile(`(?:\bbad|Invalid)\("(invalid\.[a-z_0-9]+)"`)
	found := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, k := range use.FindAllSubmatch(src, -1) {
			found++
			key := string(k[1])
			if !Has(key) {
				t.Errorf("%s: %s is not in the catalog", path, key)
				continue
			}
			args := []string{"field", "a", "b", "c", "d", "e", "f"}[:len(verb.FindAllString(catalog[key].en, -1))]
			for _, lang := range Langs {
				if s := TS(lang, key, args); !strings.HasPrefix(s, "field") || strings.Contains(s, "%!") {
					t.Errorf("%s in %s: %q", key, lang, s)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 60 {
		t.Fatalf("found %d uses of invalid.* keys; the scan is broken", found)
	}
}
