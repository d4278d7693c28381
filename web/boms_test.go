package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"rarex"
	"rarex/boms"
	"rarex/i18n"
)

func TestBOMPages(t *testing.T) {
	f := newFixture(t)
	resp := f.req("POST", "/boms", multipartBody("Hub motor", motorParts, motorEdges), "cookie:exporter")
	loc := resp.Header.Get("Location")
	if resp.StatusCode != 303 || !strings.HasPrefix(loc, "/boms/") {
		t.Fatalf("upload: %d to %q: %s", resp.StatusCode, loc, readBody(t, resp))
	}
	for _, lang := range i18n.Langs {
		body := readBody(t, f.req("GET", loc+"?date=2026-11-20", "", "cookie:exporter", "Cookie", "rarex_lang="+lang))
		for _, want := range []string{"Hub motor", `href="` + loc + `/products/motor?date=2026-11-20&amp;interpretation=official"`, i18n.T(lang, "boms.over"), i18n.T(lang, "status.uncertain"), "1.1%"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s report lacks %q", lang, want)
			}
		}
		if strings.Contains(body, "[[") {
			t.Errorf("%s: a message key is missing", lang)
		}
		body = readBody(t, f.req("GET", loc+"/products/motor?date=2025-12-15&interpretation=as-reported", "", "cookie:exporter", "Cookie", "rarex_lang="+lang))
		if !strings.Contains(body, "motor → rotor → magnet → dy") || !strings.Contains(body, `data-over="false"`) || !strings.Contains(body, i18n.T(lang, "status.suspended")) || strings.Contains(body, "[[") {
			t.Errorf("%s product page is wrong", lang)
		}
	}
	// Bad uploads show the error with file, line and field, in the
	// reader's language, and store nothing.
	for lang, want := range map[string][2]string{
		i18n.English: {"parts.csv:5:", "is not an ISO 3166 two-letter country code"},
		i18n.Chinese: {"parts.csv 第 5 行第", "不是 ISO 3166 两位字母国家代码"},
	} {
		resp = f.req("POST", "/boms", multipartBody("Broken", strings.Replace(motorParts, ",CN,1.10,", ",Mars,1.10,", 1), motorEdges), "cookie:exporter", "Cookie", "rarex_lang="+lang)
		if body := readBody(t, resp); resp.StatusCode != 400 || !strings.Contains(body, want[0]) || !strings.Contains(body, "origin") || !strings.Contains(body, want[1]) {
			t.Fatalf("%s: bad upload: %d %s", lang, resp.StatusCode, body)
		}
		resp = f.req("POST", "/boms", multipartBody("Cyclic", motorParts, motorEdges+"dy,motor,1\n"), "cookie:exporter", "Cookie", "rarex_lang="+lang)
		if body := readBody(t, resp); resp.StatusCode != 400 || !strings.Contains(body, i18n.T(lang, "bom.err.cycle", "")) || !strings.Contains(body, "dy → motor") {
			t.Fatalf("%s: cyclic upload: %d %s", lang, resp.StatusCode, body)
		}
	}
	// The API words them in English, with file, line and field.
	resp = f.req("POST", "/api/v1/boms", multipartBody("Broken", strings.Replace(motorParts, ",CN,1.10,", ",Mars,1.10,", 1), motorEdges), "bearer:exporter")
	if msg := apiError(t, resp).Error.Message; resp.StatusCode != 400 || !strings.Contains(msg, `parts.csv:5:`) || !strings.Contains(msg, `origin: "Mars" is not an ISO 3166 two-letter country code`) {
		t.Fatalf("API bad upload: %d %q", resp.StatusCode, msg)
	}
	var list struct {
		BOMs []rarex.BOM `json:"boms"`
	}
	if err := json.NewDecoder(f.req("GET", "/api/v1/boms", "", "bearer:exporter").Body).Decode(&list); err != nil || len(list.BOMs) != 1 {
		t.Fatalf("after bad uploads: %d BOMs (%v)", len(list.BOMs), err)
	}
	// The API gives the roll-up as JSON.
	var rep boms.Report
	resp = f.req("GET", "/api/v1/boms/"+list.BOMs[0].ID+"?date=2026-11-20&top=2", "", "bearer:exporter")
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil || rep.RuleStatus != "uncertain" || len(rep.Products) != 1 || !rep.Products[0].Over {
		t.Fatalf("API report: %+v %v", rep, err)
	}
	for q, field := range map[string]string{"?date=tomorrow": "date", "?top=-1": "top", "?interpretation=mine": "interpretation"} {
		resp := f.req("GET", "/api/v1/boms/"+list.BOMs[0].ID+q, "", "bearer:exporter")
		if resp.StatusCode != 400 || !strings.Contains(apiError(t, resp).Error.Message, field) {
			t.Errorf("%s: status %d", q, resp.StatusCode)
		}
	}
	if resp := f.req("POST", "/api/v1/boms", multipartBody("x", motorParts, ""), "bearer:exporter"); resp.StatusCode != 400 {
		t.Errorf("empty edges file: %d", resp.StatusCode)
	}
	big := multipartBody("big", motorParts+strings.Repeat("x", 2<<20), motorEdges)
	if resp := f.req("POST", "/api/v1/boms", big, "bearer:exporter"); resp.StatusCode != 413 {
		t.Errorf("upload over the limit: %d, want 413", resp.StatusCode)
	}
}

func TestWhatIfPage(t *testing.T) {
	f := newFixture(t)
	id := f.bomOf(f.users[rarex.RoleExporter])
	for _, lang := range i18n.Langs {
		body := readBody(t, f.req("POST", "/boms/"+id+"/products/motor/whatif", whatIfBody("motor", "", "html"), "cookie:exporter", "Cookie", "rarex_lang="+lang))
		for _, want := range []string{`data-feasible="true"`, "Shin-Etsu", i18n.T(lang, "whatif.exact"), "0.8", `id="exposure"`, `id="hhi-after">10000<`} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: plan page lacks %q", lang, want)
			}
		}
		if strings.Contains(body, "[[") || strings.Contains(body, "%!") {
			t.Errorf("%s: a message is broken", lang)
		}
	}
	bad := strings.Replace(whatIfBody("motor", "", "html"), "--"+boundary+"--", "--"+boundary+"\r\nContent-Disposition: form-data; name=\"date\"\r\n\r\n2026-13-45\r\n--"+boundary+"--", 1)
	if resp := f.req("POST", "/boms/"+id+"/products/motor/whatif", bad, "cookie:exporter"); resp.StatusCode != 400 || !strings.Contains(readBody(t, resp), "date") {
		t.Fatalf("a bad date was not refused: %d", resp.StatusCode)
	}
	resp := f.req("POST", "/boms/"+id+"/products/motor/whatif", whatIfBody("motor", "", "csv"), "cookie:exporter")
	body := readBody(t, resp)
	if resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" || !strings.Contains(resp.Header.Get("Content-Disposition"), "whatif-motor.csv") ||
		!strings.Contains(body, "motor,dy,Shin-Etsu,JP,1.50,2,0.8,") {
		t.Fatalf("CSV download: %q %q\n%s", resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"), body)
	}
	resp = f.req("POST", "/boms/"+id+"/products/motor/whatif", whatIfBody("motor", "2", "html"), "cookie:exporter")
	if body := readBody(t, resp); resp.StatusCode != 400 || !strings.Contains(body, "target") {
		t.Fatalf("bad target: %d", resp.StatusCode)
	}
	// A bad alternatives file is worded in the reader's language.
	badAlts := multipartOf([3]string{"product", "", "motor"}, [3]string{"format", "", "html"},
		[3]string{"alternatives", "alternatives.csv", "part_id,origin,unit_value,supplier\ndy,JP,-2,X\n"})
	for lang, want := range map[string]string{i18n.English: "alternatives.csv:2:7: unit_value: ", i18n.Chinese: "alternatives.csv 第 2 行第 7 列，unit_value：&#34;-2&#34; 不是非负十进制数"} {
		resp = f.req("POST", "/boms/"+id+"/products/motor/whatif", badAlts, "cookie:exporter", "Cookie", "rarex_lang="+lang)
		if body := readBody(t, resp); resp.StatusCode != 400 || !strings.Contains(body, want) {
			t.Fatalf("%s: bad alternatives: %d %s", lang, resp.StatusCode, body)
		}
	}
	var plan struct {
		Feasible  bool    `json:"feasible"`
		CostDelta float64 `json:"cost_delta"`
	}
	resp = f.req("POST", "/api/v1/boms/"+id+"/whatif", whatIfBody("motor", "0.001", ""), "bearer:exporter")
	if err := json.NewDecoder(resp.Body).Decode(&plan); err != nil || !plan.Feasible || plan.CostDelta < 0.79 || plan.CostDelta > 0.81 {
		t.Fatalf("API plan: %+v %v", plan, err)
	}
	if resp := f.req("POST", "/api/v1/boms/"+id+"/whatif", whatIfBody("ghost", "0.001", ""), "bearer:exporter"); resp.StatusCode != 404 {
		t.Fatalf("unknown product: %d", resp.StatusCode)
	}
}

// TestCheckAStoredProduct: a magnet in a stored BOM opens "Check an item"
// filled in with its class, elements, origin and exact content.
func TestCheckAStoredProduct(t *testing.T) {
	f := newFixture(t)
	parts := "part_id,class,elements,origin,unit_value,cn_technology\nMAG,magnet_ndfeb,Nd;Dy,VN,12000,magnet_manufacturing\nDY,metal,Dy,CN,30.5,\n"
	edges := "parent_id,child_id,quantity\nMAG,DY,1\n"
	b, err := f.boms.Upload(context.Background(), f.users[rarex.RoleExporter], "magnets", strings.NewReader(parts), "parts.csv", strings.NewReader(edges), "edges.csv")
	if err != nil {
		t.Fatal(err)
	}
	page := readBody(t, f.req("GET", "/boms/"+b.ID+"/products/MAG?date=2026-11-20", "", "cookie:exporter"))
	if !strings.Contains(page, `id="check-product"`) {
		t.Fatal("a magnet's page has no link to check it")
	}
	form := readBody(t, f.req("GET", "/determine?bom="+b.ID+"&product=MAG&date=2026-11-20&interpretation=official", "", "cookie:exporter"))
	for _, want := range []string{`name="cn_controlled_content_value" value="30.5"`, `name="value" value="12000"`, `name="origin" value="VN"`, `value="Nd, Dy"`, `value="magnet_manufacturing" checked`} {
		if !strings.Contains(form, want) {
			t.Errorf("prefilled form lacks %q", want)
		}
	}
	if resp := f.req("GET", "/determine?bom="+b.ID+"&product=MAG", "", "cookie:overseer"); resp.StatusCode != 403 {
		t.Errorf("another role reads the BOM through the form: %d", resp.StatusCode)
	}
}

// TestBOMProductPages: the table of a BOM's products comes a page at a
// time, with the BOM's counts and links to the pages before and after,
// and so does the API's report; bad offsets and limits are refused by name.
func TestBOMProductPages(t *testing.T) {
	f := newFixture(t)
	parts := "part_id,class,origin,unit_value,elements\nC,metal,CN,1,Dy\n"
	edges := "parent_id,child_id,quantity\n"
	for i, q := range []string{"1", "0.01", "1", "0.01", "1"} { // 1% or 0.01% of 100
		id := fmt.Sprintf("P%d", i+1)
		parts += id + ",assembly,VN,100,\n"
		edges += id + ",C," + q + "\n"
	}
	resp := f.req("POST", "/boms", multipartBody("Five", parts, edges), "cookie:exporter")
	loc := resp.Header.Get("Location")
	if resp.StatusCode != 303 {
		t.Fatalf("upload: %d %s", resp.StatusCode, readBody(t, resp))
	}
	for _, lang := range i18n.Langs {
		body := readBody(t, f.req("GET", loc+"?date=2026-11-20&offset=1&limit=2", "", "cookie:exporter", "Cookie", "rarex_lang="+lang))
		for _, want := range []string{i18n.T(lang, "boms.showing", 2, 3, 5, 3), "/products/P2?", "/products/P3?",
			`offset=0&amp;limit=2" id="prev-page"`, `offset=3&amp;limit=2" id="next-page"`} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: page 2 lacks %q", lang, want)
			}
		}
		if strings.Contains(body, "/products/P1?") || strings.Contains(body, "/products/P4?") || strings.Contains(body, "[[") {
			t.Errorf("%s: page 2 shows other products or lacks a message", lang)
		}
		body = readBody(t, f.req("GET", loc+"?date=2026-11-20&offset=4&limit=2", "", "cookie:exporter", "Cookie", "rarex_lang="+lang))
		if !strings.Contains(body, i18n.T(lang, "boms.showing", 5, 5, 5, 3)) || strings.Contains(body, `id="next-page"`) || !strings.Contains(body, `offset=2&amp;limit=2" id="prev-page"`) {
			t.Errorf("%s: last page is wrong", lang)
		}
		body = readBody(t, f.req("GET", loc+"?date=2026-11-20&offset=7", "", "cookie:exporter", "Cookie", "rarex_lang="+lang))
		if !strings.Contains(body, i18n.T(lang, "boms.showing_none", 5, 3)) {
			t.Errorf("%s: a page past the end is wrong", lang)
		}
	}
	id := strings.TrimPrefix(loc, "/boms/")
	var rep boms.Report
	resp = f.req("GET", "/api/v1/boms/"+id+"?date=2026-11-20&offset=1&limit=2", "", "bearer:exporter")
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil || rep.Total != 5 || rep.Over != 3 || rep.Offset != 1 || len(rep.Products) != 2 || rep.Products[0].Product != "P2" {
		t.Fatalf("API page: %+v, %v", rep, err)
	}
	for _, q := range []string{"limit=0", "limit=10001", "limit=x", "offset=-1"} {
		resp = f.req("GET", "/api/v1/boms/"+id+"?"+q, "", "bearer:exporter")
		name := strings.Split(q, "=")[0]
		if msg := apiError(t, resp).Error.Message; resp.StatusCode != 400 || !strings.HasPrefix(msg, name+":") {
			t.Errorf("%s: %d %q", q, resp.StatusCode, msg)
		}
	}
	if resp := f.req("GET", loc+"?limit=101", "", "cookie:exporter"); resp.StatusCode != 400 {
		t.Errorf("page of 101: %d", resp.StatusCode)
	}
}
