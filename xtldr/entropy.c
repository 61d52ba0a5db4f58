/* XTLDR entropy for KASLR: EFI_RNG_PROTOCOL when the firmware has it, else RDRAND, else a SHA-1 of time-stamp counter
 * readings, the firmware clock and the firmware memory map. */
#include <xtintrin.h>

#include "boot.h"

#define BLP_RDRAND_RETRIES 10 /* Intel's advice: a healthy generator fails 10 reads in a row only when broken */

/* 64 bits from the firmware's EFI_RNG_PROTOCOL (its default algorithm); FALSE when there is none or it fails. */
static BOOLEAN BlpEntropyFromRng(EFI_BOOT_SERVICES *BootServices, PULONGLONG Seed) {
    EFI_GUID Guid = EFI_RNG_PROTOCOL_GUID;
    PEFI_RNG_PROTOCOL Rng = NULL;
    UCHAR Bytes[sizeof(ULONGLONG)] = {0};

    if (BootServices->LocateProtocol(&Guid, NULL, (PVOID *)&Rng) != EFI_SUCCESS || Rng == NULL ||
        Rng->GetRNG(Rng, NULL, sizeof(Bytes), Bytes) != EFI_SUCCESS) {
        return FALSE;
    }
    RtlCopyMemory(Seed, Bytes, sizeof(*Seed));
    return TRUE;
}

/* 64 bits from two 32-bit RDRAND reads (the same instruction on both arches); FALSE without RDRAND or when it keeps
 * failing. */
static BOOLEAN BlpEntropyFromRdrand(const BL_CPU_INFO *Cpu, PULONGLONG Seed) {
    ULONG Half[2] = {0, 0};

    if (!(Cpu->Features & XT_CPU_FEATURE_RDRAND)) {
        return FALSE;
    }
    for (ULONG Index = 0; Index < ARRAY_SIZE(Half); Index++) {
        ULONG Try = 0;
        while (!ArReadRandom32(&Half[Index])) {
            if (++Try == BLP_RDRAND_RETRIES) {
                return FALSE;
            }
        }
    }
    *Seed = ((ULONGLONG)Half[1] << 32) | Half[0];
    return TRUE;
}

/* Hashes the firmware memory map into Context (skipped when it cannot be read). */
static VOID BlpHashMemoryMap(EFI_BOOT_SERVICES *BootServices, PRTL_SHA1_CONTEXT Context) {
    UINTN Size = 0, Key = 0, DescriptorSize = 0;
    ULONG Version = 0;
    PVOID Map = NULL;

    if (BootServices->GetMemoryMap(&Size, NULL, &Key, &DescriptorSize, &Version) != EFI_BUFFER_TOO_SMALL) {
        return;
    }
    Size += 8 * DescriptorSize; /* the allocation below may split a range */
    if (BootServices->AllocatePool(EfiLoaderData, Size, &Map) != EFI_SUCCESS) {
        return;
    }
    if (BootServices->GetMemoryMap(&Size, Map, &Key, &DescriptorSize, &Version) == EFI_SUCCESS) {
        RtlSha1Update(Context, Map, Size);
        RtlSha1Update(Context, &Key, sizeof(Key));
    }
    BootServices->FreePool(Map);
}

/* 64 bits of a SHA-1 over TSC readings (at loader entry and now), the firmware clock and the memory map: weak when
 * the TSC is predictable (QEMU -icount), but different from boot to boot on real clocks. */
static VOID BlpEntropyFromTimers(EFI_SYSTEM_TABLE *SystemTable, PULONGLONG Seed) {
    RTL_SHA1_CONTEXT Context;
    UCHAR Digest[RTL_SHA1_DIGEST_SIZE];
    ULONGLONG Stamp = ArReadTimeStampCounter();
    EFI_TIME Time;

    RtlSha1Init(&Context);
    RtlSha1Update(&Context, &BlEntryTimeStamp, sizeof(BlEntryTimeStamp));
    RtlSha1Update(&Context, &Stamp, sizeof(Stamp));
    RtlZeroMemory(&Time, sizeof(Time));
    if (SystemTable->RuntimeServices != NULL && SystemTable->RuntimeServices->GetTime(&Time, NULL) == EFI_SUCCESS) {
        RtlSha1Update(&Context, &Time, sizeof(Time));
    }
    BlpHashMemoryMap(SystemTable->BootServices, &Context);
    Stamp = ArReadTimeStampCounter();
    RtlSha1Update(&Context, &Stamp, sizeof(Stamp));
    RtlSha1Final(&Context, Digest);
    RtlCopyMemory(Seed, Digest, sizeof(*Seed));
}

ULONG BlGatherEntropy(EFI_SYSTEM_TABLE *SystemTable, const BL_CPU_INFO *Cpu, PULONGLONG Seed) {
    if (BlpEntropyFromRng(SystemTable->BootServices, Seed)) {
        return BlKaslrRng;
    }
    if (BlpEntropyFromRdrand(Cpu, Seed)) {
        return BlKaslrRdrand;
    }
    BlpEntropyFromTimers(SystemTable, Seed);
    return BlKaslrTsc;
}
