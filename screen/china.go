package screen

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
)

// chinaMeaning maps the China CSV's List column (and, when it is empty,
// its Topics) to a meaning.
func chinaMeaning(list, topics string) Meaning {
	switch strings.ToLower(strings.TrimSpace(list)) {
	case "list of export controls", "export control list", "controlled parties list":
		return ControlList
	case "export control watch list", "watch list":
		return WatchList
	case "uel", "unreliable entity list":
		return UnreliableEntity
	}
	if strings.Contains(topics, "export.control") {
		return ControlList
	}
	return Sanctions
}

// chinaListName spells out the list's abbreviations.
func chinaListName(list, topics string) string {
	switch strings.TrimSpace(list) {
	case "UEL":
		return "Unreliable Entity List"
	case "AFSL":
		return "Anti-Foreign Sanctions Law countermeasures"
	case "List of Export Controls":
		return "Export Control List"
	case "":
		if strings.Contains(topics, "sanction.counter") {
			return "Countermeasures"
		}
		return "China sanctions"
	}
	return strings.TrimSpace(list)
}

// ReadChina reads China's lists as compiled in cn-sanctions/sanctions.csv:
// Type,QID,Name,Alias,Chinese name,Country,Topics,Summary,Chinese summary,
// Body,List,Date,End date,Source URL. Columns may come in any order.
func ReadChina(r io.Reader, file string) ([]Entry, error) {
	cr := csv.NewReader(limitLines(r, file))
	cr.FieldsPerRecord = -1
	col, head, err := readHeader(cr, file, "Type,QID,Name,Alias,Chinese name,Country,Topics,...,List,Date,End date,Source URL", "type", "name", "list")
	if err != nil {
		return nil, err
	}
	get := func(rec []string, name string) string { return field(rec, col, name) }
	var out []Entry
	ids := map[string]bool{}
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
		e := Entry{Source: "cn-sanctions", Type: chinaType(get(rec, "type")), SourceURL: get(rec, "source url")}
		e.addName(get(rec, "name"))
		for _, a := range strings.Split(get(rec, "alias"), ";") {
			e.addName(a)
		}
		e.addName(get(rec, "chinese name"))
		if len(e.Names) == 0 {
			return nil, &ReadError{File: file, Line: line, Field: "Name", Msg: "empty: an entry needs a name"}
		}
		topics, list := get(rec, "topics"), get(rec, "list")
		e.List, e.Meaning = chinaListName(list, topics), chinaMeaning(list, topics)
		e.addCountry(get(rec, "country"))
		if d := get(rec, "date"); d != "" {
			iso, ok := dayMonthYear(d)
			if !ok {
				return nil, &ReadError{File: file, Line: line, Field: "Date", Msg: "\"" + d + "\" is not a date (DD.MM.YYYY or DD.MM.YY)"}
			}
			e.Dates = []string{iso}
		}
		if b := get(rec, "body"); b != "" {
			e.Programs = []string{b}
		}
		// A party is often on several lists: the id names list and party,
		// and stays the same across versions of the file.
		e.ID = "cn-" + slug(e.List) + "-" + slug(e.Names[0])
		if q := get(rec, "qid"); q != "" {
			e.ID = "cn-" + slug(e.List) + "-" + strings.ToLower(q)
		}
		for base, k := e.ID, 2; ids[e.ID]; k++ {
			e.ID = fmt.Sprintf("%s-%d", base, k)
		}
		ids[e.ID] = true
		out = append(out, e)
	}
}

// slug is a lower-case, hyphenated ASCII form of s (other scripts kept).
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	return b.String()
}

func chinaType(t string) string {
	switch strings.ToLower(t) {
	case "person":
		return Person
	case "company", "organization", "organisation":
		return Organisation
	}
	return Unknown
}

// dayMonthYear turns DD.MM.YYYY or DD.MM.YY into YYYY-MM-DD.
func dayMonthYear(s string) (string, bool) {
	p := strings.Split(s, ".")
	if len(p) != 3 || len(p[0]) != 2 || len(p[1]) != 2 || (len(p[2]) != 2 && len(p[2]) != 4) || !digits(p[0]+p[1]+p[2]) {
		return "", false
	}
	if p[0] < "01" || p[0] > "31" || p[1] < "01" || p[1] > "12" {
		return "", false
	}
	y := p[2]
	if len(y) == 2 {
		y = "20" + y
	}
	return y + "-" + p[1] + "-" + p[0], true
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func csvErr(file string, err error) error {
	var re *ReadError
	if errors.As(err, &re) {
		return re
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &ReadError{File: file, Line: pe.Line, Field: "csv", Msg: pe.Err.Error()}
	}
	return &ReadError{File: file, Msg: err.Error()}
}
