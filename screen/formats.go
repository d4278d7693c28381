package screen

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// readers are the list formats rarex reads, by name.
var readers = map[string]func(io.Reader, string) ([]Entry, error){
	"cn":      ReadChina,
	"un":      ReadUN,
	"bis":     ReadBIS,
	"generic": ReadGeneric,
	"ftm": func(r io.Reader, file string) ([]Entry, error) {
		es, _, err := ReadFtM(r, file)
		return es, err
	},
}

// Formats lists the format names ReadList accepts.
func Formats() []string {
	var out []string
	for f := range readers {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// ReadList reads a list file in the named format.
func ReadList(r io.Reader, file, format string) ([]Entry, error) {
	read, ok := readers[strings.ToLower(format)]
	if !ok {
		return nil, fmt.Errorf("%s: format %q: not one of %s", file, format, strings.Join(Formats(), ", "))
	}
	return read(r, file)
}

// Detect guesses a list file's format from its name and first bytes:
// XML is the UN list, JSON lines are FollowTheMoney, sdn.csv and
// cons_prim.csv are OFAC, a tab-separated header naming Name is the BIS
// list, a header starting Type,QID,Name is the China lists, and a header
// naming id, name, list and meaning is the generic CSV. "" when unsure.
func Detect(base string, head []byte) string {
	b := strings.ToLower(base)
	h := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(string(head)), "\ufeff"))
	first, _, _ := strings.Cut(h, "\n")
	switch {
	case strings.HasSuffix(b, ".xml") || strings.HasPrefix(h, "<?xml") || strings.HasPrefix(h, "<consolidated_list"):
		return "un"
	case strings.HasSuffix(b, ".json") || strings.HasSuffix(b, ".jsonl") || strings.HasPrefix(h, "{"):
		return "ftm"
	case b == "sdn.csv" || b == "cons_prim.csv":
		return "ofac"
	case strings.Contains(first, "\t") && strings.Contains(first, "name"):
		return "bis"
	case strings.HasPrefix(first, "type,qid,name"):
		return "cn"
	}
	cols := map[string]bool{}
	for _, c := range strings.Split(first, ",") {
		cols[strings.TrimSpace(c)] = true
	}
	if cols["id"] && cols["name"] && cols["list"] && cols["meaning"] {
		return "generic"
	}
	return ""
}
