/* What the host (and freestanding) test environments add for the pool tests: a fake pager with a page budget and a
 * catchable KeBugCheckEx. The kernel does not provide these, so only suites outside //:suites use them. */
#ifndef XTOSKRNL_MM_POOL_TESTS_POOL_TEST_ENV_H
#define XTOSKRNL_MM_POOL_TESTS_POOL_TEST_ENV_H

#include <xtbase.h>

#define POOL_TEST_UNLIMITED ((SIZE_T)-1)

/* Limits the pages the fake pager hands out at once (guard pages not counted); POOL_TEST_UNLIMITED: no limit. */
VOID PoolTestSetPageBudget(SIZE_T Pages);

/* Pages the fake pager has handed out and not yet got back. */
SIZE_T PoolTestPagesInUse(VOID);

/* A STOP caught by PoolTestCatchBugCheck. */
typedef struct _POOL_TEST_STOP {
    ULONG Code;
    ULONG_PTR Parameters[4];
} POOL_TEST_STOP, *PPOOL_TEST_STOP;

typedef VOID (*PPOOL_TEST_ROUTINE)(PVOID Context);

/* Runs Routine(Context); returns TRUE and fills *Stop when it called KeBugCheckEx. */
BOOLEAN PoolTestCatchBugCheck(PPOOL_TEST_ROUTINE Routine, PVOID Context, PPOOL_TEST_STOP Stop);

#endif
