package boms

import (
	"context"
	"embed"

	"rarex"
)

// Demo holds the demo BOM (Red River Motors' hub motors and controller) and
// the alternative suppliers its buyer listed: journey 1 of the design.
//
//go:embed demo/*.csv
var Demo embed.FS

// DemoName is the demo BOM's name.
const DemoName = "Hub motors and controller (demo)"

// SeedDemo stores the demo BOM for actor's organisation unless it has one
// by that name already. It reports whether it stored one.
func (s *Service) SeedDemo(ctx context.Context, actor *rarex.User) (bool, error) {
	list, err := s.List(ctx, actor)
	if err != nil {
		return false, err
	}
	for _, b := range list {
		if b.Name == DemoName {
			return false, nil
		}
	}
	parts, err := Demo.Open("demo/parts.csv")
	if err != nil {
		return false, err
	}
	defer parts.Close()
	edges, err := Demo.Open("demo/edges.csv")
	if err != nil {
		return false, err
	}
	defer edges.Close()
	_, err = s.Upload(ctx, actor, DemoName, parts, "parts.csv", edges, "edges.csv")
	return err == nil, err
}
