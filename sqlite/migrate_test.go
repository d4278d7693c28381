package sqlite

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/pressly/goose/v3"
)

// TestBOMEdgeIndexesMigration: migration 7 drops the edges' parent and
// child indexes and keeps every stored row, up and down again.
func TestBOMEdgeIndexesMigration(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "m.db")+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, sub)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 6); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO organisations (id, name, name_key, kind, created_at, updated_at) VALUES ('o1', 'One', 'one', 'exporter', '2026-11-29T00:00:00.000000000Z', '2026-11-29T00:00:00.000000000Z')`,
		`INSERT INTO boms VALUES ('b1', 'o1', 'Motor', 'u1', '2026-11-29T00:00:00.000000000Z', 2, 1)`,
		`INSERT INTO bom_parts VALUES ('b1', 0, 'motor', 'hub motor', 'assembly', '', '', 'VN', '200', ''), ('b1', 1, 'dy', 'Dy metal', 'metal', 'Dy', '2805301200', 'CN', '1.10', '')`,
		`INSERT INTO bom_edges VALUES ('b1', 0, 'motor', 'dy', '2.5')`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	rows := func() string {
		var parts, edges string
		if err := db.QueryRowContext(ctx, `SELECT group_concat(bom_id || seq || part_id || description || class || elements || hs_code || origin || unit_value || cn_technology, '|') FROM (SELECT * FROM bom_parts ORDER BY seq)`).Scan(&parts); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRowContext(ctx, `SELECT group_concat(bom_id || seq || parent_id || child_id || quantity, '|') FROM bom_edges`).Scan(&edges); err != nil {
			t.Fatal(err)
		}
		return parts + "/" + edges
	}
	indexes := func() (n int) {
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE name IN ('bom_edges_parent', 'bom_edges_child')`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	want := rows()
	if want != "b10motorhub motorassemblyVN200|b11dyDy metalmetalDy2805301200CN1.10/b10motordy2.5" {
		t.Fatalf("rows before: %s", want)
	}
	for step, up := range []bool{true, false, true} {
		if up {
			_, err = p.UpTo(ctx, 7)
		} else {
			_, err = p.DownTo(ctx, 6)
		}
		if err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
		if got := rows(); got != want {
			t.Fatalf("step %d: rows %s, want %s", step, got, want)
		}
		if want := map[bool]int{true: 0, false: 2}[up]; indexes() != want {
			t.Fatalf("step %d (up %v): %d edge indexes, want %d", step, up, indexes(), want)
		}
	}
	// The cascade from boms still holds.
	if _, err := db.ExecContext(ctx, `DELETE FROM boms WHERE id = 'b1'`); err != nil {
		t.Fatal(err)
	}
	var left int
	db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM bom_parts) + (SELECT count(*) FROM bom_edges)`).Scan(&left)
	if left != 0 {
		t.Fatalf("%d rows left after the BOM was deleted", left)
	}
}
