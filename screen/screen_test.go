package screen

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// sharedLists is where the shared list data lives, beside the checkout.
func sharedLists(t testing.TB, parts ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{"..", "..", "shared", "data", "lists"}, parts...)...)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("shared list data missing: %v", err)
	}
	return p
}

func readChina(t testing.TB) []Entry {
	t.Helper()
	f, err := os.Open(sharedLists(t, "cn-sanctions", "sanctions.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	es, err := ReadChina(f, "sanctions.csv")
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func TestNormalize(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Huawei Technologies Co., Ltd.", "huawei technologies"},
		{"HUAWEI TECHNOLOGIES CO LTD", "huawei technologies"},
		{"Siemens AG", "siemens"},
		{"Holding AG", "holding"},
		{"ACME L.L.C.", "acme"},
		{"Acme, S.A.", "acme"},
		{"O'Brien Trading", "obrien trading"},
		{"Müller GmbH & Co. KG", "muller"},
		{"Straße", "strasse"},
		{"ООО «Интер Тобако»", "inter tobako"},
		{"Общество с ограниченной ответственностью", "obshchestvo s ogranichennoi otvetstvennostiu"},
		{"三菱造船株式会社", "三菱造船"},
		{"北京航空航天大学", "北京航空航天大学"},
		{"华为技术有限公司", "华为技术"},
		{"有限公司", "有限公司"},
		{"Mr. John Smith", "john smith"},
		{"ＦＵＬＬ　ＷＩＤＴＨ", "full width"},
		{"11420 CORP.", "11420"},
		{"  ", ""},
	} {
		if got := Normalize(c.in).String(); got != c.want {
			t.Errorf("Normalize(%q) = %q, want %q", c.in, got, c.want)
		}
		if n := Normalize(c.in).String(); Normalize(n).String() != n {
			t.Errorf("not idempotent on %q: %q → %q", c.in, n, Normalize(n).String())
		}
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"Huawei Technologies Co., Ltd.", "s co a", "ООО Рога", "有限有限公司公司", "l l c", "Ǆ ǅ ǆ", "ﬀ ß"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s).String()
		if !utf8.ValidString(n) {
			t.Fatalf("invalid UTF-8 from %q", s)
		}
		if again := Normalize(n).String(); again != n {
			t.Fatalf("not idempotent: %q → %q → %q", s, n, again)
		}
	})
}

func TestReadChina(t *testing.T) {
	es := readChina(t)
	if len(es) != 610 {
		t.Fatalf("%d entries, want 610", len(es))
	}
	count := map[Meaning]int{}
	for _, e := range es {
		count[e.Meaning]++
		if len(e.Names) == 0 || e.ID == "" || e.Source != "cn-sanctions" {
			t.Fatalf("bad entry %+v", e)
		}
	}
	if count[ControlList] < 153 || count[WatchList] != 40 || count[UnreliableEntity] != 66 {
		t.Fatalf("meanings: %v", count)
	}
	var mhi *Entry
	for i := range es {
		if strings.HasPrefix(es[i].Names[0], "Mitsubishi Heavy Industries Shipbuilding") {
			mhi = &es[i]
		}
	}
	if mhi == nil || mhi.Meaning != ControlList || mhi.Countries[0] != "JP" || mhi.Dates[0] != "2026-02-24" || mhi.Names[len(mhi.Names)-1] != "三菱造船株式会社" {
		t.Fatalf("Mitsubishi entry: %+v", mhi)
	}
}

func TestReadChinaBadInput(t *testing.T) {
	head := "Type,QID,Name,Alias,Chinese name,Country,Topics,Summary,Chinese summary,Body,List,Date,End date,Source URL\n"
	for _, c := range []struct {
		name, in string
		line     int
		field    string
	}{
		{"empty", "", 1, "header"},
		{"no name column", "Type,List\nCompany,UEL\n", 1, "header"},
		{"empty name", head + "Company,,,,,US,,,,,UEL,01.01.2024,,\n", 2, "Name"},
		{"bad date", head + "Company,,Acme,,,US,,,,,UEL,2024-01-01,,\n", 2, "Date"},
		{"broken quote", head + "Company,,\"Acme,,,US\n", 2, "csv"},
		{"invalid utf-8", head + "Company,,Ac\xffme,,,US,,,,,UEL,01.01.2024,,\n", 2, "Name"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadChina(strings.NewReader(c.in), "cn.csv")
			var re *ReadError
			if !errors.As(err, &re) || re.File != "cn.csv" || re.Line != c.line || re.Field != c.field {
				t.Fatalf("err = %v; want cn.csv line %d field %s", err, c.line, c.field)
			}
		})
	}
}

func TestSearchChina(t *testing.T) {
	ix := NewIndex(readChina(t))
	for _, c := range []struct {
		query, want string
	}{
		{"Mitsubishi Heavy Industries Shipbuilding Co., Ltd.", "Mitsubishi Heavy Industries Shipbuilding Co."},
		{"MITSUBISHI HEAVY INDUSTRIES SHIPBUILDING", "Mitsubishi Heavy Industries Shipbuilding Co."},
		{"Shipbuilding Mitsubishi Heavy Industries", "Mitsubishi Heavy Industries Shipbuilding Co."},
		{"Mitsubishi Heavy Industires Shipbuildng", "Mitsubishi Heavy Industries Shipbuilding Co."},
		{"三菱造船有限公司", "Mitsubishi Heavy Industries Shipbuilding Co."},
		{"Subaru Corp.", "SUBARU Corporation"},
		{"斯巴鲁", "SUBARU Corporation"},
		{"Luokexide Mading", "Lockheed Martin Corporation"}, // pinyin of 洛克希德·马丁
	} {
		hits, err := ix.Search(Query{Name: c.query}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) == 0 || hits[0].Entry.Names[0] != c.want {
			t.Errorf("%q: hits %v; want %q first", c.query, summary(hits), c.want)
		}
	}
	for _, q := range []string{"Mitsubishi Motors", "Patricia Lucas Wheeler", "Kawasaki Motors Europe"} {
		hits, _ := ix.Search(Query{Name: q}, Options{})
		if len(hits) > 0 {
			t.Errorf("%q: unexpected hits %v", q, summary(hits))
		}
	}
	if _, err := ix.Search(Query{Name: "Co., Ltd."}, Options{}); err != nil {
		t.Errorf("a name of legal forms only is still a name: %v", err)
	}
	if _, err := ix.Search(Query{Name: " .,;"}, Options{}); !errors.Is(err, ErrEmptyName) {
		t.Errorf("punctuation only: %v", err)
	}
}

func TestNumbersMustMatch(t *testing.T) {
	ix := NewIndex([]Entry{{ID: "1", Names: []string{"11420 CORP."}, Type: Organisation}, {ID: "2", Names: []string{"BELLETECH 7 CORP"}, Type: Organisation}})
	for _, q := range []string{"BELLETECH CORP", "BELLETECH 8 CORP", "11421 Corp"} {
		hits, _ := ix.Search(Query{Name: q}, Options{})
		if len(hits) > 0 {
			t.Errorf("%q matched %v", q, summary(hits))
		}
	}
	hits, _ := ix.Search(Query{Name: "Belletech 7 Corporation"}, Options{})
	if len(hits) != 1 || hits[0].Entry.ID != "2" {
		t.Errorf("Belletech 7: %v", summary(hits))
	}
}

func TestCountryAndTypeAdjust(t *testing.T) {
	ix := NewIndex([]Entry{{ID: "1", Names: []string{"Acme Rare Metals"}, Type: Organisation, Countries: []string{"US"}}})
	base, _ := ix.Search(Query{Name: "Acme Rare Metals"}, Options{MinScore: 0.01})
	same, _ := ix.Search(Query{Name: "Acme Rare Metals", Country: "US"}, Options{MinScore: 0.01})
	other, _ := ix.Search(Query{Name: "Acme Rare Metals", Country: "DE", Type: "person"}, Options{MinScore: 0.01})
	if base[0].Score != 1 || same[0].Score != 1 || other[0].Score >= 0.85 || len(other[0].Why.Adjustments) != 2 {
		t.Fatalf("base %v same %v other %+v", base[0].Score, same[0].Score, other[0].Why)
	}
}

func summary(hits []Hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.Entry.Names[0]+" "+strconv.FormatFloat(h.Score, 'f', 3, 64))
	}
	return out
}

// TestJaroWinklerBound: the bound used to skip token pairs is never below
// the similarity it stands for.
func TestJaroWinklerBound(t *testing.T) {
	words := strings.Fields("a ab abc abcd mohammed muhammad huawei hauwei technologies tech corp x xyzzy rosyid rosyd ba basyir al alnaser naser sepid epirus")
	for _, a := range words {
		for _, b := range words {
			if got, bound := jaroWinkler(a, b), jwBound(a, b); got > bound+1e-12 {
				t.Errorf("jw(%q, %q) = %v above its bound %v", a, b, got, bound)
			}
		}
	}
}
