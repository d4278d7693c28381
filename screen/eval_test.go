package screen

import (
	"encoding/csv"
	"os"
	"testing"
	"time"
)

// allLists reads every shared list.
func allLists(t testing.TB) []Entry {
	t.Helper()
	var es []Entry
	es = append(es, readChina(t)...)
	es = append(es, readOFAC(t, "ofac-sdn-2021-07", "sdn.csv")...)
	es = append(es, readOFAC(t, "ofac-nonsdn-2025-12", "cons_prim.csv")...)
	es = append(es, readShared(t, func(f *os.File) ([]Entry, error) { return ReadUN(f, "un.xml") }, "un", "UN_consolidated.xml")...)
	es = append(es, readShared(t, func(f *os.File) ([]Entry, error) { return ReadBIS(f, "dpl.txt") }, "bis-dpl.txt")...)
	es = append(es, readShared(t, func(f *os.File) ([]Entry, error) {
		es, _, err := ReadFtM(f, "e.json")
		return es, err
	}, "ftm-example", "entities.ftm.json")...)
	return es
}

func negatives(t testing.TB) []string {
	t.Helper()
	f, err := os.Open(sharedLists(t, "negatives", "negatives_global.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range recs[1:] {
		out = append(out, r[0])
	}
	return out
}

// TestEvaluation holds the matcher to the targets on a labelled
// set drawn from every shared list, and on the 50,000 negatives.
func TestEvaluation(t *testing.T) {
	es := allLists(t)
	start := time.Now()
	ix := NewIndex(es)
	t.Logf("index: %d entries, %d names, built in %v", len(es), ix.Names(), time.Since(start))
	cases := LabelledSet(es, 1, 1000)
	if len(cases) < 500 {
		t.Fatalf("only %d labelled cases", len(cases))
	}
	kinds := map[string]int{}
	for _, c := range cases {
		kinds[c.Kind]++
	}
	for _, v := range variations {
		if kinds[v.kind] < 20 {
			t.Errorf("only %d cases of %s", kinds[v.kind], v.kind)
		}
	}
	if kinds["non-match"] < 100 {
		t.Errorf("only %d hard non-matches", kinds["non-match"])
	}
	rep := ix.Evaluate(cases, DefaultThreshold)
	a := rep.All
	t.Logf("cases %d: TP %d FP %d FN %d TN %d; precision %.4f recall %.4f F1 %.4f", rep.Cases, a.TP, a.FP, a.FN, a.TN, a.Precision(), a.Recall(), a.F1())
	if a.Recall() < 0.98 || a.Precision() < 0.95 {
		for _, m := range rep.Misses {
			t.Logf("  miss %s %q want %s got %s %q %.3f", m.Case.Kind, m.Case.Query.Name, m.Case.Want, m.Got, m.Name, m.At)
		}
		t.Errorf("recall %.4f (want ≥ 0.98), precision %.4f (want ≥ 0.95)", a.Recall(), a.Precision())
	}
	// The index loses nothing against scoring every name (on a part of
	// the set: scoring every name is what takes long; rarex screen eval
	// --brute-force runs it on all).
	part := cases[:250]
	if b, ix := ix.EvaluateBruteForce(part, DefaultThreshold).All, ix.Evaluate(part, DefaultThreshold).All; b.Recall() > ix.Recall() {
		t.Errorf("brute force recall %.4f above the index's %.4f", b.Recall(), ix.Recall())
	}
	if testing.Short() {
		return
	}
	neg := negatives(t)
	start = time.Now()
	fps := ix.FalsePositives(neg, DefaultThreshold)
	rate := float64(len(fps)) / float64(len(neg))
	t.Logf("negatives: %d of %d hit (%.3f%%) in %v", len(fps), len(neg), 100*rate, time.Since(start))
	if rate > 0.005 {
		for _, m := range fps[:min(len(fps), 30)] {
			t.Logf("  fp %q → %s %q %.3f", m.Case.Query.Name, m.Got, m.Name, m.At)
		}
		t.Errorf("false positives on the negatives: %.3f%%, want ≤ 0.5%%", 100*rate)
	}
}
