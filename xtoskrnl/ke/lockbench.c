/* Lock benchmark (BENCH): TSC ticks per uncontended spin lock acquire+release (KeAcquireSpinLock from PASSIVE_LEVEL,
 * raising to DISPATCH_LEVEL and back), in-stack queued lock acquire+release (likewise), and SLIST push+pop. Under QEMU
 * -icount shift=4,sleep=off the TSC counts guest instructions << 4 (./xt bench). Interrupts off, one processor. */
#include <kd.h>
#include <xtintrin.h>

#include "ki.h"

#define KI_LOCK_BENCH_ROUNDS 4096

VOID KiRunLockBenchmarks(VOID) {
    static SLIST_HEADER Header;
    static SLIST_ENTRY Entry;
    static KSPIN_LOCK SpinLock;
    ULONGLONG Start, Plain, Queued, SList;
    KLOCK_QUEUE_HANDLE Handle;
    KRUNLEVEL OldRunLevel;

    KeInitializeSpinLock(&SpinLock);
    Start = ArReadTimeStampCounter();
    for (ULONG Round = 0; Round < KI_LOCK_BENCH_ROUNDS; Round++) {
        KeAcquireSpinLock(&SpinLock, &OldRunLevel);
        KeReleaseSpinLock(&SpinLock, OldRunLevel);
    }
    Plain = (ArReadTimeStampCounter() - Start) / KI_LOCK_BENCH_ROUNDS;
    Start = ArReadTimeStampCounter();
    for (ULONG Round = 0; Round < KI_LOCK_BENCH_ROUNDS; Round++) {
        KeAcquireInStackQueuedSpinLock(&SpinLock, &Handle);
        KeReleaseInStackQueuedSpinLock(&Handle);
    }
    Queued = (ArReadTimeStampCounter() - Start) / KI_LOCK_BENCH_ROUNDS;
    RtlInitializeSListHead(&Header);
    Start = ArReadTimeStampCounter();
    for (ULONG Round = 0; Round < KI_LOCK_BENCH_ROUNDS; Round++) {
        RtlInterlockedPushEntrySList(&Header, &Entry);
        RtlInterlockedPopEntrySList(&Header);
    }
    SList = (ArReadTimeStampCounter() - Start) / KI_LOCK_BENCH_ROUNDS;
    KdPrint("KE-BENCH spinlock_acquire_release=%llu queued_spinlock_acquire_release=%llu slist_push_pop=%llu\n", Plain,
            Queued, SList);
}
