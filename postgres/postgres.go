// Package postgres is rarex's production store on PostgreSQL (pgx v5 pool),
// migrated at open.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"rarex"
	"rarex/internal/sqldb"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is a rarex store on a PostgreSQL database.
type DB struct {
	*sqldb.Store
	Pool *pgxpool.Pool
}

var _ rarex.Store = (*DB)(nil)

// Open connects to the database at dsn (a postgres:// URL or key=value
// string; a search_path parameter selects the schema), checks it answers
// within the context's deadline (10 s when it has none) and applies any
// pending migrations.
func Open(ctx context.Context, dsn string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, rarex.Errorf(rarex.EINVALID, "postgres: bad DSN: %v", err)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, rarex.Errorf(rarex.EUNAVAILABLE, "postgres: %v", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, rarex.Errorf(rarex.EUNAVAILABLE, "postgres: cannot reach %s:%d database %q: %v", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database, err)
	}
	db := stdlib.OpenDBFromPool(pool)
	s := &DB{Store: &sqldb.Store{DB: db, Dialect: Dialect}, Pool: pool}
	if err := sqldb.Migrate(ctx, db, goose.DialectPostgres, migrations, "migrations"); err != nil {
		s.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return s, nil
}

// Close closes the database handle and the pool.
func (s *DB) Close() error {
	err := s.DB.Close()
	s.Pool.Close()
	return err
}

// Dialect describes PostgreSQL to the shared queries.
var Dialect = sqldb.Dialect{
	Name:      "PostgreSQL",
	Numbered:  true,
	TimeValue: func(t time.Time) any { return t },
	Classify: func(err error) string {
		var e *pgconn.PgError
		if !errors.As(err, &e) {
			return ""
		}
		switch e.Code {
		case "23505": // unique_violation
			return rarex.ECONFLICT
		case "23503", "23514", "23502": // foreign_key, check, not_null violations
			return rarex.EINVALID
		}
		return ""
	},
}
