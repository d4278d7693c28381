package screen

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
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
	col, head, err := readHeader(cr, file, "Name (the BIS Denied Persons List layout, tab-separated)", "name")
	if err != nil {
		return nil, err
	}
	get := func(rec []string, name string) string { return field(rec, col, name) }
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
		if i := invalidUTF8(rec); i >= 0 {
			return nil, &ReadError{File: file, Line: line, Field: columnName(head, i), Msg: "not valid UTF-8"}
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
