package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestRulesCommands(t *testing.T) {
	run := func(stdin string, args ...string) (string, error) {
		app, out, errOut := newApp(nil, stdin)
		err := app.Run(context.Background(), args)
		return out.String() + errOut.String(), err
	}
	out, err := run("", "rules", "status", "--date", "2026-11-20")
	if err != nil || !regexp.MustCompile(`MOFCOM Announcement No. 61 \(2025\)\s+uncertain`).MatchString(out) {
		t.Fatalf("rules status: %v\n%s", err, out)
	}
	out, err = run("", "rules", "list", "--date", "2025-12-15")
	if err != nil || !strings.Contains(out, "61-1-1") || !strings.Contains(out, "suspended") {
		t.Fatalf("rules list: %v\n%s", err, out)
	}
	out, err = run("", "rules", "show", "61-1-1", "--json", "--date", "2025-10-20")
	var shown struct{ Status string }
	if err != nil || json.Unmarshal([]byte(out), &shown) != nil || shown.Status != "not_yet_effective" {
		t.Fatalf("rules show 61-1-1 on 2025-10-20: %v\n%s", err, out)
	}
	if out, err = run("", "rules", "show", "ann70"); err != nil || !strings.Contains(out, "Sources:") {
		t.Fatalf("rules show ann70: %v\n%s", err, out)
	}
	if _, err = run("", "rules", "show", "nope"); err == nil {
		t.Fatal("rules show of an unknown id succeeded")
	}
	if _, err = run("", "rules", "status", "--date", "2026-02-30"); err == nil || !strings.Contains(err.Error(), "--date") {
		t.Fatalf("bad --date: %v", err)
	}

	req := `{"ship_from":"VN","destination":"DE","item":{"class":"magnet_ndfeb","elements":["Nd","Dy"],"origin":"VN","value":12000,"cn_controlled_content_value":30.5}}`
	out, err = run(req, "determine", "--date", "2026-11-20", "-")
	var d struct {
		Outcome             string `json:"outcome"`
		OutcomeIfNotInForce string `json:"outcome_if_not_in_force"`
	}
	if err != nil || json.Unmarshal([]byte(out), &d) != nil || d.Outcome != "license_required" || d.OutcomeIfNotInForce != "not_controlled" {
		t.Fatalf("determine: %v\n%s", err, out)
	}
	out, err = run(req, "determine", "--date", "2026-11-20", "--interpretation", "as-reported", "-")
	if err != nil || json.Unmarshal([]byte(out), &d) != nil || d.Outcome != "not_controlled" {
		t.Fatalf("determine as-reported: %v\n%s", err, out)
	}
	file := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(file, []byte(`{"ship_from":"VN","destination":"DE","item":{"class":"magnetx","origin":"VN"}}`), 0o600)
	if _, err = run("", "determine", "--date", "2026-11-20", file); err == nil || !strings.Contains(err.Error(), file+": item.class") {
		t.Fatalf("bad request file: %v", err)
	}
	if _, err = run("", "determine", "/no/such/file.json"); err == nil {
		t.Fatal("a missing request file was accepted")
	}
}

func TestCustomRulesDirectory(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile("../../rules/data/cn-2025.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// A user's edit: a renewal of the suspension recorded as data.
	edited := strings.Replace(string(data), `      - {from: 2026-11-10, status: uncertain, missing: "no renewal of the Ann. 70 suspension and no notice of resumption is recorded after 2026-11-10"}
    sources: [http://www.weishitang.cn`, `      - {from: 2026-11-10, status: suspended, note: "renewal recorded by the user"}
    sources: [http://www.weishitang.cn`, 1)
	if edited == string(data) {
		t.Fatal("the edit did not apply")
	}
	os.WriteFile(filepath.Join(dir, "cn.yaml"), []byte(edited), 0o600)
	app, out, _ := newApp(nil, "")
	if err := app.Run(context.Background(), []string{"rules", "status", "--rules", dir, "--date", "2026-11-20"}); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`MOFCOM Announcement No. 61 \(2025\)\s+suspended`).MatchString(out.String()) {
		t.Fatalf("the user's rules were not used:\n%s", out.String())
	}
	os.WriteFile(filepath.Join(dir, "cn.yaml"), []byte(strings.Replace(edited, "status: suspended, note", "status: paused, note", 1)), 0o600)
	app, _, _ = newApp(nil, "")
	err = app.Run(context.Background(), []string{"rules", "list", "--rules", dir})
	if err == nil || !strings.Contains(err.Error(), "cn.yaml:") || !strings.Contains(err.Error(), "windows.status") {
		t.Fatalf("a broken rules file: %v", err)
	}
}
