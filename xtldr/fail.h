/* XTLDR failure handling: the one place that reports a loader error and decides how the boot attempt ends.
 * Below the boot path and the entry file: it depends only on the console, never on its callers. */
#ifndef XTLDR_FAIL_H
#define XTLDR_FAIL_H

#include <xtbase.h>
#include <xtuefi.h>

/* Remembers the firmware services BlFail needs (the stall before returning to the boot manager). */
VOID BlFailInitialize(EFI_SYSTEM_TABLE *SystemTable);

/* Test support: TRUE when a failure should end the run through isa-debug-exit (QEMU status 39). */
VOID BlTestSetRequested(BOOLEAN Requested);
BOOLEAN BlTestRequested(VOID);

/* Reports a loader failure ("XTLDR: error: ...") and ends the boot attempt: exits QEMU when testing, halts once
 * boot services are gone, otherwise returns Status (after a pause) for the caller to hand back to the firmware. */
EFI_STATUS BlFail(EFI_STATUS Status, PCSTR Format, ...);

#endif
