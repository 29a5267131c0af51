//go:build amd64 && !purego

#include "textflag.h"

// func cpuHasCLMUL() bool
TEXT ·cpuHasCLMUL(SB), NOSPLIT, $0-1
	MOVL $1, AX
	XORL CX, CX
	CPUID
	SHRL $1, CX
	ANDL $1, CX
	MOVB CX, ret+0(FP)
	RET

// FOLD replaces x with a value congruent to x·x^d modulo P, for the
// multipliers of d in k: the low half of x is multiplied by k's low half,
// the high half by k's high half. t is scratch.
#define FOLD(x, t, k) \
	MOVOA     x, t; \
	PCLMULQDQ $0x00, k, x; \
	PCLMULQDQ $0x11, k, t; \
	PXOR      t, x

// func foldCLMUL(reg uint64, p []byte, k *[4]uint64) (lo, hi uint64)
TEXT ·foldCLMUL(SB), NOSPLIT, $0-56
	MOVQ reg+0(FP), AX
	MOVQ p_base+8(FP), SI
	MOVQ p_len+16(FP), CX
	MOVQ k+32(FP), DX

	// Four lanes of 16 bytes, the register xored into the first.
	MOVOU 0(SI), X0
	MOVOU 16(SI), X1
	MOVOU 32(SI), X2
	MOVOU 48(SI), X3
	MOVQ  AX, X4
	PXOR  X4, X0
	ADDQ  $64, SI
	SUBQ  $64, CX

	// Each lane moves 512 bits ahead per round.
	MOVOU 16(DX), X4
	CMPQ  CX, $64
	JB    reduce

loop64:
	MOVOA     X0, X5
	MOVOA     X1, X6
	MOVOA     X2, X7
	MOVOA     X3, X8
	PCLMULQDQ $0x00, X4, X0
	PCLMULQDQ $0x00, X4, X1
	PCLMULQDQ $0x00, X4, X2
	PCLMULQDQ $0x00, X4, X3
	PCLMULQDQ $0x11, X4, X5
	PCLMULQDQ $0x11, X4, X6
	PCLMULQDQ $0x11, X4, X7
	PCLMULQDQ $0x11, X4, X8
	MOVOU     0(SI), X9
	MOVOU     16(SI), X10
	MOVOU     32(SI), X11
	MOVOU     48(SI), X12
	PXOR      X5, X0
	PXOR      X6, X1
	PXOR      X7, X2
	PXOR      X8, X3
	PXOR      X9, X0
	PXOR      X10, X1
	PXOR      X11, X2
	PXOR      X12, X3
	ADDQ      $64, SI
	SUBQ      $64, CX
	CMPQ      CX, $64
	JAE       loop64

reduce:
	// Fold the four lanes into the last, 128 bits at a time.
	MOVOU 0(DX), X4
	FOLD(X0, X5, X4)
	PXOR  X0, X1
	FOLD(X1, X5, X4)
	PXOR  X1, X2
	FOLD(X2, X5, X4)
	PXOR  X2, X3

loop16:
	CMPQ  CX, $16
	JB    done
	FOLD(X3, X5, X4)
	MOVOU 0(SI), X6
	PXOR  X6, X3
	ADDQ  $16, SI
	SUBQ  $16, CX
	JMP   loop16

done:
	MOVQ   X3, AX
	MOVQ   AX, lo+40(FP)
	PSRLDQ $8, X3
	MOVQ   X3, AX
	MOVQ   AX, hi+48(FP)
	RET
