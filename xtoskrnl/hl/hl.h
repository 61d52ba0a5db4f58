/* Hardware layer (Hl): platform services of the kernel. */
#ifndef XTOSKRNL_HL_HL_H
#define XTOSKRNL_HL_HL_H

#include <rtl.h>
#include <xtboot.h>
#include <xtstatus.h>

/* Powers the machine off through ACPI S5 (tables from InitBlock->AcpiRsdp, reached through the HAL window).
 * Prints "HL: ACPI S5 via PM1a 0x... SLP_TYP n" before the write. Returns only on failure, after printing why. */
XTSTATUS HlShutdownSystem(PXT_INIT_BLOCK InitBlock);

/* Interrupt vectors Hl owns (design.md section 8): the 8259 pair is remapped here (and masked); the local APIC's
 * spurious and error vectors. */
#define HL_PIC_MASTER_VECTOR    0x20
#define HL_PIC_SLAVE_VECTOR     0x28
#define HL_APIC_SPURIOUS_VECTOR 0x3F
#define HL_APIC_ERROR_VECTOR    0xE3

/* Remaps and masks the 8259 PICs, then enables the boot processor's local APIC (x2APIC when the CPU has it unless
 * NoX2Apic, else xAPIC mapped through the HAL window) with its spurious and error vectors connected and every other
 * local source masked. Interrupts stay disabled (IF) - the caller decides. STATUS_NOT_FOUND without an APIC.
 * Prints one "HL: local APIC" line. */
XTSTATUS HlInitializeInterrupts(PXT_INIT_BLOCK InitBlock, BOOLEAN NoX2Apic);

/* TRUE once HlInitializeInterrupts enabled the local APIC. */
BOOLEAN HlIsApicReady(VOID);

/* Acknowledges the interrupt on Vector at the local APIC (nothing for the spurious vector or before the APIC). */
VOID HlEndOfInterrupt(ULONG Vector);

/* Writes the local APIC's task-priority register (i686 RunLevels; amd64 uses CR8). Nothing before the APIC. */
VOID HlSetTaskPriority(ULONG TaskPriority);

/* The xAPIC task-priority register's mapped address, for Ke's inline RunLevel writes (i686); NULL before the APIC
 * and in x2APIC mode (then HlSetTaskPriority writes the MSR). */
volatile ULONG *HlGetTaskPriorityRegister(VOID);

/* Sends a fixed interrupt on Vector (16..255: Ke's software interrupts use 0x1F) to this processor; FALSE before the
 * APIC or for a bad vector. */
BOOLEAN HlSendSelfInterrupt(ULONG Vector);

/* How many spurious interrupts arrived, and how many APIC error interrupts. */
ULONG HlGetSpuriousInterruptCount(VOID);
ULONG HlGetApicErrorCount(VOID);

/* ---- I/O APICs (device interrupts; ioapic.c). HlInitializeInterrupts maps every I/O APIC of the MADT and masks all
 * their pins; a line stays masked until a driver enables it here, after connecting its KINTERRUPT. Destination: the
 * boot processor (physical, fixed delivery). Callable at any RunLevel (the register pair is used with interrupts
 * off). STATUS_DEVICE_NOT_READY before start-up or without an I/O APIC. ---- */

/* TRUE once at least one I/O APIC is mapped and masked. */
BOOLEAN HlIsIoApicReady(VOID);

/* Routes ISA IRQ IsaIrq (0-15) to Vector (32..254) and unmasks it: the GSI, polarity and trigger come from the MADT's
 * interrupt source overrides (no override: GSI = IRQ, edge, active high). STATUS_INVALID_PARAMETER for IsaIrq > 15
 * or a bad vector, STATUS_NOT_FOUND when no I/O APIC serves the GSI, STATUS_DEVICE_BUSY for an NMI source pin. */
XTSTATUS HlEnableIsaInterrupt(ULONG IsaIrq, ULONG Vector);

/* Masks ISA IRQ IsaIrq's pin (its GSI after the overrides). */
XTSTATUS HlDisableIsaInterrupt(ULONG IsaIrq);

/* The GSI, polarity and trigger ISA IRQ IsaIrq arrives with (any pointer may be NULL). */
XTSTATUS HlQueryIsaInterrupt(ULONG IsaIrq, PULONG Gsi, PBOOLEAN ActiveLow, PBOOLEAN LevelTriggered);

/* Routes global system interrupt Gsi to Vector with the given polarity and trigger, unmasked (PCI, HPET, ...). */
XTSTATUS HlEnableGsiInterrupt(ULONG Gsi, ULONG Vector, BOOLEAN ActiveLow, BOOLEAN LevelTriggered);

/* Masks Gsi's pin. */
XTSTATUS HlDisableGsiInterrupt(ULONG Gsi);

/* Masks every I/O APIC pin that delivers Vector (an interrupt storm); returns how many, the first one's GSI in *Gsi
 * (optional). 0 when no device line carries Vector (self-IPIs, INT n, the local APIC's own sources). */
ULONG HlMaskInterruptVector(ULONG Vector, PULONG Gsi);
/* ---- Processors and inter-processor interrupts (mp.c) ---- */

/* Processors the MADT lists, in the order Ke starts them: the boot processor first. */
#define HL_MAXIMUM_PROCESSORS 64

typedef struct _HL_PROCESSOR_LIST {
    ULONG Count; /* processors in ApicIds (the boot processor is ApicIds[0]) */
    ULONG ApicIds[HL_MAXIMUM_PROCESSORS];
    BOOLEAN OnlineCapable[HL_MAXIMUM_PROCESSORS]; /* listed as online-capable (disabled now, may come up) */
    ULONG Usable;       /* enabled or online-capable entries with distinct APIC IDs, the boot processor included */
    ULONG Disabled;     /* entries neither enabled nor online-capable (never started) */
    ULONG LeftOut;      /* usable processors beyond MaxCpus or HL_MAXIMUM_PROCESSORS */
    BOOLEAN BootListed; /* the boot processor's APIC ID is in the MADT */
} HL_PROCESSOR_LIST, *PHL_PROCESSOR_LIST;

/* Lists the processors of the MADT (InitBlock->AcpiRsdp) to start, at most MaxCpus (0: no limit) with the boot
 * processor first. Without a usable MADT: the boot processor alone, and the MADT's status. */
XTSTATUS HlQueryProcessors(PXT_INIT_BLOCK InitBlock, ULONG MaxCpus, PHL_PROCESSOR_LIST List);

/* The current processor's local APIC ID (0 before the APIC is up). */
ULONG HlGetCurrentApicId(VOID);

/* On an application processor: enables its local APIC in the boot processor's mode with the same spurious and error
 * vectors (HlInitializeInterrupts did the boot processor's). STATUS_NOT_FOUND before the boot processor's APIC. */
XTSTATUS HlInitializeProcessorInterrupts(VOID);

/* Sends INIT, waits 10 ms, then two start-up IPIs (vector StartPage, the page number of the trampoline below 1 MiB)
 * 200 us apart (the SDM's MP initialisation sequence) to the processor ApicId. FALSE before the APIC. */
BOOLEAN HlStartProcessor(ULONG ApicId, ULONG StartPage);

/* Puts the processor ApicId back into wait-for-SIPI (an INIT): an AP that did not answer is left out this way. */
VOID HlResetProcessor(ULONG ApicId);

/* The vector of Ke's IPIs (IPI_LEVEL on both arches). */
#define HL_IPI_VECTOR 0xE1

/* Sends a fixed interrupt on Vector to the processor ApicId. Any RunLevel. */
VOID HlSendInterProcessorInterrupt(ULONG ApicId, ULONG Vector);

/* Sends an NMI to every processor but this one (a STOP's freeze). */
VOID HlSendNmiToOthers(VOID);

/* On an application processor: starts its local APIC timer on HL_CLOCK_VECTOR with the boot processor's plan
 * (periodic or one-shot; FALSE for TSC-deadline or when the boot processor's clock is not the local APIC timer). */
BOOLEAN HlStartProcessorClockInterrupt(VOID);

/* Reference clocks, best first. HlClockNone: automatic choice (TIMER= not given). */
typedef enum _HL_CLOCK_SOURCE {
    HlClockNone = 0,
    HlClockHpet = 1,    /* HPET main counter (ACPI table HPET), low 32 bits */
    HlClockPmTimer = 2, /* ACPI PM timer (FADT), 3.579545 MHz, 24 or 32 bits */
    HlClockPit = 3      /* PIT channel 2 free-running (gate through port 0x61), 1.193182 MHz, 16 bits */
} HL_CLOCK_SOURCE;

#define HL_CLOCK_CALIBRATION_ROUNDS 5

/* What HlInitializeClockSources found and measured. */
typedef struct _HL_CLOCK_INFO {
    ULONG Source;              /* HL_CLOCK_SOURCE the TSC was calibrated against */
    BOOLEAN ForcedUnavailable; /* TIMER= named a source this machine does not have */
    BOOLEAN HpetAvailable;     /* HPET table found, block mapped, sane period */
    BOOLEAN PmTimerAvailable;  /* FADT names an I/O-port PM timer */
    ULONGLONG ReferenceHz;     /* rate of Source */
    ULONG ReferenceMask;       /* width of HlReadClockSource(Source): Mask + 1 values */
    UCHAR RtcCentury;          /* the FADT's CMOS century index (0: none) */
    ULONGLONG TscHz;           /* the median of the rounds */
    ULONG SpreadPpm;           /* (max - min) / median of the rounds, in millionths */
    ULONGLONG Rates[HL_CLOCK_CALIBRATION_ROUNDS];
} HL_CLOCK_INFO, *PHL_CLOCK_INFO;

/* Finds the clock sources (HPET table, FADT PM timer; the PIT always), picks Forced (a HL_CLOCK_SOURCE) when present
 * or else the best, and calibrates the TSC against it (polling, interrupts not needed). Needs the HAL window. Prints
 * "HL: ..." lines for a forced source that is missing and for the calibration. */
VOID HlInitializeClockSources(const XT_INIT_BLOCK *InitBlock, ULONG Forced, PHL_CLOCK_INFO Info);

/* TRUE when Source was found and started by HlInitializeClockSources; *Hz and *Mask receive its rate and width. */
BOOLEAN HlQueryClockSource(ULONG Source, PULONGLONG Hz, PULONG Mask);

/* A raw reading of an initialised source (HL_CLOCK_INFO.ReferenceMask wide for the chosen one; PIT: as up-count). */
ULONG HlReadClockSource(ULONG Source);

/* Value * Multiplier / Divisor without a 128-bit intermediate (clock.c): exact when (Divisor - 1) * Multiplier < 2^64
 * and the result fits 64 bits. Divisor 0 gives 0. */
ULONGLONG HlClockMulDiv(ULONGLONG Value, ULONGLONG Multiplier, ULONGLONG Divisor);

/* Name of a HL_CLOCK_SOURCE ("HPET", "PM", "PIT", "NONE"). */
PCSTR HlClockSourceName(ULONG Source);

/* The clock interrupt (design.md section 8): vector 0xD1, CLOCK_LEVEL on both arches. */
#define HL_CLOCK_VECTOR 0xD1

/* What drives the clock interrupt. */
typedef enum _HL_TICK_SOURCE {
    HlTickNone = 0,  /* no clock interrupt (no local APIC) */
    HlTickLapic = 1, /* the local APIC timer (the default) */
    HlTickHpet = 2,  /* HPET timer 0 periodic, through the I/O APIC */
    HlTickPit = 3    /* PIT channel 0 periodic (ISA IRQ 0), through the I/O APIC */
} HL_TICK_SOURCE;

/* How the local APIC timer ticks (HPET and PIT: always periodic). */
typedef enum _HL_TICK_MODE {
    HlTickModeAuto = 0,     /* TSC-deadline when CPUID.1:ECX[24] says so, else periodic */
    HlTickModePeriodic = 1, /* the timer reloads itself */
    HlTickModeOneShot = 2,  /* re-armed by HlAcknowledgeClockInterrupt: each tick is late by the interrupt latency */
    HlTickModeDeadline = 3  /* IA32_TSC_DEADLINE stepped by whole periods from the previous deadline: no drift */
} HL_TICK_MODE;

/* What HlInitializeClockInterrupt set up. */
typedef struct _HL_TICK_INFO {
    ULONG Source;              /* HL_TICK_SOURCE that ticks (HlTickNone: none) */
    ULONG Mode;                /* HL_TICK_MODE in use (never Auto) */
    ULONG RequestedHz;         /* the rate asked for */
    ULONG Hz;                  /* the rate achieved, rounded to whole hertz */
    ULONG MilliHz;             /* the rate achieved, in thousandths of a hertz */
    ULONG Increment;           /* time per tick in 100-ns units, integer part */
    ULONG IncrementFraction;   /* and its fraction, in 2^-32 units of 100 ns */
    ULONGLONG CounterHz;       /* rate of the counter the period is counted on (LAPIC timer / divide, HPET, PIT, TSC) */
    ULONGLONG Period;          /* counts of that counter per tick */
    ULONGLONG LapicTimerHz;    /* the local APIC timer's measured rate at divide 1 (0: not measured) */
    ULONG LapicDivide;         /* the divide value programmed (local APIC timer) */
    BOOLEAN ForcedUnavailable; /* the source asked for is missing here: Source is the fallback */
} HL_TICK_INFO, *PHL_TICK_INFO;

/* Prepares the clock interrupt on HL_CLOCK_VECTOR from Source (HL_TICK_SOURCE) in Mode (HL_TICK_MODE) at Hz, nothing
 * firing yet: measures the local APIC timer against Reference's source (once; cached), plans the period and the time
 * increment. A source the machine lacks falls back to the local APIC timer with an "HL: clock interrupt:" line.
 * STATUS_NOT_FOUND without a local APIC (Info->Source HlTickNone), STATUS_INVALID_PARAMETER when no source can tick
 * at Hz. Interrupts off; call again (after HlStopClockInterrupt) to switch source or mode. */
XTSTATUS HlInitializeClockInterrupt(ULONG Source, ULONG Mode, ULONG Hz, const HL_CLOCK_INFO *Reference,
                                    PHL_TICK_INFO Info);

/* Starts the prepared clock interrupt (the caller connected HL_CLOCK_VECTOR and decides IF). */
VOID HlStartClockInterrupt(VOID);

/* For the clock's service routine: re-arms a one-shot or TSC-deadline timer (nothing for periodic sources; the local
 * APIC's EOI is the dispatcher's) and returns the ticks this interrupt stands for on the TSC: usually 1; more when
 * interrupts were lost (held, or a hypervisor did not run the processor); 0 for one that came before the next tick
 * was due (a source catching up). Over time the ticks follow the TSC's time. */
ULONG HlAcknowledgeClockInterrupt(VOID);

/* An application processor's clock interrupt: re-arms its own local APIC timer in one-shot mode (nothing when
 * periodic). Never touches the boot processor's tick schedule. */
VOID HlAcknowledgeProcessorClockInterrupt(VOID);

/* Clock interrupts taken since the clock started, and the ticks found missed (counted beyond one per interrupt). */
VOID HlQueryClockInterruptCounts(PULONGLONG Interrupts, PULONGLONG MissedTicks);

/* Stops the clock interrupt at its source (it may still have one interrupt pending). */
VOID HlStopClockInterrupt(VOID);

/* Names of a HL_TICK_SOURCE ("LAPIC", "HPET", "PIT", "NONE") and of a HL_TICK_MODE ("periodic", ...). */
PCSTR HlTickSourceName(ULONG Source);
PCSTR HlTickModeName(ULONG Mode);

/* One CMOS register (index port 0x70, NMI-enable bit kept clear; data port 0x71). The RTC's registers A-D are
 * 0x0A-0x0D. The caller keeps index/data pairs from interleaving (interrupts off, or one user at a time). */
UCHAR HlReadCmos(UCHAR Register);
VOID HlWriteCmos(UCHAR Register, UCHAR Value);

/* Reads the CMOS RTC (ports 0x70/0x71) with the century register CenturyIndex (0: none); STATUS_IO_DEVICE_ERROR or
 * STATUS_DATA_ERROR with *Error set when it cannot be read or decoded. */
XTSTATUS HlQueryRealTimeClock(UCHAR CenturyIndex, PTIME_FIELDS TimeFields, PCSTR *Error);

#endif
