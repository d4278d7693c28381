package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestListsImportAndStatus(t *testing.T) {
	data := t.TempDir()
	run := func(args ...string) (string, error) {
		app, out, _ := newApp(nil, "")
		err := app.Run(context.Background(), append(args, "--data", data))
		return out.String(), err
	}
	out, err := run("lists", "status")
	if err != nil || !strings.Contains(out, "No list imported yet") {
		t.Fatalf("empty status: %v %q", err, out)
	}
	if out, err = run("lists", "import", "--id", "cn-sanctions", "--file", chinaList); err != nil || !strings.Contains(out, "version 1: 610 entries") {
		t.Fatalf("import: %v %q", err, out)
	}
	if out, err = run("lists", "import", "--id", "ofac-nonsdn", "--file", "../../../shared/data/lists/ofac-nonsdn-2025-12/cons_prim.csv"); err != nil || !strings.Contains(out, "version 1: 442 entries") {
		t.Fatalf("OFAC import: %v %q", err, out)
	}
	// A file with a tenth of the China lists would drop 90%: refused.
	lines := strings.SplitAfter(readFile(t, chinaList), "\n")
	small := filepath.Join(t.TempDir(), "sanctions.csv")
	os.WriteFile(small, []byte(strings.Join(lines[:62], "")), 0o600)
	if _, err = run("lists", "import", "--id", "cn-sanctions", "--file", small); err == nil || !strings.Contains(err.Error(), "would drop") {
		t.Fatalf("big drop: %v", err)
	}
	if out, err = run("lists", "import", "--id", "cn-sanctions", "--file", small, "--force"); err != nil || !strings.Contains(out, "version 2") || !strings.Contains(out, "(forced)") {
		t.Fatalf("forced: %v %q", err, out)
	}
	out, err = run("lists", "status")
	if err != nil || !strings.Contains(out, "cn-sanctions") || !strings.Contains(out, "ofac-nonsdn      ofac    1        442") {
		t.Fatalf("status: %v %q", err, out)
	}
	out, err = run("lists", "status", "--id", "cn-sanctions")
	if err != nil || !strings.Contains(out, "2 ") || !strings.Contains(out, "true") {
		t.Fatalf("versions: %v %q", err, out)
	}
	if _, err = run("lists", "import", "--id", "Bad Id", "--file", chinaList); err == nil || !strings.Contains(err.Error(), "list id") {
		t.Fatalf("bad id: %v", err)
	}
	if _, err = run("lists", "status", "--id", "nope"); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("unknown list: %v", err)
	}
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
