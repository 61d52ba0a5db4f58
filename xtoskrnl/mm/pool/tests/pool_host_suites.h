/* Host-only pool suites (they need the fake pager's budget, a catchable KeBugCheckEx or SIGSEGV). */
#ifndef XTOSKRNL_MM_POOL_TESTS_POOL_HOST_SUITES_H
#define XTOSKRNL_MM_POOL_TESTS_POOL_HOST_SUITES_H

#include <xtest.h>

extern const XTEST_SUITE PoolExhaustionSuite;      /* pool_exhaustion_test.c */
extern const XTEST_SUITE PoolCorruptionSuite;      /* pool_corruption_test.c */
extern const XTEST_SUITE PoolSpecialFaultSuite;    /* pool_special_fault_test.c */
extern const XTEST_SUITE PoolSystemApiSuite;       /* pool_system_test.c */
extern const XTEST_SUITE PoolPagedSourceSuite;     /* pool_paged_test.c */
extern const XTEST_SUITE PoolBatchSuite;           /* pool_batch_test.c */
extern const XTEST_SUITE PoolBigCacheSuite;        /* pool_bigcache_test.c */
extern const XTEST_SUITE PoolProcessorBlocksSuite; /* pool_blocks_test.c */

#endif
