// Package rules holds export-control regimes as dated data and evaluates
// determinations against them: which instruments are in force on a date,
// which rules fire for an item, shipment, end user and end use, and why.
// It reads only the file system it is given and does no other I/O.
package rules

import (
	"embed"
	"fmt"
	"io/fs"
	"math/big"
	"path"
	"rarex"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

//go:embed data/*.yaml
var shipped embed.FS

// Outcomes, from least to most decisive. Precedence when several rules
// fire: presumption_of_denial > exempt > case_by_case > license_required > not_controlled.
const (
	NotControlled       = "not_controlled"
	LicenseRequired     = "license_required"
	CaseByCase          = "case_by_case"
	Exempt              = "exempt"
	PresumptionOfDenial = "presumption_of_denial"
)

var precedence = map[string]int{NotControlled: 0, LicenseRequired: 1, CaseByCase: 2, Exempt: 3, PresumptionOfDenial: 4}

// Instrument statuses.
const (
	NotYetEffective = "not_yet_effective"
	InForce         = "in_force"
	Suspended       = "suspended"
	Expired         = "expired"
	Uncertain       = "uncertain"
)

var statuses = rarex.SetOf([]string{NotYetEffective, InForce, Suspended, Expired, Uncertain})

// Date is a calendar date (no time of day, no zone).
type Date struct{ time.Time }

// ParseDate reads YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a date in the form YYYY-MM-DD", s)
	}
	return Date{t}, nil
}

func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Format(time.DateOnly)
}

// UnmarshalYAML reads a date.
func (d *Date) UnmarshalYAML(n *yaml.Node) error {
	p, err := ParseDate(n.Value)
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// MarshalText writes YYYY-MM-DD.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Window is a span of an instrument's life with one status: [From, To).
type Window struct {
	From    Date   `yaml:"from"`
	To      Date   `yaml:"to"` // zero: open-ended
	Status  string `yaml:"status"`
	By      string `yaml:"by"`      // the instrument that caused it (a suspension)
	Missing string `yaml:"missing"` // for uncertain: the fact not on record
	Note    string `yaml:"note"`
	line    int
}

// Instrument is an announcement, law or decision.
type Instrument struct {
	ID        string   `yaml:"id"`
	Title     string   `yaml:"title"`
	Number    string   `yaml:"number"`
	Issuer    string   `yaml:"issuer"`
	Published Date     `yaml:"published"`
	Windows   []Window `yaml:"windows"`
	Sources   []string `yaml:"sources"`
	line      int
}

// Condition is what must hold for a rule to fire. Every non-empty field
// must hold; a list holds when the request's value is one of it.
type Condition struct {
	ShipFrom             []string    `yaml:"ship_from"`
	ShipFromNot          []string    `yaml:"ship_from_not"`
	Origin               []string    `yaml:"origin"`
	OriginNot            []string    `yaml:"origin_not"`
	Destination          []string    `yaml:"destination"`
	ItemClass            []string    `yaml:"item_class"`
	ElementsAny          []string    `yaml:"elements_any"`
	ElementsParam        string      `yaml:"elements_param"` // an interpretation's element list
	CNTechnologyAny      []string    `yaml:"cn_technology_any"`
	ContentOverThreshold bool        `yaml:"content_over_threshold"`
	EndUserType          []string    `yaml:"end_user_type"`
	EndUserListsAny      []string    `yaml:"end_user_lists_any"`
	EndUse               []string    `yaml:"end_use"`
	AnyOf                []Condition `yaml:"any_of"`
}

// Rule is one article's effect.
type Rule struct {
	ID                  string    `yaml:"id"`
	Instrument          string    `yaml:"instrument"`
	Article             string    `yaml:"article"`
	Effective           Date      `yaml:"effective"` // zero: when the instrument is
	Outcome             string    `yaml:"outcome"`
	Text                string    `yaml:"text"`
	TextZh              string    `yaml:"text_zh"` // the paraphrase in Chinese
	When                Condition `yaml:"when"`
	AppliesToControlled bool      `yaml:"applies_to_controlled"` // fires only on top of a licence requirement
	ControlCodes        []string  `yaml:"control_codes"`
	CodesFromElements   bool      `yaml:"codes_from_elements"`
	Sources             []string  `yaml:"sources"`
	line                int
}

// Interpretation is a named reading of a disputed fact.
type Interpretation struct {
	ID                 string   `yaml:"id"`
	Default            bool     `yaml:"default"`
	Title              string   `yaml:"title"`
	Description        string   `yaml:"description"`
	DeminimisRatio     string   `yaml:"deminimis_ratio"`
	DeminimisInclusive bool     `yaml:"deminimis_inclusive"`
	Part1Elements      []string `yaml:"part1_elements"`
	Sources            []string `yaml:"sources"`
	ratio              *big.Rat
	line               int
}

// GreenChannel holds the criteria for expedited review.
type GreenChannel struct {
	Outcomes                []string `yaml:"outcomes"`
	EndUserTypes            []string `yaml:"end_user_types"`
	EndUses                 []string `yaml:"end_uses"`
	NoPartyLists            bool     `yaml:"no_party_lists"`
	RequireValidatedEndUser bool     `yaml:"require_validated_end_user"`
	RequireCompliance       bool     `yaml:"require_compliance_programme"`
	Sources                 []string `yaml:"sources"`
}

// HSLine is a reference tariff line and what items declared under it are.
type HSLine struct {
	Prefix       string   `yaml:"prefix"`
	Classes      []string `yaml:"classes"`
	ElementsAny  []string `yaml:"elements_any"`
	ElementsNone []string `yaml:"elements_none"`
	Note         string   `yaml:"note"`
}

// GeneralLicence is a standing licence for named exporters.
type GeneralLicence struct {
	ID          string   `yaml:"id"`
	Instrument  string   `yaml:"instrument"`
	Holders     []string `yaml:"holders"`
	CoversRules []string `yaml:"covers_rules"`
	NotForLists []string `yaml:"not_for_lists"`
	Scope       string   `yaml:"scope"`
	Sources     []string `yaml:"sources"`
}

// Regime is one loaded, validated regime.
type Regime struct {
	ID               string            `yaml:"regime"`
	Title            string            `yaml:"title"`
	TitleZh          string            `yaml:"title_zh"`
	Authority        string            `yaml:"authority"`
	ItemClasses      []string          `yaml:"item_classes"`
	TechStages       []string          `yaml:"tech_stages"`
	EndUserTypes     []string          `yaml:"end_user_types"`
	EndUseCategories []string          `yaml:"end_use_categories"`
	PartyLists       []string          `yaml:"party_lists"`
	Part1Classes     []string          `yaml:"part1_classes"`
	ElementCodes     map[string]string `yaml:"element_codes"`
	HSLines          []HSLine          `yaml:"hs_lines"`
	HSSources        []string          `yaml:"hs_sources"`
	Interpretations  []*Interpretation `yaml:"interpretations"`
	GreenChannel     GreenChannel      `yaml:"green_channel"`
	Instruments      []*Instrument     `yaml:"instruments"`
	GeneralLicences  []*GeneralLicence `yaml:"general_licences"`
	Rules            []*Rule           `yaml:"rules"`

	file        string
	keyLines    map[string]int // line of each top-level key, for errors
	instruments map[string]*Instrument
	interps     map[string]*Interpretation
	sets        map[string]map[string]bool // vocabulary by field name
	defaultInt  *Interpretation
}

// LoadError names where in which file a regime is wrong.
type LoadError struct {
	File  string
	Line  int
	Field string
	Msg   string
}

func (e *LoadError) Error() string {
	return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Field, e.Msg)
}

// Shipped returns the regimes embedded in the binary.
func Shipped() ([]*Regime, error) { return LoadFS(shipped, "data") }

// LoadFS loads every *.yaml file in dir of fsys as one regime each.
func LoadFS(fsys fs.FS, dir string) ([]*Regime, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("rules: no *.yaml regime files in %s", dir)
	}
	sort.Strings(names)
	var out []*Regime
	seen := map[string]string{}
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		r, err := Parse(name, b)
		if err != nil {
			return nil, err
		}
		if other, dup := seen[r.ID]; dup {
			return nil, &LoadError{File: name, Line: 1, Field: "regime", Msg: fmt.Sprintf("id %q is also used by %s", r.ID, other)}
		}
		seen[r.ID] = name
		out = append(out, r)
	}
	return out, nil
}

// Parse reads and validates one regime file. Unknown fields, bad values
// and overlapping windows are errors naming the file, line and field.
func Parse(file string, data []byte) (*Regime, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, &LoadError{File: file, Line: yamlErrLine(err), Field: "yaml", Msg: cleanYAMLErr(err)}
	}
	if len(root.Content) == 0 {
		return nil, &LoadError{File: file, Line: 1, Field: "regime", Msg: "the file is empty"}
	}
	if err := checkKeys(file, root.Content[0], reflect.TypeOf(Regime{}), ""); err != nil {
		return nil, err
	}
	r := &Regime{file: file}
	if err := root.Content[0].Decode(r); err != nil {
		return nil, &LoadError{File: file, Line: yamlErrLine(err), Field: "yaml", Msg: cleanYAMLErr(err)}
	}
	recordLines(root.Content[0], r)
	if err := r.validate(); err != nil {
		return nil, err
	}
	return r, nil
}

// checkKeys rejects mapping keys that the Go type t does not declare,
// walking lists and nested structs, so a typo in a field name is an error.
func checkKeys(file string, n *yaml.Node, t reflect.Type, where string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice:
		if n.Kind == yaml.SequenceNode {
			for _, c := range n.Content {
				if err := checkKeys(file, c, t.Elem(), where); err != nil {
					return err
				}
			}
		}
		return nil
	case reflect.Struct:
		if t == reflect.TypeOf(Date{}) || n.Kind != yaml.MappingNode {
			return nil
		}
	default:
		return nil
	}
	fields := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if tag := strings.Split(f.Tag.Get("yaml"), ",")[0]; tag != "" && tag != "-" {
			fields[tag] = f.Type
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		ft, ok := fields[k.Value]
		if !ok {
			return &LoadError{File: file, Line: k.Line, Field: strings.TrimPrefix(where+"."+k.Value, "."), Msg: "unknown field"}
		}
		if err := checkKeys(file, v, ft, where+"."+k.Value); err != nil {
			return err
		}
	}
	return nil
}

// recordLines copies YAML line numbers onto instruments, windows, rules and
// interpretations, so validation errors can point at them.
func recordLines(doc *yaml.Node, r *Regime) {
	r.keyLines = map[string]int{}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		r.keyLines[doc.Content[i].Value] = doc.Content[i].Line
	}
	seq := func(key string) []*yaml.Node {
		for i := 0; i+1 < len(doc.Content); i += 2 {
			if doc.Content[i].Value == key && doc.Content[i+1].Kind == yaml.SequenceNode {
				return doc.Content[i+1].Content
			}
		}
		return nil
	}
	for i, n := range seq("instruments") {
		if i < len(r.Instruments) {
			r.Instruments[i].line = n.Line
			for j := 0; j+1 < len(n.Content); j += 2 {
				if n.Content[j].Value == "windows" {
					for k, w := range n.Content[j+1].Content {
						if k < len(r.Instruments[i].Windows) {
							r.Instruments[i].Windows[k].line = w.Line
						}
					}
				}
			}
		}
	}
	for i, n := range seq("rules") {
		if i < len(r.Rules) {
			r.Rules[i].line = n.Line
		}
	}
	for i, n := range seq("interpretations") {
		if i < len(r.Interpretations) {
			r.Interpretations[i].line = n.Line
		}
	}
}

func yamlErrLine(err error) int {
	var line int
	msg := err.Error()
	if i := strings.Index(msg, "line "); i >= 0 {
		fmt.Sscanf(msg[i:], "line %d", &line)
	}
	if line == 0 {
		line = 1
	}
	return line
}

var yamlLinePrefix = regexp.MustCompile(`^line \d+: `)

func cleanYAMLErr(err error) string {
	s := strings.TrimPrefix(err.Error(), "yaml: ")
	s = strings.TrimPrefix(s, "unmarshal errors:\n  ")
	return yamlLinePrefix.ReplaceAllString(s, "")
}
