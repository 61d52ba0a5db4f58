/* Kernel parameters (design.md section 4): parsed from InitBlock->Parameters. Pure, host-testable. */
#ifndef XTOSKRNL_KE_PARAMS_H
#define XTOSKRNL_KE_PARAMS_H

#include <xtbase.h>

/* TESTFAULT=... : a fault provoked on purpose after initialisation (tests of the STOP path). */
typedef enum _KE_TEST_FAULT {
    KeTestFaultNone = 0,
    KeTestFaultPage,             /* read of an unmapped VA: #PF -> STOP 0x50 */
    KeTestFaultGp,               /* general protection fault: STOP 0x7F (0xD) */
    KeTestFaultStack,            /* kernel stack overflow into the guard page: double fault, STOP 0x7F (8) */
    KeTestFaultDouble,           /* #PF with an unusable stack pointer: double fault, STOP 0x7F (8) */
    KeTestFaultPoolOverrun,      /* a pool block written past its end: BAD_POOL_HEADER when it is freed */
    KeTestFaultPoolDoubleFree,   /* a pool block freed twice: BAD_POOL_CALLER */
    KeTestFaultPoolTag,          /* a pool block freed with another tag: BAD_POOL_CALLER */
    KeTestFaultSpecialPool,      /* a special-pool block overrun by one byte: page fault on its guard page */
    KeTestFaultBadPfn,           /* a frame without a PFN entry freed: PFN_LIST_CORRUPT */
    KeTestFaultPoolStart,        /* the pool's start-up check fails (at start-up, not after it): MEMORY_MANAGEMENT */
    KeTestFaultWaitNmi,          /* wait (interrupts off) for an NMI the test harness injects: STOP 0x80 */
    KeTestFaultWaitMce,          /* wait (interrupts off) for a machine check the harness injects: STOP 0x9C */
    KeTestFaultReset,            /* reset the machine through port 0xCF9 (the harness must not call it a power-off) */
    KeTestFaultUbsan,            /* a signed overflow: UBSan report, KERNEL_UBSAN_VIOLATION (sanitized kernel only) */
    KeTestFaultRunLevelRaise,    /* KeRaiseRunLevel to a level below the current one: IRQL_NOT_GREATER_OR_EQUAL */
    KeTestFaultRunLevelLower,    /* KeLowerRunLevel to a level above the current one: IRQL_NOT_LESS_OR_EQUAL */
    KeTestFaultPoolRunLevel,     /* MmAllocatePool at CLOCK_LEVEL, above its limit: IRQL_NOT_LESS_OR_EQUAL */
    KeTestFaultDpcRunLevel,      /* a DPC routine returning at CLOCK_LEVEL: IRQL_UNEXPECTED_VALUE */
    KeTestFaultPagedRunLevel,    /* paged pool touched at DISPATCH_LEVEL: IRQL_NOT_LESS_OR_EQUAL naming the address */
    KeTestFaultWriteReadOnly,    /* a write to the kernel's read-only data: ATTEMPTED_WRITE_TO_READONLY_MEMORY */
    KeTestFaultExecuteNx,        /* a call into a no-execute pool block: ATTEMPTED_EXECUTE_OF_NOEXECUTE_MEMORY */
    KeTestFaultGuardPage,        /* a read of a paged guard page: PAGE_FAULT_IN_NONPAGED_AREA with PF_GUARD_PAGE */
    KeTestFaultProcessorStop,    /* processor 1 stops (targeted IPI): MANUALLY_INITIATED_CRASH, the others frozen */
    KeTestFaultSpinLockOwned,    /* a spin lock taken twice on one processor: SPIN_LOCK_ALREADY_OWNED */
    KeTestFaultShootdown,        /* a page read everywhere, freed on 0, read on 1: PAGE_FAULT_IN_NONPAGED_AREA there */
    KeTestFaultSpaceShootdown,   /* a user page unmapped on 0 while 1 runs in its space: a page fault on 1 */
    KeTestFaultSpinLockNotOwned, /* a free spin lock released: SPIN_LOCK_NOT_OWNED */
    KeTestFaultWaitDispatch,     /* a system thread waits at DISPATCH_LEVEL with a timeout: STOP 0xA naming it */
    KeTestFaultThreadStack       /* a system thread overflows into its stack's guard page: STOP 0x7F (8) naming it */
} KE_TEST_FAULT;

/* TIMER=LAPIC|HPET|PM|PIT. The first three values are Hl's HL_CLOCK_SOURCE (the TSC's calibration reference):
 * HPET and PIT force both that reference and the clock interrupt's source; PM forces the reference (the clock
 * interrupt stays on the local APIC timer); LAPIC forces the clock interrupt's source (the reference stays automatic).
 */
typedef enum _KE_TIMER_SOURCE {
    KeTimerAuto = 0, /* reference: HPET, then the PM timer, then the PIT; clock interrupt: the local APIC timer */
    KeTimerHpet = 1,
    KeTimerPm = 2,
    KeTimerPit = 3,
    KeTimerLapic = 4
} KE_TIMER_SOURCE;

/* CLOCK=<Hz>: the clock interrupt's rate. KE_CLOCK_DEFAULT_HZ without it (a 4 ms tick, Linux's usual HZ: fine
 * enough for kernel timers, cheap under TCG); values outside KE_CLOCK_MIN_HZ..KE_CLOCK_MAX_HZ are ignored (the PIT
 * cannot tick slower than 18.2 Hz; above 10 kHz the interrupt load is no longer a clock's). */
#define KE_CLOCK_DEFAULT_HZ 250
#define KE_CLOCK_MIN_HZ     20
#define KE_CLOCK_MAX_HZ     10000

/* MAXCPUS=<n>: the largest value accepted (Ke's KE_MAXIMUM_PROCESSORS). */
#define KE_MAXCPUS_LIMIT 64

#define KE_PARAMETER_IGNORED_MAX 8

/* Why a token was ignored. */
typedef enum _KE_PARAMETER_PROBLEM {
    KeParameterUnknown = 1, /* not a parameter this kernel knows */
    KeParameterBadValue = 2 /* a known name with a value it cannot use */
} KE_PARAMETER_PROBLEM;

typedef struct _KE_IGNORED_PARAMETER {
    USHORT Offset; /* into the parameter string */
    USHORT Length;
    ULONG Problem; /* KE_PARAMETER_PROBLEM */
} KE_IGNORED_PARAMETER;

/* TORTURE= bounds: the boots that test memory sizes run shorter tortures than the default million operations. */
#define KE_TORTURE_MIN 1000
#define KE_TORTURE_MAX 10000000

typedef struct _KE_PARAMETERS {
    BOOLEAN DebugEnabled; /* serial debug output: DEBUG, or a COMn[,baud] item of DEBUG= */
    ULONG DebugPort;      /* 1..4 */
    ULONG DebugBaud;      /* divides 115200 */
    BOOLEAN DebugScreen;  /* KdPrint on the screen: a SCREEN item of DEBUG=, or no valid DEBUG parameter */
    BOOLEAN TestScreen;   /* TESTSCREEN: wait for the test harness's screendump before the test exit */
    BOOLEAN NoXpa;
    BOOLEAN NoX2Apic; /* NOX2APIC: keep the local APIC in xAPIC mode even when the CPU has x2APIC */
    BOOLEAN SelfTest;
    PCSTR SelfTestSuites; /* SELFTEST=Suite[,Suite...]: only the suites named (into the parameter string); NULL: all */
    ULONG SelfTestSuitesLength;
    BOOLEAN TestExit;
    BOOLEAN Shutdown;
    ULONG TestFault;      /* KE_TEST_FAULT */
    ULONG SpecialPoolTag; /* SPECIALPOOL=TAGX: allocations with this tag go against a guard page; 0 when none */
    BOOLEAN Bench;        /* BENCH: print the memory manager's per-operation costs (./xt bench) */
    BOOLEAN TestPtFree;   /* TESTPTFREE: read by the loader (page tables reported free); the kernel just knows it */
    BOOLEAN TestPtDb;     /* TESTPTDB: read by the loader (page tables free, where the PFN database is carved) */
    BOOLEAN TestStride;   /* TESTDESCSTRIDE: read by the loader (descriptors handed over at a larger stride) */
    BOOLEAN TestDescriptorCount; /* TESTDESCCOUNT: read by the loader (a descriptor count no kernel accepts) */
    BOOLEAN NoKaslr;         /* NOKASLR: read by the loader (kernel kept at its link base); the kernel just knows it */
    BOOLEAN TestGuardMapped; /* TESTGUARDMAPPED: read by the loader (stack guard pages mapped); likewise */
    ULONG Timer;             /* TIMER=: KE_TIMER_SOURCE */
    ULONG ClockHz;           /* CLOCK=: KE_CLOCK_MIN_HZ..KE_CLOCK_MAX_HZ, KE_CLOCK_DEFAULT_HZ when not given */
    BOOLEAN TestStorm;       /* TESTSTORM: drive an interrupt storm (a stuck RTC line) after start-up (storm.c) */
    BOOLEAN TestApHang;      /* TESTAPHANG: the first application processor stops in the trampoline (timeout test) */
    ULONG MaxCpus;           /* MAXCPUS=: 1..KE_MAXCPUS_LIMIT processors at most (boot processor included); 0: all */
    ULONG TortureOperations; /* TORTURE=: operations of SELFTEST's pool and paged tortures (KE_TORTURE_*); 0: default */
    ULONG IgnoredCount;      /* tokens ignored in all (may exceed KE_PARAMETER_IGNORED_MAX) */
    KE_IGNORED_PARAMETER Ignored[KE_PARAMETER_IGNORED_MAX];
} KE_PARAMETERS, *PKE_PARAMETERS;

/* Parses up to Length characters of Text (stops at a NUL): space/tab separated tokens, names case-insensitive.
 * DEBUG selects the debug outputs in ExectOS's syntax: DEBUG=ITEM[;ITEM]..., ITEM = COMn[,baud] (serial, 115200 by
 * default) or SCREEN; DEBUG without a value means COM1,115200. Without a valid DEBUG parameter the screen is on
 * and serial output off. Later tokens override earlier ones. */
VOID KeParseParameters(PCSTR Text, SIZE_T Length, PKE_PARAMETERS Parameters);

/* Name of a KE_TEST_FAULT value ("PAGE", ...); "NONE" for none. */
PCSTR KeTestFaultName(ULONG TestFault);

#endif
