package postgres_test

import (
	"context"
	"strings"
	"testing"

	"rarex"
	"rarex/postgres"
	"rarex/postgres/pgtest"
	"rarex/storetest"
)

func open(t *testing.T) rarex.Store {
	t.Helper()
	db, err := postgres.Open(context.Background(), pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
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
