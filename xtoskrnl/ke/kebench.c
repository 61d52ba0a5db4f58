/* Ke benchmark (kernel parameter BENCH): the RunLevel raise+lower pair, a self-IPI round trip through the local
 * APIC, a DPC from queue to run, and a kernel timer's set+cancel and set+expiry with 1, 1000 and 100000 timers
 * queued, in TSC ticks per operation. Under QEMU -icount shift=4,sleep=off the TSC counts guest instructions << 4,
 * deterministically (./xt bench). Interrupts are off on entry and on return. */
#include <hl.h>
#include <kd.h>
#include <mm.h>
#include <xtintrin.h>

#include "ki.h"
#include "kithread.h"

#define KI_BENCH_ROUNDS     4096
#define KI_BENCH_VECTOR     0x45 /* a device-class vector nothing connects at start-up */
#define KI_BENCH_SPIN_LIMIT 1000000

/* Ticks per KeRaiseRunLevel(DISPATCH_LEVEL) + KeLowerRunLevel(old) pair from PASSIVE_LEVEL. */
static ULONGLONG KiBenchRunLevel(VOID) {
    ULONGLONG Start = ArReadTimeStampCounter();

    for (ULONG Round = 0; Round < KI_BENCH_ROUNDS; Round++) {
        KeLowerRunLevel(KeRaiseRunLevel(DISPATCH_LEVEL));
    }
    return (ArReadTimeStampCounter() - Start) / KI_BENCH_ROUNDS;
}

/* The benchmark vector's service routine: counts the interrupt. */
static BOOLEAN KiBenchServiceRoutine(PKINTERRUPT Interrupt, PVOID ServiceContext) {
    (VOID) Interrupt;
    (*(volatile ULONG *)ServiceContext)++;
    return TRUE;
}

/* Waits (interrupts on) until *Count reaches Target; FALSE if it never did. */
static BOOLEAN KiBenchWaitFor(volatile ULONG *Count, ULONG Target) {
    for (ULONG Spins = KI_BENCH_SPIN_LIMIT; *Count < Target; Spins--) {
        if (Spins == 0) {
            return FALSE;
        }
        __asm__ volatile("pause" : : : "memory");
    }
    return TRUE;
}

/* Ticks per self-IPI round trip (send, entry, dispatch, handler, EOI, return, seen by the sender); 0 when the local
 * APIC is not ready, the vector is taken or an interrupt never arrived. */
static ULONGLONG KiBenchSelfInterrupt(VOID) {
    volatile ULONG Count = 0;
    ULONGLONG Start, Ticks = 0;
    KINTERRUPT Interrupt;
    ULONG Round;

    KeInitializeInterrupt(&Interrupt, KiBenchServiceRoutine, (PVOID)&Count, KI_BENCH_VECTOR);
    if (!HlIsApicReady() || !KeConnectInterrupt(&Interrupt)) {
        return 0;
    }
    ArEnableInterrupts();
    Start = ArReadTimeStampCounter();
    for (Round = 0; Round < KI_BENCH_ROUNDS; Round++) {
        if (!HlSendSelfInterrupt(KI_BENCH_VECTOR) || !KiBenchWaitFor(&Count, Round + 1)) {
            break;
        }
    }
    Ticks = ArReadTimeStampCounter() - Start;
    ArDisableInterrupts();
    KeDisconnectInterrupt(&Interrupt);
    return Round == KI_BENCH_ROUNDS && Count == KI_BENCH_ROUNDS ? Ticks / KI_BENCH_ROUNDS : 0;
}

/* The benchmark DPC: counts its runs. */
static VOID KiBenchDpcRoutine(PKDPC Dpc, PVOID Context, PVOID Argument1, PVOID Argument2) {
    (VOID) Dpc, (VOID)Argument1, (VOID)Argument2;
    (*(volatile ULONG *)Context)++;
}

/* Ticks from KeInsertQueueDpc at PASSIVE_LEVEL to the DPC having run (self-IPI, retire, return); 0 on a timeout. */
static ULONGLONG KiBenchDpc(VOID) {
    volatile ULONG Count = 0;
    ULONGLONG Start, Ticks;
    ULONG Round;
    KDPC Dpc;

    KeInitializeDpc(&Dpc, KiBenchDpcRoutine, (PVOID)&Count);
    ArEnableInterrupts();
    Start = ArReadTimeStampCounter();
    for (Round = 0; Round < KI_BENCH_ROUNDS; Round++) {
        if (!KeInsertQueueDpc(&Dpc, NULL, NULL) || !KiBenchWaitFor(&Count, Round + 1)) {
            break;
        }
    }
    Ticks = ArReadTimeStampCounter() - Start;
    ArDisableInterrupts();
    KeRemoveQueueDpc(&Dpc);
    return Round == KI_BENCH_ROUNDS ? Ticks / KI_BENCH_ROUNDS : 0;
}

#define KI_BENCH_TIMER_FAR (3600ULL * 10000000ULL) /* an hour: background timers never expire during the run */

/* With Queued - 1 background timers queued: ticks per KeSetTimer+KeCancelTimer of one more timer (*SetCancel) and per
 * KeSetTimer due now + KiExpireTimers popping it (*SetExpire). Interrupts off (the clock is not started yet). FALSE
 * when the pool could not hold the timers. */
static BOOLEAN KiBenchTimers(ULONG Queued, PULONGLONG SetCancel, PULONGLONG SetExpire) {
    PKTIMER Timers = MmAllocatePool(NonPagedPool, (SIZE_T)Queued * sizeof(KTIMER), 0x6E655442 /* 'BTen' */);
    PKTIMER Probe = Timers + Queued - 1;
    ULONG Seed = 12345, Round;
    LARGE_INTEGER Due;
    ULONGLONG Start;

    if (Timers == NULL) {
        return FALSE;
    }
    for (ULONG Index = 0; Index < Queued; Index++) {
        Seed = Seed * 1103515245u + 12345u;
        KeInitializeTimer(&Timers[Index]);
        Due.QuadPart = -(LONGLONG)(KI_BENCH_TIMER_FAR + (Seed >> 4));
        if (Index + 1 < Queued) {
            KeSetTimer(&Timers[Index], Due, NULL);
        }
    }
    Start = ArReadTimeStampCounter();
    for (Round = 0; Round < KI_BENCH_ROUNDS; Round++) {
        Due.QuadPart = -(LONGLONG)(KI_BENCH_TIMER_FAR + Round * 7919ULL);
        KeSetTimer(Probe, Due, NULL);
        KeCancelTimer(Probe);
    }
    *SetCancel = (ArReadTimeStampCounter() - Start) / KI_BENCH_ROUNDS;
    Due.QuadPart = -1;
    Start = ArReadTimeStampCounter();
    for (Round = 0; Round < KI_BENCH_ROUNDS; Round++) {
        KeSetTimer(Probe, Due, NULL);
        KiExpireTimers(KeQueryInterruptTime() + 1);
    }
    *SetExpire = (ArReadTimeStampCounter() - Start) / KI_BENCH_ROUNDS;
    for (ULONG Index = 0; Index + 1 < Queued; Index++) {
        KeCancelTimer(&Timers[Index]);
    }
    MmFreePool(Timers, 0x6E655442);
    return TRUE;
}

VOID KiRunBenchmarks(VOID) {
    static const ULONG Sizes[] = {1, 1000, 100000};
    ULONGLONG RunLevel = KiBenchRunLevel(), SetCancel[3] = {0}, SetExpire[3] = {0};

    KdPrint("KE-BENCH runlevel_raise_lower=%llu self_ipi_roundtrip=%llu dpc_queue_to_run=%llu\n", RunLevel,
            KiBenchSelfInterrupt(), KiBenchDpc());
    for (ULONG Index = 0; Index < ARRAY_SIZE(Sizes); Index++) {
        if (!KiBenchTimers(Sizes[Index], &SetCancel[Index], &SetExpire[Index])) {
            KdPrint("KE: BENCH: no pool for %u timers\n", Sizes[Index]);
        }
    }
    KdPrint("KE-BENCH timer_set_cancel_1=%llu timer_set_cancel_1000=%llu timer_set_cancel_100000=%llu "
            "timer_set_expire_1=%llu timer_set_expire_1000=%llu timer_set_expire_100000=%llu\n",
            SetCancel[0], SetCancel[1], SetCancel[2], SetExpire[0], SetExpire[1], SetExpire[2]);
    KiRunLockBenchmarks();
    KiRunTbFlushBenchmarks();
    KiRunThreadBenchmarks();
    KiRunDispatcherBenchmarks();
}
