package web

import (
	"maps"
	"net/url"
	"strings"
	"testing"

	"rarex"
)

// Every field the new-application form carries survives the trip into a
// body and back, so editing a draft in the form loses nothing.
func TestApplicationFormRoundTrip(t *testing.T) {
	in := url.Values{}
	for k, v := range map[string]string{
		"description_0": "Dysprosium metal", "class_0": "metal", "elements_0": "Dy;Tb", "hs_code_0": "280530",
		"origin_0": "CN", "quantity_0": "12.5", "unit_0": "kg", "value_0": "5000", "currency_0": "USD",
		"ship_from": "CN", "destination": "DE", "contract_ref": "K-1",
		"consignee_name": "Kiel Magnet GmbH", "consignee_address": "Hafenstr. 1, Kiel", "consignee_country": "DE",
		"end_user_name": "Kiel Magnet GmbH", "end_user_address": "Hafenstr. 1, Kiel", "end_user_country": "DE", "end_user_type": "civilian",
		"intermediary_name_0": "Transit Logistics FZE", "intermediary_address_0": "Jebel Ali Free Zone", "intermediary_country_0": "AE", "intermediary_type_0": "forwarder",
		"intermediary_name_1": "Second Agent Ltd", "intermediary_address_1": "1 Harbour Rd", "intermediary_country_1": "SG", "intermediary_type_1": "agent",
		"end_use_category": "motors", "end_use_statement": "EV traction motors", "licence_type": "single", "validity_months": "6",
		"interpretation": "official", "lines": "5", "intermediaries": "2",
		// a fifth line, past the three rows the form starts with
		"description_4": "Terbium oxide", "class_4": "oxide", "elements_4": "Tb", "origin_4": "CN", "quantity_4": "3", "unit_4": "kg",
		"value_4": "900", "currency_4": "EUR",
	} {
		in.Set(k, v)
	}
	b, err := bodyFromForm(in)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Intermediaries) != 2 || b.Intermediaries[0].Address != "Jebel Ali Free Zone" || b.Intermediaries[1].Country != "SG" {
		t.Fatalf("intermediaries = %+v", b.Intermediaries)
	}
	if len(b.Lines) != 2 || b.Lines[1].Description != "Terbium oxide" {
		t.Fatalf("lines = %+v", b.Lines)
	}
	// Blank rows are dropped, so the lines come back numbered 0 and 1.
	in.Set("description_1", in.Get("description_4"))
	for _, f := range []string{"description", "class", "elements", "origin", "quantity", "unit", "value", "currency"} {
		in.Set(f+"_1", in.Get(f+"_4"))
		in.Del(f + "_4")
	}
	in.Set("lines", "3") // two lines fit the three rows the form starts with
	out, err := formFromBody(b)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.EqualFunc(in, out, func(a, b []string) bool { return strings.Join(a, "|") == strings.Join(b, "|") }) {
		t.Errorf("round trip changed the form:\n in  %v\n out %v", in, out)
	}
}

func TestApplicationFormBadInput(t *testing.T) {
	for _, tc := range []struct{ form, field string }{
		{"validity_months=six", "validity_months"},
		{"description_0=x&quantity_0=twelve&value_0=1", "lines[0].quantity"},
		{"description_0=x&quantity_0=1&value_0=1&description_1=y&quantity_1=2&value_1=abc", "lines[1].value"},
	} {
		form, _ := url.ParseQuery(tc.form)
		_, err := bodyFromForm(form)
		if rarex.ErrorCode(err) != rarex.EINVALID || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: err = %v, want an invalid-input error naming %s", tc.form, err, tc.field)
		}
	}
}

// The form's row counts: three lines and one intermediary at least, one
// more when its "add" button was pressed, never past an application's limits.
func TestFormRows(t *testing.T) {
	for _, c := range []struct {
		form           string
		lines, interms int
	}{
		{"", 3, 1},
		{"lines=7&intermediaries=2", 7, 2},
		{"lines=7&add=line", 8, 1},
		{"intermediaries=4&add=intermediary", 3, 5},
		{"lines=-4&intermediaries=x", 3, 1},
		{"lines=100&add=line", 100, 1},
		{"lines=100000&intermediaries=100000&add=intermediary", 100, 20},
	} {
		form, _ := url.ParseQuery(c.form)
		if l, i := rowsToShow(form); l != c.lines || i != c.interms {
			t.Errorf("%q: %d lines, %d intermediaries; want %d, %d", c.form, l, i, c.lines, c.interms)
		}
	}
	// The first intermediary still answers to the names it had before rows
	// were numbered.
	form, _ := url.ParseQuery("intermediary_name=Old+Form+Ltd&intermediary_country=ae")
	if b, _ := bodyFromForm(form); len(b.Intermediaries) != 1 || b.Intermediaries[0].Country != "AE" {
		t.Errorf("unnumbered intermediary: %+v", b.Intermediaries)
	}
}
