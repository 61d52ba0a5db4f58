/* amd64 boot-processor set-up: the kernel's GDT (with a 64-bit TSS), IDT and interrupt stack table. */
#include <rtl.h>

#include "ar.h"
#include "descriptor.h"

/* Reloads CS and the data segment registers (cpuasm.S). */
VOID ArpLoadSegments(USHORT CodeSelector, USHORT DataSelector);

static ULONGLONG ArpGdt[KGDT_ENTRIES] __attribute__((aligned(16)));
static KIDT_ENTRY64 ArpIdt[256] __attribute__((aligned(16)));
static KTSS64 ArpTss __attribute__((aligned(16)));

/* Fills one interrupt gate of the IDT. */
static VOID ArpSetInterruptGate(ULONG Vector, ULONGLONG Handler, UCHAR Ist) {
    PKIDT_ENTRY64 Entry = &ArpIdt[Vector];

    Entry->OffsetLow = (USHORT)Handler;
    Entry->Selector = KGDT_R0_CODE;
    Entry->IstIndex = Ist & 7;
    Entry->TypeAttributes = AR_GATE_INTERRUPT;
    Entry->OffsetMiddle = (USHORT)(Handler >> 16);
    Entry->OffsetHigh = (ULONG)(Handler >> 32);
    Entry->Reserved = 0;
}

/* Writes the 16-byte system descriptor of the TSS at Selector. */
static VOID ArpSetTssDescriptor(USHORT Selector, PKTSS64 Tss) {
    ULONGLONG Base = (ULONGLONG)(ULONG_PTR)Tss;

    ArpGdt[Selector / 8] = ArMakeSegmentDescriptor((ULONG)Base, sizeof(KTSS64) - 1, AR_ACCESS_TSS, 0);
    ArpGdt[Selector / 8 + 1] = Base >> 32;
}

/* Builds the GDT and the TSS (RSP0 = top of the boot stack, IST1..3 = tops of the panic stacks). */
static VOID ArpInitializeGdt(PXT_INIT_BLOCK InitBlock) {
    ArpGdt[0] = 0;
    ArpGdt[KGDT_R0_CODE / 8] =
        ArMakeSegmentDescriptor(0, 0xFFFFF, AR_ACCESS_CODE_R0, AR_FLAGS_GRANULARITY | AR_FLAGS_LONG_MODE);
    ArpGdt[KGDT_R0_DATA / 8] =
        ArMakeSegmentDescriptor(0, 0xFFFFF, AR_ACCESS_DATA_R0, AR_FLAGS_GRANULARITY | AR_FLAGS_32BIT);
    ArpGdt[KGDT_R3_CODE32 / 8] =
        ArMakeSegmentDescriptor(0, 0xFFFFF, AR_ACCESS_CODE_R3, AR_FLAGS_GRANULARITY | AR_FLAGS_32BIT);
    ArpGdt[KGDT_R3_DATA / 8] =
        ArMakeSegmentDescriptor(0, 0xFFFFF, AR_ACCESS_DATA_R3, AR_FLAGS_GRANULARITY | AR_FLAGS_32BIT);
    ArpGdt[KGDT_R3_CODE / 8] =
        ArMakeSegmentDescriptor(0, 0xFFFFF, AR_ACCESS_CODE_R3, AR_FLAGS_GRANULARITY | AR_FLAGS_LONG_MODE);

    RtlZeroMemory(&ArpTss, sizeof(ArpTss));
    ArpTss.Rsp0 = InitBlock->KernelStackBase + InitBlock->KernelStackSize;
    ArpTss.Ist[KI_IST_DOUBLE_FAULT] =
        InitBlock->PanicStackBase[XT_PANIC_STACK_DOUBLE_FAULT] + InitBlock->PanicStackSize;
    ArpTss.Ist[KI_IST_NMI] = InitBlock->PanicStackBase[XT_PANIC_STACK_NMI] + InitBlock->PanicStackSize;
    ArpTss.Ist[KI_IST_MACHINE_CHECK] =
        InitBlock->PanicStackBase[XT_PANIC_STACK_MACHINE_CHECK] + InitBlock->PanicStackSize;
    ArpTss.IoMapBase = sizeof(KTSS64); /* no I/O permission bitmap */
    ArpSetTssDescriptor(KGDT_TSS, &ArpTss);
}

/* Builds the IDT: interrupt gates for all 256 vectors (exceptions 0..31, interrupts 32..255 into Ke's dispatcher);
 * 2, 8 and 18 on their own stacks. */
static VOID ArpInitializeIdt(const AR_TRAP_ENTRIES *Entries) {
    RtlZeroMemory(ArpIdt, sizeof(ArpIdt));
    for (ULONG Vector = 0; Vector < AR_IDT_VECTORS; Vector++) {
        ArpSetInterruptGate(Vector, Entries->Vectors[Vector], 0);
    }
    ArpSetInterruptGate(2, Entries->Vectors[2], KI_IST_NMI);
    ArpSetInterruptGate(8, Entries->Vectors[8], KI_IST_DOUBLE_FAULT);
    ArpSetInterruptGate(18, Entries->Vectors[18], KI_IST_MACHINE_CHECK);
}

VOID ArInitializeProcessor(PXT_INIT_BLOCK InitBlock, const AR_TRAP_ENTRIES *Entries) {
    KDESCRIPTOR64 Gdtr = {sizeof(ArpGdt) - 1, (ULONGLONG)(ULONG_PTR)ArpGdt};
    KDESCRIPTOR64 Idtr = {sizeof(ArpIdt) - 1, (ULONGLONG)(ULONG_PTR)ArpIdt};

    ArpInitializeGdt(InitBlock);
    ArpInitializeIdt(Entries);
    __asm__ volatile("lgdt %0" : : "m"(Gdtr) : "memory");
    ArpLoadSegments(KGDT_R0_CODE, KGDT_R0_DATA);
    __asm__ volatile("ltr %w0" : : "r"((USHORT)KGDT_TSS) : "memory");
    __asm__ volatile("lidt %0" : : "m"(Idtr) : "memory");
}
