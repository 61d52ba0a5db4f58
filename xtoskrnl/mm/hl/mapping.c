/* Page mappings through the self-map: any VA, with page tables created on demand. */
#include <rtl.h>

#include "mmhl.h"

/* PFN field of an entry of the bound mode. */
static ULONGLONG MmhpEntryPfn(PCMMH_PAGE_MAP_OPS Ops, ULONGLONG Entry) {
    return (Entry & (Ops->EntrySize == 4 ? PTE32_FRAME_MASK : PTE64_FRAME_MASK)) >> MM_PAGE_SHIFT;
}

/* The last page-table region (2 or 4 MiB of VA) whose tables were seen complete. Page tables are never freed, so
 * it stays valid until another hierarchy is bound (MmhForgetPageTables). Read without a lock by every processor: a
 * hint only (stored after the tables are installed, so a processor that sees it sees them). */
static volatile ULONG_PTR MmhpLastRegion = ~(ULONG_PTR)0;

/* Copies a new kernel-directory entry into every other address space (mm/space.c); NULL before there are any. */
static PMMH_KERNEL_ENTRY_HOOK MmhpKernelEntryHook;

/* MMH_MAP_GLOBAL for kernel leaves once PCIDs may be on (MmhSetGlobalKernelPages). */
static ULONG MmhpKernelMapFlags;

VOID MmhSetGlobalKernelPages(BOOLEAN Global) {
    MmhpKernelMapFlags = Global ? MMH_MAP_GLOBAL : 0;
}

ULONG MmhGetKernelMapFlags(VOID) {
    return MmhpKernelMapFlags;
}

VOID MmhSetKernelEntryHook(PMMH_KERNEL_ENTRY_HOOK Hook) {
    MmhpKernelEntryHook = Hook;
}

BOOLEAN MmhIsUserAddress(ULONGLONG Va) {
    PCMMH_PAGE_MAP_OPS Ops = MmhGetPageMapOps();

    return Ops != NULL && Va < (1ull << (Ops->VaBits - 1));
}

/* Tells the hook about an entry just installed at EntryVa when it is a kernel slot of the current space's kernel
 * directory (the table every address space holds its own copy of). */
static VOID MmhpAnnounceEntry(PCMMH_PAGE_MAP_OPS Ops, ULONGLONG EntryVa, ULONGLONG Entry) {
    ULONGLONG Directory =
        ALIGN_DOWN(Ops->GetEntryAddress(Ops->KernelDirectoryBase, Ops->Levels), (ULONGLONG)MM_PAGE_SIZE);
    ULONG Slot = (ULONG)((EntryVa - Directory) / Ops->EntrySize);

    if (MmhpKernelEntryHook != NULL && ALIGN_DOWN(EntryVa, (ULONGLONG)MM_PAGE_SIZE) == Directory &&
        Slot >= Ops->KernelFirstSlot) {
        MmhpKernelEntryHook(Slot, Entry);
    }
}

VOID MmhForgetPageTables(VOID) {
    __atomic_store_n(&MmhpLastRegion, ~(ULONG_PTR)0, __ATOMIC_RELEASE);
}

/* Va's region for MmhpLastRegion. */
static ULONG_PTR MmhpRegionOf(PCMMH_PAGE_MAP_OPS Ops, ULONGLONG Va) {
    return (ULONG_PTR)(Va >> (Ops->EntrySize == 4 ? 22 : 21));
}

/* Makes every table above Va's PTE present, taking new table frames from AllocateTable (zeroed frames: a table is
 * complete before its entry makes it visible to other processors' walks); *Created (optional) is set when the leaf
 * table itself was new. In the kernel the caller holds the PFN lock (docs/memory-manager.md "Locks"). */
static XTSTATUS MmhpEnsureTables(PCMMH_PAGE_MAP_OPS Ops, ULONGLONG Va, PMMH_ALLOCATE_FRAME AllocateTable, PVOID Context,
                                 PBOOLEAN Created) {
    ULONG_PTR Region = MmhpRegionOf(Ops, Va);
    BOOLEAN User = MmhIsUserAddress(Va); /* user tables differ per space: never in the cache */
    XTSTATUS Status = STATUS_SUCCESS;

    if (!User && Region == __atomic_load_n(&MmhpLastRegion, __ATOMIC_ACQUIRE)) {
        return STATUS_SUCCESS;
    }
    for (ULONG Level = Ops->Levels; Level >= 2 && XT_SUCCESS(Status); Level--) {
        ULONGLONG EntryVa = Ops->GetEntryAddress(Va, Level);
        ULONGLONG Entry = Ops->ReadEntry(EntryVa);
        ULONGLONG Table, TableVa;

        if (Entry & PTE_PRESENT) {
            Status = (Entry & PTE_LARGE_PAGE) ? STATUS_CONFLICTING_ADDRESSES : STATUS_SUCCESS;
            continue;
        }
        Table = AllocateTable ? AllocateTable(Context) : MMH_NO_FRAME;
        if (Table == MMH_NO_FRAME || Table > Ops->MaxPfn) {
            return STATUS_NO_MEMORY;
        }
        /* Tables stay writable and executable: the leaf decides. The new (already zeroed) table appears in the
         * self-map. */
        Ops->WriteEntry(EntryVa, Ops->MakeLeafEntry(Table, MMH_MAP_WRITABLE));
        if (!User) {
            MmhpAnnounceEntry(Ops, EntryVa, Ops->MakeLeafEntry(Table, MMH_MAP_WRITABLE));
        }
        TableVa = ALIGN_DOWN(Ops->GetEntryAddress(Va, Level - 1), (ULONGLONG)MM_PAGE_SIZE);
        MmhFlushTlbEntry(TableVa);
        if (Level == 2 && Created != NULL) {
            *Created = TRUE;
        }
    }
    if (XT_SUCCESS(Status) && !User) {
        __atomic_store_n(&MmhpLastRegion, Region, __ATOMIC_RELEASE);
    }
    return Status;
}

XTSTATUS MmhMapPage(ULONGLONG Va, ULONGLONG Pfn, ULONG Flags, PMMH_ALLOCATE_FRAME AllocateTable, PVOID Context) {
    PCMMH_PAGE_MAP_OPS Ops = MmhGetPageMapOps();
    ULONGLONG PteVa;
    XTSTATUS Status;

    if (Ops == NULL || Pfn > Ops->MaxPfn || (Va & (MM_PAGE_SIZE - 1))) {
        return STATUS_INVALID_PARAMETER;
    }
    /* The tables of the last region seen complete need no walk (the common case; keeps map+unmap short). */
    if (MmhIsUserAddress(Va) || MmhpRegionOf(Ops, Va) != __atomic_load_n(&MmhpLastRegion, __ATOMIC_ACQUIRE)) {
        Status = MmhpEnsureTables(Ops, Va, AllocateTable, Context, NULL);
        if (!XT_SUCCESS(Status)) {
            return Status;
        }
    }
    PteVa = Ops->GetEntryAddress(Va, 1);
    if (Ops->ReadEntry(PteVa) & PTE_PRESENT) {
        return STATUS_CONFLICTING_ADDRESSES;
    }
    if (!MmhIsNoExecuteActive()) {
        Flags &= ~MMH_MAP_NO_EXECUTE;
    }
    Flags = MmhIsUserAddress(Va) ? Flags & ~MMH_MAP_GLOBAL : Flags | MmhpKernelMapFlags;
    Ops->WriteEntry(PteVa, Ops->MakeLeafEntry(Pfn, Flags));
    MmhFlushTlbEntry(Va);
    return STATUS_SUCCESS;
}

ULONGLONG MmhQueryPage(ULONGLONG Va, PULONG Flags) {
    PCMMH_PAGE_MAP_OPS Ops = MmhGetPageMapOps();
    ULONGLONG Entry;

    if (Ops == NULL || !MmhIsAddressValid(Va)) {
        return MMH_NO_FRAME;
    }
    Entry = Ops->ReadEntry(Ops->GetEntryAddress(Va, 1));
    if (Flags) {
        *Flags = ((Entry & PTE_WRITABLE) ? MMH_MAP_WRITABLE : 0) |
                 ((Ops->NoExecuteBit && (Entry & Ops->NoExecuteBit)) ? MMH_MAP_NO_EXECUTE : 0) |
                 ((Entry & PTE_CACHE_DISABLE) ? MMH_MAP_NO_CACHE : 0);
    }
    return MmhpEntryPfn(Ops, Entry);
}

ULONGLONG MmhUnmapPage(ULONGLONG Va) {
    PCMMH_PAGE_MAP_OPS Ops = MmhGetPageMapOps();
    ULONGLONG Pfn = MmhQueryPage(Va, NULL);

    if (Pfn == MMH_NO_FRAME) {
        return MMH_NO_FRAME;
    }
    Ops->WriteEntry(Ops->GetEntryAddress(Va, 1), 0);
    MmhFlushTlbEntry(Va);
    return Pfn;
}

XTSTATUS MmhEnsurePageTables(ULONGLONG Va, PMMH_ALLOCATE_FRAME AllocateTable, PVOID Context, PBOOLEAN Created) {
    PCMMH_PAGE_MAP_OPS Ops = MmhGetPageMapOps();

    *Created = FALSE;
    if (Ops == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    return MmhpEnsureTables(Ops, Va, AllocateTable, Context, Created);
}

BOOLEAN MmhIsPageTablePresent(ULONGLONG Va) {
    PCMMH_PAGE_MAP_OPS Ops = MmhGetPageMapOps();
    ULONGLONG Entry;

    if (Ops == NULL) {
        return FALSE;
    }
    for (ULONG Level = Ops->Levels; Level >= 2; Level--) {
        Entry = Ops->ReadEntry(Ops->GetEntryAddress(Va, Level));
        if (!(Entry & PTE_PRESENT) || (Entry & PTE_LARGE_PAGE)) {
            return FALSE;
        }
    }
    return TRUE;
}

ULONGLONG MmhReadPte(ULONGLONG Va) {
    PCMMH_PAGE_MAP_OPS Ops = MmhGetPageMapOps();

    return Ops->ReadEntry(Ops->GetEntryAddress(Va, 1));
}

ULONGLONG MmhExchangePte(ULONGLONG Va, ULONGLONG Entry) {
    PCMMH_PAGE_MAP_OPS Ops = MmhGetPageMapOps();
    ULONGLONG EntryVa = Ops->GetEntryAddress(Va, 1), Old = Ops->ReadEntry(EntryVa);

    Ops->WriteEntry(EntryVa, Entry);
    return Old;
}

VOID MmhWritePte(ULONGLONG Va, ULONGLONG Entry) {
    PCMMH_PAGE_MAP_OPS Ops = MmhGetPageMapOps();

    Ops->WriteEntry(Ops->GetEntryAddress(Va, 1), Entry);
    MmhFlushTlbEntry(Va);
}
