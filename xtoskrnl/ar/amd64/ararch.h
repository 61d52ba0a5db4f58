/* amd64 processor structures: the register frame the exception stubs save, GDT selectors, TSS and IDT gates. */
#ifndef XTOSKRNL_AR_AMD64_ARARCH_H
#define XTOSKRNL_AR_AMD64_ARARCH_H

#include <xtbase.h>

/* GDT layout (selectors). */
#define KGDT_NULL      0x00
#define KGDT_R0_CODE   0x08 /* 64-bit kernel code */
#define KGDT_R0_DATA   0x10
#define KGDT_R3_CODE32 0x18
#define KGDT_R3_DATA   0x20
#define KGDT_R3_CODE   0x28 /* 64-bit user code */
#define KGDT_TSS       0x30 /* 16-byte system descriptor (two slots) */
#define KGDT_ENTRIES   8

/* Interrupt stack table slots (1-based, as in the IDT gate). */
#define KI_IST_DOUBLE_FAULT  1
#define KI_IST_NMI           2
#define KI_IST_MACHINE_CHECK 3

/* The frame built by the exception stubs (ar/amd64/trap.S): general registers pushed by the stub, then the vector
 * and error code (0 when the CPU pushes none), then what the CPU pushed. Lowest address first. */
typedef struct _KTRAP_FRAME {
    ULONGLONG R15;
    ULONGLONG R14;
    ULONGLONG R13;
    ULONGLONG R12;
    ULONGLONG R11;
    ULONGLONG R10;
    ULONGLONG R9;
    ULONGLONG R8;
    ULONGLONG Rbp;
    ULONGLONG Rdi;
    ULONGLONG Rsi;
    ULONGLONG Rdx;
    ULONGLONG Rcx;
    ULONGLONG Rbx;
    ULONGLONG Rax;
    ULONGLONG Vector;
    ULONGLONG ErrorCode;
    ULONGLONG Rip;
    ULONGLONG SegCs;
    ULONGLONG EFlags;
    ULONGLONG Rsp;
    ULONGLONG SegSs;
} KTRAP_FRAME, *PKTRAP_FRAME;

/* The 64-bit task-state segment: stack pointers only. */
typedef struct __attribute__((packed)) _KTSS64 {
    ULONG Reserved0;
    ULONGLONG Rsp0;
    ULONGLONG Rsp1;
    ULONGLONG Rsp2;
    ULONGLONG Ist[8]; /* Ist[0] is the reserved quadword at 0x1C: Ist[1..7] are the slots IDT gates name */
    ULONGLONG Reserved2;
    USHORT Reserved3;
    USHORT IoMapBase;
} KTSS64, *PKTSS64;

/* One 16-byte IDT gate. */
typedef struct _KIDT_ENTRY64 {
    USHORT OffsetLow;
    USHORT Selector;
    UCHAR IstIndex; /* bits 0..2 */
    UCHAR TypeAttributes;
    USHORT OffsetMiddle;
    ULONG OffsetHigh;
    ULONG Reserved;
} KIDT_ENTRY64, *PKIDT_ENTRY64;

/* The operand of LGDT/LIDT. */
typedef struct __attribute__((packed)) _KDESCRIPTOR64 {
    USHORT Limit;
    ULONGLONG Base;
} KDESCRIPTOR64;

/* IA32_GS_BASE: the GS segment's base, which holds the current processor's control block (ke/kprcb.h). */
#define AR_MSR_GS_BASE 0xC0000101

/* One processor's descriptor tables: its GDT (the TSS descriptor is per processor) and its TSS (RSP0 and the
 * interrupt stack table of its own panic stacks). The IDT is shared by every processor. */
typedef struct _AR_PROCESSOR_TABLES {
    ULONGLONG Gdt[KGDT_ENTRIES];
    KTSS64 Tss;
} AR_PROCESSOR_TABLES, *PAR_PROCESSOR_TABLES;

STATIC_ASSERT(sizeof(KTRAP_FRAME) == 22 * 8);
STATIC_ASSERT(offsetof(KTRAP_FRAME, Rbp) == 0x40); /* ArCaptureTrapFrame in trap.S writes these offsets */
STATIC_ASSERT(offsetof(KTRAP_FRAME, Rax) == 0x70);
STATIC_ASSERT(offsetof(KTRAP_FRAME, Vector) == 0x78);
STATIC_ASSERT(offsetof(KTRAP_FRAME, Rip) == 0x88);
STATIC_ASSERT(offsetof(KTRAP_FRAME, SegCs) == 0x90);
STATIC_ASSERT(offsetof(KTRAP_FRAME, EFlags) == 0x98);
STATIC_ASSERT(offsetof(KTRAP_FRAME, Rsp) == 0xA0);
STATIC_ASSERT(offsetof(KTRAP_FRAME, SegSs) == 0xA8);
STATIC_ASSERT(sizeof(KTSS64) == 0x68);
STATIC_ASSERT(offsetof(KTSS64, Rsp0) == 0x04);
STATIC_ASSERT(offsetof(KTSS64, Ist) + 1 * 8 == 0x24); /* IST1 */
STATIC_ASSERT(offsetof(KTSS64, Ist) + 7 * 8 == 0x54); /* IST7 */
STATIC_ASSERT(offsetof(KTSS64, IoMapBase) == 0x66);
STATIC_ASSERT(sizeof(KIDT_ENTRY64) == 16);
STATIC_ASSERT(offsetof(KIDT_ENTRY64, IstIndex) == 4 && offsetof(KIDT_ENTRY64, OffsetHigh) == 8);
STATIC_ASSERT(sizeof(KDESCRIPTOR64) == 10);
STATIC_ASSERT(KGDT_TSS + 16 <= KGDT_ENTRIES * 8);

#endif
