/* i686 RunLevel values (design.md section 8, ExectOS's): the level maps to the local APIC's task priority through
 * a table (ke/i686/runlevel.c). */
#ifndef XTOSKRNL_KE_I686_KELEVEL_H
#define XTOSKRNL_KE_I686_KELEVEL_H

#define PASSIVE_LEVEL  0
#define LOW_LEVEL      0
#define APC_LEVEL      1
#define DISPATCH_LEVEL 2
#define CMCI_LEVEL     5
#define DEVICE1_LEVEL  6
#define DEVICE7_LEVEL  12
#define SYNC_LEVEL     27
#define PROFILE_LEVEL  27
#define CLOCK_LEVEL    28
#define IPI_LEVEL      29
#define POWER_LEVEL    30
#define HIGH_LEVEL     31

/* The software interrupts Ke requests from itself (self-IPIs): each is masked exactly at its level and above. */
#define APC_VECTOR 0x3D
#define DPC_VECTOR 0x41

#endif
