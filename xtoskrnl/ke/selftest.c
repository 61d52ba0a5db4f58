/* SELFTEST: the runtime library's and the kernel's own XTEST suites, run inside the kernel. */
#include <ex_suites.h>
#include <kd.h>
#include <ke_suites.h>
#include <mm_suites.h>
#include <ob_cases.h>
#include <pool_suites.h>
#include <ps_suites.h>
#include <rtl_suites.h>
#include <tests/kernel_suites.h>
#include <xtest.h>

#include "ki.h"

VOID XtestPrint(PCSTR Format, ...) {
    va_list Arguments;

    va_start(Arguments, Format);
    KdPrintV(Format, Arguments);
    va_end(Arguments);
}

/* Every suite SELFTEST runs, in order (MmPagedSuite after the Ke suites: paged pool and faults with interrupts on;
 * MmSmpStressSuite last: every processor and the work hook, interrupts on). */
static const XTEST_SUITE *const KiSelfTestSuites[] = {
    &RtlListSuite,        &RtlMemorySuite,       &RtlBitmapSuite,       &RtlStringSuite,    &RtlFormatSuite,
    &RtlSha1Suite,        &RtlArithmeticSuite,   &KeParameterSuite,     &KeBugCodeSuite,    &KeSymbolSuite,
    &HlAcpiSuite,         &HlMadtSuite,          &HlAcpiTimeSuite,      &MmhPageMapSuite,   &ArDescriptorSuite,
    &MmDeferredPfnSuite,  &MmLiveSuite,          &PoolBasicSuite,       &PoolTortureSuite,  &MmFinalSuite,
    &KeStackGuardSuite,   &KeRunLevelLiveSuite,  &KeInterruptLiveSuite, &KeClockSuite,      &KeDpcLiveSuite,
    &KeTimerLiveSuite,    &HlIoApicLiveSuite,    &KeClockTickSuite,     &KeSmpLiveSuite,    &MmPagedSuite,
    &RtlSListSuite,       &KeSpinLockLiveSuite,  &KeQueuedLockSmpSuite, &ExHandleLiveSuite, &MmTlbLiveSuite,
    &MmAddressSpaceSuite, &KeContextSwitchSuite, &KeWaitSuite,          &KeDispatcherSuite, &KeProcessSuite,
    &ObCoreSuite,         &ObScaleSuite,         &ObExecSuite,          &PsProcessSuite,    &MmSmpStressSuite,
};

/* TRUE when Name is one of the comma-separated names in List (Length characters). */
static BOOLEAN KiIsSuiteListed(PCSTR Name, PCSTR List, ULONG Length) {
    SIZE_T NameLength = RtlStringLength(Name, 64);
    ULONG Start = 0;

    for (ULONG End = 0; End <= Length; End++) {
        if (End == Length || List[End] == ',') {
            if (End - Start == NameLength && RtlCompareMemory(List + Start, Name, NameLength) == NameLength) {
                return TRUE;
            }
            Start = End + 1;
        }
    }
    return FALSE;
}

/* Counts the names in List that name no suite (each reported: a typo must not pass as an empty run). */
static ULONG KiCountUnknownSuites(PCSTR List, ULONG Length) {
    ULONG Unknown = 0, Start = 0;
    BOOLEAN Found;

    for (ULONG End = 0; End <= Length; End++) {
        if (End == Length || List[End] == ',') {
            Found = FALSE;
            for (ULONG Index = 0; Index < ARRAY_SIZE(KiSelfTestSuites); Index++) {
                Found |= KiIsSuiteListed(KiSelfTestSuites[Index]->Name, List + Start, End - Start);
            }
            if (!Found) {
                KdPrint("KE: SELFTEST: no suite named '%.*s'\n", (int)(End - Start), List + Start);
                Unknown++;
            }
            Start = End + 1;
        }
    }
    return Unknown;
}

/* Microseconds on the performance counter, for the suites' run times. */
static ULONGLONG KiSelfTestClock(VOID) {
    LARGE_INTEGER Frequency, Now = KeQueryPerformanceCounter(&Frequency);

    return Frequency.QuadPart ? (ULONGLONG)Now.QuadPart * 1000000 / (ULONGLONG)Frequency.QuadPart : 0;
}

ULONG KiRunSelfTests(PCSTR Suites, ULONG Length, ULONG TortureOperations) {
    const XTEST_SUITE *Selected[ARRAY_SIZE(KiSelfTestSuites)];
    ULONG Count = 0, Unknown = 0;

    if (TortureOperations != 0) {
        PoolTortureOperations = TortureOperations; /* the pool's and the paged pool's tortures */
        ObTestScaleLimit = TortureOperations;      /* ObScaleSuite's million objects and handles */
        KdPrint("KE: SELFTEST: tortures of %u operations (TORTURE=)\n", TortureOperations);
    }
    for (ULONG Index = 0; Index < ARRAY_SIZE(KiSelfTestSuites); Index++) {
        if (Suites == NULL || KiIsSuiteListed(KiSelfTestSuites[Index]->Name, Suites, Length)) {
            Selected[Count++] = KiSelfTestSuites[Index];
        }
    }
    if (Suites != NULL) {
        Unknown = KiCountUnknownSuites(Suites, Length);
    }
    KdPrint("KE: SELFTEST: %u suites\n", Count);
    return XtestRunSuitesTimed(Selected, Count, KiSelfTestClock) + Unknown;
}
