/* i686 boot-processor set-up: the kernel's GDT, IDT, the boot TSS and three task gates (double fault, NMI,
 * machine check), each task with its own TSS and panic stack. */
#include <rtl.h>

#include "ar.h"
#include "descriptor.h"

/* Reloads CS and the data segment registers (cpuasm.S). */
VOID ArpLoadSegments(USHORT CodeSelector, USHORT DataSelector);

static ULONGLONG ArpGdt[KGDT_ENTRIES] __attribute__((aligned(16)));
static KIDT_ENTRY32 ArpIdt[256] __attribute__((aligned(16)));
static KTSS32 ArpBootTss, ArpDoubleFaultTss, ArpNmiTss, ArpMachineCheckTss;

PKTSS32 ArGetTaskStateSegment(ULONG Selector) {
    switch (Selector & ~7u) {
        case KGDT_TSS:
            return &ArpBootTss;
        case KGDT_DF_TSS:
            return &ArpDoubleFaultTss;
        case KGDT_NMI_TSS:
            return &ArpNmiTss;
        case KGDT_MC_TSS:
            return &ArpMachineCheckTss;
        default:
            return NULL;
    }
}

/* Prepares a task that starts at Entry on the stack ending at StackTop, with the current page tables. */
static VOID ArpInitializeTaskTss(PKTSS32 Tss, ULONG_PTR Entry, ULONGLONG StackTop) {
    RtlZeroMemory(Tss, sizeof(*Tss));
    Tss->Cr3 = (ULONG)ArReadCr3();
    Tss->Eip = (ULONG)Entry;
    Tss->EFlags = 0x2; /* IF = 0 */
    Tss->Esp = (ULONG)StackTop;
    Tss->Esp0 = (ULONG)StackTop;
    Tss->Ss0 = KGDT_R0_DATA;
    Tss->Cs = KGDT_R0_CODE;
    Tss->Ss = Tss->Ds = Tss->Es = Tss->Fs = Tss->Gs = KGDT_R0_DATA;
    Tss->IoMapBase = sizeof(KTSS32);
}

/* Builds the GDT: flat code/data segments and the four TSS descriptors. */
static VOID ArpInitializeGdt(PXT_INIT_BLOCK InitBlock, const AR_TRAP_ENTRIES *Entries) {
    ULONGLONG PanicSize = InitBlock->PanicStackSize;
    UCHAR Flat = AR_FLAGS_GRANULARITY | AR_FLAGS_32BIT;

    ArpGdt[0] = 0;
    ArpGdt[KGDT_R0_CODE / 8] = ArMakeSegmentDescriptor(0, 0xFFFFF, AR_ACCESS_CODE_R0, Flat);
    ArpGdt[KGDT_R0_DATA / 8] = ArMakeSegmentDescriptor(0, 0xFFFFF, AR_ACCESS_DATA_R0, Flat);
    ArpGdt[KGDT_R3_CODE / 8] = ArMakeSegmentDescriptor(0, 0xFFFFF, AR_ACCESS_CODE_R3, Flat);
    ArpGdt[KGDT_R3_DATA / 8] = ArMakeSegmentDescriptor(0, 0xFFFFF, AR_ACCESS_DATA_R3, Flat);

    RtlZeroMemory(&ArpBootTss, sizeof(ArpBootTss));
    ArpBootTss.Esp0 = (ULONG)(InitBlock->KernelStackBase + InitBlock->KernelStackSize);
    ArpBootTss.Ss0 = KGDT_R0_DATA;
    ArpBootTss.IoMapBase = sizeof(KTSS32);
    ArpInitializeTaskTss(&ArpDoubleFaultTss, Entries->DoubleFaultTask,
                         InitBlock->PanicStackBase[XT_PANIC_STACK_DOUBLE_FAULT] + PanicSize);
    ArpInitializeTaskTss(&ArpNmiTss, Entries->NmiTask, InitBlock->PanicStackBase[XT_PANIC_STACK_NMI] + PanicSize);
    ArpInitializeTaskTss(&ArpMachineCheckTss, Entries->MachineCheckTask,
                         InitBlock->PanicStackBase[XT_PANIC_STACK_MACHINE_CHECK] + PanicSize);
    for (ULONG Selector = KGDT_TSS; Selector <= KGDT_MC_TSS; Selector += 8) {
        ArpGdt[Selector / 8] = ArMakeSegmentDescriptor((ULONG)(ULONG_PTR)ArGetTaskStateSegment(Selector),
                                                       sizeof(KTSS32) - 1, AR_ACCESS_TSS, 0);
    }
}

/* Fills one IDT gate: an interrupt gate to Handler, or a task gate to the TSS at Selector. */
static VOID ArpSetGate(ULONG Vector, ULONG Handler, USHORT Selector, UCHAR Type) {
    ArpIdt[Vector].OffsetLow = (USHORT)Handler;
    ArpIdt[Vector].Selector = Selector;
    ArpIdt[Vector].Reserved = 0;
    ArpIdt[Vector].TypeAttributes = Type;
    ArpIdt[Vector].OffsetHigh = (USHORT)(Handler >> 16);
}

/* Builds the IDT: interrupt gates for all 256 vectors (exceptions 0..31, interrupts 32..255 into Ke's dispatcher),
 * task gates for 2, 8 and 18. */
static VOID ArpInitializeIdt(const AR_TRAP_ENTRIES *Entries) {
    RtlZeroMemory(ArpIdt, sizeof(ArpIdt));
    for (ULONG Vector = 0; Vector < AR_IDT_VECTORS; Vector++) {
        ArpSetGate(Vector, (ULONG)Entries->Vectors[Vector], KGDT_R0_CODE, AR_GATE_INTERRUPT);
    }
    ArpSetGate(2, 0, KGDT_NMI_TSS, AR_GATE_TASK);
    ArpSetGate(8, 0, KGDT_DF_TSS, AR_GATE_TASK);
    ArpSetGate(18, 0, KGDT_MC_TSS, AR_GATE_TASK);
}

VOID ArInitializeProcessor(PXT_INIT_BLOCK InitBlock, const AR_TRAP_ENTRIES *Entries) {
    KDESCRIPTOR32 Gdtr = {sizeof(ArpGdt) - 1, (ULONG)(ULONG_PTR)ArpGdt};
    KDESCRIPTOR32 Idtr = {sizeof(ArpIdt) - 1, (ULONG)(ULONG_PTR)ArpIdt};

    ArpInitializeGdt(InitBlock, Entries);
    ArpInitializeIdt(Entries);
    __asm__ volatile("lgdt %0" : : "m"(Gdtr) : "memory");
    ArpLoadSegments(KGDT_R0_CODE, KGDT_R0_DATA);
    __asm__ volatile("ltr %w0" : : "r"((USHORT)KGDT_TSS) : "memory");
    __asm__ volatile("lidt %0" : : "m"(Idtr) : "memory");
}
