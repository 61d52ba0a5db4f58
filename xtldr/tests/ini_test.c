/* Tests of the INI parser and the boot configuration, including malformed input. */
#include <rtl.h>
#include <xtest.h>

#include "../config.h"

static CHAR Text[8192];
static INI_FILE Ini;
static ULONG DiagnosticLines[16];
static ULONG DiagnosticCount;

static VOID RecordDiagnostic(PVOID Context, ULONG Line, PCSTR Message) {
    if (DiagnosticCount < ARRAY_SIZE(DiagnosticLines)) {
        DiagnosticLines[DiagnosticCount] = Line;
    }
    DiagnosticCount++;
}

/* Parses Source (Length bytes) from a private copy with the spare byte BlIniParse needs. */
static XTSTATUS Parse(PCSTR Source, SIZE_T Length) {
    DiagnosticCount = 0;
    RtlCopyMemory(Text, Source, Length);
    Text[Length] = 'X';
    return BlIniParse(Text, Length, &Ini, RecordDiagnostic, NULL);
}

#define PARSE(Literal) Parse(Literal, sizeof(Literal) - 1)

static BOOLEAN Equal(PCSTR Value, PCSTR Expected) {
    return Value && RtlCompareCString(Value, Expected, INI_MAX_LINE, FALSE) == 0;
}

static const CHAR GoodIni[] = "; XTLDR configuration\r\n"
                              "[XTLDR]\r\n"
                              "Default=XTOS\r\n"
                              "Timeout = 5\r\n"
                              "Debug=COM1,115200\r\n"
                              "\r\n"
                              "# boot entries\r\n"
                              "[XTOS]\r\n"
                              "SystemName=\"XTOS Operating System\"\r\n"
                              "SystemType=XTOS\r\n"
                              "SystemPath=multi(0)disk(0)rdisk(0)partition(1)/XTOS\r\n"
                              "KernelFile=xtoskrnl.exe\r\n"
                              "Parameters=DEBUG=COM1,115200 NOXPA";

XTEST(ParsesWellFormedFile) {
    XTEST_ASSERT_EQ(PARSE(GoodIni), STATUS_SUCCESS);
    XTEST_CHECK_EQ(DiagnosticCount, 0);
    XTEST_CHECK_EQ(Ini.SectionCount, 2);
    XTEST_CHECK_EQ(Ini.EntryCount, 8);
    XTEST_CHECK(Equal(BlIniGetValue(&Ini, "xtldr", "DEFAULT"), "XTOS"));
    XTEST_CHECK(Equal(BlIniGetValue(&Ini, "XTLDR", "Timeout"), "5"));
    XTEST_CHECK(Equal(BlIniGetValue(&Ini, "XTOS", "SystemName"), "XTOS Operating System"));
    XTEST_CHECK(Equal(BlIniGetValue(&Ini, "XTOS", "Parameters"), "DEBUG=COM1,115200 NOXPA"));
    XTEST_CHECK(BlIniGetValue(&Ini, "XTOS", "Missing") == NULL);
    XTEST_CHECK(BlIniGetValue(&Ini, "Nope", "Default") == NULL);
}

XTEST(LoadsDefaultEntry) {
    static BL_CONFIG Config;
    PCSTR Error = NULL, Warning = NULL;
    XTEST_ASSERT_EQ(PARSE(GoodIni), STATUS_SUCCESS);
    XTEST_ASSERT_EQ(BlConfigLoad(&Ini, &Config, &Error, &Warning), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Config.Timeout, 5);
    XTEST_CHECK_EQ(Config.DebugPort, 1);
    XTEST_CHECK_EQ(Config.DebugBaud, 115200);
    XTEST_CHECK(Equal(Config.Entry.KernelPath, "\\XTOS\\xtoskrnl.exe"));
    XTEST_CHECK(BlConfigHasParameter(Config.Entry.Parameters, "noxpa"));
    XTEST_CHECK(BlConfigHasParameter(Config.Entry.Parameters, "DEBUG"));
    XTEST_CHECK(!BlConfigHasParameter(Config.Entry.Parameters, "NOX"));
    XTEST_CHECK(!BlConfigHasParameter(Config.Entry.Parameters, "TESTEXIT"));
    XTEST_CHECK(Warning == NULL);
    XTEST_CHECK_EQ(Config.EntryCount, 1);
}

XTEST(UnterminatedSectionIsReportedAndItsKeysIgnored) {
    XTEST_ASSERT_EQ(PARSE("[XTLDR]\nDefault=A\n[A\nSystemType=XTOS\n"), STATUS_SUCCESS);
    XTEST_CHECK_EQ(DiagnosticCount, 2);
    XTEST_CHECK_EQ(DiagnosticLines[0], 3);
    XTEST_CHECK_EQ(DiagnosticLines[1], 4);
    XTEST_CHECK_EQ(Ini.SectionCount, 1);
    XTEST_CHECK_EQ(Ini.EntryCount, 1);
}

XTEST(OverlongLineIsReported) {
    static CHAR Long[INI_MAX_LINE + 64];
    SIZE_T Length = 0;
    RtlCopyMemory(Long, "[XTLDR]\nKey=", 12);
    Length = 12;
    while (Length < INI_MAX_LINE + 20) {
        Long[Length++] = 'v';
    }
    Long[Length++] = '\n';
    RtlCopyMemory(Long + Length, "Next=1\n", 7);
    Length += 7;
    XTEST_ASSERT_EQ(Parse(Long, Length), STATUS_SUCCESS);
    XTEST_CHECK_EQ(DiagnosticCount, 1);
    XTEST_CHECK_EQ(DiagnosticLines[0], 2);
    XTEST_CHECK(BlIniGetValue(&Ini, "XTLDR", "Key") == NULL);
    XTEST_CHECK(Equal(BlIniGetValue(&Ini, "XTLDR", "Next"), "1"));
}

XTEST(MissingEqualsAndEmptyKeyAreReported) {
    XTEST_ASSERT_EQ(PARSE("[XTLDR]\nDefault XTOS\n=value\nGood=yes\n"), STATUS_SUCCESS);
    XTEST_CHECK_EQ(DiagnosticCount, 2);
    XTEST_CHECK_EQ(DiagnosticLines[0], 2);
    XTEST_CHECK_EQ(DiagnosticLines[1], 3);
    XTEST_CHECK_EQ(Ini.EntryCount, 1);
}

XTEST(DuplicateKeyLastWins) {
    XTEST_ASSERT_EQ(PARSE("[XTLDR]\nTimeout=1\ntimeout=2\n"), STATUS_SUCCESS);
    XTEST_CHECK_EQ(DiagnosticCount, 1);
    XTEST_CHECK_EQ(DiagnosticLines[0], 3);
    XTEST_CHECK(Equal(BlIniGetValue(&Ini, "XTLDR", "TIMEOUT"), "2"));
    XTEST_CHECK_EQ(Ini.EntryCount, 1);
}

XTEST(DuplicateSectionIsMerged) {
    XTEST_ASSERT_EQ(PARSE("[A]\nX=1\n[B]\n[a]\nY=2\n"), STATUS_SUCCESS);
    XTEST_CHECK_EQ(DiagnosticCount, 1);
    XTEST_CHECK_EQ(Ini.SectionCount, 2);
    XTEST_CHECK(Equal(BlIniGetValue(&Ini, "A", "Y"), "2"));
}

XTEST(NonAsciiAndControlBytesAreRejected) {
    XTEST_ASSERT_EQ(PARSE("[XTLDR]\nName=Caf\xc3\xa9\nNul=a\0b\nOk=1\n"), STATUS_SUCCESS);
    XTEST_CHECK_EQ(DiagnosticCount, 2);
    XTEST_CHECK_EQ(DiagnosticLines[0], 2);
    XTEST_CHECK_EQ(DiagnosticLines[1], 3);
    XTEST_CHECK(BlIniGetValue(&Ini, "XTLDR", "Name") == NULL);
    XTEST_CHECK(Equal(BlIniGetValue(&Ini, "XTLDR", "Ok"), "1"));
}

XTEST(KeyBeforeAnySectionIsReported) {
    XTEST_ASSERT_EQ(PARSE("Orphan=1\n[XTLDR]\n"), STATUS_SUCCESS);
    XTEST_CHECK_EQ(DiagnosticCount, 1);
    XTEST_CHECK_EQ(Ini.EntryCount, 0);
}

XTEST(EmptyOrGarbageFileFails) {
    XTEST_CHECK_EQ(Parse("", 0), STATUS_INVALID_PARAMETER);
    /* Found by fuzzing (testing/fuzz/corpus/ini/crash-null-text): no pointer arithmetic on a NULL text. */
    XTEST_CHECK_EQ(BlIniParse(NULL, 0, &Ini, RecordDiagnostic, NULL), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(BlIniParse(NULL, 16, &Ini, RecordDiagnostic, NULL), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(Ini.SectionCount, 0);
    XTEST_CHECK_EQ(PARSE("\x7f\x45\x4c\x46\x02\x01"), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(PARSE("; only a comment\n"), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(PARSE("\xEF\xBB\xBF[XTLDR]\n"), STATUS_SUCCESS);
}

XTEST(TooManySectionsFails) {
    static CHAR Many[INI_MAX_SECTIONS * 8 + 16];
    SIZE_T Length = 0;
    for (ULONG Index = 0; Index <= INI_MAX_SECTIONS; Index++) {
        Length += RtlFormatString(Many + Length, sizeof(Many) - Length, "[S%u]\n", Index);
    }
    XTEST_CHECK_EQ(Parse(Many, Length), STATUS_INSUFFICIENT_RESOURCES);
}

XTEST(ConfigRejectsUnusableEntries) {
    static BL_CONFIG Config;
    PCSTR Error = NULL, Warning = NULL;
    XTEST_ASSERT_EQ(PARSE("[XTLDR]\nTimeout=0\n"), STATUS_SUCCESS);
    XTEST_CHECK_EQ(BlConfigLoad(&Ini, &Config, &Error, &Warning), STATUS_NOT_FOUND);
    XTEST_ASSERT_EQ(PARSE("[XTLDR]\nDefault=Linux\n[Linux]\nSystemType=LINUX\n"), STATUS_SUCCESS);
    XTEST_CHECK_EQ(BlConfigLoad(&Ini, &Config, &Error, &Warning), STATUS_NOT_FOUND);
    XTEST_ASSERT_EQ(PARSE("[XTLDR]\nDefault=A\n[A]\nSystemType=XTOS\nSystemPath=\\XTOS\n"), STATUS_SUCCESS);
    XTEST_CHECK_EQ(BlConfigLoad(&Ini, &Config, &Error, &Warning), STATUS_NOT_FOUND);
    XTEST_ASSERT_EQ(PARSE("[XTLDR]\nDefault=A\nTimeout=soon\n[A]\n"), STATUS_SUCCESS);
    XTEST_CHECK_EQ(BlConfigLoad(&Ini, &Config, &Error, &Warning), STATUS_INVALID_PARAMETER);
    XTEST_ASSERT_EQ(PARSE("[XTLDR]\nDefault=A\nDebug=LPT1\n[A]\n"), STATUS_SUCCESS);
    XTEST_CHECK_EQ(BlConfigLoad(&Ini, &Config, &Error, &Warning), STATUS_INVALID_PARAMETER);
    XTEST_CHECK(Error != NULL);
}

XTEST(DebugPortParsing) {
    USHORT Port = 0;
    ULONG Baud = 0;
    XTEST_CHECK_EQ(BlConfigParseDebugPort("COM2", &Port, &Baud), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Port, 2);
    XTEST_CHECK_EQ(Baud, 115200);
    XTEST_CHECK_EQ(BlConfigParseDebugPort("com1,9600", &Port, &Baud), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Baud, 9600);
    XTEST_CHECK_EQ(BlConfigParseDebugPort("COM5", &Port, &Baud), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(BlConfigParseDebugPort("COM1,7", &Port, &Baud), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(BlConfigParseDebugPort("COM1,99999999999999999999999", &Port, &Baud), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(BlConfigParseDebugPort("COM1x", &Port, &Baud), STATUS_INVALID_PARAMETER);
}

XTEST(KernelPathJoinsAndNormalises) {
    static BL_CONFIG Config;
    PCSTR Error, Warning;
    XTEST_ASSERT_EQ(PARSE("[XTLDR]\nDefault=A\n[A]\nSystemType=xtos\nSystemPath=/XTOS/\nKernelFile=/k.exe\n"),
                    STATUS_SUCCESS);
    XTEST_ASSERT_EQ(BlConfigLoad(&Ini, &Config, &Error, &Warning), STATUS_SUCCESS);
    XTEST_CHECK(Equal(Config.Entry.KernelPath, "\\XTOS\\k.exe"));
    XTEST_CHECK(Equal(Config.Entry.Parameters, ""));
}

XTEST(MissingDefaultFallsBackWithWarning) {
    static BL_CONFIG Config;
    PCSTR Error = NULL, Warning = NULL;
    static const CHAR Two[] = "[XTLDR]\nDefault=Gone\n[Bad]\nSystemType=XTOS\n"
                              "[One]\nSystemType=XTOS\nSystemPath=\\A\nKernelFile=k.exe\nParameters=P1\n"
                              "[Two]\nSystemType=XTOS\nSystemPath=\\B\nKernelFile=k.exe\n";
    XTEST_ASSERT_EQ(PARSE(Two), STATUS_SUCCESS);
    XTEST_ASSERT_EQ(BlConfigLoad(&Ini, &Config, &Error, &Warning), STATUS_SUCCESS);
    XTEST_CHECK(Warning != NULL);
    XTEST_CHECK_EQ(Config.EntryCount, 2);
    XTEST_CHECK_EQ(Config.DefaultEntry, 0);
    XTEST_CHECK(Equal(Config.Entry.Name, "One"));
    XTEST_CHECK(Equal(Config.Entries[1].KernelPath, "\\B\\k.exe"));
    XTEST_ASSERT_EQ(PARSE("[XTLDR]\nDefault=two\n[One]\nSystemType=XTOS\nSystemPath=A\nKernelFile=k\n"
                          "[Two]\nSystemType=XTOS\nSystemPath=B\nKernelFile=k\n"),
                    STATUS_SUCCESS);
    XTEST_ASSERT_EQ(BlConfigLoad(&Ini, &Config, &Error, &Warning), STATUS_SUCCESS);
    XTEST_CHECK(Warning == NULL);
    XTEST_CHECK_EQ(Config.DefaultEntry, 1);
    XTEST_CHECK(Equal(Config.Entry.KernelPath, "\\B\\k"));
}

XTEST_SUITE(BlIniSuite, XTEST_ENTRY(MissingDefaultFallsBackWithWarning), XTEST_ENTRY(ParsesWellFormedFile),
            XTEST_ENTRY(LoadsDefaultEntry), XTEST_ENTRY(UnterminatedSectionIsReportedAndItsKeysIgnored),
            XTEST_ENTRY(OverlongLineIsReported), XTEST_ENTRY(MissingEqualsAndEmptyKeyAreReported),
            XTEST_ENTRY(DuplicateKeyLastWins), XTEST_ENTRY(DuplicateSectionIsMerged),
            XTEST_ENTRY(NonAsciiAndControlBytesAreRejected), XTEST_ENTRY(KeyBeforeAnySectionIsReported),
            XTEST_ENTRY(EmptyOrGarbageFileFails), XTEST_ENTRY(TooManySectionsFails),
            XTEST_ENTRY(ConfigRejectsUnusableEntries), XTEST_ENTRY(DebugPortParsing),
            XTEST_ENTRY(KernelPathJoinsAndNormalises));

XTEST_HOST_MAIN(&BlIniSuite)
