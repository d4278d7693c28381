package bom

import (
	"encoding/binary"
	"hash/maphash"
	"math/bits"
	"sync/atomic"
	"unsafe"
)

// idTable maps part ids to dense indexes: open addressing over 16-byte
// slots, each holding the first 8 bytes of its id, the id's length, 24
// bits of its hash and its index. An id of at most 8 bytes (most part
// numbers of generated and many real BOMs) is matched in the slot alone:
// a lookup costs one cache miss, not the three of slot, part and id text.
// Longer ids are compared whole once their slot matches. A lookup by a
// []byte field allocates nothing. A million parts read by the fast
// reader take 64 MB of slots, a quarter full (see newLoadTable).
type idTable struct {
	hash  idHasher
	slots []idSlot      // a power of two of them
	dup   [2]int32      // see duplicate
	store *partStore    // the ids, by index
	sink  atomic.Uint64 // keeps findBatch's touching loads from being optimised away
	// The slots hold the parts' numbers as they were read; once the
	// layout has moved the parts, placed gives their places. Looking the
	// place up on the few lookups after loading costs less than
	// rewriting every slot.
	placed *numbering
}

// at is the number of the part in slot s: its place, once laid out.
func (t *idTable) at(s idSlot) int32 {
	if t.placed != nil {
		return t.placed.place(s.index())
	}
	return s.index()
}

// idSlot is one entry: head is the id's first 8 bytes (zero padded),
// meta is index+1 in the upper half and the tag in the lower; 0 is empty.
type idSlot struct{ head, meta uint64 }

// inline is the longest id a slot holds whole.
const inline = 8

// headOf is the first 8 bytes of id, little endian, zero padded.
func headOf(id []byte) uint64 {
	if len(id) >= 8 {
		return binary.LittleEndian.Uint64(id)
	}
	var w uint64
	for i := len(id) - 1; i >= 0; i-- {
		w = w<<8 | uint64(id[i])
	}
	return w
}

// tagOf is the lower half of a slot's meta: the id's length (255 for any
// longer) and 24 bits of its hash.
func tagOf(h uint64, n int) uint64 {
	return uint64(min(n, 255))<<24 | h>>40
}

func (s idSlot) index() int32 { return int32(s.meta>>32) - 1 }

// idHasher is the table's hash of an id. An id of at most 8 bytes, as
// nearly all are, is hashed from its head word by two multiplications
// with random keys: a few instructions in line, where maphash is a call
// that costs more than the rest of an edge's parsing. Longer ids go
// through maphash. The hash only spreads ids over the slots: a match is
// decided by head and length (and the whole id when longer), never by it.
type idHasher struct {
	seed           maphash.Seed
	k0, k1, k2, k3 uint64
}

func newIDHasher() idHasher {
	seed := maphash.MakeSeed()
	k := func(s string) uint64 { return maphash.String(seed, s) | 1 }
	return idHasher{seed, k("k0"), k("k1"), k("k2"), k("k3")}
}

// short hashes an id of n ≤ 8 bytes whose head is w.
func (h *idHasher) short(w uint64, n int) uint64 {
	hi, lo := bits.Mul64(w^h.k0, uint64(n)^h.k1)
	hi, lo = bits.Mul64(hi^lo^h.k2, h.k3)
	return hi ^ lo
}

func (h *idHasher) bytes(id []byte) uint64 {
	hash, _ := h.hashAt(id, 0, len(id))
	return hash
}

func (h *idHasher) string(id string) uint64 { return h.bytes(bytesOf(id)) }

// hashAt hashes the id at b[from:to] and gives its head as well,
// reading the head as one word when the bytes after the id allow.
func (h *idHasher) hashAt(b []byte, from, to int) (hash, head uint64) {
	n := to - from
	if n > inline {
		id := b[from:to]
		return maphash.Bytes(h.seed, id), headOf(id)
	}
	head = headAt(b, from, to)
	return h.short(head, n), head
}

// headAt is headOf(b[from:to]), read as one word when the bytes after the
// id allow.
func headAt(b []byte, from, to int) uint64 {
	if n := to - from; n <= 8 && from+8 <= len(b) {
		return binary.LittleEndian.Uint64(b[from:]) & (^uint64(0) >> (64 - 8*uint(n))) // n = 0: shifted out whole
	}
	return headOf(b[from:to])
}

// idProbe is an id to look up in a batch: its head, its home slot and its
// tag, worked out when the id is read, so that the batch's first stage
// is a bare load per id. The fewer instructions between those loads, the
// more of them the processor has in flight at once: with the home slot
// computed there, lookups took half as long again.
type idProbe struct {
	head uint64
	slot uint32
	tag  uint32
}

func (p idProbe) long() bool { return longTag(p.tag) }

// entry is the slot that holds p's id as part i's.
func (p idProbe) entry(i int32) idSlot { return idSlot{p.head, uint64(i+1)<<32 | uint64(p.tag)} }

// holds reports whether s holds an id with p's head, length and tag: p's
// id, unless it is longer than a slot holds (then it is compared whole).
func (s idSlot) holds(p idProbe) bool { return uint32(s.meta) == p.tag && s.head == p.head }

// longTag reports whether the id of a slot's tag is longer than a slot holds.
func longTag(tag uint32) bool { return tag>>24 > inline }

// probe is the probe for an id of n bytes with this hash and head.
func (t *idTable) probe(hash, head uint64, n int) idProbe {
	return idProbe{head, t.home(hash), uint32(tagOf(hash, n))}
}

// probeAt is the probe for the id at b[from:to].
func (t *idTable) probeAt(b []byte, from, to int) idProbe {
	h, head := t.hash.hashAt(b, from, to)
	return t.probe(h, head, to-from)
}

// bytesOf is s's bytes, not copied: only for reading.
func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// newIDTable makes a table for the ids of store's parts, sized for about
// hint of them.
func newIDTable(store *partStore, hint int) *idTable {
	t := &idTable{hash: newIDHasher(), store: store}
	t.slots = make([]idSlot, tableSize(hint, 2))
	return t
}

// home returns the first slot to probe for hash h.
func (t *idTable) home(h uint64) uint32 { return uint32(h) & t.mask() }

// mask keeps a slot number within the table.
func (t *idTable) mask() uint32 { return uint32(len(t.slots) - 1) }

// nextSlot is the slot probed after slot j.
func nextSlot(j, mask uint32) uint32 { return (j + 1) & mask }

// lookup returns the index of id, whose hash is h, or -1.
func (t *idTable) lookup(h uint64, id []byte) int32 {
	mask, p := t.mask(), t.probe(h, headOf(id), len(id))
	for i := p.slot; ; i = nextSlot(i, mask) {
		s := t.slots[i]
		if s.meta == 0 {
			return -1
		}
		if s.holds(p) && (!p.long() || t.key(t.at(s)) == string(id)) {
			return t.at(s)
		}
	}
}

func (t *idTable) key(i int32) string { return t.store.id(i) }

// reserve sizes the table for about n ids, so a large file does not
// rehash and copy the table as it grows.
func (t *idTable) reserve(n int) {
	if 2*n <= len(t.slots) {
		return
	}
	t.rehash(tableSize(n, 2))
}

// rehash moves the entries into size slots.
func (t *idTable) rehash(size int) {
	old := t.slots
	t.slots = make([]idSlot, size)
	for _, s := range old {
		if s.meta != 0 {
			t.put(t.home(t.hash.string(t.key(t.at(s)))), s)
		}
	}
}

// find returns the index of id, or -1.
func (t *idTable) find(id []byte) int32 {
	return t.lookup(t.hash.bytes(id), id)
}

// findString is find for a string id.
func (t *idTable) findString(id string) int32 {
	return t.lookup(t.hash.string(id), bytesOf(id))
}

// prefetchRun is how many probes are prefetched at once: one call per
// probe cost more than the call saved.
const prefetchRun = 8

// prefetch starts bringing the home slots of ps into cache, for
// findBatch: the edges parsed before the batch is looked up hide the
// cache misses. The edge loaders prefetch each run of probes they queue.
func (t *idTable) prefetch(ps []idProbe) {
	if len(ps) > 0 && len(t.slots) > 0 {
		prefetchSlots(&t.slots[0], &ps[0].slot, unsafe.Sizeof(ps[0]), len(ps))
	}
}

// findBatch looks up len(ps) ids at once; out[i] gets the index of the
// i-th or -1, and id(i) is called for the few longer than a slot holds.
// It works in stages, each making one independent load per id (the home
// slots, then the probes; for the long ids, the ids their slots point
// to), so that the processor has many cache misses in flight instead of
// one at a time.
func (t *idTable) findBatch(ps []idProbe, id func(int) []byte, out []int32) {
	var sink uint64
	slots := t.slots
	for _, p := range ps {
		sink += slots[p.slot].meta
	}
	mask := t.mask()
	long := false
	for i, p := range ps {
		j := p.slot
		out[i] = -1
		for {
			s := slots[j]
			if s.meta == 0 {
				break
			}
			if s.holds(p) {
				out[i] = t.at(s)
				long = long || p.long()
				break
			}
			j = nextSlot(j, mask)
		}
	}
	if !long {
		t.sink.Add(sink)
		return
	}
	// Ids longer than a slot: their heads and tags matched; fetch the
	// ids, then compare them whole.
	for i, k := range out {
		if k >= 0 && ps[i].long() {
			sink += uint64(t.key(k)[inline])
		}
	}
	t.sink.Add(sink)
	for i, k := range out {
		if k >= 0 && ps[i].long() {
			if b := id(i); t.key(k) != string(b) {
				out[i] = t.find(b) // a clash of head and tag: probe on
			}
		}
	}
}

// add enters the store's part i, the next index (its id must not be
// present yet), growing the table to stay at most half full.
func (t *idTable) add(i int32) {
	for 2*t.store.len() > len(t.slots) { // the store holds part i already
		t.rehash(2 * len(t.slots))
	}
	id := t.key(i)
	p := t.probeAt(bytesOf(id), 0, len(id))
	t.put(p.slot, p.entry(i))
}

// put enters slot at home or the first empty slot after it.
func (t *idTable) put(home uint32, slot idSlot) {
	i, mask := home, t.mask()
	for t.slots[i].meta != 0 {
		i = nextSlot(i, mask)
	}
	t.slots[i] = slot
}

// newLoadTable makes an empty table for up to n parts of store, which
// insert enters, at most a quarter full (its caller prefaults it). Half
// full, a quarter of the ids are not in their home slot, and walking on
// from it costs more than a larger table's extra cache misses: at 1M
// parts, lookups took 17 ns instead of 12 (and on another machine, the
// load took 5% longer).
func newLoadTable(store *partStore, n int) *idTable {
	t := &idTable{hash: newIDHasher(), store: store, dup: [2]int32{-1, -1}}
	t.slots = make([]idSlot, tableSize(n, 4))
	return t
}

// tableSize is how many slots hold n ids at most 1/spare full: a power
// of two, and 16 at least.
func tableSize(n, spare int) int {
	size := 16
	for size < spare*n {
		size *= 2
	}
	return size
}

// insert enters the ids of store's parts first on, one per probe; the
// parts before first are entered already, and the store holds the rows up
// to the last. A repeated id is not entered; duplicate tells the first of
// them. The parser gives the probes, having each id at hand: read from
// the store instead, the rows and the text streamed through the core for
// 8 bytes in 36. The ids go in a few hundred at a time: their home slots
// are prefetched, and the batch before is put in meanwhile, first its
// home slots read (independent loads whose cache misses overlap where
// there is no prefetch), then each id put in.
func (t *idTable) insert(probes []idProbe, first int) {
	var sink uint64
	mask := t.mask()
	put := func(from, to int) { // probes[from:to]
		for _, p := range probes[from:to] {
			sink += t.slots[p.slot].meta
		}
		for i := from; i < to; i++ {
			p, part := probes[i], int32(first+i)
			for j := p.slot; ; j = nextSlot(j, mask) {
				s := t.slots[j]
				if s.meta == 0 {
					t.slots[j] = p.entry(part)
					break
				}
				if s.holds(p) && (!p.long() || t.key(s.index()) == t.key(part)) {
					if t.dup[0] < 0 {
						t.dup = [2]int32{part, s.index()}
					}
					break
				}
			}
		}
	}
	prev := 0 // the batch prefetched before, put in while the next is prefetched
	for at := 0; at < len(probes); at += batchSize {
		t.prefetch(probes[at:min(at+batchSize, len(probes))])
		put(prev, at)
		prev = at
	}
	put(prev, len(probes))
	t.sink.Add(sink)
}

// duplicate returns the first part whose id an earlier part has, and that
// earlier part; -1, -1 when there is none.
func (t *idTable) duplicate() (dup, first int32) { return t.dup[0], t.dup[1] }
