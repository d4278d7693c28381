#include "textflag.h"

// func prefetchSlots(slots *idSlot, ps *idProbe, n int)
//
// For each of the n probes from ps on, PREFETCHT0 the 16-byte slot its
// slot field (a uint32 at offset 8 of the 16-byte idProbe) names.
TEXT ·prefetchSlots(SB), NOSPLIT, $0-24
	MOVQ slots+0(FP), AX
	MOVQ ps+8(FP), BX
	MOVQ n+16(FP), CX
	TESTQ CX, CX
	JLE done

loop:
	MOVL 8(BX), DX
	SHLQ $4, DX
	PREFETCHT0 (AX)(DX*1)
	ADDQ $16, BX
	DECQ CX
	JNZ loop

done:
	RET
