package screen

import "testing"

func TestDetect(t *testing.T) {
	for _, c := range []struct{ base, head, want string }{
		{"UN_consolidated.xml", "<?xml version", "un"},
		{"list.dat", "<CONSOLIDATED_LIST>", "un"},
		{"entities.ftm.json", "{\"id\":1}", "ftm"},
		{"sdn.csv", "36,\"AERO\"", "ofac"},
		{"cons_prim.csv", "9639,\"HANIYA\"", "ofac"},
		{"bis-dpl.txt", "\"Name\"\t\"Street_Address\"\n", "bis"},
		{"sanctions.csv", "\ufeffType,QID,Name,Alias\n", "cn"},
		{"mine.csv", "id,name,list,meaning\n", "generic"},
		{"other.csv", "a,b,c\n", ""},
	} {
		if got := Detect(c.base, []byte(c.head)); got != c.want {
			t.Errorf("Detect(%q, %q) = %q, want %q", c.base, c.head, got, c.want)
		}
	}
}
