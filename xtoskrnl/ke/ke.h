/* Kernel executive core (Ke): what other subsystems may call. Ke's internals are in ki.h. */
#ifndef XTOSKRNL_KE_KE_H
#define XTOSKRNL_KE_KE_H

#include <rtl.h>
#include <xtbase.h>
#include <xtboot.h>
#include <xtbugcode.h>

/* The RunLevel constants (PASSIVE_LEVEL ... HIGH_LEVEL) of the arch, selected by BUILD. */
#include <kelevel.h>

/* Stops the system with Code (xtbugcode.h) and its four parameters: prints the STOP line, a register dump of the
 * caller and a backtrace, then halts (or ends a TESTEXIT run). Never returns. */
XTNORETURN VOID KeBugCheckEx(ULONG Code, ULONG_PTR Parameter1, ULONG_PTR Parameter2, ULONG_PTR Parameter3,
                             ULONG_PTR Parameter4);

/* The init block the loader handed over: checked (signature, version, size, stacks, memory map, paging mode) and
 * stored once at start-up, never changed afterwards. NULL before the checks passed. */
const XT_INIT_BLOCK *KeGetLoaderBlock(VOID);

/* TRUE when this kernel was compiled with the undefined-behaviour sanitizer (its handlers are in ke/ubsan.c). */
BOOLEAN KeIsUbsanBuiltIn(VOID);

/* XT's IRQL: the processor's interrupt priority. Interrupts whose vector's level is at or below it are held. */
typedef UCHAR KRUNLEVEL, *PKRUNLEVEL;

/* The current RunLevel (amd64: CR8; i686: the level the kernel last set). */
KRUNLEVEL KeGetCurrentRunLevel(VOID);

/* Raises the RunLevel to NewRunLevel and returns the previous one. NewRunLevel below the current level is a STOP
 * IRQL_NOT_GREATER_OR_EQUAL, above HIGH_LEVEL a STOP IRQL_NOT_LESS_OR_EQUAL (both name the caller). */
KRUNLEVEL KeRaiseRunLevel(KRUNLEVEL NewRunLevel);

/* Lowers the RunLevel back to OldRunLevel (what KeRaiseRunLevel returned). OldRunLevel above the current level is a
 * STOP IRQL_NOT_LESS_OR_EQUAL naming the caller. */
VOID KeLowerRunLevel(KRUNLEVEL OldRunLevel);

/* The RunLevel an interrupt on Vector (32..255) runs at, which also masks it (amd64: Vector >> 4; i686: the lowest
 * level whose APIC task priority class covers the vector's class). */
KRUNLEVEL KeGetVectorRunLevel(ULONG Vector);

typedef struct _KINTERRUPT KINTERRUPT, *PKINTERRUPT;

/* An interrupt's handler: runs at the object's RunLevel with interrupts off; TRUE when it serviced its device. */
typedef BOOLEAN (*PKSERVICE_ROUTINE)(PKINTERRUPT Interrupt, PVOID ServiceContext);

/* An interrupt object: one service routine on one vector (one object per vector on this processor). */
struct _KINTERRUPT {
    PKSERVICE_ROUTINE ServiceRoutine;
    PVOID ServiceContext;
    ULONG Vector;
    KRUNLEVEL RunLevel; /* KeGetVectorRunLevel(Vector) */
    BOOLEAN Connected;
};

/* Fills Interrupt for Vector (not connected yet). */
VOID KeInitializeInterrupt(PKINTERRUPT Interrupt, PKSERVICE_ROUTINE ServiceRoutine, PVOID ServiceContext, ULONG Vector);

/* Connects Interrupt to its vector; FALSE when the vector is an exception (< 32), out of range, or taken. */
BOOLEAN KeConnectInterrupt(PKINTERRUPT Interrupt);

/* Disconnects Interrupt; FALSE when it was not connected. */
BOOLEAN KeDisconnectInterrupt(PKINTERRUPT Interrupt);

/* How many interrupts arrived on Vector with no object connected (each vector is reported once with KdPrint). */
ULONG KeGetUnexpectedInterruptCount(ULONG Vector);
/* The TSC (calibrated at start-up against the HPET, PM timer or PIT); *Frequency (optional) receives its rate in Hz. */
LARGE_INTEGER KeQueryPerformanceCounter(PLARGE_INTEGER Frequency);

/* Busy-waits at least Microseconds on the calibrated TSC (any RunLevel, interrupts on or off). */
VOID KeStallExecutionProcessor(ULONG Microseconds);

/* The system time in NT units (100 ns since 1601-01-01 UTC): the CMOS RTC read at start-up plus the interrupt time,
 * refined between ticks by the TSC (at most one time increment, so it never runs ahead of the next tick and never
 * goes backwards). Before the clock interrupt starts: the RTC time plus the TSC time since it was read. */
VOID KeQuerySystemTime(PLARGE_INTEGER CurrentTime);

/* The interrupt time: 100-ns units since the CMOS RTC was read at start-up, advanced by KeQueryTimeIncrement() (and
 * its fraction) on every clock interrupt; between ticks it does not move (like NT's). Before the clock interrupt
 * starts: the TSC time since start-up. Any RunLevel. */
ULONGLONG KeQueryInterruptTime(VOID);

/* Clock interrupts since the clock started (NT's KeTickCount). */
ULONGLONG KeQueryTickCount(VOID);

/* The time one clock interrupt adds to the interrupt time, in 100-ns units (integer part; 0 without a clock). */
ULONG KeQueryTimeIncrement(VOID);

#endif
