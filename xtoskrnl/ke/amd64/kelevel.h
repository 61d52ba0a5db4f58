/* amd64 RunLevel values (design.md section 8, ExectOS's): CR8 holds the level, and a vector's upper nibble is the
 * level that masks it. */
#ifndef XTOSKRNL_KE_AMD64_KELEVEL_H
#define XTOSKRNL_KE_AMD64_KELEVEL_H

#define PASSIVE_LEVEL  0
#define LOW_LEVEL      0
#define APC_LEVEL      1
#define DISPATCH_LEVEL 2
#define CMCI_LEVEL     5
#define DEVICE1_LEVEL  6
#define DEVICE7_LEVEL  12
#define SYNC_LEVEL     12
#define CLOCK_LEVEL    13
#define IPI_LEVEL      14
#define POWER_LEVEL    14
#define PROFILE_LEVEL  15
#define HIGH_LEVEL     15

/* The software interrupts Ke requests from itself (self-IPIs): each is masked exactly at its level and above. */
#define APC_VECTOR 0x1F
#define DPC_VECTOR 0x2F

#endif
