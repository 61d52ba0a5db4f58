/* Clock sources (HPET main counter, ACPI PM timer, PIT channel 2): the pure arithmetic behind them. Counter wrap
 * handling, the choice of source, and the TSC calibration math (rate, median, spread). No port or MMIO access here:
 * clocksrc.c reads the hardware and host tests (hl/tests/clock_test.c) drive these with synthetic values. */
#ifndef XTOSKRNL_HL_CLOCK_H
#define XTOSKRNL_HL_CLOCK_H

#include <hl.h>
#include <xtbase.h>

/* Fixed rates (Hz) of the ACPI PM timer and the 8254 PIT input clock. */
#define HL_PM_TIMER_FREQUENCY 3579545
#define HL_PIT_FREQUENCY      1193182

/* HPET registers (IA-PC HPET specification 1.0a, section 2.3) and their fields. */
#define HL_HPET_CAPABILITIES       0x000 /* bits 63:32 COUNTER_CLK_PERIOD (fs), bit 13 COUNT_SIZE_CAP */
#define HL_HPET_CONFIGURATION      0x010 /* bit 0 ENABLE_CNF: the main counter runs */
#define HL_HPET_MAIN_COUNTER       0x0F0
#define HL_HPET_REGISTER_SPACE     0x400 /* the block's size: 1 KiB */
#define HL_HPET_ENABLE             0x1
#define HL_HPET_MAX_PERIOD_FS      100000000ULL /* the specification's bound: at most 100 ns a tick */
#define HL_FEMTOSECONDS_PER_SECOND 1000000000000000ULL

/* TSC calibration: HL_CLOCK_CALIBRATION_ROUNDS windows of HL_CLOCK_CALIBRATION_WINDOW_US each; the median rate is
 * used and the spread (max - min) / median reported. Under QEMU TCG the TSC follows the host's clock while the
 * reference is emulated from QEMU's virtual clock; preemption of the vCPU thread between the paired reads skews a
 * round, so the median (not the mean) is taken and a spread up to HL_CLOCK_TCG_SPREAD_PPM is expected there. */
#define HL_CLOCK_CALIBRATION_WINDOW_US 10000
#define HL_CLOCK_TCG_SPREAD_PPM        50000 /* 5 %: documented tolerance under TCG (docs/kernel.md, Time) */

/* A counter of Mask + 1 values (Mask = 2^width - 1) extended to 64 bits; it must be read at least once a wrap. */
typedef struct _HL_CLOCK_COUNTER {
    ULONGLONG Total; /* ticks since the first HlClockAdvance */
    ULONG Last;      /* the last raw value */
    ULONG Mask;      /* 0xFFFF (PIT), 0xFFFFFF or 0xFFFFFFFF (PM timer), 0xFFFFFFFF (HPET low half) */
    BOOLEAN Started;
} HL_CLOCK_COUNTER, *PHL_CLOCK_COUNTER;

/* Ticks from Start to End of a counter that wraps at Mask + 1 (at most one wrap between the two reads). */
ULONG HlClockElapsed(ULONG Start, ULONG End, ULONG Mask);

/* Feeds a raw reading (taken Mask-bits wide) into Counter and returns the extended count. */
ULONGLONG HlClockAdvance(PHL_CLOCK_COUNTER Counter, ULONG Raw);

/* The PIT channel-2 down-counter as an up-counter (for HlClockElapsed with mask 0xFFFF). */
ULONG HlClockPitUpCount(USHORT Latched);

/* The HPET main counter's rate from the capabilities register: 10^15 / COUNTER_CLK_PERIOD; 0 when the period is 0
 * or above HL_HPET_MAX_PERIOD_FS (a broken or absent block). */
ULONGLONG HlClockHpetFrequency(ULONGLONG Capabilities);

/* The source to use: Forced (HL_CLOCK_SOURCE, HlClockNone for automatic) when available, else the best available
 * (HPET > PM timer > PIT). *ForcedUnavailable is TRUE when Forced was named but is not available. */
ULONG HlClockChooseSource(ULONG Forced, BOOLEAN HpetAvailable, BOOLEAN PmTimerAvailable, PBOOLEAN ForcedUnavailable);

/* The TSC rate measured over one window: TscTicks during ReferenceTicks of a reference running at ReferenceHz. */
ULONGLONG HlClockTscRate(ULONGLONG TscTicks, ULONGLONG ReferenceTicks, ULONGLONG ReferenceHz);

/* Sorts Count (<= 16) rates in place and returns their median (the lower middle for an even count); *SpreadPpm
 * receives (max - min) * 10^6 / median. 0 for no rates. */
ULONGLONG HlClockMedianRate(PULONGLONG Rates, ULONG Count, PULONG SpreadPpm);

#endif
