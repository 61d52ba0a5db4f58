/* SELFTEST: the runtime library's and the kernel's own XTEST suites, run inside the kernel. */
#include <kd.h>
#include <mm_suites.h>
#include <pool_suites.h>
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

ULONG KiRunSelfTests(VOID) {
    static const XTEST_SUITE *const Suites[] = {
        &RtlListSuite,        &RtlMemorySuite,       &RtlBitmapSuite,   &RtlStringSuite,  &RtlFormatSuite,
        &RtlSha1Suite,        &RtlArithmeticSuite,   &KeParameterSuite, &KeBugCodeSuite,  &KeSymbolSuite,
        &HlAcpiSuite,         &HlMadtSuite,          &HlAcpiTimeSuite,  &MmhPageMapSuite, &ArDescriptorSuite,
        &MmLiveSuite,         &PoolBasicSuite,       &PoolTortureSuite, &MmFinalSuite,    &KeStackGuardSuite,
        &KeRunLevelLiveSuite, &KeInterruptLiveSuite, &KeClockSuite,     &KeDpcLiveSuite,  &KeTimerLiveSuite,
        &HlIoApicLiveSuite,   &KeClockTickSuite,     &KeSmpLiveSuite,   &MmPagedSuite, /* after the Ke suites: paged
                                                                                          pool and faults with
                                                                                          interrupts on */
        &RtlSListSuite,       &KeSpinLockLiveSuite,
    };

    KdPrint("KE: SELFTEST: %u suites\n", (ULONG)ARRAY_SIZE(Suites));
    return XtestRunSuites(Suites, ARRAY_SIZE(Suites));
}
