// Package sqlite is rarex's embedded store: one SQLite file (pure Go driver,
// WAL journal, foreign keys on), migrated at open.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/pressly/goose/v3"
	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"rarex"
	"rarex/internal/sqldb"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is a rarex store on one SQLite file.
type DB struct {
	*sqldb.Store
	Path string
}

var _ rarex.Store = (*DB)(nil)

// Open opens (creating if needed) the database file at path and applies any
// pending migrations. The parent directory must exist and be writable.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, rarex.Errorf(rarex.EINVALID, "sqlite: database path is empty")
	}
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, rarex.Errorf(rarex.EINVALID, "sqlite: directory %s does not exist", dir)
	}
	q := url.Values{}
	for _, p := range []string{"foreign_keys(1)", "journal_mode(WAL)", "busy_timeout(10000)", "synchronous(NORMAL)"} {
		q.Add("_pragma", p)
	}
	// Writers take the lock when their transaction begins, so two writers
	// wait for each other instead of failing on a lock upgrade.
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	s := &DB{Store: &sqldb.Store{DB: db, Dialect: Dialect}, Path: path}
	if err := sqldb.Migrate(ctx, db, goose.DialectSQLite3, migrations, "migrations"); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	return s, nil
}

// Close closes the database.
func (s *DB) Close() error { return s.DB.Close() }

// Dialect describes SQLite to the shared queries: times are fixed-width
// UTC text, so they compare correctly as strings.
var Dialect = sqldb.Dialect{
	Name:      "SQLite",
	TimeValue: func(t time.Time) any { return t.Format(sqldb.TimeFormat) },
	Classify: func(err error) string {
		var e *sqlite.Error
		if !errors.As(err, &e) {
			return ""
		}
		switch e.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return rarex.ECONFLICT
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY, sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL:
			return rarex.EINVALID
		}
		return ""
	},
}
