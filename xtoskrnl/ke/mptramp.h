/* The application-processor start-up trampoline: the real-mode page a SIPI starts an AP in (ke/<arch>/trampoline.S)
 * and the parameter block the boot processor fills in it. Offsets are shared with the assembly (this header is
 * included by it), so every one is checked against the C structure below. Pure: host-tested. */
#ifndef XTOSKRNL_KE_MPTRAMP_H
#define XTOSKRNL_KE_MPTRAMP_H

/* Where the parameter block sits in the trampoline page (the code before it must end below). */
#define KI_TP_BLOCK_OFFSET 0xE00

/* Offsets inside the parameter block. */
#define KI_TP_CR3      0x00 /* ULONG: the top-level page table (below 4 GiB: loaded in 32-bit mode) */
#define KI_TP_CR4      0x04 /* ULONG: CR4 written before paging (PAE, LA57, PSE, PGE, SMEP, SMAP, ...) */
#define KI_TP_CR0      0x08 /* ULONG: CR0 written to turn paging on (PG, PE, WP, ...) */
#define KI_TP_FLAGS    0x0C /* ULONG: KI_TP_FLAG_* */
#define KI_TP_EFER     0x10 /* ULONGLONG: IA32_EFER (LME, NXE, ...) written before paging when KI_TP_FLAG_EFER */
#define KI_TP_ENTRY    0x18 /* ULONGLONG: the kernel VA the AP jumps to once paging is on */
#define KI_TP_STACK    0x20 /* ULONGLONG: its stack pointer there (top of the AP's kernel stack) */
#define KI_TP_ARGUMENT 0x28 /* ULONGLONG: its one argument (the AP's processor block) */
#define KI_TP_STARTED  0x30 /* ULONG: the AP writes 1 as its first act in real mode */
#define KI_TP_GDT      0x38 /* 4 descriptors: null, 32-bit code 0x08, data 0x10, 64-bit code 0x18 */
#define KI_TP_GDTR     0x58 /* USHORT limit, ULONG base (physical) */
#define KI_TP_FAR32    0x60 /* ULONG offset, USHORT selector: the jump into 32-bit protected mode */
#define KI_TP_FAR64    0x68 /* ULONG offset, USHORT selector: the jump into 64-bit mode (amd64) */
#define KI_TP_SIZE     0x70

#define KI_TP_FLAG_EFER 0x1

#define KI_TRAMPOLINE_CODE32 0x08
#define KI_TRAMPOLINE_DATA   0x10
#define KI_TRAMPOLINE_CODE64 0x18

#ifndef __ASSEMBLER__
#include <xtbase.h>
#include <xtstatus.h>

typedef struct __attribute__((packed)) _KI_TRAMPOLINE_FAR_POINTER {
    ULONG Offset;
    USHORT Selector;
    USHORT Reserved;
} KI_TRAMPOLINE_FAR_POINTER;

typedef struct __attribute__((packed)) _KI_TRAMPOLINE_PARAMETERS {
    ULONG Cr3;
    ULONG Cr4;
    ULONG Cr0;
    ULONG Flags;
    ULONGLONG Efer;
    ULONGLONG Entry;
    ULONGLONG StackTop;
    ULONGLONG Argument;
    volatile ULONG Started;
    ULONG Reserved;
    ULONGLONG Gdt[4];
    USHORT GdtLimit;
    ULONG GdtBase;
    USHORT Reserved2;
    KI_TRAMPOLINE_FAR_POINTER Far32;
    KI_TRAMPOLINE_FAR_POINTER Far64;
} KI_TRAMPOLINE_PARAMETERS, *PKI_TRAMPOLINE_PARAMETERS;

STATIC_ASSERT(offsetof(KI_TRAMPOLINE_PARAMETERS, Cr3) == KI_TP_CR3);
STATIC_ASSERT(offsetof(KI_TRAMPOLINE_PARAMETERS, Cr4) == KI_TP_CR4);
STATIC_ASSERT(offsetof(KI_TRAMPOLINE_PARAMETERS, Cr0) == KI_TP_CR0);
STATIC_ASSERT(offsetof(KI_TRAMPOLINE_PARAMETERS, Flags) == KI_TP_FLAGS);
STATIC_ASSERT(offsetof(KI_TRAMPOLINE_PARAMETERS, Efer) == KI_TP_EFER);
STATIC_ASSERT(offsetof(KI_TRAMPOLINE_PARAMETERS, Entry) == KI_TP_ENTRY);
STATIC_ASSERT(offsetof(KI_TRAMPOLINE_PARAMETERS, StackTop) == KI_TP_STACK);
STATIC_ASSERT(offsetof(KI_TRAMPOLINE_PARAMETERS, Argument) == KI_TP_ARGUMENT);
STATIC_ASSERT(offsetof(KI_TRAMPOLINE_PARAMETERS, Started) == KI_TP_STARTED);
STATIC_ASSERT(offsetof(KI_TRAMPOLINE_PARAMETERS, Gdt) == KI_TP_GDT);
STATIC_ASSERT(offsetof(KI_TRAMPOLINE_PARAMETERS, GdtLimit) == KI_TP_GDTR);
STATIC_ASSERT(offsetof(KI_TRAMPOLINE_PARAMETERS, Far32) == KI_TP_FAR32);
STATIC_ASSERT(offsetof(KI_TRAMPOLINE_PARAMETERS, Far64) == KI_TP_FAR64);
STATIC_ASSERT(sizeof(KI_TRAMPOLINE_PARAMETERS) == KI_TP_SIZE);
STATIC_ASSERT(KI_TP_BLOCK_OFFSET + KI_TP_SIZE <= 0x1000);

/* What the boot processor hands one AP: its paging registers (the AP copies them) and where it enters the kernel. */
typedef struct _KI_TRAMPOLINE_SETUP {
    ULONG PagePhysical; /* the trampoline page: page-aligned, above 0 and below 1 MiB (SIPI vector = page number) */
    ULONGLONG Cr0;
    ULONGLONG Cr3;
    ULONGLONG Cr4;
    ULONGLONG Efer;
    BOOLEAN EferPresent;
    ULONGLONG Entry;
    ULONGLONG StackTop;
    ULONGLONG Argument;
} KI_TRAMPOLINE_SETUP, *PKI_TRAMPOLINE_SETUP;

/* The trampoline code as linked (from its start to its end) and the offsets of its 32-bit and 64-bit entries. */
typedef struct _KI_TRAMPOLINE_CODE {
    const UCHAR *Bytes;
    ULONG Size;
    ULONG Protected32Offset;
    ULONG Long64Offset; /* 0 on i686 (no 64-bit part) */
} KI_TRAMPOLINE_CODE, *PKI_TRAMPOLINE_CODE;

/* Copies Code to Page (the trampoline page as mapped, 4 KiB) and fills the parameter block from Setup: CR4 without
 * PCIDE (it needs long mode; set later if ever used), EFER without LMA (read-only), the GDT and the far pointers
 * relocated to Setup->PagePhysical, Started = 0. STATUS_INVALID_PARAMETER for a page not below 1 MiB, CR3 at or
 * above 4 GiB, or code that overlaps the parameter block. */
XTSTATUS KiPrepareTrampoline(PUCHAR Page, const KI_TRAMPOLINE_CODE *Code, const KI_TRAMPOLINE_SETUP *Setup);

/* CR4.PCIDE and EFER.LMA: the bits KiPrepareTrampoline leaves out. */
#define KI_CR4_PCIDE (1ull << 17)
#define KI_EFER_LMA  (1ull << 10)

#endif

#endif
