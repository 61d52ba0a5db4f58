/* The clock interrupt's pure pieces: the arithmetic of a tick (rate achieved by a counter period, the time increment
 * in 100-ns units with a 2^-32 fraction), the local APIC timer's plan (divide value, initial count, limits), its
 * calibration rate and TSC-deadline stepping, and the register sequences of its three modes (periodic, one-shot,
 * TSC-deadline) over an HL_APIC_OPS table. No hardware access of its own: clockint.c drives the hardware through these,
 * host tests (hl/tests/tick_test.c) drive them against register models (QEMU's TCG has no TSC-deadline timer). */
#ifndef XTOSKRNL_HL_TICK_H
#define XTOSKRNL_HL_TICK_H

#include <apicregs.h>
#include <hl.h>
#include <xtbase.h>

/* Local APIC timer registers (xAPIC offsets; x2APIC MSRs 0x838, 0x839, 0x83E) and LVT timer modes (SDM 10.5.4). */
#define APIC_REGISTER_TIMER_INITIAL  0x380
#define APIC_REGISTER_TIMER_CURRENT  0x390
#define APIC_REGISTER_TIMER_DIVIDE   0x3E0
#define APIC_LVT_TIMER_ONE_SHOT      (0u << 17)
#define APIC_LVT_TIMER_PERIODIC      (1u << 17)
#define APIC_LVT_TIMER_DEADLINE      (2u << 17)
#define APIC_LVT_TIMER_MODE_MASK     (3u << 17)
#define APIC_TSC_DEADLINE_MSR        0x6E0
#define APIC_CPUID1_ECX_TSC_DEADLINE (1u << 24)

/* The local APIC timer's counts per tick: at least HL_APIC_TIMER_MIN_COUNT (a finer rate than that is not a clock),
 * at most 2^32 - 1 (the initial-count register); the divide values are the powers of two 1..128. */
#define HL_APIC_TIMER_MIN_COUNT  16
#define HL_APIC_TIMER_MAX_COUNT  0xFFFFFFFFull
#define HL_APIC_TIMER_MAX_DIVIDE 128

/* HPET timer N registers (IA-PC HPET 1.0a, 2.3.8-2.3.9) and the general configuration's legacy-replacement bit. */
#define HL_HPET_LEGACY_CAPABLE      (1u << 15) /* capabilities: LEG_RT_CAP */
#define HL_HPET_LEGACY_ROUTE        0x2        /* configuration: LEG_RT_CNF */
#define HL_HPET_TIMER_CONFIG(N)     (0x100 + 0x20 * (N))
#define HL_HPET_TIMER_COMPARATOR(N) (0x108 + 0x20 * (N))
#define HL_HPET_TN_INT_ENABLE       (1u << 2)
#define HL_HPET_TN_PERIODIC         (1u << 3)
#define HL_HPET_TN_PERIODIC_CAPABLE (1u << 4)
#define HL_HPET_TN_SET_VALUE        (1u << 6)
#define HL_HPET_TN_32BIT            (1u << 8)
#define HL_HPET_TN_ROUTE_SHIFT      9
#define HL_HPET_TN_ROUTE_MASK       (0x1Fu << 9)

/* PIT channel 0 reload: 1..65536 input clocks (0 programs 65536). */
#define HL_PIT_MAX_COUNT 65536

/* What one tick is: the programmed period in counts of a counter, the rate it achieves and the time it adds. */
typedef struct _HL_TICK_PLAN {
    ULONGLONG CounterHz;     /* rate of the counter the period counts (after Divide) */
    ULONGLONG Period;        /* counts per tick */
    ULONG Divide;            /* the local APIC timer's divide value (1 for other counters) */
    ULONG MilliHz;           /* achieved rate, in thousandths of a hertz (rounded) */
    ULONG Increment;         /* 100-ns units per tick, integer part */
    ULONG IncrementFraction; /* and the fraction, in 2^-32 units of 100 ns */
} HL_TICK_PLAN, *PHL_TICK_PLAN;

/* Fills Plan for a counter at CounterHz firing every Period counts: achieved rate and increment. FALSE when either is
 * 0 or the period is longer than 400 s (the increment would not fit 32 bits). */
BOOLEAN HlTickPlanPeriod(ULONGLONG CounterHz, ULONGLONG Period, ULONG Divide, PHL_TICK_PLAN Plan);

/* Plans Hz on a counter at CounterHz: Period = CounterHz / Hz rounded to nearest; FALSE when that is outside
 * [MinPeriod, MaxPeriod] or Hz is 0. */
BOOLEAN HlTickPlanRate(ULONGLONG CounterHz, ULONG Hz, ULONGLONG MinPeriod, ULONGLONG MaxPeriod, ULONG Divide,
                       PHL_TICK_PLAN Plan);

/* The local APIC timer's plan for Hz when it counts at TimerHz with divide 1: the smallest divide (finest
 * resolution) whose initial count fits 32 bits, with at least HL_APIC_TIMER_MIN_COUNT counts. FALSE when no divide
 * works (TimerHz too low or too high for Hz). */
BOOLEAN HlApicTimerPlan(ULONGLONG TimerHz, ULONG Hz, PHL_TICK_PLAN Plan);

/* The divide-configuration register value of Divide (SDM figure 10-10: bits 3,1,0); 0xFFFFFFFF when Divide is not a
 * power of two in 1..128. */
ULONG HlApicTimerDivideValue(ULONG Divide);

/* The timer's rate at divide 1 from a calibration window: Counts (at Divide) while a reference at ReferenceHz
 * advanced ReferenceTicks. 0 when ReferenceTicks is 0. */
ULONGLONG HlApicTimerRate(ULONGLONG Counts, ULONG Divide, ULONGLONG ReferenceTicks, ULONGLONG ReferenceHz);

/* The first deadline Previous + k * Period (k >= 1) later than Now; *Missed receives k - 1 (periods that passed
 * without a tick). Period 0 gives Now + 1. */
ULONGLONG HlApicTimerNextDeadline(ULONGLONG Previous, ULONGLONG Period, ULONGLONG Now, PULONG Missed);

/* Time from interrupts that can be lost or bunched: ticks are due on a fixed schedule on the TSC, half a period
 * before the interrupts are expected, and each interrupt stands for the due ticks that passed since the previous one.
 * Interrupts held (or, under a hypervisor, a processor that did not run) make the next one stand for several ticks;
 * a source that catches up afterwards (QEMU's local APIC timer and PIT deliver the missed interrupts back to back)
 * brings interrupts that stand for none. The tick count thus follows the TSC's time, quantised to ticks. */
typedef struct _HL_TICK_GRID {
    ULONGLONG Period; /* TSC ticks per tick (0: every interrupt is one tick) */
    ULONGLONG Next;   /* TSC at which the next tick is due */
} HL_TICK_GRID, *PHL_TICK_GRID;

/* Starts Grid when the source started at Now with Period TSC ticks per tick: the first tick is due at Now + Period / 2
 * (its interrupt comes at Now + Period). */
VOID HlTickGridStart(PHL_TICK_GRID Grid, ULONGLONG Period, ULONGLONG Now);

/* The ticks an interrupt at Now stands for: the due ticks at or before Now not yet counted (0 for an interrupt that
 * came before the next tick was due: a catch-up or a source a little faster than the TSC says). */
ULONG HlTickGridAdvance(PHL_TICK_GRID Grid, ULONGLONG Now);

/* Stops the timer: LVT timer masked (mode kept one-shot), initial count 0. */
VOID HlApicTimerStop(PCHL_APIC_OPS Ops, PVOID Context);

/* Calibration start: LVT masked one-shot, divide Divide, initial count 0xFFFFFFFF (counting down, no interrupt). */
VOID HlApicTimerStartCalibration(PCHL_APIC_OPS Ops, PVOID Context, ULONG Divide);

/* Starts the timer on Vector in Mode (APIC_LVT_TIMER_PERIODIC or APIC_LVT_TIMER_ONE_SHOT) with Plan's divide and
 * period: masked while divide and mode change, then the LVT unmasked, then the initial count (which starts it). */
VOID HlApicTimerStartCount(PCHL_APIC_OPS Ops, PVOID Context, ULONG Vector, ULONG Mode, const HL_TICK_PLAN *Plan);

/* One-shot mode: the next tick (a new initial count restarts the count-down). */
VOID HlApicTimerRearmOneShot(PCHL_APIC_OPS Ops, PVOID Context, const HL_TICK_PLAN *Plan);

/* TSC-deadline mode: the TSC and IA32_TSC_DEADLINE accessors, the serialising fence the SDM requires between an xAPIC
 * LVT write and the MSR write (10.5.4.1), and the stepping state. */
typedef struct _HL_APIC_DEADLINE {
    ULONGLONG (*ReadTsc)(VOID);
    VOID (*WriteMsr)(ULONG Msr, ULONGLONG Value);
    VOID (*Fence)(VOID);
    ULONGLONG Period;   /* TSC ticks per tick */
    ULONGLONG Deadline; /* the armed deadline */
    ULONG Missed;       /* periods skipped in all (the tick came too late) */
} HL_APIC_DEADLINE, *PHL_APIC_DEADLINE;

/* Starts TSC-deadline mode on Vector: LVT timer = Vector | deadline mode, the fence, IA32_TSC_DEADLINE = now +
 * Period. */
VOID HlApicTimerStartDeadline(PCHL_APIC_OPS Ops, PVOID Context, ULONG Vector, PHL_APIC_DEADLINE Deadline);

/* Arms the next deadline (HlApicTimerNextDeadline from the last one, so ticks do not drift). */
VOID HlApicTimerRearmDeadline(PHL_APIC_DEADLINE Deadline);

/* Stops TSC-deadline mode: IA32_TSC_DEADLINE = 0 (disarms), then HlApicTimerStop. */
VOID HlApicTimerStopDeadline(PCHL_APIC_OPS Ops, PVOID Context, PHL_APIC_DEADLINE Deadline);

#endif
