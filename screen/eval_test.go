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

func TestEvaluation(t *testing.T) {
	es := allLists(t)
	start := time.Now()
	ix := NewIndex(es)
	t.Logf("index: %d entries, %d names, built in %v", len(es), ix.Names(), time.Since(start))
	cases := LabelledSet(es, 1, 1000)
	rep := ix.Evaluate(cases, DefaultThreshold)
	a := rep.All
	t.Logf("cases %d: TP %d FP %d FN %d TN %d; precision %.4f recall %.4f F1 %.4f", rep.Cases, a.TP, a.FP, a.FN, a.TN, a.Precision(), a.Recall(), a.F1())
	for k, s := range rep.ByKind {
		t.Logf("  kind %-16s P %.3f R %.3f (TP %d FP %d FN %d TN %d)", k, s.Precision(), s.Recall(), s.TP, s.FP, s.FN, s.TN)
	}
	for k, s := range rep.BySource {
		t.Logf("  source %-14s P %.3f R %.3f (TP %d FP %d FN %d TN %d)", k, s.Precision(), s.Recall(), s.TP, s.FP, s.FN, s.TN)
	}
	for k, s := range rep.ByScript {
		t.Logf("  script %-14s P %.3f R %.3f (TP %d FP %d FN %d TN %d)", k, s.Precision(), s.Recall(), s.TP, s.FP, s.FN, s.TN)
	}
	for i, m := range rep.Misses {
		if i < 40 {
			t.Logf("  miss %s %q want %s got %s %q %.3f", m.Case.Kind, m.Case.Query.Name, m.Case.Want, m.Got, m.Name, m.At)
		}
	}
	if testing.Short() {
		return
	}
	neg := negatives(t)
	start = time.Now()
	fps := ix.FalsePositives(neg, DefaultThreshold)
	t.Logf("negatives: %d of %d hit (%.3f%%) in %v", len(fps), len(neg), 100*float64(len(fps))/float64(len(neg)), time.Since(start))
	for i, m := range fps {
		if i < 20 {
			t.Logf("  fp %q → %s %q %.3f", m.Case.Query.Name, m.Got, m.Name, m.At)
		}
	}
}
