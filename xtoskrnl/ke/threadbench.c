/* Thread benchmark (BENCH): TSC ticks per context-switch round trip (the boot thread switches to a peer thread, which
 * switches straight back: two KiSwapContext calls), with both threads keeping x87/SSE/AVX state (FXSAVE or XSAVE on
 * every switch) and with neither. Under QEMU -icount shift=4,sleep=off the TSC counts guest instructions << 4
 * (./xt bench, /work/helpers/lead/kebench.sh). Interrupts off, one processor, no scheduler. */
#include <kd.h>
#include <xtintrin.h>

#include "kithread.h"

#define KI_SWITCH_BENCH_ROUNDS 4096

static KTHREAD KiBenchBoot, KiBenchPeer;
static volatile BOOLEAN KiBenchStop;

/* The peer: switches back to the boot thread until told to stop, then returns. */
static VOID KiBenchPeerRoutine(PVOID Context) {
    (VOID) Context;
    while (!KiBenchStop) {
        KiSwapContext(&KiBenchPeer, &KiBenchBoot);
    }
}

/* The peer's end: back to the boot thread for good. */
static VOID KiBenchTerminationHook(PKTHREAD Thread) {
    for (;;) {
        KiSwapContext(Thread, &KiBenchBoot);
    }
}

/* Ticks per round trip with both threads made with Flags (0 or KE_THREAD_NO_FLOATING_STATE); 0 without memory. */
static ULONGLONG KiBenchSwitchRoundTrip(ULONG Flags) {
    PKI_THREAD_TERMINATION_HOOK Previous;
    ULONGLONG Start, Ticks;

    if (!XT_SUCCESS(KiInitializeCurrentThread(&KiBenchBoot, Flags))) {
        return 0;
    }
    if (!XT_SUCCESS(KeInitializeThread(&KiBenchPeer, KiBenchPeerRoutine, NULL, Flags))) {
        KeUninitializeThread(&KiBenchBoot);
        return 0;
    }
    Previous = KiSetThreadTerminationHook(KiBenchTerminationHook);
    KiBenchStop = FALSE;
    KiSwapContext(&KiBenchBoot, &KiBenchPeer); /* the peer starts and comes back: both stacks warm */
    Start = ArReadTimeStampCounter();
    for (ULONG Round = 0; Round < KI_SWITCH_BENCH_ROUNDS; Round++) {
        KiSwapContext(&KiBenchBoot, &KiBenchPeer);
    }
    Ticks = ArReadTimeStampCounter() - Start;
    KiBenchStop = TRUE;
    KiSwapContext(&KiBenchBoot, &KiBenchPeer); /* the peer returns and ends in the hook */
    KiSetThreadTerminationHook(Previous);
    KeUninitializeThread(&KiBenchPeer);
    KeUninitializeThread(&KiBenchBoot);
    return Ticks / KI_SWITCH_BENCH_ROUNDS;
}

VOID KiRunThreadBenchmarks(VOID) {
    ULONGLONG WithState = KiBenchSwitchRoundTrip(0), WithoutState = KiBenchSwitchRoundTrip(KE_THREAD_NO_FLOATING_STATE);

    /* The save method is the start-up line's ("KE: floating-point state: ..."). */
    KdPrint("KE-BENCH thread_switch_roundtrip_fpu=%llu thread_switch_roundtrip_nofpu=%llu\n", WithState, WithoutState);
}
