//go:build !amd64

package bom

// prefetchSlots does nothing here: findBatch's first stage loads the
// slots instead (see prefetch_amd64.go).
func prefetchSlots(slots *idSlot, ps *idProbe, n int) {}
