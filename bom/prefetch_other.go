//go:build !amd64

package bom

// prefetchSlots and prefetchValues do nothing here: the loads that
// follow them fetch the data instead (see prefetch_amd64.go).
func prefetchSlots(slots *idSlot, at *uint32, stride uintptr, n int) {}

func prefetchValues(out *float64, at *int32, n int) {}
