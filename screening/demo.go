package screening

import (
	"context"
	"embed"

	"rarex"
)

// Demo is a small list of fictional parties, so a demo server screens
// something before an administrator imports the real lists.
//
//go:embed demo/demo-list.csv
var Demo embed.FS

// DemoListID is the demo list's id.
const DemoListID = "demo-list"

// SeedDemo imports the demo list unless a list by its id exists, and loads
// the index. It reports whether it imported.
func (s *Service) SeedDemo(ctx context.Context, actor *rarex.User) (bool, error) {
	lists, err := s.Store.Lists(ctx)
	if err != nil {
		return false, err
	}
	for _, l := range lists {
		if l.ID == DemoListID {
			return false, s.Load(ctx)
		}
	}
	f, err := Demo.Open("demo/demo-list.csv")
	if err != nil {
		return false, err
	}
	defer f.Close()
	_, err = s.Import(ctx, actor, ImportRequest{ListID: DemoListID, Title: "Demo lists (fictional parties)", Format: "generic", File: "demo-list.csv", Body: f})
	return err == nil, err
}
