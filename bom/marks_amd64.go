package bom

// marks64 marks the commas and the line feeds among the 64 bytes from p:
// bit k of commas is set when byte k is a comma, and likewise for lfs. In
// assembly (marks_amd64.s) it compares 16 bytes at once with SSE2, which
// every amd64 core has.
//
//go:noescape
func marks64(p *byte) (commas, lfs uint64)
