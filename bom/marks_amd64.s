#include "textflag.h"

// func marks64(p *byte) (commas, lfs uint64)
//
// Each 16 bytes are compared with 16 commas, then 16 line feeds
// (PCMPEQB), and the high bits of the results gathered (PMOVMSKB) into
// the masks' four 16-bit quarters.
TEXT ·marks64(SB), NOSPLIT, $0-24
	MOVQ p+0(FP), SI
	MOVQ $0x2c2c2c2c2c2c2c2c, AX
	MOVQ AX, X0
	PUNPCKLQDQ X0, X0
	MOVQ $0x0a0a0a0a0a0a0a0a, AX
	MOVQ AX, X1
	PUNPCKLQDQ X1, X1
	MOVOU 0(SI), X2
	MOVOU 16(SI), X3
	MOVOU 32(SI), X4
	MOVOU 48(SI), X5
	MOVO X2, X6
	PCMPEQB X0, X6
	PMOVMSKB X6, AX
	MOVO X3, X6
	PCMPEQB X0, X6
	PMOVMSKB X6, BX
	SHLQ $16, BX
	ORQ BX, AX
	MOVO X4, X6
	PCMPEQB X0, X6
	PMOVMSKB X6, BX
	SHLQ $32, BX
	ORQ BX, AX
	MOVO X5, X6
	PCMPEQB X0, X6
	PMOVMSKB X6, BX
	SHLQ $48, BX
	ORQ BX, AX
	MOVQ AX, commas+8(FP)
	PCMPEQB X1, X2
	PMOVMSKB X2, AX
	PCMPEQB X1, X3
	PMOVMSKB X3, BX
	SHLQ $16, BX
	ORQ BX, AX
	PCMPEQB X1, X4
	PMOVMSKB X4, BX
	SHLQ $32, BX
	ORQ BX, AX
	PCMPEQB X1, X5
	PMOVMSKB X5, BX
	SHLQ $48, BX
	ORQ BX, AX
	MOVQ AX, lfs+16(FP)
	RET
