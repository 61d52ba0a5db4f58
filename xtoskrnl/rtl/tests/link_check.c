/* Link check for the freestanding images: the RTL, its CRT and the suites must link with nothing else (no missing
 * compiler helpers such as memcpy or __aulldiv). Not a real image: the entry points only reference everything. */
#include "rtl_suites.h"

XTNORETURN VOID RtlFailFast(ULONG Code, ULONG_PTR Parameter1, ULONG_PTR Parameter2) {
    UNUSED(Code);
    UNUSED(Parameter1);
    UNUSED(Parameter2);
    for (;;) {
    }
}

VOID XtestPrint(PCSTR Format, ...) {
    UNUSED(Format);
}

/* 64-bit division through the compiler's helpers (on i686: __aulldiv, __alldiv, __aullrem, __allrem). */
static ULONGLONG LinkCheckDivide(volatile ULONGLONG *Values) {
    volatile LONGLONG Signed = (LONGLONG)Values[0];
    return Values[0] / Values[1] + Values[0] % Values[1] + (ULONGLONG)(Signed / (LONGLONG)Values[1]) +
           (ULONGLONG)(Signed % (LONGLONG)Values[1]);
}

static ULONG LinkCheckRun(VOID) {
    static const XTEST_SUITE *const Suites[] = {&RtlListSuite,   &RtlMemorySuite, &RtlBitmapSuite,    &RtlStringSuite,
                                                &RtlFormatSuite, &RtlSha1Suite,   &RtlArithmeticSuite};
    volatile ULONGLONG Values[2] = {1000, 7};

    return XtestRunSuites(Suites, ARRAY_SIZE(Suites)) + (ULONG)LinkCheckDivide(Values);
}

VOID KiSystemStartup(PVOID Block) {
    UNUSED(Block);
    LinkCheckRun();
}

ULONG_PTR XtLdrEntry(PVOID ImageHandle, PVOID SystemTable) {
    UNUSED(ImageHandle);
    UNUSED(SystemTable);
    return LinkCheckRun();
}
