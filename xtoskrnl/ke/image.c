/* Kernel image: checks that XTLDR relocated the image for the base the init block names. KASLR loads the kernel away
 * from its link base, so every address the linker stored in data must have been rebased by the PE base relocations. */
#include <kd.h>
#include <xtpecoff.h>

#include "ki.h"

/* The linker's symbol at the image's first byte: its DOS header. */
extern const IMAGE_DOS_HEADER __ImageBase;

static ULONG KiImageProbeTarget;

/* Addresses the linker stores in .rdata: only the base relocations rebase them. Volatile, so the compiler reads them
 * from the image instead of computing the address in code (RIP-relative on amd64, which is always right). */
static ULONG (*const volatile KiImageProbeCode)(PXT_INIT_BLOCK) = KiVerifyImageRelocation;
static PULONG const volatile KiImageProbeData = &KiImageProbeTarget;

/* The ImageBase field of the image's own optional header, as the loader left it in memory. */
static ULONGLONG KiReadHeaderImageBase(ULONG_PTR Base) {
    const IMAGE_DOS_HEADER *Dos = (const IMAGE_DOS_HEADER *)Base;
    const UCHAR *Optional = (const UCHAR *)Base + Dos->e_lfanew + sizeof(ULONG) + sizeof(IMAGE_FILE_HEADER);
    ULONG Base32;
    ULONGLONG Base64;

    if (((const IMAGE_OPTIONAL_HEADER32 *)Optional)->Magic == IMAGE_NT_OPTIONAL_HDR32_MAGIC) {
        RtlCopyMemory(&Base32, Optional + offsetof(IMAGE_OPTIONAL_HEADER32, ImageBase), sizeof(Base32));
        return Base32;
    }
    RtlCopyMemory(&Base64, Optional + offsetof(IMAGE_OPTIONAL_HEADER64, ImageBase), sizeof(Base64));
    return Base64;
}

ULONG KiVerifyImageRelocation(PXT_INIT_BLOCK InitBlock) {
    ULONG_PTR Base = (ULONG_PTR)InitBlock->KernelVirtualBase;
    ULONG_PTR Linked = (ULONG_PTR)&__ImageBase; /* what the code itself takes as the image's first byte */
    const struct {
        PCSTR What;
        ULONG_PTR Found;
        ULONG_PTR Expected;
    } Checks[] = {
        {"image base seen by the code", Linked, Base},
        {"function pointer in data", (ULONG_PTR)KiImageProbeCode, Base + ((ULONG_PTR)KiVerifyImageRelocation - Linked)},
        {"data pointer in data", (ULONG_PTR)KiImageProbeData, Base + ((ULONG_PTR)&KiImageProbeTarget - Linked)},
        {"OptionalHeader.ImageBase", (ULONG_PTR)KiReadHeaderImageBase(Base), Base},
    };

    for (ULONG Index = 0; Index < ARRAY_SIZE(Checks); Index++) {
        if (Checks[Index].Found != Checks[Index].Expected) {
            KdStopPrint("KE: kernel image not relocated for its base 0x%p: %s is 0x%p, expected 0x%p\n", (PVOID)Base,
                        Checks[Index].What, (PVOID)Checks[Index].Found, (PVOID)Checks[Index].Expected);
            KeBugCheckEx(LOADER_BLOCK_MISMATCH, LOADER_BLOCK_RELOCATION, Checks[Index].Found, Checks[Index].Expected,
                         Index);
        }
    }
    return ARRAY_SIZE(Checks);
}
