//go:build !amd64

package bom

// marks64 marks the commas and the line feeds among the 64 bytes from p
// (see marks_amd64.go); here a word at a time.
func marks64(p *byte) (commas, lfs uint64) { return marksOf(p) }
