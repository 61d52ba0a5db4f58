/* KeParseParameters: flags, DEBUG forms, TESTFAULT values, unknown and malformed tokens. */
#include <rtl.h>

#include <params.h>
#include <tests/kernel_suites.h>

/* Parses a NUL-terminated string. */
static VOID Parse(PCSTR Text, PKE_PARAMETERS Parameters) {
    KeParseParameters(Text, RtlStringLength(Text, 4096), Parameters);
}

XTEST(EmptyStringSetsNothing) {
    KE_PARAMETERS P;
    Parse("", &P);
    XTEST_CHECK(!P.DebugEnabled && !P.NoXpa && !P.SelfTest && !P.TestExit && !P.Shutdown && !P.NoX2Apic &&
                !P.TestStorm);
    XTEST_CHECK_EQ(P.TestFault, KeTestFaultNone);
    XTEST_CHECK_EQ(P.IgnoredCount, 0);
}

XTEST(FlagsAreCaseInsensitive) {
    KE_PARAMETERS P;
    Parse("  noxpa\tSelfTest TESTEXIT shutdown testguardmapped NoX2Apic TestStorm ", &P);
    XTEST_CHECK(P.NoXpa && P.SelfTest && P.TestExit && P.Shutdown && P.TestGuardMapped && P.NoX2Apic && P.TestStorm);
    XTEST_CHECK_EQ(P.IgnoredCount, 0);
    Parse("TESTSTORM=1", &P); /* a flag takes no value */
    XTEST_CHECK(!P.TestStorm);
    XTEST_CHECK_EQ(P.IgnoredCount, 1);
}

/* Flags the loader acts on (NOKASLR, TESTPTFREE) are known to the kernel too: never reported as unknown. */
XTEST(LoaderFlagsAreKnown) {
    KE_PARAMETERS P;
    Parse("NOKASLR testptfree", &P);
    XTEST_CHECK(P.NoKaslr && P.TestPtFree);
    XTEST_CHECK_EQ(P.IgnoredCount, 0);
    Parse("NOKASLR=1", &P);
    XTEST_CHECK(!P.NoKaslr);
    XTEST_CHECK_EQ(P.IgnoredCount, 1);
    XTEST_CHECK_EQ(P.Ignored[0].Problem, KeParameterBadValue);
}

XTEST(DebugForms) {
    KE_PARAMETERS P;
    Parse("DEBUG=COM1,115200", &P);
    XTEST_CHECK(P.DebugEnabled);
    XTEST_CHECK_EQ(P.DebugPort, 1);
    XTEST_CHECK_EQ(P.DebugBaud, 115200);
    Parse("DEBUG=com2,9600", &P);
    XTEST_CHECK_EQ(P.DebugPort, 2);
    XTEST_CHECK_EQ(P.DebugBaud, 9600);
    Parse("DEBUG=COM3", &P);
    XTEST_CHECK_EQ(P.DebugPort, 3);
    XTEST_CHECK_EQ(P.DebugBaud, 115200);
    Parse("DEBUG", &P);
    XTEST_CHECK(P.DebugEnabled);
    XTEST_CHECK_EQ(P.DebugPort, 1);
    XTEST_CHECK(!P.DebugScreen);
}

/* ExectOS's syntax: DEBUG=ITEM[;ITEM]..., ITEM = COMn[,baud] | SCREEN. */
XTEST(DebugSelectsScreenAndSerial) {
    KE_PARAMETERS P;
    Parse("DEBUG=SCREEN", &P);
    XTEST_CHECK(P.DebugScreen);
    XTEST_CHECK(!P.DebugEnabled);
    XTEST_CHECK_EQ(P.DebugPort, 0);
    XTEST_CHECK_EQ(P.IgnoredCount, 0);
    Parse("DEBUG=COM1,115200;SCREEN", &P);
    XTEST_CHECK(P.DebugScreen && P.DebugEnabled);
    XTEST_CHECK_EQ(P.DebugPort, 1);
    XTEST_CHECK_EQ(P.DebugBaud, 115200);
    Parse("debug=screen;com2,9600", &P);
    XTEST_CHECK(P.DebugScreen && P.DebugEnabled);
    XTEST_CHECK_EQ(P.DebugPort, 2);
    XTEST_CHECK_EQ(P.DebugBaud, 9600);
    Parse("DEBUG=COM1,115200", &P);
    XTEST_CHECK(!P.DebugScreen && P.DebugEnabled);
    /* A later DEBUG replaces an earlier one as a whole. */
    Parse("DEBUG=COM1,115200 DEBUG=SCREEN", &P);
    XTEST_CHECK(P.DebugScreen && !P.DebugEnabled);
    Parse("DEBUG=SCREEN DEBUG=COM3", &P);
    XTEST_CHECK(!P.DebugScreen && P.DebugEnabled);
    XTEST_CHECK_EQ(P.DebugPort, 3);
    /* The screen with the test harness's capture hand-shake. */
    Parse("DEBUG=COM1,115200;SCREEN TESTSCREEN", &P);
    XTEST_CHECK(P.DebugScreen && P.TestScreen);
    XTEST_CHECK_EQ(P.IgnoredCount, 0);
}

/* No DEBUG (or only a bad one): the screen is on, serial debug output off (as before the screen existed). */
XTEST(ScreenIsTheDefaultOutput) {
    KE_PARAMETERS P;
    Parse("", &P);
    XTEST_CHECK(P.DebugScreen && !P.DebugEnabled);
    Parse("SELFTEST NOXPA", &P);
    XTEST_CHECK(P.DebugScreen && !P.DebugEnabled);
    Parse("DEBUG=COM9", &P);
    XTEST_CHECK(P.DebugScreen && !P.DebugEnabled);
    XTEST_CHECK_EQ(P.IgnoredCount, 1);
}

XTEST(BadDebugValuesAreIgnored) {
    static const PCSTR Bad[] = {"DEBUG=COM5",
                                "DEBUG=COM0",
                                "DEBUG=LPT1",
                                "DEBUG=COM1,7",
                                "DEBUG=COM1,",
                                "DEBUG=COM1,abc",
                                "DEBUG=",
                                "DEBUG=COM12,9600",
                                "DEBUG=COM1,1152000000",
                                "DEBUG=SCREEN;",
                                "DEBUG=;SCREEN",
                                "DEBUG=SCREEN;COM5",
                                "DEBUG=SCREENS",
                                "DEBUG=COM1,115200;;SCREEN",
                                "DEBUG=SCREEN,COM1"};
    for (ULONG Index = 0; Index < ARRAY_SIZE(Bad); Index++) {
        KE_PARAMETERS P;
        Parse(Bad[Index], &P);
        XTEST_CHECK(!P.DebugEnabled);
        XTEST_CHECK_EQ(P.IgnoredCount, 1);
        XTEST_CHECK_EQ(P.Ignored[0].Problem, KeParameterBadValue);
    }
}

XTEST(TestFaultValues) {
    static const struct {
        PCSTR Text;
        ULONG Fault;
    } Cases[] = {{"TESTFAULT=PAGE", KeTestFaultPage},
                 {"TESTFAULT=gp", KeTestFaultGp},
                 {"TESTFAULT=STACK", KeTestFaultStack},
                 {"TESTFAULT=Double", KeTestFaultDouble},
                 {"TESTFAULT=waitnmi", KeTestFaultWaitNmi},
                 {"TESTFAULT=WAITMCE", KeTestFaultWaitMce},
                 {"TESTFAULT=Reset", KeTestFaultReset},
                 {"TESTFAULT=ubsan", KeTestFaultUbsan},
                 {"TESTFAULT=RunLevelRaise", KeTestFaultRunLevelRaise},
                 {"TESTFAULT=RUNLEVELLOWER", KeTestFaultRunLevelLower},
                 {"TESTFAULT=POOLIRQL", KeTestFaultPoolRunLevel},
                 {"TESTFAULT=DPCLEVEL", KeTestFaultDpcRunLevel},
                 {"TESTFAULT=apstop", KeTestFaultProcessorStop},
                 {"TESTFAULT=SPINLOCKOWNED", KeTestFaultSpinLockOwned},
                 {"TESTFAULT=SpaceShootdown", KeTestFaultSpaceShootdown},
                 {"TESTFAULT=SpinLockNotOwned", KeTestFaultSpinLockNotOwned},
                 {"TESTFAULT=WaitDispatch", KeTestFaultWaitDispatch},
                 {"TESTFAULT=threadstack", KeTestFaultThreadStack}};
    for (ULONG Index = 0; Index < ARRAY_SIZE(Cases); Index++) {
        KE_PARAMETERS P;
        Parse(Cases[Index].Text, &P);
        XTEST_CHECK_EQ(P.TestFault, Cases[Index].Fault);
        XTEST_CHECK_EQ(P.IgnoredCount, 0);
    }
    KE_PARAMETERS P;
    Parse("TESTFAULT=NONE TESTFAULT=PAGES TESTFAULT", &P);
    XTEST_CHECK_EQ(P.TestFault, KeTestFaultNone);
    XTEST_CHECK_EQ(P.IgnoredCount, 3);
    XTEST_CHECK(RtlCompareCString(KeTestFaultName(KeTestFaultStack), "STACK", 8, FALSE) == 0);
    XTEST_CHECK(RtlCompareCString(KeTestFaultName(KeTestFaultReset), "RESET", 8, FALSE) == 0);
    XTEST_CHECK(RtlCompareCString(KeTestFaultName(KeTestFaultUbsan), "UBSAN", 8, FALSE) == 0);
}

/* TIMER=LAPIC|HPET|PM|PIT (any case) picks the calibration reference and/or the clock interrupt's source; the last
 * one wins; anything else is a bad value. */
XTEST(TimerValues) {
    KE_PARAMETERS P;
    Parse("", &P);
    XTEST_CHECK_EQ(P.Timer, KeTimerAuto);
    Parse("TIMER=HPET", &P);
    XTEST_CHECK_EQ(P.Timer, KeTimerHpet);
    Parse("timer=pm", &P);
    XTEST_CHECK_EQ(P.Timer, KeTimerPm);
    Parse("TIMER=HPET TIMER=Pit", &P);
    XTEST_CHECK_EQ(P.Timer, KeTimerPit);
    Parse("TIMER=PIT TIMER=lapic", &P);
    XTEST_CHECK_EQ(P.Timer, KeTimerLapic);
    XTEST_CHECK_EQ(P.IgnoredCount, 0);
    static const PCSTR Bad[] = {"TIMER", "TIMER=", "TIMER=TSC", "TIMER=HPETX", "TIMER=P", "TIMER=APIC", "TIMER=LAPICX"};
    for (ULONG Index = 0; Index < ARRAY_SIZE(Bad); Index++) {
        Parse(Bad[Index], &P);
        XTEST_CHECK_EQ(P.Timer, KeTimerAuto);
        XTEST_CHECK_EQ(P.IgnoredCount, 1);
        XTEST_CHECK_EQ(P.Ignored[0].Problem, KeParameterBadValue);
    }
}

/* CLOCK=<Hz>: decimal, KE_CLOCK_MIN_HZ..KE_CLOCK_MAX_HZ (both ends valid); default KE_CLOCK_DEFAULT_HZ; the last valid
 * one wins; a bad value is reported and leaves the previous rate. */
XTEST(SelfTestSuiteLists) {
    KE_PARAMETERS P;
    Parse("SELFTEST", &P);
    XTEST_CHECK(P.SelfTest);
    XTEST_CHECK(P.SelfTestSuites == NULL);
    Parse("TESTEXIT SELFTEST=KeClockSuite,KeSmpLiveSuite NOXPA", &P);
    XTEST_CHECK(P.SelfTest && P.NoXpa && P.TestExit);
    XTEST_ASSERT(P.SelfTestSuites != NULL);
    XTEST_CHECK_EQ(P.SelfTestSuitesLength, 27);
    XTEST_CHECK_EQ(RtlCompareMemory(P.SelfTestSuites, "KeClockSuite,KeSmpLiveSuite", 27), 27);
    XTEST_CHECK_EQ(P.IgnoredCount, 0);
    Parse("SELFTEST=", &P);
    XTEST_CHECK(!P.SelfTest);
    XTEST_CHECK_EQ(P.IgnoredCount, 1);
    XTEST_CHECK_EQ(P.Ignored[0].Problem, KeParameterBadValue);
}

XTEST(ClockValues) {
    KE_PARAMETERS P;
    Parse("", &P);
    XTEST_CHECK_EQ(P.ClockHz, KE_CLOCK_DEFAULT_HZ);
    XTEST_CHECK_EQ(KE_CLOCK_DEFAULT_HZ, 250);
    Parse("CLOCK=100", &P);
    XTEST_CHECK_EQ(P.ClockHz, 100);
    Parse("clock=20 CLOCK=10000", &P);
    XTEST_CHECK_EQ(P.ClockHz, KE_CLOCK_MAX_HZ);
    XTEST_CHECK_EQ(P.IgnoredCount, 0);
    Parse("CLOCK=1000 CLOCK=19", &P);
    XTEST_CHECK_EQ(P.ClockHz, 1000);
    XTEST_CHECK_EQ(P.IgnoredCount, 1);
    static const PCSTR Bad[] = {"CLOCK",      "CLOCK=",    "CLOCK=0",     "CLOCK=19",         "CLOCK=10001",
                                "CLOCK=-100", "CLOCK=1e3", "CLOCK=100Hz", "CLOCK=4294967396", "CLOCK=0x64"};
    for (ULONG Index = 0; Index < ARRAY_SIZE(Bad); Index++) {
        Parse(Bad[Index], &P);
        XTEST_CHECK_EQ(P.ClockHz, KE_CLOCK_DEFAULT_HZ);
        XTEST_CHECK_EQ(P.IgnoredCount, 1);
        XTEST_CHECK_EQ(P.Ignored[0].Problem, KeParameterBadValue);
    }
}

/* MAXCPUS=<n>: decimal, 1..KE_MAXCPUS_LIMIT (both ends valid); 0 (no limit) without it; the last valid one wins; a
 * bad value is reported and leaves the previous limit. */
XTEST(MaxCpusValues) {
    KE_PARAMETERS P;
    Parse("", &P);
    XTEST_CHECK_EQ(P.MaxCpus, 0);
    Parse("MAXCPUS=2", &P);
    XTEST_CHECK_EQ(P.MaxCpus, 2);
    Parse("maxcpus=1 MAXCPUS=64", &P);
    XTEST_CHECK_EQ(P.MaxCpus, KE_MAXCPUS_LIMIT);
    XTEST_CHECK_EQ(P.IgnoredCount, 0);
    Parse("testaphang MAXCPUS=3", &P);
    XTEST_CHECK(P.TestApHang);
    XTEST_CHECK_EQ(P.MaxCpus, 3);
    Parse("MAXCPUS=4 MAXCPUS=65", &P);
    XTEST_CHECK_EQ(P.MaxCpus, 4);
    XTEST_CHECK_EQ(P.IgnoredCount, 1);
    static const PCSTR Bad[] = {"MAXCPUS",    "MAXCPUS=",   "MAXCPUS=0",   "MAXCPUS=65",
                                "MAXCPUS=-1", "MAXCPUS=2x", "MAXCPUS=0x2", "MAXCPUS=4294967298"};
    for (ULONG Index = 0; Index < ARRAY_SIZE(Bad); Index++) {
        Parse(Bad[Index], &P);
        XTEST_CHECK_EQ(P.MaxCpus, 0);
        XTEST_CHECK_EQ(P.IgnoredCount, 1);
        XTEST_CHECK_EQ(P.Ignored[0].Problem, KeParameterBadValue);
    }
}

/* TORTURE=<n>: decimal, KE_TORTURE_MIN..KE_TORTURE_MAX (both ends valid); 0 (the suites' default) without it. */
XTEST(TortureValues) {
    KE_PARAMETERS P;
    Parse("", &P);
    XTEST_CHECK_EQ(P.TortureOperations, 0);
    Parse("TORTURE=100000", &P);
    XTEST_CHECK_EQ(P.TortureOperations, 100000);
    Parse("torture=1000 TORTURE=10000000", &P);
    XTEST_CHECK_EQ(P.TortureOperations, KE_TORTURE_MAX);
    XTEST_CHECK_EQ(P.IgnoredCount, 0);
    static const PCSTR Bad[] = {"TORTURE", "TORTURE=", "TORTURE=999", "TORTURE=10000001", "TORTURE=1e6"};
    for (ULONG Index = 0; Index < ARRAY_SIZE(Bad); Index++) {
        Parse(Bad[Index], &P);
        XTEST_CHECK_EQ(P.TortureOperations, 0);
        XTEST_CHECK_EQ(P.IgnoredCount, 1);
        XTEST_CHECK_EQ(P.Ignored[0].Problem, KeParameterBadValue);
    }
}

XTEST(UnknownTokensAreRecordedWithPosition) {
    KE_PARAMETERS P;
    PCSTR Text = "SELFTEST FOO=1 NOXPA=1 BAR";
    Parse(Text, &P);
    XTEST_CHECK(P.SelfTest);
    XTEST_CHECK(!P.NoXpa); /* a flag with a value is malformed */
    XTEST_ASSERT_EQ(P.IgnoredCount, 3);
    XTEST_CHECK_EQ(P.Ignored[0].Offset, 9);
    XTEST_CHECK_EQ(P.Ignored[0].Length, 5);
    XTEST_CHECK_EQ(P.Ignored[0].Problem, KeParameterUnknown);
    XTEST_CHECK_EQ(P.Ignored[1].Offset, 15);
    XTEST_CHECK_EQ(P.Ignored[1].Problem, KeParameterBadValue);
    XTEST_CHECK_EQ(P.Ignored[2].Offset, 23);
    XTEST_CHECK_EQ(P.Ignored[2].Length, 3);
}

XTEST(PrefixesOfNamesAreUnknown) {
    KE_PARAMETERS P;
    Parse("SELF TESTEXITX DEBUGX=COM1", &P);
    XTEST_CHECK(!P.SelfTest && !P.TestExit && !P.DebugEnabled);
    XTEST_CHECK_EQ(P.IgnoredCount, 3);
}

XTEST(LengthAndNulBoundTheParse) {
    KE_PARAMETERS P;
    KeParseParameters("NOXPA SELFTEST", 5, &P);
    XTEST_CHECK(P.NoXpa && !P.SelfTest);
    KeParseParameters("NOXPA\0SELFTEST", 14, &P);
    XTEST_CHECK(P.NoXpa && !P.SelfTest);
}

XTEST(ManyUnknownTokensAreCounted) {
    KE_PARAMETERS P;
    Parse("A B C D E F G H I J TESTEXIT", &P);
    XTEST_CHECK(P.TestExit);
    XTEST_CHECK_EQ(P.IgnoredCount, 10);
    XTEST_CHECK_EQ(P.Ignored[KE_PARAMETER_IGNORED_MAX - 1].Offset, 14);
}

XTEST_SUITE(KeParameterSuite, XTEST_ENTRY(EmptyStringSetsNothing), XTEST_ENTRY(FlagsAreCaseInsensitive),
            XTEST_ENTRY(LoaderFlagsAreKnown), XTEST_ENTRY(DebugForms), XTEST_ENTRY(DebugSelectsScreenAndSerial),
            XTEST_ENTRY(ScreenIsTheDefaultOutput), XTEST_ENTRY(BadDebugValuesAreIgnored), XTEST_ENTRY(TestFaultValues),
            XTEST_ENTRY(TimerValues), XTEST_ENTRY(ClockValues), XTEST_ENTRY(SelfTestSuiteLists),
            XTEST_ENTRY(MaxCpusValues), XTEST_ENTRY(TortureValues), XTEST_ENTRY(UnknownTokensAreRecordedWithPosition),
            XTEST_ENTRY(PrefixesOfNamesAreUnknown), XTEST_ENTRY(LengthAndNulBoundTheParse),
            XTEST_ENTRY(ManyUnknownTokensAreCounted));

XTEST_HOST_MAIN(&KeParameterSuite)
