/* ObNameSuite (host): path validation with NT's status codes, component iteration, case-blind bucket hashing and
 * reparse paths of symbolic links. */
#include <obname.h>
#include <xtest.h>

/* A counted string over a u"" literal (without its terminator). */
static UNICODE_STRING Name(PCWSTR Text) {
    UNICODE_STRING String;

    RtlInitUnicodeString(&String, Text);
    return String;
}

XTEST(ValidPathsPass) {
    static const PCWSTR Valid[] = {
        u"\\", u"\\a", u"\\BaseNamedObjects", u"\\ObjectTypes\\Event", u"\\a\\b\\c\\d", u"\\with space\\x.y"};

    for (ULONG Index = 0; Index < ARRAY_SIZE(Valid); Index++) {
        UNICODE_STRING Path = Name(Valid[Index]);
        XTEST_CHECK_EQ(ObpValidateObjectPath(&Path), STATUS_SUCCESS);
    }
}

XTEST(BadPathsGetNtStatusCodes) {
    static const struct {
        PCWSTR Text;
        XTSTATUS Status;
    } Cases[] = {
        {u"", STATUS_OBJECT_PATH_SYNTAX_BAD},      {u"a", STATUS_OBJECT_PATH_SYNTAX_BAD},
        {u"a\\b", STATUS_OBJECT_PATH_SYNTAX_BAD},  {u"\\\\", STATUS_OBJECT_NAME_INVALID},
        {u"\\a\\\\b", STATUS_OBJECT_NAME_INVALID}, {u"\\a\\", STATUS_OBJECT_NAME_INVALID},
        {u"\\a\\b\\", STATUS_OBJECT_NAME_INVALID},
    };
    UNICODE_STRING Path;
    WCHAR WithNul[] = {u'\\', u'a', 0, u'b'};

    for (ULONG Index = 0; Index < ARRAY_SIZE(Cases); Index++) {
        Path = Name(Cases[Index].Text);
        XTEST_CHECK_EQ(ObpValidateObjectPath(&Path), Cases[Index].Status);
    }
    Path = (UNICODE_STRING){sizeof(WithNul), sizeof(WithNul), WithNul};
    XTEST_CHECK_EQ(ObpValidateObjectPath(&Path), STATUS_OBJECT_NAME_INVALID);
    Path = (UNICODE_STRING){3, 4, WithNul}; /* odd length */
    XTEST_CHECK_EQ(ObpValidateObjectPath(&Path), STATUS_OBJECT_NAME_INVALID);
    Path = (UNICODE_STRING){4, 2, WithNul}; /* longer than its buffer */
    XTEST_CHECK_EQ(ObpValidateObjectPath(&Path), STATUS_OBJECT_NAME_INVALID);
    Path = (UNICODE_STRING){2, 2, NULL};
    XTEST_CHECK_EQ(ObpValidateObjectPath(&Path), STATUS_OBJECT_NAME_INVALID);
    XTEST_CHECK_EQ(ObpValidateObjectPath(NULL), STATUS_OBJECT_NAME_INVALID);
}

XTEST(ComponentsComeOneByOne) {
    UNICODE_STRING Remaining = Name(u"\\ObjectTypes\\Event\\x"), Component, Expected;
    static const PCWSTR Parts[] = {u"ObjectTypes", u"Event", u"x"};

    for (ULONG Index = 0; Index < ARRAY_SIZE(Parts); Index++) {
        XTEST_CHECK(ObpGetNextComponent(&Remaining, &Component));
        Expected = Name(Parts[Index]);
        XTEST_CHECK(RtlEqualUnicodeString(&Component, &Expected, FALSE));
        XTEST_CHECK(Remaining.Length == 0 || Remaining.Buffer[0] == OBJ_NAME_PATH_SEPARATOR);
    }
    XTEST_CHECK_EQ(Remaining.Length, 0);
    XTEST_CHECK(!ObpGetNextComponent(&Remaining, &Component));
    Remaining = Name(u"\\");
    XTEST_CHECK(!ObpGetNextComponent(&Remaining, &Component)); /* the root has none */
}

XTEST(HashIgnoresCase) {
    UNICODE_STRING Upper = Name(u"BASENAMEDOBJECTS"), Mixed = Name(u"BaseNamedObjects"), Other = Name(u"KernelObjects");
    ULONG Used = 0;

    XTEST_CHECK_EQ(ObpHashComponent(&Upper), ObpHashComponent(&Mixed));
    XTEST_CHECK(ObpHashComponent(&Other) < OBP_DIRECTORY_BUCKETS);
    for (WCHAR Letter = u'a'; Letter <= u'z'; Letter++) { /* one-letter names spread over the buckets */
        UNICODE_STRING One = {sizeof(WCHAR), sizeof(WCHAR), &Letter};
        Used |= 1u << (ObpHashComponent(&One) % 32);
    }
    XTEST_CHECK(__builtin_popcount(Used) >= 20);
}

XTEST(ReparsePathJoinsTargetAndRest) {
    UNICODE_STRING Target = Name(u"\\BaseNamedObjects"), Rest = Name(u"\\Event1"), Result, Expected;
    WCHAR Buffer[64];
    static WCHAR Huge[0x8000];
    UNICODE_STRING Long = {0xFFFC, 0xFFFC, Huge};

    XTEST_CHECK_EQ(ObpBuildReparsePath(&Target, &Rest, Buffer, sizeof(Buffer), &Result), STATUS_SUCCESS);
    Expected = Name(u"\\BaseNamedObjects\\Event1");
    XTEST_CHECK(RtlEqualUnicodeString(&Result, &Expected, FALSE));
    XTEST_CHECK_EQ(ObpValidateObjectPath(&Result), STATUS_SUCCESS);
    XTEST_CHECK_EQ(ObpBuildReparsePath(&Target, &Rest, Buffer, 10, &Result), STATUS_BUFFER_TOO_SMALL);
    XTEST_CHECK_EQ(ObpBuildReparsePath(&Long, &Rest, Huge, sizeof(Huge), &Result), STATUS_NAME_TOO_LONG);
}

XTEST_SUITE(ObNameSuite, XTEST_ENTRY(ValidPathsPass), XTEST_ENTRY(BadPathsGetNtStatusCodes),
            XTEST_ENTRY(ComponentsComeOneByOne), XTEST_ENTRY(HashIgnoresCase),
            XTEST_ENTRY(ReparsePathJoinsTargetAndRest));

XTEST_HOST_MAIN(&ObNameSuite)
