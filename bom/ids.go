package bom

import (
	"hash/maphash"
	"math/bits"
	"slices"
	"sync/atomic"
)

// idTable maps part ids to dense indexes: open addressing over 8-byte
// slots holding the upper half of the id's hash and its index, with the
// ids in one column of their own. A lookup by a []byte field allocates
// nothing and, but for a 1-in-4-billion fingerprint clash, reads one id.
// A million parts take 16 MB of slots and 16 MB of id headers, against
// about 60 MB for a map[string]int32.
type idTable struct {
	seed  maphash.Seed
	slots []uint64 // hash>>32<<32 | index+1; 0 is empty
	// The slots may be split into 2^shards tables by the hash's top bits,
	// each probed within itself, so that goroutines can fill one each.
	shards uint
	dup    [2]int32 // see duplicate
	keys   []string // id of each index while building; then nil, and parts says
	parts  *[]Part
	sink   atomic.Uint64 // keeps findBatch's touching loads from being optimised away
}

func newIDTable(hint int) *idTable {
	t := &idTable{seed: maphash.MakeSeed(), keys: make([]string, 0, hint)}
	size := 16
	for size < 2*hint {
		size *= 2
	}
	t.slots = make([]uint64, size)
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

func (t *idTable) lookup(h uint64, eq func(string) bool) int32 {
	base, mask, i := t.home(h)
	fp := h >> 32 << 32
	for ; ; i = (i + 1) & mask {
		s := t.slots[base+i]
		if s == 0 {
			return -1
		}
		if s&^0xffffffff == fp && eq(t.key(int32(uint32(s)-1))) {
			return int32(uint32(s) - 1)
		}
	}
}

func (t *idTable) key(i int32) string {
	if t.keys != nil {
		return t.keys[i]
	}
	return (*t.parts)[i].ID
}

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
	old := t.slots
	t.slots = make([]uint64, size)
	for _, s := range old {
		if s != 0 {
			t.put(maphash.String(t.seed, t.keys[uint32(s)-1]), s)
		}
	}
	if cap(t.keys) < n {
		keys := make([]string, len(t.keys), n)
		copy(keys, t.keys)
		t.keys = keys
	}
}

// find returns the index of id, or -1.
func (t *idTable) find(id []byte) int32 {
	return t.lookup(maphash.Bytes(t.seed, id), func(k string) bool { return k == string(id) })
}

// findBatch looks up len(hash) ids at once: id(i) is the i-th and hash[i]
// its hash (maphash.Bytes with the table's seed); out[i] gets its index or
// -1. It works in stages, each making one independent load per id (the
// slots, the first slot with the id's fingerprint, the id it points to,
// then the comparison), so that the processor has many cache misses in
// flight instead of one at a time.
func (t *idTable) findBatch(hash []uint64, id func(int) []byte, out []int32) {
	var slotBuf [batchSize]uint64
	var keyBuf [batchSize]string
	slot, key := slotBuf[:0], keyBuf[:0]
	if len(hash) > batchSize {
		slot, key = make([]uint64, 0, len(hash)), make([]string, 0, len(hash))
	}
	slot, key = slot[:len(hash)], key[:len(hash)]
	var sink uint64
	for _, h := range hash {
		base, _, j := t.home(h)
		sink += t.slots[base+j]
	}
	for i, h := range hash {
		base, mask, j := t.home(h)
		for {
			s := t.slots[base+j]
			if s == 0 || s&^0xffffffff == h>>32<<32 {
				slot[i] = s
				break
			}
			j = (j + 1) & mask
		}
	}
	for i, s := range slot {
		if s != 0 {
			key[i] = t.key(int32(uint32(s) - 1))
		}
	}
	for _, k := range key {
		if len(k) > 0 {
			sink += uint64(k[0])
		}
	}
	t.sink.Add(sink)
	for i := range hash {
		b := id(i)
		if key[i] == string(b) {
			out[i] = int32(uint32(slot[i]) - 1)
		} else {
			out[i] = t.lookup(hash[i], func(k string) bool { return k == string(b) }) // a fingerprint clash: probe on
		}
	}
}

// findString is find for a string id.
func (t *idTable) findString(id string) int32 {
	return t.lookup(maphash.String(t.seed, id), func(k string) bool { return k == id })
}

// add appends id (which must not be present yet) as the next index,
// growing the table to stay at most half full.
func (t *idTable) add(id string) {
	if 2*(len(t.keys)+1) > len(t.slots) {
		old := t.slots
		t.slots = make([]uint64, 2*len(old))
		for _, s := range old {
			if s != 0 {
				t.put(maphash.String(t.seed, t.keys[uint32(s)-1]), s)
			}
		}
	}
	t.keys = append(t.keys, id)
	h := maphash.String(t.seed, id)
	t.put(h, h>>32<<32|uint64(len(t.keys)))
}

func (t *idTable) put(h, slot uint64) {
	base, mask, i := t.home(h)
	for t.slots[base+i] != 0 {
		i = (i + 1) & mask
	}
	t.slots[base+i] = slot
}

// renumber moves every entry from old index i to to[i], and from then on
// reads ids from parts (renumbered the same way) instead of a column of
// its own: a million ids' headers are 16 MB not kept twice.
func (t *idTable) renumber(to []int32, parts *[]Part) {
	for k, s := range t.slots {
		if s != 0 {
			t.slots[k] = s&^0xffffffff | uint64(to[uint32(s)-1]+1)
		}
	}
	t.keys, t.parts = nil, parts
}

// fill builds the table for parts (whose ids hash to hashes) with one
// goroutine per shard, reading ids from parts from then on. Repeated ids
// are not added; duplicate tells the first of them.
func (t *idTable) fill(parts []Part, hashes []uint64) {
	w := workers(len(parts) * 64)
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
	t.slots = make([]uint64, sub*w)
	prefault(t.slots)
	t.keys, t.parts = nil, &parts
	dups := make([][2]int32, w)
	parallel(w, func(shard int) {
		dups[shard] = [2]int32{-1, -1}
		for i, h := range hashes {
			if t.shards > 0 && int(h>>(64-t.shards)) != shard {
				continue
			}
			base, mask, j := t.home(h)
			fp := h >> 32 << 32
			for ; ; j = (j + 1) & mask {
				s := t.slots[base+j]
				if s == 0 {
					t.slots[base+j] = fp | uint64(i+1)
					break
				}
				if s&^0xffffffff == fp && parts[uint32(s)-1].ID == parts[i].ID {
					if d := dups[shard]; d[0] < 0 {
						dups[shard] = [2]int32{int32(i), int32(uint32(s) - 1)}
					}
					break
				}
			}
		}
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
