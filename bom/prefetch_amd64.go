package bom

import "unsafe"

// prefetchSlots asks for the slots that the n probes from ps on name to
// be brought into cache, and returns at once: a prefetch, unlike a load,
// does not hold up the instructions after it until its line arrives, so
// the edges parsed meanwhile hide the cache misses. Go has no prefetch
// but in assembly (prefetch_amd64.s).
//
//go:noescape
func prefetchSlots(slots *idSlot, ps *idProbe, n int)

// The assembly reads a probe's slot at offset 8 and takes a probe for 16
// bytes and a slot for 16: these fail to compile when that changes.
var (
	_ [unsafe.Offsetof(idProbe{}.slot) - 8]struct{}
	_ [8 - unsafe.Offsetof(idProbe{}.slot)]struct{}
	_ [unsafe.Sizeof(idProbe{}) - 16]struct{}
	_ [16 - unsafe.Sizeof(idProbe{})]struct{}
	_ [unsafe.Sizeof(idSlot{}) - 16]struct{}
	_ [16 - unsafe.Sizeof(idSlot{})]struct{}
)
