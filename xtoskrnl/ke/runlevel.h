/* The RunLevel rules (runlevel.c) over the arch's level register (ke/<arch>/runlevel.c; a model in host tests). */
#ifndef XTOSKRNL_KE_RUNLEVEL_H
#define XTOSKRNL_KE_RUNLEVEL_H

#include <ke.h>

/* Arch: the level register (amd64 CR8; i686 the software level, mirrored into the APIC TPR once it is up). */
KRUNLEVEL KiReadRunLevel(VOID);

/* Arch: writes the level register; the caller has checked Level <= HIGH_LEVEL. */
VOID KiWriteRunLevel(KRUNLEVEL Level);

#endif
