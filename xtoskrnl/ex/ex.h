/* The executive (Ex): handle tables (NT's ExCreateHandle / ExMapHandleToPointer / ExDestroyHandle), the Object
 * Manager's store of handles (issue 12). docs/objects.md describes the layout, the handle encoding and the locking. */
#ifndef XTOSKRNL_EX_EX_H
#define XTOSKRNL_EX_EX_H

#include <ke.h>
#include <xtbase.h>
#include <xtstatus.h>

/* Handle values: bits 0-1 are tag bits the table ignores; bits 2-23 the entry's index (handles in steps of 4, so a
 * fresh table hands out 4, 8, 12, ...); bits 24-30 how often the entry was closed before, modulo 128, so a stale
 * handle fails even when its entry was reused (up to 127 reuses; NT itself does not check); bit 31 and above are
 * the Object Manager's (kernel handles), never the table's: a handle with them set is invalid here. */
#define EX_HANDLE_INDEX_SHIFT    2
#define EX_HANDLE_INDEX_BITS     22
#define EX_HANDLE_SEQUENCE_SHIFT 24
#define EX_HANDLE_SEQUENCE_MASK  0x7Fu
#define EX_HANDLE_MAXIMUM_INDEX  ((1u << EX_HANDLE_INDEX_BITS) - 1)

/* The three-level layout: page-sized tables. Entry pages hold 256 entries of 16 bytes, slot 0 of each being the
 * page's own free-list header (NT likewise never hands out the first entry of a page); pointer pages hold page
 * pointers. The table code is the top table's address with the level (0, 1 or 2) in its low bits. */
#define EX_HANDLE_PAGE_SIZE         4096u
#define EX_HANDLE_ENTRIES_PER_PAGE  256u
#define EX_HANDLE_POINTERS_PER_PAGE ((ULONG)(EX_HANDLE_PAGE_SIZE / sizeof(PVOID)))
#define EX_HANDLE_MAXIMUM_PAGES     ((EX_HANDLE_MAXIMUM_INDEX + 1) / EX_HANDLE_ENTRIES_PER_PAGE)
#define EX_HANDLE_MAXIMUM_HANDLES   (EX_HANDLE_MAXIMUM_PAGES * (EX_HANDLE_ENTRIES_PER_PAGE - 1))
#define EX_HANDLE_LEVEL_MASK        3u

/* Entry attributes (EX_HANDLE_TABLE_ENTRY.Attributes). */
#define EX_HANDLE_INHERIT            0x0001
#define EX_HANDLE_PROTECT_FROM_CLOSE 0x0002
#define EX_HANDLE_VALID_ATTRIBUTES   0x0003

/* Object field: bit 0 set while a mapper holds the entry; objects are at least 8-byte aligned. */
#define EX_HANDLE_ENTRY_LOCKED ((ULONG_PTR)1)

typedef struct _EX_HANDLE_TABLE_ENTRY {
    union {
        struct {
            volatile ULONG_PTR Object; /* the object | EX_HANDLE_ENTRY_LOCKED; 0: a free entry */
            ACCESS_MASK GrantedAccess; /* a free entry: the next free slot of its page (0: none) */
            USHORT Sequence;           /* closes of this entry so far, modulo 128 */
            USHORT Attributes;         /* EX_HANDLE_INHERIT, EX_HANDLE_PROTECT_FROM_CLOSE */
        };
        struct {
            ULONG_PTR Zero;  /* slot 0 of an entry page: never an object */
            ULONG FirstFree; /* the page's first free slot (0: none) */
            ULONG FreeCount; /* free slots (of 255) */
        } Page;
        ULONGLONG Raw[2];
    };
} EX_HANDLE_TABLE_ENTRY, *PEX_HANDLE_TABLE_ENTRY;

STATIC_ASSERT(sizeof(EX_HANDLE_TABLE_ENTRY) == 16);
STATIC_ASSERT(EX_HANDLE_ENTRIES_PER_PAGE * sizeof(EX_HANDLE_TABLE_ENTRY) == EX_HANDLE_PAGE_SIZE);
STATIC_ASSERT(EX_HANDLE_PAGE_SIZE == MM_PAGE_SIZE);
STATIC_ASSERT(EX_HANDLE_MAXIMUM_PAGES <= (ULONGLONG)EX_HANDLE_POINTERS_PER_PAGE * EX_HANDLE_POINTERS_PER_PAGE);
STATIC_ASSERT(EX_HANDLE_SEQUENCE_SHIFT >= EX_HANDLE_INDEX_SHIFT + EX_HANDLE_INDEX_BITS);

/* Where a table's pages come from: page-sized, page-aligned blocks, callable at DISPATCH_LEVEL (the table allocates
 * under its lock). */
typedef struct _EX_HANDLE_TABLE_PAGES {
    PVOID (*Allocate)(PVOID Context);
    VOID (*Free)(PVOID Context, PVOID Page);
    PVOID Context;
} EX_HANDLE_TABLE_PAGES, *PEX_HANDLE_TABLE_PAGES;

#define EX_HANDLE_TABLE_SHRINKING 0x40000000 /* Readers: a shrink is freeing pages; mappers wait */

typedef struct _EX_HANDLE_TABLE {
    volatile ULONG_PTR TableCode; /* the top table | its level */
    volatile ULONG PageCount;     /* entry pages 0 .. PageCount - 1 exist */
    volatile LONG Readers;        /* entries mapped right now, | EX_HANDLE_TABLE_SHRINKING */
    KSPIN_LOCK Lock;              /* DISPATCH_LEVEL (in-stack queued): free lists, growth, shrinking, counts */
    ULONG HandleCount;
    ULONG TablePages; /* pages this table holds: entry pages and pointer pages */
    const EX_HANDLE_TABLE_PAGES *Pages;
    ULONGLONG FreeSummary[EX_HANDLE_MAXIMUM_PAGES / 64 / 64]; /* bit w: FreePageMap[w] is not 0 */
    ULONGLONG FreePageMap[EX_HANDLE_MAXIMUM_PAGES / 64];      /* bit p: entry page p has a free slot */
} EX_HANDLE_TABLE, *PEX_HANDLE_TABLE;

/* Called by ExDestroyHandleTable for each handle still open. */
typedef VOID (*PEX_DESTROY_HANDLE_ROUTINE)(PVOID Context, HANDLE Handle, PVOID Object, ACCESS_MASK GrantedAccess);

/* Makes Table empty with its first entry page (STATUS_NO_MEMORY without one). */
XTSTATUS ExInitializeHandleTable(PEX_HANDLE_TABLE Table, const EX_HANDLE_TABLE_PAGES *Pages);

/* Calls Routine (optional) for every open handle, then returns every page. No other use may be under way. */
VOID ExDestroyHandleTable(PEX_HANDLE_TABLE Table, PEX_DESTROY_HANDLE_ROUTINE Routine, PVOID Context);

/* A new handle for Object (non-NULL, 8-byte aligned) with GrantedAccess and Attributes (EX_HANDLE_*), at the lowest
 * free index; STATUS_INSUFFICIENT_RESOURCES when the table is full or a page cannot be had. RunLevel <= DISPATCH. */
XTSTATUS ExCreateHandle(PEX_HANDLE_TABLE Table, PVOID Object, ACCESS_MASK GrantedAccess, ULONG Attributes,
                        PHANDLE Handle);

/* The handle open at Index (its value with the entry's current sequence) into *Handle; FALSE when that slot is free
 * or beyond the table. Safe against every concurrent use (the mapper's protocol: pages are not freed under it); the
 * answer may be stale by the time the caller uses it, which the caller's own handle call then reports. */
BOOLEAN ExGetHandleAtIndex(PEX_HANDLE_TABLE Table, ULONG Index, PHANDLE Handle);

/* Out-of-line halves of the two calls below (handle.c): waiting out a shrink, and locking a contended entry. */
VOID ExpWaitForShrink(PEX_HANDLE_TABLE Table);
BOOLEAN ExpLockEntryContended(PEX_HANDLE_TABLE_ENTRY Entry);

/* Entry page Page of a table whose code is Code (the page must exist). */
XTFORCEINLINE PEX_HANDLE_TABLE_ENTRY ExpLocatePage(ULONG_PTR Code, ULONG Page) {
    PVOID *Top = (PVOID *)(Code & ~(ULONG_PTR)EX_HANDLE_LEVEL_MASK);

    switch (Code & EX_HANDLE_LEVEL_MASK) {
        case 0:
            return (PEX_HANDLE_TABLE_ENTRY)Top;
        case 1:
            return (PEX_HANDLE_TABLE_ENTRY)__atomic_load_n(&Top[Page], __ATOMIC_ACQUIRE);
        default: {
            PVOID *Middle = __atomic_load_n((PVOID **)&Top[Page / EX_HANDLE_POINTERS_PER_PAGE], __ATOMIC_ACQUIRE);
            return (PEX_HANDLE_TABLE_ENTRY)__atomic_load_n(&Middle[Page % EX_HANDLE_POINTERS_PER_PAGE],
                                                           __ATOMIC_ACQUIRE);
        }
    }
}

/* Releases an entry ExMapHandleToEntry returned. */
XTFORCEINLINE VOID ExUnlockHandleTableEntry(PEX_HANDLE_TABLE Table, PEX_HANDLE_TABLE_ENTRY Entry) {
    __atomic_store_n(&Entry->Object, Entry->Object & ~EX_HANDLE_ENTRY_LOCKED, __ATOMIC_RELEASE);
    __atomic_fetch_sub(&Table->Readers, 1, __ATOMIC_RELEASE);
}

/* The entry Handle names, locked (its object cannot be closed until ExUnlockHandleTableEntry), or NULL for a handle
 * that is not open (never was, closed, or closed and reused). Lookups are O(1) and take no table-wide lock: the
 * mapper counts itself in Readers (pages are not freed under it), reads the page count before the table code (a
 * counted page is reachable from the code it then reads) and locks the entry. Inline: the Object Manager's
 * reference by handle is benchmarked (docs/objects.md). */
XTFORCEINLINE PEX_HANDLE_TABLE_ENTRY ExMapHandleToEntry(PEX_HANDLE_TABLE Table, HANDLE Handle) {
    ULONG_PTR Value = (ULONG_PTR)Handle, Object;
    ULONG Index = (ULONG)(Value >> EX_HANDLE_INDEX_SHIFT) & EX_HANDLE_MAXIMUM_INDEX;
    ULONG Page = Index / EX_HANDLE_ENTRIES_PER_PAGE, Slot = Index % EX_HANDLE_ENTRIES_PER_PAGE;
    PEX_HANDLE_TABLE_ENTRY Entry;

    if ((Value >> 31) != 0 || Slot == 0) {
        return NULL;
    }
    if (__builtin_expect(__atomic_fetch_add(&Table->Readers, 1, __ATOMIC_SEQ_CST) & EX_HANDLE_TABLE_SHRINKING, 0)) {
        ExpWaitForShrink(Table);
    }
    if (Page >= __atomic_load_n(&Table->PageCount, __ATOMIC_ACQUIRE)) {
        goto Leave;
    }
    Entry = &ExpLocatePage(__atomic_load_n(&Table->TableCode, __ATOMIC_ACQUIRE), Page)[Slot];
    Object = __atomic_load_n(&Entry->Object, __ATOMIC_RELAXED);
    if (__builtin_expect(Object == 0 || (Object & EX_HANDLE_ENTRY_LOCKED) != 0 ||
                             !__atomic_compare_exchange_n(&Entry->Object, &Object, Object | EX_HANDLE_ENTRY_LOCKED,
                                                          FALSE, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED),
                         0) &&
        !ExpLockEntryContended(Entry)) {
        goto Leave;
    }
    if (__builtin_expect((Entry->Sequence & EX_HANDLE_SEQUENCE_MASK) !=
                             ((Value >> EX_HANDLE_SEQUENCE_SHIFT) & EX_HANDLE_SEQUENCE_MASK),
                         0)) {
        ExUnlockHandleTableEntry(Table, Entry); /* a stale handle: the entry was closed and reused since */
        return NULL;
    }
    return Entry;
Leave:
    __atomic_fetch_sub(&Table->Readers, 1, __ATOMIC_RELEASE);
    return NULL;
}

/* Closes Handle: *Object and *GrantedAccess (optional) receive what it held. STATUS_INVALID_HANDLE when it is not
 * open, STATUS_HANDLE_NOT_CLOSABLE when protected from close. Whole free trailing pages go back (one spare kept). */
XTSTATUS ExDestroyHandle(PEX_HANDLE_TABLE Table, HANDLE Handle, PVOID *Object, PACCESS_MASK GrantedAccess);

/* Consistency check of a quiet table (no mapped entries): free lists, counts, the free-page maps and the levels.
 * Returns the number of problems found (0: consistent). */
ULONG ExCheckHandleTable(PEX_HANDLE_TABLE Table);

#endif
