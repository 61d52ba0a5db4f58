/* amd64 processor set-up: each processor's GDT (with a 64-bit TSS) and interrupt stack table, the shared IDT, and the
 * processor block in IA32_GS_BASE. */
#include <rtl.h>

#include "ar.h"
#include "descriptor.h"

/* Reloads CS and the data segment registers (cpuasm.S). */
VOID ArpLoadSegments(USHORT CodeSelector, USHORT DataSelector);

static AR_PROCESSOR_TABLES ArpBootTables __attribute__((aligned(16)));
static KIDT_ENTRY64 ArpIdt[256] __attribute__((aligned(16)));

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
static VOID ArpSetTssDescriptor(PAR_PROCESSOR_TABLES Tables, USHORT Selector) {
    ULONGLONG Base = (ULONGLONG)(ULONG_PTR)&Tables->Tss;

    Tables->Gdt[Selector / 8] = ArMakeSegmentDescriptor((ULONG)Base, sizeof(KTSS64) - 1, AR_ACCESS_TSS, 0);
    Tables->Gdt[Selector / 8 + 1] = Base >> 32;
}

/* Builds a GDT and its TSS (RSP0 = top of the kernel stack, IST1..3 = tops of the panic stacks). */
static VOID ArpInitializeGdt(PAR_PROCESSOR_TABLES Tables, const AR_PROCESSOR_STACKS *Stacks) {
    RtlZeroMemory(Tables, sizeof(*Tables));
    Tables->Gdt[KGDT_R0_CODE / 8] =
        ArMakeSegmentDescriptor(0, 0xFFFFF, AR_ACCESS_CODE_R0, AR_FLAGS_GRANULARITY | AR_FLAGS_LONG_MODE);
    Tables->Gdt[KGDT_R0_DATA / 8] =
        ArMakeSegmentDescriptor(0, 0xFFFFF, AR_ACCESS_DATA_R0, AR_FLAGS_GRANULARITY | AR_FLAGS_32BIT);
    Tables->Gdt[KGDT_R3_CODE32 / 8] =
        ArMakeSegmentDescriptor(0, 0xFFFFF, AR_ACCESS_CODE_R3, AR_FLAGS_GRANULARITY | AR_FLAGS_32BIT);
    Tables->Gdt[KGDT_R3_DATA / 8] =
        ArMakeSegmentDescriptor(0, 0xFFFFF, AR_ACCESS_DATA_R3, AR_FLAGS_GRANULARITY | AR_FLAGS_32BIT);
    Tables->Gdt[KGDT_R3_CODE / 8] =
        ArMakeSegmentDescriptor(0, 0xFFFFF, AR_ACCESS_CODE_R3, AR_FLAGS_GRANULARITY | AR_FLAGS_LONG_MODE);

    Tables->Tss.Rsp0 = Stacks->KernelStackTop;
    Tables->Tss.Ist[KI_IST_DOUBLE_FAULT] = Stacks->PanicStackTop[XT_PANIC_STACK_DOUBLE_FAULT];
    Tables->Tss.Ist[KI_IST_NMI] = Stacks->PanicStackTop[XT_PANIC_STACK_NMI];
    Tables->Tss.Ist[KI_IST_MACHINE_CHECK] = Stacks->PanicStackTop[XT_PANIC_STACK_MACHINE_CHECK];
    Tables->Tss.IoMapBase = sizeof(KTSS64); /* no I/O permission bitmap */
    ArpSetTssDescriptor(Tables, KGDT_TSS);
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

/* Loads a processor's GDT, TSS and the shared IDT; GS's base becomes ProcessorBlock (after the segment reload, which
 * clears it). */
static VOID ArpLoadTables(PAR_PROCESSOR_TABLES Tables, PVOID ProcessorBlock) {
    KDESCRIPTOR64 Gdtr = {sizeof(Tables->Gdt) - 1, (ULONGLONG)(ULONG_PTR)Tables->Gdt};
    KDESCRIPTOR64 Idtr = {sizeof(ArpIdt) - 1, (ULONGLONG)(ULONG_PTR)ArpIdt};

    __asm__ volatile("lgdt %0" : : "m"(Gdtr) : "memory");
    ArpLoadSegments(KGDT_R0_CODE, KGDT_R0_DATA);
    __asm__ volatile("ltr %w0" : : "r"((USHORT)KGDT_TSS) : "memory");
    __asm__ volatile("lidt %0" : : "m"(Idtr) : "memory");
    ArWriteMsr(AR_MSR_GS_BASE, (ULONGLONG)(ULONG_PTR)ProcessorBlock);
}

VOID ArInitializeProcessor(PXT_INIT_BLOCK InitBlock, const AR_TRAP_ENTRIES *Entries, PVOID ProcessorBlock) {
    AR_PROCESSOR_STACKS Stacks;

    Stacks.KernelStackTop = (ULONG_PTR)(InitBlock->KernelStackBase + InitBlock->KernelStackSize);
    for (ULONG Index = 0; Index < 3; Index++) {
        Stacks.PanicStackTop[Index] = (ULONG_PTR)(InitBlock->PanicStackBase[Index] + InitBlock->PanicStackSize);
    }
    ArpInitializeGdt(&ArpBootTables, &Stacks);
    ArpInitializeIdt(Entries);
    ArpLoadTables(&ArpBootTables, ProcessorBlock);
}

VOID ArInitializeApplicationProcessor(PAR_PROCESSOR_TABLES Tables, const AR_PROCESSOR_STACKS *Stacks,
                                      PVOID ProcessorBlock) {
    ArpInitializeGdt(Tables, Stacks);
    ArpLoadTables(Tables, ProcessorBlock);
}
