package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBOMCommands(t *testing.T) {
	dir := t.TempDir()
	run := func(args ...string) (string, error) {
		app, out, errOut := newApp(nil, "")
		err := app.Run(context.Background(), args)
		return out.String() + errOut.String(), err
	}
	if out, err := run("bom", "gen", "--parts", "3000", "--depth", "4", "--fanout", "4", "--seed", "9", "--out", dir); err != nil || !strings.Contains(out, "wrote 3000 parts") {
		t.Fatalf("bom gen: %v %s", err, out)
	}
	out, err := run("bom", "rollup", "--parts", filepath.Join(dir, "parts.csv"), "--edges", filepath.Join(dir, "edges.csv"), "--date", "2026-11-20", "--json", "--product", "P0")
	var res struct {
		RuleStatus string `json:"rule_status"`
		Products   []struct {
			Product string
			Over    bool
		}
	}
	if err != nil || json.Unmarshal([]byte(out), &res) != nil || res.RuleStatus != "uncertain" || len(res.Products) != 1 || res.Products[0].Product != "P0" {
		t.Fatalf("bom rollup --json: %v\n%.500s", err, out)
	}
	// The table for people, and the paths after it.
	out, err = run("bom", "rollup", "--parts", filepath.Join(dir, "parts.csv"), "--edges", filepath.Join(dir, "edges.csv"), "--date", "2026-11-20", "--product", "P0", "--top", "2")
	if err != nil || !strings.HasPrefix(out, "3000 parts, ") || !strings.Contains(out, "PRODUCT") || !strings.Contains(out, "OVER threshold") || !strings.Contains(out, "  P0 #1: P0 → ") {
		t.Fatalf("bom rollup: %v\n%.500s", err, out)
	}
	out, err = run("bom", "rollup", "--parts", filepath.Join(dir, "parts.csv"), "--edges", filepath.Join(dir, "edges.csv"), "--date", "2025-12-15", "--csv")
	if err != nil || !strings.HasPrefix(out, "product,value,controlled_value") || !strings.Contains(out, ",suspended") {
		t.Fatalf("bom rollup --csv: %v\n%.300s", err, out)
	}
	// Bad input names the file, line and column.
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("part_id,class,origin,unit_value\nA,assembly,VN,1\nB,metal,Mars,1\n"), 0o600)
	if _, err := run("bom", "rollup", "--parts", bad, "--edges", filepath.Join(dir, "edges.csv")); err == nil || !strings.Contains(err.Error(), bad+":3:") || !strings.Contains(err.Error(), "origin") {
		t.Fatalf("bad parts: %v", err)
	}
	os.WriteFile(bad, []byte("part_id,class,origin,unit_value\nA,assembly,VN,1\n"), 0o600)
	edges := filepath.Join(dir, "bad-edges.csv")
	os.WriteFile(edges, []byte("parent_id,child_id,quantity\nA,Z,1\n"), 0o600)
	if _, err := run("bom", "rollup", "--parts", bad, "--edges", edges); err == nil || !strings.Contains(err.Error(), edges+":2:3: child_id") {
		t.Fatalf("unknown child: %v", err)
	}
	os.WriteFile(edges, []byte("parent_id,child_id,quantity\nA,A,1\n"), 0o600)
	if _, err := run("bom", "rollup", "--parts", bad, "--edges", edges); err == nil || !strings.Contains(err.Error(), "cycle") {
		t.Fatalf("cycle: %v", err)
	}
	if _, err := run("bom", "rollup", "--parts", bad, "--edges", edges, "--product", "nope"); err == nil {
		t.Fatal("unknown product accepted")
	}
	if _, err := run("bom", "rollup", "--parts", bad); err == nil || !strings.Contains(err.Error(), "--edges") {
		t.Fatalf("missing --edges: %v", err)
	}
}

func TestBOMWhatIfCommand(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o600)
		return p
	}
	parts := write("parts.csv", "part_id,class,elements,origin,unit_value\nmotor,assembly,,VN,200\nmagnet,magnet_ndfeb,Nd;Dy,VN,10\ndy,metal,Dy,CN,1.10\n")
	edges := write("edges.csv", "parent_id,child_id,quantity\nmotor,magnet,4\nmagnet,dy,0.5\n")
	alts := write("alts.csv", "part_id,origin,unit_value,supplier\ndy,JP,1.50,Shin-Etsu\n")
	app, out, _ := newApp(nil, "")
	if err := app.Run(context.Background(), []string{"bom", "whatif", "--parts", parts, "--edges", edges, "--alternatives", alts, "--product", "motor"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "switch dy to Shin-Etsu (JP) at 1.50: 2 units per product, cost +0.8") || !strings.Contains(out.String(), "exhaustive") {
		t.Fatalf("whatif output:\n%s", out.String())
	}
	app, out, _ = newApp(nil, "")
	if err := app.Run(context.Background(), []string{"bom", "whatif", "--parts", parts, "--edges", edges, "--alternatives", alts, "--product", "motor", "--csv"}); err != nil ||
		!strings.Contains(out.String(), "motor,dy,Shin-Etsu,JP,1.50,2,0.8") {
		t.Fatalf("whatif --csv: %v\n%s", err, out.String())
	}
	app, _, _ = newApp(nil, "")
	if err := app.Run(context.Background(), []string{"bom", "whatif", "--parts", parts, "--edges", edges, "--alternatives", alts, "--product", "motor", "--target", "2"}); err == nil {
		t.Fatal("a target above 1 was accepted")
	}
}

func TestProgressReader(t *testing.T) {
	var out strings.Builder
	data := strings.Repeat("x", 3<<20)
	p := &progressReader{r: strings.NewReader(data), w: &out, name: "parts.csv", total: int64(len(data))}
	b, err := io.ReadAll(p)
	if err != nil || len(b) != len(data) || !strings.HasSuffix(out.String(), "reading parts.csv: 100% (3.1 of 3.1 MB)\n") {
		t.Fatalf("progress = %q, %v", out.String(), err)
	}
	// Not a terminal: the file is read as it is, with no output.
	f, _ := os.Open("bom_test.go")
	defer f.Close()
	if r := withProgress(f, &out, "x"); r != io.Reader(f) {
		t.Fatal("progress shown on a non-terminal")
	}
}

func TestBOMUploadCommand(t *testing.T) {
	data := t.TempDir()
	run := func(args ...string) (string, error) {
		app, out, errOut := newApp(nil, "")
		err := app.Run(context.Background(), append(args, "--data", data))
		return out.String() + errOut.String(), err
	}
	if _, err := run("org", "add", "--name", "Acme", "--kind", "exporter"); err != nil {
		t.Fatal(err)
	}
	if _, err := run("user", "add", "--org", "Acme", "--role", "exporter", "--email", "a@acme.example"); err != nil {
		t.Fatal(err)
	}
	out, err := run("bom", "upload", "--email", "a@acme.example", "--name", "Demo", "--parts", "../../boms/demo/parts.csv", "--edges", "../../boms/demo/edges.csv")
	if err != nil || !strings.Contains(out, "26 parts, 30 edges") {
		t.Fatalf("bom upload: %v %s", err, out)
	}
	if _, err := run("bom", "upload", "--email", "nobody@acme.example", "--name", "Demo", "--parts", "../../boms/demo/parts.csv", "--edges", "../../boms/demo/edges.csv"); err == nil {
		t.Fatal("upload as an unknown user worked")
	}
	bad := filepath.Join(t.TempDir(), "edges.csv")
	os.WriteFile(bad, []byte("parent_id,child_id,quantity\nHM-250,GHOST,1\n"), 0o600)
	if _, err := run("bom", "upload", "--email", "a@acme.example", "--name", "Bad", "--parts", "../../boms/demo/parts.csv", "--edges", bad); err == nil || !strings.Contains(err.Error(), "GHOST") {
		t.Fatalf("bad upload: %v", err)
	}
}

// TestPrintJSONList: the list written batch by batch on every core reads
// byte for byte as the whole value printed at once, whatever the number
// of items against the batch size; an item that cannot be marshalled
// fails the printing.
func TestPrintJSONList(t *testing.T) {
	type item struct {
		ID    string
		Paths [][]string `json:"paths,omitempty"`
		Share float64    `json:"share"`
	}
	itemAt := func(i int) item {
		it := item{ID: fmt.Sprintf("P<%d>&", i), Share: float64(i) / 7}
		if i%3 == 0 {
			it.Paths = [][]string{{"a", "b"}, {"c"}}
		}
		return it
	}
	for _, n := range []int{0, 1, 2, 255, 256, 257, 1000} {
		fields := map[string]any{"date": "2026-11-29", "zeta": []int{1, 2}, "alpha": map[string]int{"x": 1}}
		var items []item
		for i := range n {
			items = append(items, itemAt(i))
		}
		whole, wholeOut, _ := newApp(nil, "")
		all := maps.Clone(fields)
		all["products"] = items
		if err := whole.printJSON(all); err != nil {
			t.Fatal(err)
		}
		list, listOut, _ := newApp(nil, "")
		if err := list.printJSONList(fields, "products", n, func(i int) any { return itemAt(i) }); err != nil {
			t.Fatal(err)
		}
		if wholeOut.String() != listOut.String() {
			t.Fatalf("%d items: printed whole\n%s\nin batches\n%s", n, wholeOut.String(), listOut.String())
		}
	}
	app, _, _ := newApp(nil, "")
	err := app.printJSONList(map[string]any{}, "products", 600, func(i int) any {
		if i == 300 {
			return math.NaN()
		}
		return i
	})
	if err == nil || !strings.Contains(err.Error(), "NaN") {
		t.Fatalf("an item that cannot be marshalled: %v", err)
	}
}
