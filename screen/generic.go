package screen

import (
	"encoding/csv"
	"io"
	"slices"
	"strings"
	"time"
)

// ReadGeneric reads rarex's generic list CSV, for lists no other reader
// knows (an authority's own register, a customer's denied list):
//
//	id,name,aliases,type,countries,list,meaning,date,program,source_url
//
// id, name, list and meaning are required; aliases, countries and program
// are ";"-separated; type is person, organisation, vessel, aircraft or
// unknown (default); meaning is one of Meanings; date is YYYY-MM-DD.
// Columns may come in any order; unknown columns are ignored.
func ReadGeneric(r io.Reader, file string) ([]Entry, error) {
	cr := csv.NewReader(limitLines(r, file))
	cr.FieldsPerRecord = -1
	col, head, err := readHeader(cr, file, "id, name, list, meaning", "id", "name", "list", "meaning")
	if err != nil {
		return nil, err
	}
	var out []Entry
	seen := map[string]bool{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, csvErr(file, err)
		}
		line, _ := cr.FieldPos(0)
		get := func(name string) string { return field(rec, col, name) }
		bad := func(field, msg string) error { return &ReadError{File: file, Line: line, Field: field, Msg: msg} }
		if i := invalidUTF8(rec); i >= 0 {
			return nil, bad(columnName(head, i), "not valid UTF-8")
		}
		e := Entry{ID: get("id"), Source: "generic", List: get("list"), Meaning: Meaning(get("meaning")), Type: get("type"), SourceURL: get("source_url")}
		switch {
		case e.ID == "":
			return nil, bad("id", "empty")
		case seen[e.ID]:
			return nil, bad("id", e.ID+" is listed twice")
		case e.List == "":
			return nil, bad("list", "empty")
		case !slices.Contains(Meanings, e.Meaning):
			return nil, bad("meaning", "\""+string(e.Meaning)+"\" is not one of "+meaningList())
		}
		seen[e.ID] = true
		if e.Type == "" {
			e.Type = Unknown
		}
		if !slices.Contains([]string{Person, Organisation, Vessel, Aircraft, Unknown}, e.Type) {
			return nil, bad("type", "\""+e.Type+"\" is not person, organisation, vessel, aircraft or unknown")
		}
		e.addName(get("name"))
		if len(e.Names) == 0 {
			return nil, bad("name", "empty: an entry needs a name")
		}
		for _, a := range strings.Split(get("aliases"), ";") {
			e.addName(a)
		}
		for _, c := range strings.Split(get("countries"), ";") {
			if c = strings.TrimSpace(c); c == "" {
				continue
			}
			if countryCode(c) == "" {
				return nil, bad("countries", "\""+c+"\" is not a country")
			}
			e.addCountry(c)
		}
		if d := get("date"); d != "" {
			if _, err := time.Parse(time.DateOnly, d); err != nil {
				return nil, bad("date", "\""+d+"\" is not YYYY-MM-DD")
			}
			e.Dates = []string{d}
		}
		for _, p := range strings.Split(get("program"), ";") {
			if p = strings.TrimSpace(p); p != "" {
				e.Programs = append(e.Programs, p)
			}
		}
		out = append(out, e)
	}
}

func meaningList() string {
	var s []string
	for _, m := range Meanings {
		s = append(s, string(m))
	}
	return strings.Join(s, ", ")
}
