/* Kernel executive core (Ke): what other subsystems may call. Ke's internals are in ki.h. */
#ifndef XTOSKRNL_KE_KE_H
#define XTOSKRNL_KE_KE_H

#include <rtl.h>
#include <xtbase.h>
#include <xtboot.h>
#include <xtbugcode.h>

/* Stops the system with Code (xtbugcode.h) and its four parameters: prints the STOP line, a register dump of the
 * caller and a backtrace, then halts (or ends a TESTEXIT run). Never returns. */
XTNORETURN VOID KeBugCheckEx(ULONG Code, ULONG_PTR Parameter1, ULONG_PTR Parameter2, ULONG_PTR Parameter3,
                             ULONG_PTR Parameter4);

/* The init block the loader handed over: checked (signature, version, size, stacks, memory map, paging mode) and
 * stored once at start-up, never changed afterwards. NULL before the checks passed. */
const XT_INIT_BLOCK *KeGetLoaderBlock(VOID);

/* TRUE when this kernel was compiled with the undefined-behaviour sanitizer (its handlers are in ke/ubsan.c). */
BOOLEAN KeIsUbsanBuiltIn(VOID);

/* The TSC (calibrated at start-up against the HPET, PM timer or PIT); *Frequency (optional) receives its rate in Hz. */
LARGE_INTEGER KeQueryPerformanceCounter(PLARGE_INTEGER Frequency);

/* Busy-waits at least Microseconds on the calibrated TSC (any RunLevel, interrupts on or off). */
VOID KeStallExecutionProcessor(ULONG Microseconds);

/* The system time in NT units (100 ns since 1601-01-01 UTC): the CMOS RTC read at start-up plus the TSC time since
 * (until a clock interrupt keeps it). */
VOID KeQuerySystemTime(PLARGE_INTEGER CurrentTime);

#endif
