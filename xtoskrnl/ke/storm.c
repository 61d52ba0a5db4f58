/* Interrupt-storm protection (see storm.h) and its boot test (TESTSTORM). */
#include <hl.h>
#include <kd.h>
#include <xtintrin.h>

#include "ki.h"
#include "storm.h"

typedef struct _KI_STORM_STATE {
    ULONG Count;          /* interrupts in the current burst */
    ULONG Storms;         /* lines masked on this vector */
    ULONGLONG BurstStart; /* TSC when the current burst began (0: before the first) */
} KI_STORM_STATE;

static KI_STORM_STATE KiStormStates[AR_IDT_VECTORS];

VOID KiCheckInterruptStorm(ULONG Vector) {
    KI_STORM_STATE *State = &KiStormStates[Vector];
    LARGE_INTEGER Frequency;
    ULONGLONG Now, Elapsed;
    ULONG Gsi = 0;

    if (++State->Count < KI_STORM_BURST) {
        return;
    }
    State->Count = 0;
    Now = (ULONGLONG)KeQueryPerformanceCounter(&Frequency).QuadPart;
    Elapsed = Now - State->BurstStart;
    State->BurstStart = Now;
    if (Elapsed >= (ULONGLONG)Frequency.QuadPart / 1000000 * KI_STORM_WINDOW_US) {
        return;
    }
    if (HlMaskInterruptVector(Vector, &Gsi) == 0) {
        return;
    }
    if (State->Storms++ == 0) {
        KdPrint("KE: interrupt storm on vector 0x%02X (GSI %u): %u interrupts in %llu us: line masked\n", Vector, Gsi,
                KI_STORM_BURST, Elapsed / ((ULONGLONG)Frequency.QuadPart / 1000000 + 1));
    }
}

ULONG KiGetInterruptStormCount(ULONG Vector) {
    return Vector < AR_IDT_VECTORS ? KiStormStates[Vector].Storms : 0;
}

/* ---- TESTSTORM ---- */

#define KI_STORM_TEST_VECTOR 0x92
#define KI_RTC_REGISTER_A    0x0A /* bits 0-3: periodic rate */
#define KI_RTC_REGISTER_B    0x0B /* bit 6: periodic interrupt enable */
#define KI_RTC_REGISTER_C    0x0C /* flags; reading it lowers the RTC's interrupt output */
#define KI_RTC_RATE_1024HZ   0x06
#define KI_RTC_PIE           0x40

static BOOLEAN KiStormTestService(PKINTERRUPT Interrupt, PVOID Context) {
    (*(volatile ULONG *)Context)++;
    return TRUE; /* never reads register C: the RTC keeps its interrupt output asserted */
}

/* Spins with interrupts enabled until Microseconds passed or *Until became non-zero; returns the microseconds spent. */
static ULONGLONG KiStormWait(ULONGLONG Microseconds, volatile ULONG *Until) {
    LARGE_INTEGER Frequency;
    ULONGLONG Start = (ULONGLONG)KeQueryPerformanceCounter(&Frequency).QuadPart, Elapsed;
    ULONGLONG PerMicrosecond = (ULONGLONG)Frequency.QuadPart / 1000000 + 1;

    ArEnableInterrupts();
    do {
        __asm__ volatile("pause" : : : "memory");
        Elapsed = ((ULONGLONG)KeQueryPerformanceCounter(NULL).QuadPart - Start) / PerMicrosecond;
    } while (Elapsed < Microseconds && (Until == NULL || *Until == 0));
    ArDisableInterrupts();
    return Elapsed;
}

/* Starts the RTC's periodic interrupt (1024 Hz) with its line (ISA IRQ 8's GSI) programmed level-triggered: once
 * asserted it stays asserted, since the handler never reads register C - a stuck level line, re-delivered after every
 * EOI as fast as the processor takes it. */
static XTSTATUS KiStormStart(PULONG Gsi) {
    XTSTATUS Status = HlQueryIsaInterrupt(8, Gsi, NULL, NULL);

    if (!XT_SUCCESS(Status)) {
        return Status;
    }
    HlWriteCmos(KI_RTC_REGISTER_A, (HlReadCmos(KI_RTC_REGISTER_A) & 0xF0) | KI_RTC_RATE_1024HZ);
    HlReadCmos(KI_RTC_REGISTER_C);
    Status = HlEnableGsiInterrupt(*Gsi, KI_STORM_TEST_VECTOR, FALSE, TRUE);
    HlWriteCmos(KI_RTC_REGISTER_B, HlReadCmos(KI_RTC_REGISTER_B) | KI_RTC_PIE);
    return Status;
}

ULONG KiRunStormTest(VOID) {
    static volatile ULONG Count;
    KI_STORM_STATE *const State = &KiStormStates[KI_STORM_TEST_VECTOR];
    KINTERRUPT Interrupt;
    ULONG AtMask, After, Gsi = 0;
    ULONGLONG Spent;
    XTSTATUS Status;

    KeInitializeInterrupt(&Interrupt, KiStormTestService, (PVOID)&Count, KI_STORM_TEST_VECTOR);
    if (!KeConnectInterrupt(&Interrupt)) {
        KdPrint("KE: TESTSTORM: vector 0x%02X is taken\n", KI_STORM_TEST_VECTOR);
        return 1;
    }
    Status = KiStormStart(&Gsi);
    KdPrint(
        "KE: TESTSTORM: CMOS RTC periodic interrupt held asserted on GSI %u (level), vector 0x%02X: status 0x%08x\n",
        Gsi, KI_STORM_TEST_VECTOR, (ULONG)Status);
    Spent = KiStormWait(5000000, (volatile ULONG *)&State->Storms);
    AtMask = Count;
    KiStormWait(100000, NULL); /* interrupts stay enabled: the system must run on */
    After = Count;
    HlWriteCmos(KI_RTC_REGISTER_B, HlReadCmos(KI_RTC_REGISTER_B) & ~KI_RTC_PIE);
    HlReadCmos(KI_RTC_REGISTER_C);
    KeDisconnectInterrupt(&Interrupt);
    KdPrint("KE: TESTSTORM: %u interrupts in %llu us before the line was masked, %u in the 100 ms after\n", AtMask,
            Spent, After - AtMask);
    if (!XT_SUCCESS(Status) || State->Storms != 1 || AtMask < 2 * KI_STORM_BURST || After != AtMask) {
        KdPrint("KE: TESTSTORM: the storm was not stopped (storms %u)\n", State->Storms);
        return 1;
    }
    KdPrint("KE: TESTSTORM: storm stopped, system live\n");
    return 0;
}
