package rules

import (
	"strings"
	"testing"
	"testing/fstest"
)

// base is a small valid regime; each bad case edits one line of it.
const base = `regime: test
title: Test regime
item_classes: [metal, magnet_ndfeb, technology, other]
tech_stages: [separation]
end_user_types: [civilian, military]
end_use_categories: [civilian_manufacturing, military]
party_lists: [control_list]
element_codes: {Dy: 1C905}
interpretations:
  - id: official
    default: true
    deminimis_ratio: "0.001"
    deminimis_inclusive: true
    part1_elements: [Dy]
    sources: [https://example.org/a]
green_channel:
  outcomes: [license_required]
  end_user_types: [civilian]
  end_uses: [civilian_manufacturing]
instruments:
  - id: a1
    title: Announcement one
    number: No. 1
    windows:
      - {from: 2025-01-01, to: 2025-06-01, status: in_force}
      - {from: 2025-06-01, status: suspended}
    sources: [https://example.org/1]
rules:
  - id: r1
    instrument: a1
    article: Art. 1
    outcome: license_required
    text: Dy metal needs a licence.
    when:
      item_class: [metal]
      elements_any: [Dy]
    sources: [https://example.org/1]
part1_classes: [metal, magnet_ndfeb]
`

func TestParseValid(t *testing.T) {
	r, err := Parse("base.yaml", []byte(base))
	if err != nil {
		t.Fatal(err)
	}
	d, err := r.Determine(Request{Date: "2025-02-01", ShipFrom: "CN", Destination: "US", Item: Item{Class: "metal", Elements: []string{"Dy"}, Origin: "CN"}})
	if err != nil || d.Outcome != LicenseRequired {
		t.Fatalf("determine on the small regime: %v %v", d, err)
	}
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct {
		name, from, to string
		line           int
		field, msg     string
	}{
		{"unknown top-level field", "title: Test regime", "title: Test regime\ncolour: red", 3, "colour", "unknown field"},
		{"unknown rule field", "    article: Art. 1", "    article: Art. 1\n    artcle: typo", 32, "rules.artcle", "unknown field"},
		{"unknown condition field", "      item_class: [metal]", "      item_klass: [metal]", 35, "rules.when.item_klass", "unknown field"},
		{"bad date", "from: 2025-01-01, to", "from: 2025-13-01, to", 0, "yaml", "not a date"},
		{"overlapping windows", "{from: 2025-06-01, status: suspended}", "{from: 2025-05-01, status: suspended}", 26, "windows.from", "overlaps"},
		{"window ends before it starts", "to: 2025-06-01, status: in_force", "to: 2024-06-01, status: in_force", 25, "windows.to", "before it starts"},
		{"unknown status", "status: suspended}", "status: paused}", 26, "windows.status", "paused"},
		{"rule names unknown instrument", "    instrument: a1", "    instrument: a9", 29, "rules.instrument", "a9"},
		{"unknown outcome", "    outcome: license_required", "    outcome: banned", 29, "rules.outcome", "banned"},
		{"unknown item class", "      item_class: [metal]", "      item_class: [metall]", 29, "when.item_class", "metall"},
		{"unknown element", "      elements_any: [Dy]", "      elements_any: [Dx]", 29, "when.elements_any", "Dx"},
		{"rule without sources", "      elements_any: [Dy]\n    sources: [https://example.org/1]", "      elements_any: [Dy]\n    sources: []", 29, "rules.sources", "source"},
		{"no default interpretation", "    default: true\n", "", 9, "interpretations", "default"},
		{"green channel names an unknown outcome", "  outcomes: [license_required]", "  outcomes: [banned]", 16, "green_channel.outcomes", "banned"},
		{"bad ratio", `"0.001"`, `"1.5"`, 10, "interpretations.deminimis_ratio", "(0, 1]"},
		{"duplicate instrument", "rules:", "  - id: a1\n    title: t\n    number: n\n    windows: [{from: 2025-01-01, status: in_force}]\n    sources: [x]\nrules:", 28, "instruments.id", "twice"},
		{"empty file", base, "", 1, "regime", "empty"},
		{"not YAML", base, "regime: [unclosed", 1, "yaml", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := strings.Replace(base, c.from, c.to, 1)
			if src == base {
				t.Fatalf("the edit %q did not apply", c.from)
			}
			_, err := Parse("bad.yaml", []byte(src))
			le, ok := err.(*LoadError)
			if !ok {
				t.Fatalf("err = %v (%T), want a *LoadError", err, err)
			}
			if le.File != "bad.yaml" || !strings.Contains(le.Field, c.field) || !strings.Contains(le.Msg, c.msg) {
				t.Fatalf("err = %v; want field ~%q, message ~%q", le, c.field, c.msg)
			}
			if c.line > 0 && le.Line != c.line {
				t.Errorf("line %d, want %d (%v)", le.Line, c.line, le)
			}
		})
	}
}

func TestLoadFSDuplicateRegimes(t *testing.T) {
	fsys := fstest.MapFS{"r/a.yaml": {Data: []byte(base)}, "r/b.yaml": {Data: []byte(base)}}
	if _, err := LoadFS(fsys, "r"); err == nil || !strings.Contains(err.Error(), "also used by") {
		t.Fatalf("two regimes with one id: %v", err)
	}
	if _, err := LoadFS(fstest.MapFS{}, "r"); err == nil {
		t.Fatal("an empty directory loaded")
	}
}

func TestShippedRulesLinkSources(t *testing.T) {
	reg := shippedRegime(t)
	for _, ru := range reg.Rules {
		if strings.TrimSpace(ru.TextZh) == "" {
			t.Errorf("rule %s has no Chinese paraphrase (text_zh): reviewers read Chinese", ru.ID)
		}
		for _, s := range ru.Sources {
			if !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://") {
				t.Errorf("rule %s: source %q is not an address", ru.ID, s)
			}
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(base))
	f.Add([]byte("regime: x\ninstruments: [{id: a, windows: [{from: 2025-01-01}]}]"))
	f.Add([]byte("- - -\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Parse("fuzz.yaml", data)
		if err != nil {
			if _, ok := err.(*LoadError); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		// A regime that loads must evaluate without panicking.
		r.Determine(Request{Date: "2025-06-01", ShipFrom: "CN", Destination: "US", Item: Item{Class: r.ItemClasses[0], Origin: "CN"}})
	})
}
