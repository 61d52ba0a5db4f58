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

/* Configuration warnings, as the loader would print them. */
static CHAR Warnings[8][BL_CONFIG_MESSAGE_MAX];
static ULONG WarningLines[8];
static ULONG WarningCount;

static VOID RecordWarning(PVOID Context, ULONG Line, PCSTR Message) {
    if (WarningCount < ARRAY_SIZE(Warnings)) {
        RtlFormatString(Warnings[WarningCount], sizeof(Warnings[0]), "%s", Message);
        WarningLines[WarningCount] = Line;
    }
    WarningCount++;
}

/* Parses Literal and loads the configuration from it, recording warnings. */
static BL_CONFIG Config;
static XTSTATUS LoadConfig(PCSTR Source) {
    XTSTATUS Status = Parse(Source, RtlStringLength(Source, sizeof(Text) - 1));
    if (!XT_SUCCESS(Status)) {
        return Status;
    }
    WarningCount = 0;
    return BlConfigLoad(&Ini, &Config, RecordWarning, NULL);
}

/* TRUE when Text contains Part. */
static BOOLEAN Contains(PCSTR Text, PCSTR Part) {
    SIZE_T Length = RtlStringLength(Part, INI_MAX_LINE);
    for (; *Text; Text++) {
        if (RtlCompareMemory(Text, Part, Length) == Length) {
            return TRUE;
        }
    }
    return FALSE;
}

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
    XTEST_ASSERT_EQ(LoadConfig(GoodIni), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Config.Timeout, 5);
    XTEST_CHECK_EQ(Config.DebugPort, 1);
    XTEST_CHECK_EQ(Config.DebugBaud, 115200);
    XTEST_CHECK(Equal(Config.Entry.KernelPath, "\\XTOS\\xtoskrnl.exe"));
    XTEST_CHECK(BlConfigHasParameter(Config.Entry.Parameters, "noxpa"));
    XTEST_CHECK(BlConfigHasParameter(Config.Entry.Parameters, "DEBUG"));
    XTEST_CHECK(!BlConfigHasParameter(Config.Entry.Parameters, "NOX"));
    XTEST_CHECK(!BlConfigHasParameter(Config.Entry.Parameters, "TESTEXIT"));
    XTEST_CHECK_EQ(WarningCount, 0);
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

#define ENTRY_A "[A]\nSystemType=XTOS\nSystemPath=\\XTOS\nKernelFile=k.exe\n"

XTEST(ConfigRejectsUnusableEntries) {
    XTEST_CHECK_EQ(LoadConfig("[XTLDR]\nTimeout=0\n"), STATUS_NOT_FOUND);
    XTEST_CHECK(Contains(Config.Error, "no usable boot entry"));
    XTEST_CHECK_EQ(LoadConfig("[XTLDR]\nDefault=Linux\n[Linux]\nSystemType=LINUX\n"), STATUS_NOT_FOUND);
    XTEST_CHECK_EQ(LoadConfig("[XTLDR]\nDefault=A\n[A]\nSystemType=XTOS\nSystemPath=\\XTOS\n"), STATUS_NOT_FOUND);
    XTEST_CHECK(Contains(Config.Error, "line 3: [A] KernelFile is missing"));
    XTEST_CHECK_EQ(LoadConfig("[XTLDR]\nDefault=A\n[A]\nSystemType=XTOS\nKernelFile=k\n"), STATUS_NOT_FOUND);
    XTEST_CHECK(Contains(Config.Error, "[A] SystemPath is missing"));
    XTEST_CHECK_EQ(LoadConfig("[XTLDR]\nDefault=A\nDebug=LPT1\n[A]\n"), STATUS_INVALID_PARAMETER);
    XTEST_CHECK(Contains(Config.Error, "Debug must be COM1..COM4"));
    XTEST_CHECK_EQ(LoadConfig("[XTLDR]\nDefault=A\nDebug=COM1,115200 junk\n" ENTRY_A), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(LoadConfig("[A]\n"), STATUS_NOT_FOUND);
    XTEST_CHECK(Contains(Config.Error, "no [XTLDR] section"));
}

/* An unusable Timeout is one warning naming the line and the value; the default applies. */
static VOID CheckTimeoutFallsBack(PXTEST_CONTEXT XtestContext, PCSTR Source, PCSTR Quoted) {
    XTEST_ASSERT_EQ(LoadConfig(Source), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Config.Timeout, BL_DEFAULT_TIMEOUT);
    XTEST_ASSERT_EQ(WarningCount, 1);
    XTEST_CHECK_EQ(WarningLines[0], 3);
    XTEST_CHECK(Contains(Warnings[0], "[XTLDR] Timeout "));
    XTEST_CHECK(Contains(Warnings[0], Quoted));
    XTEST_CHECK(Contains(Warnings[0], "is not a whole number of seconds from 0 to 3600: using the default, 0 s"));
}

XTEST(TimeoutWithTrailingTextWarnsAndKeepsTheDefault) {
    CheckTimeoutFallsBack(XtestContext, "[XTLDR]\nDefault=A\nTimeout=5x\n" ENTRY_A, "\"5x\"");
    CheckTimeoutFallsBack(XtestContext, "[XTLDR]\nDefault=A\nTimeout=5 s\n" ENTRY_A, "\"5 s\"");
    CheckTimeoutFallsBack(XtestContext, "[XTLDR]\nDefault=A\nTimeout=1.5\n" ENTRY_A, "\"1.5\"");
}

XTEST(TimeoutInAnotherBaseWarnsAndKeepsTheDefault) {
    CheckTimeoutFallsBack(XtestContext, "[XTLDR]\nDefault=A\nTimeout=0x10\n" ENTRY_A, "\"0x10\"");
    CheckTimeoutFallsBack(XtestContext, "[XTLDR]\nDefault=A\nTimeout=0b1\n" ENTRY_A, "\"0b1\"");
}

XTEST(TimeoutEmptySignedOrOutOfRangeWarns) {
    CheckTimeoutFallsBack(XtestContext, "[XTLDR]\nDefault=A\nTimeout=\n" ENTRY_A, "\"\"");
    CheckTimeoutFallsBack(XtestContext, "[XTLDR]\nDefault=A\nTimeout=-1\n" ENTRY_A, "\"-1\"");
    CheckTimeoutFallsBack(XtestContext, "[XTLDR]\nDefault=A\nTimeout=+5\n" ENTRY_A, "\"+5\"");
    CheckTimeoutFallsBack(XtestContext, "[XTLDR]\nDefault=A\nTimeout=soon\n" ENTRY_A, "\"soon\"");
    CheckTimeoutFallsBack(XtestContext, "[XTLDR]\nDefault=A\nTimeout=3601\n" ENTRY_A, "\"3601\"");
    CheckTimeoutFallsBack(XtestContext, "[XTLDR]\nDefault=A\nTimeout=99999999999\n" ENTRY_A, "\"99999999999\"");
    CheckTimeoutFallsBack(XtestContext, "[XTLDR]\nDefault=A\nTimeout=99999999999999999999999\n" ENTRY_A,
                          "\"99999999999999999999999\"");
    /* A very long value is cut in the message, which stays within its buffer. */
    CheckTimeoutFallsBack(XtestContext,
                          "[XTLDR]\nDefault=A\nTimeout=1234567890123456789012345678901234567890123456789\n" ENTRY_A,
                          "\"1234567890123456789012345678901234567890\"...");
}

XTEST(TimeoutAcceptsWholeSecondsUpToTheLimit) {
    XTEST_ASSERT_EQ(LoadConfig("[XTLDR]\nDefault=A\nTimeout=3600\n" ENTRY_A), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Config.Timeout, 3600);
    XTEST_CHECK_EQ(WarningCount, 0);
    XTEST_ASSERT_EQ(LoadConfig("[XTLDR]\nDefault=A\nTimeout= 010 \n" ENTRY_A), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Config.Timeout, 10);
    XTEST_CHECK_EQ(WarningCount, 0);
    XTEST_ASSERT_EQ(LoadConfig("[XTLDR]\nDefault=A\n" ENTRY_A), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Config.Timeout, BL_DEFAULT_TIMEOUT);
    XTEST_CHECK_EQ(WarningCount, 0);
}

/* A KernelFile that names no file makes its entry unusable: an error naming the line when no entry is left. */
static VOID CheckKernelFileRejected(PXTEST_CONTEXT XtestContext, PCSTR KernelFile, PCSTR Reason) {
    static CHAR Source[512];
    RtlFormatString(Source, sizeof(Source),
                    "[XTLDR]\nDefault=A\n[A]\nSystemType=XTOS\nSystemPath=\\XTOS\nKernelFile=%s\n", KernelFile);
    XTEST_ASSERT_EQ(LoadConfig(Source), STATUS_NOT_FOUND);
    XTEST_CHECK(Contains(Config.Error, "no usable boot entry: line 6: [A] KernelFile"));
    XTEST_CHECK(Contains(Config.Error, Reason));
}

XTEST(KernelFileNamingNoFileIsAnError) {
    CheckKernelFileRejected(XtestContext, "/", "\"/\" names no file: it ends in a path separator");
    CheckKernelFileRejected(XtestContext, "\\", "names no file: it ends in a path separator");
    CheckKernelFileRejected(XtestContext, "//", "names no file: it ends in a path separator");
    CheckKernelFileRejected(XtestContext, "xtoskrnl.exe/",
                            "\"xtoskrnl.exe/\" names no file: it ends in a path separator");
    CheckKernelFileRejected(XtestContext, "boot\\", "names no file: it ends in a path separator");
    CheckKernelFileRejected(XtestContext, ".", "names no file: it ends in \".\"");
    CheckKernelFileRejected(XtestContext, "boot/..", "names no file: it ends in \"..\"");
    CheckKernelFileRejected(XtestContext, "", "KernelFile is empty");
    CheckKernelFileRejected(XtestContext, "\"\"", "KernelFile is empty");
    CheckKernelFileRejected(XtestContext, "k*.exe", "holds '*', which no file name may hold");
    CheckKernelFileRejected(XtestContext, "c:k.exe", "holds ':'");
}

XTEST(KernelFileInADirectoryOrWithDotsIsAccepted) {
    XTEST_ASSERT_EQ(LoadConfig("[XTLDR]\nDefault=A\n[A]\nSystemType=XTOS\nSystemPath=/XTOS\nKernelFile=boot/.k.exe\n"),
                    STATUS_SUCCESS);
    XTEST_CHECK(Equal(Config.Entry.KernelPath, "\\XTOS\\boot\\.k.exe"));
    XTEST_CHECK_EQ(WarningCount, 0);
}

XTEST(BrokenEntryIsSkippedWithAWarningWhenAnotherBoots) {
    XTEST_ASSERT_EQ(LoadConfig("[XTLDR]\nDefault=A\nTimeout=5x\n[A]\nSystemType=XTOS\nSystemPath=\\XTOS\nKernelFile=/\n"
                               "[B]\nSystemType=XTOS\nSystemPath=\\XTOS\nKernelFile=k.exe\n[C]\nSystemType=Linux\n"),
                    STATUS_SUCCESS);
    XTEST_CHECK_EQ(Config.EntryCount, 1);
    XTEST_CHECK(Equal(Config.Entry.Name, "B"));
    XTEST_ASSERT_EQ(WarningCount, 3);
    XTEST_CHECK_EQ(WarningLines[0], 3);
    XTEST_CHECK(Contains(Warnings[0], "Timeout \"5x\""));
    XTEST_CHECK_EQ(WarningLines[1], 7);
    XTEST_CHECK(Contains(Warnings[1], "[A] KernelFile \"/\" names no file"));
    XTEST_CHECK(Contains(Warnings[1], ": entry skipped"));
    XTEST_CHECK_EQ(WarningLines[2], 0);
    XTEST_CHECK(Contains(Warnings[2], "the Default entry is missing or unusable: booting the first usable entry, [B]"));
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
    XTEST_ASSERT_EQ(LoadConfig("[XTLDR]\nDefault=A\n[A]\nSystemType=xtos\nSystemPath=/XTOS/\nKernelFile=/k.exe\n"),
                    STATUS_SUCCESS);
    XTEST_CHECK(Equal(Config.Entry.KernelPath, "\\XTOS\\k.exe"));
    XTEST_CHECK(Equal(Config.Entry.Parameters, ""));
}

XTEST(MissingDefaultFallsBackWithWarning) {
    static const CHAR Two[] = "[XTLDR]\nDefault=Gone\n[Bad]\nSystemType=XTOS\n"
                              "[One]\nSystemType=XTOS\nSystemPath=\\A\nKernelFile=k.exe\nParameters=P1\n"
                              "[Two]\nSystemType=XTOS\nSystemPath=\\B\nKernelFile=k.exe\n";
    XTEST_ASSERT_EQ(LoadConfig(Two), STATUS_SUCCESS);
    XTEST_ASSERT_EQ(WarningCount, 2);
    XTEST_CHECK(Contains(Warnings[0], "[Bad] SystemPath is missing: entry skipped"));
    XTEST_CHECK_EQ(WarningLines[0], 3);
    XTEST_CHECK(Contains(Warnings[1], "the Default entry is missing or unusable"));
    XTEST_CHECK_EQ(Config.EntryCount, 2);
    XTEST_CHECK_EQ(Config.DefaultEntry, 0);
    XTEST_CHECK(Equal(Config.Entry.Name, "One"));
    XTEST_CHECK(Equal(Config.Entries[1].KernelPath, "\\B\\k.exe"));
    XTEST_ASSERT_EQ(LoadConfig("[XTLDR]\nDefault=two\n[One]\nSystemType=XTOS\nSystemPath=A\nKernelFile=k\n"
                               "[Two]\nSystemType=XTOS\nSystemPath=B\nKernelFile=k\n"),
                    STATUS_SUCCESS);
    XTEST_CHECK_EQ(WarningCount, 0);
    XTEST_CHECK_EQ(Config.DefaultEntry, 1);
    XTEST_CHECK(Equal(Config.Entry.KernelPath, "\\B\\k"));
    XTEST_ASSERT_EQ(LoadConfig("[XTLDR]\n[One]\nSystemType=XTOS\nSystemPath=A\nKernelFile=k\n"), STATUS_SUCCESS);
    XTEST_ASSERT_EQ(WarningCount, 1);
    XTEST_CHECK(Contains(Warnings[0], "[XTLDR] has no Default: booting the first usable entry, [One]"));
}

XTEST_SUITE(BlIniSuite, XTEST_ENTRY(MissingDefaultFallsBackWithWarning), XTEST_ENTRY(ParsesWellFormedFile),
            XTEST_ENTRY(LoadsDefaultEntry), XTEST_ENTRY(UnterminatedSectionIsReportedAndItsKeysIgnored),
            XTEST_ENTRY(OverlongLineIsReported), XTEST_ENTRY(MissingEqualsAndEmptyKeyAreReported),
            XTEST_ENTRY(DuplicateKeyLastWins), XTEST_ENTRY(DuplicateSectionIsMerged),
            XTEST_ENTRY(NonAsciiAndControlBytesAreRejected), XTEST_ENTRY(KeyBeforeAnySectionIsReported),
            XTEST_ENTRY(EmptyOrGarbageFileFails), XTEST_ENTRY(TooManySectionsFails),
            XTEST_ENTRY(ConfigRejectsUnusableEntries), XTEST_ENTRY(DebugPortParsing),
            XTEST_ENTRY(KernelPathJoinsAndNormalises), XTEST_ENTRY(TimeoutWithTrailingTextWarnsAndKeepsTheDefault),
            XTEST_ENTRY(TimeoutInAnotherBaseWarnsAndKeepsTheDefault), XTEST_ENTRY(TimeoutEmptySignedOrOutOfRangeWarns),
            XTEST_ENTRY(TimeoutAcceptsWholeSecondsUpToTheLimit), XTEST_ENTRY(KernelFileNamingNoFileIsAnError),
            XTEST_ENTRY(KernelFileInADirectoryOrWithDotsIsAccepted),
            XTEST_ENTRY(BrokenEntryIsSkippedWithAWarningWhenAnotherBoots));

XTEST_HOST_MAIN(&BlIniSuite)
