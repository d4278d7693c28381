#include "textflag.h"

// func prefetchSlots(slots *idSlot, at *uint32, stride, n int)
//
// For each of n uint32 slot numbers, the first at at and each stride bytes
// after the one before, PREFETCHT0 that 16-byte slot of slots.
TEXT ·prefetchSlots(SB), NOSPLIT, $0-32
	MOVQ slots+0(FP), AX
	MOVQ at+8(FP), BX
	MOVQ stride+16(FP), SI
	MOVQ n+24(FP), CX
	TESTQ CX, CX
	JLE done

loop:
	MOVL (BX), DX
	SHLQ $4, DX
	PREFETCHT0 (AX)(DX*1)
	ADDQ SI, BX
	DECQ CX
	JNZ loop

done:
	RET

// func prefetchValues(out *float64, at *int32, n int)
//
// PREFETCHT0 out[at[k]] for each of the n int32 indexes from at on.
TEXT ·prefetchValues(SB), NOSPLIT, $0-24
	MOVQ out+0(FP), AX
	MOVQ at+8(FP), BX
	MOVQ n+16(FP), CX
	TESTQ CX, CX
	JLE vdone

vloop:
	MOVLQSX (BX), DX
	PREFETCHT0 (AX)(DX*8)
	ADDQ $4, BX
	DECQ CX
	JNZ vloop

vdone:
	RET
