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

ULONG XtestRunSuites(const XTEST_SUITE *const *Suites, ULONG Count) {
    XTEST_CONTEXT Context = {0};
    for (ULONG Suite = 0; Suite < Count; Suite++) {
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
    }
    XtestPrint("XTEST: %u passed, %u failed\n", Context.Passed, Context.Failed);
    return Context.Failed;
}
