package web_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"rarex"
)

type screenResp struct {
	Results []struct {
		Query struct{ Name string }
		Hits  []struct {
			Score   float64
			ListID  string `json:"list_id"`
			Cleared *struct{ Reason string }
			Entry   struct {
				ID      string
				Meaning string
			}
			Explanation struct{ Method string } `json:"explanation"`
		}
	}
}

func TestScreenAPI(t *testing.T) {
	f := newFixture(t)
	resp := f.req("POST", "/api/v1/screen", `{"name":"NORTHWIND DEFENCE ELECTRONICS CO., LTD","country":"US"}`, "bearer:exporter")
	var sr screenResp
	if resp.StatusCode != 200 || json.Unmarshal([]byte(readBody(t, resp)), &sr) != nil {
		t.Fatalf("status %d", resp.StatusCode)
	}
	h := sr.Results[0].Hits
	if len(h) == 0 || h[0].Entry.ID != "demo-1" || h[0].Entry.Meaning != "control_list" || h[0].ListID != "demo-list" || h[0].Explanation.Method != "tokens" {
		t.Fatalf("hits %+v", h)
	}
	// A batch: Chinese, Cyrillic, and a party on no list.
	resp = f.req("POST", "/api/v1/screen", `{"names":[{"name":"北风国防电子"},{"name":"Соколов Иван Петрович"},{"name":"Patricia Lucas Wheeler"}]}`, "bearer:reviewer")
	sr = screenResp{}
	json.Unmarshal([]byte(readBody(t, resp)), &sr)
	if len(sr.Results) != 3 || len(sr.Results[0].Hits) == 0 || sr.Results[0].Hits[0].Entry.ID != "demo-1" || len(sr.Results[1].Hits) == 0 || sr.Results[1].Hits[0].Entry.ID != "demo-7" || len(sr.Results[2].Hits) != 0 {
		t.Fatalf("batch %+v", sr)
	}
	var many []string
	for i := range 1001 {
		many = append(many, fmt.Sprintf(`{"name":"party %d"}`, i))
	}
	for _, c := range []struct{ body, want string }{
		{`{"name":"a","names":[{"name":"b"}]}`, "not both"},
		{`{}`, "at least one"},
		{`{"names":[` + strings.Join(many, ",") + `]}`, "at most 1000"},
		{`{"name":"x","colour":"red"}`, "colour"},
		{`{"name":"x","country":"Narnia"}`, "country"},
		{`{"name":"x","min_score":2}`, "min_score"},
	} {
		resp := f.req("POST", "/api/v1/screen", c.body, "bearer:exporter")
		if body := readBody(t, resp); resp.StatusCode != 400 || !strings.Contains(body, c.want) {
			t.Errorf("%.60s: %d %s", c.body, resp.StatusCode, body)
		}
	}
	// The reviewer clears a hit; the reviewer's organisation sees it cleared, the exporter's does not.
	resp = f.req("POST", "/api/v1/clearances", `{"party":"Harbor Point Aerospace","list_id":"demo-list","entry_id":"demo-2","reason":"a marina in Maine"}`, "bearer:reviewer")
	if resp.StatusCode != 201 {
		t.Fatalf("clear: %d %s", resp.StatusCode, readBody(t, resp))
	}
	for role, cleared := range map[string]bool{"reviewer": true, "exporter": false} {
		sr = screenResp{}
		json.Unmarshal([]byte(readBody(t, f.req("POST", "/api/v1/screen", `{"name":"Harbor Point Aerospace"}`, "bearer:"+role))), &sr)
		if h := sr.Results[0].Hits; len(h) == 0 || (h[0].Cleared != nil) != cleared {
			t.Errorf("%s sees %+v", role, h)
		}
	}
	resp = f.req("GET", "/api/v1/lists", "", "bearer:overseer")
	if body := readBody(t, resp); resp.StatusCode != 200 || !strings.Contains(body, `"demo-list"`) || !strings.Contains(body, `"entries": 8`) {
		t.Fatalf("lists: %d %s", resp.StatusCode, body)
	}
	if resp := f.req("GET", "/api/v1/lists/nope/versions", "", "bearer:exporter"); resp.StatusCode != 404 {
		t.Fatalf("unknown list: %d", resp.StatusCode)
	}
}

func TestScreenPage(t *testing.T) {
	f := newFixture(t)
	resp := f.req("GET", "/screen?name=Sable+Ridge+Arms+Corp", "", "cookie:reviewer")
	body := readBody(t, resp)
	if resp.StatusCode != 200 || !strings.Contains(body, "Sable Ridge Arms Corporation") || !strings.Contains(body, `action="/screen/clear"`) || !strings.Contains(body, "Unreliable entity list") {
		t.Fatalf("page: %d\n%s", resp.StatusCode, body)
	}
	// Exporters cannot clear; Chinese reads Chinese.
	resp = f.req("GET", "/screen?name=Sable+Ridge+Arms+Corp", "", "cookie:exporter", "Cookie", "rarex_lang=zh-Hans")
	body = readBody(t, resp)
	if strings.Contains(body, `action="/screen/clear"`) || !strings.Contains(body, "受限主体筛查") || !strings.Contains(body, "不可靠实体清单") {
		t.Fatalf("exporter page in Chinese:\n%s", body)
	}
	resp = f.req("GET", "/screen?name=Patricia+Lucas+Wheeler", "", "cookie:exporter")
	if body := readBody(t, resp); !strings.Contains(body, `id="no-hit"`) {
		t.Fatalf("no hit:\n%s", body)
	}
	resp = f.req("GET", "/screen?name=...", "", "cookie:exporter")
	if body := readBody(t, resp); resp.StatusCode != 422 || !strings.Contains(body, "nothing to match") {
		t.Fatalf("empty name: %d\n%s", resp.StatusCode, body)
	}
	// Batch upload, as a page and as CSV.
	resp = f.req("POST", "/screen/batch", partiesBody("name,country\nBlue Lagoon Trading,AE\nGolden Crane Logistics Ltd,HK\n"), "cookie:exporter")
	if body := readBody(t, resp); resp.StatusCode != 200 || !strings.Contains(body, "Blue Lagoon Trading FZE") || !strings.Contains(body, "Golden Crane Logistics Limited") {
		t.Fatalf("batch page: %d\n%s", resp.StatusCode, body)
	}
	resp = f.req("POST", "/screen/batch", partiesBody("name\nBlue Lagoon Trading\n", [3]string{"format", "", "csv"}), "cookie:exporter")
	if body := readBody(t, resp); resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" || !strings.HasPrefix(body, "name,score,matched_name") || !strings.Contains(body, "demo-4") {
		t.Fatalf("batch CSV: %s\n%s", resp.Header.Get("Content-Type"), body)
	}
	resp = f.req("POST", "/screen/batch", partiesBody("country\nAE\n"), "cookie:exporter")
	if body := readBody(t, resp); resp.StatusCode != 400 || !strings.Contains(body, "parties.csv:1: header: missing column name") {
		t.Fatalf("bad batch: %d\n%s", resp.StatusCode, body)
	}
	// Clearing from the page, then the hit shows as cleared.
	resp = f.req("POST", "/screen/clear", form("party", "Blue Lagoon Trading", "list_id", "demo-list", "entry_id", "demo-4", "reason", "a spa in Iceland"), "cookie:reviewer")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("clear: %d %s", resp.StatusCode, readBody(t, resp))
	}
	resp = f.req("GET", resp.Header.Get("Location"), "", "cookie:reviewer")
	if body := readBody(t, resp); !strings.Contains(body, "a spa in Iceland") {
		t.Fatalf("after clearing:\n%s", body)
	}
	resp = f.req("POST", "/screen/clear", form("party", "Blue Lagoon Trading", "list_id", "demo-list", "entry_id", "demo-4", "reason", ""), "cookie:reviewer")
	if resp.StatusCode != 400 {
		t.Fatalf("clear without a reason: %d", resp.StatusCode)
	}
}

func TestWatchedPartiesPage(t *testing.T) {
	f := newFixture(t)
	resp := f.req("POST", "/screen/parties", form("name", "Golden Crane Logistics Ltd", "country", "hk"), "cookie:exporter")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("watch: %d %s", resp.StatusCode, readBody(t, resp))
	}
	body := readBody(t, f.req("GET", "/screen", "", "cookie:exporter"))
	if !strings.Contains(body, `id="party-list"`) || !strings.Contains(body, "Golden Crane Logistics Ltd") || !strings.Contains(body, `class="open"`) || !strings.Contains(body, "Golden Crane Logistics Limited") {
		t.Fatalf("page after watching:\n%s", body)
	}
	if resp := f.req("POST", "/screen/parties", form("name", "Golden Crane Logistics Ltd"), "cookie:exporter"); resp.StatusCode != 409 {
		t.Fatalf("watched twice: %d", resp.StatusCode)
	}
	var as struct {
		Alerts []struct {
			ID      string `json:"id"`
			PartyID string `json:"party_id"`
		} `json:"alerts"`
	}
	json.Unmarshal([]byte(readBody(t, f.req("GET", "/api/v1/alerts", "", "bearer:exporter"))), &as)
	if len(as.Alerts) != 1 {
		t.Fatalf("alerts %+v", as)
	}
	if resp := f.req("POST", "/screen/alerts/"+as.Alerts[0].ID+"/acknowledge", "", "cookie:exporter"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("acknowledge: %d", resp.StatusCode)
	}
	body = readBody(t, f.req("GET", "/screen", "", "cookie:exporter"))
	if strings.Contains(body, `class="open"`) || !strings.Contains(body, "Acknowledged") {
		t.Fatalf("page after acknowledging:\n%s", body)
	}
	// Another exporter sees none of it.
	body = readBody(t, f.req("GET", "/api/v1/parties", "", "bearer:exporter"))
	if !strings.Contains(body, "Golden Crane") {
		t.Fatalf("own parties: %s", body)
	}
	if resp := f.req("POST", "/screen/parties/"+as.Alerts[0].PartyID+"/delete", "", "cookie:exporter"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("unwatch: %d", resp.StatusCode)
	}
	if body := readBody(t, f.req("GET", "/api/v1/alerts", "", "bearer:exporter")); !strings.Contains(body, `"alerts": []`) {
		t.Fatalf("alerts after unwatching: %s", body)
	}
}

// TestDeterminationScreensTheEndUser: a named end user on a control list
// makes the rules deny in principle, without the caller listing it; a
// cleared hit does not, and an overseer's request stands as given.
func TestDeterminationScreensTheEndUser(t *testing.T) {
	f := newFixture(t)
	req := `{"date":"2026-01-15","ship_from":"CN","destination":"US","item":{"class":"metal","elements":["Dy"],"origin":"CN"},"end_user":{"name":"NORTHWIND DEFENCE ELECTRONICS","type":"civilian"}}`
	type det struct {
		Outcome          string   `json:"outcome"`
		Warnings         []string `json:"warnings"`
		EndUserScreening []struct {
			ListID string `json:"list_id"`
		} `json:"end_user_screening"`
		Reasons []struct{ Rule string }
	}
	var d det
	resp := f.req("POST", "/api/v1/determinations", req, "bearer:exporter")
	if err := json.Unmarshal([]byte(readBody(t, resp)), &d); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %v", resp.StatusCode, err)
	}
	rules := []string{}
	for _, r := range d.Reasons {
		rules = append(rules, r.Rule)
	}
	if d.Outcome != "presumption_of_denial" || len(d.EndUserScreening) != 1 || !strings.Contains(strings.Join(rules, " "), "ecl-18") || !strings.Contains(strings.Join(d.Warnings, " "), "treated as on a control_list list") {
		t.Fatalf("determination %+v", d)
	}
	// The reviewer clears the hit: the reviewer's determination no longer uses it.
	if resp := f.req("POST", "/api/v1/clearances", `{"party":"NORTHWIND DEFENCE ELECTRONICS","list_id":"demo-list","entry_id":"demo-1","reason":"a different company in Oregon"}`, "bearer:reviewer"); resp.StatusCode != 201 {
		t.Fatalf("clear: %d", resp.StatusCode)
	}
	d = det{}
	json.Unmarshal([]byte(readBody(t, f.req("POST", "/api/v1/determinations", req, "bearer:reviewer"))), &d)
	if d.Outcome != "license_required" || len(d.EndUserScreening) != 0 {
		t.Fatalf("after clearing: %+v", d)
	}
	d = det{}
	json.Unmarshal([]byte(readBody(t, f.req("POST", "/api/v1/determinations", req, "bearer:overseer"))), &d)
	if d.Outcome != "license_required" || len(d.EndUserScreening) != 0 {
		t.Fatalf("overseer: %+v", d)
	}
	// The page does the same.
	body := readBody(t, f.req("POST", "/determine", form("date", "2026-01-15", "ship_from", "CN", "destination", "US", "class", "metal", "elements", "Dy", "origin", "CN", "end_user_name", "Northwind Defence Electronics", "end_user_type", "civilian"), "cookie:exporter"))
	if !strings.Contains(body, "treated as on a control_list list") {
		t.Fatalf("page:\n%s", body)
	}
	body = readBody(t, f.req("POST", "/determine", form("date", "2026-01-15", "ship_from", "CN", "destination", "US", "class", "metal", "elements", "Dy", "origin", "CN", "end_user_name", "Northwind Defence Electronics", "end_user_type", "civilian"), "cookie:exporter", "Cookie", "rarex_lang=zh-Hans"))
	if !strings.Contains(body, "按列入 control_list 类名单处理") {
		t.Fatalf("the Chinese page does not say the end user is treated as listed:\n%s", body)
	}
}

func TestIndicatorsAPI(t *testing.T) {
	f := newFixture(t)
	resp := f.req("GET", "/api/v1/indicators?date=2026-11-28", "", "bearer:overseer")
	var in struct {
		Date          string `json:"date"`
		Concentration []struct {
			Stage string  `json:"stage"`
			Year  int     `json:"year"`
			HHI   float64 `json:"hhi"`
		} `json:"concentration"`
		Measures []struct {
			Status string `json:"status"`
		} `json:"measures"`
	}
	if err := json.Unmarshal([]byte(readBody(t, resp)), &in); err != nil || resp.StatusCode != 200 || in.Date != "2026-11-28" {
		t.Fatalf("%d %v %+v", resp.StatusCode, err, in)
	}
	found := false
	for _, c := range in.Concentration {
		if c.Stage == "refining" && c.Year == 2023 && c.HHI == 8490 {
			found = true
		}
	}
	if !found || len(in.Measures) == 0 {
		t.Fatalf("indicators %+v", in)
	}
	if resp := f.req("GET", "/api/v1/indicators?date=tomorrow", "", "bearer:overseer"); resp.StatusCode != 400 {
		t.Fatalf("bad date: %d", resp.StatusCode)
	}
}

// TestMonitorDownloadsMatchTheAPI: the prices CSV and the concentration
// JSON behind the dashboard's charts say what /api/v1/indicators says.
func TestMonitorDownloadsMatchTheAPI(t *testing.T) {
	f := newFixture(t)
	var in struct {
		Prices struct {
			Series map[string]map[string]float64 `json:"series"`
		} `json:"prices"`
		Concentration []struct {
			Stage string  `json:"stage"`
			Year  int     `json:"year"`
			HHI   float64 `json:"hhi"`
		} `json:"concentration"`
	}
	json.Unmarshal([]byte(readBody(t, f.req("GET", "/api/v1/indicators?date=2026-11-28", "", "bearer:overseer"))), &in)
	resp := f.req("GET", "/monitor/data/prices?format=csv&date=2026-11-28", "", "cookie:overseer")
	rows, err := csv.NewReader(strings.NewReader(readBody(t, resp))).ReadAll()
	if err != nil || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" || len(rows) < 2 {
		t.Fatalf("prices CSV: %v %q", err, rows)
	}
	checked := 0
	for _, r := range rows[1:] {
		for i, ox := range rows[0][1:] {
			want := in.Prices.Series[ox][r[0]]
			if got, _ := strconv.ParseFloat(r[i+1], 64); got != want {
				t.Errorf("%s %s: CSV %s, API %v", ox, r[0], r[i+1], want)
			}
			checked++
		}
	}
	if checked != 21 {
		t.Fatalf("checked %d prices, want 3 oxides × 7 years", checked)
	}
	var c struct {
		Labels []string `json:"labels"`
		Series []struct {
			Values []*float64 `json:"values"`
		} `json:"series"`
	}
	json.Unmarshal([]byte(readBody(t, f.req("GET", "/monitor/data/concentration?date=2026-11-28", "", "cookie:overseer"))), &c)
	if len(c.Labels) != len(in.Concentration) {
		t.Fatalf("concentration chart has %d points, the API %d", len(c.Labels), len(in.Concentration))
	}
	for i, x := range in.Concentration {
		v := c.Series[0].Values[i]
		if (x.HHI == 0) != (v == nil) || v != nil && *v != x.HHI {
			t.Errorf("%s %d: chart %v, API %v", x.Stage, x.Year, v, x.HHI)
		}
	}
	if resp := f.req("GET", "/monitor/data/nope", "", "cookie:overseer"); resp.StatusCode != 404 {
		t.Fatalf("unknown chart: %d", resp.StatusCode)
	}
	body := readBody(t, f.req("GET", "/monitor?date=2026-11-28", "", "cookie:overseer", "Cookie", "rarex_lang=zh-Hans"))
	if !strings.Contains(body, "供应稳定性监测") || !strings.Contains(body, `data-chart="prices"`) || !strings.Contains(body, "8490") {
		t.Fatalf("dashboard page:\n%s", body)
	}
}

func TestExposureAPI(t *testing.T) {
	f := newFixture(t)
	id := f.bomOf(f.users[rarex.RoleExporter])
	var rep struct {
		Before struct {
			Total  float64 `json:"rare_earth_value"`
			HHI    float64 `json:"hhi"`
			Shares []struct {
				Country string
				Share   float64
			} `json:"shares"`
		} `json:"before"`
	}
	resp := f.req("GET", "/api/v1/boms/"+id+"/exposure?product=motor", "", "bearer:exporter")
	if err := json.Unmarshal([]byte(readBody(t, resp)), &rep); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %v", resp.StatusCode, err)
	}
	// The VN magnet, 4 × 10 per motor, counted whole; its Dy metal is not counted again.
	if rep.Before.Total != 40 || rep.Before.HHI != 10000 || len(rep.Before.Shares) != 1 || rep.Before.Shares[0].Country != "VN" {
		t.Fatalf("exposure %+v", rep)
	}
	if resp := f.req("GET", "/api/v1/boms/"+id+"/exposure", "", "bearer:exporter"); resp.StatusCode != 400 {
		t.Fatalf("no product: %d", resp.StatusCode)
	}
	if resp := f.req("GET", "/api/v1/boms/"+id+"/exposure?product=ghost", "", "bearer:exporter"); resp.StatusCode != 404 {
		t.Fatalf("unknown product: %d", resp.StatusCode)
	}
}
