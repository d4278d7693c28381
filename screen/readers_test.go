package screen

import (
	"errors"
	"math/big"
	"os"
	"slices"
	"strings"
	"testing"
)

func readShared(t testing.TB, read func(f *os.File) ([]Entry, error), parts ...string) []Entry {
	t.Helper()
	f, err := os.Open(sharedLists(t, parts...))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	es, err := read(f)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func TestReadUN(t *testing.T) {
	es := readShared(t, func(f *os.File) ([]Entry, error) { return ReadUN(f, "un.xml") }, "un", "UN_consolidated.xml")
	people, orgs, original := 0, 0, 0
	for _, e := range es {
		switch e.Type {
		case Person:
			people++
		case Organisation:
			orgs++
		}
		for _, n := range e.Names {
			if !isASCII(n) {
				original++
				break
			}
		}
	}
	if people != 730 || orgs != 273 || original < 100 {
		t.Fatalf("%d people, %d entities, %d with non-Latin names", people, orgs, original)
	}
	if e := es[0]; e.ID != "un-CDi.001" || e.Names[0] != "ERIC BADEGE" || e.Dates[0] != "2012-12-31" || !slices.Contains(e.Countries, "CD") || e.Programs[0] != "DRC" {
		t.Fatalf("first: %+v", e)
	}
}

func TestReadBIS(t *testing.T) {
	es := readShared(t, func(f *os.File) ([]Entry, error) { return ReadBIS(f, "dpl.txt") }, "bis-dpl.txt")
	if len(es) != 546 { // the README counts 545 rows; the file has 546 besides its header
		t.Fatalf("%d entries, want 546", len(es))
	}
	ids := map[string]bool{}
	for _, e := range es {
		if ids[e.ID] || e.Meaning != DeniedParty {
			t.Fatalf("entry %+v", e)
		}
		ids[e.ID] = true
	}
	if e := es[0]; e.Names[0] != "ADRIAN MANUEL HERNANDEZ" || e.Dates[0] != "2017-10-16" {
		t.Fatalf("first: %+v", e)
	}
}

func TestReadFtM(t *testing.T) {
	f, err := os.Open(sharedLists(t, "ftm-example", "entities.ftm.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	es, hs, err := ReadFtM(f, "e.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 6 || len(hs) != 0 {
		t.Fatalf("%d entries, %d holdings", len(es), len(hs))
	}
	tob := es[0]
	if tob.Type != Organisation || !slices.Contains(tob.Names, "Общество с ограниченной ответственностью “Интер Тобако”") || tob.Countries[0] != "BY" || tob.Meaning != Sanctions {
		t.Fatalf("Inter Tobacco: %+v", tob)
	}
	ix := NewIndex(es)
	hits, _ := ix.Search(Query{Name: "ООО Интер Тобако"}, Options{})
	if len(hits) == 0 || hits[0].Entry.ID != tob.ID {
		t.Fatalf("Cyrillic query: %v", summary(hits))
	}
	ownership := `{"id":"o1","schema":"Ownership","properties":{"owner":["a"],"asset":["b"],"percentage":["51"]}}`
	_, hs, err = ReadFtM(strings.NewReader(ownership), "o.json")
	if err != nil || len(hs) != 1 || hs[0].Share.Cmp(big.NewRat(51, 100)) != 0 {
		t.Fatalf("ownership: %v %+v", err, hs)
	}
}

func TestReadGeneric(t *testing.T) {
	in := "id,name,aliases,type,countries,list,meaning,date,program\n" +
		"r1,Acme Rare Metals,Acme RM;ACME,organisation,US;Japan,Own register,military_end_user,2026-01-02,internal\n"
	es, err := ReadGeneric(strings.NewReader(in), "g.csv")
	if err != nil || len(es) != 1 {
		t.Fatal(err)
	}
	if e := es[0]; len(e.Names) != 3 || !slices.Equal(e.Countries, []string{"US", "JP"}) || e.Meaning != MilitaryEndUser {
		t.Fatalf("%+v", e)
	}
}

func TestReadersBadInput(t *testing.T) {
	gh := "id,name,list,meaning,type,countries,date\n"
	for _, c := range []struct {
		name  string
		read  func(string) error
		in    string
		line  int
		field string
	}{
		{"un: broken xml", un, "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>X</FIRST_NAME>\n</INDIVIDUALS>", 2, "xml"},
		{"un: not the list", un, "<other/>", 1, "CONSOLIDATED_LIST"},
		{"un: no name", un, "<CONSOLIDATED_LIST>\n<INDIVIDUAL><REFERENCE_NUMBER>A</REFERENCE_NUMBER></INDIVIDUAL></CONSOLIDATED_LIST>", 2, "FIRST_NAME"},
		{"un: duplicate", un, "<CONSOLIDATED_LIST>\n<ENTITY><FIRST_NAME>X</FIRST_NAME><REFERENCE_NUMBER>A</REFERENCE_NUMBER></ENTITY>\n<ENTITY><FIRST_NAME>Y</FIRST_NAME><REFERENCE_NUMBER>A</REFERENCE_NUMBER></ENTITY></CONSOLIDATED_LIST>", 3, "REFERENCE_NUMBER"},
		{"bis: no name column", bis, "\"Street\"\t\"City\"\n", 1, "header"},
		{"bis: empty name", bis, "\"Name\"\t\"Country\"\n\"\"\t\"US\"\n", 2, "Name"},
		{"ftm: bad json", ftm, "{\"id\":\"x\",\n", 1, "json"},
		{"ftm: no id", ftm, "{\"schema\":\"Person\",\"properties\":{\"name\":[\"A\"]}}\n", 1, "id"},
		{"ftm: no name", ftm, "\n{\"id\":\"p\",\"schema\":\"Person\",\"properties\":{}}\n", 2, "properties.name"},
		{"ftm: bad percentage", ftm, "{\"id\":\"o\",\"schema\":\"Ownership\",\"properties\":{\"owner\":[\"a\"],\"asset\":[\"b\"],\"percentage\":[\"150\"]}}", 1, "properties"},
		{"generic: missing column", generic, "id,name\n", 1, "header"},
		{"generic: bad meaning", generic, gh + "1,A,L,banned,,,\n", 2, "meaning"},
		{"generic: bad type", generic, gh + "1,A,L,sanctions,robot,,\n", 2, "type"},
		{"generic: bad country", generic, gh + "1,A,L,sanctions,,Atlantis,\n", 2, "countries"},
		{"generic: bad date", generic, gh + "1,A,L,sanctions,,,2026/01/01\n", 2, "date"},
		{"generic: no such day", generic, gh + "1,A,L,sanctions,,,2026-02-30\n", 2, "date"},
		{"generic: duplicate id", generic, gh + "1,A,L,sanctions,,,\n1,B,L,sanctions,,,\n", 3, "id"},
		{"generic: empty name", generic, gh + "1,,L,sanctions,,,\n", 2, "name"},
		{"holdings: no header", holdings, "", 1, "header"},
		{"holdings: bad share", holdings, "owner,owned,share\na,b,1.5\n", 2, "share"},
		{"holdings: self", holdings, "owner,owned,share\na,a,0.5\n", 2, "owned"},
		{"holdings: over 100%", holdings, "owner,owned,share\na,c,60%\nb,c,0.5\n", 3, "share"},
		{"china: huge line", chinaRead, "Type,QID,Name,List\nCompany,,A,UEL\nCompany,," + strings.Repeat("x", MaxLine+1) + "\n", 3, "line"},
		{"un: huge line", un, "<CONSOLIDATED_LIST>\n<ENTITY><FIRST_NAME>" + strings.Repeat("x", MaxLine+1), 2, "line"},
		{"bis: huge line", bis, "\"Name\"\n" + strings.Repeat("y", MaxLine+5), 2, "line"},
		{"ftm: huge line", ftm, "\n" + strings.Repeat("z", MaxLine+5), 2, "line"},
		{"generic: huge line", generic, gh + strings.Repeat("g", MaxLine+5), 2, "line"},
		{"queries: no name column", queries, "country\nUS\n", 1, "header"},
		{"queries: empty name", queries, "name,country\nAcme,US\n ,DE\n", 3, "name"},
		{"queries: too many", queries, "name\na\nb\nc\n", 4, ""},
		{"china: invalid UTF-8 in a name", chinaRead, "Type,QID,Name,List\nCompany,,\xff\xfe,UEL\n", 2, "Name"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.read(c.in)
			var re *ReadError
			if !errors.As(err, &re) || re.Line != c.line || re.Field != c.field {
				t.Fatalf("err = %v; want line %d field %s", err, c.line, c.field)
			}
		})
	}
}

func queries(s string) error {
	_, err := ReadQueries(strings.NewReader(s), "q.csv", 2)
	return err
}
func chinaRead(s string) error { _, err := ReadChina(strings.NewReader(s), "cn.csv"); return err }
func un(s string) error        { _, err := ReadUN(strings.NewReader(s), "un.xml"); return err }
func bis(s string) error       { _, err := ReadBIS(strings.NewReader(s), "dpl.txt"); return err }
func ftm(s string) error       { _, _, err := ReadFtM(strings.NewReader(s), "e.json"); return err }
func generic(s string) error   { _, err := ReadGeneric(strings.NewReader(s), "g.csv"); return err }
func holdings(s string) error {
	_, err := ReadHoldings(strings.NewReader(s), "h.csv")
	return err
}

// TestControlledParties: the 50% rule on a hand-computed structure.
//
//	L1 (listed) 60% → A;  A 50% → C;  L2 (listed) 20% → C;  L1 30% → B;  B 40% → C;  A 10% → L2
//	C: 0.6·0.5 + 0.2 + 0.3·0.4 = 0.62 → controlled;  A: 0.6 → controlled;  B: 0.3 → not.
func TestControlledParties(t *testing.T) {
	h := func(o, d string, n, den int64) Holding { return Holding{Owner: o, Owned: d, Share: big.NewRat(n, den)} }
	hs := []Holding{h("L1", "A", 6, 10), h("A", "C", 5, 10), h("L2", "C", 2, 10), h("L1", "B", 3, 10), h("B", "C", 4, 10), h("A", "L2", 1, 10)}
	listed := func(id string) bool { return id == "L1" || id == "L2" }
	got := ControlledParties(hs, listed, big.NewRat(1, 2))
	if len(got) != 2 || got[0].Party != "A" || got[0].Total != "0.6" || got[1].Party != "C" || got[1].Total != "0.62" {
		t.Fatalf("%+v", got)
	}
	c := got[1]
	if len(c.Chains) != 3 || strings.Join(c.Chains[0].Path, ">") != "L1>A>C" || c.Chains[0].Share != "0.3" || strings.Join(c.Chains[2].Path, ">") != "L1>B>C" {
		t.Fatalf("chains of C: %+v", c.Chains)
	}
	// A cycle of holdings ends; exactly 50% counts.
	hs = []Holding{h("L", "X", 1, 2), h("X", "Y", 1, 2), h("Y", "X", 1, 2)}
	got = ControlledParties(hs, func(id string) bool { return id == "L" }, big.NewRat(1, 2))
	if len(got) != 1 || got[0].Party != "X" || got[0].Total != "0.5" {
		t.Fatalf("cycle: %+v", got)
	}
}

// TestListed: a holding's party is listed by entry id or by a name that
// hits; others are not; why names the entry.
func TestListed(t *testing.T) {
	ix := NewIndex([]Entry{{ID: "cn-1", Names: []string{"Acme Rare Metals"}, Type: Organisation}})
	listed, why := ix.Listed(DefaultThreshold)
	if !listed("cn-1") || !listed("ACME Rare Metals Ltd") || listed("Zenith Copper") || listed("Zenith Copper") {
		t.Fatal("listed predicate wrong")
	}
	if why["cn-1"] != "cn-1" || !strings.HasPrefix(why["ACME Rare Metals Ltd"], "cn-1 (Acme Rare Metals, ") || why["Zenith Copper"] != "" || len(why) != 2 {
		t.Fatalf("why %v", why)
	}
}
