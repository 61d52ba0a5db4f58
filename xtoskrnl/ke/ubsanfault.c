/* TESTFAULT=UBSAN's undefined behaviour, in a file of its own so that its line stays put (the boot test expects the
 * UBSan report at this file and line: _UBSAN_LINE in xtoskrnl/tests/kernel_tests.bzl). */
#include "ki.h"

/* Adds 1 to the largest LONGLONG read through a volatile (the compiler cannot fold it): a signed overflow, which the
 * sanitized kernel reports and STOPs on. Called only when KeIsUbsanBuiltIn() (without UBSan the overflow is real UB).
 */
__attribute__((noinline)) LONGLONG KiRaiseUbsanOverflow(VOID) {
    static volatile LONGLONG Largest = 0x7FFFFFFFFFFFFFFFll;

    STATIC_ASSERT(__LINE__ + 1 == 12);
    return Largest + 1;
}
