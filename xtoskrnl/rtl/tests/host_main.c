/* Host test main: runs the suites named by the RTL_TEST_SUITES define (a comma-separated list of &Suite). */
#include "rtl_suites.h"

extern const XTEST_SUITE RtlListCorruptionSuite;
extern const XTEST_SUITE RtlSha1OpensslSuite;
extern const XTEST_SUITE RtlTimeLibcSuite;
extern const XTEST_SUITE RtlFormatSnprintfSuite;
extern const XTEST_SUITE RtlSListThreadSuite;

XTEST_HOST_MAIN(RTL_TEST_SUITES)
