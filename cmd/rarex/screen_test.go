package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
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
	err := app.Run(context.Background(), []string{"screen", "--list", "../../../shared/data/lists/ofac-nonsdn-2025-12/cons_prim.csv", "Huawei Investment and Holding Co Ltd"})
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
		{[]string{"screen", "Acme"}, "give one or more --list"},
		{[]string{"screen", "--list", chinaList}, "give names or --batch"},
		{[]string{"screen", "--list", chinaList, "--format", "xml", "Acme"}, `format "xml": not one of bis, cn, ftm, generic, un`},
		{[]string{"screen", "--list", "screen_test.go", "Acme"}, "cannot tell the list's format"},
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

func TestScreenBatchAndEval(t *testing.T) {
	dir := t.TempDir()
	batch := filepath.Join(dir, "parties.csv")
	os.WriteFile(batch, []byte("name,country\nSkydio Inc,US\nPatricia Lucas Wheeler,\n"), 0o600)
	app, out, _ := newApp(nil, "")
	if err := app.Run(context.Background(), []string{"screen", "--list", chinaList, "--batch", batch}); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(out.String())).ReadAll()
	if err != nil || rows[0][0] != "name" || len(rows) < 3 {
		t.Fatalf("batch CSV: %v %q", err, rows)
	}
	skydio, none := 0, 0
	for _, r := range rows[1:] {
		switch {
		case r[0] == "Skydio Inc" && r[5] != "":
			skydio++
		case r[0] == "Patricia Lucas Wheeler" && r[1] == "":
			none++
		}
	}
	if skydio < 2 || none != 1 {
		t.Fatalf("batch rows %q", rows)
	}
	os.WriteFile(batch, []byte("country\nUS\n"), 0o600)
	app, _, _ = newApp(nil, "")
	if err := app.Run(context.Background(), []string{"screen", "--list", chinaList, "--batch", batch}); err == nil || !strings.Contains(err.Error(), "missing column name") {
		t.Fatalf("batch without a name column: %v", err)
	}

	app, out, _ = newApp(nil, "")
	if err := app.Run(context.Background(), []string{"screen", "eval", "--list", chinaList, "--cases", "200", "--json"}); err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Index struct {
			Cases int `json:"cases"`
			All   struct{ TP, FP, FN, TN int }
		} `json:"index"`
	}
	if err := json.Unmarshal([]byte(out.String()), &rep); err != nil || rep.Index.Cases < 150 || rep.Index.All.TP < 100 {
		t.Fatalf("eval: %v %s", err, out.String()[:min(400, len(out.String()))])
	}
	app, out, _ = newApp(nil, "")
	if err := app.Run(context.Background(), []string{"screen", "eval", "--list", chinaList, "--cases", "100"}); err != nil || !strings.Contains(out.String(), "variation typo") {
		t.Fatalf("eval table: %v\n%s", err, out.String())
	}
}

func TestScreenOwnership(t *testing.T) {
	dir := t.TempDir()
	h := filepath.Join(dir, "holdings.csv")
	// Skydio (listed) holds 30% of A directly and, through B (60%), 0.6·0.5;
	// A is 60% owned by listed parties. C is 40% owned: not flagged.
	os.WriteFile(h, []byte("owner,owned,share\nSkydio Inc.,Alpha Drones GmbH,30%\nSkydio Inc.,Beta Holdings,0.6\nBeta Holdings,Alpha Drones GmbH,0.5\nSkydio Inc.,Gamma Parts,40%\n"), 0o600)
	app, out, _ := newApp(nil, "")
	if err := app.Run(context.Background(), []string{"screen", "ownership", "--list", chinaList, "--holdings", h}); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{"Alpha Drones GmbH: 0.6 owned", "0.3  Skydio Inc. → Beta Holdings → Alpha Drones GmbH", "Beta Holdings: 0.6 owned"} {
		if !strings.Contains(got, want) {
			t.Fatalf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Gamma") {
		t.Fatalf("Gamma flagged at 40%%:\n%s", got)
	}
	os.WriteFile(h, []byte("owner,owned,share\nA,B,150%\n"), 0o600)
	app, _, _ = newApp(nil, "")
	if err := app.Run(context.Background(), []string{"screen", "ownership", "--list", chinaList, "--holdings", h}); err == nil || !strings.Contains(err.Error(), "holdings.csv:2: share") {
		t.Fatalf("bad share: %v", err)
	}
}

func TestMonitorCommand(t *testing.T) {
	none := filepath.Join(t.TempDir(), "none", "rarex.db")
	app, out, _ := newApp(nil, "")
	if err := app.Run(context.Background(), []string{"monitor", "--date", "2026-11-28", "--db", "sqlite:" + none}); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if _, err := os.Stat(filepath.Dir(none)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("monitor created the data directory of a database that did not exist: %v", err)
	}
	for _, want := range []string{"refining       2023", "8490", "DOJ/FTC 2023 high", "mining 2023: no world total", "65% (over)", "MOFCOM Announcement No. 61 (2025)", "suspension of export licensing", "no licence office database at sqlite:" + none} {
		if !strings.Contains(got, want) {
			t.Fatalf("monitor output lacks %q:\n%s", want, got)
		}
	}
	app, out, _ = newApp(nil, "")
	if err := app.Run(context.Background(), []string{"monitor", "--json", "--date", "2026-11-28"}); err != nil || !strings.Contains(out.String(), `"hhi": 5024`) {
		t.Fatalf("json: %v", err)
	}
	app, _, _ = newApp(nil, "")
	if err := app.Run(context.Background(), []string{"monitor", "--date", "someday"}); err == nil {
		t.Fatal("a bad date was accepted")
	}
}

// With a licence office behind it, the command prints the published
// statistics: months of decisions, with cells under five withheld.
func TestMonitorCommandLicenceStatistics(t *testing.T) {
	dir := t.TempDir()
	startServe(t, "--data", dir, "--demo")
	app, out, _ := newApp(nil, "")
	if err := app.Run(context.Background(), []string{"monitor", "--data", dir}); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{"WITHDRAWN", "awaiting a decision", "fewer than 5 applications are withheld"} {
		if !strings.Contains(got, want) {
			t.Fatalf("monitor output lacks %q:\n%s", want, got)
		}
	}
	if !regexp.MustCompile(`(?m)^20\d\d-\d\d +\d+ +\d+ +[-\d]+ +[-\d]+ +\d+%`).MatchString(got) {
		t.Errorf("no month row with figures:\n%s", got)
	}
	app, out, _ = newApp(nil, "")
	if err := app.Run(context.Background(), []string{"monitor", "--json", "--data", dir}); err != nil || !strings.Contains(out.String(), `"k": 5`) {
		t.Fatalf("json: %v\n%s", err, out)
	}
}
