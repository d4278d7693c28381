-- +goose Up
CREATE INDEX bom_edges_parent ON bom_edges (bom_id, parent_id);
CREATE INDEX bom_edges_child ON bom_edges (bom_id, child_id);

-- +goose Down
DROP INDEX bom_edges_child;
DROP INDEX bom_edges_parent;
