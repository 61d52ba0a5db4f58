/* i686 processor structures: the register frame the exception stubs save, GDT selectors, TSS and IDT gates. */
#ifndef XTOSKRNL_AR_I686_ARARCH_H
#define XTOSKRNL_AR_I686_ARARCH_H

#include <xtbase.h>

/* GDT layout (selectors). */
#define KGDT_NULL    0x00
#define KGDT_R0_CODE 0x08
#define KGDT_R0_DATA 0x10
#define KGDT_R3_CODE 0x18
#define KGDT_R3_DATA 0x20
#define KGDT_TSS     0x28 /* the boot task */
#define KGDT_DF_TSS  0x30 /* double-fault task (task gate, vector 8) */
#define KGDT_NMI_TSS 0x38 /* NMI task (vector 2) */
#define KGDT_MC_TSS  0x40 /* machine-check task (vector 18) */
#define KGDT_R0_PCR  0x48 /* FS: the current processor's control block (ke/kprcb.h) */
#define KGDT_ENTRIES 10

/* The frame built by the exception stubs (ar/i686/trap.S): segment registers, PUSHAD, vector and error code (0
 * when the CPU pushes none), then what the CPU pushed (same privilege: no ESP/SS). Lowest address first. */
typedef struct _KTRAP_FRAME {
    ULONG SegGs;
    ULONG SegFs;
    ULONG SegEs;
    ULONG SegDs;
    ULONG Edi;
    ULONG Esi;
    ULONG Ebp;
    ULONG PushadEsp; /* ESP as PUSHAD saw it; ArCaptureTrapFrame stores the caller's ESP here */
    ULONG Ebx;
    ULONG Edx;
    ULONG Ecx;
    ULONG Eax;
    ULONG Vector;
    ULONG ErrorCode;
    ULONG Eip;
    ULONG SegCs;
    ULONG EFlags;
    /* A same-privilege exception pushes no ESP/SS: the interrupted ESP is the address right above EFlags. */
} KTRAP_FRAME, *PKTRAP_FRAME;

/* The 32-bit task-state segment. */
typedef struct _KTSS32 {
    USHORT Backlink;
    USHORT Reserved0;
    ULONG Esp0;
    ULONG Ss0;
    ULONG Esp1;
    ULONG Ss1;
    ULONG Esp2;
    ULONG Ss2;
    ULONG Cr3;
    ULONG Eip;
    ULONG EFlags;
    ULONG Eax;
    ULONG Ecx;
    ULONG Edx;
    ULONG Ebx;
    ULONG Esp;
    ULONG Ebp;
    ULONG Esi;
    ULONG Edi;
    ULONG Es;
    ULONG Cs;
    ULONG Ss;
    ULONG Ds;
    ULONG Fs;
    ULONG Gs;
    ULONG Ldt;
    USHORT Flags; /* bit 0: debug trap on task switch */
    USHORT IoMapBase;
} KTSS32, *PKTSS32;

/* One 8-byte IDT gate (interrupt or task gate). */
typedef struct _KIDT_ENTRY32 {
    USHORT OffsetLow;
    USHORT Selector; /* code segment, or the TSS selector of a task gate */
    UCHAR Reserved;
    UCHAR TypeAttributes;
    USHORT OffsetHigh;
} KIDT_ENTRY32, *PKIDT_ENTRY32;

/* The operand of LGDT/LIDT. */
typedef struct __attribute__((packed)) _KDESCRIPTOR32 {
    USHORT Limit;
    ULONG Base;
} KDESCRIPTOR32;

STATIC_ASSERT(sizeof(KTRAP_FRAME) == 17 * 4);
STATIC_ASSERT(offsetof(KTRAP_FRAME, Edi) == 0x10 &&
              offsetof(KTRAP_FRAME, PushadEsp) == 0x1C); /* ArCaptureTrapFrame in trap.S writes these offsets */
STATIC_ASSERT(offsetof(KTRAP_FRAME, Eax) == 0x2C);
STATIC_ASSERT(offsetof(KTRAP_FRAME, Vector) == 0x30);
STATIC_ASSERT(offsetof(KTRAP_FRAME, Eip) == 0x38);
STATIC_ASSERT(offsetof(KTRAP_FRAME, EFlags) == 0x40);
STATIC_ASSERT(sizeof(KTSS32) == 0x68);
STATIC_ASSERT(offsetof(KTSS32, Esp0) == 0x04 && offsetof(KTSS32, Ss0) == 0x08);
STATIC_ASSERT(offsetof(KTSS32, Cr3) == 0x1C && offsetof(KTSS32, Eip) == 0x20);
STATIC_ASSERT(offsetof(KTSS32, Eax) == 0x28 && offsetof(KTSS32, Esp) == 0x38);
STATIC_ASSERT(offsetof(KTSS32, Es) == 0x48 && offsetof(KTSS32, Gs) == 0x5C);
STATIC_ASSERT(offsetof(KTSS32, Ldt) == 0x60 && offsetof(KTSS32, IoMapBase) == 0x66);
STATIC_ASSERT(sizeof(KIDT_ENTRY32) == 8);
STATIC_ASSERT(offsetof(KIDT_ENTRY32, TypeAttributes) == 5 && offsetof(KIDT_ENTRY32, OffsetHigh) == 6);
STATIC_ASSERT(sizeof(KDESCRIPTOR32) == 6);

/* One processor's descriptor tables: its GDT (TSS and PCR descriptors are per processor) and its four TSSs (the
 * boot task and the double-fault, NMI and machine-check tasks on its own panic stacks). The IDT is shared: its task
 * gates name GDT selectors, so each processor switches to its own tasks. */
typedef struct _AR_PROCESSOR_TABLES {
    ULONGLONG Gdt[KGDT_ENTRIES];
    KTSS32 BootTss;
    KTSS32 DoubleFaultTss;
    KTSS32 NmiTss;
    KTSS32 MachineCheckTss;
} AR_PROCESSOR_TABLES, *PAR_PROCESSOR_TABLES;

/* The TSS behind a task selector of the current processor's GDT (KGDT_TSS, KGDT_DF_TSS, ...); NULL for any other
 * selector. */
PKTSS32 ArGetTaskStateSegment(ULONG Selector);

#endif
