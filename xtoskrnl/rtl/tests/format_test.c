/* RtlFormatSuite: conversions, flags, sizes, truncation at every buffer size, and the streaming variant. */
#include "rtl_suites.h"
#include "rtl_test_util.h"

#define TEST_BUFFER   160
#define TEST_SENTINEL '\x5A'

static CHAR TestOutput[TEST_BUFFER];

/* RtlFormatStringV without printf format checking (the tests pass UCS-2 strings to %S, which host compilers would
 * check against a 32-bit wchar_t). */
static SIZE_T TestFormat(PCHAR Buffer, SIZE_T Size, PCSTR Format, ...) {
    va_list Arguments;
    SIZE_T Length;

    va_start(Arguments, Format);
    Length = RtlFormatStringV(Buffer, Size, Format, Arguments);
    va_end(Arguments);
    return Length;
}

/* Formats into a large buffer and checks the text and the returned length. */
#define CHECK_FORMAT(Expected, ...)                                                                                    \
    do {                                                                                                               \
        SIZE_T Length_ = TestFormat(TestOutput, sizeof(TestOutput), __VA_ARGS__);                                      \
        XTEST_CHECK(RtlTestStringsEqual(TestOutput, Expected));                                                        \
        XTEST_CHECK_EQ(Length_, RtlStringLength(Expected, ~(SIZE_T)0));                                                \
        if (!RtlTestStringsEqual(TestOutput, Expected)) {                                                              \
            XtestPrint("    got \"%s\", expected \"%s\"\n", TestOutput, (PCSTR)(Expected));                            \
        }                                                                                                              \
    } while (0)

XTEST(Integers) {
    CHECK_FORMAT("0 -1 42 2147483647 -2147483648", "%d %i %d %d %d", 0, -1, 42, 2147483647, (int)-2147483647 - 1);
    CHECK_FORMAT("4294967295 ffffffff FFFFFFFF 17", "%u %x %X %o", 4294967295u, 0xFFFFFFFFu, 0xFFFFFFFFu, 15u);
    CHECK_FORMAT("18446744073709551615 -9223372036854775808", "%llu %lld", 0xFFFFFFFFFFFFFFFFULL, (long long)INT64_MIN);
    CHECK_FORMAT("fedcba9876543210", "%llx", 0xFEDCBA9876543210ULL);
    CHECK_FORMAT("4294967295 -1", "%lu %ld", 4294967295ul, -1l);
    CHECK_FORMAT("255 -1 65535 -1", "%hhu %hhd %hu %hd", 0x1FF, 0xFF, 0x1FFFF, 0xFFFF);
    CHECK_FORMAT("12345678 -5", "%zu %zd", (SIZE_T)12345678, (ptrdiff_t)-5);
    CHECK_FORMAT("+5 -5  5 0x1f 0X1F 0 017", "%+d %+d % d %#x %#X %#x %#o", 5, -5, 5, 31u, 31u, 0u, 15u);
    CHECK_FORMAT("5 5 [ 7] 1f 17", "%+u % u [%+ 2u] %+x % o", 5u, 5u, 7u, 31u, 15u); /* no sign when unsigned */
}

XTEST(WidthsAndPadding) {
    CHECK_FORMAT("[   42][42   ][00042][-0042][  -42]", "[%5d][%-5d][%05d][%05d][%5d]", 42, 42, 42, -42, -42);
    CHECK_FORMAT("[0x00ff][  00ff][ff    ]", "[%#06x][%6.4x][%-6x]", 255u, 255u, 255u);
    CHECK_FORMAT("[   ab][ab   ][  a][b  ]", "[%5s][%-5s][%3c][%-3c]", "ab", "ab", 'a', 'b');
    CHECK_FORMAT("[  7][7  ][007]", "[%*d][%*d][%.3d]", 3, 7, -3, 7, 7);
    CHECK_FORMAT("[abc][ab][   ab]", "[%.5s][%.2s][%5.*s]", "abc", "abcdef", 2, "abc");
    CHECK_FORMAT("[][  ][00000]", "[%.0d][%2.0x][%05u]", 0, 1u - 1u, 0u);
    CHECK_FORMAT("[42   ][+0042][ 0042]", "[%-05d][%+05d][% 05d]", 42, 42, 42);
}

XTEST(StringsAndCharacters) {
    CHECK_FORMAT("(null) (null) x%y", "%s %S %c%%%c", (PCSTR)NULL, (PCWSTR)NULL, 'x', 'y');
    CHECK_FORMAT("loader: BOOTX64.EFI!", "loader: %S!", u"BOOTX64.EFI");
    CHECK_FORMAT("[K?rnel][  K?r][Ker  ]", "[%S][%5.3S][%-5.3S]", u"K\x00E9rnel", u"K\x00E9rnel", u"Kernel");
    CHECK_FORMAT("%q %", "%q %");
    CHECK_FORMAT("", "");
}

XTEST(Pointers) {
    if (sizeof(PVOID) == 8) {
        CHECK_FORMAT("FFFFF80800001000 0000000000000000", "%p %p", (PVOID)(ULONG_PTR)0xFFFFF80800001000ULL,
                     (PVOID)NULL);
        CHECK_FORMAT("0x00000000DEADBEEF", "%#p", (PVOID)(ULONG_PTR)0xDEADBEEF);
        CHECK_FORMAT("[0x0000000000000001   ]", "[%-#21p]", (PVOID)(ULONG_PTR)1);
    } else {
        CHECK_FORMAT("80801000 00000000", "%p %p", (PVOID)(ULONG_PTR)0x80801000u, (PVOID)NULL);
        CHECK_FORMAT("0xDEADBEEF", "%#p", (PVOID)(ULONG_PTR)0xDEADBEEF);
        CHECK_FORMAT("[   0x00000001]", "[%#13p]", (PVOID)(ULONG_PTR)1);
    }
}

/* Formats Format at every buffer size 0..length+2 and checks prefix, terminator, return value and sentinels. */
static ULONG CheckTruncation(PCSTR Format, ...) {
    CHAR Full[TEST_BUFFER];
    CHAR Buffer[TEST_BUFFER + 8];
    SIZE_T Length, Size, Index;
    ULONG Failures = 0;
    va_list Arguments;

    va_start(Arguments, Format);
    Length = RtlFormatStringV(Full, sizeof(Full), Format, Arguments);
    va_end(Arguments);
    for (Size = 0; Size <= Length + 2 && Size <= TEST_BUFFER; Size++) {
        SIZE_T Kept = (Size == 0) ? 0 : ((Length < Size - 1) ? Length : Size - 1);
        for (Index = 0; Index < sizeof(Buffer); Index++) {
            Buffer[Index] = TEST_SENTINEL;
        }
        va_start(Arguments, Format);
        Failures += RtlFormatStringV(Buffer + 4, Size, Format, Arguments) != Length;
        va_end(Arguments);
        for (Index = 0; Index < sizeof(Buffer); Index++) {
            CHAR Expected = TEST_SENTINEL;
            if (Index >= 4 && Index < 4 + Kept) {
                Expected = Full[Index - 4];
            } else if (Size != 0 && Index == 4 + Kept) {
                Expected = '\0';
            }
            Failures += Buffer[Index] != Expected;
        }
    }
    return Failures;
}

XTEST(TruncationAtEverySize) {
    XTEST_CHECK_EQ(CheckTruncation("plain text without conversions"), 0);
    XTEST_CHECK_EQ(CheckTruncation("%d|%-8u|%08x|%llX", -12345, 77u, 0xBEEFu, 0x123456789ABCDEFULL), 0);
    XTEST_CHECK_EQ(CheckTruncation("[%20s] [%-12.3s] %c%%", "right", "left", '!'), 0);
    XTEST_CHECK_EQ(CheckTruncation("%S and %s", u"wide string", (PCSTR)NULL), 0);
    XTEST_CHECK_EQ(CheckTruncation("%p %#p", (PVOID)&TestOutput, (PVOID)NULL), 0);
    XTEST_CHECK_EQ(CheckTruncation("%40d", 1), 0);
    XTEST_CHECK_EQ(CheckTruncation(""), 0);
}

XTEST(SizeZeroWritesNothing) {
    CHAR Byte = 'k';

    XTEST_CHECK_EQ(TestFormat(&Byte, 0, "%s", "hello"), 5);
    XTEST_CHECK_EQ(Byte, 'k');
    XTEST_CHECK_EQ(TestFormat(NULL, 0, "%d", 12345), 5);
    XTEST_CHECK_EQ(TestFormat(&Byte, 1, "%s", "hello"), 5);
    XTEST_CHECK_EQ(Byte, '\0');
}

typedef struct _TEST_STREAM {
    CHAR Text[64];
    SIZE_T Used;
    ULONG Calls;
} TEST_STREAM;

static VOID TestStreamOutput(PVOID Context, PCSTR Characters, SIZE_T Count) {
    TEST_STREAM *Stream = Context;
    SIZE_T Index;

    Stream->Calls++;
    for (Index = 0; Index < Count && Stream->Used < sizeof(Stream->Text) - 1; Index++) {
        Stream->Text[Stream->Used++] = Characters[Index];
    }
    Stream->Text[Stream->Used] = '\0';
}

static SIZE_T TestStream(TEST_STREAM *Stream, PCSTR Format, ...) {
    va_list Arguments;
    SIZE_T Length;

    va_start(Arguments, Format);
    Length = RtlFormatOutput(TestStreamOutput, Stream, Format, Arguments);
    va_end(Arguments);
    return Length;
}

XTEST(StreamingOutput) {
    TEST_STREAM Stream = {{0}, 0, 0};

    XTEST_CHECK_EQ(TestStream(&Stream, "XTOS-REPORT arch=%s ram_pages=%llu%c", "amd64", 262144ULL, '\n'), 40);
    XTEST_CHECK(RtlTestStringsEqual(Stream.Text, "XTOS-REPORT arch=amd64 ram_pages=262144\n"));
    XTEST_CHECK(Stream.Calls >= 3);
    Stream.Used = 0;
    XTEST_CHECK_EQ(TestStream(&Stream, "%-40s|", "x"), 41);
    XTEST_CHECK_EQ(Stream.Used, 41);
}

XTEST_SUITE(RtlFormatSuite, XTEST_ENTRY(Integers), XTEST_ENTRY(WidthsAndPadding), XTEST_ENTRY(StringsAndCharacters),
            XTEST_ENTRY(Pointers), XTEST_ENTRY(TruncationAtEverySize), XTEST_ENTRY(SizeZeroWritesNothing),
            XTEST_ENTRY(StreamingOutput));
