/* Ps's SELFTEST suite (ps_live.c), linked by Ke's SELFTEST table. */
#ifndef XTOSKRNL_PS_TESTS_PS_SUITES_H
#define XTOSKRNL_PS_TESTS_PS_SUITES_H

#include <xtest.h>

extern const XTEST_SUITE PsProcessSuite; /* processes and threads as objects: handles, tables, exit, no leaks */

#endif
