/* Ke's SELFTEST suites that need Ke internals (linked by ke/selftest.c). */
#ifndef XTOSKRNL_KE_TESTS_KE_SUITES_H
#define XTOSKRNL_KE_TESTS_KE_SUITES_H

#include <xtest.h>

extern const XTEST_SUITE KeContextSwitchSuite; /* ctxswap_live.c: threads, KiSwapContext, FPU state, stacks */
extern const XTEST_SUITE KeWaitSuite;       /* disp_live.c: events, semaphores, mutants, WaitAll/Any, timeouts */
extern const XTEST_SUITE KeProcessSuite;    /* proc_live.c: processes, address spaces, attach, no leaks */
extern const XTEST_SUITE KeDispatcherSuite; /* disp_live.c: priorities, quantum, pre-emption, affinity, reaper */

#endif
