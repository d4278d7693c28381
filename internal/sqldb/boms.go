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

// insertRows writes rows (each a slice of column values) in batches.
func (s *Store) insertRows(ctx context.Context, tx *sql.Tx, table string, cols []string, n int, row func(i int) []any) error {
	for lo := 0; lo < n; lo += rowsPerInsert {
		hi := min(lo+rowsPerInsert, n)
		var b strings.Builder
		b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
		args := make([]any, 0, (hi-lo)*len(cols))
		one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
		for i := lo; i < hi; i++ {
			if i > lo {
				b.WriteString(", ")
			}
			b.WriteString(one)
			args = append(args, row(i)...)
		}
		if _, err := tx.ExecContext(ctx, s.rebind(b.String()), args...); err != nil {
			return s.wrap(err, "BOM rows")
		}
	}
	return nil
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
		w := &bomWriter{s: s, ctx: ctx, tx: tx, id: b.ID}
		if err := fill(w); err != nil {
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

// bomWriter buffers a batch of rows of each kind and inserts it when full.
type bomWriter struct {
	s            *Store
	ctx          context.Context
	tx           *sql.Tx
	id           string
	parts, edges [][]any
	np, ne       int
}

var (
	partCols = []string{"bom_id", "seq", "part_id", "description", "class", "elements", "hs_code", "origin", "unit_value", "cn_technology"}
	edgeCols = []string{"bom_id", "seq", "parent_id", "child_id", "quantity"}
)

func (w *bomWriter) Part(p rarex.BOMPart) error {
	w.parts = append(w.parts, []any{w.id, w.np, p.PartID, p.Description, p.Class, p.Elements, p.HSCode, p.Origin, p.UnitValue, p.CNTechnology})
	w.np++
	if len(w.parts) == rowsPerInsert {
		return w.flushParts()
	}
	return nil
}

func (w *bomWriter) Edge(e rarex.BOMEdge) error {
	w.edges = append(w.edges, []any{w.id, w.ne, e.ParentID, e.ChildID, e.Quantity})
	w.ne++
	if len(w.edges) == rowsPerInsert {
		return w.flushEdges()
	}
	return nil
}

func (w *bomWriter) flushParts() error {
	err := w.s.insertRows(w.ctx, w.tx, "bom_parts", partCols, len(w.parts), func(i int) []any { return w.parts[i] })
	w.parts = w.parts[:0]
	return err
}

func (w *bomWriter) flushEdges() error {
	err := w.s.insertRows(w.ctx, w.tx, "bom_edges", edgeCols, len(w.edges), func(i int) []any { return w.edges[i] })
	w.edges = w.edges[:0]
	return err
}

func (w *bomWriter) flush() error {
	if err := w.flushParts(); err != nil {
		return err
	}
	return w.flushEdges()
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
