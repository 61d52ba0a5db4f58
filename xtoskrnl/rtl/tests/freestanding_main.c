/* Freestanding Linux harness (no C library): runs the RTL suites in a static binary built by clang -O2 for i686 and
 * x86_64, so the 32-bit code paths (32-bit bitmap words, 64-bit division helpers) run on the host too. The exit
 * status is the number of failures. Used by freestanding_test.sh. */
#include <freestanding_linux.h>
#include <rtl.h>

#include "rtl_suites.h"

XTNORETURN VOID RtlFailFast(ULONG Code, ULONG_PTR Parameter1, ULONG_PTR Parameter2) {
    XtestPrint("RtlFailFast(%u, %p, %p)\n", Code, (PVOID)Parameter1, (PVOID)Parameter2);
    FsExit(99);
}

#if defined(__i386__)
/* The MSVC-ABI helpers from i686/lldiv.c, called like clang calls them on i686 Windows (callee pops 16 bytes). */
ULONGLONG __stdcall FsAulldiv(ULONGLONG Dividend, ULONGLONG Divisor) __asm__("__aulldiv");
ULONGLONG __stdcall FsAullrem(ULONGLONG Dividend, ULONGLONG Divisor) __asm__("__aullrem");
LONGLONG __stdcall FsAlldiv(LONGLONG Dividend, LONGLONG Divisor) __asm__("__alldiv");
LONGLONG __stdcall FsAllrem(LONGLONG Dividend, LONGLONG Divisor) __asm__("__allrem");

static ULONG FsCheckMsvcHelpers(VOID) {
    volatile ULONGLONG Dividend = 0xFFFFFFFFFFFFFFFFULL, Divisor = 10;
    volatile LONGLONG SignedDividend = -1000000000007LL, SignedDivisor = 3;
    ULONG Failures = 0;

    Failures += FsAulldiv(Dividend, Divisor) != 1844674407370955161ULL;
    Failures += FsAullrem(Dividend, Divisor) != 5;
    Failures += FsAlldiv(SignedDividend, SignedDivisor) != -333333333335LL;
    Failures += FsAllrem(SignedDividend, SignedDivisor) != -2;
    XtestPrint("i686 MSVC-ABI division helpers: %u failures\n", Failures);
    return Failures;
}
#else
static ULONG FsCheckMsvcHelpers(VOID) {
    return 0;
}
#endif

VOID _start(VOID);

/* Linux enters with the stack pointer 16-byte aligned, not as a call leaves it: realign (RtlSListSuite checks). */
__attribute__((force_align_arg_pointer)) VOID _start(VOID) {
    static const XTEST_SUITE *const Suites[] = {&RtlListSuite,       &RtlMemorySuite, &RtlBitmapSuite,
                                                &RtlStringSuite,     &RtlFormatSuite, &RtlSha1Suite,
                                                &RtlArithmeticSuite, &RtlTimeSuite,   &RtlSListSuite};
    ULONG Failures = XtestRunSuites(Suites, ARRAY_SIZE(Suites));

    Failures += FsCheckMsvcHelpers();
    XtestPrint("%u-bit freestanding build, string instructions %s\n", (ULONG)(8 * sizeof(PVOID)),
               RtlSetStringInstructions(TRUE) ? "on (ERMS)" : "off");
    FsExit((long)Failures);
}
