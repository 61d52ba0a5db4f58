/* i686 processor set-up: each processor's GDT, boot TSS and three task TSSs (double fault, NMI, machine check, each
 * on that processor's panic stack), its processor-block segment in FS, and the shared IDT (task gates for 2, 8 and 18
 * name GDT selectors, so every processor switches to its own tasks). */
#include <rtl.h>

#include "ar.h"
#include "descriptor.h"

/* Reloads CS and the data segment registers (cpuasm.S). */
VOID ArpLoadSegments(USHORT CodeSelector, USHORT DataSelector);

static AR_PROCESSOR_TABLES ArpBootTables __attribute__((aligned(16)));
static KIDT_ENTRY32 ArpIdt[256] __attribute__((aligned(16)));

PKTSS32 ArGetTaskStateSegment(ULONG Selector) {
    KDESCRIPTOR32 Gdtr;
    ULONGLONG Descriptor;

    Selector &= ~7u;
    if (Selector < KGDT_TSS || Selector > KGDT_MC_TSS) {
        return NULL;
    }
    __asm__ volatile("sgdt %0" : "=m"(Gdtr));
    Descriptor = ((const ULONGLONG *)(ULONG_PTR)Gdtr.Base)[Selector / 8];
    return (PKTSS32)(ULONG_PTR)(((Descriptor >> 16) & 0xFFFFFF) | ((Descriptor >> 56) << 24));
}

/* Prepares a task that starts at Entry on the stack ending at StackTop, with the current page tables. */
static VOID ArpInitializeTaskTss(PKTSS32 Tss, ULONG_PTR Entry, ULONG_PTR StackTop) {
    RtlZeroMemory(Tss, sizeof(*Tss));
    Tss->Cr3 = (ULONG)ArReadCr3();
    Tss->Eip = (ULONG)Entry;
    Tss->EFlags = 0x2; /* IF = 0 */
    Tss->Esp = (ULONG)StackTop;
    Tss->Esp0 = (ULONG)StackTop;
    Tss->Ss0 = KGDT_R0_DATA;
    Tss->Cs = KGDT_R0_CODE;
    Tss->Ss = Tss->Ds = Tss->Es = Tss->Gs = KGDT_R0_DATA;
    Tss->Fs = KGDT_R0_PCR; /* the task handler finds its processor block */
    Tss->IoMapBase = sizeof(KTSS32);
}

/* The task entries of the last ArInitializeProcessor (shared by every processor). */
static AR_TRAP_ENTRIES ArpTaskEntries;

/* Builds a GDT: flat code/data segments, the four TSS descriptors and the processor-block segment. */
static VOID ArpInitializeGdt(PAR_PROCESSOR_TABLES Tables, const AR_PROCESSOR_STACKS *Stacks, PVOID ProcessorBlock) {
    UCHAR Flat = AR_FLAGS_GRANULARITY | AR_FLAGS_32BIT;
    PKTSS32 Tss[] = {&Tables->BootTss, &Tables->DoubleFaultTss, &Tables->NmiTss, &Tables->MachineCheckTss};

    RtlZeroMemory(Tables, sizeof(*Tables));
    Tables->Gdt[KGDT_R0_CODE / 8] = ArMakeSegmentDescriptor(0, 0xFFFFF, AR_ACCESS_CODE_R0, Flat);
    Tables->Gdt[KGDT_R0_DATA / 8] = ArMakeSegmentDescriptor(0, 0xFFFFF, AR_ACCESS_DATA_R0, Flat);
    Tables->Gdt[KGDT_R3_CODE / 8] = ArMakeSegmentDescriptor(0, 0xFFFFF, AR_ACCESS_CODE_R3, Flat);
    Tables->Gdt[KGDT_R3_DATA / 8] = ArMakeSegmentDescriptor(0, 0xFFFFF, AR_ACCESS_DATA_R3, Flat);
    Tables->Gdt[KGDT_R0_PCR / 8] =
        ArMakeSegmentDescriptor((ULONG)(ULONG_PTR)ProcessorBlock, 0xFFFFF, AR_ACCESS_DATA_R0, Flat);

    Tables->BootTss.Esp0 = (ULONG)Stacks->KernelStackTop;
    Tables->BootTss.Ss0 = KGDT_R0_DATA;
    Tables->BootTss.IoMapBase = sizeof(KTSS32);
    ArpInitializeTaskTss(&Tables->DoubleFaultTss, ArpTaskEntries.DoubleFaultTask,
                         Stacks->PanicStackTop[XT_PANIC_STACK_DOUBLE_FAULT]);
    ArpInitializeTaskTss(&Tables->NmiTss, ArpTaskEntries.NmiTask, Stacks->PanicStackTop[XT_PANIC_STACK_NMI]);
    ArpInitializeTaskTss(&Tables->MachineCheckTss, ArpTaskEntries.MachineCheckTask,
                         Stacks->PanicStackTop[XT_PANIC_STACK_MACHINE_CHECK]);
    for (ULONG Selector = KGDT_TSS; Selector <= KGDT_MC_TSS; Selector += 8) {
        Tables->Gdt[Selector / 8] = ArMakeSegmentDescriptor((ULONG)(ULONG_PTR)Tss[(Selector - KGDT_TSS) / 8],
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

/* Loads a processor's GDT, boot TSS, the shared IDT, and FS = its processor-block segment. */
static VOID ArpLoadTables(PAR_PROCESSOR_TABLES Tables) {
    KDESCRIPTOR32 Gdtr = {sizeof(Tables->Gdt) - 1, (ULONG)(ULONG_PTR)Tables->Gdt};
    KDESCRIPTOR32 Idtr = {sizeof(ArpIdt) - 1, (ULONG)(ULONG_PTR)ArpIdt};

    __asm__ volatile("lgdt %0" : : "m"(Gdtr) : "memory");
    ArpLoadSegments(KGDT_R0_CODE, KGDT_R0_DATA);
    __asm__ volatile("ltr %w0" : : "r"((USHORT)KGDT_TSS) : "memory");
    __asm__ volatile("lidt %0" : : "m"(Idtr) : "memory");
    __asm__ volatile("movw %w0, %%fs" : : "r"((USHORT)KGDT_R0_PCR) : "memory");
}

VOID ArInitializeProcessor(PXT_INIT_BLOCK InitBlock, const AR_TRAP_ENTRIES *Entries, PVOID ProcessorBlock) {
    AR_PROCESSOR_STACKS Stacks;

    Stacks.KernelStackTop = (ULONG_PTR)(InitBlock->KernelStackBase + InitBlock->KernelStackSize);
    for (ULONG Index = 0; Index < 3; Index++) {
        Stacks.PanicStackTop[Index] = (ULONG_PTR)(InitBlock->PanicStackBase[Index] + InitBlock->PanicStackSize);
    }
    ArpTaskEntries = *Entries;
    ArpInitializeGdt(&ArpBootTables, &Stacks, ProcessorBlock);
    ArpInitializeIdt(Entries);
    ArpLoadTables(&ArpBootTables);
}

VOID ArInitializeApplicationProcessor(PAR_PROCESSOR_TABLES Tables, const AR_PROCESSOR_STACKS *Stacks,
                                      PVOID ProcessorBlock) {
    ArpInitializeGdt(Tables, Stacks, ProcessorBlock);
    ArpLoadTables(Tables);
}
