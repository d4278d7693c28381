package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"rarex"
	"rarex/bom"
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
	ps, es, err := bom.Generate(bom.GenConfig{Parts: 3000, Depth: 4, Fanout: 4, Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	var parts, edges strings.Builder
	bom.WriteParts(&parts, ps)
	bom.WriteEdges(&edges, es)
	resp := f.req("POST", "/boms", multipartBody("Generated", parts.String(), edges.String()), "cookie:exporter")
	loc := resp.Header.Get("Location")
	if resp.StatusCode != 303 {
		t.Fatalf("upload: %d %s", resp.StatusCode, readBody(t, resp))
	}
	id := strings.TrimPrefix(loc, "/boms/")
	// All of them, from the API, to count.
	var all boms.Report
	resp = f.req("GET", "/api/v1/boms/"+id+"?date=2026-11-20&top=0&limit=10000", "", "bearer:exporter")
	if err := json.NewDecoder(resp.Body).Decode(&all); err != nil || len(all.Products) != all.Total || all.Total <= 200 {
		t.Fatalf("API, all products: %d of %d, %v", len(all.Products), all.Total, err)
	}
	over := 0
	for _, p := range all.Products {
		if p.Over {
			over++
		}
	}
	if over != all.Over || over == 0 || over == all.Total {
		t.Fatalf("products_over %d, counted %d of %d", all.Over, over, all.Total)
	}
	// The API's default page, and one further on.
	var rep boms.Report
	resp = f.req("GET", "/api/v1/boms/"+id+"?date=2026-11-20&top=0&offset=150&limit=20", "", "bearer:exporter")
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil || rep.Total != all.Total || rep.Over != over || rep.Offset != 150 ||
		len(rep.Products) != 20 || rep.Products[0].Product != all.Products[150].Product || rep.Products[19].Product != all.Products[169].Product {
		t.Fatalf("API page: %d products from %d, %v", len(rep.Products), rep.Offset, err)
	}
	for _, lang := range i18n.Langs {
		get := func(query string) string {
			return readBody(t, f.req("GET", loc+"?date=2026-11-20"+query, "", "cookie:exporter", "Cookie", "rarex_lang="+lang))
		}
		product := func(k int) string { return "/products/" + all.Products[k].Product + "?" }
		body := get("")
		for _, want := range []string{i18n.T(lang, "boms.showing", 1, 100, all.Total, over), product(0), product(99), `offset=100&amp;limit=100" id="next-page"`} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: the first page lacks %q", lang, want)
			}
		}
		if strings.Contains(body, product(100)) || strings.Contains(body, `id="prev-page"`) || strings.Contains(body, "[[") {
			t.Errorf("%s: the first page shows too much or lacks a message", lang)
		}
		body = get("&offset=100")
		for _, want := range []string{i18n.T(lang, "boms.showing", 101, 200, all.Total, over), product(100), `offset=0&amp;limit=100" id="prev-page"`} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: the second page lacks %q", lang, want)
			}
		}
		last := (all.Total - 1) / 100 * 100
		body = get(fmt.Sprintf("&offset=%d", last))
		if !strings.Contains(body, i18n.T(lang, "boms.showing", last+1, all.Total, all.Total, over)) || strings.Contains(body, `id="next-page"`) {
			t.Errorf("%s: the last page is wrong", lang)
		}
		if body = get("&offset=100000"); !strings.Contains(body, i18n.T(lang, "boms.showing_none", all.Total, over)) {
			t.Errorf("%s: a page past the end is wrong", lang)
		}
	}
	for _, q := range []string{"limit=0", "limit=10001", "limit=x", "offset=-1"} {
		resp = f.req("GET", "/api/v1/boms/"+id+"?"+q, "", "bearer:exporter")
		name := strings.Split(q, "=")[0]
		if msg := apiError(t, resp).Error.Message; resp.StatusCode != 400 || !strings.HasPrefix(msg, name+":") {
			t.Errorf("%s: %d %q", q, resp.StatusCode, msg)
		}
	}
	if resp := f.req("GET", loc+"?limit=101", "", "cookie:exporter"); resp.StatusCode != 400 {
		t.Errorf("a page of 101: %d", resp.StatusCode)
	}
}

// TestBOMUploadJSON: the BOM API takes the JSON form too; a bad value is
// refused by its path in the body, an unknown field or a body over the
// JSON cap too, and none of them is stored.
func TestBOMUploadJSON(t *testing.T) {
	f := newFixture(t)
	const doc = `{"name":"Hub motor","parts":[
 {"part_id":"motor","class":"assembly","origin":"VN","unit_value":"200"},
 {"part_id":"rotor","class":"assembly","origin":"VN","unit_value":"60"},
 {"part_id":"dy","class":"metal","elements":["Dy"],"origin":"CN","unit_value":"1.10"}],
 "edges":[{"parent_id":"motor","child_id":"rotor","quantity":"1"},{"parent_id":"rotor","child_id":"dy","quantity":"2"}]}`
	resp := f.req("POST", "/api/v1/boms", doc, "bearer:exporter")
	if resp.StatusCode != 201 {
		t.Fatalf("JSON upload: %d %q", resp.StatusCode, apiError(t, resp).Error.Message)
	}
	var b rarex.BOM
	if err := json.NewDecoder(resp.Body).Decode(&b); err != nil || resp.StatusCode != 201 || b.Parts != 3 || b.Edges != 2 || b.Name != "Hub motor" {
		t.Fatalf("JSON upload: %d %+v %v", resp.StatusCode, b, err)
	}
	var rep boms.Report
	resp = f.req("GET", "/api/v1/boms/"+b.ID+"?date=2026-11-20", "", "bearer:exporter")
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil || len(rep.Products) != 1 || rep.Products[0].ControlledValue != 2.2 || !rep.Products[0].Over {
		t.Fatalf("report of the JSON BOM: %+v, %v", rep, err)
	}
	for name, c := range map[string]struct {
		body   string
		status int
		want   string
	}{
		"bad origin":    {strings.Replace(doc, `"origin":"CN"`, `"origin":"Mars"`, 1), 400, "body.parts[2].origin"},
		"unknown child": {strings.Replace(doc, `"child_id":"dy"`, `"child_id":"ghost"`, 1), 400, `body.edges[1].child_id: "ghost" is not a part`},
		"cycle":         {strings.Replace(doc, `"child_id":"dy","quantity":"2"}`, `"child_id":"dy","quantity":"2"},{"parent_id":"dy","child_id":"motor","quantity":"1"}`, 1), 400, "body.edges: cycle in the BOM"},
		"a number":      {strings.Replace(doc, `"unit_value":"60"`, `"unit_value":60`, 1), 400, "parts.unit_value: expected string"},
		"unknown field": {strings.Replace(doc, `"name"`, `"nmae"`, 1), 400, "unknown field"},
		"no name":       {strings.Replace(doc, `"Hub motor"`, `""`, 1), 400, "name"},
		"too large":     {`{"name":"x","parts":[` + strings.Repeat(`{"part_id":"p","class":"other","origin":"VN","unit_value":"1"},`, 600_000) + `{}]}`, 413, "larger than"},
	} {
		resp := f.req("POST", "/api/v1/boms", c.body, "bearer:exporter")
		if msg := apiError(t, resp).Error.Message; resp.StatusCode != c.status || !strings.Contains(msg, c.want) {
			t.Errorf("%s: %d %q, want %d %q", name, resp.StatusCode, msg, c.status, c.want)
		}
	}
	var list struct {
		BOMs []rarex.BOM `json:"boms"`
	}
	if err := json.NewDecoder(f.req("GET", "/api/v1/boms", "", "bearer:exporter").Body).Decode(&list); err != nil || len(list.BOMs) != 1 {
		t.Fatalf("after bad uploads: %d BOMs (%v)", len(list.BOMs), err)
	}
	if resp := f.req("POST", "/api/v1/boms", doc, "bearer:reviewer"); resp.StatusCode != 403 {
		t.Errorf("a reviewer's JSON upload: %d", resp.StatusCode)
	}
}
