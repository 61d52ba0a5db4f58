/* Interrupt-storm protection (storm.c): a device line that fires continuously is masked at the I/O APIC, reported
 * once, and the system goes on. */
#ifndef XTOSKRNL_KE_STORM_H
#define XTOSKRNL_KE_STORM_H

#include <xtbase.h>

/* A storm: more than KI_STORM_BURST interrupts on one vector within KI_STORM_WINDOW_US microseconds of TSC time
 * (an average above 20 kHz). The fastest legitimate sources here stay far below: the CMOS RTC's fastest periodic
 * rate is 8192 Hz, the clock interrupt runs at CLOCK= Hz. The check costs an increment and a compare per interrupt;
 * the TSC is read once per burst. */
#define KI_STORM_BURST     1024
#define KI_STORM_WINDOW_US 51200

/* Counts an interrupt on Vector (from KiDispatchInterrupt, at the vector's RunLevel, before the EOI). When the burst
 * came too fast, masks every I/O APIC line carrying Vector (HlMaskInterruptVector) and reports it once per vector:
 * "KE: interrupt storm on vector 0x.. (GSI n): ... line masked". Vectors with no device line (self-IPIs, INT n) are
 * never masked nor reported. */
VOID KiCheckInterruptStorm(ULONG Vector);

/* How many storms were stopped on Vector (lines masked). */
ULONG KiGetInterruptStormCount(ULONG Vector);

/* TESTSTORM: drives a real storm with interrupts enabled - the CMOS RTC's interrupt output held asserted on a
 * level-triggered pin - and checks that it is caught, the line masked and the system live. Returns the number of
 * failed checks (printed). */
ULONG KiRunStormTest(VOID);

#endif
