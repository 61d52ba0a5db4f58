/* Host test main: the freestanding suites and the host-only ones. */
#include "pool_host_suites.h"
#include "pool_suites.h"

XTEST_HOST_MAIN(&PoolBasicSuite, &PoolTortureSuite, &PoolExhaustionSuite, &PoolCorruptionSuite, &PoolSpecialFaultSuite,
                &PoolSystemApiSuite, &PoolPagedSourceSuite, &PoolBatchSuite, &PoolBigCacheSuite,
                &PoolProcessorBlocksSuite)
