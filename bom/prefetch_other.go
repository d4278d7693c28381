//go:build !amd64

package bom

// prefetchSlots does nothing here: the loads that follow it fetch the
// slots instead (see prefetch_amd64.go).
func prefetchSlots(slots *idSlot, at *uint32, stride, n int) {}
