/* Self-test of the framework: a failing check must be counted as a failure. */
#include "xtest.h"

static ULONG FailingRuns;

XTEST(AlwaysFails) {
    FailingRuns++;
    XTEST_CHECK_EQ(1, 2);
}

XTEST_SUITE(FailingSuite, XTEST_ENTRY(AlwaysFails));

XTEST(FailureIsCounted) {
    const XTEST_SUITE *Suites[] = {&FailingSuite};
    XtestPrint("(the next XTEST FAIL line is expected)\n");
    XTEST_CHECK_EQ(XtestRunSuites(Suites, 1), 1);
    XTEST_CHECK_EQ(FailingRuns, 1);
}

XTEST(EqualValuesPass) {
    XTEST_CHECK_EQ(0xFFFFFFFFFFFFFFFFull, ~0ull);
    XTEST_CHECK(sizeof(ULONG) == 4);
}

XTEST_SUITE(XtestSelfSuite, XTEST_ENTRY(FailureIsCounted), XTEST_ENTRY(EqualValuesPass));

XTEST_HOST_MAIN(&XtestSelfSuite)
