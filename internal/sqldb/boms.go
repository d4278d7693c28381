package sqldb

import (
	"context"
	"database/sql"
	"strings"

	"rarex"
)

var _ rarex.BOMStore = (*Store)(nil)

// rowsPerInsert batches rows into multi-row INSERTs: 200 × 10 columns
// stays far below both dialects' limits on bound parameters.
const rowsPerInsert = 200

// batchInsert inserts rows into one table, up to rowsPerInsert in a
// statement. A full batch's statement is prepared once: SQLite parsed a
// 200-row INSERT afresh for each batch, a fifth of an upload's time.
type batchInsert struct {
	s     *Store
	ctx   context.Context
	tx    *sql.Tx
	table string
	cols  []string
	what  string // the rows, in errors: "BOM edges"
	full  *sql.Stmt
	args  []any // the pending rows' values, row after row
	rows  int   // how many rows args holds
}

// add queues one row's values (one per column), inserting a full batch.
func (b *batchInsert) add(values ...any) error {
	b.args = append(b.args, values...)
	if b.rows++; b.rows < rowsPerInsert {
		return nil
	}
	if b.full == nil {
		stmt, err := b.tx.PrepareContext(b.ctx, b.query(rowsPerInsert))
		if err != nil {
			return b.s.wrap(err, b.what)
		}
		b.full = stmt
	}
	_, err := b.full.ExecContext(b.ctx, b.args...)
	b.args, b.rows = b.args[:0], 0
	return b.s.wrap(err, b.what)
}

// flush inserts what is pending and closes the prepared statement.
func (b *batchInsert) flush() error {
	defer b.close()
	if b.rows == 0 {
		return nil
	}
	_, err := b.tx.ExecContext(b.ctx, b.query(b.rows), b.args...)
	b.args, b.rows = b.args[:0], 0
	return b.s.wrap(err, b.what)
}

// close drops what is pending and closes the prepared statement.
func (b *batchInsert) close() {
	if b.full != nil {
		b.full.Close()
		b.full = nil
	}
	b.args, b.rows = b.args[:0], 0
}

// query is the INSERT of n rows.
func (b *batchInsert) query(n int) string {
	var q strings.Builder
	q.WriteString("INSERT INTO " + b.table + " (" + strings.Join(b.cols, ", ") + ") VALUES ")
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(b.cols)), ", ") + ")"
	for i := range n {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(one)
	}
	return b.s.rebind(q.String())
}

// insertRows writes rows (each a slice of column values) in batches; what
// names them in errors.
func (s *Store) insertRows(ctx context.Context, tx *sql.Tx, table string, cols []string, what string, n int, row func(i int) []any) error {
	b := &batchInsert{s: s, ctx: ctx, tx: tx, table: table, cols: cols, what: what}
	for i := range n {
		if err := b.add(row(i)...); err != nil {
			b.close()
			return err
		}
	}
	return b.flush()
}

// CreateBOM stores a BOM and its rows in one transaction.
func (s *Store) CreateBOM(ctx context.Context, b *rarex.BOM, parts []rarex.BOMPart, edges []rarex.BOMEdge) error {
	return s.StreamBOM(ctx, b, func(w rarex.BOMWriter) error {
		for _, p := range parts {
			if err := w.Part(p); err != nil {
				return err
			}
		}
		for _, e := range edges {
			if err := w.Edge(e); err != nil {
				return err
			}
		}
		return nil
	})
}

// StreamBOM stores a BOM and the rows fill writes, batched into multi-row
// INSERTs, in one transaction.
func (s *Store) StreamBOM(ctx context.Context, b *rarex.BOM, fill func(rarex.BOMWriter) error) error {
	if err := b.Validate(); err != nil {
		return err
	}
	b.CreatedAt = Canonical(b.CreatedAt)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO boms (id, org_id, name, created_by, created_at, parts, edges) VALUES (?, ?, ?, ?, ?, 0, 0)`),
			b.ID, b.OrgID, b.Name, b.CreatedBy, s.t(b.CreatedAt))
		if err != nil {
			return s.wrap(err, "BOM "+quote(b.Name))
		}
		w := &bomWriter{id: b.ID,
			parts: batchInsert{s: s, ctx: ctx, tx: tx, table: "bom_parts", cols: partCols, what: "BOM parts"},
			edges: batchInsert{s: s, ctx: ctx, tx: tx, table: "bom_edges", cols: edgeCols, what: "BOM edges"}}
		if err := fill(w); err != nil {
			w.parts.close()
			w.edges.close()
			return err
		}
		if err := w.flush(); err != nil {
			return err
		}
		b.Parts, b.Edges = w.np, w.ne
		_, err = tx.ExecContext(ctx, s.rebind(`UPDATE boms SET parts = ?, edges = ? WHERE id = ?`), b.Parts, b.Edges, b.ID)
		return s.wrap(err, "BOM "+quote(b.Name))
	})
}

// bomWriter batches a BOM's rows of each kind.
type bomWriter struct {
	id           string
	parts, edges batchInsert
	np, ne       int
}

var (
	partCols = []string{"bom_id", "seq", "part_id", "description", "class", "elements", "hs_code", "origin", "unit_value", "cn_technology"}
	edgeCols = []string{"bom_id", "seq", "parent_id", "child_id", "quantity"}
)

func (w *bomWriter) Part(p rarex.BOMPart) error {
	w.np++
	return w.parts.add(w.id, w.np-1, p.PartID, p.Description, p.Class, p.Elements, p.HSCode, p.Origin, p.UnitValue, p.CNTechnology)
}

func (w *bomWriter) Edge(e rarex.BOMEdge) error {
	w.ne++
	return w.edges.add(w.id, w.ne-1, e.ParentID, e.ChildID, e.Quantity)
}

// flush inserts the pending rows of both kinds; the prepared statements
// are closed whatever happens.
func (w *bomWriter) flush() error {
	defer w.edges.close()
	if err := w.parts.flush(); err != nil {
		return err
	}
	return w.edges.flush()
}

const bomCols = `id, org_id, name, created_by, created_at, parts, edges`

func scanBOM(row interface{ Scan(...any) error }) (*rarex.BOM, error) {
	var b rarex.BOM
	err := row.Scan(&b.ID, &b.OrgID, &b.Name, &b.CreatedBy, timeCol{&b.CreatedAt}, &b.Parts, &b.Edges)
	return &b, err
}

// FindBOM returns a BOM's header, or ENOTFOUND.
func (s *Store) FindBOM(ctx context.Context, id string) (*rarex.BOM, error) {
	b, err := scanBOM(s.DB.QueryRowContext(ctx, s.rebind(`SELECT `+bomCols+` FROM boms WHERE id = ?`), id))
	if err != nil {
		return nil, s.wrap(err, "BOM "+quote(id))
	}
	return b, nil
}

// ListBOMs returns an organisation's BOMs, newest first.
func (s *Store) ListBOMs(ctx context.Context, orgID string) ([]*rarex.BOM, error) {
	rows, err := s.DB.QueryContext(ctx, s.rebind(`SELECT `+bomCols+` FROM boms WHERE org_id = ? ORDER BY created_at DESC, id`), orgID)
	if err != nil {
		return nil, s.wrap(err, "BOMs")
	}
	defer rows.Close()
	var out []*rarex.BOM
	for rows.Next() {
		b, err := scanBOM(rows)
		if err != nil {
			return nil, s.wrap(err, "BOMs")
		}
		out = append(out, b)
	}
	return out, s.wrap(rows.Err(), "BOMs")
}

// LoadBOM returns a BOM's rows in upload order.
func (s *Store) LoadBOM(ctx context.Context, id string) ([]rarex.BOMPart, []rarex.BOMEdge, error) {
	if _, err := s.FindBOM(ctx, id); err != nil {
		return nil, nil, err
	}
	rows, err := s.DB.QueryContext(ctx, s.rebind(`SELECT part_id, description, class, elements, hs_code, origin, unit_value, cn_technology FROM bom_parts WHERE bom_id = ? ORDER BY seq`), id)
	if err != nil {
		return nil, nil, s.wrap(err, "BOM parts")
	}
	var parts []rarex.BOMPart
	for rows.Next() {
		var p rarex.BOMPart
		if err := rows.Scan(&p.PartID, &p.Description, &p.Class, &p.Elements, &p.HSCode, &p.Origin, &p.UnitValue, &p.CNTechnology); err != nil {
			rows.Close()
			return nil, nil, s.wrap(err, "BOM parts")
		}
		parts = append(parts, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, s.wrap(err, "BOM parts")
	}
	rows, err = s.DB.QueryContext(ctx, s.rebind(`SELECT parent_id, child_id, quantity FROM bom_edges WHERE bom_id = ? ORDER BY seq`), id)
	if err != nil {
		return nil, nil, s.wrap(err, "BOM edges")
	}
	defer rows.Close()
	var edges []rarex.BOMEdge
	for rows.Next() {
		var e rarex.BOMEdge
		if err := rows.Scan(&e.ParentID, &e.ChildID, &e.Quantity); err != nil {
			return nil, nil, s.wrap(err, "BOM edges")
		}
		edges = append(edges, e)
	}
	return parts, edges, s.wrap(rows.Err(), "BOM edges")
}

// DeleteBOM removes a BOM and, by cascade, its rows.
func (s *Store) DeleteBOM(ctx context.Context, id string) error {
	res, err := s.DB.ExecContext(ctx, s.rebind(`DELETE FROM boms WHERE id = ?`), id)
	if err != nil {
		return s.wrap(err, "BOM "+quote(id))
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return rarex.Errorf(rarex.ENOTFOUND, "BOM %q not found.", id)
	}
	return nil
}
