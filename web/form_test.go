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
		"intermediary_name": "Transit Logistics FZE", "intermediary_address": "Jebel Ali Free Zone", "intermediary_country": "AE", "intermediary_type": "forwarder",
		"end_use_category": "motors", "end_use_statement": "EV traction motors", "licence_type": "single", "validity_months": "6",
		"interpretation": "official",
	} {
		in.Set(k, v)
	}
	b, err := bodyFromForm(in)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Intermediaries) != 1 || b.Intermediaries[0].Address != "Jebel Ali Free Zone" {
		t.Fatalf("intermediary = %+v", b.Intermediaries)
	}
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
