// Package pgtest gives each test its own PostgreSQL schema on the server
// named by RAREX_TEST_POSTGRES, and skips loudly when that is unset.
package pgtest

import (
	"context"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"rarex"
)

// DSN returns a DSN whose search_path is a new, empty schema that is
// dropped when the test ends.
func DSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("RAREX_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("RAREX_TEST_POSTGRES is unset: PostgreSQL tests SKIPPED (bash .ci/run sets it)")
	}
	ctx := context.Background()
	schema := "rarex_test_" + rarex.RandomIDs{}.NewID()[:12]
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect to RAREX_TEST_POSTGRES: %v", err)
	}
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close(ctx)
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		if _, err := admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
		}
		admin.Close(ctx)
	})
	return WithSearchPath(dsn, schema)
}

// WithSearchPath adds a search_path run-time parameter to a URL or key=value DSN.
func WithSearchPath(dsn, schema string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		if u, err := url.Parse(dsn); err == nil {
			q := u.Query()
			q.Set("search_path", schema)
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	return dsn + " search_path=" + schema
}
