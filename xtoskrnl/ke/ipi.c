/* Inter-processor interrupts: one IPI packet at a time (KeIpiGenericCall, KeIpiProcessorCall) posted in the targets'
 * KPRCB.IpiRequest and delivered on HL_IPI_VECTOR (IPI_LEVEL), next to the DPC and work requests (KiIpiSendRequest);
 * and the STOP's freeze: the processor that stops NMIs the others, which park themselves in KiEnterStop and report
 * where they were. */
#include <hl.h>
#include <kd.h>

#include "ki.h"
#include "kimp.h"

#define KI_IPI_WATCHDOG_US 5000000 /* a processor that does not run a packet within 5 s: STOP */
#define KI_FREEZE_WAIT_US  500000
#define KI_NO_PROCESSOR    0xFFFFFFFFu

typedef struct _KI_IPI_PACKET {
    PKIPI_BROADCAST_WORKER Function;
    ULONG_PTR Argument;
    ULONG ResultProcessor;
    volatile ULONG_PTR Result;
    volatile ULONGLONG Pending; /* targets (bit per processor) that have not returned yet */
    volatile ULONGLONG Started; /* targets that entered Function */
} KI_IPI_PACKET;

static KI_IPI_PACKET KiIpiPacket;
static volatile LONG KiIpiLock;
static KINTERRUPT KiIpiInterrupt;
static volatile ULONG KiStopOwner = KI_NO_PROCESSOR;

/* Serves the requests posted for this processor: a DPC request asks for the DISPATCH interrupt (delivered once the
 * RunLevel drops below DISPATCH_LEVEL); a work request only had to wake the idle loop, which looks at its queue; a
 * packet is run. From the IPI's service routine, or a processor waiting for the IPI lock with interrupts off. */
static VOID KiIpiServiceRequests(VOID) {
    PKPRCB Prcb = KeGetCurrentPrcb();
    LONG Requests = __atomic_exchange_n(&Prcb->IpiRequest, 0, __ATOMIC_ACQUIRE);
    ULONG_PTR Result;

    if (Requests & KI_IPI_REQUEST_DPC) {
        Prcb->DpcData.DpcRequests++;
        KeRequestSoftwareInterrupt(DISPATCH_LEVEL);
    }
    if (!(Requests & KI_IPI_REQUEST_PACKET)) {
        return;
    }
    __atomic_or_fetch(&KiIpiPacket.Started, 1ull << Prcb->Number, __ATOMIC_RELAXED);
    Result = KiIpiPacket.Function(KiIpiPacket.Argument);
    if (Prcb->Number == KiIpiPacket.ResultProcessor) {
        KiIpiPacket.Result = Result;
    }
    Prcb->IpiCount++;
    __atomic_and_fetch(&KiIpiPacket.Pending, ~(1ull << Prcb->Number), __ATOMIC_RELEASE);
}

VOID KiIpiSendRequest(PKPRCB Prcb, LONG Request) {
    __atomic_or_fetch(&Prcb->IpiRequest, Request, __ATOMIC_RELEASE);
    HlSendInterProcessorInterrupt(Prcb->ApicId, HL_IPI_VECTOR);
}

static BOOLEAN KiIpiServiceRoutine(PKINTERRUPT Interrupt, PVOID Context) {
    (VOID) Interrupt;
    (VOID) Context;
    KiIpiServiceRequests();
    return TRUE;
}

VOID KiInitializeIpi(VOID) {
    KeInitializeInterrupt(&KiIpiInterrupt, KiIpiServiceRoutine, NULL, HL_IPI_VECTOR);
    if (!KeConnectInterrupt(&KiIpiInterrupt)) {
        KdPrint("KE: IPI vector 0x%02x is taken: no IPIs\n", HL_IPI_VECTOR);
    }
}

/* Waits until every target ran the packet; STOP after KI_IPI_WATCHDOG_US. Each turn executes a pause: QEMU's
 * single-threaded (-icount) TCG leaves a vCPU only at a pause, a hlt or the end of its instruction budget, and the
 * vCPUs after it in the round then get no budget at all, so a wait without pause (a 1-us KeStallExecutionProcessor
 * ends before its own pause there) would keep the targets from ever running (docs/benchmarks.md). */
static VOID KiIpiWaitForTargets(ULONG Self, PKIPI_BROADCAST_WORKER Function) {
    LARGE_INTEGER Now, Frequency;
    ULONGLONG Start = 0, Limit = 0;

    while (__atomic_load_n(&KiIpiPacket.Pending, __ATOMIC_ACQUIRE) != 0) {
        __asm__ volatile("pause");
        Now = KeQueryPerformanceCounter(Limit == 0 ? &Frequency : NULL);
        if (Limit == 0) {
            Start = (ULONGLONG)Now.QuadPart;
            Limit = (ULONGLONG)Frequency.QuadPart * (KI_IPI_WATCHDOG_US / 1000000);
        } else if ((ULONGLONG)Now.QuadPart - Start >= Limit) {
            ULONGLONG Pending = KiIpiPacket.Pending;
            /* P1: the processors that never entered Function, P4: those that entered it and did not return. */
            KeBugCheckEx(IPI_WATCHDOG_TIMEOUT, (ULONG_PTR)(Pending & ~KiIpiPacket.Started), Self, (ULONG_PTR)Function,
                         (ULONG_PTR)(Pending & KiIpiPacket.Started));
        }
    }
}

/* Sends one packet to the processors in Targets and waits for all of them (the caller runs it too when it is in
 * Targets); returns the result of processor ResultProcessor. */
static ULONG_PTR KiIpiSendPacket(ULONGLONG Targets, PKIPI_BROADCAST_WORKER Function, ULONG_PTR Argument,
                                 ULONG ResultProcessor, PVOID Caller) {
    KRUNLEVEL Old = KeGetCurrentRunLevel();
    ULONG Self, Count = KiProcessorCount;
    ULONG_PTR Result = 0;

    KeCheckRunLevelLimit(DISPATCH_LEVEL, Caller);
    if (Old < DISPATCH_LEVEL) {
        KeRaiseRunLevel(DISPATCH_LEVEL);
    }
    while (__atomic_exchange_n(&KiIpiLock, 1, __ATOMIC_ACQUIRE)) {
        while (__atomic_load_n(&KiIpiLock, __ATOMIC_RELAXED)) {
            KiIpiServiceRequests(); /* the lock's holder may be waiting for us with our interrupts off */
            __asm__ volatile("pause");
        }
    }
    KeRaiseRunLevel(IPI_LEVEL);
    Self = KeGetCurrentProcessorNumber();
    KiIpiPacket.Function = Function;
    KiIpiPacket.Argument = Argument;
    KiIpiPacket.ResultProcessor = ResultProcessor;
    KiIpiPacket.Started = 0;
    KiIpiPacket.Pending = Targets & ~(1ull << Self);
    for (ULONG Number = 0; Number < Count; Number++) {
        if (Number != Self && (Targets & (1ull << Number))) {
            __atomic_or_fetch(&KiProcessorBlock[Number]->IpiRequest, KI_IPI_REQUEST_PACKET, __ATOMIC_RELEASE);
            HlSendInterProcessorInterrupt(KiProcessorBlock[Number]->ApicId, HL_IPI_VECTOR);
        }
    }
    if (Targets & (1ull << Self)) {
        Result = Function(Argument);
    }
    KiIpiWaitForTargets(Self, Function);
    if (ResultProcessor != Self) {
        Result = KiIpiPacket.Result;
    }
    __atomic_store_n(&KiIpiLock, 0, __ATOMIC_RELEASE);
    KeLowerRunLevel(Old);
    return Result;
}

ULONG_PTR KeIpiGenericCall(PKIPI_BROADCAST_WORKER Function, ULONG_PTR Argument) {
    ULONG Count = KiProcessorCount;
    ULONGLONG Targets = Count >= 64 ? ~0ull : (1ull << Count) - 1;

    return KiIpiSendPacket(Targets, Function, Argument, KiGetProcessorNumberSafe(), __builtin_return_address(0));
}

BOOLEAN KeIpiProcessorCall(ULONG Number, PKIPI_BROADCAST_WORKER Function, ULONG_PTR Argument, PULONG_PTR Result) {
    ULONG_PTR Value;

    if (Number >= KiProcessorCount) {
        return FALSE;
    }
    Value = KiIpiSendPacket(1ull << Number, Function, Argument, Number, __builtin_return_address(0));
    if (Result != NULL) {
        *Result = Value;
    }
    return TRUE;
}

/* Parks this processor for good: records where it was, says so, halts with interrupts off (NMIs stay blocked: it
 * never returns from the freeze NMI). */
static XTNORETURN VOID KiFreezeCurrentProcessor(ULONG_PTR InstructionPointer) {
    PKPRCB Prcb = KeGetCurrentPrcb();

    Prcb->FrozenAt = InstructionPointer;
    __atomic_store_n(&Prcb->Frozen, TRUE, __ATOMIC_RELEASE);
    for (;;) {
        __asm__ volatile("cli; hlt" : : : "memory");
    }
}

VOID KiEnterStop(ULONG_PTR InstructionPointer) {
    ULONG Self = KiGetProcessorNumberSafe(), Expected = KI_NO_PROCESSOR;

    if (__atomic_compare_exchange_n(&KiStopOwner, &Expected, Self, FALSE, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE) ||
        Expected == Self) {
        return;
    }
    KiFreezeCurrentProcessor(InstructionPointer); /* another processor is stopping the system */
}

VOID KiFreezeOtherProcessors(VOID) {
    ULONG Count = KiProcessorCount, Self = KiGetProcessorNumberSafe(), Waited = 0;
    BOOLEAN AllFrozen;

    if (Count <= 1) {
        return;
    }
    HlSendNmiToOthers();
    do {
        AllFrozen = TRUE;
        for (ULONG Number = 0; Number < Count; Number++) {
            AllFrozen = AllFrozen && (Number == Self || KiProcessorBlock[Number]->Frozen);
        }
        if (!AllFrozen) {
            KeStallExecutionProcessor(100);
            Waited += 100;
        }
    } while (!AllFrozen && Waited < KI_FREEZE_WAIT_US);
}
