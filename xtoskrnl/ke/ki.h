/* Kernel executive core internals (Ki): start-up, traps and STOP reports; ke.h is what other subsystems call. */
#ifndef XTOSKRNL_KE_KI_H
#define XTOSKRNL_KE_KI_H

#include <ar.h>
#include <ke.h>
#include <xtbase.h>
#include <xtboot.h>

#include "bugcode.h"
#include "ksyms.h"
#include "params.h"

/* Per-arch name ("amd64", "i686"), defined in ke/<arch>/trap.c. */
extern const CHAR KeArchName[];

/* Kernel entry point, called by XTLDR with the init block. */
XTNORETURN VOID KiSystemStartup(PXT_INIT_BLOCK InitBlock);

/* The C handler every exception stub (ke/<arch>/trapstub.S) calls with the saved register frame. Returns only for
 * exceptions that were handled (the stub then resumes the interrupted code). */
VOID KiDispatchTrap(PKTRAP_FRAME TrapFrame);

/* Dispatches an interrupt (vector 32..255, from KiDispatchTrap): raises to the vector's RunLevel, calls the
 * connected object or counts the vector as unexpected, lowers back. */
VOID KiDispatchInterrupt(ULONG Vector, PKTRAP_FRAME TrapFrame);

/* Arch: (re)writes the level register once the local APIC is up (i686: binds the TPR's MMIO address). */
VOID KiBindRunLevelRegister(VOID);

/* Runs the software interrupt of Vector (DPC_VECTOR: retires the DPC queue with interrupts enabled; APC_VECTOR:
 * the APC delivery point), from the dispatcher at the vector's RunLevel after its EOI (ke/dpc.c). */
VOID KiDispatchSoftwareInterrupt(ULONG Vector);

/* Prepares the timer queue and its expiry DPC (ke/timer.c); before the clock starts. */
VOID KiInitializeTimers(VOID);

/* From the clock interrupt (CLOCK_LEVEL) with the new interrupt time: queues the timer-expiry DPC when the earliest
 * timer is due, and requests the DPC interrupt when low-importance DPCs wait. */
VOID KiCheckTimerExpiry(ULONGLONG InterruptTime);

/* Expires every timer due at or before Now (signal, re-queue periodic, queue its DPC); returns how many. Called at
 * DISPATCH_LEVEL by the timer-expiry DPC (and by BENCH). */
ULONG KiExpireTimers(ULONGLONG Now);

/* Arch: the exception entry points of trapstub.S, for Ar's IDT. */
extern const AR_TRAP_ENTRIES KiTrapEntries;

/* Stops the system for an exception described by Frame and Info (from the trap stubs). */
XTNORETURN VOID KiBugCheckTrap(PKTRAP_FRAME Frame, const KI_TRAP_INFO *Info);

/* The same with the STOP already chosen (a page fault the memory manager could not resolve). */
XTNORETURN VOID KiBugCheckTrapStop(PKTRAP_FRAME Frame, const KI_TRAP_INFO *Info, const KI_STOP *Stop);

/* #PF (ke/pagefault.c): TRUE when the memory manager resolved the fault (the stub resumes); otherwise its STOP. */
BOOLEAN KiHandlePageFault(PKTRAP_FRAME TrapFrame);

/* Makes every later STOP end a QEMU run through isa-debug-exit (TESTEXIT). */
VOID KiSetStopTestExit(BOOLEAN Enable);

/* Arch: fills Info from a trap frame (reads CR2 for the fault address). */
VOID KiGetTrapInfo(PKTRAP_FRAME Frame, PKI_TRAP_INFO Info);

/* Arch: prints the register dump of Frame (instruction and stack pointer, CR0/2/3/4, EFER, error code, GPRs). */
VOID KiDumpTrapFrame(PKTRAP_FRAME Frame, const KI_TRAP_INFO *Info);

/* Prints IA32_MCG_CAP, IA32_MCG_STATUS and MCi_STATUS/ADDR/MISC of every bank holding a valid error (#MC STOP). */
VOID KiDumpMachineCheck(VOID);

/* The image's symbol table (ksymtab.c), filled after the link. */
extern const UCHAR KiSymbolTable[KSYM_RESERVED_BYTES];

/* Checks that the image was relocated for InitBlock->KernelVirtualBase (addresses the linker stored in data, the
 * header's ImageBase); STOP LOADER_BLOCK_MISMATCH otherwise. Returns the number of addresses checked. */
ULONG KiVerifyImageRelocation(PXT_INIT_BLOCK InitBlock);

/* Finds the clock sources, calibrates the TSC against the reference Timer names (KE_TIMER_SOURCE), reads the boot
 * time from the CMOS RTC and prepares the clock interrupt at ClockHz from the source Timer names (ke/clock.c), nothing
 * firing yet. Needs the HAL window (after MmInitializeMemoryManager) and the local APIC (HlInitializeInterrupts). */
VOID KiInitializeClock(ULONG Timer, ULONG ClockHz);

/* Connects the clock's interrupt object and starts the prepared clock interrupt (interrupts stay as they are). */
VOID KiStartClock(VOID);

/* The interrupt time at which the tick-counted system time (boot time + interrupt time, without the TSC delta
 * KeQuerySystemTime adds) reaches SystemTime; 0 for a time before the boot. An absolute timer due then never expires
 * before KeQuerySystemTime reaches its due time. */
ULONGLONG KiSystemTimeToInterruptTime(LARGE_INTEGER SystemTime);

/* The XTOS-REPORT clock keys. */
typedef struct _KI_CLOCK_REPORT {
    ULONG ClockHz;                    /* the clock interrupt's achieved rate (0: none) */
    PCSTR Timer;                      /* its source: LAPIC, HPET, PIT or NONE */
    PCSTR TscReference;               /* the TSC's calibration reference: HPET, PM or PIT */
    ULONGLONG TscHz;                  /* the TSC's rate */
    CHAR BootTime[RTL_ISO_TIME_SIZE]; /* the CMOS RTC time read at start-up (ISO 8601, or empty) */
} KI_CLOCK_REPORT, *PKI_CLOCK_REPORT;

/* Fills Report for XTOS-REPORT. */
VOID KiQueryClockReport(PKI_CLOCK_REPORT Report);

/* BENCH: prints the KE-BENCH line of RunLevel and self-IPI costs (ke/kebench.c). Interrupts off on entry and return. */
VOID KiRunBenchmarks(VOID);

/* BENCH: prints the KE-BENCH line of uncontended spin lock, queued spin lock and SLIST costs (ke/lockbench.c). */
VOID KiRunLockBenchmarks(VOID);

/* BENCH: prints the KE-BENCH line of IPI generic call and TLB shootdown costs (ke/tbflush.c). */
VOID KiRunTbFlushBenchmarks(VOID);

/* BENCH: prints the KE-BENCH line of the dispatcher: a yield switch, an event set -> waiter running, a thread
 * create + exit (ke/dispbench.c). Interrupts off on entry and return; the clock not started. */
VOID KiRunDispatcherBenchmarks(VOID);

/* STOP UNSUPPORTED_PROCESSOR unless the CPU has the compare-exchange the SLIST needs (ke/lockcpu.c). */
VOID KiCheckInterlockedSupport(VOID);

/* Runs the built-in test suites (SELFTEST), or only those named in Suites (Length characters, comma-separated;
 * NULL: all); returns the number of failed cases plus the names that matched no suite. */
ULONG KiRunSelfTests(PCSTR Suites, ULONG Length, ULONG TortureOperations);

/* Provokes the TESTFAULT fault; returns only if no fault happened, with 1 (a failed test). */
ULONG KiRaiseTestFault(ULONG TestFault);

/* TESTFAULT=UBSAN: a signed overflow the sanitized kernel reports (ke/ubsanfault.c). */
LONGLONG KiRaiseUbsanOverflow(VOID);

#endif
