/* The RTL test suites (freestanding: the host runs them as cc_tests, the kernel under SELFTEST). */
#ifndef XT_RTL_TESTS_RTL_SUITES_H
#define XT_RTL_TESTS_RTL_SUITES_H

#include <xtest.h>

extern const XTEST_SUITE RtlListSuite;
extern const XTEST_SUITE RtlMemorySuite;
extern const XTEST_SUITE RtlBitmapSuite;
extern const XTEST_SUITE RtlStringSuite;
extern const XTEST_SUITE RtlFormatSuite;
extern const XTEST_SUITE RtlSha1Suite;
extern const XTEST_SUITE RtlArithmeticSuite;
extern const XTEST_SUITE RtlTimeSuite;
extern const XTEST_SUITE RtlSListSuite;

#endif
