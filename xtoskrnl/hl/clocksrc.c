/* Clock sources on the hardware: the HPET main counter (MMIO through the HAL window), the ACPI PM timer (I/O port
 * from the FADT), PIT channel 2 (ports 0x42/0x43, gate through 0x61); TSC calibration against one of them, by
 * polling; the CMOS RTC through ports 0x70/0x71. The arithmetic is in clock.c (pure, host-tested). */
#include <kd.h>
#include <mmhl.h>
#include <xtintrin.h>

#include "acpi.h"
#include "clock.h"
#include "hlp.h"
#include "rtc.h"

#define HL_PIT_CHANNEL2     0x42
#define HL_PIT_COMMAND      0x43
#define HL_PIT_CH2_MODE2    0xB4 /* channel 2, low then high byte, mode 2 (rate generator), binary */
#define HL_PIT_CH2_LATCH    0x80 /* channel 2, counter latch */
#define HL_SYSTEM_CONTROL_B 0x61 /* bit 0: channel-2 gate, bit 1: speaker data */
#define HL_CMOS_INDEX       0x70
#define HL_CMOS_DATA        0x71
#define HL_CLOCK_MAX_POLLS  20000000 /* reads before a source that does not count is given up */

static volatile PUCHAR HlpHpetRegisters;
static ULONGLONG HlpHpetHz;
static USHORT HlpPmTimerPort;
static ULONG HlpPmTimerMask;
static BOOLEAN HlpPitStarted;

/* Reads one 32-bit word from an I/O port. */
static inline ULONG HlpReadPort32(USHORT Port) {
    ULONG Value;
    __asm__ volatile("inl %1, %0" : "=a"(Value) : "Nd"(Port));
    return Value;
}

/* HL_ACPI_ACCESS.Map over the HAL window. */
static XTSTATUS HlpClockMap(PVOID Context, ULONGLONG Address, SIZE_T Length, PVOID *Va) {
    return MmhMapPhysicalMemory(Address, Length, Va);
}

/* HL_ACPI_ACCESS.Unmap over the HAL window. */
static VOID HlpClockUnmap(PVOID Context, PVOID Va, SIZE_T Length) {
    MmhUnmapPhysicalMemory(Va, Length);
}

/* Maps the HPET block, checks its period and starts the main counter; returns its rate (0: unusable). */
static ULONGLONG HlpStartHpet(const HL_ACPI_ACCESS *Access, ULONGLONG Rsdp) {
    HL_HPET_INFO Hpet;
    PVOID Va;
    ULONGLONG Hz;

    if (!XT_SUCCESS(HlAcpiReadHpet(Access, Rsdp, &Hpet))) {
        KdPrint("HL: no HPET: %s\n", Hpet.Error);
        return 0;
    }
    if (!XT_SUCCESS(MmhMapDeviceMemory(Hpet.BaseAddress, HL_HPET_REGISTER_SPACE, &Va))) {
        KdPrint("HL: HPET at 0x%llx cannot be mapped\n", Hpet.BaseAddress);
        return 0;
    }
    Hz = HlClockHpetFrequency((ULONGLONG) * (volatile ULONG *)((PUCHAR)Va + HL_HPET_CAPABILITIES + 4) << 32);
    if (Hz == 0) {
        KdPrint("HL: HPET at 0x%llx has an invalid period\n", Hpet.BaseAddress);
        MmhUnmapPhysicalMemory(Va, HL_HPET_REGISTER_SPACE);
        return 0;
    }
    *(volatile ULONG *)((PUCHAR)Va + HL_HPET_CONFIGURATION) |= HL_HPET_ENABLE;
    HlpHpetRegisters = Va;
    HlpHpetHz = Hz;
    KdPrint("HL: HPET at 0x%llx: %llu Hz, %s-bit counter\n", Hpet.BaseAddress, Hz, Hpet.Counter64Bit ? "64" : "32");
    return Hz;
}

/* Runs PIT channel 2 as a free 16-bit down-counter (reload 65536), gate on, speaker off. */
static VOID HlpStartPit(VOID) {
    HlWritePort8(HL_SYSTEM_CONTROL_B, (UCHAR)((HlReadPort8(HL_SYSTEM_CONTROL_B) & ~0x02) | 0x01));
    HlWritePort8(HL_PIT_COMMAND, HL_PIT_CH2_MODE2);
    HlWritePort8(HL_PIT_CHANNEL2, 0);
    HlWritePort8(HL_PIT_CHANNEL2, 0);
    HlpPitStarted = TRUE;
}

PUCHAR HlpGetHpetRegisters(PULONGLONG Hz) {
    *Hz = HlpHpetHz;
    return HlpHpetRegisters;
}

BOOLEAN HlQueryClockSource(ULONG Source, PULONGLONG Hz, PULONG Mask) {
    if (Source == HlClockHpet && HlpHpetRegisters != NULL) {
        *Hz = HlpHpetHz;
        *Mask = 0xFFFFFFFF;
    } else if (Source == HlClockPmTimer && HlpPmTimerPort != 0) {
        *Hz = HL_PM_TIMER_FREQUENCY;
        *Mask = HlpPmTimerMask;
    } else if (Source == HlClockPit && HlpPitStarted) {
        *Hz = HL_PIT_FREQUENCY;
        *Mask = 0xFFFF;
    } else {
        return FALSE;
    }
    return TRUE;
}

ULONG HlReadClockSource(ULONG Source) {
    UCHAR Low, High;

    switch (Source) {
        case HlClockHpet:
            return HlpHpetRegisters ? *(volatile ULONG *)(HlpHpetRegisters + HL_HPET_MAIN_COUNTER) : 0;
        case HlClockPmTimer:
            return HlpPmTimerPort ? HlpReadPort32(HlpPmTimerPort) : 0;
        case HlClockPit:
            HlWritePort8(HL_PIT_COMMAND, HL_PIT_CH2_LATCH);
            Low = HlReadPort8(HL_PIT_CHANNEL2);
            High = HlReadPort8(HL_PIT_CHANNEL2);
            return HlClockPitUpCount((USHORT)(Low | High << 8));
        default:
            return 0;
    }
}

/* One calibration window: TSC ticks while Source advances WindowTicks (from one of its edges); 0 when it stalls. */
static ULONGLONG HlpCalibrateRound(ULONG Source, ULONG Mask, ULONGLONG WindowTicks, PULONGLONG ReferenceTicks) {
    HL_CLOCK_COUNTER Counter = {0, 0, Mask, FALSE};
    ULONG First = HlReadClockSource(Source) & Mask, Raw = First;
    ULONGLONG TscStart, Polls = 0;

    while (Raw == First && ++Polls < HL_CLOCK_MAX_POLLS) {
        Raw = HlReadClockSource(Source) & Mask;
    }
    TscStart = ArReadTimeStampCounter();
    HlClockAdvance(&Counter, Raw);
    while (Counter.Total < WindowTicks && ++Polls < HL_CLOCK_MAX_POLLS) {
        HlClockAdvance(&Counter, HlReadClockSource(Source));
    }
    *ReferenceTicks = Counter.Total;
    return Polls < HL_CLOCK_MAX_POLLS ? ArReadTimeStampCounter() - TscStart : 0;
}

/* Calibrates the TSC against Info->Source; FALSE when the source does not count. */
static BOOLEAN HlpCalibrateTsc(PHL_CLOCK_INFO Info) {
    ULONGLONG Window = HlClockMulDiv(HL_CLOCK_CALIBRATION_WINDOW_US, Info->ReferenceHz, 1000000);
    ULONGLONG Sorted[HL_CLOCK_CALIBRATION_ROUNDS];
    ULONGLONG TscTicks, ReferenceTicks;

    for (ULONG Round = 0; Round < HL_CLOCK_CALIBRATION_ROUNDS; Round++) {
        TscTicks = HlpCalibrateRound(Info->Source, Info->ReferenceMask, Window, &ReferenceTicks);
        if (TscTicks == 0 || ReferenceTicks == 0) {
            return FALSE;
        }
        Info->Rates[Round] = HlClockTscRate(TscTicks, ReferenceTicks, Info->ReferenceHz);
        Sorted[Round] = Info->Rates[Round];
    }
    Info->TscHz = HlClockMedianRate(Sorted, HL_CLOCK_CALIBRATION_ROUNDS, &Info->SpreadPpm);
    return TRUE;
}

/* Rate and mask of Source (started on first use). */
static VOID HlpSelectSource(PHL_CLOCK_INFO Info, ULONG Source, ULONGLONG HpetHz, BOOLEAN PmTimer32Bit) {
    Info->Source = Source;
    if (Source == HlClockHpet) {
        Info->ReferenceHz = HpetHz;
        Info->ReferenceMask = 0xFFFFFFFF;
    } else if (Source == HlClockPmTimer) {
        Info->ReferenceHz = HL_PM_TIMER_FREQUENCY;
        Info->ReferenceMask = PmTimer32Bit ? 0xFFFFFFFF : 0xFFFFFF;
    } else {
        if (!HlpPitStarted) {
            HlpStartPit();
        }
        Info->ReferenceHz = HL_PIT_FREQUENCY;
        Info->ReferenceMask = 0xFFFF;
    }
}

VOID HlInitializeClockSources(const XT_INIT_BLOCK *InitBlock, ULONG Forced, PHL_CLOCK_INFO Info) {
    HL_ACPI_ACCESS Access = {NULL, HlpClockMap, HlpClockUnmap};
    HL_FADT_CLOCK_INFO Fadt;
    BOOLEAN PmTimer32Bit = FALSE;
    ULONGLONG HpetHz = 0;
    ULONG Source;

    RtlZeroMemory(Info, sizeof(*Info));
    if (MmhIsHalWindowReady() && InitBlock->AcpiRsdp != 0) {
        HpetHz = HlpStartHpet(&Access, InitBlock->AcpiRsdp);
        if (XT_SUCCESS(HlAcpiReadFadtClock(&Access, InitBlock->AcpiRsdp, &Fadt))) {
            Info->RtcCentury = Fadt.Century;
            if (Fadt.PmTimerPresent && !Fadt.PmTimerIsMemory && Fadt.PmTimerAddress != 0 &&
                Fadt.PmTimerAddress <= 0xFFFF) {
                HlpPmTimerPort = (USHORT)Fadt.PmTimerAddress;
                PmTimer32Bit = Fadt.PmTimer32Bit;
                HlpPmTimerMask = PmTimer32Bit ? 0xFFFFFFFF : 0xFFFFFF;
                KdPrint("HL: ACPI PM timer at port 0x%x, %s-bit\n", HlpPmTimerPort, Fadt.PmTimer32Bit ? "32" : "24");
            }
        }
    }
    Info->HpetAvailable = HpetHz != 0;
    Info->PmTimerAvailable = HlpPmTimerPort != 0;
    Source = HlClockChooseSource(Forced, Info->HpetAvailable, Info->PmTimerAvailable, &Info->ForcedUnavailable);
    if (Info->ForcedUnavailable) {
        KdPrint("HL: TIMER=%s: no such clock source here, using %s\n", HlClockSourceName(Forced),
                HlClockSourceName(Source));
    }
    for (;;) {
        HlpSelectSource(Info, Source, HpetHz, PmTimer32Bit);
        if (HlpCalibrateTsc(Info)) {
            break;
        }
        KdPrint("HL: clock source %s does not count: not used\n", HlClockSourceName(Source));
        if (Source == HlClockPit) {
            Info->TscHz = 0;
            return;
        }
        Source = Source == HlClockHpet && Info->PmTimerAvailable ? HlClockPmTimer : HlClockPit;
    }
    KdPrint("HL: TSC calibrated against %s: %llu Hz (rounds %llu %llu %llu %llu %llu, spread %u ppm)\n",
            HlClockSourceName(Source), Info->TscHz, Info->Rates[0], Info->Rates[1], Info->Rates[2], Info->Rates[3],
            Info->Rates[4], Info->SpreadPpm);
}

/* HL_RTC_ACCESS.Read over ports 0x70/0x71. */
UCHAR HlReadCmos(UCHAR Register) {
    HlWritePort8(HL_CMOS_INDEX, (UCHAR)(Register & 0x7F));
    return HlReadPort8(HL_CMOS_DATA);
}

VOID HlWriteCmos(UCHAR Register, UCHAR Value) {
    HlWritePort8(HL_CMOS_INDEX, (UCHAR)(Register & 0x7F));
    HlWritePort8(HL_CMOS_DATA, Value);
}

static UCHAR HlpReadCmos(PVOID Context, UCHAR Register) {
    return HlReadCmos(Register);
}

XTSTATUS HlQueryRealTimeClock(UCHAR CenturyIndex, PTIME_FIELDS TimeFields, PCSTR *Error) {
    HL_RTC_ACCESS Access = {NULL, HlpReadCmos};

    return HlRtcReadTime(&Access, CenturyIndex, TimeFields, Error);
}
