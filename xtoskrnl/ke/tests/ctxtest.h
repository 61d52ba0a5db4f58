/* KeContextSwitchSuite's register probe (<arch>/ctxtest.S): loads a register image into the callee-saved registers,
 * MXCSR and the vector registers, switches with KiSwapContext, and stores what the registers hold once the switch
 * comes back. Included by C and by assembly. */
#ifndef XTOSKRNL_KE_TESTS_CTXTEST_H
#define XTOSKRNL_KE_TESTS_CTXTEST_H

/* KI_TEST_REGISTERS offsets (asserted in ctxswap_live.c). */
#define KI_TEST_GPR          0x00 /* amd64: RBX RBP RDI RSI R12 R13 R14 R15; i686: EBX EBP EDI ESI (low 32 bits) */
#define KI_TEST_MXCSR        0x40
#define KI_TEST_AVX          0x44 /* non-zero: whole YMM registers (AVX state on), else XMM */
#define KI_TEST_VECTOR       0x80 /* XMM/YMM 0..15 (i686: 0..7), 32 bytes apart */
#define KI_TEST_VECTOR_BYTES 32
#define KI_TEST_SIZE         0x280

#ifndef __ASSEMBLER__
#include <kthread.h>
#include <xtbase.h>

typedef struct _KI_TEST_REGISTERS {
    ULONGLONG Gpr[8];
    ULONG Mxcsr;
    ULONG Avx;
    ULONG Reserved[14];
    UCHAR Vector[16][KI_TEST_VECTOR_BYTES];
} KI_TEST_REGISTERS, *PKI_TEST_REGISTERS;

/* Loads In into the callee-saved registers, MXCSR and the vector registers, calls KiSwapContext(Old, New), and once
 * Old runs again stores those registers into Out (the callee-saved registers the caller had are kept). */
VOID KiTestSwapContextChecked(PKTHREAD Old, PKTHREAD New, const KI_TEST_REGISTERS *In, PKI_TEST_REGISTERS Out);

/* How many of Gpr[] and Vector[] the probe loads on this arch. */
extern const ULONG KiTestCalleeSavedCount;
extern const ULONG KiTestVectorCount;
#endif

#endif
