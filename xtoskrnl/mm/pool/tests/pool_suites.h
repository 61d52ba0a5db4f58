/* The pool's freestanding XTEST suites: the host runs them as cc_tests, the kernel under SELFTEST (over its real
 * pager, on private pool descriptors, so the system's pool is left alone). */
#ifndef XTOSKRNL_MM_POOL_TESTS_POOL_SUITES_H
#define XTOSKRNL_MM_POOL_TESTS_POOL_SUITES_H

#include <xtest.h>

extern const XTEST_SUITE PoolBasicSuite;   /* layout, every size, zero/absurd sizes, coalescing, big, stats, dump */
extern const XTEST_SUITE PoolTortureSuite; /* PoolTortureOperations random operations, every byte checked */

/* Operations of the torture case (default 1000000); the kernel may lower it before running the suite. */
extern ULONG_PTR PoolTortureOperations;

/* Runs Operations random allocations and frees (sizes 1 byte to 4 pages, 8 tags, one of them special pool) on a
 * private pool seeded by Seed; returns the number of failures (pattern mismatches, NULL returns, bad statistics,
 * consistency problems). */
ULONG PoolTortureRun(ULONG_PTR Operations, ULONG Seed);

/* The same on a private pool of PagedPool type whose pages come from PagedSource (locked at APC_LEVEL); NULL: a
 * non-paged pool over system pages, as PoolTortureRun. */
typedef struct _MM_POOL_PAGE_SOURCE MM_POOL_PAGE_SOURCE;
ULONG PoolTortureRunOn(const MM_POOL_PAGE_SOURCE *PagedSource, ULONG_PTR Operations, ULONG Seed);

#endif
