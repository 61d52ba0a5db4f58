/* ObCoreSuite and ObScaleSuite in the kernel (SELFTEST, both arches, every paging mode): the hooks of ob_cases.h over
 * the real pool (per-tag counters), the memory report (a million handles where at least 512 MiB are free, else
 * 100,000; both counts capped by TORTURE=) and the processors (the race runs on every processor there is, up to four:
 * application processors through their PASSIVE-level work queue, the boot processor itself). */
#include <ke.h>
#include <mm.h>

#include "ob_cases.h"

SIZE_T ObTestPoolBytes(ULONG Tag) {
    MM_POOL_TAG_STATISTICS Statistics;

    return MmQueryPoolTag(Tag, &Statistics) ? Statistics.BytesInUse : 0;
}

ULONG ObTestScaleLimit;

/* Count, or TORTURE='s operations when SELFTEST was given fewer. */
static ULONG ObpScaled(ULONG Count) {
    return ObTestScaleLimit != 0 && ObTestScaleLimit < Count ? ObTestScaleLimit : Count;
}

ULONG ObTestHandleTarget(VOID) {
    MM_BOOT_REPORT Report;

    MmQueryBootReport(&Report);
    return ObpScaled(Report.FreePages >= (512ull << 20) / MM_PAGE_SIZE ? 1000000 : 100000);
}

ULONG ObTestObjectRounds(VOID) {
    return ObpScaled(1000000);
}

ULONG ObTestWorkerLimit(VOID) {
    return KeQueryActiveProcessorCount();
}

#define LIVE_WORKERS 8

static struct {
    VOID (*Routine)(ULONG Worker);
    KPROCESSOR_WORK_ITEM Items[LIVE_WORKERS];
    volatile LONG Done;
} LiveRun;

static VOID LiveWorkRoutine(PVOID Context) {
    LiveRun.Routine((ULONG)(ULONG_PTR)Context);
    __atomic_add_fetch(&LiveRun.Done, 1, __ATOMIC_RELEASE);
}

ULONG ObTestRunConcurrently(VOID (*Routine)(ULONG Worker), ULONG Workers) {
    Workers = Workers < LIVE_WORKERS ? Workers : LIVE_WORKERS;
    LiveRun.Routine = Routine;
    LiveRun.Done = 0;
    for (ULONG Number = 1; Number < Workers; Number++) {
        KeInitializeProcessorWork(&LiveRun.Items[Number], LiveWorkRoutine, (PVOID)(ULONG_PTR)Number);
        if (!KeQueueProcessorWork(&LiveRun.Items[Number], Number)) {
            return 0;
        }
    }
    LiveWorkRoutine((PVOID)0);
    while (__atomic_load_n(&LiveRun.Done, __ATOMIC_ACQUIRE) < (LONG)Workers) {
        KeYieldProcessor();
    }
    return Workers;
}
