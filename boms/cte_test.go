package boms_test

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"rarex"
	"rarex/assess"
	"rarex/bom"
	"rarex/boms"
	"rarex/postgres"
	"rarex/postgres/pgtest"
	"rarex/rules"
	"rarex/sqlite"
)

// cteStore is a store that can run the recursive-CTE baseline.
type cteStore interface {
	rarex.Store
	PrepareCTE(ctx context.Context) error
	RollupCTE(ctx context.Context, bomID string, classes, elements []string) (map[string]float64, error)
}

func stores(t testing.TB) map[string]cteStore {
	t.Helper()
	ctx := context.Background()
	out := map[string]cteStore{}
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "cte.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	out["SQLite"] = db
	if os.Getenv("RAREX_TEST_POSTGRES") != "" {
		pg, err := postgres.Open(ctx, pgtest.DSN(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { pg.Close() })
		out["PostgreSQL"] = pg
	} else {
		t.Log("RAREX_TEST_POSTGRES is unset: the PostgreSQL half is left out")
	}
	return out
}

// uploadGenerated stores a generated BOM in s, with the indexes of the CTE
// baseline, and returns the service and BOM id.
func uploadGenerated(t testing.TB, s cteStore, c bom.GenConfig) (*boms.Service, string) {
	t.Helper()
	ctx := context.Background()
	regs, err := rules.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateOrg(ctx, &rarex.Organisation{ID: "o1", Name: "One", Kind: rarex.OrgExporter}); err != nil && rarex.ErrorCode(err) != rarex.ECONFLICT {
		t.Fatal(err)
	}
	parts, edges, err := bom.Generate(c)
	if err != nil {
		t.Fatal(err)
	}
	var pb, eb bytes.Buffer
	bom.WriteParts(&pb, parts)
	bom.WriteEdges(&eb, edges)
	svc := &boms.Service{Store: s, Regime: regs[0], Clock: &rarex.FixedClock{T: time.Now()}, IDs: rarex.RandomIDs{}}
	b, err := svc.Upload(ctx, &rarex.User{ID: "u", OrgID: "o1", Role: rarex.RoleExporter}, "gen", &pb, "parts.csv", &eb, "edges.csv")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PrepareCTE(ctx); err != nil {
		t.Fatal(err)
	}
	return svc, b.ID
}

var official = struct{ classes, elements []string }{
	[]string{"metal", "alloy", "oxide", "compound", "mixture", "target", "magnet_ndfeb", "magnet_smco", "magnet_other"},
	[]string{"Sm", "Gd", "Tb", "Dy", "Lu", "Sc", "Y"},
}

// TestCTEAgreesWithEngine: the SQL baseline and the engine give the same
// controlled value for every product, in both databases.
func TestCTEAgreesWithEngine(t *testing.T) {
	for name, s := range stores(t) {
		t.Run(name, func(t *testing.T) {
			for seed := uint64(1); seed <= 3; seed++ {
				svc, id := uploadGenerated(t, s, bom.GenConfig{Parts: 400, Depth: 4, Fanout: 3, Seed: seed})
				d, _ := rules.ParseDate("2026-11-20")
				rep, err := svc.Rollup(context.Background(), &rarex.User{ID: "u", OrgID: "o1", Role: rarex.RoleExporter}, id, d, "", "", 0, boms.Page{})
				if err != nil {
					t.Fatal(err)
				}
				cte, err := s.RollupCTE(context.Background(), id, official.classes, official.elements)
				if err != nil {
					t.Fatal(err)
				}
				over := 0
				for _, p := range rep.Products {
					if math.Abs(p.ControlledValue-cte[p.Product]) > 1e-6*math.Max(1, p.ControlledValue) {
						t.Fatalf("seed %d product %s: engine %v, CTE %v", seed, p.Product, p.ControlledValue, cte[p.Product])
					}
					if p.ControlledValue > 0 {
						over++
					}
				}
				if over == 0 || len(cte) != over {
					t.Fatalf("seed %d: %d products with controlled content, CTE reports %d", seed, over, len(cte))
				}
			}
		})
	}
}

// BenchmarkVersusCTE: one roll-up of every product of a 100,000-part BOM
// (RAREX_BENCH_PARTS to change), by the engine from the stored rows (load,
// build, roll) and by the recursive CTE, side by side in each database.
func BenchmarkVersusCTE(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("RAREX_BENCH_PARTS")); err == nil && v > 1 {
		n = v
	}
	actor := &rarex.User{ID: "u", OrgID: "o1", Role: rarex.RoleExporter}
	d, _ := rules.ParseDate("2026-11-20")
	for name, s := range stores(b) {
		svc, id := uploadGenerated(b, s, bom.GenConfig{Parts: n, Depth: 4, Fanout: 4, Seed: 1})
		// engine: the service as a server runs it, its compiled graph cached
		// after the first request; engine-uncached loads and compiles every time.
		b.Run(name+"/engine", func(b *testing.B) {
			for b.Loop() {
				if _, err := svc.Rollup(context.Background(), actor, id, d, "", "", 0, boms.Page{}); err != nil {
					b.Fatal(err)
				}
			}
		})
		uncached := &boms.Service{Store: svc.Store, Regime: svc.Regime, Clock: svc.Clock, IDs: svc.IDs, CacheEdges: -1}
		b.Run(name+"/engine-uncached", func(b *testing.B) {
			for b.Loop() {
				if _, err := uncached.Rollup(context.Background(), actor, id, d, "", "", 0, boms.Page{}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/engine-loaded", func(b *testing.B) {
			rows, edgeRows, err := s.LoadBOM(context.Background(), id)
			if err != nil {
				b.Fatal(err)
			}
			g, err := bom.Build(boms.FromRows(rows, edgeRows))
			if err != nil {
				b.Fatal(err)
			}
			test, _ := svc.Regime.ContentTest("")
			controlled, _ := assess.Classifier(test)
			b.ResetTimer()
			for b.Loop() {
				r := bom.Roll(g, controlled, bom.Threshold{Ratio: test.Ratio, Inclusive: test.Inclusive})
				for _, p := range g.Products() {
					r.ControlledValue(p)
				}
			}
		})
		b.Run(name+"/cte", func(b *testing.B) {
			for b.Loop() {
				if _, err := s.RollupCTE(context.Background(), id, official.classes, official.elements); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkUpload: storing a generated BOM of 100,000 parts
// (RAREX_BENCH_PARTS to change) through the service, as an upload does:
// read, checked and streamed into each database in one transaction.
func BenchmarkUpload(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("RAREX_BENCH_PARTS")); err == nil && v > 1 {
		n = v
	}
	parts, edges, err := bom.Generate(bom.GenConfig{Parts: n, Depth: 6, Fanout: 8, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	var pb, eb bytes.Buffer
	bom.WriteParts(&pb, parts)
	bom.WriteEdges(&eb, edges)
	regs, err := rules.Shipped()
	if err != nil {
		b.Fatal(err)
	}
	actor := &rarex.User{ID: "u", OrgID: "o1", Role: rarex.RoleExporter}
	for name, s := range stores(b) {
		if err := s.CreateOrg(context.Background(), &rarex.Organisation{ID: "o1", Name: "One", Kind: rarex.OrgExporter}); err != nil {
			b.Fatal(err)
		}
		svc := &boms.Service{Store: s, Regime: regs[0], Clock: &rarex.FixedClock{T: time.Now()}, IDs: rarex.RandomIDs{}, CacheEdges: -1}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := svc.Upload(context.Background(), actor, "gen", bytes.NewReader(pb.Bytes()), "parts.csv", bytes.NewReader(eb.Bytes()), "edges.csv"); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(parts)+len(edges))*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
