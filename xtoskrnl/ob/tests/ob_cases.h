/* Object Manager test cases shared by the host test (ob_test.c, real threads) and SELFTEST (ob_live.c, the kernel's
 * pool and processors): the same source, each environment supplying the hooks below. */
#ifndef XTOSKRNL_OB_TESTS_OB_CASES_H
#define XTOSKRNL_OB_TESTS_OB_CASES_H

#include <ob.h>
#include <xtest.h>

extern const XTEST_SUITE ObCoreSuite;  /* types, lifetimes, deferred deletion, namespace, handles, query, tables */
extern const XTEST_SUITE ObScaleSuite; /* a million objects, a million handles, duplicate/close races */
extern const XTEST_SUITE ObExecSuite;  /* kernel only (obexec_live.c): executive objects, native API, two tables */

/* Hooks of the environment. */
SIZE_T ObTestPoolBytes(ULONG Tag); /* bytes the pool tag holds now */
ULONG ObTestHandleTarget(VOID);    /* handles to grow the kernel table to (1,000,000 where memory allows) */
ULONG ObTestObjectRounds(VOID);    /* objects to create and close (1,000,000) */
/* The kernel's SELFTEST: TORTURE= caps ObScaleSuite's objects and handles too (0: the defaults); ob_live.c. */
extern ULONG ObTestScaleLimit;
ULONG ObTestWorkerLimit(VOID); /* workers ObTestRunConcurrently can run at once (processors) */
/* Runs Routine(0) .. Routine(Workers - 1) at once, each on its own processor (host: thread), PASSIVE_LEVEL; returns
 * how many ran (Workers unless something failed). */
ULONG ObTestRunConcurrently(VOID (*Routine)(ULONG Worker), ULONG Workers);

#endif
