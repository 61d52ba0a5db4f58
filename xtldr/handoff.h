/* XTLDR hand-off: the block the trampoline reads and the CPU facts that choose the paging mode. */
#ifndef XTLDR_HANDOFF_H
#define XTLDR_HANDOFF_H

#include <xtbase.h>

#include "kaslr.h"

/* Read by the trampolines (amd64/handoff.S, i686/handoff.S) at fixed offsets: keep in sync. */
typedef struct _BL_HANDOFF_BLOCK {
    ULONGLONG PageMap;         /* 0x00: CR3 for the kernel's tables (below 4 GiB) */
    ULONGLONG KernelEntry;     /* 0x08: VA of KiSystemStartup */
    ULONGLONG KernelStack;     /* 0x10: initial stack pointer (VA) */
    ULONGLONG InitBlock;       /* 0x18: VA of the init block */
    ULONGLONG TrampolineStack; /* 0x20: identity-mapped stack top used during the switch */
    ULONG Cr4Set;              /* 0x28: CR4 bits the new mode needs (PAE, LA57) */
    ULONG Cr4Clear;            /* 0x2C: CR4 bits the new mode must not have */
    ULONG SwitchMode;          /* 0x30: amd64: flip LA57 through 32-bit mode with paging off */
    ULONG EnableNx;            /* 0x34: set EFER.NXE before loading CR3 */
    USHORT Reserved[7];        /* 0x38 */
    USHORT GdtLimit;           /* 0x46: GDTR: limit followed by base */
    ULONGLONG GdtBase;         /* 0x48 */
    ULONG FarOffset;           /* 0x50: far pointer (m16:32) the trampoline jumps through */
    USHORT FarSelector;        /* 0x54 */
    USHORT Reserved2;          /* 0x56 */
    ULONGLONG Gdt[4];          /* 0x58: null, 32-bit code (0x08), 64-bit code (0x10), data (0x18) */
} BL_HANDOFF_BLOCK, *PBL_HANDOFF_BLOCK;

STATIC_ASSERT(FIELD_OFFSET(BL_HANDOFF_BLOCK, TrampolineStack) == 0x20);
STATIC_ASSERT(FIELD_OFFSET(BL_HANDOFF_BLOCK, Cr4Set) == 0x28);
STATIC_ASSERT(FIELD_OFFSET(BL_HANDOFF_BLOCK, SwitchMode) == 0x30);
STATIC_ASSERT(FIELD_OFFSET(BL_HANDOFF_BLOCK, GdtLimit) == 0x46);
STATIC_ASSERT(FIELD_OFFSET(BL_HANDOFF_BLOCK, GdtBase) == 0x48);
STATIC_ASSERT(FIELD_OFFSET(BL_HANDOFF_BLOCK, FarOffset) == 0x50);
STATIC_ASSERT(FIELD_OFFSET(BL_HANDOFF_BLOCK, Gdt) == 0x58);
STATIC_ASSERT(sizeof(BL_HANDOFF_BLOCK) == 0x78);

#define BL_GDT_CODE32 0x08
#define BL_GDT_CODE64 0x10
#define BL_GDT_DATA   0x18

typedef struct _BL_CPU_INFO {
    ULONG Features; /* XT_CPU_FEATURE_* */
    ULONG_PTR Cr0;  /* at loader entry */
    ULONG_PTR Cr4;  /* at loader entry: tells whether firmware runs PAE or LA57 */
} BL_CPU_INFO, *PBL_CPU_INFO;

/* Reads CPUID and the control registers. */
VOID BlDetectCpu(PBL_CPU_INFO Cpu);

/* Per arch: the paging mode for this CPU and parameters, and how the trampoline must get there. */
ULONG BlArchChoosePagingMode(const BL_CPU_INFO *Cpu, BOOLEAN NoXpa);
VOID BlArchPrepareHandOff(const BL_CPU_INFO *Cpu, ULONG Mode, PBL_HANDOFF_BLOCK Block);

/* Per arch: kernel VA windows the loader lays out (boot region after the image, HAL window). */
extern const ULONGLONG BlArchHalWindowBase;
extern const ULONG BlArchHalWindowPages;
extern const BL_KERNEL_WINDOW *const BlArchKernelWindow; /* where KASLR may put the kernel and its boot region */

/* The trampoline code (position independent, copied below 4 GiB) and the offset of its far-jump target. */
extern const UCHAR BlpHandOffCode[];
extern const UCHAR BlpHandOffCodeEnd[];
extern const UCHAR BlpHandOffFarTarget[];

#endif
