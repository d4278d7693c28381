package sqldb

import (
	"context"
	"strings"
)

// PrepareCTE makes the indexes RollupCTE needs: the edges by parent and by
// child, as a user writing that query would have them. The product's own
// schema does not keep them, since nothing of it reads edges that way and
// they made an upload three times as slow.
func (s *Store) PrepareCTE(ctx context.Context) error {
	for _, q := range []string{
		`CREATE INDEX IF NOT EXISTS bom_edges_parent ON bom_edges (bom_id, parent_id)`,
		`CREATE INDEX IF NOT EXISTS bom_edges_child ON bom_edges (bom_id, child_id)`,
	} {
		if _, err := s.DB.ExecContext(ctx, q); err != nil {
			return s.wrap(err, "CTE indexes")
		}
	}
	return nil
}

// RollupCTE computes every product's China-origin controlled value with a
// recursive CTE that expands every path: the obvious way to do it in SQL,
// kept as the baseline the bom engine is measured against (docs/benchmarks.md)
// and to check that both give the same numbers. Products with no controlled
// content are absent from the result. It needs PrepareCTE's indexes.
func (s *Store) RollupCTE(ctx context.Context, bomID string, classes, elements []string) (map[string]float64, error) {
	real := "REAL"
	if s.Dialect.Numbered {
		real = "DOUBLE PRECISION"
	}
	var condArgs []any
	var likes []string
	cls := make([]string, len(classes))
	for i, c := range classes {
		cls[i] = "?"
		condArgs = append(condArgs, c)
	}
	for _, el := range elements {
		likes = append(likes, "(';' || p.elements || ';') LIKE ?")
		condArgs = append(condArgs, "%;"+el+";%")
	}
	controlled := "(p.origin = 'CN' AND p.class IN (" + strings.Join(cls, ", ") + ") AND (" + strings.Join(likes, " OR ") + "))"
	// The parts table is joined directly (indexed by bom_id, part_id), as a
	// user writing this query would. CROSS JOIN keeps SQLite's planner from
	// scanning all parts for each row of the recursion; PostgreSQL plans
	// it as an ordinary join.
	q := `WITH RECURSIVE walk (product, part_id, mult) AS (
    SELECT p.part_id, p.part_id, CAST(1 AS ` + real + `) FROM bom_parts p
     WHERE p.bom_id = ? AND NOT EXISTS (SELECT 1 FROM bom_edges e WHERE e.bom_id = ? AND e.child_id = p.part_id)
    UNION ALL
    SELECT w.product, e.child_id, w.mult * CAST(e.quantity AS ` + real + `)
      FROM walk w CROSS JOIN bom_parts p CROSS JOIN bom_edges e
     WHERE p.bom_id = ? AND p.part_id = w.part_id AND NOT ` + controlled + `
       AND e.bom_id = ? AND e.parent_id = w.part_id)
SELECT w.product, SUM(w.mult * CAST(p.unit_value AS ` + real + `))
  FROM walk w CROSS JOIN bom_parts p
 WHERE p.bom_id = ? AND p.part_id = w.part_id AND ` + controlled + `
 GROUP BY w.product`
	// Placeholders in text order.
	args := []any{bomID, bomID, bomID}
	args = append(args, condArgs...)
	args = append(args, bomID, bomID)
	args = append(args, condArgs...)
	rows, err := s.DB.QueryContext(ctx, s.rebind(q), args...)
	if err != nil {
		return nil, s.wrap(err, "CTE roll-up")
	}
	defer rows.Close()
	out := map[string]float64{}
	for rows.Next() {
		var id string
		var v float64
		if err := rows.Scan(&id, &v); err != nil {
			return nil, s.wrap(err, "CTE roll-up")
		}
		out[id] = v
	}
	return out, s.wrap(rows.Err(), "CTE roll-up")
}
