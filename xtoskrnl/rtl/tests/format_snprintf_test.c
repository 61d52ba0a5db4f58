/* RtlFormatSnprintfSuite (host-only): integer conversions against the C library's snprintf for every combination of
 * the flags "- 0 + space #", with and without width and precision, over values at the edges of each size. For the
 * unsigned conversions (u x X o) the + and space flags must have no effect, as C17 7.21.6.1 says. */
#include <stdio.h>

#include "rtl_test_util.h"
#include "xtest.h"

extern const XTEST_SUITE RtlFormatSnprintfSuite;

static const char TestFlagCharacters[] = "-0+ #";
static const char *const TestWidths[] = {"", "1", "7", "24", "*"};
static const char *const TestPrecisions[] = {"", ".", ".0", ".1", ".5", ".22", ".*"};
static const char TestConversions[] = "diuxXo";

/* Builds "%<flags><width><precision><size><conversion>" for the flag set Mask (bit i: TestFlagCharacters[i]). */
static VOID TestBuildFormat(PCHAR Format, ULONG Mask, PCSTR Width, PCSTR Precision, PCSTR Size, CHAR Conversion) {
    SIZE_T Length = 0;

    Format[Length++] = '%';
    for (ULONG Flag = 0; Flag < 5; Flag++) {
        if (Mask & (1u << Flag)) {
            Format[Length++] = TestFlagCharacters[Flag];
        }
    }
    for (PCSTR Part = Width; *Part; Part++) {
        Format[Length++] = *Part;
    }
    for (PCSTR Part = Precision; *Part; Part++) {
        Format[Length++] = *Part;
    }
    for (PCSTR Part = Size; *Part; Part++) {
        Format[Length++] = *Part;
    }
    Format[Length++] = Conversion;
    Format[Length] = '\0';
}

/* Formats one conversion with both formatters (star arguments first: width -9, precision 3) and compares text and
 * length. Returns TRUE when they agree. */
static BOOLEAN TestCompareOne(PCSTR Format, BOOLEAN Wide, ULONGLONG Value) {
    static ULONG Printed;
    char Expected[96], Actual[96];
    int Stars[2] = {0, 0};
    ULONG StarCount = 0;
    int ExpectedLength;
    SIZE_T ActualLength;

    for (PCSTR Cursor = Format; *Cursor; Cursor++) {
        if (*Cursor == '*') {
            Stars[StarCount++] = (Cursor[-1] == '.') ? 3 : -9;
        }
    }
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#pragma GCC diagnostic ignored "-Wformat"
#define TEST_BOTH(Argument)                                                                                            \
    do {                                                                                                               \
        if (StarCount == 2) {                                                                                          \
            ExpectedLength = snprintf(Expected, sizeof(Expected), Format, Stars[0], Stars[1], Argument);               \
            ActualLength = RtlFormatString(Actual, sizeof(Actual), Format, Stars[0], Stars[1], Argument);              \
        } else if (StarCount == 1) {                                                                                   \
            ExpectedLength = snprintf(Expected, sizeof(Expected), Format, Stars[0], Argument);                         \
            ActualLength = RtlFormatString(Actual, sizeof(Actual), Format, Stars[0], Argument);                        \
        } else {                                                                                                       \
            ExpectedLength = snprintf(Expected, sizeof(Expected), Format, Argument);                                   \
            ActualLength = RtlFormatString(Actual, sizeof(Actual), Format, Argument);                                  \
        }                                                                                                              \
    } while (0)
    if (Wide) {
        TEST_BOTH((unsigned long long)Value);
    } else {
        TEST_BOTH((unsigned int)Value);
    }
#undef TEST_BOTH
#pragma GCC diagnostic pop
    if (ExpectedLength < 0 || (SIZE_T)ExpectedLength != ActualLength || !RtlTestStringsEqual(Actual, Expected)) {
        if (Printed++ >= 40) {
            return FALSE; /* the first 40 differences are enough to see the pattern */
        }
        XtestPrint("    \"%s\" of 0x%llx: snprintf \"%s\" (%d), RtlFormatString \"%s\" (%zu)\n", Format,
                   (unsigned long long)Value, Expected, ExpectedLength, Actual, ActualLength);
        return FALSE;
    }
    return TRUE;
}

/* Every flag set, width, precision and conversion over Values, with the size modifier Size ("" or "ll"). */
static ULONG TestAllCombinations(PCSTR Size, const ULONGLONG *Values, ULONG ValueCount, PULONG Compared) {
    ULONG Failures = 0;
    CHAR Format[32];

    for (ULONG Mask = 0; Mask < 32; Mask++) {
        for (ULONG Width = 0; Width < ARRAY_SIZE(TestWidths); Width++) {
            for (ULONG Precision = 0; Precision < ARRAY_SIZE(TestPrecisions); Precision++) {
                for (ULONG Conversion = 0; TestConversions[Conversion]; Conversion++) {
                    /* '#' with d, i and u is undefined in C; the C library and RTL may differ there. */
                    if ((Mask & 0x10) && TestConversions[Conversion] <= 'u' && TestConversions[Conversion] != 'o') {
                        continue;
                    }
                    TestBuildFormat(Format, Mask, TestWidths[Width], TestPrecisions[Precision], Size,
                                    TestConversions[Conversion]);
                    for (ULONG Value = 0; Value < ValueCount; Value++) {
                        Failures += !TestCompareOne(Format, (BOOLEAN)(Size[0] != '\0'), Values[Value]);
                        (*Compared)++;
                    }
                }
            }
        }
    }
    return Failures;
}

XTEST(UnsignedFlagsMatchSnprintf) {
    static const ULONGLONG Values32[] = {0, 1, 7, 8, 42, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF};
    static const ULONGLONG Values64[] = {0, 1, 0x8000000000000000ull, 0xFFFFFFFFFFFFFFFFull, 0x123456789ull};
    ULONG Compared = 0;

    XTEST_CHECK_EQ(TestAllCombinations("", Values32, ARRAY_SIZE(Values32), &Compared), 0);
    XTEST_CHECK_EQ(TestAllCombinations("ll", Values64, ARRAY_SIZE(Values64), &Compared), 0);
    XTEST_CHECK(Compared > 40000);
}

XTEST_SUITE(RtlFormatSnprintfSuite, XTEST_ENTRY(UnsignedFlagsMatchSnprintf));
