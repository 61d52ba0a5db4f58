/* XTLDR test modes on the kernel's memory map (TESTPTDB, TESTDESCSTRIDE). */
#include <rtl.h>

#include "testmap.h"

/* Pages of a free descriptor the kernel's donor choice sees: below 4 GiB only when Low. */
static ULONGLONG BlpDonorPages(const XT_MEMORY_DESCRIPTOR *Descriptor, BOOLEAN Low) {
    ULONGLONG Top = Descriptor->BasePage + Descriptor->PageCount;
    if (Descriptor->MemoryType != LoaderFree) {
        return 0;
    }
    if (Low && Top > BL_TEST_LOW_PFN_LIMIT) {
        Top = Descriptor->BasePage < BL_TEST_LOW_PFN_LIMIT ? BL_TEST_LOW_PFN_LIMIT : Descriptor->BasePage;
    }
    return Top - Descriptor->BasePage;
}

/* TRUE when Descriptors[Chosen] is the range the kernel picks: strictly larger than every earlier free range, at
 * least as large as every later one. */
static BOOLEAN BlpIsDonor(const XT_MEMORY_DESCRIPTOR *Descriptors, ULONG Count, ULONG Chosen, BOOLEAN Low) {
    ULONGLONG Pages = BlpDonorPages(&Descriptors[Chosen], Low);
    for (ULONG Index = 0; Index < Count; Index++) {
        ULONGLONG Other = BlpDonorPages(&Descriptors[Index], Low);
        if ((Index < Chosen && Other >= Pages) || (Index > Chosen && Other > Pages)) {
            return FALSE;
        }
    }
    return TRUE;
}

/* Splits Descriptors[Index] at page Split into a free head and a LoaderFirmwareTemporary tail, merging the tail
 * into the next descriptor when that one is adjacent and of the same type. */
static XTSTATUS BlpSplitFreeRange(PXT_MEMORY_DESCRIPTOR Descriptors, PULONG Count, ULONG Capacity, ULONG Index,
                                  ULONGLONG Split) {
    PXT_MEMORY_DESCRIPTOR Range = &Descriptors[Index];
    ULONGLONG End = Range->BasePage + Range->PageCount;

    if (Split == End) {
        return STATUS_SUCCESS;
    }
    Range->PageCount = Split - Range->BasePage;
    if (Index + 1 < *Count && Descriptors[Index + 1].MemoryType == LoaderFirmwareTemporary &&
        Descriptors[Index + 1].BasePage == End) {
        Descriptors[Index + 1].BasePage = Split;
        Descriptors[Index + 1].PageCount += End - Split;
        return STATUS_SUCCESS;
    }
    if (*Count == Capacity) {
        Range->PageCount = End - Range->BasePage;
        return STATUS_BUFFER_TOO_SMALL;
    }
    for (ULONG Move = *Count; Move > Index + 1; Move--) {
        Descriptors[Move] = Descriptors[Move - 1];
    }
    Descriptors[Index + 1] = (XT_MEMORY_DESCRIPTOR){Split, End - Split, LoaderFirmwareTemporary, 0};
    (*Count)++;
    return STATUS_SUCCESS;
}

XTSTATUS BlTestPutFramesAtTop(PXT_MEMORY_DESCRIPTOR Descriptors, PULONG Count, ULONG Capacity, ULONGLONG First,
                              ULONGLONG Pages, PXT_MEMORY_DESCRIPTOR Range) {
    ULONGLONG Last = First + Pages;
    XTSTATUS Status;

    for (ULONG Index = 0; Index < *Count; Index++) {
        PXT_MEMORY_DESCRIPTOR Candidate = &Descriptors[Index];
        if (Candidate->MemoryType != LoaderFree || First < Candidate->BasePage ||
            Last > Candidate->BasePage + Candidate->PageCount || Pages == 0) {
            continue;
        }
        Status = BlpSplitFreeRange(Descriptors, Count, Capacity, Index, Last);
        if (!XT_SUCCESS(Status)) {
            return Status;
        }
        *Range = Descriptors[Index];
        return (BlpIsDonor(Descriptors, *Count, Index, FALSE) && BlpIsDonor(Descriptors, *Count, Index, TRUE))
                   ? STATUS_SUCCESS
                   : STATUS_UNSUCCESSFUL;
    }
    return STATUS_NOT_FOUND;
}

VOID BlTestSpreadDescriptors(PVOID Descriptors, ULONG Count, ULONG Stride, UCHAR Poison) {
    PUCHAR Bytes = Descriptors;

    /* From the last one down: each moves up, never over one not yet moved. */
    for (ULONG Index = Count; Index-- > 0;) {
        PUCHAR Target = Bytes + (SIZE_T)Index * Stride;
        XT_MEMORY_DESCRIPTOR Descriptor = ((PXT_MEMORY_DESCRIPTOR)Descriptors)[Index];
        RtlCopyMemory(Target, &Descriptor, sizeof(Descriptor));
        RtlFillMemory(Target + sizeof(Descriptor), Stride - sizeof(Descriptor), Poison);
    }
}

ULONGLONG BlTestCountRamPages(PCVOID Descriptors, ULONG Count, ULONG Stride) {
    ULONGLONG Pages = 0;

    for (ULONG Index = 0; Index < Count; Index++) {
        const XT_MEMORY_DESCRIPTOR *Descriptor =
            (const XT_MEMORY_DESCRIPTOR *)((const UCHAR *)Descriptors + (SIZE_T)Index * Stride);
        ULONG Type = Descriptor->MemoryType;
        if (Type != LoaderBad && Type != LoaderFirmwarePermanent && Type != LoaderSpecialMemory &&
            Type != LoaderXIPRom && Type < LoaderMaximum) {
            Pages += Descriptor->PageCount;
        }
    }
    return Pages;
}
