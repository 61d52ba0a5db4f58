/* HlIoApicLiveSuite (SELFTEST only): a real device interrupt through the I/O APIC - the CMOS RTC's periodic
 * interrupt (ISA IRQ 8) at 64 Hz on a free vector, its handler reading register C to re-arm it. It must arrive, at
 * roughly the programmed rate against the TSC, stop when the line is masked, and be held while the RunLevel masks its
 * vector, then delivered when the level drops.
 * Rate, over 1 s of TSC time: never faster than programmed (at most 150% of 64 Hz), and at least 3 of the intervals
 * between consecutive periodic interrupts within 25% of the 15.6 ms period (so not slower either: 32 Hz would give
 * 31 ms). The average cannot bound it from below under TCG on a loaded host (2 cores, load average 17 measured):
 * QEMU is descheduled for tens of milliseconds, the periods the RTC raises meanwhile coalesce in the local APIC's IRR
 * into one interrupt, and the average fell to 15 Hz in one boot; a late interrupt followed by an on-time one gives
 * intervals down to 0.3 ms, so the shortest interval is no bound either. */
#include <hl.h>
#include <ke.h>
#include <tests/kernel_suites.h>
#include <xtintrin.h>

#define RTC_VECTOR     0x81 /* amd64 RunLevel 8, i686 a device level */
#define RTC_REGISTER_A 0x0A
#define RTC_REGISTER_B 0x0B
#define RTC_REGISTER_C 0x0C
#define RTC_RATE_64    0x0A /* 32768 >> (10 - 1) */
#define RTC_PIE        0x40
#define RTC_PF         0x40 /* register C: periodic interrupt flag */
#define RTC_HZ         64
#define MEASURE_US     1000000
#define WAIT_US        1000000 /* at most, for an interrupt to come (a loaded host stalls QEMU for 100+ ms) */
#define QUIET_US       100000
#define RTC_GAPS       128

typedef struct _RTC_RECORD {
    volatile ULONG Calls;
    volatile ULONG Periodic; /* calls that found the periodic flag set */
    ULONGLONG LastPeriodic;  /* TSC of the last of them (0: none yet) */
    ULONG GapCount;          /* TSC intervals between consecutive ones, the first RTC_GAPS kept */
    ULONGLONG Gaps[RTC_GAPS];
    KRUNLEVEL SeenLevel;
} RTC_RECORD, *PRTC_RECORD;

static BOOLEAN TestRtcService(PKINTERRUPT Interrupt, PVOID Context) {
    PRTC_RECORD Record = Context;

    Record->Calls++;
    Record->SeenLevel = KeGetCurrentRunLevel();
    if (HlReadCmos(RTC_REGISTER_C) & RTC_PF) { /* reading C lowers the RTC's line: the next period raises it */
        ULONGLONG Now = (ULONGLONG)KeQueryPerformanceCounter(NULL).QuadPart;

        if (Record->LastPeriodic != 0 && Record->GapCount < RTC_GAPS) {
            Record->Gaps[Record->GapCount++] = Now - Record->LastPeriodic;
        }
        Record->LastPeriodic = Now;
        Record->Periodic++;
    }
    return TRUE;
}

/* Spins Microseconds of TSC time with interrupts enabled (then disabled again). */
static VOID TestSpin(ULONGLONG Microseconds) {
    LARGE_INTEGER Frequency;
    ULONGLONG Start = (ULONGLONG)KeQueryPerformanceCounter(&Frequency).QuadPart;
    ULONGLONG Ticks = (ULONGLONG)Frequency.QuadPart / 1000000 * Microseconds;
    ULONG_PTR Flags = ArDisableInterrupts();

    ArEnableInterrupts();
    while ((ULONGLONG)KeQueryPerformanceCounter(NULL).QuadPart - Start < Ticks) {
        __asm__ volatile("pause" : : : "memory");
    }
    ArRestoreInterrupts(Flags); /* on again for the rest of the boot once the clock ticks */
}

/* Connects Interrupt, then enables IRQ 8 through the I/O APIC, clears register C and starts the RTC at 64 Hz: the
 * line is unmasked before the RTC can raise it (an edge on a masked pin is lost and the line would stay high). */
static BOOLEAN TestRtcStart(PKINTERRUPT Interrupt, PRTC_RECORD Record) {
    XTSTATUS Status;

    KeInitializeInterrupt(Interrupt, TestRtcService, Record, RTC_VECTOR);
    if (!KeConnectInterrupt(Interrupt)) {
        return FALSE;
    }
    Status = HlEnableIsaInterrupt(8, RTC_VECTOR);
    HlWriteCmos(RTC_REGISTER_A, (HlReadCmos(RTC_REGISTER_A) & 0xF0) | RTC_RATE_64);
    HlReadCmos(RTC_REGISTER_C);
    HlWriteCmos(RTC_REGISTER_B, HlReadCmos(RTC_REGISTER_B) | RTC_PIE);
    return XT_SUCCESS(Status);
}

/* Stops the periodic interrupt, masks the line, clears the flags and disconnects (always, even after a failure). */
static VOID TestRtcStop(PKINTERRUPT Interrupt) {
    HlWriteCmos(RTC_REGISTER_B, HlReadCmos(RTC_REGISTER_B) & ~RTC_PIE);
    HlDisableIsaInterrupt(8);
    HlReadCmos(RTC_REGISTER_C);
    KeDisconnectInterrupt(Interrupt);
}

/* Spins with interrupts enabled until Record->Calls reaches Target or WAIT_US passed; TRUE when it did. */
static BOOLEAN TestWaitCalls(PRTC_RECORD Record, ULONG Target) {
    LARGE_INTEGER Frequency;
    ULONGLONG Start = (ULONGLONG)KeQueryPerformanceCounter(&Frequency).QuadPart;
    ULONGLONG Ticks = (ULONGLONG)Frequency.QuadPart / 1000000 * WAIT_US;
    ULONG_PTR Flags = ArDisableInterrupts();

    ArEnableInterrupts();
    while (Record->Calls < Target && (ULONGLONG)KeQueryPerformanceCounter(NULL).QuadPart - Start < Ticks) {
        __asm__ volatile("pause" : : : "memory");
    }
    ArRestoreInterrupts(Flags);
    return Record->Calls >= Target;
}

XTEST(IsaRoutesFollowTheMadt) {
    BOOLEAN ActiveLow = TRUE, Level = TRUE;
    ULONG Gsi = 0;

    XTEST_ASSERT(HlIsIoApicReady());
    XTEST_ASSERT(XT_SUCCESS(HlQueryIsaInterrupt(0, &Gsi, &ActiveLow, &Level)));
    XTEST_CHECK_EQ(Gsi, 2); /* QEMU's MADT: IRQ0 -> GSI 2, ISA default edge / high */
    XTEST_CHECK(!ActiveLow && !Level);
    XTEST_ASSERT(XT_SUCCESS(HlQueryIsaInterrupt(9, &Gsi, &ActiveLow, &Level)));
    XTEST_CHECK_EQ(Gsi, 9); /* the SCI: level, active high */
    XTEST_CHECK(!ActiveLow && Level);
    XTEST_ASSERT(XT_SUCCESS(HlQueryIsaInterrupt(8, &Gsi, &ActiveLow, &Level)));
    XTEST_CHECK_EQ(Gsi, 8);
    XTEST_CHECK(!ActiveLow && !Level);
    XTEST_CHECK_EQ(HlQueryIsaInterrupt(16, &Gsi, NULL, NULL), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(HlEnableIsaInterrupt(8, 0x10), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(HlEnableGsiInterrupt(24, RTC_VECTOR, FALSE, FALSE), STATUS_NOT_FOUND);
    XTEST_CHECK_EQ(HlMaskInterruptVector(RTC_VECTOR, NULL), 0); /* no line carries it yet */
}

XTEST(RtcInterruptArrivesAtItsRate) {
    RTC_RECORD Record = {0};
    KINTERRUPT Interrupt;
    LARGE_INTEGER Frequency, Start, End;
    ULONGLONG Elapsed, PerMicrosecond, Hz, Period;
    ULONG Before, After, OnTime = 0;

    XTEST_CHECK(TestRtcStart(&Interrupt, &Record));
    XTEST_CHECK(TestWaitCalls(&Record, 1));
    Start = KeQueryPerformanceCounter(&Frequency);
    Before = Record.Periodic;
    TestSpin(MEASURE_US);
    After = Record.Periodic;
    End = KeQueryPerformanceCounter(NULL);
    TestRtcStop(&Interrupt);
    Elapsed = (ULONGLONG)(End.QuadPart - Start.QuadPart);
    PerMicrosecond = (ULONGLONG)Frequency.QuadPart / 1000000 + 1;
    Hz = (ULONGLONG)(After - Before) * (ULONGLONG)Frequency.QuadPart / Elapsed;
    Period = (ULONGLONG)Frequency.QuadPart / RTC_HZ;
    for (ULONG Index = 0; Index < Record.GapCount; Index++) {
        OnTime += Record.Gaps[Index] >= Period * 3 / 4 && Record.Gaps[Index] <= Period * 5 / 4;
    }
    XtestPrint("  RTC periodic interrupt through the I/O APIC: %u in %llu us = %llu Hz (programmed %u); %u of %u "
               "intervals within 25%% of the %u us period\n",
               After - Before, Elapsed / PerMicrosecond, Hz, RTC_HZ, OnTime, Record.GapCount, 1000000 / RTC_HZ);
    XTEST_CHECK(Hz >= 1 && Hz <= RTC_HZ * 3 / 2);
    XTEST_CHECK(OnTime >= 3);
    /* QEMU's I/O APIC delivers every raise of an edge pin, even when the RTC raises its already-high line again
     * (a period passed before the handler read C): such a call finds C clear. Most calls must find the flag. */
    XTEST_CHECK(Record.Periodic <= Record.Calls && Record.Periodic * 10 >= Record.Calls * 9);
    XTEST_CHECK_EQ(Record.SeenLevel, KeGetVectorRunLevel(RTC_VECTOR));
    XTEST_CHECK_EQ(KeGetCurrentRunLevel(), PASSIVE_LEVEL);
}

XTEST(RtcStopsWhenMaskedOrDisabled) {
    RTC_RECORD Record = {0};
    KINTERRUPT Interrupt;
    ULONG Count;

    XTEST_CHECK(TestRtcStart(&Interrupt, &Record));
    XTEST_CHECK(TestWaitCalls(&Record, 1));
    XTEST_CHECK(XT_SUCCESS(HlDisableIsaInterrupt(8))); /* masked at the I/O APIC, RTC still running */
    TestSpin(2000);
    Count = Record.Calls;
    TestSpin(QUIET_US);
    XTEST_CHECK_EQ(Record.Calls, Count);
    HlWriteCmos(RTC_REGISTER_B, HlReadCmos(RTC_REGISTER_B) & ~RTC_PIE); /* RTC off, line unmasked */
    HlReadCmos(RTC_REGISTER_C);
    XTEST_CHECK(XT_SUCCESS(HlEnableIsaInterrupt(8, RTC_VECTOR)));
    TestSpin(QUIET_US);
    XTEST_CHECK_EQ(Record.Calls, Count);
    TestRtcStop(&Interrupt);
}

XTEST(RtcHeldWhileTheLevelMasksIt) {
    RTC_RECORD Record = {0};
    KINTERRUPT Interrupt;
    KRUNLEVEL Old;

    Old = KeRaiseRunLevel(KeGetVectorRunLevel(RTC_VECTOR));
    XTEST_CHECK(TestRtcStart(&Interrupt, &Record));
    TestSpin(2 * QUIET_US);          /* about 12 periods, interrupts enabled */
    XTEST_CHECK_EQ(Record.Calls, 0); /* held by the RunLevel */
    KeLowerRunLevel(Old);
    XTEST_CHECK(TestWaitCalls(&Record, 1)); /* delivered once the level dropped */
    XTEST_CHECK(Record.Periodic >= 1);
    XTEST_CHECK(TestWaitCalls(&Record, 2)); /* re-armed by reading C */
    TestRtcStop(&Interrupt);
    XTEST_CHECK_EQ(KeGetCurrentRunLevel(), PASSIVE_LEVEL);
}

XTEST_SUITE(HlIoApicLiveSuite, XTEST_ENTRY(IsaRoutesFollowTheMadt), XTEST_ENTRY(RtcInterruptArrivesAtItsRate),
            XTEST_ENTRY(RtcStopsWhenMaskedOrDisabled), XTEST_ENTRY(RtcHeldWhileTheLevelMasksIt));
