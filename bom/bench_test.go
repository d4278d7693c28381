package bom

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
)

// benchParts is the size of the generated benchmark BOM: 100,000 parts by
// default, RAREX_BENCH_PARTS to change it (the figure is 1,000,000).
func benchParts() int {
	if n, err := strconv.Atoi(os.Getenv("RAREX_BENCH_PARTS")); err == nil && n > 1 {
		return n
	}
	return 100_000
}

var benchData struct {
	once         sync.Once
	parts, edges []byte
}

// benchFiles makes the benchmark BOM once per process. When
// RAREX_BENCH_DIR names a directory, the files are read from there, and
// written there first when they are not yet: binaries compared side by
// side then read the same files instead of each generating them (about
// 7 s at 1M parts). Empty the directory when the generator changes.
func benchFiles(b *testing.B) ([]byte, []byte) {
	benchData.once.Do(func() {
		c := benchConfig()
		dir := os.Getenv("RAREX_BENCH_DIR")
		path := func(kind string) string { return benchPath(dir, kind) }
		if dir != "" {
			pb, err1 := os.ReadFile(path("parts"))
			eb, err2 := os.ReadFile(path("edges"))
			if err1 == nil && err2 == nil {
				benchData.parts, benchData.edges = pb, eb
				return
			}
		}
		ps, es, err := Generate(c)
		if err != nil {
			panic(err)
		}
		var pb, eb bytes.Buffer
		WriteParts(&pb, ps)
		WriteEdges(&eb, es)
		benchData.parts, benchData.edges = pb.Bytes(), eb.Bytes()
		if dir != "" {
			// Whole files or none: each is written aside, then renamed.
			for kind, data := range map[string][]byte{"parts": pb.Bytes(), "edges": eb.Bytes()} {
				tmp := path(kind) + ".tmp"
				if err := os.WriteFile(tmp, data, 0o644); err != nil {
					panic(err)
				}
				if err := os.Rename(tmp, path(kind)); err != nil {
					panic(err)
				}
			}
		}
	})
	return benchData.parts, benchData.edges
}

func benchConfig() GenConfig { return GenConfig{Parts: benchParts(), Depth: 6, Fanout: 8, Seed: 1} }

// benchPath is where the benchmark BOM's parts or edges file is kept in dir.
func benchPath(dir, kind string) string {
	c := benchConfig()
	return filepath.Join(dir, fmt.Sprintf("%s-%d-%d-%d-%d.csv", kind, c.Parts, c.Depth, c.Fanout, c.Seed))
}

// benchPaths gives the benchmark BOM as files: those in RAREX_BENCH_DIR
// when it is set, else copies written to a temporary directory.
func benchPaths(b *testing.B) (parts, edges string) {
	pb, eb := benchFiles(b)
	dir := os.Getenv("RAREX_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
		for kind, data := range map[string][]byte{"parts": pb, "edges": eb} {
			if err := os.WriteFile(benchPath(dir, kind), data, 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	return benchPath(dir, "parts"), benchPath(dir, "edges")
}

func load(b *testing.B) *Graph {
	pb, eb := benchFiles(b)
	ps, err := ReadParts(bytes.NewReader(pb), "parts.csv", vocab{})
	if err != nil {
		b.Fatal(err)
	}
	es, err := ReadEdges(bytes.NewReader(eb), "edges.csv")
	if err != nil {
		b.Fatal(err)
	}
	g, err := Build(ps, es)
	if err != nil {
		b.Fatal(err)
	}
	return g
}

// BenchmarkRollup: a full roll-up of every product after load.
func BenchmarkRollup(b *testing.B) {
	g := load(b)
	products := g.Products()
	b.ResetTimer()
	for b.Loop() {
		r := Roll(g, part1, official)
		for _, p := range products {
			r.verdict(p)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(g.Edges()), "ns/edge")
}

// BenchmarkProducts: finding the products (parts with no parent) of a
// loaded BOM, which every roll-up of every product begins with.
func BenchmarkProducts(b *testing.B) {
	g := load(b)
	b.ResetTimer()
	for b.Loop() {
		if len(g.Products()) == 0 {
			b.Fatal("no products")
		}
	}
}

// parseAndRollup reads a BOM and gives every product's verdict: what the
// ParseAndRollup benchmarks time.
func parseAndRollup(b *testing.B, parts, edges io.Reader) {
	g, err := ReadGraph(parts, "parts.csv", edges, "edges.csv", vocab{})
	if err != nil {
		b.Fatal(err)
	}
	r := Roll(g, part1, official)
	for _, p := range g.Products() {
		r.verdict(p)
	}
}

// scanLines splits r into lines through a bufio.Scanner, with a buffer of
// size bytes (0: the Scanner's own), and gives their total length: what
// the ReadLines baselines time.
func scanLines(b *testing.B, r io.Reader, size int) int {
	sc := bufio.NewScanner(r)
	if size > 0 {
		sc.Buffer(make([]byte, size), bufio.MaxScanTokenSize)
	}
	n := 0
	for sc.Scan() {
		n += len(sc.Bytes())
	}
	if n == 0 {
		b.Fatal("no lines")
	}
	return n
}

// BenchmarkParseAndRollup: from the CSV bytes to every product's verdict.
func BenchmarkParseAndRollup(b *testing.B) {
	pb, eb := benchFiles(b)
	b.SetBytes(int64(len(pb) + len(eb)))
	for b.Loop() {
		parseAndRollup(b, bytes.NewReader(pb), bytes.NewReader(eb))
	}
}

// BenchmarkReadLines is the baseline: read the same bytes and split them into lines.
func BenchmarkReadLines(b *testing.B) {
	pb, eb := benchFiles(b)
	b.SetBytes(int64(len(pb) + len(eb)))
	for b.Loop() {
		scanLines(b, bytes.NewReader(pb), 0)
		scanLines(b, bytes.NewReader(eb), 0)
	}
}

// BenchmarkParseAndRollupFiles is BenchmarkParseAndRollup from the files,
// as the CLI reads them (from the page cache once they have been read).
func BenchmarkParseAndRollupFiles(b *testing.B) {
	pp, ep := benchPaths(b)
	pb, eb := benchFiles(b)
	b.SetBytes(int64(len(pb) + len(eb)))
	for b.Loop() {
		pf, ef := open(b, pp), open(b, ep)
		parseAndRollup(b, pf, ef)
		pf.Close()
		ef.Close()
	}
}

// BenchmarkReadLinesFiles is BenchmarkReadLines from the files, through
// a 64 KiB buffer: with bufio.Scanner's first 4 KiB, a read call for every
// 4 KiB made it a quarter slower (63 against 49 ms at 1M parts), and the
// baseline is the fastest plain reading, not a handicapped one. (In
// memory the buffer's size makes no difference.)
func BenchmarkReadLinesFiles(b *testing.B) {
	pp, ep := benchPaths(b)
	pb, eb := benchFiles(b)
	b.SetBytes(int64(len(pb) + len(eb)))
	for b.Loop() {
		for _, path := range []string{pp, ep} {
			f := open(b, path)
			scanLines(b, f, 64<<10)
			f.Close()
		}
	}
}

func open(b *testing.B, path string) *os.File {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	return f
}

// BenchmarkPhases times the fast reader's phases one by one: the parts
// (parse and id table), the edges (parse and resolve), the layout
// (order, rows, renumbering) and the roll-up with verdicts.
func BenchmarkPhases(b *testing.B) {
	pb, eb := benchFiles(b)
	load := func(b *testing.B) *builder {
		bl, err := loadParts(pb, "parts.csv", vocab{})
		if err != nil {
			b.Fatal(err)
		}
		return bl
	}
	withEdges := func(b *testing.B) *builder {
		bl := load(b)
		if err := bl.loadEdges(bytes.NewReader(eb), "edges.csv", "parts.csv"); err != nil {
			b.Fatal(err)
		}
		return bl
	}
	b.Run("parts", func(b *testing.B) {
		for b.Loop() {
			load(b)
		}
	})
	b.Run("edges", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			bl := load(b)
			b.StartTimer()
			if err := bl.loadEdges(bytes.NewReader(eb), "edges.csv", "parts.csv"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("layout", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			bl := withEdges(b)
			b.StartTimer()
			if _, err := bl.finish(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("rollup", func(b *testing.B) {
		g, err := withEdges(b).finish()
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			r := Roll(g, part1, official)
			for _, p := range g.Products() {
				r.verdict(p)
			}
		}
	})
}

// BenchmarkEncodingCSV: for scale, the standard library's CSV reader
// reading the same bytes into records, with no checks and no graph.
func BenchmarkEncodingCSV(b *testing.B) {
	pb, eb := benchFiles(b)
	b.SetBytes(int64(len(pb) + len(eb)))
	for b.Loop() {
		n := 0
		for _, data := range [][]byte{pb, eb} {
			r := csv.NewReader(bytes.NewReader(data))
			r.ReuseRecord, r.FieldsPerRecord = true, -1
			for {
				rec, err := r.Read()
				if err != nil {
					break
				}
				n += len(rec)
			}
		}
		if n == 0 {
			b.Fatal("no records")
		}
	}
}
