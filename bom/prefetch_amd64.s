#include "textflag.h"

// func prefetchIndexed(base unsafe.Pointer, at *uint32, stride uintptr, shift uint, n int)
//
// For each of n uint32 indexes, the first at at and each stride bytes after
// the one before, PREFETCHT0 the byte at base + index<<shift.
TEXT ·prefetchIndexed(SB), NOSPLIT, $0-40
	MOVQ base+0(FP), AX
	MOVQ at+8(FP), BX
	MOVQ stride+16(FP), SI
	MOVQ shift+24(FP), CX
	MOVQ n+32(FP), DI
	TESTQ DI, DI
	JLE done

loop:
	MOVL (BX), DX
	SHLQ CX, DX
	PREFETCHT0 (AX)(DX*1)
	ADDQ SI, BX
	DECQ DI
	JNZ loop

done:
	RET
