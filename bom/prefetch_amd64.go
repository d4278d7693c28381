package bom

import "unsafe"

// prefetchIndexed asks for n elements of an array to be brought into
// cache, and returns at once: a prefetch, unlike a load, does not hold up
// the instructions after it until its line arrives, so work done meanwhile
// hides the cache misses. The elements are those at base + index<<shift
// for n uint32 indexes, the first at at and each stride bytes after the
// one before. Go has no prefetch but in assembly (prefetch_amd64.s).
//
//go:noescape
func prefetchIndexed(base unsafe.Pointer, at *uint32, stride uintptr, shift uint, n int)

// prefetchSlots prefetches the slots whose numbers are n uint32s, the
// first at at and each stride bytes after the one before.
func prefetchSlots(slots *idSlot, at *uint32, stride uintptr, n int) {
	prefetchIndexed(unsafe.Pointer(slots), at, stride, 4, n)
}

// prefetchValues prefetches out[at[k]] for the n indexes from at on (none
// negative).
func prefetchValues(out *float64, at *int32, n int) {
	prefetchIndexed(unsafe.Pointer(out), (*uint32)(unsafe.Pointer(at)), 4, 3, n)
}

// The shifts above take a slot for 16 bytes: this fails to compile when
// that changes.
var (
	_ [unsafe.Sizeof(idSlot{}) - 16]struct{}
	_ [16 - unsafe.Sizeof(idSlot{})]struct{}
)
