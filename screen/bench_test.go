package screen

import (
	"math/rand/v2"
	"os"
	"runtime"
	"sort"
	"strconv"
	"testing"
	"time"
)

var benchIndex struct {
	ix  *Index
	neg []string
}

func benchSetup(b *testing.B) (*Index, []string) {
	if benchIndex.ix == nil {
		benchIndex.ix = NewIndex(allLists(b))
		benchIndex.neg = negatives(b)
	}
	return benchIndex.ix, benchIndex.neg
}

// BenchmarkSearch: one query at a time, every shared list loaded, the
// negatives as queries (the common case: a party on no list).
func BenchmarkSearch(b *testing.B) {
	ix, neg := benchSetup(b)
	lat := make([]time.Duration, 0, b.N)
	i := 0
	for b.Loop() {
		t := time.Now()
		ix.Search(Query{Name: neg[i%len(neg)]}, Options{})
		lat = append(lat, time.Since(t))
		i++
	}
	sort.Slice(lat, func(a, c int) bool { return lat[a] < lat[c] })
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkScanAll: the brute-force baseline, every name scored.
func BenchmarkScanAll(b *testing.B) {
	ix, neg := benchSetup(b)
	i := 0
	for b.Loop() {
		ix.ScanAll(Query{Name: neg[i%len(neg)]}, Options{})
		i++
	}
}

// BenchmarkBatch: the negatives screened as one batch on every core.
func BenchmarkBatch(b *testing.B) {
	ix, neg := benchSetup(b)
	qs := make([]Query, 5000)
	for i := range qs {
		qs[i] = Query{Name: neg[i]}
	}
	for b.Loop() {
		ix.SearchBatch(qs, Options{})
	}
	b.ReportMetric(float64(len(qs))*float64(b.N)/b.Elapsed().Seconds(), "names/s")
}

// BenchmarkSearchSynthetic: one query at a time against a synthetic list
// of RAREX_BENCH_NAMES names (default 100,000; the figure is
// 1,000,000), queries drawn from the list with a typo and from the
// negatives. It reports the index build time and heap bytes per name.
func BenchmarkSearchSynthetic(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("RAREX_BENCH_NAMES")); err == nil && v > 0 {
		n = v
	}
	es := Synthetic(n, 1)
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	ix := NewIndex(es)
	build := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	_, neg := benchSetup(b)
	rng := rand.New(rand.NewPCG(3, 4))
	lat := make([]time.Duration, 0, b.N)
	i := 0
	b.ResetTimer()
	for b.Loop() {
		q := neg[i%len(neg)]
		if i%2 == 0 {
			q, _ = typo(rng, es[rng.IntN(len(es))].Names[0])
			if q == "" {
				q = es[i%len(es)].Names[0]
			}
		}
		t := time.Now()
		ix.Search(Query{Name: q}, Options{})
		lat = append(lat, time.Since(t))
		i++
	}
	sort.Slice(lat, func(a, c int) bool { return lat[a] < lat[c] })
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	b.ReportMetric(build.Seconds(), "build-s")
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(n), "heap-B/name")
	runtime.KeepAlive(ix)
}
