package screen

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"
)

type unValues struct {
	Values []string `xml:"VALUE"`
}

type unAlias struct {
	Name string `xml:"ALIAS_NAME"`
}

type unAddress struct {
	Country string `xml:"COUNTRY"`
}

// unParty is an INDIVIDUAL or an ENTITY of the UN consolidated list.
type unParty struct {
	DataID      string      `xml:"DATAID"`
	First       string      `xml:"FIRST_NAME"`
	Second      string      `xml:"SECOND_NAME"`
	Third       string      `xml:"THIRD_NAME"`
	Fourth      string      `xml:"FOURTH_NAME"`
	Original    string      `xml:"NAME_ORIGINAL_SCRIPT"`
	ListType    string      `xml:"UN_LIST_TYPE"`
	Reference   string      `xml:"REFERENCE_NUMBER"`
	ListedOn    string      `xml:"LISTED_ON"`
	Nationality unValues    `xml:"NATIONALITY"`
	Aliases     []unAlias   `xml:"INDIVIDUAL_ALIAS"`
	EntAliases  []unAlias   `xml:"ENTITY_ALIAS"`
	Addresses   []unAddress `xml:"INDIVIDUAL_ADDRESS"`
	EntAddress  []unAddress `xml:"ENTITY_ADDRESS"`
}

// ReadUN reads the UN Security Council consolidated list (XML): every
// INDIVIDUAL and ENTITY, with aliases, original-script names,
// nationalities and address countries. Entries mean sanctions.
func ReadUN(r io.Reader, file string) ([]Entry, error) {
	d := xml.NewDecoder(limitLines(r, file))
	var out []Entry
	seen := map[string]bool{}
	root := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, xmlErr(file, d, err)
		}
		start, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch start.Name.Local {
		case "CONSOLIDATED_LIST":
			root = true
			continue
		case "INDIVIDUAL", "ENTITY":
		default:
			continue
		}
		line, _ := d.InputPos()
		var p unParty
		if err := d.DecodeElement(&p, &start); err != nil {
			return nil, xmlErr(file, d, err)
		}
		e := Entry{Source: "un", List: "UN Security Council Consolidated List", Meaning: Sanctions, Type: Organisation}
		if start.Name.Local == "INDIVIDUAL" {
			e.Type = Person
		}
		e.addName(joinSpace(p.First, p.Second, p.Third, p.Fourth))
		e.addName(p.Original)
		for _, a := range append(p.Aliases, p.EntAliases...) {
			e.addName(a.Name)
		}
		if len(e.Names) == 0 {
			return nil, &ReadError{File: file, Line: line, Field: "FIRST_NAME", Msg: "empty: an entry needs a name"}
		}
		id := strings.TrimSpace(p.Reference)
		if id == "" {
			id = strings.TrimSpace(p.DataID)
		}
		if id == "" {
			return nil, &ReadError{File: file, Line: line, Field: "REFERENCE_NUMBER", Msg: "empty: an entry needs an id"}
		}
		e.ID = "un-" + id
		if seen[e.ID] {
			return nil, &ReadError{File: file, Line: line, Field: "REFERENCE_NUMBER", Msg: id + " is listed twice"}
		}
		seen[e.ID] = true
		if l := strings.TrimSpace(p.ListType); l != "" {
			e.Programs = []string{l}
		}
		if d := strings.TrimSpace(p.ListedOn); d != "" {
			e.Dates = []string{d}
		}
		for _, c := range p.Nationality.Values {
			e.addCountry(c)
		}
		for _, a := range append(p.Addresses, p.EntAddress...) {
			e.addCountry(a.Country)
		}
		out = append(out, e)
	}
	if !root {
		return nil, &ReadError{File: file, Line: 1, Field: "CONSOLIDATED_LIST", Msg: "not a UN consolidated list: the root element is missing"}
	}
	return out, nil
}

// addCountry adds a country given as a code or an English name.
func (e *Entry) addCountry(s string) {
	if c := countryCode(s); c != "" {
		for _, have := range e.Countries {
			if have == c {
				return
			}
		}
		e.Countries = append(e.Countries, c)
	}
}

func joinSpace(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " ")
}

func xmlErr(file string, d *xml.Decoder, err error) error {
	var re *ReadError
	if errors.As(err, &re) {
		return re
	}
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return &ReadError{File: file, Line: se.Line, Field: "xml", Msg: se.Msg}
	}
	line, _ := d.InputPos()
	return &ReadError{File: file, Line: line, Field: "xml", Msg: err.Error()}
}
