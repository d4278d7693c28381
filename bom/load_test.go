package bom

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// smallBlocks makes the fast reader cut even a few lines into several
// chunks and edge blocks, and keep many rows wide (their fields further
// than 16 bytes from the line's start), so that tests reach every path.
func smallBlocks(t testing.TB) {
	chunk, block, narrow := minChunk, edgeBlock, narrowMax
	procs := runtime.GOMAXPROCS(4)
	minChunk, edgeBlock, narrowMax = 8, 48, 16
	t.Cleanup(func() { minChunk, edgeBlock, narrowMax = chunk, block, narrow; runtime.GOMAXPROCS(procs) })
}

// bothReaders reads parts and edges with the fast reader and with the
// streaming one, and fails unless they agree on the graph or the error.
func bothReaders(t testing.TB, parts, edges string) (*Graph, error) {
	t.Helper()
	fast, ferr := ReadGraph(strings.NewReader(parts), "parts.csv", strings.NewReader(edges), "edges.csv", vocab{})
	slow, serr := StreamGraph(strings.NewReader(parts), "parts.csv", strings.NewReader(edges), "edges.csv", vocab{}, nil, nil)
	if fmt.Sprint(ferr) != fmt.Sprint(serr) {
		t.Fatalf("the readers disagree:\nfast:   %v\nstream: %v\nparts:\n%q\nedges:\n%q", ferr, serr, parts, edges)
	}
	if ferr != nil {
		return nil, ferr
	}
	for _, c := range []struct {
		name string
		a, b any
	}{
		{"parts", allParts(fast), allParts(slow)}, {"rows", inputRows(fast), inputRows(slow)}, {"value", fast.value, slow.value},
		{"start", fast.start, slow.start}, {"child", fast.child, slow.child}, {"qty", fast.qty, slow.qty},
		{"long", fast.long, slow.long}, {"parents", fast.parents, slow.parents}, {"china", fast.china, slow.china},
		{"tech", fast.hasTech, slow.hasTech},
	} {
		empty := reflect.ValueOf(c.a).Len() == 0 && reflect.ValueOf(c.b).Len() == 0 // nil or not
		if !empty && !reflect.DeepEqual(c.a, c.b) {
			t.Fatalf("the readers disagree on %s:\nfast:   %v\nstream: %v\nparts:\n%q\nedges:\n%q", c.name, c.a, c.b, parts, edges)
		}
	}
	for _, p := range allParts(fast) {
		i, ok := fast.Index(p.ID)
		if j, _ := slow.Index(p.ID); !ok || i != j {
			t.Fatalf("id %q: fast index %d, stream index %d", p.ID, i, j)
		}
	}
	return fast, nil
}

const loadHead = "part_id,description,class,elements,hs_code,origin,unit_value,cn_technology\n"

// TestFastReaderBadInput: each bad file fails the same way in both
// readers, with the file, line, column and field, at the first bad row
// even when later chunks or blocks hold other errors.
func TestFastReaderBadInput(t *testing.T) {
	smallBlocks(t)
	var good strings.Builder
	good.WriteString(loadHead)
	for i := range 40 {
		fmt.Fprintf(&good, "p%d,part %d,other,,,VN,%d.5,\n", i, i, i)
	}
	goodParts := good.String()
	var ge strings.Builder
	ge.WriteString("parent_id,child_id,quantity\n")
	for i := range 39 {
		fmt.Fprintf(&ge, "p%d,p%d,%d\n", i, i+1, i%3+1)
	}
	goodEdges := ge.String()
	// Parts whose classes the chunks meet in different orders: the
	// workers number them differently.
	var mixed strings.Builder
	mixed.WriteString(loadHead)
	classes := []string{"other", "metal", "magnet_ndfeb", "oxide", "magnet_smco", "assembly", "target"}
	for i := range 40 {
		c := classes[i%len(classes)]
		if i >= 20 {
			c = classes[len(classes)-1-i%len(classes)]
		}
		fmt.Fprintf(&mixed, "p%d,part %d,%s,,,CN,%d,\n", i, i, c, i+1)
	}
	mixedParts := mixed.String()
	lines := func(s string) []string { return strings.SplitAfter(s, "\n") }
	replace := func(s string, line int, with string) string { // line is 1-based
		l := lines(s)
		l[line-1] = with
		return strings.Join(l, "")
	}
	for _, c := range []struct {
		name, parts, edges, want string
	}{
		{"fine", goodParts, goodEdges, ""},
		{"empty parts", "", goodEdges, "parts.csv:1: header"},
		{"empty edges", goodParts, "", "edges.csv:1: header"},
		{"only headers", loadHead, "parent_id,child_id,quantity\n", ""},
		{"no final newline", strings.TrimSuffix(goodParts, "\n"), strings.TrimSuffix(goodEdges, "\n"), ""},
		{"blank lines", "\n" + strings.ReplaceAll(goodParts, "\n", "\n\n"), "\n\n" + strings.ReplaceAll(goodEdges, "\n", "\n\r\n"), ""},
		{"CRLF and a BOM mark", "\ufeff" + strings.ReplaceAll(goodParts, "\n", "\r\n"), "\ufeff" + strings.ReplaceAll(goodEdges, "\n", "\r\n"), ""},
		{"columns reordered, one unknown", "unit_value,extra,origin,class,part_id\n2,x,VN,other,a\n1,y,CN,metal,b\n", "quantity,child_id,parent_id\n3,b,a\n", ""},
		{"spaces around fields", loadHead + " a , x ,other, Dy ; Nd ,,VN, 2 ,\nb,,other,,,VN,1,\n", "parent_id,child_id,quantity\n a , b , 2 \n", ""},
		{"short rows", "part_id,class,origin,unit_value,description\na,other,VN,1\nb,other,VN,2\n", "parent_id,child_id,quantity\na,b,1\n", ""},
		{"bad class in a late chunk", replace(goodParts, 35, "p33,x,gizmo,,,VN,1,\n"), goodEdges, `parts.csv:35:7: class: "gizmo" is not an item class`},
		{"classes met in other orders", mixedParts, goodEdges, ""},
		{"a class that looks like one", replace(mixedParts, 32, "p30,x,magnet_ndfex,,,CN,1,\n"), goodEdges, `parts.csv:32:7: class: "magnet_ndfex" is not an item class`},
		{"two bad rows in two chunks", replace(replace(goodParts, 8, "p6,x,other,,,XX,1,\n"), 35, "p33,x,gizmo,,,VN,1,\n"), goodEdges, `parts.csv:8:14: origin`},
		{"duplicate far apart", replace(goodParts, 38, "p3,x,other,,,VN,1,\n"), goodEdges, `parts.csv:38:1: part_id: "p3" is listed twice (first on line 5)`},
		{"duplicate before a bad row", replace(replace(goodParts, 20, "p3,x,other,,,VN,1,\n"), 30, "p28,x,other,,,VN,-1,\n"), goodEdges, `parts.csv:20:1: part_id: "p3" is listed twice`},
		{"bad row before a duplicate", replace(replace(goodParts, 20, "p18,x,other,,,VN,-1,\n"), 30, "p3,x,other,,,VN,1,\n"), goodEdges, `parts.csv:20:18: unit_value`},
		{"duplicate with spaces", replace(goodParts, 38, "  p3,x,other,,,VN,1,\n"), goodEdges, `parts.csv:38:1: part_id: "p3" is listed twice`},
		{"bad element", replace(goodParts, 12, "p10,x,metal,Dy;Qq,,CN,1,\n"), goodEdges, `parts.csv:12:13: elements: "Qq" is not an element symbol`},
		{"bad stage", replace(goodParts, 12, "p10,x,metal,Dy,,CN,1,alchemy\n"), goodEdges, `cn_technology: "alchemy" is not a technology stage`},
		{"bad hs code", replace(goodParts, 12, "p10,x,metal,Dy,85A5,CN,1,\n"), goodEdges, `hs_code`},
		{"empty id", replace(goodParts, 12, ",x,metal,Dy,,CN,1,\n"), goodEdges, `parts.csv:12:1: part_id: empty`},
		{"unknown country", replace(goodParts, 12, "p10,x,metal,Dy,,XX,1,\n"), goodEdges, `parts.csv:12:17: origin`},
		{"country in lower case", replace(goodParts, 12, "p10,x,metal,Dy,,cn,1,\n"), goodEdges, `parts.csv:12:17: origin`},
		{"value beyond a float", replace(goodParts, 12, "p10,x,metal,Dy,,CN,1"+strings.Repeat("0", 400)+",\n"), goodEdges, ""},
		{"value with two points", replace(goodParts, 12, "p10,x,metal,Dy,,CN,1.2.3,\n"), goodEdges, `parts.csv:12:20: unit_value`},
		{"quoted parts stream", replace(goodParts, 12, "p10,\"a, quoted\",other,,,CN,1,\n"), goodEdges, ""},
		{"quoted header", strings.Replace(goodParts, "part_id", "\"part_id\"", 1), goodEdges, ""},
		{"quoted header after a blank line", "\n" + strings.Replace(goodParts, "part_id", "\"part_id\"", 1), goodEdges, ""},
		{"header quoted over two lines", "\n\"\n\"", "0", "parts.csv:2: header: missing column(s)"},
		{"quoted last part", replace(goodParts, 41, "p39,\"the \"\"last\"\" one\",other,,,CN,1,\n"), goodEdges, ""},
		{"quoted edge in the first block", goodParts, replace(goodEdges, 2, "\"p0\",p1,1\n"), ""},
		{"quoted edges header", goodParts, strings.Replace(goodEdges, "quantity", "\"quantity\"", 1), ""},
		{"unknown child in a late block", goodParts, replace(goodEdges, 36, "p34,ghost,1\n"), `edges.csv:36:5: child_id: "ghost" is not a part in parts.csv`},
		{"unknown child after an unknown column", goodParts, "note,parent_id,child_id,quantity\nx,p0,p1,1\nyy,p1,ghost,2\n", `edges.csv:3:7: child_id: "ghost"`},
		{"unknown child after blank lines", goodParts, strings.ReplaceAll(replace(goodEdges, 30, "p28,ghost,1\n"), "\n", "\n\r\n\n"), `edges.csv:88:5: child_id: "ghost"`},
		{"unknown child with spaces", goodParts, replace(goodEdges, 30, "p28, ghost ,1\n"), `edges.csv:30:5: child_id: "ghost"`},
		{"unknown long child", goodParts, replace(goodEdges, 30, "p28,ghost-of-a-part,1\n"), `edges.csv:30:5: child_id: "ghost-of-a-part"`},
		{"unknown child beside long ones", goodParts + "long-part-number-1,x,other,,,VN,1,\nlong-part-number-2,x,other,,,VN,1,\n",
			replace(goodEdges, 30, "p28,long-part-number-1,1\np28,ghost,1\np28,long-part-number-2,1\n"), `edges.csv:31:5: child_id: "ghost"`},
		{"unknown long child beside long ones", goodParts + "long-part-number-1,x,other,,,VN,1,\nlong-part-number-2,x,other,,,VN,1,\n",
			replace(goodEdges, 30, "p28,long-part-number-1,1\np28,long-part-number-3,1\np28,long-part-number-2,1\n"), `edges.csv:31:5: child_id: "long-part-number-3"`},
		{"unknown parent", goodParts, replace(goodEdges, 20, "ghost,p3,1\n"), `edges.csv:20:1: parent_id: "ghost" is not a part in parts.csv`},
		{"unknown child before a bad quantity", goodParts, replace(replace(goodEdges, 10, "p8,ghost,1\n"), 11, "p9,p10,0\n"), `edges.csv:10:4: child_id: "ghost"`},
		{"bad quantity", goodParts, replace(goodEdges, 30, "p28,p29,-1\n"), `edges.csv:30:9: quantity`},
		{"empty child", goodParts, replace(goodEdges, 30, "p28,,1\n"), `edges.csv:30:5: child_id: empty`},
		{"quantity too large for a float", goodParts, replace(goodEdges, 30, "p28,p29,1"+strings.Repeat("0", 400)+"\n"), `edges.csv:30:9: quantity`},
		{"long quantity", goodParts, replace(goodEdges, 30, "p28,p29,1.00000000000000000001\n"), ""},
		{"edges not grouped by parent", goodParts, goodEdges + "p0,p5,2\np3,p9,1\n", ""},
		{"cycle", goodParts, goodEdges + "p30,p2,1\n", "cycle in the BOM: p2 → p3"},
		{"quoted edges stream from a late block", goodParts, replace(goodEdges, 30, "\"p28\",p29,1\n"), ""},
		{"line longer than a block", goodParts, replace(goodEdges, 20, "p18,p19,"+strings.Repeat("0", 200)+"1\n"), ""},
		{"line longer than a record", goodParts, replace(goodEdges, 20, "p18,p19,1"+strings.Repeat(" ", maxRecord)+"\n"), "edges.csv:20: csv: line longer than"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := bothReaders(t, c.parts, c.edges)
			if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
}

// TestFastReaderAgreesOnRandomBOMs: random DAGs written in random ways
// (column order, spaces, CRLF, blank lines, edges shuffled or grouped),
// with a random fault in some, read the same by both readers.
func TestFastReaderAgreesOnRandomBOMs(t *testing.T) {
	smallBlocks(t)
	rng := rand.New(rand.NewPCG(11, 12))
	wide, narrow := 0, 0
	for iter := range 400 {
		parts, edges := randomBOM(rng, 2+rng.IntN(30))
		if rng.IntN(2) == 0 {
			rng.Shuffle(len(edges), func(i, j int) { edges[i], edges[j] = edges[j], edges[i] })
		}
		switch rng.IntN(3) { // parts top down (as made), bottom up, or in no order
		case 1:
			slices.Reverse(parts)
		case 2:
			rng.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
		}
		ps, es := writeRandomly(rng, parts, edges)
		if rng.IntN(3) == 0 {
			ps, es = fault(rng, ps, es)
		}
		g, err := bothReaders(t, ps, es)
		if err == nil && g.Len() != len(parts) {
			t.Fatalf("iteration %d: %d parts, want %d", iter, g.Len(), len(parts))
		}
		if err == nil {
			wide += len(g.parts.wide)
			narrow += g.Len() - len(g.parts.wide)
		}
	}
	if wide == 0 || narrow == 0 { // smallBlocks makes rows of long fields wide
		t.Fatalf("%d wide rows and %d narrow ones: both kinds should be read", wide, narrow)
	}
}

// writeRandomly writes parts and edges as CSV with a random column order,
// padding, line ends and blank lines.
func writeRandomly(rng *rand.Rand, parts []Part, edges []Edge) (string, string) {
	pad := func(s string) string {
		if rng.IntN(8) == 0 {
			return " " + s + "\t"
		}
		return s
	}
	nl := "\n"
	if rng.IntN(3) == 0 {
		nl = "\r\n"
	}
	blank := func(b *strings.Builder) {
		if rng.IntN(10) == 0 {
			b.WriteString(nl)
		}
	}
	pcols := slices.Clone(partColumns)
	rng.Shuffle(len(pcols), func(i, j int) { pcols[i], pcols[j] = pcols[j], pcols[i] })
	var pb strings.Builder
	pb.WriteString(strings.Join(pcols, ",") + nl)
	for _, p := range parts {
		row := make([]string, len(pcols))
		for i, c := range pcols {
			row[i] = pad(map[string]string{"part_id": p.ID, "description": "d " + p.ID, "class": p.Class, "hs_code": "",
				"origin": p.Origin, "unit_value": p.UnitValue, "elements": strings.Join(p.Elements, ";"), "cn_technology": ""}[c])
		}
		pb.WriteString(strings.Join(row, ",") + nl)
		blank(&pb)
	}
	ecols := slices.Clone(edgeColumns)
	if rng.IntN(2) == 0 { // an unknown column, which may come first
		ecols = append(ecols, "note")
	}
	rng.Shuffle(len(ecols), func(i, j int) { ecols[i], ecols[j] = ecols[j], ecols[i] })
	var eb strings.Builder
	eb.WriteString(strings.Join(ecols, ",") + nl)
	for _, e := range edges {
		v := map[string]string{"parent_id": e.Parent, "child_id": e.Child, "quantity": e.Quantity, "note": "n"}
		row := make([]string, len(ecols))
		for i, c := range ecols {
			row[i] = pad(v[c])
		}
		eb.WriteString(strings.Join(row, ",") + nl)
		blank(&eb)
	}
	return pb.String(), eb.String()
}

// fault spoils one random line of one file: an unknown or repeated id, a
// bad number, a bad code, or a cycle.
func fault(rng *rand.Rand, parts, edges string) (string, string) {
	spoil := func(s string, f func(line string) string) string {
		l := strings.SplitAfter(s, "\n")
		if len(l) < 3 {
			return s
		}
		i := 1 + rng.IntN(len(l)-2)
		l[i] = f(l[i])
		return strings.Join(l, "")
	}
	swap := func(old, new string) func(string) string {
		return func(line string) string { return strings.Replace(line, old, new, 1) }
	}
	switch rng.IntN(7) {
	case 0:
		return spoil(parts, swap("VN", "XX")), edges
	case 1:
		return spoil(parts, swap(".", "..")), edges
	case 2:
		return spoil(parts, func(line string) string { return line + line }), edges
	case 3:
		return parts, spoil(edges, swap("p", "q"))
	case 4:
		return parts, spoil(edges, func(line string) string { return strings.Replace(line, "1", "-1", 1) })
	case 5:
		return parts, edges + "p" + strconv.Itoa(rng.IntN(5)+5) + ",p0,1\n"
	default:
		return spoil(parts, swap("other", "gizmo")), edges
	}
}

// FuzzFastReader: for any parts and edges text, the fast reader gives
// what the streaming reader gives, graph or error, and never panics.
func FuzzFastReader(f *testing.F) {
	smallBlocks(f)
	f.Add(motorParts, motorEdges)
	f.Add(loadHead+"a,,other,,,VN,1,\nb,,metal,Dy,,CN,2,\n", "parent_id,child_id,quantity\na,b,2\n")
	f.Add(loadHead+"a,,other,,,VN,1,\na,,other,,,VN,1,\n", "parent_id,child_id,quantity\r\na,a,1\r\n")
	f.Fuzz(func(t *testing.T, parts, edges string) {
		bothReaders(t, parts, edges)
	})
}

// TestQuickQuantity: the one-pass reader gives what longQuantity gives,
// or leaves the quantity to it.
func TestQuickQuantity(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	digits := "0123456789.."
	for range 20000 {
		b := make([]byte, 1+rng.IntN(18))
		for i := range b {
			b[i] = digits[rng.IntN(len(digits))]
		}
		q, ok := quickQuantity(b)
		if !ok {
			continue
		}
		want, long, wok := longQuantity(b)
		if !wok || long != "" || q != want {
			t.Fatalf("%q: quick %v, longQuantity %v %q %v", b, q, want, long, wok)
		}
	}
	for _, s := range []string{"", ".", "1.", ".5", "0", "0.0", "1..2", "1e5", "-1", "1234567890123456"} {
		if _, ok := quickQuantity([]byte(s)); ok {
			t.Errorf("%q: quick reader took it", s)
		}
	}
}

// TestPartOrderDoesNotMatter: a BOM whose parts are listed top down,
// bottom up or in no order (the layout then takes the file's order
// reversed, as it is, or a depth-first search), with its edges in no
// order or grouped by parent in the parts' order or its reverse (the rows
// then stay in place, are mirrored in place or are copied), rolls up the
// same: the same values to the bit, exact values, verdicts and top paths.
func TestPartOrderDoesNotMatter(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for iter := range 200 {
		parts, edges := randomBOM(rng, 2+rng.IntN(25))
		if iter%2 == 0 && len(edges) > 0 { // a quantity a float64 does not hold
			edges[rng.IntN(len(edges))].Quantity = "1.00000000000000000001"
		}
		// One order of each parent's edges for all variants: sums in
		// another order could differ in their last bit.
		rng.Shuffle(len(edges), func(i, j int) { edges[i], edges[j] = edges[j], edges[i] })
		type result struct {
			acc   acc
			exact string
			over  bool
			paths []Path
		}
		var want map[string]result
		for variant := range 9 {
			ps := slices.Clone(parts)
			switch variant / 3 {
			case 1:
				slices.Reverse(ps)
			case 2:
				rng.Shuffle(len(ps), func(i, j int) { ps[i], ps[j] = ps[j], ps[i] })
			}
			es := slices.Clone(edges)
			at := map[string]int{}
			for i, p := range ps {
				at[p.ID] = i
			}
			switch variant % 3 { // 0: as shuffled
			case 1:
				slices.SortStableFunc(es, func(a, b Edge) int { return at[a.Parent] - at[b.Parent] })
			case 2:
				slices.SortStableFunc(es, func(a, b Edge) int { return at[b.Parent] - at[a.Parent] })
			}
			g, err := Build(ps, es)
			if err != nil {
				t.Fatal(err)
			}
			for i := range g.Len() { // the numbering is topological whatever the way
				for k := g.start[i]; k < g.start[i+1]; k++ {
					if c := g.child[k]; !g.down && c >= int32(i) || g.down && c <= int32(i) {
						t.Fatalf("iteration %d, variant %d: part %d uses %d", iter, variant, i, g.child[k])
					}
				}
			}
			r := Roll(g, part1, official)
			got := map[string]result{}
			for i := range int32(g.Len()) {
				over, _ := r.verdict(i)
				got[g.id(i)] = result{r.at(i), r.exactCV(i).RatString(), over, r.TopPaths(i, 3)}
			}
			if want == nil {
				want = got
			} else if !reflect.DeepEqual(got, want) {
				t.Fatalf("iteration %d: parts listed another way (variant %d) roll up differently", iter, variant)
			}
		}
	}
}

// hugeFile is a file of size bytes whose content is head and then x
// forever: no line ends, never held in memory.
type hugeFile struct {
	head string
	size int64
	read int64
}

func (h *hugeFile) Size() int64 { return h.size }
func (h *hugeFile) Read(p []byte) (int, error) {
	if h.read >= h.size {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && h.read < h.size {
		if h.read < int64(len(h.head)) {
			p[n] = h.head[h.read]
		} else {
			p[n] = 'x'
		}
		n++
		h.read++
	}
	return n, nil
}

// TestHugeFiles: a 2 GB parts or edges file whose line never ends fails
// with the line and reason after reading about a record's worth, without
// being read into memory.
func TestHugeFiles(t *testing.T) {
	const twoGB = 2 << 30
	parts := &hugeFile{head: loadHead + "a,,other,,,VN,1,\nb", size: twoGB}
	_, err := ReadGraph(parts, "parts.csv", strings.NewReader("parent_id,child_id,quantity\n"), "edges.csv", vocab{})
	if err == nil || !strings.Contains(err.Error(), "parts.csv:3: csv: line longer than") || parts.read > 8<<20 {
		t.Errorf("parts: %v after reading %d bytes", err, parts.read)
	}
	edges := &hugeFile{head: "parent_id,child_id,quantity\na,b,1\na", size: twoGB}
	_, err = ReadGraph(strings.NewReader(loadHead+"a,,other,,,VN,1,\nb,,other,,,VN,1,\n"), "parts.csv", edges, "edges.csv", vocab{})
	if err == nil || !strings.Contains(err.Error(), "edges.csv:3: csv: line longer than") || edges.read > 16<<20 {
		t.Errorf("edges: %v after reading %d bytes", err, edges.read)
	}
}

// naiveSplit is splitLine written the obvious way, for FuzzSplitLine.
func naiveSplit(b []byte, pos, limit int) (fields [][2]int, end, next int) {
	end, next = len(b), len(b)
	if nl := bytes.IndexByte(b[pos:], '\n'); nl >= 0 {
		end, next = pos+nl, pos+nl+1
		if end > pos && b[end-1] == '\r' {
			end--
		}
	}
	start := pos
	for i := pos; i <= end; i++ {
		if i == end || b[i] == ',' {
			fields = append(fields, [2]int{start, i})
			start = i + 1
			if len(fields) == limit+1 {
				break
			}
		}
	}
	return fields, end, next
}

func FuzzSplitLine(f *testing.F) {
	for _, s := range []string{"", "\n", "a,b,c\n", "a,b,c\r\n", "a,b", "P0,P541671,6\nP0,P2,3\n", ",,,,,,,,,,,\n", "a\r", "x,y\r\r\n", "0123456789,abcdefghij,klmnop\r\nq"} {
		f.Add([]byte(s), uint8(0), uint8(3))
	}
	// Lines read through marks64: their line feed among the 64 bytes
	// from their start (the last of them, or just after), a CR before it
	// or not, commas up to the last byte before it.
	row := "P500004,Chinese NdFeB magnet with Dy,magnet_ndfeb,Nd;Pr;Dy,,CN,27.00,"
	for _, n := range []int{62, 63, 64, 65} {
		line := strings.Repeat(",", 3) + strings.Repeat("x,", n)[:n-3]
		f.Add([]byte(line+"\n"+row+"\n"+strings.Repeat("y", 64)), uint8(0), uint8(9))
		f.Add([]byte(line[:n-1]+"\r\n"+row), uint8(0), uint8(7))
	}
	f.Fuzz(func(t *testing.T, b []byte, pos, limit uint8) {
		p, lim := int(pos)%(len(b)+1), 1+int(limit)%10
		if p == len(b) && len(b) > 0 {
			p = 0
		}
		at := make([]int32, lim+2)
		nf, end, next := splitLine(b, p, at)
		want, wantEnd, wantNext := naiveSplit(b, p, lim)
		if end != wantEnd || next != wantNext || nf != len(want) {
			t.Fatalf("%q from %d: %d fields, end %d, next %d; want %d, %d, %d", b, p, nf, end, next, len(want), wantEnd, wantNext)
		}
		for i, w := range want {
			if int(at[i]) != w[0] || int(at[i+1])-1 != w[1] {
				t.Fatalf("%q from %d: field %d is [%d,%d), want [%d,%d)", b, p, i, at[i], at[i+1]-1, w[0], w[1])
			}
		}
	})
}

// TestMarks holds marks64 and marksOf to the commas and line feeds of 64
// bytes, at each alignment.
func TestMarks(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 64+15)
	for range 5000 {
		for i := range buf {
			buf[i] = ",\n\rab \xac\x8a"[rng.IntN(8)] // \xac and \x8a: a comma's and a line feed's low bits, high bit set
		}
		p := &buf[rng.IntN(16)]
		b := unsafe.Slice(p, 64)
		var commas, lfs uint64
		for k, c := range b {
			if c == ',' {
				commas |= 1 << k
			}
			if c == '\n' {
				lfs |= 1 << k
			}
		}
		if c, l := marks64(p); c != commas || l != lfs {
			t.Fatalf("marks64(%q) = %064b, %064b; want %064b, %064b", b, c, l, commas, lfs)
		}
		if c, l := marksOf(p); c != commas || l != lfs {
			t.Fatalf("marksOf(%q) = %064b, %064b; want %064b, %064b", b, c, l, commas, lfs)
		}
	}
}

// FuzzSplit3: split3 gives the fields, line end and next line that
// splitLine and fieldOf give.
func FuzzSplit3(f *testing.F) {
	for _, s := range []string{"", "\n", "a,b,c\n", "a,b,c\r\n", "a,b", "a", " a , b ,c,d\n", "P0,P541671,6\nP0,P2,3\n", ",,,,,,,,,,,\n", "a\r", "x,y\r\r\n", "0123456789,abcdefghij,klmnop\r\nq"} {
		f.Add([]byte(s), uint8(0))
	}
	f.Fuzz(func(t *testing.T, b []byte, pos uint8) {
		p := int(pos) % (len(b) + 1)
		if p == len(b) && len(b) > 0 {
			p = 0
		}
		at := make([]int32, 5)
		nf, wantEnd, wantNext := splitLine(b, p, at)
		f0, f1, f2, end, next := split3(b, p)
		if end != wantEnd || next != wantNext {
			t.Fatalf("%q from %d: end %d, next %d; want %d, %d", b, p, end, next, wantEnd, wantNext)
		}
		for i, got := range [][]byte{f0, f1, f2} {
			if want := fieldOf(b, at, nf, i); !bytes.Equal(got, want) || (got == nil) != (want == nil) {
				t.Fatalf("%q from %d: field %d is %q, want %q", b, p, i, got, want)
			}
		}
	})
}

// quickEdge reads the line of b at pos as the edge loader's quick path
// (quickLines) does, after a line whose parent has the prefix last, and
// gives what it queued for it: the parent's length and head (pl 0 when it
// is last's), where the child starts, its length and head, the quantity
// and the next line's start. ok is false when quickLines left the line to
// split3, and when not to try.
func quickEdge(b []byte, pos int, try bool, last parentPrefix) (pl int, ph uint64, c, cl int, ch uint64, q float64, next int, ok bool) {
	if !try {
		return
	}
	l := &edgeLoader{ids: newLoadTable(newPartStore(0), 16), cols: []int{0, 1, 2}}
	l.start(b, 0, make([]int32, 0, len(b)), make([]float64, 0, len(b)))
	lp := lastParent{prefix: last}
	next, err := l.quickLines(pos, pos+1, &lp)
	if err != nil || next == pos {
		return
	}
	c = pos + last.n
	if len(l.pid) > 0 { // a parent queued
		pl, ph = int(l.pid[0].n), l.pprobe[0].head
		c = pos + pl + 1
	}
	return pl, ph, c, int(l.cprobe[0].tag >> 24), l.cprobe[0].head, l.qty[0], next, true
}

// FuzzQuickEdge: a line quickEdge reads, split3 and parseQuantity read
// alike: the same ids, the same quantity and the same next line; and when
// it says the line has the previous line's parent, split3's parent is
// that one.
func FuzzQuickEdge(f *testing.F) {
	for _, s := range []string{"P0,P541671,6\nP0,P2,3\n", "P0,P541671,0.5\n..........", "a,b,c\n", "a , b,1\n",
		"a,b,1\r\n", "12345678,12345678,1234567\n", "a,b,1,x\n", "a,b,0\n", "é,ü,1\n", "P 0,b,1\n"} {
		f.Add([]byte(s+"                          "), uint8(0), "P0")
		f.Add([]byte(s+"                          "), uint8(0), "P 0")
	}
	f.Fuzz(func(t *testing.T, b []byte, pos uint8, prev string) {
		p := int(pos) % (len(b) + 1)
		lasts := []parentPrefix{{}}
		if prev != "" && string(trim([]byte(prev))) == prev && !strings.ContainsAny(prev, ",\n") {
			lasts = append(lasts, prefixOf([]byte(prev))) // a parent a line could have given
		}
		for _, last := range lasts {
			pl, ph, c, cl, ch, q, next, ok := quickEdge(b, p, true, last)
			if !ok {
				continue
			}
			f0, f1, f2, _, wantNext := split3(b, p)
			want, long, wok := parseQuantity(f2)
			parent := pl > 0 && bytes.Equal(f0, b[p:p+pl]) && headOf(f0) == ph || pl == 0 && last.n > 0 && string(f0) == prev
			child := bytes.Equal(f1, b[c:c+cl]) && headOf(f1) == ch
			if !parent || !child || !wok || long != "" || q != want || next != wantNext {
				t.Fatalf("%q from %d after %q: quick %d %x %d %d %x %v %d; split3 %q %q %q %d", b, p, prev, pl, ph, c, cl, ch, q, next, f0, f1, f2, wantNext)
			}
		}
	})
}

// TestQuickEdge: which lines take the quick path, and what it reads.
func TestQuickEdge(t *testing.T) {
	pad := strings.Repeat("#", quickRoom)
	for _, c := range []struct {
		line string
		ok   bool
		q    float64
	}{
		{"P0,P541671,6\n", true, 6},
		{"12345678,ABCDEFGH,1234567\n", true, 1234567},
		{"p,q,0.25\n", true, 0.25},
		{"p,q,9\n", true, 9},
		{"p,q,10\n", true, 10},
		{"é,ü,1\n", true, 1},
		{"123456789,q,1\n", false, 0}, // a long parent
		{"12345678XYZ,5\n", false, 0}, // a long parent, and after its first 8 bytes what looks like a child and a quantity
		{"p,12345678X5\n", false, 0},  // a long child, the same way
		{"p,123456789,1\n", false, 0}, // a long child
		{"p,q,12345678\n", false, 0},  // a long quantity
		{",q,1\n", false, 0},          // no parent
		{"p,,1\n", false, 0},          // no child
		{"p,q,\n", false, 0},          // no quantity
		{"p,q\n", false, 0},           // two fields
		{"p\n,q,1\n", false, 0},       // a line feed in the parent's word
		{" p,q,1\n", false, 0},        // to trim
		{"p,q ,1\n", false, 0},        // to trim
		{"p,q,1 \n", false, 0},        // to trim
		{"p,\tq,1\n", false, 0},       // to trim
		{"p,q,1\r\n", false, 0},       // CR LF
		{"p,q,1,x\n", false, 0},       // a fourth field
		{"p,q,0\n", false, 0},         // not above 0
		{"p,q,-1\n", false, 0},        // negative
		{"p,q,1.\n", false, 0},        // not a decimal
		{"p,q,1e3\n", false, 0},       // not a decimal
	} {
		b := []byte(c.line + pad)
		_, _, _, _, _, q, next, ok := quickEdge(b, 0, true, parentPrefix{})
		if ok != c.ok || ok && (q != c.q || next != len(c.line)) {
			t.Errorf("%q: ok %v, quantity %v, next %d; want %v, %v, %d", c.line, ok, q, next, c.ok, c.q, len(c.line))
		}
		if _, _, _, _, _, _, _, ok := quickEdge([]byte(c.line), 0, true, parentPrefix{}); ok && len(c.line) < quickRoom {
			t.Errorf("%q: read with fewer than quickRoom bytes", c.line)
		}
		if _, _, _, _, _, _, _, ok := quickEdge(b, 0, false, parentPrefix{}); ok {
			t.Errorf("%q: read when not to try", c.line)
		}
	}
}

// TestQuickEdgeSameParent: a line that starts with the previous parent
// and a comma has that parent, without its id being read; any other is
// read whole.
func TestQuickEdgeSameParent(t *testing.T) {
	pad := strings.Repeat("#", quickRoom)
	for _, c := range []struct {
		prev, line string
		same       bool
		child      string
	}{
		{"P0", "P0,P541671,6\n", true, "P541671"},
		{"P0", "P01,P5,6\n", false, "P5"}, // a longer id with the same start
		{"P01", "P0,P5,6\n", false, "P5"}, // a shorter one
		{"P 0", "P 0,P5,6\n", true, "P5"}, // a blank inside, as the previous line had it
		{"1234567", "1234567,P5,6\n", true, "P5"},
		{"12345678", "12345678,P5,6\n", false, "P5"}, // 8 bytes and the comma: no prefix
	} {
		last := prefixOf([]byte(c.prev))
		pl, _, at, cl, ch, _, _, ok := quickEdge([]byte(c.line+pad), 0, true, last)
		if same := pl == 0; !ok || same != c.same || c.line[at:at+cl] != c.child || ch != headOf([]byte(c.child)) {
			t.Errorf("%q after %q: ok %v, same %v, child at %d, %d bytes; want same %v, %q", c.line, c.prev, ok, same, at, cl, c.same, c.child)
		}
		if pl > 0 && pl != strings.IndexByte(c.line, ',') {
			t.Errorf("%q after %q: parent of %d bytes", c.line, c.prev, pl)
		}
	}
}

// TestReadFull: readFull reads what io.ReadFull reads, gives the same
// count and error, and leaves the reader where io.ReadFull leaves it,
// whether it reads at offsets on two cores (a strings.Reader can) or not.
func TestReadFull(t *testing.T) {
	smallBlocks(t)
	rng := rand.New(rand.NewPCG(9, 10))
	for range 2000 {
		data := make([]byte, rng.IntN(100))
		for i := range data {
			data[i] = byte('a' + rng.IntN(26))
		}
		skip, size := rng.IntN(len(data)+1), rng.IntN(120)
		a, b := strings.NewReader(string(data)), strings.NewReader(string(data))
		a.Seek(int64(skip), io.SeekStart)
		b.Seek(int64(skip), io.SeekStart)
		pa, pb := make([]byte, size), make([]byte, size)
		na, erra := readFull(a, pa)
		nb, errb := io.ReadFull(b, pb)
		if na != nb || erra != errb || !bytes.Equal(pa[:na], pb[:nb]) {
			t.Fatalf("%d bytes from %d of %d: readFull %d %v %q, io.ReadFull %d %v %q", size, skip, len(data), na, erra, pa[:na], nb, errb, pb[:nb])
		}
		if a.Len() != b.Len() {
			t.Fatalf("%d bytes from %d of %d: readFull left %d bytes, io.ReadFull %d", size, skip, len(data), a.Len(), b.Len())
		}
	}
}

// TestTopDownKeptAsRead: a BOM listed top down, each parent's edges in the
// parts' order, is kept as read (numbered parents first, its edges where
// they were read), and rolls up, updates and walks as the same BOM listed
// bottom up, which is numbered children first.
func TestTopDownKeptAsRead(t *testing.T) {
	topDown := loadHead + "prod,,assembly,,,VN,100,\nsub,,assembly,,,VN,40,\nmag,,magnet_ndfeb,Nd;Dy,,CN,2.5,magnet_manufacturing\nbolt,,other,,,CN,0.1,\n"
	edges := "parent_id,child_id,quantity\nprod,sub,2\nprod,bolt,8\nsub,mag,4\nsub,bolt,3\n"
	lines := strings.SplitAfter(strings.TrimPrefix(topDown, loadHead), "\n")
	slices.Reverse(lines)
	bottomUp := loadHead + strings.Join(lines, "")
	read := func(parts string) (*Graph, *Rollup) {
		g, err := bothReaders(t, parts, edges)
		if err != nil {
			t.Fatal(err)
		}
		return g, Roll(g, part1, official)
	}
	gd, rd := read(topDown)
	gu, ru := read(bottomUp)
	if !gd.down || gu.down {
		t.Fatalf("down: top down %v, bottom up %v; want true, false", gd.down, gu.down)
	}
	if want := []int32{1, 3, 2, 3}; !slices.Equal(gd.child, want) { // sub, bolt, mag, bolt: as read
		t.Fatalf("top down children %v, want %v", gd.child, want)
	}
	same := func(what string) {
		t.Helper()
		for _, id := range []string{"prod", "sub", "mag", "bolt"} {
			d, _ := gd.Index(id)
			u, _ := gu.Index(id)
			if a, b := rd.Result(d, 3), ru.Result(u, 3); !reflect.DeepEqual(a, b) {
				t.Fatalf("%s: %s rolls up as %+v top down, %+v bottom up", what, id, a, b)
			}
		}
	}
	same("as read")
	// What-if walks from the product (openUnits) and incremental updates
	// (the queue of ancestors) go the other way too.
	d, _ := gd.Index("prod")
	u, _ := gu.Index("prod")
	od, ud := rd.multiplicities(d)
	ou, uu := ru.multiplicities(u)
	for _, id := range []string{"prod", "sub", "mag", "bolt"} {
		i, _ := gd.Index(id)
		j, _ := gu.Index(id)
		if od[i] != ou[j] || ud[i] != uu[j] {
			t.Fatalf("units of %s per product: %v, %v top down; %v, %v bottom up", id, od[i], ud[i], ou[j], uu[j])
		}
	}
	origin, value := "VN", "0.2"
	for _, edit := range []struct {
		name string
		do   func(r *Rollup) error
	}{
		{"mag made in VN", func(r *Rollup) error {
			_, err := r.UpdatePart("mag", PartEdit{Origin: &origin}, vocab{}, part1)
			return err
		}},
		// bolt's parents, prod and sub, are both queued: sub must come first.
		{"bolt at 0.2", func(r *Rollup) error {
			_, err := r.UpdatePart("bolt", PartEdit{UnitValue: &value}, vocab{}, part1)
			return err
		}},
		{"5 bolts in sub", func(r *Rollup) error {
			_, err := r.UpdateQuantity("sub", "bolt", "5")
			return err
		}},
	} {
		for _, r := range []*Rollup{rd, ru} {
			if err := edit.do(r); err != nil {
				t.Fatal(err)
			}
		}
		same("after " + edit.name)
	}
}

// inputRows is each part's row in the input, by place.
func inputRows(g *Graph) []int32 {
	rows := make([]int32, g.num.n)
	for i := range g.num.n {
		rows[i] = g.num.part(i)
	}
	return rows
}

// TestLongIDsInOneBatch: children longer than a slot, many to a lookup
// batch (the files are read in one block, unlike smallBlocks'), are found,
// and an unknown one, long or short, among them is the one reported.
func TestLongIDsInOneBatch(t *testing.T) {
	var parts, edges strings.Builder
	parts.WriteString(loadHead + "top,x,assembly,,,VN,1,\n")
	edges.WriteString("parent_id,child_id,quantity\n")
	for i := range 600 {
		fmt.Fprintf(&parts, "long-part-number-%d,x,other,,,VN,1,\n", i)
		fmt.Fprintf(&edges, "top,long-part-number-%d,%d\n", i, 1+i%9)
	}
	g, err := bothReaders(t, parts.String(), edges.String())
	if err != nil || g.Len() != 601 {
		t.Fatalf("read: %v", err)
	}
	line := func(s string, n int, with string) string { // n is 1-based
		l := strings.SplitAfter(s, "\n")
		l[n-1] = with
		return strings.Join(l, "")
	}
	blankLines := func(s string) string { return strings.ReplaceAll(s, "\n", "\r\n\n") }
	for _, c := range []struct {
		with, want string
		spoil      func(string) string
	}{
		{"top,long-part-number-9999,1\n", `edges.csv:300:5: child_id: "long-part-number-9999"`, nil},
		{"top,ghost,1\n", `edges.csv:300:5: child_id: "ghost"`, nil},
		{" top , ghost ,1\n", `edges.csv:300:7: child_id: "ghost"`, nil},
		{"top,ghost,1\n", `edges.csv:599:5: child_id: "ghost"`, blankLines},
	} {
		es := line(edges.String(), 300, c.with)
		if c.spoil != nil {
			es = c.spoil(es)
		}
		_, err := bothReaders(t, parts.String(), es)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("err = %v, want %q", err, c.want)
		}
	}
}

// TestWideRows: parts whose fields lie too far apart for a narrow row (a
// description of 70,000 bytes, before the id or after it) keep their
// spans aside, in both readers, among narrow rows in every chunk; their
// ids are found, repeated ones reported where they are written, and every
// part reads back whole.
func TestWideRows(t *testing.T) {
	smallBlocks(t)
	narrowMax = math.MaxUint16 // the real bound, which smallBlocks lowers
	long := strings.Repeat("x", 70_000)
	for _, head := range []string{loadHead, "description,part_id,class,elements,hs_code,origin,unit_value,cn_technology\n"} {
		descFirst := strings.HasPrefix(head, "description")
		row := func(id, desc, class, origin, value string) string {
			if descFirst {
				return desc + "," + id + "," + class + ",,8505," + origin + "," + value + ",\n"
			}
			return id + "," + desc + "," + class + ",,8505," + origin + "," + value + ",\n"
		}
		var parts strings.Builder
		parts.WriteString(head)
		parts.WriteString(row("top", "product", "assembly", "DE", "100"))
		var edges strings.Builder
		edges.WriteString("parent_id,child_id,quantity\n")
		wide := 0
		for i := range 12 {
			desc := "narrow " + strconv.Itoa(i)
			if i%3 == 1 {
				desc, wide = long+strconv.Itoa(i), wide+1
			}
			id := "part-" + strconv.Itoa(i)
			parts.WriteString(row(id, desc, "other", "CN", strconv.Itoa(i+1)))
			fmt.Fprintf(&edges, "top,%s,%d\n", id, i+1)
		}
		g, err := bothReaders(t, parts.String(), edges.String())
		if err != nil {
			t.Fatal(err)
		}
		if len(g.parts.wide) != wide {
			t.Fatalf("%d wide rows, want %d", len(g.parts.wide), wide)
		}
		for i := range 12 {
			p, ok := g.Index("part-" + strconv.Itoa(i))
			if !ok {
				t.Fatalf("part-%d not found", i)
			}
			got := g.Part(p)
			if want := strconv.Itoa(i); !strings.HasSuffix(got.Description, want) || got.UnitValue != strconv.Itoa(i+1) ||
				got.Origin != "CN" || got.HSCode != "8505" || (len(got.Description) > 70_000) != (i%3 == 1) {
				t.Fatalf("part-%d reads back as %q…, %+v", i, got.Description[:min(20, len(got.Description))], got.UnitValue)
			}
		}
		// A wide row's id repeated: the error names the repeat's line and column.
		dup := parts.String() + row("part-1", long, "other", "CN", "1")
		_, err = bothReaders(t, dup, edges.String())
		col := "1"
		if descFirst {
			col = "70002"
		}
		if err == nil || !strings.Contains(err.Error(), "parts.csv:15:"+col+":") {
			t.Fatalf("repeated wide id: %v", err)
		}
	}
}

// TestPrefault: prefault touches only the arrays' own bytes, wherever
// the halves of the pages fall among arrays of any size, on one core or
// two.
func TestPrefault(t *testing.T) {
	sizes := []int{0, 1, 4095, 4097, 2*minChunk + 3, 0, 3 * minChunk, 5}
	for _, procs := range []int{1, 2} {
		old := runtime.GOMAXPROCS(procs)
		// Each array sits inside a guard band of 0xff bytes that must survive.
		var arrays [][]byte
		var bands [][]byte
		for _, n := range sizes {
			band := bytes.Repeat([]byte{0xff}, n+2*4096)
			clear(band[4096 : 4096+n])
			arrays, bands = append(arrays, band[4096:4096+n:4096+n]), append(bands, band)
		}
		prefault(arrays...)
		runtime.GOMAXPROCS(old)
		for k, band := range bands {
			n := sizes[k]
			if bytes.ContainsFunc(band[4096:4096+n], func(r rune) bool { return r != 0 }) ||
				bytes.Count(band[:4096], []byte{0xff}) != 4096 || bytes.Count(band[4096+n:], []byte{0xff}) != 4096 {
				t.Fatalf("GOMAXPROCS %d: array %d (%d bytes) or its guard changed", procs, k, n)
			}
		}
	}
}
