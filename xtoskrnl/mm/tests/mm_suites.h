/* Memory manager suites that need the live kernel (PFN database, pager, page tables): SELFTEST only. */
#ifndef XTOSKRNL_MM_TESTS_MM_SUITES_H
#define XTOSKRNL_MM_TESTS_MM_SUITES_H

#include <xtest.h>

extern const XTEST_SUITE MmLiveSuite;      /* frames, mappings, W^X */
extern const XTEST_SUITE MmPagedSuite;     /* paged pool, demand-zero faults, memory pressure, paged torture */
extern const XTEST_SUITE MmTlbLiveSuite;   /* TLB shootdown on every processor, batches, the paged fault's recheck */
extern const XTEST_SUITE MmSmpStressSuite; /* every processor allocating pool and pages at once, paged first touches */
extern const XTEST_SUITE MmAddressSpaceSuite; /* per-process address spaces: own user half, shared kernel half */
extern const XTEST_SUITE MmDeferredPfnSuite;  /* the PFN entries written in the background: all there, counted */
extern const XTEST_SUITE MmFinalSuite;        /* consistency of the PFN database and the pool after everything else */

#endif
