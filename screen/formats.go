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
