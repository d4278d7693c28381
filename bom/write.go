package bom

import (
	"bufio"
	"io"
	"strings"
)

// WriteParts writes parts in the parts.csv format.
func WriteParts(w io.Writer, parts []Part) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("part_id,description,class,elements,hs_code,origin,unit_value,cn_technology\n")
	for _, p := range parts {
		for i, f := range []string{p.ID, p.Description, p.Class, strings.Join(p.Elements, ";"), p.HSCode, p.Origin, p.UnitValue, strings.Join(p.CNTechnology, ";")} {
			if i > 0 {
				bw.WriteByte(',')
			}
			writeField(bw, f)
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// WriteEdges writes edges in the edges.csv format.
func WriteEdges(w io.Writer, edges []Edge) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("parent_id,child_id,quantity\n")
	for _, e := range edges {
		writeField(bw, e.Parent)
		bw.WriteByte(',')
		writeField(bw, e.Child)
		bw.WriteByte(',')
		bw.WriteString(e.Quantity)
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

func writeField(w *bufio.Writer, f string) {
	if !strings.ContainsAny(f, ",\"\r\n") {
		w.WriteString(f)
		return
	}
	w.WriteByte('"')
	w.WriteString(strings.ReplaceAll(f, `"`, `""`))
	w.WriteByte('"')
}
