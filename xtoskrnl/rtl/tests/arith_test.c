/* RtlArithmeticSuite: checked arithmetic at the limits and the portable 64-bit division. */
#include "rtl_suites.h"
#include "rtl_test_util.h"

XTEST(CheckedAddAndMultiply) {
    SIZE_T Size = 0;
    ULONGLONG Value = 0;
    SIZE_T MaxSize = ~(SIZE_T)0;

    XTEST_CHECK_EQ(RtlAddSizeT(MaxSize - 1, 1, &Size), STATUS_SUCCESS);
    XTEST_CHECK(Size == MaxSize);
    XTEST_CHECK_EQ(RtlAddSizeT(MaxSize, 1, &Size), STATUS_INTEGER_OVERFLOW);
    XTEST_CHECK(Size == MaxSize);
    XTEST_CHECK_EQ(RtlMultiplySizeT(MaxSize / 2, 2, &Size), STATUS_SUCCESS);
    XTEST_CHECK(Size == MaxSize - 1);
    XTEST_CHECK_EQ(RtlMultiplySizeT(MaxSize / 2 + 1, 2, &Size), STATUS_INTEGER_OVERFLOW);
    XTEST_CHECK_EQ(RtlMultiplySizeT(0, MaxSize, &Size), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Size, 0);

    XTEST_CHECK_EQ(RtlAddUlonglong(0xFFFFFFFFFFFFFFFEULL, 1, &Value), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Value, 0xFFFFFFFFFFFFFFFFULL);
    XTEST_CHECK_EQ(RtlAddUlonglong(0xFFFFFFFFFFFFFFFFULL, 1, &Value), STATUS_INTEGER_OVERFLOW);
    XTEST_CHECK_EQ(Value, ~0ULL);
    XTEST_CHECK_EQ(RtlMultiplyUlonglong(0xFFFFFFFFULL, 0x100000001ULL, &Value), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Value, 0xFFFFFFFFFFFFFFFFULL);
    XTEST_CHECK_EQ(RtlMultiplyUlonglong(0x100000000ULL, 0x100000000ULL, &Value), STATUS_INTEGER_OVERFLOW);
    XTEST_CHECK_EQ(RtlMultiplyUlonglong(1ULL << 36, 4096, &Value), STATUS_SUCCESS); /* 64 GiB of 4 KiB pages */
    XTEST_CHECK_EQ(Value, 1ULL << 48);
}

XTEST(DivideKnownValues) {
    ULONGLONG Remainder = 0;
    LONGLONG SignedRemainder = 0;

    XTEST_CHECK_EQ(RtlDivideUnsigned64(0xFFFFFFFFFFFFFFFFULL, 10, &Remainder), 1844674407370955161ULL);
    XTEST_CHECK_EQ(Remainder, 5);
    XTEST_CHECK_EQ(RtlDivideUnsigned64(0xFFFFFFFFFFFFFFFFULL, 0xFFFFFFFFFFFFFFFFULL, &Remainder), 1);
    XTEST_CHECK_EQ(Remainder, 0);
    XTEST_CHECK_EQ(RtlDivideUnsigned64(5, 0x100000000ULL, &Remainder), 0);
    XTEST_CHECK_EQ(Remainder, 5);
    XTEST_CHECK_EQ(RtlDivideUnsigned64(0x123456789ABCDEF0ULL, 0x100000000ULL, &Remainder), 0x12345678ULL);
    XTEST_CHECK_EQ(Remainder, 0x9ABCDEF0ULL);
    XTEST_CHECK_EQ(RtlDivideUnsigned64(100, 7, NULL), 14);
    XTEST_CHECK_EQ(RtlDivideUnsigned64(0, 7, &Remainder), 0);
    XTEST_CHECK_EQ(RtlDivideSigned64(-7, 2, &SignedRemainder), -3);
    XTEST_CHECK_EQ(SignedRemainder, -1);
    XTEST_CHECK_EQ(RtlDivideSigned64(7, -2, &SignedRemainder), -3);
    XTEST_CHECK_EQ(SignedRemainder, 1);
    XTEST_CHECK_EQ(RtlDivideSigned64(-7, -2, &SignedRemainder), 3);
    XTEST_CHECK_EQ(SignedRemainder, -1);
    XTEST_CHECK(RtlDivideSigned64(INT64_MIN, 1, &SignedRemainder) == INT64_MIN);
    XTEST_CHECK(RtlDivideSigned64(INT64_MIN, -1, &SignedRemainder) == INT64_MIN);
    XTEST_CHECK_EQ(RtlDivideSigned64(INT64_MIN, INT64_MAX, &SignedRemainder), -1);
    XTEST_CHECK_EQ(SignedRemainder, -1);
}

XTEST(DivideRandomProperty) {
    RTL_TEST_RANDOM Random = {0xC0FFEE};
    ULONG Failures = 0;
    ULONG Round;

    /* Quotient * Divisor + Remainder == Dividend and Remainder < Divisor, over divisors of every width. */
    for (Round = 0; Round < 20000; Round++) {
        ULONGLONG Dividend = RtlTestRandom(&Random) >> RtlTestRandomBelow(&Random, 64);
        ULONGLONG Divisor = RtlTestRandom(&Random) >> RtlTestRandomBelow(&Random, 64);
        ULONGLONG Remainder;
        ULONGLONG Quotient;
        if (Divisor == 0) {
            Divisor = 1;
        }
        Quotient = RtlDivideUnsigned64(Dividend, Divisor, &Remainder);
        if (Remainder >= Divisor || Quotient > Dividend || Quotient * Divisor + Remainder != Dividend) {
            Failures++;
        }
    }
    XTEST_CHECK_EQ(Failures, 0);
}

XTEST_SUITE(RtlArithmeticSuite, XTEST_ENTRY(CheckedAddAndMultiply), XTEST_ENTRY(DivideKnownValues),
            XTEST_ENTRY(DivideRandomProperty));
