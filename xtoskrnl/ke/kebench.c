/* Ke benchmark (kernel parameter BENCH): the RunLevel raise+lower pair and a self-IPI round trip through the local
 * APIC, in TSC ticks per operation. Under QEMU -icount shift=4,sleep=off the TSC counts guest instructions << 4,
 * deterministically (./xt bench). Interrupts are off on entry and on return. */
#include <hl.h>
#include <kd.h>
#include <xtintrin.h>

#include "ki.h"

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
    __asm__ volatile("sti" : : : "memory");
    Start = ArReadTimeStampCounter();
    for (Round = 0; Round < KI_BENCH_ROUNDS; Round++) {
        if (!HlSendSelfInterrupt(KI_BENCH_VECTOR) || !KiBenchWaitFor(&Count, Round + 1)) {
            break;
        }
    }
    Ticks = ArReadTimeStampCounter() - Start;
    __asm__ volatile("cli" : : : "memory");
    KeDisconnectInterrupt(&Interrupt);
    return Round == KI_BENCH_ROUNDS && Count == KI_BENCH_ROUNDS ? Ticks / KI_BENCH_ROUNDS : 0;
}

VOID KiRunBenchmarks(VOID) {
    ULONGLONG RunLevel = KiBenchRunLevel();

    KdPrint("KE-BENCH runlevel_raise_lower=%llu self_ipi_roundtrip=%llu\n", RunLevel, KiBenchSelfInterrupt());
}
