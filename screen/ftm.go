package screen

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"strings"
	"unicode/utf8"
)

// ftmEntity is one line of FollowTheMoney JSON lines (OpenSanctions).
type ftmEntity struct {
	ID         string              `json:"id"`
	Schema     string              `json:"schema"`
	Properties map[string][]string `json:"properties"`
	Datasets   []string            `json:"datasets"`
}

// ftmTypes maps the schemata rarex screens to entry types.
var ftmTypes = map[string]string{
	"Person": Person, "Organization": Organisation, "Company": Organisation, "LegalEntity": Organisation,
	"PublicBody": Organisation, "Vessel": Vessel, "Airplane": Aircraft,
}

// ReadFtM reads FollowTheMoney JSON lines: parties (Person, Organization,
// Company, LegalEntity, PublicBody, Vessel, Airplane) become entries, and
// Ownership entities become holdings for the 50% rule. Other schemata
// (Address, Sanction, ...) are skipped.
func ReadFtM(r io.Reader, file string) ([]Entry, []Holding, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxLine)
	var entries []Entry
	var holdings []Holding
	seen := map[string]bool{}
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		if !utf8.Valid(b) {
			return nil, nil, &ReadError{File: file, Line: line, Msg: "not valid UTF-8"}
		}
		var fe ftmEntity
		if err := json.Unmarshal(b, &fe); err != nil {
			return nil, nil, &ReadError{File: file, Line: line, Field: "json", Msg: err.Error()}
		}
		if fe.ID == "" {
			return nil, nil, &ReadError{File: file, Line: line, Field: "id", Msg: "empty"}
		}
		p := fe.Properties
		if fe.Schema == "Ownership" {
			h, err := ftmHolding(p)
			if err != "" {
				return nil, nil, &ReadError{File: file, Line: line, Field: "properties", Msg: err}
			}
			holdings = append(holdings, h)
			continue
		}
		typ, ok := ftmTypes[fe.Schema]
		if !ok {
			continue
		}
		if seen[fe.ID] {
			return nil, nil, &ReadError{File: file, Line: line, Field: "id", Msg: fe.ID + " is listed twice"}
		}
		seen[fe.ID] = true
		e := Entry{ID: fe.ID, Source: "ftm", Type: typ}
		for _, k := range []string{"name", "alias", "previousName", "weakAlias"} {
			for _, n := range p[k] {
				e.addName(n)
			}
		}
		if len(e.Names) == 0 {
			return nil, nil, &ReadError{File: file, Line: line, Field: "properties.name", Msg: "empty: an entry needs a name"}
		}
		for _, k := range []string{"country", "nationality", "jurisdiction"} {
			for _, c := range p[k] {
				e.addCountry(c)
			}
		}
		for _, k := range []string{"listingDate", "createdAt"} {
			if len(p[k]) > 0 {
				e.Dates = append(e.Dates, p[k][0])
				break
			}
		}
		e.Programs = append(e.Programs, p["program"]...)
		if len(p["sourceUrl"]) > 0 {
			e.SourceURL = p["sourceUrl"][0]
		}
		e.List, e.Meaning = ftmList(fe.Datasets, p["topics"])
		entries = append(entries, e)
	}
	if err := sc.Err(); err != nil {
		if err == bufio.ErrTooLong {
			return nil, nil, &ReadError{File: file, Line: line + 1, Field: "line", Msg: fmt.Sprintf("longer than %d bytes", MaxLine)}
		}
		return nil, nil, &ReadError{File: file, Line: line, Msg: err.Error()}
	}
	return entries, holdings, nil
}

// ftmList derives the list's name (its datasets) and meaning (its topics).
func ftmList(datasets, topics []string) (string, Meaning) {
	list := strings.Join(datasets, ", ")
	if list == "" {
		list = "FollowTheMoney"
	}
	has := func(t string) bool {
		for _, x := range topics {
			if x == t {
				return true
			}
		}
		return false
	}
	switch {
	case has("mil"):
		return list, MilitaryEndUser
	case has("export.control") && strings.Contains(list, "cn_"):
		return list, ControlList
	case has("debarment") || has("export.control"):
		return list, DeniedParty
	}
	return list, Sanctions
}

// ftmHolding reads an Ownership entity: owner, asset, percentage.
func ftmHolding(p map[string][]string) (Holding, string) {
	if len(p["owner"]) == 0 || len(p["asset"]) == 0 {
		return Holding{}, "an Ownership needs owner and asset"
	}
	h := Holding{Owner: p["owner"][0], Owned: p["asset"][0]}
	if len(p["percentage"]) == 0 {
		return h, "an Ownership needs a percentage for the 50% rule"
	}
	pct, ok := new(big.Rat).SetString(strings.TrimSuffix(strings.TrimSpace(p["percentage"][0]), "%"))
	if !ok || pct.Sign() <= 0 || pct.Cmp(big.NewRat(100, 1)) > 0 {
		return h, "percentage " + p["percentage"][0] + " is not in (0, 100]"
	}
	h.Share = pct.Quo(pct, big.NewRat(100, 1))
	return h, ""
}
