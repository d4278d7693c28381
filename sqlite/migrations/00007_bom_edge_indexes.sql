-- +goose Up
-- Nothing of the product reads edges by parent or by child: a stored BOM
-- is read whole, in upload order. The two indexes made an upload three
-- times as slow; the recursive CTE baseline makes its own (PrepareCTE).
DROP INDEX bom_edges_child;
DROP INDEX bom_edges_parent;

-- +goose Down
CREATE INDEX bom_edges_parent ON bom_edges (bom_id, parent_id);
CREATE INDEX bom_edges_child ON bom_edges (bom_id, child_id);
