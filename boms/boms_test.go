package boms_test

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"rarex"
	"rarex/bom"
	"rarex/boms"
	"rarex/rules"
	"rarex/sqlite"
)

const parts = `part_id,description,class,elements,hs_code,origin,unit_value,cn_technology
motor,e-bike hub motor,assembly,,,VN,200,
rotor,rotor,assembly,,,VN,60,
magnet,NdFeB magnet,magnet_ndfeb,Nd;Dy,8505111000,VN,10,magnet_manufacturing
dy,Dy metal,metal,Dy,2805301200,CN,1.10,
screw,screw,other,,,CN,0.05,
`

const edges = `parent_id,child_id,quantity
motor,rotor,1
motor,screw,8
rotor,magnet,4
magnet,dy,0.5
`

func setup(t *testing.T) (*boms.Service, *rarex.User, *rarex.User, *rarex.User) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "b.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	regs, err := rules.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []*rarex.Organisation{{ID: "o1", Name: "One", Kind: rarex.OrgExporter}, {ID: "o2", Name: "Two", Kind: rarex.OrgExporter}, {ID: "a", Name: "Authority", Kind: rarex.OrgAuthority}} {
		if err := db.CreateOrg(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	svc := &boms.Service{Store: db, Regime: regs[0], Clock: &rarex.FixedClock{T: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)}, IDs: &rarex.SequenceIDs{Prefix: "bom"}}
	return svc, &rarex.User{ID: "u1", OrgID: "o1", Role: rarex.RoleExporter}, &rarex.User{ID: "u2", OrgID: "o2", Role: rarex.RoleExporter}, &rarex.User{ID: "r", OrgID: "a", Role: rarex.RoleReviewer}
}

func date(s string) rules.Date { d, _ := rules.ParseDate(s); return d }

// TestUploadDocument: a BOM sent as JSON is stored as the same BOM sent as
// CSV files is, rows and report; a bad one is refused by the path of its
// bad value, and stores nothing.
func TestUploadDocument(t *testing.T) {
	svc, linh, _, reviewer := setup(t)
	ctx := context.Background()
	ps, err := bom.ReadParts(strings.NewReader(parts), "parts.csv", svc.Regime)
	if err != nil {
		t.Fatal(err)
	}
	es, err := bom.ReadEdges(strings.NewReader(edges), "edges.csv")
	if err != nil {
		t.Fatal(err)
	}
	fromJSON, err := svc.UploadDocument(ctx, linh, " Hub motor ", &bom.Document{Parts: ps, Edges: es}, "body")
	if err != nil || fromJSON.Parts != 5 || fromJSON.Edges != 4 || fromJSON.Name != "Hub motor" {
		t.Fatalf("upload = %+v, %v", fromJSON, err)
	}
	fromCSV, err := svc.Upload(ctx, linh, "Hub motor", strings.NewReader(parts), "parts.csv", strings.NewReader(edges), "edges.csv")
	if err != nil {
		t.Fatal(err)
	}
	pj, ej, _ := svc.Store.LoadBOM(ctx, fromJSON.ID)
	pc, ec, _ := svc.Store.LoadBOM(ctx, fromCSV.ID)
	if !reflect.DeepEqual(pj, pc) || !reflect.DeepEqual(ej, ec) {
		t.Fatalf("rows from JSON %v %v, from CSV %v %v", pj, ej, pc, ec)
	}
	rj, err := svc.Rollup(ctx, linh, fromJSON.ID, date("2026-11-20"), "", "", 3, boms.Page{})
	if err != nil {
		t.Fatal(err)
	}
	rc, _ := svc.Rollup(ctx, linh, fromCSV.ID, date("2026-11-20"), "", "", 3, boms.Page{})
	if !reflect.DeepEqual(rj.Products, rc.Products) || rj.Products[0].ControlledValue != 2.2 {
		t.Fatalf("report from JSON %+v, from CSV %+v", rj.Products, rc.Products)
	}
	with := func(f func(p []bom.Part, e []bom.Edge) ([]bom.Part, []bom.Edge)) *bom.Document {
		p, e := f(append([]bom.Part(nil), ps...), append([]bom.Edge(nil), es...))
		return &bom.Document{Parts: p, Edges: e}
	}
	for _, c := range []struct {
		name string
		doc  *bom.Document
		want string
	}{
		{"bad origin", with(func(p []bom.Part, e []bom.Edge) ([]bom.Part, []bom.Edge) { p[3].Origin = "Mars"; return p, e }), `body.parts[3].origin`},
		{"unknown child", with(func(p []bom.Part, e []bom.Edge) ([]bom.Part, []bom.Edge) { e[1].Child = "ghost"; return p, e }), `body.edges[1].child_id: "ghost" is not a part`},
		{"quantity 0", with(func(p []bom.Part, e []bom.Edge) ([]bom.Part, []bom.Edge) { e[0].Quantity = "0"; return p, e }), `body.edges[0].quantity`},
		{"duplicate", with(func(p []bom.Part, e []bom.Edge) ([]bom.Part, []bom.Edge) { return append(p, p[1]), e }), `body.parts[5].part_id: "rotor" is listed twice`},
		{"cycle", with(func(p []bom.Part, e []bom.Edge) ([]bom.Part, []bom.Edge) {
			return p, append(e, bom.Edge{Parent: "dy", Child: "motor", Quantity: "1"})
		}), `body.edges: cycle in the BOM`},
		{"no parts", &bom.Document{}, `body.parts: at least one part is required`},
	} {
		if _, err := svc.UploadDocument(ctx, linh, "Broken", c.doc, "body"); rarex.ErrorCode(err) != rarex.EINVALID || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := svc.UploadDocument(ctx, linh, " ", &bom.Document{Parts: ps, Edges: es}, "body"); rarex.ErrorCode(err) != rarex.EINVALID || !strings.Contains(err.Error(), "name") {
		t.Errorf("no name: %v", err)
	}
	if _, err := svc.UploadDocument(ctx, reviewer, "x", &bom.Document{Parts: ps, Edges: es}, "body"); rarex.ErrorCode(err) != rarex.EFORBIDDEN {
		t.Errorf("a reviewer uploads: %v", err)
	}
	if list, _ := svc.List(ctx, linh); len(list) != 2 {
		t.Fatalf("%d BOMs stored, want the two good ones", len(list))
	}
}

// TestRollupPages: a page of the products, in their order, with the
// BOM's counts whatever the page.
func TestRollupPages(t *testing.T) {
	svc, linh, _, _ := setup(t)
	ctx := context.Background()
	parts := "part_id,class,origin,unit_value,elements\nC,metal,CN,1,Dy\n"
	edges := "parent_id,child_id,quantity\n"
	for i, q := range []string{"1", "0.01", "1", "0.01", "1"} { // 1% or 0.01% of 100
		id := fmt.Sprintf("P%d", i+1)
		parts += id + ",assembly,VN,100,\n"
		edges += id + ",C," + q + "\n"
	}
	b, err := svc.Upload(ctx, linh, "five", strings.NewReader(parts), "parts.csv", strings.NewReader(edges), "edges.csv")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		page   boms.Page
		want   string
		offset int
	}{
		{boms.Page{}, "P1 P2 P3 P4 P5", 0},
		{boms.Page{Offset: 1, Limit: 2}, "P2 P3", 1},
		{boms.Page{Offset: 4, Limit: 10}, "P5", 4},
		{boms.Page{Offset: 9, Limit: 10}, "", 5},
		{boms.Page{Limit: 1}, "P1", 0},
	} {
		rep, err := svc.Rollup(ctx, linh, b.ID, date("2026-11-20"), "", "", 0, c.page)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range rep.Products {
			got = append(got, p.Product)
		}
		if strings.Join(got, " ") != c.want || rep.Total != 5 || rep.Over != 3 || rep.Offset != c.offset || rep.Products == nil {
			t.Fatalf("%+v: products %v, total %d, over %d, offset %d", c.page, got, rep.Total, rep.Over, rep.Offset)
		}
	}
	// One product: the BOM's counts still.
	rep, err := svc.Rollup(ctx, linh, b.ID, date("2026-11-20"), "", "P2", 0, boms.Page{Offset: 3})
	if err != nil || len(rep.Products) != 1 || rep.Products[0].Over || rep.Total != 5 || rep.Over != 3 {
		t.Fatalf("one product: %+v, %v", rep, err)
	}
}

func TestUploadAndRollup(t *testing.T) {
	svc, linh, other, reviewer := setup(t)
	ctx := context.Background()
	b, err := svc.Upload(ctx, linh, " Hub motor ", strings.NewReader(parts), "parts.csv", strings.NewReader(edges), "edges.csv")
	if err != nil || b.Parts != 5 || b.Edges != 4 || b.Name != "Hub motor" {
		t.Fatalf("upload = %+v, %v", b, err)
	}
	rep, err := svc.Rollup(ctx, linh, b.ID, date("2026-11-20"), "", "", 3, boms.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.RuleStatus != rules.Uncertain || len(rep.Products) != 1 || !rep.Products[0].Over || rep.Products[0].ControlledValue != 2.2 || len(rep.Products[0].Paths) != 1 {
		t.Fatalf("report = %+v", rep)
	}
	if rep, _ := svc.Rollup(ctx, linh, b.ID, date("2025-12-15"), "as-reported", "rotor", 0, boms.Page{}); rep.RuleStatus != rules.Suspended || rep.Products[0].Product != "rotor" || rep.Products[0].Over {
		t.Fatalf("as-reported rotor report = %+v", rep)
	}
	// Tenants never see each other's BOMs; the authority has no BOM pages.
	if _, err := svc.Get(ctx, other, b.ID); rarex.ErrorCode(err) != rarex.ENOTFOUND {
		t.Fatalf("other tenant: %v", err)
	}
	if list, _ := svc.List(ctx, other); len(list) != 0 {
		t.Fatal("other tenant lists the BOM")
	}
	if _, err := svc.List(ctx, reviewer); rarex.ErrorCode(err) != rarex.EFORBIDDEN {
		t.Fatalf("reviewer: %v", err)
	}
	if err := svc.Delete(ctx, other, b.ID); rarex.ErrorCode(err) != rarex.ENOTFOUND {
		t.Fatalf("other tenant deletes: %v", err)
	}
	if err := svc.Delete(ctx, linh, b.ID); err != nil {
		t.Fatal(err)
	}
	if list, _ := svc.List(ctx, linh); len(list) != 0 {
		t.Fatal("deleted BOM still listed")
	}
}

func TestBadUploadsStoreNothing(t *testing.T) {
	svc, linh, _, _ := setup(t)
	ctx := context.Background()
	for name, c := range map[string]struct{ parts, edges, mention string }{
		"bad origin":   {strings.Replace(parts, "dy,Dy metal,metal,Dy,2805301200,CN", "dy,Dy metal,metal,Dy,2805301200,Mars", 1), edges, "parts.csv:5:"},
		"unknown part": {parts, edges + "motor,ghost,1\n", `edges.csv:6:7: child_id: "ghost" is not a part in parts.csv`},
		"cycle":        {parts, edges + "dy,motor,1\n", "cycle in the BOM"},
		"zero qty":     {parts, strings.Replace(edges, "magnet,dy,0.5", "magnet,dy,0", 1), "edges.csv:5:"},
		"empty parts":  {"", edges, "parts.csv:1: header"},
		"no name":      {parts, edges, "name"},
	} {
		t.Run(name, func(t *testing.T) {
			n := "BOM"
			if name == "no name" {
				n = " "
			}
			_, err := svc.Upload(ctx, linh, n, strings.NewReader(c.parts), "parts.csv", strings.NewReader(c.edges), "edges.csv")
			if rarex.ErrorCode(err) != rarex.EINVALID || !strings.Contains(rarex.ErrorMessage(err), c.mention) {
				t.Fatalf("err = %v; want EINVALID mentioning %q", err, c.mention)
			}
		})
	}
	if list, _ := svc.List(ctx, linh); len(list) != 0 {
		t.Fatalf("%d BOMs stored after failed uploads", len(list))
	}
}

// TestCachedGraphsAreShared: roll-ups of one BOM share its cached graph
// from many goroutines (run with -race), give the same answers, and a
// deleted BOM leaves the cache.
// TestUploadKeepsItsGraph: the graph checked at upload serves the first
// view, and it rolls up as the graph built again from the stored rows.
func TestUploadKeepsItsGraph(t *testing.T) {
	svc, linh, _, _ := setup(t)
	ctx := context.Background()
	loads := &countLoads{Store: svc.Store}
	svc.Store = loads
	b, err := svc.Upload(ctx, linh, "motor", strings.NewReader(parts), "parts.csv", strings.NewReader(edges), "edges.csv")
	if err != nil {
		t.Fatal(err)
	}
	fromUpload, err := svc.Rollup(ctx, linh, b.ID, date("2026-11-20"), "", "", 3, boms.Page{})
	if err != nil || loads.n != 0 {
		t.Fatalf("first view: %v, %d loads of the stored rows", err, loads.n)
	}
	// Another server (no cache) builds it from the rows.
	again := &boms.Service{Store: loads, Regime: svc.Regime, Clock: svc.Clock, IDs: svc.IDs}
	fromRows, err := again.Rollup(ctx, linh, b.ID, date("2026-11-20"), "", "", 3, boms.Page{})
	if err != nil || loads.n != 1 {
		t.Fatalf("from the rows: %v, %d loads", err, loads.n)
	}
	if !reflect.DeepEqual(fromUpload, fromRows) {
		t.Fatalf("the upload's graph and the stored rows' disagree:\n%+v\n%+v", fromUpload, fromRows)
	}
}

func TestCachedGraphsAreShared(t *testing.T) {
	svc, linh, _, _ := setup(t)
	ctx := context.Background()
	b, err := svc.Upload(ctx, linh, "motor", strings.NewReader(parts), "parts.csv", strings.NewReader(edges), "edges.csv")
	if err != nil {
		t.Fatal(err)
	}
	first, err := svc.Rollup(ctx, linh, b.ID, date("2026-11-20"), "", "", 3, boms.Page{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rep, err := svc.Rollup(ctx, linh, b.ID, date("2026-11-20"), "", "", 3, boms.Page{})
			if err == nil && (len(rep.Products) != len(first.Products) || rep.Products[0].Over != first.Products[0].Over || rep.Products[0].ControlledValue != first.Products[0].ControlledValue) {
				err = fmt.Errorf("cached roll-up differs: %+v", rep.Products[0])
			}
			if err == nil {
				_, err = svc.Product(ctx, linh, b.ID, "motor", "")
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := svc.Delete(ctx, linh, b.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Rollup(ctx, linh, b.ID, date("2026-11-20"), "", "", 3, boms.Page{}); rarex.ErrorCode(err) != rarex.ENOTFOUND {
		t.Fatalf("a deleted BOM still rolls up: %v", err)
	}
}

// countLoads counts the loads of stored BOM rows.
type countLoads struct {
	rarex.Store
	n int
}

func (c *countLoads) LoadBOM(ctx context.Context, id string) ([]rarex.BOMPart, []rarex.BOMEdge, error) {
	c.n++
	return c.Store.LoadBOM(ctx, id)
}
