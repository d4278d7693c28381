package rules

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"rarex"
)

// randomRequest draws a request from the regime's vocabulary.
func randomRequest(rng *rand.Rand, reg *Regime, date string) Request {
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	countries := []string{"CN", "CN", "VN", "JP", "DE", "US", "SG", "KR"}
	elements := []string{"Dy", "Tb", "Sm", "Gd", "Lu", "Sc", "Y", "Ho", "Er", "Tm", "Eu", "Yb", "Nd", "Pr", "Ce", "La", "Fe", "B", "Co"}
	var els []string
	for i := rng.IntN(4); i >= 0; i-- {
		els = append(els, pick(elements))
	}
	r := Request{Date: date, ShipFrom: pick(countries), Destination: pick(countries),
		Item:           Item{Class: pick(reg.ItemClasses), Elements: els, Origin: pick(countries)},
		EndUser:        EndUser{Type: pick(reg.EndUserTypes), Validated: rng.IntN(2) == 0},
		EndUse:         EndUse{Category: pick(reg.EndUseCategories)},
		Interpretation: pick([]string{"official", "broad-elements", "as-reported"})}
	if rng.IntN(3) == 0 {
		r.EndUser.Lists = []string{pick(reg.PartyLists)}
	}
	if rng.IntN(3) == 0 {
		r.Item.CNTechnology = []string{pick(reg.TechStages)}
	}
	if rng.IntN(2) == 0 {
		v := dec("1000")
		cv := dec([]string{"0", "0.5", "0.999", "1", "1.001", "500", "600"}[rng.IntN(7)])
		r.Item.Value, r.Item.CNControlledContentValue = v, cv
	}
	return r
}

// Moving the date changes an outcome only on a day where the data changes.
func TestOutcomeChangesOnlyAtBoundaries(t *testing.T) {
	reg := shippedRegime(t)
	bound := map[string]bool{}
	for _, d := range reg.Boundaries() {
		bound[d.String()] = true
	}
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 150; i++ {
		r := randomRequest(rng, reg, "")
		prev := ""
		for day := 0; day < 800; day++ {
			date := start.AddDate(0, 0, day).Format(time.DateOnly)
			r.Date = date
			d, err := reg.Determine(r)
			if err != nil {
				t.Fatal(err)
			}
			if prev != "" && d.Outcome != prev && !bound[date] {
				t.Fatalf("outcome moved %s → %s on %s, which is no boundary in the data; request %+v", prev, d.Outcome, date, r)
			}
			prev = d.Outcome
		}
	}
}

// rank orders outcomes by how much they restrict an export.
var rank = map[string]int{NotControlled: 0, Exempt: 1, LicenseRequired: 2, CaseByCase: 3, PresumptionOfDenial: 4}

// Removing an element from an item never makes it more controlled.
func TestRemovingAnElementNeverAddsControl(t *testing.T) {
	reg := shippedRegime(t)
	rng := rand.New(rand.NewPCG(3, 4))
	dates := []string{before18, oct20, nov05, dec15, nov20_2026}
	for i := 0; i < 3000; i++ {
		r := randomRequest(rng, reg, dates[rng.IntN(len(dates))])
		full, err := reg.Determine(r)
		if err != nil {
			t.Fatal(err)
		}
		for k := range r.Item.Elements {
			less := r
			less.Item.Elements = append(append([]string{}, r.Item.Elements[:k]...), r.Item.Elements[k+1:]...)
			d, err := reg.Determine(less)
			if err != nil {
				t.Fatal(err)
			}
			if rank[d.Outcome] > rank[full.Outcome] {
				t.Fatalf("removing %s raised %s to %s: %+v", r.Item.Elements[k], full.Outcome, d.Outcome, r)
			}
		}
	}
}

// Determinations are deterministic: the same request gives the same bytes.
func TestDeterministic(t *testing.T) {
	reg := shippedRegime(t)
	rng := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 200; i++ {
		r := randomRequest(rng, reg, nov20_2026)
		a, _ := reg.Determine(r)
		b, _ := reg.Determine(r)
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if !bytes.Equal(ja, jb) {
			t.Fatalf("two runs differ:\n%s\n%s", ja, jb)
		}
	}
}

func TestBadRequests(t *testing.T) {
	reg := shippedRegime(t)
	good := `{"date":"2026-01-15","ship_from":"VN","destination":"DE","item":{"class":"magnet_ndfeb","elements":["Nd","Dy"],"origin":"VN","value":100,"cn_controlled_content_value":1},"end_user":{"type":"civilian"},"end_use":{"category":"civilian_manufacturing"}}`
	if r, err := DecodeRequest(bytes.NewReader([]byte(good))); err != nil {
		t.Fatal(err)
	} else if _, err := reg.Determine(r); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, body, field string }{
		{"unknown class", `"class":"magnet_ndfeb"`, "item.class"},
		{"unknown element", `"elements":["Nd","Dy"]`, "item.elements[1]"},
		{"unknown country", `"ship_from":"VN"`, "ship_from"},
		{"lower-case country", `"destination":"DE"`, "destination"},
		{"bad date", `"date":"2026-01-15"`, "date"},
		{"unknown interpretation", `"date":"2026-01-15"`, "interpretation"},
		{"negative value", `"value":100`, "item.value"},
		{"negative content", `"cn_controlled_content_value":1`, "item.cn_controlled_content_value"},
		{"content above value", `"cn_controlled_content_value":1`, "item.cn_controlled_content_value"},
		{"non-numeric value", `"value":100`, "value"},
		{"unknown end-user type", `"type":"civilian"`, "end_user.type"},
		{"unknown end use", `"category":"civilian_manufacturing"`, "end_use.category"},
		{"unknown field", `"date":"2026-01-15"`, "unknown field"},
		{"missing origin", `,"origin":"VN"`, "item.origin"},
		{"bom not yet available", `"date":"2026-01-15"`, "bom"},
	} {
		t.Run(c.name, func(t *testing.T) {
			edits := map[string]string{
				"unknown class": `"class":"magnetx"`, "unknown element": `"elements":["Nd","Xx"]`, "unknown country": `"ship_from":"ZZ"`,
				"lower-case country": `"destination":"de"`, "bad date": `"date":"2026-02-30"`, "unknown interpretation": `"date":"2026-01-15","interpretation":"lenient"`,
				"negative value": `"value":-100`, "negative content": `"cn_controlled_content_value":-1`, "content above value": `"cn_controlled_content_value":101`,
				"non-numeric value": `"value":"lots"`, "unknown end-user type": `"type":"pirate"`, "unknown end use": `"category":"fun"`,
				"unknown field": `"date":"2026-01-15","colour":"red"`, "missing origin": ``, "bom not yet available": `"date":"2026-01-15","bom":{"parts":[]}`,
			}
			body := bytes.Replace([]byte(good), []byte(c.body), []byte(edits[c.name]), 1)
			r, err := DecodeRequest(bytes.NewReader(body))
			if err == nil {
				_, err = reg.Determine(r)
			}
			if rarex.ErrorCode(err) != rarex.EINVALID || !bytes.Contains([]byte(rarex.ErrorMessage(err)), []byte(c.field)) {
				t.Fatalf("err = %v; want EINVALID naming %q", err, c.field)
			}
		})
	}
}

func FuzzDetermine(f *testing.F) {
	f.Add([]byte(`{"date":"2026-11-20","ship_from":"VN","destination":"DE","item":{"class":"magnet_ndfeb","elements":["Dy"],"origin":"VN","value":100,"cn_controlled_content_value":0.1}}`))
	f.Add([]byte(`{"date":"2025-10-20","ship_from":"CN","destination":"US","item":{"class":"technology","cn_technology":["separation"],"origin":"CN"},"end_user":{"type":"military","lists":["control_list"]}}`))
	f.Add([]byte(`{"item":{"value":1e999999}}`))
	f.Add([]byte(`{"item":{"value":"0.1","cn_controlled_content_value":"1/3"}}`))
	reg := shippedRegime(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := DecodeRequest(bytes.NewReader(body))
		if err != nil {
			if rarex.ErrorCode(err) != rarex.EINVALID {
				t.Fatalf("decode error not EINVALID: %v", err)
			}
			return
		}
		d, err := reg.Determine(r)
		if err != nil {
			if rarex.ErrorCode(err) != rarex.EINVALID {
				t.Fatalf("determine error not EINVALID: %v", err)
			}
			return
		}
		if _, ok := rank[d.Outcome]; !ok {
			t.Fatalf("unknown outcome %q", d.Outcome)
		}
	})
}

func BenchmarkDetermineItem(b *testing.B) {
	reg := shippedRegime(b)
	r := req(nov20_2026, "magnet_ndfeb", ndfebD, from("VN", "VN"), content("12000", "30.5"), user("civilian", "watch_list"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := reg.Determine(r); err != nil {
			b.Fatal(err)
		}
	}
}

func TestDecimal(t *testing.T) {
	for in, ok := range map[string]bool{"0": true, "12.50": true, "-1": true, "1e3": true, "1e999999": false, "1/3": false, "abc": false, "": false, "0x10": false} {
		if _, err := NewDecimal(in); (err == nil) != ok {
			t.Errorf("NewDecimal(%q) err = %v, want ok=%v", in, err, ok)
		}
	}
}
