/* Processor start-up: the boot processor's KPRCB, then every application processor of the MADT through the real-mode
 * trampoline (mptramp.h, <arch>/trampoline.S) in the page below 1 MiB the memory manager reserved: INIT-SIPI-SIPI,
 * the boot processor's paging registers (PML2, PML3, PML4 or PML5: CR4 with PAE/LA57 before paging), its own GDT,
 * TSS(s), guarded kernel and panic stacks, local APIC and clock; then it idles in hlt with interrupts on, running the
 * work queued for it (ke/work.c). */
#include <hl.h>
#include <kd.h>
#include <mm.h>
#include <rtl.h>

#include "ki.h"
#include "kimp.h"
#include "mptramp.h"

#define KI_PROCESSOR_ANSWER_US 2000000 /* how long one processor may take from the SIPIs to idling */
#define KI_PROCESSOR_POLL_US   100

/* The trampoline as linked (<arch>/trampoline.S). */
extern const UCHAR KiTrampolineStart[], KiTrampolineProtected[], KiTrampolineEnd[];

STATIC_ASSERT(KE_MAXIMUM_PROCESSORS == HL_MAXIMUM_PROCESSORS && KE_MAXIMUM_PROCESSORS == KE_MAXCPUS_LIMIT);
STATIC_ASSERT(KE_MAXIMUM_PROCESSORS <= 64); /* IPI target sets are 64-bit masks */

static KI_PROCESSOR KiBootProcessor __attribute__((aligned(64)));
PKPRCB KiProcessorBlock[KE_MAXIMUM_PROCESSORS];
volatile ULONG KiProcessorCount;

VOID KiInitializeBootProcessor(PXT_INIT_BLOCK InitBlock) {
    KiBootProcessor.Prcb.Self = &KiBootProcessor.Prcb;
    KiBootProcessor.Prcb.Number = 0;
    KiInitializeDpcQueue(&KiBootProcessor.Prcb);
    KiInitializeWorkQueue(&KiBootProcessor.Prcb);
    KeInitializeLockQueues(KiBootProcessor.Prcb.LockQueue);
    KiBootProcessor.Prcb.StackBase[0] = (ULONG_PTR)InitBlock->KernelStackBase;
    KiBootProcessor.Prcb.StackTop[0] = (ULONG_PTR)(InitBlock->KernelStackBase + InitBlock->KernelStackSize);
    for (ULONG Index = 0; Index < 3; Index++) {
        KiBootProcessor.Prcb.StackBase[Index + 1] = (ULONG_PTR)InitBlock->PanicStackBase[Index];
        KiBootProcessor.Prcb.StackTop[Index + 1] =
            (ULONG_PTR)(InitBlock->PanicStackBase[Index] + InitBlock->PanicStackSize);
    }
    ArInitializeProcessor(InitBlock, &KiTrapEntries, &KiBootProcessor.Prcb);
    KiProcessorBlock[0] = &KiBootProcessor.Prcb;
    KiProcessorCount = 1;
}

ULONG KiGetProcessorNumberSafe(VOID) {
    return KiProcessorCount != 0 ? KeGetCurrentProcessorNumber() : 0;
}

ULONG KeQueryActiveProcessorCount(VOID) {
    return KiProcessorCount;
}

PKPRCB KeGetProcessorBlock(ULONG Number) {
    return Number < KiProcessorCount ? KiProcessorBlock[Number] : NULL;
}

XTNORETURN VOID KiStartProcessor(PKI_PROCESSOR Processor) {
    AR_CPU_FEATURES Features;

    ArInitializeApplicationProcessor(&Processor->Tables, &Processor->Stacks, &Processor->Prcb);
    ArQueryCpuFeatures(&Features);
    ArEnableCpuFeatures(&Features); /* WP, NXE, SMEP, SMAP, MCE as on the boot processor */
    MmInitializeProcessorPaging();  /* CR4.PGE and PCIDE when address spaces use PCIDs, as on the boot processor */
    MmInitializeProcessorPool();    /* before anything here allocates: the pool's fast paths find their block */
    HlInitializeProcessorInterrupts();
    KiWriteRunLevel(PASSIVE_LEVEL);                           /* the level register and (i686) the TPR agree */
    KiInitializeProcessorDispatcher(&Processor->StartThread); /* this context becomes the idle thread */
    __atomic_store_n(&Processor->Prcb.Started, TRUE, __ATOMIC_RELEASE);
    KiIdleLoop(); /* its work runs in its work thread (ke/work.c) */
}

/* The AP's block and stacks (kernel stack and panic stacks as large as the loader gave the boot processor), in one
 * block of system PTEs with a guard page below each. */
static PKI_PROCESSOR KiAllocateProcessor(PXT_INIT_BLOCK InitBlock, ULONG Number, ULONG ApicId) {
    SIZE_T Pages[5], BlockPages = (sizeof(KI_PROCESSOR) + MM_PAGE_SIZE - 1) / MM_PAGE_SIZE;
    ULONG_PTR Tops[5];
    PKI_PROCESSOR Processor;

    Pages[0] = (SIZE_T)(InitBlock->KernelStackSize / MM_PAGE_SIZE);
    Pages[1] = Pages[2] = Pages[3] = (SIZE_T)(InitBlock->PanicStackSize / MM_PAGE_SIZE);
    Pages[4] = BlockPages;
    if (!XT_SUCCESS(MmAllocateGuardedStacks(5, Pages, Tops))) {
        return NULL;
    }
    Processor = (PKI_PROCESSOR)(Tops[4] - BlockPages * MM_PAGE_SIZE);
    RtlZeroMemory(Processor, sizeof(*Processor));
    Processor->Prcb.Self = &Processor->Prcb;
    Processor->Prcb.Number = Number;
    Processor->Prcb.ApicId = ApicId;
    KiInitializeDpcQueue(&Processor->Prcb);
    KiInitializeWorkQueue(&Processor->Prcb);
    KeInitializeLockQueues(Processor->Prcb.LockQueue);
    Processor->Stacks.KernelStackTop = Tops[0];
    for (ULONG Index = 0; Index < 4; Index++) {
        Processor->Prcb.StackTop[Index] = Tops[Index];
        Processor->Prcb.StackBase[Index] = Tops[Index] - Pages[Index] * MM_PAGE_SIZE;
        if (Index != 0) {
            Processor->Stacks.PanicStackTop[Index - 1] = Tops[Index];
        }
    }
    return Processor;
}

/* Starts the processor ApicId as number KiProcessorCount through the trampoline page (Page mapped at Va) and waits
 * for it; TRUE once it idles. One that does not answer is reported, sent INIT again and left out (its block and
 * stacks stay allocated: it may still be running). */
static BOOLEAN KiStartOneProcessor(PXT_INIT_BLOCK InitBlock, ULONG ApicId, ULONG_PTR Page, PUCHAR Va,
                                   PKI_TRAMPOLINE_SETUP Setup, BOOLEAN TestHang) {
    static const UCHAR HaltLoop[] = {0xF4, 0xEB, 0xFD}; /* hlt; jmp back to it */
    KI_TRAMPOLINE_CODE Code = {KiTrampolineStart, (ULONG)(KiTrampolineEnd - KiTrampolineStart),
                               (ULONG)(KiTrampolineProtected - KiTrampolineStart), KiArchTrampolineLongOffset()};
    PKI_TRAMPOLINE_PARAMETERS Parameters = (PKI_TRAMPOLINE_PARAMETERS)(Va + KI_TP_BLOCK_OFFSET);
    ULONG Number = KiProcessorCount, Waited = 0;
    PKI_PROCESSOR Processor = KiAllocateProcessor(InitBlock, Number, ApicId);
    XTSTATUS Status;

    if (Processor == NULL) {
        KdPrint("KE: processor (APIC id %u): no memory for its block and stacks: left out\n", ApicId);
        return FALSE;
    }
    Setup->Entry = (ULONG_PTR)KiStartProcessor;
    Setup->StackTop = Processor->Stacks.KernelStackTop;
    Setup->Argument = (ULONG_PTR)Processor;
    Status = KiPrepareTrampoline(Va, &Code, Setup);
    if (!XT_SUCCESS(Status)) {
        KdPrint("KE: trampoline refused (page 0x%zx, CR3 0x%llx, %u code bytes): no processor started\n", (SIZE_T)Page,
                Setup->Cr3, Code.Size);
        return FALSE;
    }
    if (TestHang) {
        KdPrint("KE: TESTAPHANG: processor (APIC id %u) will halt in the trampoline's 32-bit code\n", ApicId);
        RtlCopyMemory(Va + Code.Protected32Offset, HaltLoop, sizeof(HaltLoop));
    }
    HlStartProcessor(ApicId, (ULONG)(Page >> MM_PAGE_SHIFT));
    while (!__atomic_load_n(&Processor->Prcb.Started, __ATOMIC_ACQUIRE) && Waited < KI_PROCESSOR_ANSWER_US) {
        KeStallExecutionProcessor(KI_PROCESSOR_POLL_US);
        Waited += KI_PROCESSOR_POLL_US;
    }
    if (!Processor->Prcb.Started) {
        KdPrint("KE: processor (APIC id %u) did not answer within %u ms (%s): left out\n", ApicId,
                KI_PROCESSOR_ANSWER_US / 1000,
                Parameters->Started ? "it ran the trampoline but never reached the kernel"
                                    : "it never ran the trampoline");
        HlResetProcessor(ApicId);
        return FALSE;
    }
    KiProcessorBlock[Number] = &Processor->Prcb;
    __atomic_store_n(&KiProcessorCount, Number + 1, __ATOMIC_RELEASE);
    KdPrint(
        "KE: processor %u (APIC id %u) online %u us after the SIPIs: kernel stack 0x%p, panic stacks 0x%p 0x%p 0x%p\n",
        Number, ApicId, Waited, (PVOID)Processor->Stacks.KernelStackTop, (PVOID)Processor->Stacks.PanicStackTop[0],
        (PVOID)Processor->Stacks.PanicStackTop[1], (PVOID)Processor->Stacks.PanicStackTop[2]);
    return TRUE;
}

/* The boot processor's paging registers for the trampoline. */
static VOID KiCaptureTrampolineSetup(ULONG_PTR Page, PKI_TRAMPOLINE_SETUP Setup) {
    RtlZeroMemory(Setup, sizeof(*Setup));
    Setup->PagePhysical = (ULONG)Page;
    Setup->Cr0 = ArReadCr0();
    Setup->Cr3 = ArReadCr3();
    Setup->Cr4 = ArReadCr4();
    Setup->EferPresent = ArReadEfer(&Setup->Efer);
}

VOID KiStartApplicationProcessors(PXT_INIT_BLOCK InitBlock, ULONG MaxCpus, BOOLEAN TestHang) {
    static HL_PROCESSOR_LIST List;
    KI_TRAMPOLINE_SETUP Setup;
    ULONG_PTR Page;
    PVOID Va;
    XTSTATUS Status;

    HlQueryProcessors(InitBlock, MaxCpus, &List);
    KiBootProcessor.Prcb.ApicId = List.ApicIds[0];
    KdPrint("KE: MADT: %u usable processors (%u disabled, boot processor APIC id %u%s); starting %u%s\n", List.Usable,
            List.Disabled, List.ApicIds[0], List.BootListed ? "" : ", not listed", List.Count,
            List.LeftOut ? " (MAXCPUS)" : "");
    if (List.Count <= 1) {
        return;
    }
    Page = MmGetProcessorStartupPage();
    Status = MmMapProcessorStartupPage(&Va);
    if (!XT_SUCCESS(Status)) {
        KdPrint("KE: no processor start-up page (status 0x%08x): the boot processor runs alone\n", (ULONG)Status);
        return;
    }
    KiCaptureTrampolineSetup(Page, &Setup);
    for (ULONG Index = 1; Index < List.Count && KiProcessorCount < KE_MAXIMUM_PROCESSORS; Index++) {
        KiStartOneProcessor(InitBlock, List.ApicIds[Index], Page, Va, &Setup, TestHang && Index == 1);
    }
    MmUnmapProcessorStartupPage(Va);
    KdPrint("KE: %u of %u processors online (trampoline page 0x%zx)\n", KiProcessorCount, List.Count, (SIZE_T)Page);
}

/* Runs on every processor (generic call): starts an application processor's local APIC timer. */
static ULONG_PTR KiStartProcessorClockWorker(ULONG_PTR Context) {
    (VOID) Context;
    return KeGetCurrentProcessorNumber() == 0 || HlStartProcessorClockInterrupt();
}

VOID KiStartProcessorClocks(VOID) {
    if (KiProcessorCount > 1) {
        KeIpiGenericCall(KiStartProcessorClockWorker, 0);
    }
}
