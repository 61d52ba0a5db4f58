/* Non-paged pool: special pool. Each block sits at the end of its own pages, right against an unmapped guard page, so
 * an overrun past the last granule faults at once; the slack around the block is filled and checked on free. */
#include "poolp.h"

/* Bytes a special-pool block of Size bytes takes (granule aligned, at least one granule); 0 on overflow. */
static SIZE_T MiSpecialPoolSpan(SIZE_T Size) {
    SIZE_T Limit;

    /* Leave room for the rounding to granules and then to pages. */
    if (!XT_SUCCESS(RtlAddSizeT(Size, 2 * MM_PAGE_SIZE, &Limit))) {
        return 0;
    }
    return ALIGN_UP(Size + (Size == 0), MI_POOL_GRANULE);
}

ULONG_PTR MiSpecialPoolBase(PVOID Address, SIZE_T Size, PSIZE_T Pages) {
    SIZE_T Span = MiSpecialPoolSpan(Size);

    *Pages = (Span + MM_PAGE_SIZE - 1) >> MM_PAGE_SHIFT;
    return (ULONG_PTR)Address + Span - (*Pages << MM_PAGE_SHIFT);
}

/* The fill byte of the slack around the special-pool block at Address. */
static UCHAR MiSpecialPoolFill(PMI_POOL_DESCRIPTOR Pool, PVOID Address) {
    return (UCHAR)(MiPoolMix((ULONG_PTR)Address ^ Pool->Cookie) | 1);
}

PVOID MiAllocateSpecialPool(PMI_POOL_DESCRIPTOR Pool, SIZE_T Size, ULONG Tag) {
    SIZE_T Span = MiSpecialPoolSpan(Size);
    SIZE_T Pages = (Span + MM_PAGE_SIZE - 1) >> MM_PAGE_SHIFT;
    PUCHAR Base, Address;

    if (Span == 0) {
        return NULL;
    }
    Base = MiPoolAllocatePages(Pool, Pages, MM_SYSTEM_PAGES_GUARD_AFTER);
    if (Base == NULL) {
        return NULL;
    }
    Address = Base + (Pages << MM_PAGE_SHIFT) - Span;
    if (!MiInsertBigEntry(Pool, Address, Size, Tag, MI_POOL_BIG_SPECIAL)) {
        MiPoolFreePages(Pool, Base, Pages, MM_SYSTEM_PAGES_GUARD_AFTER);
        return NULL;
    }
    RtlFillMemory(Base, (SIZE_T)(Address - Base), MiSpecialPoolFill(Pool, Address));
    RtlFillMemory(Address + Size, Span - Size, MiSpecialPoolFill(Pool, Address));
    MiPoolCharge(Pool, Tag, Pages << MM_PAGE_SHIFT);
    return Address;
}

/* The first byte in [Start, Start + Length) that differs from Fill, or NULL. */
static PUCHAR MiFindChangedByte(PUCHAR Start, SIZE_T Length, UCHAR Fill) {
    SIZE_T Index;

    for (Index = 0; Index < Length; Index++) {
        if (Start[Index] != Fill) {
            return Start + Index;
        }
    }
    return NULL;
}

VOID MiFreeSpecialPool(PMI_POOL_DESCRIPTOR Pool, const MI_POOL_BIG_ENTRY *Entry) {
    PUCHAR Address = Entry->Address;
    SIZE_T Pages;
    PUCHAR Base = (PUCHAR)MiSpecialPoolBase(Address, Entry->Size, &Pages);
    UCHAR Fill = MiSpecialPoolFill(Pool, Address);
    PUCHAR Changed;

    Changed = MiFindChangedByte(Address + Entry->Size, MiSpecialPoolSpan(Entry->Size) - Entry->Size, Fill);
    if (Changed != NULL) {
        KeBugCheckEx(SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, (ULONG_PTR)Address, (ULONG_PTR)Changed, Entry->Size,
                     SPC_AFTER_BLOCK_CHANGED);
    }
    Changed = MiFindChangedByte(Base, (SIZE_T)(Address - Base), Fill);
    if (Changed != NULL) {
        KeBugCheckEx(SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, (ULONG_PTR)Address, (ULONG_PTR)Changed, Entry->Size,
                     SPC_BEFORE_BLOCK_CHANGED);
    }
    MiPoolFreePages(Pool, Base, Pages, MM_SYSTEM_PAGES_GUARD_AFTER);
}
