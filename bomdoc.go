package rarex

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// BOM is a bill of materials an exporter stored: its rows live in BOMPart
// and BOMEdge, exactly as uploaded.
type BOM struct {
	ID        string    `json:"id"`
	OrgID     string    `json:"org_id"`
	Name      string    `json:"name"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	Parts     int       `json:"parts"`
	Edges     int       `json:"edges"`
}

// Validate returns EINVALID naming the first bad field.
func (b *BOM) Validate() error {
	switch {
	case b.ID == "" || b.OrgID == "":
		return Errorf(EINVALID, "bom: id and org_id are required")
	case strings.TrimSpace(b.Name) == "":
		return Errorf(EINVALID, "name: required")
	case utf8.RuneCountInString(b.Name) > 200:
		return Errorf(EINVALID, "name: longer than 200 characters")
	}
	return nil
}

// BOMPart is one stored part row; list fields are ";"-joined as in the CSV.
type BOMPart struct {
	PartID, Description, Class, Elements, HSCode, Origin, UnitValue, CNTechnology string
}

// BOMWriter takes a BOM's rows as they are read.
type BOMWriter interface {
	Part(BOMPart) error
	Edge(BOMEdge) error
}

// BOMEdge is one stored edge row.
type BOMEdge struct {
	ParentID, ChildID, Quantity string
}

// BOMStore keeps exporters' BOMs. A BOM and all its rows are written in
// one transaction: a failed upload leaves nothing behind.
type BOMStore interface {
	// CreateBOM stores b with its rows (EINVALID for an unknown organisation or bad fields).
	CreateBOM(ctx context.Context, b *BOM, parts []BOMPart, edges []BOMEdge) error
	// StreamBOM stores b and the rows fill writes, in batches, in one
	// transaction: rows are not held in memory, and if fill (or a write)
	// fails, nothing is stored. b.Parts and b.Edges are set to the counts.
	StreamBOM(ctx context.Context, b *BOM, fill func(BOMWriter) error) error
	FindBOM(ctx context.Context, id string) (*BOM, error)
	// ListBOMs returns an organisation's BOMs, newest first.
	ListBOMs(ctx context.Context, orgID string) ([]*BOM, error)
	// LoadBOM returns a BOM's rows in upload order.
	LoadBOM(ctx context.Context, id string) ([]BOMPart, []BOMEdge, error)
	// DeleteBOM removes a BOM and its rows (ENOTFOUND if absent).
	DeleteBOM(ctx context.Context, id string) error
}
