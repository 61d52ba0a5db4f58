/* STOP reports: the STOP line, the register dump, a bounded backtrace; then TESTEXIT or halt. Never resets. */
#include <kd.h>
#include <kthread.h>
#include <mm.h>
#include <rtl.h>
#include <xtintrin.h>
#include <xttest.h>

#include "ki.h"
#include "kimp.h"

#define KI_BACKTRACE_FRAMES     16
#define KI_STACK_OVERFLOW_RANGE 0x10000 /* an SP this far below a stack's base counts as an overflow */

typedef struct _KI_STACK {
    ULONG_PTR Low;
    ULONG_PTR High;
    PCSTR Name;
} KI_STACK;

static volatile LONG KiBugCheckNesting;
static BOOLEAN KiStopTestExit;

VOID KiSetStopTestExit(BOOLEAN Enable) {
    KiStopTestExit = Enable;
}

/* Stack Index (0 the kernel stack, 1..3 the double-fault, NMI and machine-check stacks) of the current processor
 * (before its KPRCB is bound: the boot facts); FALSE before the init block was checked. */
static BOOLEAN KiGetStack(ULONG Index, KI_STACK *Stack) {
    static const PCSTR Names[] = {"kernel stack", "double-fault stack", "NMI stack", "machine-check stack"};
    const XT_INIT_BLOCK *Block = KeGetLoaderBlock();

    if (Block == NULL) {
        return FALSE;
    }
    if (KiProcessorCount != 0) { /* the current processor's own stacks (the boot processor's are the loader's) */
        PKPRCB Prcb = KeGetCurrentPrcb();
        *Stack = (KI_STACK){Prcb->StackBase[Index], Prcb->StackTop[Index], Names[Index]};
        return TRUE;
    }
    if (Index == 0) {
        *Stack = (KI_STACK){(ULONG_PTR)Block->KernelStackBase,
                            (ULONG_PTR)(Block->KernelStackBase + Block->KernelStackSize), Names[0]};
    } else {
        *Stack = (KI_STACK){(ULONG_PTR)Block->PanicStackBase[Index - 1],
                            (ULONG_PTR)(Block->PanicStackBase[Index - 1] + Block->PanicStackSize), Names[Index]};
    }
    return TRUE;
}

/* The kernel image's base and size (0 before the init block was checked). */
static ULONG_PTR KiImageBase(PULONG_PTR Size) {
    const XT_INIT_BLOCK *Block = KeGetLoaderBlock();

    *Size = Block ? (ULONG_PTR)Block->KernelImageSize : 0;
    return Block ? (ULONG_PTR)Block->KernelVirtualBase : 0;
}

/* Ends the STOP: isa-debug-exit with XT_TEST_EXIT_STOP under TESTEXIT, else halt forever. */
static XTNORETURN VOID KiStopFinish(VOID) {
    if (KiStopTestExit) {
        KdWaitForScreenCapture(); /* TESTSCREEN only */
        XtTestExit(XT_TEST_EXIT_STOP);
    }
    ArHaltSystem();
}

/* The known stack holding Address into *Stack; FALSE when none does. */
static BOOLEAN KiFindStack(ULONG_PTR Address, KI_STACK *Stack) {
    for (ULONG Index = 0; KiGetStack(Index, Stack) && Index < 4; Index++) {
        if (Address >= Stack->Low && Address < Stack->High) {
            return TRUE;
        }
    }
    return FALSE;
}

/* Prints one code address, image-relative when it lies in the kernel image. */
static VOID KiPrintCodeAddress(PCSTR Prefix, ULONG_PTR Address) {
    ULONG_PTR Size, Base = KiImageBase(&Size);

    PCSTR Name;
    ULONG Offset;

    if (Size != 0 && Address >= Base && Address - Base < Size) {
        if (KiLookupSymbol((const KSYM_TABLE *)KiSymbolTable, sizeof(KiSymbolTable), (ULONG)(Address - Base), &Name,
                           &Offset)) {
            KdStopPrint("%s0x%p (xtoskrnl+0x%zx %s+0x%x)\n", Prefix, (PVOID)Address, (SIZE_T)(Address - Base), Name,
                        Offset);
            return;
        }
        KdStopPrint("%s0x%p (xtoskrnl+0x%zx)\n", Prefix, (PVOID)Address, (SIZE_T)(Address - Base));
    } else {
        KdStopPrint("%s0x%p\n", Prefix, (PVOID)Address);
    }
}

/* Prints the faulting address and the frame-pointer chain, reading only inside the stack that holds it; when the
 * chain is short, also the kernel-image addresses found on the stack (candidates). */
static VOID KiPrintBacktrace(const KI_TRAP_INFO *Info) {
    ULONG_PTR Addresses[KI_BACKTRACE_FRAMES];
    ULONG_PTR ImageSize, ImageBase = KiImageBase(&ImageSize);
    KI_STACK Stack;
    ULONG Count = 0;
    CHAR Prefix[8];

    KdStopPrint("Backtrace:\n");
    KiPrintCodeAddress("  #0  ", Info->InstructionPointer);
    if (KiFindStack(Info->FramePointer, &Stack)) {
        Count = KiWalkFrameChain(Info->FramePointer, Stack.Low, Stack.High, Addresses, KI_BACKTRACE_FRAMES);
    }
    for (ULONG Index = 0; Index < Count; Index++) {
        RtlFormatString(Prefix, sizeof(Prefix), "  #%-2u ", Index + 1);
        KiPrintCodeAddress(Prefix, Addresses[Index]);
    }
    if (Count >= 2 || !KiFindStack(Info->StackPointer, &Stack) || ImageSize == 0) {
        return;
    }
    Count = KiScanStackForCode(Info->StackPointer, Stack.Low, Stack.High, ImageBase, ImageSize, 512, Addresses,
                               KI_BACKTRACE_FRAMES / 2);
    KdStopPrint("Stack scan (kernel addresses on the %s, may include stale values):\n", Stack.Name);
    for (ULONG Index = 0; Index < Count; Index++) {
        KiPrintCodeAddress("  ?   ", Addresses[Index]);
    }
}

/* Minimal report for a fault inside the STOP printer (no formatting; nothing at deeper levels), then finish. */
static XTNORETURN VOID KiNestedStop(const KI_TRAP_INFO *Info) {
    if (KiBugCheckNesting == 2) {
        KdStopWriteRaw("\n*** STOP: fault while reporting a STOP: vector ", Info ? Info->Vector : KI_NO_VECTOR, TRUE);
        KdStopWriteRaw(" IP ", Info ? Info->InstructionPointer : 0, TRUE);
        KdStopWriteRaw(" address ", Info ? Info->FaultAddress : 0, TRUE);
        KdStopWriteRaw("\n", 0, FALSE);
    }
    KiStopFinish();
}

/* Names the processor that stopped and where the freeze found each of the others. */
static VOID KiReportProcessors(VOID) {
    ULONG Count = KiProcessorCount, Self = KiGetProcessorNumberSafe();
    CHAR Prefix[64];

    if (Count == 0) {
        return; /* before the boot processor's KPRCB */
    }
    KdStopPrint("KE: STOP on processor %u (APIC id %u) of %u\n", Self, KiProcessorBlock[Self]->ApicId, Count);
    for (ULONG Number = 0; Number < Count; Number++) {
        PKPRCB Prcb = KiProcessorBlock[Number];

        if (Number == Self) {
            continue;
        }
        if (!Prcb->Frozen) {
            KdStopPrint("KE: processor %u (APIC id %u) did not answer the freeze NMI\n", Number, Prcb->ApicId);
            continue;
        }
        RtlFormatString(Prefix, sizeof(Prefix), "KE: processor %u (APIC id %u) frozen at ", Number, Prcb->ApicId);
        KiPrintCodeAddress(Prefix, Prcb->FrozenAt);
    }
}

/* Names the thread the STOP happened in: its KTHREAD, its process and its start routine (none: the start-up code or
 * an application processor's idle thread). Nothing before the dispatcher runs here. */
static VOID KiReportThread(VOID) {
    PKTHREAD Thread;
    CHAR Prefix[96];

    if (KiProcessorCount == 0) {
        return;
    }
    Thread = KiProcessorBlock[KiGetProcessorNumberSafe()]->CurrentThread;
    if (Thread == NULL) {
        return;
    }
    if (Thread->StartRoutine == NULL) {
        KdStopPrint("KE: in thread 0x%p (process 0x%p): the start-up thread or an idle thread\n", (PVOID)Thread,
                    (PVOID)Thread->Process);
        return;
    }
    RtlFormatString(Prefix, sizeof(Prefix), "KE: in thread 0x%p (process 0x%p), start routine ", (PVOID)Thread,
                    (PVOID)Thread->Process);
    KiPrintCodeAddress(Prefix, (ULONG_PTR)Thread->StartRoutine);
}

/* Prints the complete STOP report for Stop; Frame/Info describe the registers. */
static XTNORETURN VOID KiStop(const KI_STOP *Stop, PKTRAP_FRAME Frame, const KI_TRAP_INFO *Info) {
    KiFreezeOtherProcessors(); /* the others stop first, so they print nothing into the report */
    KdStopPrint("\n*** STOP 0x%08X (0x%p, 0x%p, 0x%p, 0x%p)\n%s\n", Stop->Code, (PVOID)Stop->Parameters[0],
                (PVOID)Stop->Parameters[1], (PVOID)Stop->Parameters[2], (PVOID)Stop->Parameters[3],
                KiBugCheckName(Stop->Code));
    KiReportProcessors();
    KiReportThread();
    KiDumpTrapFrame(Frame, Info);
    KiPrintBacktrace(Info);
    KdStopPrint("KE: system halted%s\n", KiStopTestExit ? " (TESTEXIT)" : "");
    KiStopFinish();
}

/* Explains an exception in one line before the STOP (stack overflow, unexpected interrupt, page fault). */
static VOID KiDescribeTrap(const KI_TRAP_INFO *Info) {
    KI_STACK Kernel;

    if (Info->Vector == 14) {
        KdStopPrint("KE: page fault: %s of 0x%p at 0x%p (error code 0x%zx)\n",
                    (Info->ErrorCode & KI_PF_FETCH)   ? "instruction fetch"
                    : (Info->ErrorCode & KI_PF_WRITE) ? "write"
                                                      : "read",
                    (PVOID)Info->FaultAddress, (PVOID)Info->InstructionPointer, (SIZE_T)Info->ErrorCode);
        KdStopPrint("MM: 0x%p is in: %s\n", (PVOID)Info->FaultAddress, MmDescribeAddress(Info->FaultAddress));
    } else if (Info->Vector == 11 && (Info->ErrorCode & 2)) {
        KdStopPrint("KE: unexpected interrupt: vector 0x%zx has no IDT gate\n", (SIZE_T)(Info->ErrorCode >> 3));
    } else {
        KdStopPrint("KE: exception %s (vector %u, error code 0x%zx) at 0x%p\n", KiVectorName(Info->Vector),
                    Info->Vector, (SIZE_T)Info->ErrorCode, (PVOID)Info->InstructionPointer);
    }
    if (Info->Vector == 18) {
        KiDumpMachineCheck();
    }
    if (KiGetStack(0, &Kernel) && Info->StackPointer < Kernel.Low &&
        Kernel.Low - Info->StackPointer <= KI_STACK_OVERFLOW_RANGE) {
        KdStopPrint("KE: kernel stack overflow: stack pointer 0x%p is below the kernel stack 0x%p-0x%p (guard page)\n",
                    (PVOID)Info->StackPointer, (PVOID)Kernel.Low, (PVOID)Kernel.High);
    }
}

XTNORETURN VOID KiBugCheckTrap(PKTRAP_FRAME Frame, const KI_TRAP_INFO *Info) {
    KiBugCheckTrapStop(Frame, Info, NULL);
}

XTNORETURN VOID KiBugCheckTrapStop(PKTRAP_FRAME Frame, const KI_TRAP_INFO *Info, const KI_STOP *Chosen) {
    BOOLEAN Known;
    KI_STACK Handler;
    KI_STOP Stop;

    ArDisableInterrupts();                 /* no clock tick (or any interrupt) from here to the halt */
    KiEnterStop(Info->InstructionPointer); /* parks this processor when another one is stopping the system */
    if (__atomic_add_fetch(&KiBugCheckNesting, 1, __ATOMIC_SEQ_CST) > 1) {
        KiNestedStop(Info);
    }
    Known = KiFindStack(ArGetFramePointer(), &Handler);
    if (Chosen != NULL) {
        Stop = *Chosen;
    } else {
        KiClassifyTrap(Info, &Stop);
    }
    KiDescribeTrap(Info);
    KdStopPrint("KE: STOP handler running on the %s\n", Known ? Handler.Name : "unknown stack");
    KiStop(&Stop, Frame, Info);
}

XTNORETURN VOID KeBugCheckEx(ULONG Code, ULONG_PTR Parameter1, ULONG_PTR Parameter2, ULONG_PTR Parameter3,
                             ULONG_PTR Parameter4) {
    KTRAP_FRAME Frame;
    KI_TRAP_INFO Info;
    KI_STOP Stop = {Code, {Parameter1, Parameter2, Parameter3, Parameter4}};

    ArDisableInterrupts(); /* no clock tick (or any interrupt) from here to the halt */
    KiEnterStop((ULONG_PTR)__builtin_return_address(0));
    if (__atomic_add_fetch(&KiBugCheckNesting, 1, __ATOMIC_SEQ_CST) > 1) {
        KiNestedStop(NULL);
    }
    ArCaptureTrapFrame(&Frame);
    KiGetTrapInfo(&Frame, &Info);
    KiStop(&Stop, &Frame, &Info);
}

XTNORETURN VOID RtlFailFast(ULONG Code, ULONG_PTR Parameter1, ULONG_PTR Parameter2) {
    KdStopPrint("KE: runtime library fail-fast %u\n", Code);
    KeBugCheckEx(KERNEL_SECURITY_CHECK_FAILURE, Code, Parameter1, Parameter2, 0);
}
