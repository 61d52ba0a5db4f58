/* Binding of the paging mode, the generic page walk, and the HAL window of early physical mappings. */
#include <rtl.h>

#include <ar.h>
#include "mmhl.h"

static PCMMH_PAGE_MAP_OPS MmhpOps;
static BOOLEAN MmhpNoExecute;
static BOOLEAN MmhpWindowReady;
static ULONG_PTR MmhpWindowBits[RTL_BITMAP_WORDS(MM_HAL_WINDOW_PAGES)];
static RTL_BITMAP MmhpWindowMap;
static volatile LONG MmhpWindowLock; /* the bitmap of the shared pages: taken with interrupts off, any RunLevel */

/* The first page of the per-processor slots: MMH_PROCESSOR_SLOTS pages just below the never-mapped last page. */
#define MMH_FIRST_PROCESSOR_SLOT (MM_HAL_WINDOW_PAGES - 1 - MMH_PROCESSOR_SLOTS)

PCMMH_PAGE_MAP_OPS MmhFindPagingMode(ULONG Mode) {
    for (ULONG Index = 0; Index < MmhArchModeCount; Index++) {
        if (MmhArchModes[Index]->Mode == Mode) {
            return MmhArchModes[Index];
        }
    }
    return NULL;
}

MMH_MODE_CHECK MmhInitialize(PXT_INIT_BLOCK InitBlock, BOOLEAN NoExecute) {
    PCMMH_PAGE_MAP_OPS Ops = MmhFindPagingMode(InitBlock->PagingMode);
    ULONGLONG Efer;
    BOOLEAN EferPresent = ArReadEfer(&Efer);
    MMH_MODE_CHECK Check = MmhCheckPagingRegisters(Ops, ArReadCr0(), ArReadCr4(), Efer, EferPresent);

    if (Check != MmhModeOk) {
        return Check;
    }
    MmhpOps = Ops;
    MmhForgetPageTables();
    MmhpNoExecute = NoExecute && Ops->NoExecuteBit != 0;
    RtlInitializeBitMap(&MmhpWindowMap, MmhpWindowBits, MM_HAL_WINDOW_PAGES);
    RtlClearAllBits(&MmhpWindowMap);
    RtlSetBits(&MmhpWindowMap, MMH_FIRST_PROCESSOR_SLOT, MMH_PROCESSOR_SLOTS + 1); /* slots, never-mapped page */
    /* The window's page table: its level-2 entry (and everything above) must be present. */
    MmhpWindowReady = TRUE;
    for (ULONG Level = Ops->Levels; Level >= 2; Level--) {
        if (!(Ops->ReadEntry(Ops->GetEntryAddress(MmhHalWindowBase, Level)) & PTE_PRESENT)) {
            MmhpWindowReady = FALSE;
            break;
        }
    }
    return MmhModeOk;
}

VOID MmhFlushTlbEntry(ULONGLONG Va) {
    ArInvalidatePage((PCVOID)(ULONG_PTR)Va);
}

PCMMH_PAGE_MAP_OPS MmhGetPageMapOps(VOID) {
    return MmhpOps;
}

BOOLEAN MmhIsAddressValid(ULONGLONG Va) {
    ULONGLONG Entry;

    if (MmhpOps == NULL) {
        return FALSE;
    }
    for (ULONG Level = MmhpOps->Levels; Level >= 1; Level--) {
        Entry = MmhpOps->ReadEntry(MmhpOps->GetEntryAddress(Va, Level));
        if (!(Entry & PTE_PRESENT)) {
            return FALSE;
        }
        if (Level > 1 && (Entry & PTE_LARGE_PAGE)) {
            return TRUE;
        }
    }
    return TRUE;
}

BOOLEAN MmhIsNoExecuteActive(VOID) {
    return MmhpOps != NULL && MmhpNoExecute;
}

BOOLEAN MmhIsHalWindowReady(VOID) {
    return MmhpOps != NULL && MmhpWindowReady;
}

ULONG_PTR MmhGetUnmappedAddress(VOID) {
    return MmhHalWindowBase + (MM_HAL_WINDOW_PAGES - 1) * MM_PAGE_SIZE;
}

/* Takes the shared pages' bitmap lock with interrupts off (returns the flags to restore): held for a bitmap search
 * only, so a processor at any RunLevel, an interrupt handler included, can map; never held while a page is used. */
static ULONG_PTR MmhpLockWindow(VOID) {
    ULONG_PTR Flags = ArDisableInterrupts();

    while (__atomic_exchange_n(&MmhpWindowLock, 1, __ATOMIC_ACQUIRE)) {
        while (__atomic_load_n(&MmhpWindowLock, __ATOMIC_RELAXED)) {
            __asm__ volatile("pause");
        }
    }
    return Flags;
}

static VOID MmhpUnlockWindow(ULONG_PTR Flags) {
    __atomic_store_n(&MmhpWindowLock, 0, __ATOMIC_RELEASE);
    ArRestoreInterrupts(Flags);
}

/* Maps Length bytes from Address into free HAL window pages with the MMH_MAP_* Cache flag (0 or MMH_MAP_NO_CACHE). */
static XTSTATUS MmhpMapWindow(PHYSICAL_ADDRESS Address, SIZE_T Length, ULONG Cache, PVOID *Va) {
    ULONGLONG FirstPfn = Address >> MM_PAGE_SHIFT;
    ULONG_PTR Pages = (ULONG_PTR)(((Address & (MM_PAGE_SIZE - 1)) + Length + MM_PAGE_SIZE - 1) >> MM_PAGE_SHIFT);
    ULONG_PTR First, PageVa, Flags;

    *Va = NULL;
    if (!MmhIsHalWindowReady()) {
        return STATUS_NOT_FOUND;
    }
    if (Length == 0 || Pages >= MM_HAL_WINDOW_PAGES || FirstPfn + Pages - 1 > MmhpOps->MaxPfn) {
        return STATUS_INVALID_PARAMETER;
    }
    Flags = MmhpLockWindow();
    First = RtlFindClearBitsAndSet(&MmhpWindowMap, Pages, 0);
    MmhpUnlockWindow(Flags);
    if (First == RTL_BITMAP_NOT_FOUND) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    for (ULONG_PTR Page = 0; Page < Pages; Page++) {
        PageVa = MmhHalWindowBase + (First + Page) * MM_PAGE_SIZE;
        MmhpOps->WriteEntry(MmhpOps->GetEntryAddress(PageVa, 1),
                            MmhpOps->MakeLeafEntry(FirstPfn + Page, MMH_MAP_WRITABLE | Cache | MmhGetKernelMapFlags() |
                                                                        (MmhpNoExecute ? MMH_MAP_NO_EXECUTE : 0)));
        ArInvalidatePage((PCVOID)PageVa);
    }
    *Va = (PVOID)(MmhHalWindowBase + First * MM_PAGE_SIZE + (ULONG_PTR)(Address & (MM_PAGE_SIZE - 1)));
    return STATUS_SUCCESS;
}

XTSTATUS MmhMapPhysicalMemory(PHYSICAL_ADDRESS Address, SIZE_T Length, PVOID *Va) {
    return MmhpMapWindow(Address, Length, 0, Va);
}

XTSTATUS MmhMapDeviceMemory(PHYSICAL_ADDRESS Address, SIZE_T Length, PVOID *Va) {
    return MmhpMapWindow(Address, Length, MMH_MAP_NO_CACHE, Va);
}

VOID MmhUnmapPhysicalMemory(PVOID Va, SIZE_T Length) {
    ULONG_PTR Offset = (ULONG_PTR)Va - MmhHalWindowBase;
    ULONG_PTR First = Offset >> MM_PAGE_SHIFT;
    ULONG_PTR Pages = ((Offset & (MM_PAGE_SIZE - 1)) + Length + MM_PAGE_SIZE - 1) >> MM_PAGE_SHIFT;
    ULONG_PTR PageVa, Flags;

    if (MmhpOps == NULL || Va == NULL || First + Pages > MMH_FIRST_PROCESSOR_SLOT) {
        return;
    }
    for (ULONG_PTR Page = 0; Page < Pages; Page++) {
        PageVa = MmhHalWindowBase + (First + Page) * MM_PAGE_SIZE;
        MmhpOps->WriteEntry(MmhpOps->GetEntryAddress(PageVa, 1), 0);
        ArInvalidatePage((PCVOID)PageVa);
    }
    Flags = MmhpLockWindow();
    RtlClearBits(&MmhpWindowMap, First, Pages);
    MmhpUnlockWindow(Flags);
}

PVOID MmhMapProcessorPage(ULONG Processor, ULONGLONG Pfn) {
    ULONG_PTR PageVa = MmhHalWindowBase + (MMH_FIRST_PROCESSOR_SLOT + Processor) * MM_PAGE_SIZE;

    if (!MmhIsHalWindowReady() || Processor >= MMH_PROCESSOR_SLOTS || Pfn > MmhpOps->MaxPfn) {
        return NULL;
    }
    MmhpOps->WriteEntry(MmhpOps->GetEntryAddress(PageVa, 1),
                        MmhpOps->MakeLeafEntry(Pfn, MMH_MAP_WRITABLE | MmhGetKernelMapFlags() |
                                                        (MmhpNoExecute ? MMH_MAP_NO_EXECUTE : 0)));
    ArInvalidatePage((PCVOID)PageVa); /* whatever this processor cached for the slot before */
    return (PVOID)PageVa;
}

VOID MmhUnmapProcessorPage(ULONG Processor) {
    ULONG_PTR PageVa = MmhHalWindowBase + (MMH_FIRST_PROCESSOR_SLOT + Processor) * MM_PAGE_SIZE;

    if (MmhpOps == NULL || Processor >= MMH_PROCESSOR_SLOTS) {
        return;
    }
    MmhpOps->WriteEntry(MmhpOps->GetEntryAddress(PageVa, 1), 0);
    ArInvalidatePage((PCVOID)PageVa);
}
