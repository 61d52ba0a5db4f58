/* Helpers shared by the freestanding RTL test suites. */
#ifndef XT_RTL_TESTS_RTL_TEST_UTIL_H
#define XT_RTL_TESTS_RTL_TEST_UTIL_H

#include <rtl.h>

/* Deterministic xorshift64* generator: a fixed seed gives the same sequence everywhere. */
typedef struct _RTL_TEST_RANDOM {
    ULONGLONG State;
} RTL_TEST_RANDOM, *PRTL_TEST_RANDOM;

XTINLINE ULONGLONG RtlTestRandom(PRTL_TEST_RANDOM Random) {
    Random->State ^= Random->State >> 12;
    Random->State ^= Random->State << 25;
    Random->State ^= Random->State >> 27;
    return Random->State * 0x2545F4914F6CDD1DULL;
}

/* Uniform-enough value in [0, Bound) for small bounds (Bound > 0), without 64-bit division. */
XTINLINE ULONG RtlTestRandomBelow(PRTL_TEST_RANDOM Random, ULONG Bound) {
    return (ULONG)(((RtlTestRandom(Random) >> 32) * Bound) >> 32);
}

/* TRUE when the two NUL-terminated strings are equal. */
XTINLINE BOOLEAN RtlTestStringsEqual(PCSTR String1, PCSTR String2) {
    return (BOOLEAN)(RtlCompareCString(String1, String2, ~(SIZE_T)0, FALSE) == 0);
}

#endif
