package screen

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// ofacNull is how the OFAC legacy CSV writes an empty field.
const ofacNull = "-0-"

// ReadOFAC reads OFAC's legacy CSV: the primary file (sdn.csv or
// cons_prim.csv: ent_num, name, type, programs, title, call sign, vessel
// type, tonnage, GRT, flag, owner, remarks), and optionally its aliases
// (alt.csv: ent_num, alt_num, type, name, remarks) and addresses (add.csv:
// ent_num, add_num, address, city, country, remarks); nil to skip them.
// source names the list (ofac-sdn, ofac-nonsdn). The files have no header.
func ReadOFAC(prim io.Reader, primName string, alt io.Reader, altName string, add io.Reader, addName string, source string) ([]Entry, error) {
	var out []Entry
	at := map[string]int{}
	err := ofacRows(prim, primName, 4, func(line int, f []string) error {
		if f[0] == "" {
			return &ReadError{File: primName, Line: line, Field: "ent_num", Msg: "empty"}
		}
		if f[1] == "" {
			return &ReadError{File: primName, Line: line, Field: "name", Msg: "empty: an entry needs a name"}
		}
		if _, dup := at[f[0]]; dup {
			return &ReadError{File: primName, Line: line, Field: "ent_num", Msg: f[0] + " is listed twice"}
		}
		e := Entry{ID: source + "-" + f[0], Source: source, Type: ofacType(f[2])}
		e.addName(f[1])
		for _, p := range strings.Split(strings.Trim(f[3], "[] "), "] [") {
			if p = strings.TrimSpace(p); p != "" {
				e.Programs = append(e.Programs, p)
			}
		}
		e.List, e.Meaning = ofacList(source, e.Programs)
		at[f[0]] = len(out)
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if alt != nil {
		err := ofacRows(alt, altName, 4, func(line int, f []string) error {
			i, ok := at[f[0]]
			if !ok {
				return &ReadError{File: altName, Line: line, Field: "ent_num", Msg: f[0] + " is not an entry of " + primName}
			}
			out[i].addName(f[3])
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if add != nil {
		err := ofacRows(add, addName, 5, func(line int, f []string) error {
			i, ok := at[f[0]]
			if !ok {
				return &ReadError{File: addName, Line: line, Field: "ent_num", Msg: f[0] + " is not an entry of " + primName}
			}
			if c := countryCode(f[4]); c != "" && !slices.Contains(out[i].Countries, c) {
				out[i].Countries = append(out[i].Countries, c)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// OFACCompanions names the alias and address files that go with an OFAC
// primary file (sdn.csv → alt.csv, add.csv; cons_prim.csv → cons_alt.csv,
// cons_add.csv) and the list's source name.
func OFACCompanions(primBase string) (alt, add, source string) {
	if strings.HasPrefix(strings.ToLower(primBase), "cons_") {
		return "cons_alt.csv", "cons_add.csv", "ofac-nonsdn"
	}
	return "alt.csv", "add.csv", "ofac-sdn"
}

// ofacRows calls row for each record, fields trimmed and -0- made empty.
func ofacRows(r io.Reader, file string, minFields int, row func(line int, f []string) error) error {
	cr := csv.NewReader(limitLines(r, file))
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true // OFAC's files carry stray quotes inside remarks
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return csvErr(file, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "\x1a" { // the DOS end-of-file mark some copies end with
			continue
		}
		if len(rec) < minFields {
			return &ReadError{File: file, Line: line, Field: "csv", Msg: "too few fields; is this the right OFAC file?"}
		}
		for i := range rec {
			if !utf8.ValidString(rec[i]) {
				return &ReadError{File: file, Line: line, Field: fmt.Sprintf("field %d", i+1), Msg: "not valid UTF-8"}
			}
			rec[i] = strings.TrimSpace(rec[i])
			if rec[i] == ofacNull {
				rec[i] = ""
			}
		}
		if err := row(line, rec); err != nil {
			return err
		}
	}
}

func ofacType(t string) string {
	switch strings.ToLower(t) {
	case "individual":
		return Person
	case "vessel":
		return Vessel
	case "aircraft":
		return Aircraft
	case "":
		return Organisation // the SDN file leaves entities' type empty
	}
	return Unknown
}

// ofacList names the list and its meaning: the Chinese Military-Industrial
// Complex list means military end users; the rest are sanctions.
func ofacList(source string, programs []string) (string, Meaning) {
	for _, p := range programs {
		if strings.Contains(p, "CMIC") {
			return "OFAC NS-CMIC List", MilitaryEndUser
		}
	}
	if source == "ofac-sdn" {
		return "OFAC SDN List", Sanctions
	}
	return "OFAC Consolidated Sanctions List (non-SDN)", Sanctions
}
