/* RtlStringSuite: string lengths, counted strings, case-insensitive comparison, conversions and number parsing. */
#include "rtl_suites.h"
#include "rtl_test_util.h"

XTEST(Lengths) {
    static const WCHAR Wide[] = u"wide";

    XTEST_CHECK_EQ(RtlStringLength(NULL, 10), 0);
    XTEST_CHECK_EQ(RtlStringLength("", 10), 0);
    XTEST_CHECK_EQ(RtlStringLength("abcdef", ~(SIZE_T)0), 6);
    XTEST_CHECK_EQ(RtlStringLength("abcdef", 4), 4);
    XTEST_CHECK_EQ(RtlStringLength("abcdef", 0), 0);
    XTEST_CHECK_EQ(RtlWideStringLength(NULL, 10), 0);
    XTEST_CHECK_EQ(RtlWideStringLength(Wide, ~(SIZE_T)0), 4);
    XTEST_CHECK_EQ(RtlWideStringLength(Wide, 3), 3);
    XTEST_CHECK_EQ(RtlWideStringLength(u"", 5), 0);
}

XTEST(InitCountedStrings) {
    ANSI_STRING Ansi;
    UNICODE_STRING Unicode;

    RtlInitAnsiString(&Ansi, "hello");
    XTEST_CHECK_EQ(Ansi.Length, 5);
    XTEST_CHECK_EQ(Ansi.MaximumLength, 6);
    RtlInitAnsiString(&Ansi, NULL);
    XTEST_CHECK(Ansi.Length == 0 && Ansi.MaximumLength == 0 && Ansi.Buffer == NULL);
    RtlInitUnicodeString(&Unicode, u"\\EFI\\BOOT");
    XTEST_CHECK_EQ(Unicode.Length, 18);
    XTEST_CHECK_EQ(Unicode.MaximumLength, 20);
    XTEST_CHECK_EQ(Unicode.Buffer[1], u'E');
    RtlInitUnicodeString(&Unicode, u"");
    XTEST_CHECK(Unicode.Length == 0 && Unicode.MaximumLength == 2);
    RtlInitUnicodeString(&Unicode, NULL);
    XTEST_CHECK(Unicode.Length == 0 && Unicode.MaximumLength == 0 && Unicode.Buffer == NULL);
}

XTEST(CompareCountedStrings) {
    ANSI_STRING A, B;
    UNICODE_STRING U, V;

    RtlInitAnsiString(&A, "XtLdr.ini");
    RtlInitAnsiString(&B, "XTLDR.INI");
    XTEST_CHECK(RtlCompareString(&A, &B, FALSE) > 0);
    XTEST_CHECK_EQ(RtlCompareString(&A, &B, TRUE), 0);
    XTEST_CHECK(RtlEqualString(&A, &B, TRUE));
    XTEST_CHECK(!RtlEqualString(&A, &B, FALSE));
    B.Length = 5; /* "XTLDR": a prefix sorts first */
    XTEST_CHECK(RtlCompareString(&B, &A, TRUE) < 0);
    XTEST_CHECK(RtlCompareString(&A, &B, TRUE) > 0);
    XTEST_CHECK(!RtlEqualString(&A, &B, TRUE));
    RtlInitAnsiString(&A, "[");
    RtlInitAnsiString(&B, "a"); /* '[' (0x5B) sorts before 'A' only without folding to upper case */
    XTEST_CHECK(RtlCompareString(&A, &B, TRUE) > 0);
    XTEST_CHECK(RtlCompareString(&A, &B, FALSE) < 0);

    RtlInitUnicodeString(&U, u"\\Efi\\Boot\\bootx64.efi");
    RtlInitUnicodeString(&V, u"\\EFI\\BOOT\\BOOTX64.EFI");
    XTEST_CHECK(RtlEqualUnicodeString(&U, &V, TRUE));
    XTEST_CHECK(!RtlEqualUnicodeString(&U, &V, FALSE));
    XTEST_CHECK(RtlCompareUnicodeString(&U, &V, FALSE) > 0);
    RtlInitUnicodeString(&U, u"\x00E9"); /* non-ASCII is not folded */
    RtlInitUnicodeString(&V, u"\x00C9");
    XTEST_CHECK(!RtlEqualUnicodeString(&U, &V, TRUE));
    RtlInitUnicodeString(&U, u"");
    RtlInitUnicodeString(&V, NULL);
    XTEST_CHECK(RtlEqualUnicodeString(&U, &V, TRUE));
}

XTEST(CompareCStrings) {
    XTEST_CHECK_EQ(RtlCompareCString("Timeout", "TIMEOUT", ~(SIZE_T)0, TRUE), 0);
    XTEST_CHECK(RtlCompareCString("Timeout", "TIMEOUT", ~(SIZE_T)0, FALSE) > 0);
    XTEST_CHECK_EQ(RtlCompareCString("abcX", "abcY", 3, FALSE), 0);
    XTEST_CHECK(RtlCompareCString("abc", "abcd", 10, FALSE) < 0);
    XTEST_CHECK(RtlCompareCString("\xE9", "a", 10, FALSE) > 0); /* bytes compare unsigned */
    XTEST_CHECK_EQ(RtlCompareWideCString(u"Default", u"DEFAULT", 100, TRUE), 0);
    XTEST_CHECK(RtlCompareWideCString(u"Def", u"DEFAULT", 100, TRUE) < 0);
    XTEST_CHECK_EQ(RtlCompareWideCString(u"Def", u"DEFAULT", 3, TRUE), 0);
}

XTEST(ConvertUnicodeToAnsi) {
    CHAR Storage[8];
    ANSI_STRING Ansi = {0, sizeof(Storage), Storage};
    UNICODE_STRING Unicode;
    ULONG Index;

    RtlInitUnicodeString(&Unicode, u"K\x00E9rnel");
    XTEST_CHECK_EQ(RtlUnicodeStringToAnsiString(&Ansi, &Unicode), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Ansi.Length, 6);
    XTEST_CHECK(RtlTestStringsEqual(Storage, "K?rnel"));
    RtlInitUnicodeString(&Unicode, u"12345678");
    XTEST_CHECK_EQ(RtlUnicodeStringToAnsiString(&Ansi, &Unicode), STATUS_SUCCESS); /* exact fit, no NUL */
    XTEST_CHECK_EQ(Ansi.Length, 8);
    XTEST_CHECK_EQ(Storage[7], '8');
    RtlInitUnicodeString(&Unicode, u"123456789");
    XTEST_CHECK_EQ(RtlUnicodeStringToAnsiString(&Ansi, &Unicode), STATUS_BUFFER_OVERFLOW);
    XTEST_CHECK_EQ(Ansi.Length, 8);
    for (Index = 0; Index < 8; Index++) {
        XTEST_CHECK_EQ(Storage[Index], '1' + Index);
    }
}

XTEST(ConvertAnsiToUnicode) {
    WCHAR Storage[6];
    UNICODE_STRING Unicode = {0, sizeof(Storage), Storage};
    ANSI_STRING Ansi;

    RtlInitAnsiString(&Ansi, "a\xC3\xA9z");
    XTEST_CHECK_EQ(RtlAnsiStringToUnicodeString(&Unicode, &Ansi), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Unicode.Length, 8);
    XTEST_CHECK(Storage[0] == u'a' && Storage[1] == u'?' && Storage[2] == u'?' && Storage[3] == u'z');
    XTEST_CHECK_EQ(Storage[4], 0);
    RtlInitAnsiString(&Ansi, "abcdefg");
    XTEST_CHECK_EQ(RtlAnsiStringToUnicodeString(&Unicode, &Ansi), STATUS_BUFFER_OVERFLOW);
    XTEST_CHECK_EQ(Unicode.Length, 12);
    XTEST_CHECK_EQ(Storage[5], u'f');
}

XTEST(ConvertTerminatedStrings) {
    CHAR Narrow[5] = {'x', 'x', 'x', 'x', 'x'};
    WCHAR Wide[4] = {1, 1, 1, 1};

    XTEST_CHECK_EQ(RtlWideToAnsi(Narrow, 5, u"ab\x0100", 100), 3);
    XTEST_CHECK(RtlTestStringsEqual(Narrow, "ab?"));
    XTEST_CHECK_EQ(RtlWideToAnsi(Narrow, 5, u"abcdefgh", 100), 4);
    XTEST_CHECK(RtlTestStringsEqual(Narrow, "abcd"));
    XTEST_CHECK_EQ(RtlWideToAnsi(Narrow, 5, u"abcdefgh", 2), 2);
    XTEST_CHECK(RtlTestStringsEqual(Narrow, "ab"));
    Narrow[0] = 'x';
    XTEST_CHECK_EQ(RtlWideToAnsi(Narrow, 0, u"abc", 100), 0);
    XTEST_CHECK_EQ(Narrow[0], 'x');
    XTEST_CHECK_EQ(RtlAnsiToWide(Wide, 4, "xyz\x80", 100), 3);
    XTEST_CHECK(Wide[0] == u'x' && Wide[2] == u'z' && Wide[3] == 0);
    XTEST_CHECK_EQ(RtlAnsiToWide(Wide, 1, "xyz", 100), 0);
    XTEST_CHECK_EQ(Wide[0], 0);
}

XTEST(ParseUnsignedLimits) {
    ULONGLONG Value = 1;
    PCSTR End = NULL;
    PCSTR Text;

    Text = "18446744073709551615";
    XTEST_CHECK_EQ(RtlStringToUnsigned(Text, 10, &Value, &End), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Value, 0xFFFFFFFFFFFFFFFFULL);
    XTEST_CHECK(End == Text + 20);
    Text = "18446744073709551616";
    XTEST_CHECK_EQ(RtlStringToUnsigned(Text, 10, &Value, &End), STATUS_INTEGER_OVERFLOW);
    XTEST_CHECK_EQ(Value, ~0ULL);
    XTEST_CHECK(End == Text + 20);
    XTEST_CHECK_EQ(RtlStringToUnsigned("99999999999999999999999", 0, &Value, NULL), STATUS_INTEGER_OVERFLOW);
    XTEST_CHECK_EQ(RtlStringToUnsigned("ffffffffffffffff", 16, &Value, NULL), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Value, ~0ULL);
    XTEST_CHECK_EQ(RtlStringToUnsigned("0x10000000000000000", 16, &Value, NULL), STATUS_INTEGER_OVERFLOW);
    XTEST_CHECK_EQ(RtlStringToUnsigned("0", 10, &Value, NULL), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Value, 0);
    XTEST_CHECK_EQ(RtlStringToUnsigned("115200", 10, &Value, NULL), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Value, 115200);
}

XTEST(ParseUnsignedSyntax) {
    ULONGLONG Value = 1;
    PCSTR End = NULL;
    PCSTR Text;

    Text = "";
    XTEST_CHECK_EQ(RtlStringToUnsigned(Text, 10, &Value, &End), STATUS_INVALID_PARAMETER);
    XTEST_CHECK(End == Text && Value == 0);
    Text = "  \t";
    XTEST_CHECK_EQ(RtlStringToUnsigned(Text, 10, &Value, &End), STATUS_INVALID_PARAMETER);
    XTEST_CHECK(End == Text);
    XTEST_CHECK_EQ(RtlStringToUnsigned("abc", 10, &Value, NULL), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(RtlStringToUnsigned("-1", 10, &Value, NULL), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(RtlStringToUnsigned("12", 1, &Value, NULL), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(RtlStringToUnsigned("12", 37, &Value, NULL), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(RtlStringToUnsigned(NULL, 10, &Value, NULL), STATUS_INVALID_PARAMETER);
    Text = "  12z";
    XTEST_CHECK_EQ(RtlStringToUnsigned(Text, 10, &Value, &End), STATUS_SUCCESS);
    XTEST_CHECK(Value == 12 && End == Text + 4);
    Text = "129";
    XTEST_CHECK_EQ(RtlStringToUnsigned(Text, 8, &Value, &End), STATUS_SUCCESS);
    XTEST_CHECK(Value == 10 && End == Text + 2);
    Text = "0x1F,";
    XTEST_CHECK_EQ(RtlStringToUnsigned(Text, 0, &Value, &End), STATUS_SUCCESS);
    XTEST_CHECK(Value == 0x1F && End == Text + 4);
    XTEST_CHECK_EQ(RtlStringToUnsigned("0XfeeD", 16, &Value, NULL), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Value, 0xFEED);
    XTEST_CHECK_EQ(RtlStringToUnsigned("0x1F", 10, &Value, &End), STATUS_SUCCESS); /* no prefix in base 10 */
    XTEST_CHECK(Value == 0 && *End == 'x');
    Text = "0x";
    XTEST_CHECK_EQ(RtlStringToUnsigned(Text, 0, &Value, &End), STATUS_SUCCESS); /* "0", then a stray x */
    XTEST_CHECK(Value == 0 && End == Text + 1);
    XTEST_CHECK_EQ(RtlStringToUnsigned("0b101", 0, &Value, NULL), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Value, 5);
    XTEST_CHECK_EQ(RtlStringToUnsigned("0b101", 16, &Value, NULL), STATUS_SUCCESS); /* b is a hex digit */
    XTEST_CHECK_EQ(Value, 0xB101);
    XTEST_CHECK_EQ(RtlStringToUnsigned("0o777", 0, &Value, NULL), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Value, 511);
    XTEST_CHECK_EQ(RtlStringToUnsigned("zz", 36, &Value, NULL), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Value, 35 * 36 + 35);
}

XTEST(ParseSigned) {
    LONGLONG Value = 1;
    PCSTR End = NULL;

    XTEST_CHECK_EQ(RtlStringToSigned("-9223372036854775808", 10, &Value, NULL), STATUS_SUCCESS);
    XTEST_CHECK(Value == INT64_MIN);
    XTEST_CHECK_EQ(RtlStringToSigned("-9223372036854775809", 10, &Value, NULL), STATUS_INTEGER_OVERFLOW);
    XTEST_CHECK(Value == INT64_MIN);
    XTEST_CHECK_EQ(RtlStringToSigned("9223372036854775807", 10, &Value, NULL), STATUS_SUCCESS);
    XTEST_CHECK(Value == INT64_MAX);
    XTEST_CHECK_EQ(RtlStringToSigned("+9223372036854775808", 10, &Value, NULL), STATUS_INTEGER_OVERFLOW);
    XTEST_CHECK(Value == INT64_MAX);
    XTEST_CHECK_EQ(RtlStringToSigned(" -0x10", 0, &Value, &End), STATUS_SUCCESS);
    XTEST_CHECK(Value == -16 && *End == '\0');
    XTEST_CHECK_EQ(RtlStringToSigned("-", 10, &Value, &End), STATUS_INVALID_PARAMETER);
    XTEST_CHECK(Value == 0);
}

XTEST_SUITE(RtlStringSuite, XTEST_ENTRY(Lengths), XTEST_ENTRY(InitCountedStrings), XTEST_ENTRY(CompareCountedStrings),
            XTEST_ENTRY(CompareCStrings), XTEST_ENTRY(ConvertUnicodeToAnsi), XTEST_ENTRY(ConvertAnsiToUnicode),
            XTEST_ENTRY(ConvertTerminatedStrings), XTEST_ENTRY(ParseUnsignedLimits), XTEST_ENTRY(ParseUnsignedSyntax),
            XTEST_ENTRY(ParseSigned));
