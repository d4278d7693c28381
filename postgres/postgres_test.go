package postgres_test

import (
	"context"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"rarex"
	"rarex/postgres"
	"rarex/storetest"
)

// testDSN returns the server's DSN or skips, loudly, when it is unset.
func testDSN(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("RAREX_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("RAREX_TEST_POSTGRES is unset: PostgreSQL tests SKIPPED (bash .ci/run sets it)")
	}
	return dsn
}

// open gives each test its own schema, dropped afterwards.
func open(t *testing.T) rarex.Store {
	t.Helper()
	dsn := testDSN(t)
	ctx := context.Background()
	schema := "rarex_test_" + rarex.RandomIDs{}.NewID()[:12]
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect %s: %v", dsn, err)
	}
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close(context.Background())
	})
	db, err := postgres.Open(ctx, WithSearchPath(dsn, schema))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// WithSearchPath adds a search_path run-time parameter to a URL or key=value DSN.
func WithSearchPath(dsn, schema string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err == nil {
			q := u.Query()
			q.Set("search_path", schema)
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	return dsn + " search_path=" + schema
}

func TestConformance(t *testing.T) { storetest.Run(t, open) }

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	t.Run("bad DSN", func(t *testing.T) {
		_, err := postgres.Open(ctx, "postgres://%zz")
		if rarex.ErrorCode(err) != rarex.EINVALID {
			t.Fatalf("err = %v, want EINVALID", err)
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		// Port 1 on loopback: nothing listens there.
		_, err := postgres.Open(ctx, "postgres://nobody@127.0.0.1:1/none?connect_timeout=2")
		if rarex.ErrorCode(err) != rarex.EUNAVAILABLE || !strings.Contains(rarex.ErrorMessage(err), "127.0.0.1:1") {
			t.Fatalf("err = %v, want EUNAVAILABLE naming the address", err)
		}
	})
}
