package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"rarex"
	"rarex/sqlite"
	"rarex/storetest"
)

func open(t *testing.T) rarex.Store {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "rarex.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestConformance(t *testing.T) { storetest.Run(t, open) }

func TestReopenKeepsDataAndSkipsAppliedMigrations(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rarex.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateOrg(ctx, &rarex.Organisation{ID: "o1", Name: "Kept", Kind: rarex.OrgExporter}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	if o, err := db.FindOrgByID(ctx, "o1"); err != nil || o.Name != "Kept" {
		t.Fatalf("after reopen: %v, %v", o, err)
	}
}

func TestOpenBadPaths(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for name, path := range map[string]string{
		"empty":         "",
		"missing dir":   filepath.Join(dir, "no", "such", "rarex.db"),
		"path is a dir": dir,
	} {
		t.Run(name, func(t *testing.T) {
			if db, err := sqlite.Open(ctx, path); err == nil {
				db.Close()
				t.Fatalf("Open(%q) succeeded", path)
			}
		})
	}
	t.Run("not a database", func(t *testing.T) {
		path := filepath.Join(dir, "junk.db")
		if err := os.WriteFile(path, []byte("this is not an SQLite file, just text that is long enough to matter"), 0o600); err != nil {
			t.Fatal(err)
		}
		if db, err := sqlite.Open(ctx, path); err == nil {
			db.Close()
			t.Fatal("Open on a junk file succeeded")
		}
	})
}
