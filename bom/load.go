package bom

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"

	"rarex"
	"rarex/i18n"
)

// The fast reader. ReadGraph holds the parts file in memory as one string
// that every Part's fields slice (no allocation per row), parses it on
// every core, enters the ids in the id table chunk by chunk as they are
// parsed, and resolves the edges, read in blocks, on every core too. It
// gives exactly what the streaming reader gives, errors included; files
// with quoted fields, of unknown size or larger than fastMax take the
// streaming reader.

const fastMax = 1 << 30 // larger parts files stream

// Variables, so that tests can make them small enough for a few lines to
// take every path.
var (
	edgeBlock = 4 << 20   // edges are read this much at a time
	minChunk  = 256 << 10 // the least a goroutine is given
)

// workers is how many goroutines share a file of n bytes.
func workers(n int) int {
	return min(runtime.GOMAXPROCS(0), 8, max(1, n/minChunk))
}

// chunks cuts data into about w pieces that end at line ends.
func chunks(data []byte, w int) [][]byte {
	out := make([][]byte, 0, w)
	for k := w; k > 1 && len(data) > 0; k-- {
		cut := len(data) / k
		nl := bytes.IndexByte(data[cut:], '\n')
		if nl < 0 {
			break
		}
		out = append(out, data[:cut+nl+1])
		data = data[cut+nl+1:]
	}
	return append(out, data)
}

// coreChunks cuts data into per chunks for each of w goroutines (fewer
// when they would be smaller than minChunk), which take the next when
// done with one (spread): a core slowed by other work takes fewer.
func coreChunks(data []byte, w, per int) [][]byte {
	return chunks(data, min(per*w, max(1, len(data)/minChunk)))
}

// How many chunks each core is given of the parts file and of a block of
// the edges file. The parts' chunks are smaller: at the end of the file,
// one core parses the last chunk and enters its ids while the other
// waits, and with 4 chunks a core that took 5 ms more (Phases/parts
// 61.6 against 66.8 ms, p = 0.000, n = 36; 8 to 24 did as well as 16).
// An edges block cut into 16 chunks took 3.7% longer than into 8.
const (
	partChunks = 16
	edgeChunks = 4
)

// readAllSized reads r whole when its size is known and at most limit;
// ok is false (and nothing read) otherwise.
func readAllSized(r io.Reader, limit int64) (data []byte, ok bool, err error) {
	size := sizeOf(r)
	if size < 0 || size > limit {
		return nil, false, nil
	}
	// Exactly size bytes, not a growing buffer: that would double a large
	// file's memory just to find its end.
	data = make([]byte, size)
	n, err := readFull(r, data)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		return data[:n], true, nil // it shrank
	}
	if err != nil {
		return nil, true, err
	}
	// It may have grown since its size was taken.
	rest, err := io.ReadAll(r)
	return append(data, rest...), true, err
}

// readFull is io.ReadFull. From a reader that can also read at an offset
// and say where it is (a file, a bytes.Reader), it reads the two halves
// of p at once, on two cores, and then moves the reader past what it
// read: from a file, reading a million-part BOM took 16 ms of one core
// while the other waited.
func readFull(r io.Reader, p []byte) (int, error) {
	at, ok := r.(io.ReaderAt)
	seeker, ok2 := r.(io.Seeker)
	if !ok || !ok2 || len(p) < 2*minChunk || runtime.GOMAXPROCS(0) < 2 {
		return io.ReadFull(r, p)
	}
	pos, err := seeker.Seek(0, io.SeekCurrent)
	if err != nil { // a pipe, say
		return io.ReadFull(r, p)
	}
	half := len(p) / 2
	var n [2]int
	var errs [2]error
	parallel(2, func(k int) {
		from, to := k*half, half
		if k == 1 {
			to = len(p)
		}
		n[k], errs[k] = at.ReadAt(p[from:to], pos+int64(from))
	})
	total, err := n[0], errs[0]
	if n[0] == half {
		total, err = half+n[1], errs[1]
	}
	if err != nil && err != io.EOF {
		return total, err
	}
	if _, err := seeker.Seek(pos+int64(total), io.SeekStart); err != nil {
		return total, err
	}
	switch {
	case total == len(p):
		return total, nil
	case total == 0:
		return 0, io.EOF
	}
	return total, io.ErrUnexpectedEOF
}

// readGraph is ReadGraph.
func readGraph(parts io.Reader, partsFile string, edges io.Reader, edgesFile string, vocab Vocabulary) (*Graph, error) {
	data, ok, err := readAllSized(parts, fastMax)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", partsFile, err)
	}
	if !ok {
		return StreamGraph(parts, partsFile, edges, edgesFile, vocab, nil, nil)
	}
	b, err := loadParts(data, partsFile, vocab)
	if err == errQuoted {
		return StreamGraph(bytes.NewReader(data), partsFile, edges, edgesFile, vocab, nil, nil)
	}
	if err != nil {
		return nil, err
	}
	if err := b.loadEdges(edges, edgesFile, partsFile); err != nil {
		return nil, err
	}
	return b.finish()
}

// header parses the first record of data with the streaming reader's
// rules and returns the table and the offset of the next line. When more
// may follow data (!whole) and the header's line does not end in it, the
// table is nil.
func header(data []byte, whole bool, file string, open func(io.Reader, string) (*table, error)) (*table, int, error) {
	end := 0
	for {
		nl := bytes.IndexByte(data[end:], '\n')
		if nl < 0 {
			if !whole {
				return nil, 0, nil
			}
			end = len(data)
			break
		}
		line := bytes.TrimSuffix(data[end:end+nl], []byte{'\r'})
		end += nl + 1
		if len(line) > 0 {
			break
		}
	}
	t, err := open(bytes.NewReader(data[:end]), file)
	return t, end, err
}

// rowError is a bad row found by a worker: where its line starts in the
// chunk (the line number is counted once the error is known to be the
// first), the field's byte column and what is wrong.
type rowError struct {
	off    int // of the line start in the chunk
	column int // 1-based byte column of the field; 0 for the whole line
	field  string
	why    i18n.Msg
}

// The bytes of a word, for finding commas and line feeds eight at a time.
const (
	ones  = 0x0101010101010101
	lows  = 0x7f7f7f7f7f7f7f7f
	highs = 0x8080808080808080
)

// equal sets the high bit of each byte of w that equals c, and no other
// bit (exact: no borrow runs from one byte into the next).
func equal(w uint64, c byte) uint64 {
	x := w ^ uint64(c)*ones
	return ^((x&lows + lows) | x) & highs
}

// lineAround finds the line of b that starts at pos: the end of its text
// (a CR before the line feed is not part of it) and the start of the next
// line. bytes.IndexByte finds the line feed many bytes at a time, faster
// than a word at a time for lines of a few dozen bytes.
func lineAround(b []byte, pos int) (end, next int) {
	nl := bytes.IndexByte(b[pos:], '\n')
	if nl < 0 {
		return len(b), len(b)
	}
	end = pos + nl
	if end > pos && b[end-1] == '\r' { // as the streaming reader: only before a line feed
		return end - 1, end + 1
	}
	return end, end + 1
}

// commasIn gives, eight bytes at a time, a word of b from i on whose
// bytes that are commas before end have their high bit set.
func commasIn(b []byte, i, end int) uint64 {
	var w uint64
	if i+8 <= len(b) {
		w = binary.LittleEndian.Uint64(b[i:])
	} else { // the last bytes, padded
		var tail [8]byte
		copy(tail[:], b[i:])
		w = binary.LittleEndian.Uint64(tail[:])
	}
	c := equal(w, ',')
	if rest := end - i; rest < 8 {
		c &= 1<<(8*uint(rest)) - 1
	}
	return c
}

// splitLine finds the line of b that starts at pos and splits it, unquoted,
// on commas into at most len(at)-2 fields: at[i] is the offset in b where
// field i starts, at[i+1]-1 where it ends (the last field wanted runs to
// the next comma). It returns the number of fields, the end of the line's
// text (a CR before the line feed is not part of it) and the start of the
// next line.
func splitLine(b []byte, pos int, at []int32) (nf, end, next int) {
	if pos+64 <= len(b) {
		if commas, lfs := marks64(&b[pos]); lfs != 0 { // a line of at most 63 bytes: most
			return splitMarked(b, pos, at, commas, lfs)
		}
	}
	end, next = lineAround(b, pos)
	limit := len(at) - 2
	start, cut := pos, end // start of the current field; end of field limit
scan:
	for i := pos; i < end; i += 8 {
		for c := commasIn(b, i, end); c != 0; c &= c - 1 {
			p := i + bits.TrailingZeros64(c)>>3
			if nf == limit {
				cut = p
				break scan
			}
			at[nf], start = int32(start), p+1
			nf++
		}
	}
	if nf == limit {
		at[nf], at[nf+1] = int32(start), int32(cut+1)
		return nf + 1, end, next
	}
	at[nf], at[nf+1] = int32(start), int32(end+1)
	return nf + 1, end, next
}

// splitMarked is splitLine for a line whose line feed is among the 64
// bytes from pos: commas and lfs mark those bytes' commas and line feeds
// (marks64). With one word of marks for the whole line, the loop runs
// once per comma, as many times for each line of a file, where a loop
// per word of the line, with a varying count of commas in each, kept
// the core guessing wrong: splitting took 20 ns a line instead of 39.
func splitMarked(b []byte, pos int, at []int32, commas, lfs uint64) (nf, end, next int) {
	n := bits.TrailingZeros64(lfs)
	end, next = pos+n, pos+n+1
	if n > 0 && b[end-1] == '\r' {
		end--
	}
	commas &= 1<<uint(end-pos) - 1
	limit := len(at) - 2
	start := pos
	for ; commas != 0; commas &= commas - 1 {
		p := pos + bits.TrailingZeros64(commas)
		if nf == limit {
			at[nf], at[nf+1] = int32(start), int32(p+1)
			return nf + 1, end, next
		}
		at[nf], start = int32(start), p+1
		nf++
	}
	at[nf], at[nf+1] = int32(start), int32(end+1)
	return nf + 1, end, next
}

// marksOf is marks64 a word at a time, where there is no assembly for it,
// and what the tests hold the assembly to.
func marksOf(p *byte) (commas, lfs uint64) {
	b := unsafe.Slice(p, 64)
	for i := 0; i < 64; i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		commas |= gather(equal(w, ',')) << uint(i)
		lfs |= gather(equal(w, '\n')) << uint(i)
	}
	return commas, lfs
}

// gather packs the high bits of x's bytes into its low byte, in order:
// shifted down, byte k's bit is at 8k, and the multiplier adds it at
// 56+k, where no two bytes' bits, nor their sums, meet.
func gather(x uint64) uint64 { return (x >> 7 * 0x0102040810204080) >> 56 }

// split3 is splitLine for a line of which only the first three fields
// are wanted, as edges.csv's usually are: it gives them trimmed (nil
// when the line has fewer), in registers rather than through an offsets
// array, and the end of the line's text and the start of the next line.
func split3(b []byte, pos int) (f0, f1, f2 []byte, end, next int) {
	end, next = lineAround(b, pos)
	cut := [3]int{end, end, end} // the commas that end fields 0, 1 and 2
	nc := 0
scan:
	for i := pos; i < end; i += 8 {
		for c := commasIn(b, i, end); c != 0; c &= c - 1 {
			cut[nc] = i + bits.TrailingZeros64(c)>>3
			if nc++; nc == 3 {
				break scan
			}
		}
	}
	f0 = trim(b[pos:cut[0]])
	if nc >= 1 {
		f1 = trim(b[cut[0]+1 : cut[1]])
	}
	if nc >= 2 {
		f2 = trim(b[cut[1]+1 : cut[2]])
	}
	return f0, f1, f2, end, next
}

// quickRoom is how many bytes quickLines may read from a line's start:
// three words, each starting at most 9 bytes after the one before.
const quickRoom = 26

// parentPrefix is a parent id of at most 7 bytes and the comma after it,
// as the first bytes of a line would hold them: a line that starts with
// them has that parent. n is 0 for none.
type parentPrefix struct {
	key, mask uint64
	n         int
}

func prefixOf(id []byte) parentPrefix {
	if len(id) >= inline {
		return parentPrefix{}
	}
	n := len(id) + 1
	return parentPrefix{headOf(id) | ','<<(8*uint(len(id))), 1<<(8*uint(n)) - 1, n}
}

// column is the 1-based byte column of field c of a line split at start,
// or 1 when the row has no such field, as the streaming reader reports it.
func column(at []int32, n, c, start int) int {
	if c < 0 || c >= n {
		return 1
	}
	return int(at[c]) - start + 1
}

// fieldOf returns field c (trimmed) of a line of b split by splitLine;
// nil when the row has no such field.
func fieldOf(b []byte, at []int32, n, c int) []byte {
	if c < 0 || c >= n {
		return nil
	}
	return trim(b[at[c] : at[c+1]-1])
}

// partLoader parses rows of parts.csv for one worker.
type partLoader struct {
	s       string // the whole file
	cols    []int  // part_id, description, class, hs_code, origin, unit_value, elements, cn_technology
	maxCol  int
	vocab   Vocabulary
	ids     *idTable          // for the ids' probes
	lists   map[string]uint32 // elements and stages lists by their text: index in items
	items   [][]string        // each list's items; items[0] is the empty list
	badList map[string]bool
	classes []classSeen // the classes met, valid or not, by index
	// The chunk's wide rows: their spans, and which rows they are.
	wide   []rowSpans
	wideAt []int
}

// classSeen is a class text a parts loader met: told apart from the others
// by its length and first 8 bytes (for most classes, all of them), which
// costs less than hashing the text or asking the vocabulary each time.
type classSeen struct {
	n    int
	head uint64
	text string
	ok   bool // the vocabulary knows it
}

// class returns the index of the class text among those met (asking the
// vocabulary about it the first time) and whether it is a class.
func (l *partLoader) class(text []byte) (uint32, bool) {
	head := headOf(text)
	for k := range l.classes {
		if c := &l.classes[k]; c.n == len(text) && c.head == head && (len(text) <= inline || c.text == l.str(text)) {
			return uint32(k), c.ok
		}
	}
	c := classSeen{len(text), head, l.str(text), l.vocab.IsClass(l.str(text))}
	l.classes = append(l.classes, c)
	return uint32(len(l.classes) - 1), c.ok
}

// offsetIn is where b, a piece of within, starts in it.
func offsetIn(within, b []byte) int {
	return int(uintptr(unsafe.Pointer(unsafe.SliceData(b))) - uintptr(unsafe.Pointer(unsafe.SliceData(within))))
}

// span is where b, a piece of the file, lies in it.
func (l *partLoader) span(b []byte) span {
	if len(b) == 0 {
		return span{}
	}
	return span{uint32(offsetIn(bytesOf(l.s), b)), uint32(len(b))}
}

// str is b, a piece of the file, as a string: the file is a string
// already, so nothing is copied or worked out.
func (l *partLoader) str(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// list returns the index of the ;-separated list text among this
// worker's lists (0 when empty); ok is false when an item is not known.
func (l *partLoader) list(text string, known func(string) bool) (uint32, bool) {
	if text == "" {
		return 0, true
	}
	if k, ok := l.lists[text]; ok {
		return k, true
	}
	if l.badList[text] {
		return 0, false
	}
	v := SplitList(text)
	for _, item := range v {
		if !known(item) {
			l.badList[text] = true
			return 0, false
		}
	}
	k := uint32(len(l.items))
	l.lists[text], l.items = k, append(l.items, v)
	return k, true
}

// merge enters this worker's lists and classes into store's and
// renumbers rows' indexes to match.
func (l *partLoader) merge(store *partStore, rows []partRow) {
	for _, i := range l.wideAt {
		rows[i].at += uint32(len(store.wide))
	}
	store.wide = append(store.wide, l.wide...)
	to := make([]uint32, len(l.items))
	same := true // the first worker's lists and classes keep their numbers
	for k := 1; k < len(l.items); k++ {
		to[k] = store.list(l.items[k])
		same = same && to[k] == uint32(k)
	}
	toClass := make([]uint32, len(l.classes))
	for k, c := range l.classes {
		if c.ok { // the rows name no other
			toClass[k] = store.class(c.text)
			same = same && toClass[k] == uint32(k)
		}
	}
	if same {
		return
	}
	for i := range rows {
		r := &rows[i]
		r.class, r.elements, r.tech = toClass[r.class], to[r.elements], to[r.tech]
	}
}

// partArrays are what the fast reader's parser makes of each row.
type partArrays struct {
	rows   []partRow
	values []float64
	china  []bool // made in China
	tech   []bool // made with Chinese technology
}

// newPartArrays makes the arrays for n rows.
func newPartArrays(n int) partArrays {
	return partArrays{make([]partRow, n), make([]float64, n), make([]bool, n), make([]bool, n)}
}

// memory is the arrays' bytes, for prefault.
func (a partArrays) memory() [][]byte {
	return [][]byte{memory(a.rows), memory(a.values), memory(a.china), memory(a.tech)}
}

// slice is rows from to to.
func (a partArrays) slice(from, to int) partArrays {
	return partArrays{a.rows[from:to], a.values[from:to], a.china[from:to], a.tech[from:to]}
}

// moveDown moves n rows from from down to to.
func (a partArrays) moveDown(to, from, n int) {
	copy(a.rows[to:], a.rows[from:from+n])
	copy(a.values[to:], a.values[from:from+n])
	copy(a.china[to:], a.china[from:from+n])
	copy(a.tech[to:], a.tech[from:from+n])
}

// parse fills out from the rows of chunk, and probes with their ids'
// probes (for idTable.insert), and returns how many rows it read, and the
// first bad row.
func (l *partLoader) parse(chunk []byte, out partArrays, probes []idProbe) (int, *rowError) {
	at := make([]int32, l.maxCol+3)
	n := 0
	for pos := 0; pos < len(chunk); {
		start := pos
		nf, end, next := splitLine(chunk, pos, at)
		pos = next
		if end-start > maxRecord {
			return n, &rowError{off: start, field: "csv", why: lineTooLong()}
		}
		if end == start {
			continue
		}
		f := func(i int) []byte { return fieldOf(chunk, at, nf, l.cols[i]) }
		id, desc, class, hs, origin, value := f(0), f(1), f(2), f(3), f(4), f(5)
		// The lists are checked once per distinct text (l.list); only a bad
		// one is split again, for checkLists to say what is wrong with it.
		ci, classOK := l.class(class)
		v, valueOK := parseDecimal(value)
		// checkRow's conditions, tested in line: most rows pass them, and
		// checkRow, which returns a message, is called only to word what is
		// wrong. (As a function of its own, not inlined, the test cost the
		// parse 14% more.)
		var field string
		var why i18n.Msg
		if len(id) == 0 || !classOK || !rarex.IsCountry(l.str(origin)) || !valueOK || len(hs) > 0 && !rarex.IsHSCode(l.str(hs)) {
			field, why = checkRow(l.str(id), l.str(class), classOK, l.str(origin), l.str(value), valueOK, l.str(hs))
		}
		var elements, tech uint32
		if field == "" {
			var okE, okT bool
			elements, okE = l.list(l.str(f(6)), rarex.IsElement)
			tech, okT = l.list(l.str(f(7)), l.vocab.IsStage)
			if !okE || !okT {
				p := Part{Elements: SplitList(l.str(f(6))), CNTechnology: SplitList(l.str(f(7)))}
				field, why = checkLists(&p, l.vocab)
			}
		}
		if field != "" {
			return n, &rowError{off: start, column: column(at, nf, l.cols[slices.Index(partColumns, field)], start), field: field, why: why}
		}
		sp := rowSpans{id: l.span(id), desc: l.span(desc), hs: l.span(hs), origin: l.span(origin), value: l.span(value)}
		r := &out.rows[n]
		r.class, r.elements, r.tech = ci, elements, tech
		if r.place(l.span(chunk[start:end]).off, &sp, &l.wide) { // numbered among the chunk's wide rows until merge
			l.wideAt = append(l.wideAt, n)
		}
		out.values[n] = v
		probes[n] = l.ids.probeAt(bytesOf(l.s), int(sp.id.off), int(sp.id.off+sp.id.n))
		out.china[n], out.tech[n] = l.str(origin) == "CN", tech != 0
		n++
	}
	return n, nil
}

// prefault writes a zero into each page of the arrays, whose bytes are
// all zero (fresh from make), so that the kernel maps their pages in now,
// in order, and not at random as the table's probes or the parse first
// touch them. The pages are shared out between two goroutines, evenly:
// two fault in their pages faster than one (twice as fast on one machine,
// 1.4 times on another, where a fresh page cost the host 11–17 µs), and
// an uneven share keeps the other core waiting.
func prefault(arrays ...[]byte) {
	total := 0
	for _, a := range arrays {
		total += len(a)
	}
	touch := func(from, to int) { // the bytes from to to of the arrays one after another
		for _, a := range arrays {
			for i := max(from, 0); i < min(to, len(a)); i += 4096 {
				a[i] = 0
			}
			from, to = from-len(a), to-len(a)
		}
	}
	if total < 2*minChunk || runtime.GOMAXPROCS(0) < 2 {
		touch(0, total)
		return
	}
	half := total / 2 &^ 4095
	parallel(2, func(k int) {
		if k == 0 {
			touch(0, half)
		} else {
			touch(half, total)
		}
	})
}

// memory is the bytes of s.
func memory[T any](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), uintptr(len(s))*unsafe.Sizeof(s[0]))
}

// parallel runs f(0) … f(n-1), each on a goroutine of its own when n > 1.
func parallel(n int, f func(k int)) {
	if n == 1 {
		f(0)
		return
	}
	var wg sync.WaitGroup
	for k := range n {
		wg.Go(func() { f(k) })
	}
	wg.Wait()
}

// both runs f and g at once, on two goroutines.
func both(f, g func()) {
	parallel(2, func(k int) {
		if k == 0 {
			f()
		} else {
			g()
		}
	})
}

// spread runs f(worker, 0) … f(worker, n-1) on w goroutines, numbered
// worker, each taking the next k when it is done with one, so that a core
// slowed by others does less.
func spread(n, w int, f func(worker, k int)) {
	var next atomic.Int64
	parallel(min(n, w), func(worker int) {
		for k := int(next.Add(1) - 1); k < n; k = int(next.Add(1) - 1) {
			f(worker, k)
		}
	})
}

// lineStarts counts the lines of each chunk (a last line without a line
// feed counts), on w goroutines: chunk k's lines are starts[k] to
// starts[k+1] of them all, and starts[len(cs)] is their number. quoted
// tells whether a chunk holds a double quote (the fast reader then
// leaves the file to the streaming one): looked for here, on every core,
// rather than in a pass of its own on one.
func lineStarts(cs [][]byte, w int) (starts []int, quoted bool) {
	starts = make([]int, len(cs)+1)
	quotes := make([]bool, len(cs))
	spread(len(cs), w, func(_, k int) {
		c := cs[k]
		n := bytes.Count(c, []byte{'\n'})
		if len(c) > 0 && c[len(c)-1] != '\n' {
			n++
		}
		starts[k+1], quotes[k] = n, bytes.IndexByte(c, '"') >= 0
	})
	for k := range cs {
		starts[k+1] += starts[k]
	}
	return starts, slices.Contains(quotes, true)
}

// lineAt returns the line number of byte off of data, whose first byte is
// on line first.
func lineAt(data []byte, off, first int) int {
	return first + bytes.Count(data[:off], []byte{'\n'})
}

// errQuoted is loadParts's and edgeLines's answer to a file with quoted
// fields (a field may then hold a comma or a line feed): the streaming
// reader reads those.
var errQuoted = errors.New("quoted fields")

// quotedHeader reports whether a file whose first bytes are data, its
// header ending at end (err from reading it), is the streaming reader's:
// quotes in the header, or anywhere in data when the header is bad (the
// error is then the streaming reader's to word). lineStarts looks for
// quotes in the rest.
func quotedHeader(data []byte, end int, err error) bool {
	return err != nil && bytes.IndexByte(data, '"') >= 0 || bytes.IndexByte(data[:end], '"') >= 0
}

// loadParts parses a parts file, whole in data, and fills the id table;
// errQuoted when a field is quoted.
func loadParts(data []byte, file string, vocab Vocabulary) (*builder, error) {
	t, end, err := header(data, true, file, func(r io.Reader, f string) (*table, error) {
		pr, err := openParts(r, f, vocab)
		if err != nil {
			return nil, err
		}
		return pr.t, nil
	})
	if quotedHeader(data, end, err) {
		return nil, errQuoted
	}
	if err != nil {
		return nil, err
	}
	cols := t.index(partColumns...)
	body, first := data[end:], t.line()+1
	w := workers(len(body))
	cs := coreChunks(body, w, partChunks)
	starts, quoted := lineStarts(cs, w)
	if quoted {
		return nil, errQuoted
	}
	total := starts[len(cs)]
	// The arrays and the table are made on two cores at once (reused
	// memory is zeroed as it is made), then faulted in on two.
	store := newPartStore(0)
	var arrays partArrays
	var ids *idTable
	both(func() { arrays = newPartArrays(total) }, func() { ids = newLoadTable(store, total) })
	prefault(append(arrays.memory(), memory(ids.slots))...)
	store.text, store.rows = data, arrays.rows
	rows, errs := make([]int, len(cs)), make([]*rowError, len(cs))
	s := unsafe.String(unsafe.SliceData(data), len(data))
	loaders := make([]*partLoader, len(cs))
	// Chunk by chunk in order, once parsed, its lists and classes join the
	// store's, its rows move down over the gaps that empty lines left
	// before them, and its ids go into the table: on whichever core is
	// free, while the other parses, up to the first bad row.
	n, line := 0, first
	var bad error
	// Each chunk's probes wait in a buffer of their own from its parse to
	// its entering, when the buffer is free for another chunk: a few are
	// in use at once, not a 16-byte probe for every part of the file.
	probes, free := make([][]idProbe, len(cs)), [][]idProbe(nil)
	enter := func(k int) {
		if bad != nil {
			return
		}
		base := starts[k]
		loaders[k].merge(store, arrays.rows[base:base+rows[k]])
		if n != base {
			arrays.moveDown(n, base, rows[k])
		}
		ids.insert(probes[k][:rows[k]], n)
		n += rows[k]
		if e := errs[k]; e != nil {
			bad = newParseError(file, lineAt(cs[k], e.off, line), e.column, e.field, e.why)
		}
		line += starts[k+1] - base
	}
	var turn sync.Mutex // guards parsed, next, entering and free
	parsed, next, entering := make([]bool, len(cs)), 0, false
	spread(len(cs), w, func(_, k int) {
		base, end := starts[k], starts[k+1]
		l := &partLoader{s: s, cols: cols, maxCol: slices.Max(cols), vocab: vocab, ids: ids,
			lists: map[string]uint32{}, items: [][]string{nil}, badList: map[string]bool{}}
		loaders[k] = l
		turn.Lock()
		var buf []idProbe
		if last := len(free) - 1; last >= 0 && cap(free[last]) >= end-base {
			buf, free = free[last], free[:last]
		}
		turn.Unlock()
		if buf == nil { // chunks differ a little in rows: room for the next ones
			buf = make([]idProbe, 0, (end-base)*9/8)
		}
		probes[k] = buf[:end-base]
		rows[k], errs[k] = l.parse(cs[k], arrays.slice(base, end), probes[k])
		// The goroutine that finds no one entering chunks enters every
		// parsed one that is next in order; the others go on parsing.
		turn.Lock()
		parsed[k] = true
		if entering {
			turn.Unlock()
			return
		}
		entering = true
		for next < len(cs) && parsed[next] {
			k := next
			turn.Unlock()
			enter(k)
			turn.Lock()
			free, probes[k] = append(free, probes[k]), nil
			next++
		}
		entering = false
		turn.Unlock()
	})
	clear(arrays.rows[n:])
	store.rows = arrays.rows[:n:n]
	if dup, first := ids.duplicate(); dup >= 0 {
		// A repeated id before the first bad row is the first error.
		return nil, dupError(data, file, store, dup, first)
	}
	if bad != nil {
		return nil, bad
	}
	g := &Graph{parts: store, value: arrays.values[:n:n], ids: ids, china: arrays.china[:n:n], hasTech: arrays.tech[:n:n]}
	return &builder{g: g}, nil
}

// dupError reports part dup as a repeat of part first, at the line and
// column where dup's id is written.
func dupError(data []byte, file string, store *partStore, dup, first int32) error {
	where := func(i int32) (line, col int) {
		off := int(store.idSpan(i).off)
		start := bytes.LastIndexByte(data[:off], '\n') + 1
		for off > start && (data[off-1] == ' ' || data[off-1] == '\t') {
			off--
		}
		return lineAt(data, start, 1), off - start + 1
	}
	line, col := where(dup)
	firstLine, _ := where(first)
	return newParseError(file, line, col, "part_id", listedTwice(store.id(dup), firstLine))
}

// edgeLoader parses the rows of a chunk of edges.csv into its slices of
// the builder's arrays: one per core, taking chunk after chunk.
type edgeLoader struct {
	ids       *idTable
	cols      []int
	at        []int32
	partsFile string
	chunk     []byte
	runs      []parentRun // the chunk's edges' parents, numbered from base
	base      int32       // the number of the chunk's first edge in the builder
	child     []int32
	qty       []float64
	long      map[int32]string // by index in this chunk
	// Ids waiting to be looked up in a batch, whose independent lookups
	// overlap their cache misses: the child of every edge from edge from
	// on, and the parents that differ from the edge before's (pedge says
	// whose). No pointers: appending costs no write barrier.
	from   int
	cprobe []idProbe
	clong  []longID // where each child longer than a slot is in the chunk
	pprobe []idProbe
	pid    []span
	pedge  []int32
	found  []int32
}

// start makes l ready for chunk, whose edges go into these empty slices
// and are numbered from base; what an earlier chunk left pending (it
// failed) is dropped.
func (l *edgeLoader) start(chunk []byte, base int, child []int32, qty []float64) {
	// The runs are sized as the loader's chunk before had them per edge:
	// grown from nothing, a chunk's runs made twice what they kept in
	// garbage.
	size := 16
	if len(l.child) > 0 {
		size += int(float64(cap(child)) * float64(len(l.runs)) / float64(len(l.child)) * 1.1)
	}
	l.chunk, l.base, l.runs, l.child, l.qty, l.long, l.from = chunk, int32(base), make([]parentRun, 0, size), child, qty, nil, 0
	l.clearPending()
}

func (l *edgeLoader) clearPending() {
	l.cprobe, l.clong, l.pprobe, l.pid, l.pedge = l.cprobe[:0], l.clong[:0], l.pprobe[:0], l.pid[:0], l.pedge[:0]
}

func (l *edgeLoader) idAt(sp span) []byte { return l.chunk[sp.off : sp.off+sp.n] }

// longID is where a queued child longer than a slot is: the batch's only
// ids whose text a lookup reads. The others' places are not kept (a store
// per edge that showed in the profile); an error finds its line again.
type longID struct {
	at int32 // in the batch
	sp span
}

// longAt is where the queued child at of the batch is, a long one.
func (l *edgeLoader) longAt(at int) span {
	k, _ := slices.BinarySearchFunc(l.clong, int32(at), func(id longID, at int32) int { return cmp.Compare(id.at, at) })
	return l.clong[k].sp
}

// childAt is where the child of the chunk's edge e, queued with probe p,
// is: looked up for a long one, else found by reading the chunk's lines
// again up to the edge's (every line but the empty ones has an edge, up
// to the first bad one), for an error message.
func (l *edgeLoader) childAt(e int, p idProbe) span {
	if p.long() {
		return l.longAt(e - l.from)
	}
	maxCol := slices.Max(l.cols)
	for pos, k := 0, 0; pos < len(l.chunk); {
		start := pos
		_, child, _, end, next := l.fields(pos, maxCol)
		pos = next
		if end == start {
			continue
		}
		if k == e {
			return span{uint32(offsetIn(l.chunk, child)), uint32(len(child))}
		}
		k++
	}
	panic("bom: edge beyond its chunk")
}

// fields splits the line of the chunk at pos, of which column maxCol is
// the last wanted, and gives its parent, child and quantity (trimmed),
// the end of its text and the start of the next line.
func (l *edgeLoader) fields(pos, maxCol int) (parent, child, qty []byte, end, next int) {
	if maxCol == 2 { // the first three columns, in some order
		var f [3][]byte
		f[0], f[1], f[2], end, next = split3(l.chunk, pos)
		return f[l.cols[0]], f[l.cols[1]], f[l.cols[2]], end, next
	}
	nf, end, next := splitLine(l.chunk, pos, l.at)
	return fieldOf(l.chunk, l.at, nf, l.cols[0]), fieldOf(l.chunk, l.at, nf, l.cols[1]), fieldOf(l.chunk, l.at, nf, l.cols[2]), end, next
}

// resolve looks the pending ids up, the children straight into their
// edges. On an unknown id the edges are cut back to the ones before it.
func (l *edgeLoader) resolve() *rowError {
	from := l.from
	out := l.child[from:]
	l.ids.findBatch(l.cprobe, func(i int) []byte { return l.idAt(l.longAt(i)) }, out)
	l.found = slices.Grow(l.found[:0], len(l.pprobe))[:len(l.pprobe)]
	l.ids.findBatch(l.pprobe, func(i int) []byte { return l.idAt(l.pid[i]) }, l.found)
	// The first unknown id in file order; on one line, the parent's.
	bad, badID := -1, span{}
	field, col := "parent_id", l.cols[0]
	for k, c := range l.found {
		if c < 0 {
			bad, badID = int(l.pedge[k]), l.pid[k]
			break
		}
	}
	for i, c := range out {
		if c < 0 {
			if bad < 0 || from+i < bad {
				bad, field, col = from+i, "child_id", l.cols[1]
				badID = l.childAt(from+i, l.cprobe[i])
			}
			break
		}
	}
	if bad >= 0 {
		l.child, l.qty = l.child[:bad], l.qty[:bad]
		for k := range l.long {
			if int(k) >= bad {
				delete(l.long, k)
			}
		}
		start := bytes.LastIndexByte(l.chunk[:badID.off], '\n') + 1
		nf, _, _ := splitLine(l.chunk, start, l.at) // the column, known only now that it is needed
		return &rowError{off: start, column: column(l.at, nf, col, start), field: field, why: notPartIn(l.idAt(badID), l.partsFile)}
	}
	for k, c := range l.found {
		l.runs = append(l.runs, parentRun{c, l.base + l.pedge[k]})
	}
	l.clearPending()
	l.from = len(l.child)
	return nil
}

// fail resolves what is pending (an unknown id there comes first)
// and returns err.
func (l *edgeLoader) fail(err *rowError) *rowError {
	if e := l.resolve(); e != nil {
		return e
	}
	return err
}

func (l *edgeLoader) parse() *rowError {
	chunk := l.chunk
	maxCol := slices.Max(l.cols)
	if len(l.at) < maxCol+3 {
		l.at = make([]int32, maxCol+3)
	}
	at := l.at
	quick := maxCol == 2 && l.cols[0] == 0 && l.cols[1] == 1 && l.cols[2] == 2
	var last lastParent
	for pos := 0; pos < len(chunk); {
		if quick { // the common lines from here on
			var err *rowError
			if pos, err = l.quickLines(pos, len(chunk), &last); err != nil {
				return err
			}
			if pos >= len(chunk) {
				break
			}
		}
		// A line quickLines leaves, split field by field.
		start := pos
		parent, child, qty, end, next := l.fields(pos, maxCol)
		pos = next
		if end-start > maxRecord {
			return l.fail(&rowError{off: start, field: "csv", why: lineTooLong()})
		}
		if end == start {
			continue
		}
		// parseQuantity checks what checkEdge would; checkEdge words it.
		q, long, ok := parseQuantity(qty)
		if !ok || len(parent) == 0 || len(child) == 0 {
			field, why := checkEdge(parent, child, qty)
			if field == "" { // a decimal too large for a float64
				field, why = "quantity", i18n.M("bom.err.quantity", string(qty))
			}
			nf, _, _ := splitLine(chunk, start, at) // the column, known only now that it is needed
			return l.fail(&rowError{off: start, column: column(at, nf, l.cols[slices.Index(edgeColumns, field)], start), field: field, why: why})
		}
		if !bytes.Equal(parent, last.id) {
			off := offsetIn(chunk, parent)
			l.queueParent(l.ids.probeAt(chunk, off, off+len(parent)), off, len(parent), &last)
		}
		off := offsetIn(chunk, child)
		if e := l.queue(l.ids.probeAt(chunk, off, off+len(child)), off, len(child), q, long); e != nil {
			return e
		}
	}
	return l.resolve()
}

// quickLines reads the chunk's lines from pos on, up to the first that
// starts at end or after, while each is the common edge line
// "parent,child,quantity\n": ids of 1 to 8 bytes, none below '!', and a
// quantity of 1 to 7 bytes that quickQuantity reads. It queues each edge,
// and each parent that differs from the line before's, and returns the
// start of the first line it leaves (for split3 to read), or where it
// stopped. A line is read from one word load per field instead of a line
// search, a comma search and a trim per field. A line that starts with
// the previous line's parent and a comma (last.prefix) has that parent,
// whatever its bytes: the child's word is then loaded without the
// parent's id being worked out. A line starting fewer than quickRoom
// bytes before the chunk's end is left. The loop makes no call for a
// line but, now and then, to queue a parent, prefetch, or look a batch
// up: a call per line to read it and another to queue it cost the edges
// 5% more.
func (l *edgeLoader) quickLines(pos, end int, last *lastParent) (int, *rowError) {
	b := l.chunk
	for pos < end && pos+quickRoom <= len(b) {
		w := binary.LittleEndian.Uint64(b[pos:])
		var pl int // the parent's length and head, unless it is the last one
		var ph uint64
		c := pos + last.prefix.n // where the child starts
		if last.prefix.n == 0 || w&last.prefix.mask != last.prefix.key {
			k, head, low := idWord(w)
			if k == 0 || low || k == 8 && b[pos+8] != ',' {
				return pos, nil
			}
			pl, ph, c = k, head, pos+k+1
		}
		cl, ch, low := idWord(binary.LittleEndian.Uint64(b[c:]))
		if cl == 0 || low || cl == 8 && b[c+8] != ',' {
			return pos, nil
		}
		at := c + cl + 1
		w = binary.LittleEndian.Uint64(b[at:])
		k := bits.TrailingZeros64(equal(w, '\n')) >> 3 // the quantity's length
		if k == 0 || k == 8 {
			return pos, nil
		}
		q := float64(byte(w) - '0')
		if d := byte(w) - '1'; k != 1 || d >= 9 { // not one digit from 1 to 9, as most are
			var ok bool
			if q, ok = quickQuantity(b[at : at+k]); !ok {
				return pos, nil
			}
		}
		if pl > 0 && !last.is(pl, ph) {
			l.queueParent(l.ids.probe(l.ids.hash.short(ph, pl), ph, pl), pos, pl, last)
		}
		// queue, in line: no id of up to 8 bytes is longer than a slot
		// holds, and no quantity quickQuantity reads needs its text kept.
		l.cprobe = append(l.cprobe, l.ids.probe(l.ids.hash.short(ch, cl), ch, cl))
		l.child, l.qty = append(l.child, -1), append(l.qty, q)
		if len(l.cprobe)%prefetchRun == 0 {
			if err := l.queued(); err != nil {
				return pos, err
			}
		}
		pos = at + k + 1
	}
	return pos, nil
}

// idWord reads the id at the start of w, up to its comma (8 bytes when
// there is none): its length, its head, and whether a byte below '!' (a
// line feed, or a blank that trim would take off) is in it. Small enough
// to be inlined.
func idWord(w uint64) (k int, head uint64, low bool) {
	k = bits.TrailingZeros64(equal(w, ',')) >> 3
	m := uint64(1)<<(8*uint(k)) - 1 // the id's bytes; all when there is no comma
	v := w | ^m
	return k, w & m, (v-'!'*ones)&^v&highs != 0 // bytes from 0x80 aside
}

// lastParent is the previous edge's parent: its bytes, its head (headOf)
// and the first bytes of a line that has it, for quickLines.
type lastParent struct {
	id     []byte
	head   uint64
	prefix parentPrefix
}

func (p *lastParent) set(id []byte, head uint64) { p.id, p.head, p.prefix = id, head, prefixOf(id) }

// is reports whether an id of at most 8 bytes, n long with this head, is p.
func (p *lastParent) is(n int, head uint64) bool { return n == len(p.id) && head == p.head }

// queueParent queues the parent of the next edge and those after it, the
// id of n bytes at off with probe p, to be looked up, and makes it last.
func (l *edgeLoader) queueParent(p idProbe, off, n int, last *lastParent) {
	last.set(l.chunk[off:off+n], p.head)
	l.pprobe = append(l.pprobe, p)
	l.pid, l.pedge = append(l.pid, span{uint32(off), uint32(n)}), append(l.pedge, int32(len(l.child)))
	if k := len(l.pprobe); k%prefetchRun == 0 {
		l.ids.prefetch(l.pprobe[k-prefetchRun:])
	}
}

// queue adds an edge whose parent is the last queued and whose child,
// the id of n bytes at off, is queued to be looked up; long is the
// quantity's text when q does not give it back exactly. A full batch is
// looked up at once.
func (l *edgeLoader) queue(child idProbe, off, n int, q float64, long string) *rowError {
	if long != "" {
		if l.long == nil {
			l.long = map[int32]string{}
		}
		l.long[int32(len(l.child))] = long
	}
	if child.long() {
		l.clong = append(l.clong, longID{int32(len(l.cprobe)), span{uint32(off), uint32(n)}})
	}
	l.cprobe = append(l.cprobe, child)
	l.child, l.qty = append(l.child, -1), append(l.qty, q)
	if len(l.cprobe)%prefetchRun == 0 {
		return l.queued()
	}
	return nil
}

// queued follows a run of queued children: it prefetches their slots, and
// looks a full batch up.
func (l *edgeLoader) queued() *rowError {
	k := len(l.cprobe)
	l.ids.prefetch(l.cprobe[k-prefetchRun:])
	if k == batchSize {
		return l.resolve()
	}
	return nil
}

// loadEdges reads edges.csv in blocks. The lines of each are cut into a
// few chunks per core, and every chunk's edges are written straight into
// the builder's arrays, at the place its line count gives. A block stays
// in cache while it is parsed: reading the file whole instead was slower.
func (b *builder) loadEdges(r io.Reader, file, partsFile string) error {
	buf := make([]byte, edgeBlock)
	n, err := readFull(r, buf)
	eof := err == io.EOF || err == io.ErrUnexpectedEOF
	if err != nil && !eof {
		return fmt.Errorf("%s: %w", file, err)
	}
	buf = buf[:n]
	stream := func(rest []byte, t *table, line int) error {
		var from io.Reader = bytes.NewReader(rest)
		if !eof {
			from = io.MultiReader(from, r)
		}
		t.s = newScanner(from, file)
		t.s.next = line
		return b.readEdgeRows(t, -1, file, partsFile)
	}
	// A quoted header (a record may then span lines) or one longer than a
	// block: stream it all.
	t, end, err := header(buf, eof, file, openEdges)
	if quotedHeader(buf, end, err) || err == nil && t == nil {
		return b.readEdges(io.MultiReader(bytes.NewReader(buf), r), file, partsFile)
	}
	if err != nil {
		return err
	}
	cols := t.index(edgeColumns...)
	line := t.line() + 1
	// One loader per core, its scratch kept from chunk to chunk.
	loaders := make([]*edgeLoader, workers(len(buf)))
	for k := range loaders {
		loaders[k] = &edgeLoader{ids: b.g.ids, cols: cols, partsFile: partsFile}
	}
	if size := sizeOf(r); size > 0 && end < n {
		// Size the arrays once from the first block's lines.
		per := float64(n-end) / float64(max(1, bytes.Count(buf[end:], []byte{'\n'})))
		h := int(float64(size) / per * 1.02)
		// Made on two cores: each is zeroed (or, fresh, faulted in) as
		// it is made, while the other core would wait.
		both(func() { b.echild = make([]int32, 0, h) }, func() { b.eqty = make([]float64, 0, h) })
	}
	data := buf[end:]
	for {
		// Parse the whole lines of data; keep the last, partial one.
		whole := data
		if !eof {
			nl := bytes.LastIndexByte(data, '\n')
			if nl < 0 && len(data) > maxRecord {
				return newParseError(file, line, 0, "csv", lineTooLong())
			}
			whole = data[:nl+1]
		}
		var err error
		if line, err = b.edgeLines(whole, loaders, line, file); err == errQuoted {
			return stream(data, &table{file: file, col: t.col}, line)
		}
		if err != nil {
			return err
		}
		if eof {
			return nil
		}
		// Move the partial line to the front and fill the rest (a line
		// longer than the block gets a larger one).
		if len(whole) == 0 {
			buf = append(buf[:cap(buf)], make([]byte, cap(buf))...)
		}
		rest := copy(buf[:cap(buf)], data[len(whole):])
		buf = buf[:cap(buf)]
		n, err := readFull(r, buf[rest:])
		eof = err == io.EOF || err == io.ErrUnexpectedEOF
		if err != nil && !eof {
			return fmt.Errorf("%s: %w", file, err)
		}
		data = buf[:rest+n]
	}
}

// edgeLines adds the edges of whole, whole lines of which the first is
// line, with one loader per goroutine, and returns the number of the line
// after them; errQuoted, having added none, when a field is quoted.
func (b *builder) edgeLines(whole []byte, loaders []*edgeLoader, line int, file string) (int, error) {
	w := len(loaders)
	cs := coreChunks(whole, w, edgeChunks)
	starts, quoted := lineStarts(cs, w)
	if quoted {
		return line, errQuoted
	}
	total := starts[len(cs)]
	at := len(b.echild)
	b.echild, b.eqty = slices.Grow(b.echild, total), slices.Grow(b.eqty, total)
	b.echild, b.eqty = b.echild[:at+total], b.eqty[:at+total]
	type result struct {
		edges int
		long  map[int32]string
		runs  []parentRun
		err   *rowError
	}
	results := make([]result, len(cs))
	spread(len(cs), w, func(worker, k int) {
		from, to := at+starts[k], at+starts[k+1]
		// Empty slices over the chunk's place: each line holds at most
		// one edge, so appending never leaves it.
		l := loaders[worker]
		l.start(cs[k], from, b.echild[from:from:to], b.eqty[from:from:to])
		err := l.parse()
		results[k] = result{len(l.child), l.long, l.runs, err}
	})
	// Close the gaps that empty lines left, up to the first bad row.
	n := at
	for k, r := range results {
		base := at + starts[k]
		if n != base {
			copy(b.echild[n:], b.echild[base:base+r.edges])
			copy(b.eqty[n:], b.eqty[base:base+r.edges])
			for i := range r.runs { // numbered from base, as if no line were empty
				r.runs[i].from -= int32(base - n)
			}
		}
		for i, text := range r.long {
			if b.long == nil {
				b.long = map[int32]string{}
			}
			b.long[int32(n)+i] = text
		}
		b.runs = append(b.runs, r.runs)
		n += r.edges
		if e := r.err; e != nil {
			b.echild, b.eqty = b.echild[:n], b.eqty[:n]
			return 0, newParseError(file, lineAt(cs[k], e.off, line), e.column, e.field, e.why)
		}
		line += starts[k+1] - starts[k]
	}
	b.echild, b.eqty = b.echild[:n], b.eqty[:n]
	return line, nil
}
