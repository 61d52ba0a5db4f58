/* XTLDR boot path: from a validated kernel file to the kernel's first instruction. */
#ifndef XTLDR_BOOT_H
#define XTLDR_BOOT_H

#include <peimage.h>

#include "config.h"
#include "fail.h"
#include "gop.h"
#include "handoff.h"
#include "kaslr.h"
#include "memmap.h"
#include "paging.h"
#include "testmode.h"
#include "xtldr.h"

#define BL_KERNEL_STACK_PAGES 8
#define BL_PANIC_STACK_PAGES  4
#define BL_MAX_DESCRIPTORS    2048
#define BL_MAX_TABLE_FRAMES   1024

typedef struct _BL_KERNEL_FILE {
    PVOID Data;
    SIZE_T Size;
    PE_IMAGE_INFO Image;
    UCHAR Sha1[RTL_SHA1_DIGEST_SIZE];
} BL_KERNEL_FILE, *PBL_KERNEL_FILE;

/* Builds the kernel's address space and init block, exits boot services and jumps; returns only on failure. */
EFI_STATUS BlBootKernel(EFI_HANDLE ImageHandle, EFI_SYSTEM_TABLE *SystemTable, const BL_CONFIG *Config,
                        PBL_KERNEL_FILE Kernel);

/* Fills *Seed with 64 random bits from the best source this machine has; returns the BL_KASLR_SOURCE used
 * (never BlKaslrOff). */
ULONG BlGatherEntropy(EFI_SYSTEM_TABLE *SystemTable, const BL_CPU_INFO *Cpu, PULONGLONG Seed);

VOID BlFindFirmwareTables(EFI_SYSTEM_TABLE *SystemTable, PXT_INIT_BLOCK InitBlock);
/* Describes the GOP framebuffer in the firmware's current mode; XT_FRAMEBUFFER_NONE without a usable one. */
VOID BlFindFramebuffer(EFI_BOOT_SERVICES *BootServices, PXT_FRAMEBUFFER_INFO Framebuffer);

#endif
