/* Freestanding Linux harness (no C library): runs the pool suites, including the corruption and exhaustion ones, in
 * a static binary built by clang -O2 for i686 and x86_64, so the 8-byte i686 header runs on the host too. The pager
 * is a static arena (guard pages are reserved, not unmapped); KeBugCheckEx is caught with __builtin_setjmp. The exit
 * status is the number of failures. Used by freestanding_test.sh. */
#include <pager.h>
#include <freestanding_linux.h>
#include <rtl.h>

#include "pool_host_suites.h"
#include "pool_suites.h"
#include "pool_test_env.h"

/* ---- arena pager ---- */
#define FS_ARENA_PAGES 16384 /* 64 MiB */

static UCHAR FsArena[FS_ARENA_PAGES * MM_PAGE_SIZE] __attribute__((aligned(MM_PAGE_SIZE)));
static ULONG_PTR FsArenaBits[RTL_BITMAP_WORDS(FS_ARENA_PAGES)];
static RTL_BITMAP FsArenaMap = {FS_ARENA_PAGES, FsArenaBits};
static SIZE_T FsBudget = POOL_TEST_UNLIMITED, FsInUse;

VOID PoolTestSetPageBudget(SIZE_T Pages) {
    FsBudget = Pages;
}

SIZE_T PoolTestPagesInUse(VOID) {
    return FsInUse;
}

PVOID MmAllocateSystemPages(SIZE_T Count, ULONG Flags) {
    SIZE_T Total = Count + ((Flags & MM_SYSTEM_PAGES_GUARD_AFTER) ? 1 : 0);
    ULONG_PTR Index;

    if (Count == 0 || Count > FsBudget - FsInUse || Total > FS_ARENA_PAGES) {
        return NULL;
    }
    Index = RtlFindClearBitsAndSet(&FsArenaMap, Total, 0);
    if (Index == RTL_BITMAP_NOT_FOUND) {
        return NULL;
    }
    FsInUse += Count;
    return FsArena + Index * MM_PAGE_SIZE;
}

VOID MmFreeSystemPages(PVOID Address, SIZE_T Count, ULONG Flags) {
    SIZE_T Total = Count + ((Flags & MM_SYSTEM_PAGES_GUARD_AFTER) ? 1 : 0);
    ULONG_PTR Index = (ULONG_PTR)((PUCHAR)Address - FsArena) / MM_PAGE_SIZE;

    if (!RtlAreBitsSet(&FsArenaMap, Index, Total)) {
        XtestPrint("arena: bad free %p %u\n", Address, (ULONG)Count);
        FsExit(98);
    }
    RtlClearBits(&FsArenaMap, Index, Total);
    FsInUse -= Count;
}

/* ---- catchable KeBugCheckEx ---- */
static PVOID FsCatcher[5];
static BOOLEAN FsCatching;
static POOL_TEST_STOP FsStop;

XTNORETURN VOID KeBugCheckEx(ULONG Code, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4);
XTNORETURN VOID KeBugCheckEx(ULONG Code, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4) {
    if (!FsCatching) {
        XtestPrint("*** STOP 0x%08X (%p, %p, %p, %p)\n", Code, (PVOID)P1, (PVOID)P2, (PVOID)P3, (PVOID)P4);
        FsExit(99);
    }
    FsStop.Code = Code;
    FsStop.Parameters[0] = P1;
    FsStop.Parameters[1] = P2;
    FsStop.Parameters[2] = P3;
    FsStop.Parameters[3] = P4;
    __builtin_longjmp(FsCatcher, 1);
}

XTNORETURN VOID RtlFailFast(ULONG Code, ULONG_PTR Parameter1, ULONG_PTR Parameter2) {
    KeBugCheckEx(0x139, Code, Parameter1, Parameter2, 0);
}

/* Not nested (the suites never nest catches). */
BOOLEAN PoolTestCatchBugCheck(PPOOL_TEST_ROUTINE Routine, PVOID Context, PPOOL_TEST_STOP Stop) {
    if (__builtin_setjmp(FsCatcher) != 0) {
        FsCatching = FALSE;
        *Stop = FsStop;
        return TRUE;
    }
    FsCatching = TRUE;
    Routine(Context);
    FsCatching = FALSE;
    return FALSE;
}

VOID _start(VOID);

VOID _start(VOID) {
    static const XTEST_SUITE *const Suites[] = {&PoolBasicSuite, &PoolTortureSuite, &PoolExhaustionSuite,
                                                &PoolCorruptionSuite, &PoolBatchSuite};
    ULONG Failures = XtestRunSuites(Suites, ARRAY_SIZE(Suites));

    XtestPrint("%u-bit freestanding build, %u-byte pool header\n", (ULONG)(8 * sizeof(PVOID)),
               (ULONG)(2 * sizeof(PVOID)));
    FsExit((long)Failures);
}
