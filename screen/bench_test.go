package screen

import (
	"sort"
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
