/* The kernel's own XTEST suites: run on the host (cc_test) and inside the kernel under SELFTEST. */
#ifndef XTOSKRNL_TESTS_KERNEL_SUITES_H
#define XTOSKRNL_TESTS_KERNEL_SUITES_H

#include <xtest.h>

extern const XTEST_SUITE KeParameterSuite;     /* ke/params.c */
extern const XTEST_SUITE KeBugCodeSuite;       /* ke/bugcode.c: exception -> STOP, frame walk */
extern const XTEST_SUITE KeSymbolSuite;        /* ke/ksyms.c: the embedded symbol table's lookup */
extern const XTEST_SUITE HlAcpiSuite;          /* hl/acpi.c over synthetic tables */
extern const XTEST_SUITE HlMadtSuite;          /* hl/madt.c: MADT entries, truncation, damage, ISA IRQ routes */
extern const XTEST_SUITE HlAcpiTimeSuite;      /* hl/acpitime.c: HPET table, FADT clock and RTC fields */
extern const XTEST_SUITE MmhPageMapSuite;      /* mm/hl: self-map arithmetic and register checks of the 4 modes */
extern const XTEST_SUITE ArDescriptorSuite;    /* ar/descriptor.h encoders */
extern const XTEST_SUITE KeStackGuardSuite;    /* SELFTEST only: unmapped guard page below every stack */
extern const XTEST_SUITE KeInterruptLiveSuite; /* SELFTEST only: INT n through the IDT stubs and the dispatcher */
extern const XTEST_SUITE KeRunLevelLiveSuite;  /* SELFTEST only: the real RunLevel register, raise and lower */
extern const XTEST_SUITE KeDpcLiveSuite;       /* SELFTEST only: software interrupts, DPCs, pool from DPCs */
extern const XTEST_SUITE KeTimerLiveSuite;     /* SELFTEST only: KTIMER order, periods, cancel, absolute times */
extern const XTEST_SUITE HlIoApicLiveSuite;    /* SELFTEST only: the RTC's IRQ 8 through the I/O APIC */
extern const XTEST_SUITE KeSmpLiveSuite;       /* SELFTEST only: processors checked in, tick, IPI calls */
extern const XTEST_SUITE KeClockSuite;         /* SELFTEST only: stall against HPET/PM timer, system time advances */
extern const XTEST_SUITE KeClockTickSuite;     /* SELFTEST only: the clock interrupt's rate, tick count, system time */
extern const XTEST_SUITE KeSpinLockLiveSuite;  /* SELFTEST only: spin locks over the real RunLevel register */
extern const XTEST_SUITE KeQueuedLockSmpSuite; /* SELFTEST only: MCS hand-off order across processors */

#endif
