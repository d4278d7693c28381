package bom

import (
	"encoding/binary"
	"hash/maphash"
	"math/bits"
	"slices"
	"sync/atomic"
	"unsafe"
)

// idTable maps part ids to dense indexes: open addressing over 16-byte
// slots, each holding the first 8 bytes of its id, the id's length, 24
// bits of its hash and its index. An id of at most 8 bytes (most part
// numbers of generated and many real BOMs) is matched in the slot alone:
// a lookup costs one cache miss, not the three of slot, part and id text.
// Longer ids are compared whole once their slot matches. A lookup by a
// []byte field allocates nothing. A million parts take 32 MB of slots,
// against about 60 MB for a map[string]int32.
type idTable struct {
	seed  maphash.Seed
	slots []idSlot
	// The slots may be split into 2^shards tables by the hash's top bits,
	// each probed within itself, so that goroutines can fill one each.
	shards uint
	dup    [2]int32      // see duplicate
	store  *partStore    // the ids, by index
	sink   atomic.Uint64 // keeps findBatch's touching loads from being optimised away
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

// bytesOf is s's bytes, not copied: only for reading.
func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// newIDTable makes a table for the ids of store's parts, sized for about
// hint of them.
func newIDTable(store *partStore, hint int) *idTable {
	t := &idTable{seed: maphash.MakeSeed(), store: store}
	size := 16
	for size < 2*hint {
		size *= 2
	}
	t.slots = make([]idSlot, size)
	return t
}

// home returns the first slot to probe for hash h and the mask of its shard.
func (t *idTable) home(h uint64) (base, mask, i uint64) {
	size := uint64(len(t.slots)) >> t.shards
	base = (h >> (64 - t.shards)) * size
	if t.shards == 0 {
		base = 0
	}
	return base, size - 1, h & (size - 1)
}

// lookup returns the index of id, whose hash is h, or -1.
func (t *idTable) lookup(h uint64, id []byte) int32 {
	base, mask, i := t.home(h)
	head, tag := headOf(id), uint32(tagOf(h, len(id)))
	for ; ; i = (i + 1) & mask {
		s := t.slots[base+i]
		if s.meta == 0 {
			return -1
		}
		if uint32(s.meta) == tag && s.head == head && (len(id) <= inline || t.key(s.index()) == string(id)) {
			return s.index()
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
	size := len(t.slots)
	for size < 2*n {
		size *= 2
	}
	t.rehash(size)
}

// rehash moves the entries into size slots.
func (t *idTable) rehash(size int) {
	old := t.slots
	t.slots = make([]idSlot, size)
	for _, s := range old {
		if s.meta != 0 {
			t.put(maphash.String(t.seed, t.key(s.index())), s)
		}
	}
}

// find returns the index of id, or -1.
func (t *idTable) find(id []byte) int32 {
	return t.lookup(maphash.Bytes(t.seed, id), id)
}

// findString is find for a string id.
func (t *idTable) findString(id string) int32 {
	return t.lookup(maphash.String(t.seed, id), bytesOf(id))
}

// findBatch looks up len(hash) ids at once: id(i) is the i-th and hash[i]
// its hash (maphash.Bytes with the table's seed); out[i] gets its index or
// -1. It works in stages, each making one independent load per id (the
// home slots, then the probes; for the few ids longer than a slot holds,
// the ids their slots point to), so that the processor has many cache
// misses in flight instead of one at a time.
func (t *idTable) findBatch(hash []uint64, id func(int) []byte, out []int32) {
	var sink uint64
	for _, h := range hash {
		base, _, j := t.home(h)
		sink += t.slots[base+j].meta
	}
	long := false
	for i, h := range hash {
		b := id(i)
		base, mask, j := t.home(h)
		head, tag := headOf(b), uint32(tagOf(h, len(b)))
		out[i] = -1
		for {
			s := t.slots[base+j]
			if s.meta == 0 {
				break
			}
			if uint32(s.meta) == tag && s.head == head {
				out[i] = s.index()
				long = long || len(b) > inline
				break
			}
			j = (j + 1) & mask
		}
	}
	if !long {
		t.sink.Add(sink)
		return
	}
	// Ids longer than a slot: their heads and tags matched; fetch the
	// ids, then compare them whole.
	for i, k := range out {
		if k >= 0 && len(id(i)) > inline {
			sink += uint64(t.key(k)[inline])
		}
	}
	t.sink.Add(sink)
	for i, k := range out {
		if b := id(i); k >= 0 && len(b) > inline && t.key(k) != string(b) {
			out[i] = t.lookup(hash[i], b) // a clash of head and tag: probe on
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
	h := maphash.String(t.seed, id)
	t.put(h, idSlot{headOf(bytesOf(id)), uint64(i+1)<<32 | tagOf(h, len(id))})
}

func (t *idTable) put(h uint64, slot idSlot) {
	base, mask, i := t.home(h)
	for t.slots[base+i].meta != 0 {
		i = (i + 1) & mask
	}
	t.slots[base+i] = slot
}

// renumber moves every entry from old index i to to[i], as the store's
// rows have moved.
func (t *idTable) renumber(to []int32) {
	for k, s := range t.slots {
		if s.meta != 0 {
			t.slots[k].meta = uint64(to[s.index()]+1)<<32 | uint64(uint32(s.meta))
		}
	}
}

// fill builds the table for the ids of store's parts, which hash to
// hashes, with one goroutine per shard. Repeated ids are not added;
// duplicate tells the first of them.
func (t *idTable) fill(store *partStore, hashes []uint64) {
	w := workers(len(hashes) * 64)
	t.shards = uint(bits.TrailingZeros(uint(w)))
	// Each shard at most half full: ids do not spread evenly over shards.
	counts := make([]int, w)
	for _, h := range hashes {
		counts[h>>(64-t.shards)&uint64(w-1)]++
	}
	sub := 8
	for sub < 2*slices.Max(counts) {
		sub *= 2
	}
	t.slots = make([]idSlot, sub*w)
	prefault(t.slots)
	t.store = store
	dups := make([][2]int32, w)
	parallel(w, func(shard int) {
		dups[shard] = [2]int32{-1, -1}
		// The ids go in a few hundred at a time, in order: first their
		// home slots are read, independent loads whose cache misses
		// overlap; then each is put in, its slot's line in cache by then.
		var batch [batchSize]int32
		var sink uint64
		for from := 0; from < len(hashes); {
			n := 0
			for ; from < len(hashes) && n < len(batch); from++ {
				h := hashes[from]
				if t.shards > 0 && int(h>>(64-t.shards)) != shard {
					continue
				}
				base, _, j := t.home(h)
				sink += t.slots[base+j].meta
				batch[n] = int32(from)
				n++
			}
			for _, i := range batch[:n] {
				h, id := hashes[i], store.id(i)
				base, mask, j := t.home(h)
				head, tag := headOf(bytesOf(id)), tagOf(h, len(id))
				for ; ; j = (j + 1) & mask {
					s := t.slots[base+j]
					if s.meta == 0 {
						t.slots[base+j] = idSlot{head, uint64(i+1)<<32 | tag}
						break
					}
					if uint32(s.meta) == uint32(tag) && s.head == head && (len(id) <= inline || store.id(s.index()) == id) {
						if d := dups[shard]; d[0] < 0 {
							dups[shard] = [2]int32{i, s.index()}
						}
						break
					}
				}
			}
		}
		t.sink.Add(sink)
	})
	t.dup = [2]int32{-1, -1}
	for _, d := range dups {
		if d[0] >= 0 && (t.dup[0] < 0 || d[0] < t.dup[0]) {
			t.dup = d
		}
	}
}

// duplicate returns the first part whose id an earlier part has, and that
// earlier part; -1, -1 when there is none.
func (t *idTable) duplicate() (dup, first int32) { return t.dup[0], t.dup[1] }
