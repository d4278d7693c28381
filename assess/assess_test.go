package assess

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"rarex"
	"rarex/bom"
	"rarex/rules"
)

func regime(t testing.TB) *rules.Regime {
	t.Helper()
	regs, err := rules.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	return regs[0]
}

// motor is journey 1's hub motor: 2.2 of 200 is China-origin controlled Dy.
const motor = `{"parts":[
 {"part_id":"motor","class":"assembly","origin":"VN","unit_value":"200"},
 {"part_id":"rotor","class":"assembly","origin":"VN","unit_value":"60"},
 {"part_id":"magnet","class":"magnet_ndfeb","elements":["Nd","Dy"],"origin":"VN","unit_value":"10","cn_technology":["magnet_manufacturing"]},
 {"part_id":"dy","class":"metal","elements":["Dy"],"origin":"CN","unit_value":"1.10"},
 {"part_id":"screw","class":"other","origin":"CN","unit_value":"0.05"}],
 "edges":[{"parent_id":"motor","child_id":"rotor","quantity":"1"},{"parent_id":"motor","child_id":"screw","quantity":"8"},
  {"parent_id":"rotor","child_id":"magnet","quantity":"4"},{"parent_id":"magnet","child_id":"dy","quantity":"0.5"}]}`

func request(date, interp, bomJSON string) rules.Request {
	return rules.Request{Date: date, ShipFrom: "VN", Destination: "DE", Interpretation: interp,
		Item:    rules.Item{Class: "magnet_ndfeb", Elements: []string{"Nd", "Dy"}, Origin: "VN"},
		EndUser: rules.EndUser{Type: "civilian"}, EndUse: rules.EndUse{Category: "civilian_manufacturing"}, BOM: json.RawMessage(bomJSON)}
}

func TestDetermineWithBOM(t *testing.T) {
	reg := regime(t)
	res, err := Determine(reg, request("2026-11-20", "", motor))
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != rules.LicenseRequired || res.Content == nil || !res.Content.Over || res.BOM == nil || res.BOM.Product != "motor" {
		t.Fatalf("result = %+v", res)
	}
	if res.Content.ControlledValue != 2.2 || res.Content.Value != 200 || len(res.BOM.TopPaths) != 1 || res.BOM.CNTechnology[0] != "magnet" {
		t.Fatalf("content %+v, bom %+v", res.Content, res.BOM)
	}
	// While Ann. 61 is suspended the same BOM needs no licence; under the article's reading neither.
	if res, _ := Determine(reg, request("2025-12-15", "", motor)); res.Outcome != rules.NotControlled {
		t.Fatalf("suspended: %s", res.Outcome)
	}
	if res, _ := Determine(reg, request("2026-11-20", "as-reported", motor)); res.Outcome != rules.NotControlled {
		t.Fatalf("as-reported: %s", res.Outcome)
	}
	// The JSON carries the BOM summary next to the determination.
	b, _ := json.Marshal(res)
	if !bytes.Contains(b, []byte(`"bom":{"product":"motor"`)) || !bytes.Contains(b, []byte(`"outcome":"license_required"`)) {
		t.Fatalf("JSON = %s", b)
	}
}

func TestBadBOMs(t *testing.T) {
	reg := regime(t)
	for name, c := range map[string]struct{ edit, with, mention string }{
		"unknown origin":  {`"origin":"CN","unit_value":"1.10"`, `"origin":"ZZ","unit_value":"1.10"`, "bom.parts[3].origin"},
		"unknown class":   {`"class":"metal"`, `"class":"metall"`, "bom.parts[3].class"},
		"negative value":  {`"unit_value":"0.05"`, `"unit_value":"-0.05"`, "bom.parts[4].unit_value"},
		"unknown child":   {`"child_id":"dy"`, `"child_id":"dx"`, "bom.edges[3].child_id"},
		"zero quantity":   {`"quantity":"0.5"`, `"quantity":"0"`, "bom.edges[3].quantity"},
		"cycle":           {`{"parent_id":"magnet","child_id":"dy","quantity":"0.5"}`, `{"parent_id":"magnet","child_id":"dy","quantity":"0.5"},{"parent_id":"magnet","child_id":"rotor","quantity":"1"}`, "cycle"},
		"two products":    {`{"part_id":"screw"`, `{"part_id":"spare","class":"other","origin":"VN","unit_value":"1"},{"part_id":"screw"`, "bom.product"},
		"unknown field":   {`"edges":`, `"colour":"red","edges":`, "unknown field"},
		"unknown product": {`"edges":`, `"product":"nope","edges":`, "bom.product"},
		"duplicate part":  {`{"part_id":"screw"`, `{"part_id":"dy","class":"other","origin":"VN","unit_value":"1"},{"part_id":"screw"`, "listed twice"},
	} {
		t.Run(name, func(t *testing.T) {
			doc := strings.Replace(motor, c.edit, c.with, 1)
			if doc == motor {
				t.Fatal("edit did not apply")
			}
			_, err := Determine(reg, request("2026-11-20", "", doc))
			if rarex.ErrorCode(err) != rarex.EINVALID || !strings.Contains(rarex.ErrorMessage(err), c.mention) {
				t.Fatalf("err = %v; want EINVALID mentioning %q", err, c.mention)
			}
		})
	}
}

func BenchmarkDetermineItem(b *testing.B) {
	reg := regime(b)
	req := request("2026-11-20", "", "")
	v, _ := rules.NewDecimal("12000")
	c, _ := rules.NewDecimal("30.5")
	req.Item.Value, req.Item.CNControlledContentValue = &v, &c
	for b.Loop() {
		if _, err := Determine(reg, req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDetermineBOM10k: an item whose content comes from a 10,000-part
// BOM carried in the request (decoded JSON in, determination out).
func BenchmarkDetermineBOM10k(b *testing.B) {
	reg := regime(b)
	parts, edges, err := bom.Generate(bom.GenConfig{Parts: 10_000, Depth: 5, Fanout: 4, Seed: 3})
	if err != nil {
		b.Fatal(err)
	}
	g, _ := bom.Build(parts, edges)
	doc, _ := json.Marshal(bom.Document{Parts: parts, Edges: edges, Product: parts[g.Products()[0]].ID})
	req := request("2026-11-20", "", string(doc))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Determine(reg, req); err != nil {
			b.Fatal(err)
		}
	}
}
