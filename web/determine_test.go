package web_test

import (
	"encoding/json"
	"strings"
	"testing"

	"rarex/i18n"
	"rarex/rules"
)

func TestAPIDetermination(t *testing.T) {
	f := newFixture(t)
	body := `{"date":"2026-11-20","ship_from":"VN","destination":"DE","item":{"class":"magnet_ndfeb","elements":["Nd","Pr","Dy"],"origin":"VN","value":12000,"cn_controlled_content_value":30.5},"end_user":{"type":"civilian"},"end_use":{"category":"civilian_manufacturing"}}`
	resp := f.req("POST", "/api/v1/determinations", body, "bearer:exporter")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, readBody(t, resp))
	}
	var d rules.Determination
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil {
		t.Fatal(err)
	}
	if d.Outcome != rules.LicenseRequired || d.OutcomeIfNotInForce != rules.NotControlled || d.Content == nil || !d.Content.Over || len(d.Reasons) != 1 || d.Reasons[0].Rule != "61-1-1" {
		t.Fatalf("determination = %+v", d)
	}
	// Without a date, today's (from the server clock) is used.
	resp = f.req("POST", "/api/v1/determinations", `{"ship_from":"CN","destination":"KR","item":{"class":"metal","elements":["Dy"],"origin":"CN"}}`, "bearer:overseer")
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil || d.Date != rules.Today(f.clock.T).String() {
		t.Fatalf("default date %q (%v), want %s", d.Date, err, rules.Today(f.clock.T))
	}
	for name, c := range map[string]struct{ body, mention string }{
		"unknown class":   {`{"date":"2026-01-15","ship_from":"CN","destination":"KR","item":{"class":"magnetx","origin":"CN"}}`, "item.class"},
		"unknown element": {`{"date":"2026-01-15","ship_from":"CN","destination":"KR","item":{"class":"metal","elements":["Qq"],"origin":"CN"}}`, "item.elements[0]"},
		"bad country":     {`{"date":"2026-01-15","ship_from":"China","destination":"KR","item":{"class":"metal","origin":"CN"}}`, "ship_from"},
		"bad date":        {`{"date":"15/01/2026","ship_from":"CN","destination":"KR","item":{"class":"metal","origin":"CN"}}`, "date"},
		"bad reading":     {`{"date":"2026-01-15","interpretation":"mine","ship_from":"CN","destination":"KR","item":{"class":"metal","origin":"CN"}}`, "interpretation"},
		"negative value":  {`{"date":"2026-01-15","ship_from":"CN","destination":"KR","item":{"class":"metal","origin":"CN","value":-1}}`, "item.value"},
		"text value":      {`{"date":"2026-01-15","ship_from":"CN","destination":"KR","item":{"class":"metal","origin":"CN","value":"ten"}}`, "item.value"},
		"malformed":       {`{"date":`, "JSON"},
	} {
		t.Run(name, func(t *testing.T) {
			resp := f.req("POST", "/api/v1/determinations", c.body, "bearer:exporter")
			if resp.StatusCode != 400 {
				t.Fatalf("status %d, want 400", resp.StatusCode)
			}
			if b := apiError(t, resp); b.Error.Code != "invalid" || !strings.Contains(b.Error.Message, c.mention) {
				t.Fatalf("error %+v, want it to name %q", b.Error, c.mention)
			}
		})
	}
	big := `{"item":{"description":"` + strings.Repeat("x", 70<<10) + `"}}`
	if resp := f.req("POST", "/api/v1/determinations", big, "bearer:exporter"); resp.StatusCode != 413 {
		t.Fatalf("oversized request: %d, want 413", resp.StatusCode)
	}
}

func TestCheckAnItemPage(t *testing.T) {
	f := newFixture(t)
	for _, lang := range i18n.Langs {
		body := readBody(t, f.req("POST", "/determine", form("date", "2026-11-20", "ship_from", "vn", "destination", "DE", "class", "magnet_ndfeb",
			"elements", "Nd, Pr, Dy", "origin", "VN", "value", "12000", "cn_controlled_content_value", "30.5", "end_user_type", "civilian",
			"end_use", "civilian_manufacturing", "interpretation", "official"), "cookie:exporter", "Cookie", "rarex_lang="+lang))
		for _, want := range []string{`data-outcome="license_required"`, i18n.T(lang, "outcome.license_required"), "Art. 1(1)",
			`href="http://www.weishitang.cn/news/2703292.html"`, i18n.T(lang, "status.uncertain"), `id="if-not"`, `id="timeline"`} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: result page lacks %q", lang, want)
			}
		}
		if strings.Contains(body, "[[") {
			t.Errorf("%s: a message key is missing", lang)
		}
		if lang == i18n.Chinese && !strings.Contains(body, "境外制造的第二部分物项") {
			t.Errorf("the Chinese page does not show the rule's Chinese paraphrase")
		}
		// The warnings are in the reader's language.
		if lang == i18n.Chinese && (!strings.Contains(body, "效力状态不明") || strings.Contains(body, "is of uncertain status")) {
			t.Errorf("the Chinese page does not show its warnings in Chinese")
		}
		if lang == i18n.English && !strings.Contains(body, "is of uncertain status") {
			t.Errorf("the English page lacks the uncertain-status warning")
		}
	}
	resp := f.req("POST", "/determine", form("date", "2026-11-20", "ship_from", "CN", "destination", "DE", "class", "metal", "elements", "Dy, Unobtainium", "origin", "CN"), "cookie:exporter")
	if body := readBody(t, resp); resp.StatusCode != 400 || !strings.Contains(body, "item.elements[1]") || !strings.Contains(body, `value="Dy, Unobtainium"`) {
		t.Fatalf("bad element: status %d, the error or the typed value is missing", resp.StatusCode)
	}
	resp = f.req("POST", "/determine", form("date", "2026-11-20", "ship_from", "CN", "destination", "DE", "class", "metal", "origin", "CN", "value", "lots"), "cookie:exporter")
	if resp.StatusCode != 400 {
		t.Fatalf("non-numeric value: %d", resp.StatusCode)
	}
}

// TestRegimeVocabularyTranslated: every value the shipped regime lets a
// user pick has a label in the catalog.
func TestRegimeVocabularyTranslated(t *testing.T) {
	regs, err := rules.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	r := regs[0]
	groups := map[string][]string{"class": r.ItemClasses, "stage": r.TechStages, "usertype": r.EndUserTypes, "enduse": r.EndUseCategories, "list": r.PartyLists,
		"outcome": {rules.NotControlled, rules.LicenseRequired, rules.CaseByCase, rules.Exempt, rules.PresumptionOfDenial},
		"status":  {rules.NotYetEffective, rules.InForce, rules.Suspended, rules.Expired, rules.Uncertain}}
	for _, it := range r.Interpretations {
		groups["interp"] = append(groups["interp"], it.ID)
	}
	for g, vals := range groups {
		for _, v := range vals {
			if !i18n.Has(g + "." + v) {
				t.Errorf("no message %s.%s", g, v)
			}
		}
	}
}

func TestCheckAnItemShowsGeneralLicence(t *testing.T) {
	f := newFixture(t)
	body := readBody(t, f.req("POST", "/determine", form("date", "2026-01-15", "ship_from", "CN", "destination", "KR", "class", "magnet_ndfeb",
		"elements", "Nd Dy", "origin", "CN", "exporter_name", "Ningbo Yunsheng Co., Ltd.", "end_user_type", "civilian", "end_use", "civilian_manufacturing"), "cookie:exporter"))
	if !strings.Contains(body, `id="general-licence"`) || !strings.Contains(body, "2026-12-02") {
		t.Fatal("the general licence the exporter holds is not shown")
	}
}
