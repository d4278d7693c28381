package web

import (
	"net/url"
	"testing"

	"rarex"
)

// FuzzApplicationForm: any posted form reads into a body or a field error,
// never a panic; and so does the decision form.
func FuzzApplicationForm(f *testing.F) {
	f.Add("description_0=Dy+metal&quantity_0=12.5&value_0=5000&unit_0=kg&validity_months=6&same_as_consignee=1&consignee_name=K")
	f.Add("quantity_0=1e5&value_0=-1")
	f.Add("validity_months=99999999999999999999&elements_0=;;,,&intermediary_name=X")
	f.Add("kind=approve&quantity_limit=1.0001&value_limit=abc&rule_ids=&rule_ids=18-1")
	f.Fuzz(func(t *testing.T, q string) {
		form, err := url.ParseQuery(q)
		if err != nil {
			return
		}
		if _, err := bodyFromForm(form); err != nil && rarex.ErrorCode(err) != rarex.EINVALID {
			t.Fatalf("application form error of code %s: %v", rarex.ErrorCode(err), err)
		}
		if _, err := decisionFromForm(form); err != nil && rarex.ErrorCode(err) != rarex.EINVALID {
			t.Fatalf("decision form error of code %s: %v", rarex.ErrorCode(err), err)
		}
	})
}
