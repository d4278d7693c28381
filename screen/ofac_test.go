package screen

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func readOFAC(t testing.TB, dir, prim string) []Entry {
	t.Helper()
	altBase, addBase, source := OFACCompanions(prim)
	open := func(base string) *os.File {
		f, err := os.Open(filepath.Join(sharedLists(t, dir), base))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	es, err := ReadOFAC(open(prim), prim, open(altBase), altBase, open(addBase), addBase, source)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func TestReadOFAC(t *testing.T) {
	sdn := readOFAC(t, "ofac-sdn-2021-07", "sdn.csv")
	names := 0
	for _, e := range sdn {
		names += len(e.Names)
	}
	// 8,976 entries and 11,910 aliases, some of which repeat a name.
	if len(sdn) != 8976 || names < 8976+11000 {
		t.Fatalf("SDN: %d entries, %d names", len(sdn), names)
	}
	bnc := sdn[2]
	if bnc.ID != "ofac-sdn-306" || bnc.Names[0] != "BANCO NACIONAL DE CUBA" || !slices.Contains(bnc.Names, "NATIONAL BANK OF CUBA") || bnc.Type != Organisation || bnc.Programs[0] != "CUBA" || !slices.Contains(bnc.Countries, "CH") {
		t.Fatalf("BNC: %+v", bnc)
	}
	cons := readOFAC(t, "ofac-nonsdn-2025-12", "cons_prim.csv")
	mil := 0
	for _, e := range cons {
		if e.Meaning == MilitaryEndUser {
			mil++
		}
	}
	if len(cons) != 442 || mil == 0 {
		t.Fatalf("non-SDN: %d entries, %d military end users", len(cons), mil)
	}
}

func TestReadOFACBadInput(t *testing.T) {
	prim := "36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n"
	for _, c := range []struct {
		name, prim, alt string
		file            string
		line            int
		field           string
	}{
		{"empty name", "36,-0- ,-0- ,\"CUBA\"\n", "", "sdn.csv", 1, "name"},
		{"too few fields", "36,\"X\"\n", "", "sdn.csv", 1, "csv"},
		{"duplicate", prim + prim, "", "sdn.csv", 2, "ent_num"},
		{"alias of nothing", prim, "99,1,\"aka\",\"X\",-0- \n", "alt.csv", 1, "ent_num"},
		{"invalid utf-8", "36,\"A\xffB\",-0- ,\"CUBA\"\n", "", "sdn.csv", 1, "field 2"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadOFAC(strings.NewReader(c.prim), "sdn.csv", strings.NewReader(c.alt), "alt.csv", nil, "", "ofac-sdn")
			var re *ReadError
			if !errors.As(err, &re) || re.File != c.file || re.Line != c.line || re.Field != c.field {
				t.Fatalf("err = %v; want %s line %d field %s", err, c.file, c.line, c.field)
			}
		})
	}
}

// FuzzReaders: the list readers never panic, and whatever they accept has
// a name and an id on every entry.
func FuzzReaders(f *testing.F) {
	f.Add([]byte("Type,QID,Name,List,Date\nCompany,,Acme,UEL,01.02.2024\n"))
	f.Add([]byte("36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\",-0- \n"))
	f.Add([]byte("\"unterminated\n"))
	f.Add([]byte("<CONSOLIDATED_LIST><ENTITY><FIRST_NAME>X</FIRST_NAME><REFERENCE_NUMBER>A</REFERENCE_NUMBER></ENTITY></CONSOLIDATED_LIST>"))
	f.Add([]byte("{\"id\":\"o\",\"schema\":\"Ownership\",\"properties\":{\"owner\":[\"a\"],\"asset\":[\"b\"],\"percentage\":[\"50\"]}}"))
	f.Add([]byte("owner,owned,share\na,b,50%\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		check := func(es []Entry, err error) {
			if err != nil {
				var re *ReadError
				if !errors.As(err, &re) {
					t.Fatalf("error without file and line: %v", err)
				}
				return
			}
			for _, e := range es {
				if e.ID == "" || len(e.Names) == 0 {
					t.Fatalf("entry without id or name: %+v", e)
				}
			}
		}
		check(ReadChina(strings.NewReader(string(data)), "cn.csv"))
		check(ReadOFAC(strings.NewReader(string(data)), "sdn.csv", strings.NewReader(string(data)), "alt.csv", nil, "", "ofac-sdn"))
		check(ReadUN(strings.NewReader(string(data)), "un.xml"))
		check(ReadBIS(strings.NewReader(string(data)), "dpl.txt"))
		check(ReadGeneric(strings.NewReader(string(data)), "g.csv"))
		if qs, err := ReadQueries(strings.NewReader(string(data)), "q.csv", 1000); err == nil {
			for _, q := range qs {
				if q.Name == "" {
					t.Fatalf("a query without a name: %+v", q)
				}
			}
		}
		es, hs, err := ReadFtM(strings.NewReader(string(data)), "e.json")
		check(es, err)
		for _, h := range hs {
			if h.Share == nil || h.Share.Sign() <= 0 || h.Owner == "" || h.Owned == "" {
				t.Fatalf("bad holding %+v", h)
			}
		}
		if hs, err := ReadHoldings(strings.NewReader(string(data)), "h.csv"); err == nil {
			for _, h := range hs {
				if h.Share == nil || h.Share.Sign() <= 0 || h.Owner == h.Owned {
					t.Fatalf("bad holding %+v", h)
				}
			}
		}
	})
}
