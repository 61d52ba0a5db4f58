/* SELFTEST suites of the executive (Ex) that run in the kernel over its real pool. */
#ifndef XTOSKRNL_EX_TESTS_EX_SUITES_H
#define XTOSKRNL_EX_TESTS_EX_SUITES_H

#include <xtest.h>

extern const XTEST_SUITE ExHandleLiveSuite; /* a handle table on non-paged pool pages: growth, lookups, shrink */

#endif
