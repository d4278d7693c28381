package bom

import "unsafe"

// prefetchSlots asks for n slots to be brought into cache, and returns at
// once: a prefetch, unlike a load, does not hold up the instructions after
// it until its line arrives, so work done meanwhile hides the cache
// misses. The slots' numbers are uint32s, the first at at and each stride
// bytes after the one before. Go has no prefetch but in assembly
// (prefetch_amd64.s).
//
//go:noescape
func prefetchSlots(slots *idSlot, at *uint32, stride, n int)

// The assembly takes a slot for 16 bytes: this fails to compile when that
// changes.
var (
	_ [unsafe.Sizeof(idSlot{}) - 16]struct{}
	_ [16 - unsafe.Sizeof(idSlot{})]struct{}
)

// prefetchValues asks for out[at[k]] for each of the n indexes from at on
// to be brought into cache, as prefetchSlots does (prefetch_amd64.s).
//
//go:noescape
func prefetchValues(out *float64, at *int32, n int)
