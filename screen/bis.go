package screen

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ReadBIS reads the US BIS Denied Persons List: tab-separated, quoted, with
// a header (Name, Street_Address, City, State, Country, Postal_Code,
// Effective_Date, Expiration_Date, Standard_Order, Last_Update, Action,
// FR_Citation). Entries mean denied_party.
func ReadBIS(r io.Reader, file string) ([]Entry, error) {
	cr := csv.NewReader(limitLines(r, file))
	cr.Comma = '\t'
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	head, err := cr.Read()
	if err == io.EOF {
		return nil, &ReadError{File: file, Line: 1, Field: "header", Msg: "the file is empty"}
	}
	if err != nil {
		return nil, csvErr(file, err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	if _, ok := col["name"]; !ok {
		return nil, &ReadError{File: file, Line: 1, Field: "header", Msg: "missing column Name; expected the BIS Denied Persons List layout (tab-separated)"}
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var out []Entry
	ids := map[string]int{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, csvErr(file, err)
		}
		line, _ := cr.FieldPos(0)
		for i, f := range rec {
			if !utf8.ValidString(f) {
				return nil, &ReadError{File: file, Line: line, Field: head[i], Msg: "not valid UTF-8"}
			}
		}
		e := Entry{Source: "bis-dpl", List: "BIS Denied Persons List", Meaning: DeniedParty, Type: Unknown}
		e.addName(get(rec, "name"))
		if len(e.Names) == 0 {
			return nil, &ReadError{File: file, Line: line, Field: "Name", Msg: "empty: an entry needs a name"}
		}
		e.addCountry(get(rec, "country"))
		if d, ok := usDate(get(rec, "effective_date")); ok {
			e.Dates = []string{d}
		}
		if fr := get(rec, "fr_citation"); fr != "" {
			e.Programs = []string{fr}
		}
		// The list has no ids: name and effective date identify a row.
		base := "bis-dpl-" + slug(e.Names[0]) + "-" + slug(get(rec, "effective_date"))
		ids[base]++
		e.ID = base
		if n := ids[base]; n > 1 {
			e.ID = base + "-" + strconv.Itoa(n)
		}
		out = append(out, e)
	}
}

// usDate turns MM/DD/YYYY into YYYY-MM-DD.
func usDate(s string) (string, bool) {
	p := strings.Split(s, "/")
	if len(p) != 3 || len(p[2]) != 4 || !digits(p[0]+p[1]+p[2]) || len(p[0]) > 2 || len(p[1]) > 2 {
		return "", false
	}
	pad := func(x string) string {
		if len(x) == 1 {
			return "0" + x
		}
		return x
	}
	return p[2] + "-" + pad(p[0]) + "-" + pad(p[1]), true
}
