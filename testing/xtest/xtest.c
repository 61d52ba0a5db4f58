/* XTEST core: result accounting and the suite runner, free of any C library. */
#include "xtest.h"

BOOLEAN XtestCheck(PXTEST_CONTEXT Context, BOOLEAN Condition, PCSTR Expression, PCSTR File, ULONG Line) {
    Context->Checks++;
    if (!Condition) {
        Context->CaseFailed = TRUE;
        XtestPrint("XTEST FAIL %s.%s %s:%u: %s\n", Context->SuiteName, Context->CaseName, File, Line, Expression);
    }
    return Condition;
}

BOOLEAN XtestCheckEqual(PXTEST_CONTEXT Context, ULONGLONG Actual, ULONGLONG Expected, PCSTR ActualText,
                        PCSTR ExpectedText, PCSTR File, ULONG Line) {
    Context->Checks++;
    if (Actual != Expected) {
        Context->CaseFailed = TRUE;
        XtestPrint("XTEST FAIL %s.%s %s:%u: %s == %s (0x%llx != 0x%llx)\n", Context->SuiteName, Context->CaseName, File,
                   Line, ActualText, ExpectedText, Actual, Expected);
        return FALSE;
    }
    return TRUE;
}

ULONG XtestRunSuitesTimed(const XTEST_SUITE *const *Suites, ULONG Count, PXTEST_CLOCK Clock) {
    XTEST_CONTEXT Context = {0};
    for (ULONG Suite = 0; Suite < Count; Suite++) {
        ULONGLONG Start = Clock ? Clock() : 0;
        Context.SuiteName = Suites[Suite]->Name;
        for (ULONG Case = 0; Case < Suites[Suite]->Count; Case++) {
            Context.CaseName = Suites[Suite]->Cases[Case].Name;
            Context.CaseFailed = FALSE;
            Suites[Suite]->Cases[Case].Routine(&Context);
            if (Context.CaseFailed) {
                Context.Failed++;
            } else {
                Context.Passed++;
            }
        }
        if (Clock) {
            XtestPrint("XTEST-TIME %s %llu ms\n", Suites[Suite]->Name, (Clock() - Start) / 1000);
        }
    }
    XtestPrint("XTEST: %u passed, %u failed\n", Context.Passed, Context.Failed);
    return Context.Failed;
}

ULONG XtestRunSuites(const XTEST_SUITE *const *Suites, ULONG Count) {
    return XtestRunSuitesTimed(Suites, Count, NULL);
}
