package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

const chinaList = "../../../shared/data/lists/cn-sanctions/sanctions.csv"

func TestScreenCommand(t *testing.T) {
	app, out, _ := newApp(nil, "")
	if err := app.Run(context.Background(), []string{"screen", "--list", chinaList, "--explain", "Raytheon Missles and Defence", "Patricia Lucas Wheeler"}); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{"Raytheon Missiles & Defense", "control_list", "missles → missiles: fuzzy", "no hit at or above 0.85"} {
		if !strings.Contains(got, want) {
			t.Fatalf("output lacks %q:\n%s", want, got)
		}
	}
	app, out, _ = newApp(nil, "")
	if err := app.Run(context.Background(), []string{"screen", "--list", chinaList, "--json", "三菱造船株式会社"}); err != nil {
		t.Fatal(err)
	}
	var res []struct {
		Name string `json:"name"`
		Hits []struct {
			Score float64 `json:"score"`
			Entry struct {
				Meaning string `json:"meaning"`
			} `json:"entry"`
		} `json:"hits"`
	}
	if err := json.Unmarshal([]byte(out.String()), &res); err != nil || len(res) != 1 || len(res[0].Hits) == 0 || res[0].Hits[0].Entry.Meaning != "control_list" || res[0].Hits[0].Score != 1 {
		t.Fatalf("json: %v %s", err, out.String())
	}
}

func TestScreenCommandOFAC(t *testing.T) {
	app, out, _ := newApp(nil, "")
	err := app.Run(context.Background(), []string{"screen", "--format", "ofac", "--list", "../../../shared/data/lists/ofac-nonsdn-2025-12/cons_prim.csv", "Huawei Investment and Holding Co Ltd"})
	if err != nil {
		t.Fatal(err)
	}
	if got := out.String(); !strings.Contains(got, "HUAWEI INVESTMENT & HOLDING") || !strings.Contains(got, "military_end_user") {
		t.Fatalf("output:\n%s", got)
	}
}

func TestScreenCommandErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"screen", "Acme"}, "give --list"},
		{[]string{"screen", "--list", chinaList}, "give --list"},
		{[]string{"screen", "--list", chinaList, "--format", "xml", "Acme"}, `format "xml": not one of cn`},
		{[]string{"screen", "--list", chinaList, "--min-score", "2", "Acme"}, "--min-score"},
		{[]string{"screen", "--list", "/nonexistent.csv", "Acme"}, "no such file"},
		{[]string{"screen", "--list", chinaList, "..."}, "nothing to match"},
	} {
		app, _, _ := newApp(nil, "")
		err := app.Run(context.Background(), c.args)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err = %v; want %q", c.args, err, c.want)
		}
	}
}
