/* Non-paged pool internals: the pool descriptor, block and page layout, checks and STOP codes. Generic code: the
 * per-arch header layout comes from <poolarch.h> (amd64/ or i686/, chosen by the build). See docs/pool.md. */
#ifndef XTOSKRNL_MM_POOL_POOLP_H
#define XTOSKRNL_MM_POOL_POOLP_H

#include <pager.h>
#include <poolarch.h>
#include <ke.h>
#include <rtl.h>
#include <xtbugcode.h>
#include <xtintrin.h>

#include "pool.h"

/* ------------------------------------------------------------------------------------------------------------ */
/* Geometry                                                                                                     */
/* ------------------------------------------------------------------------------------------------------------ */

#define MI_POOL_GRANULE              ((SIZE_T)sizeof(POOL_HEADER))
#define MI_POOL_PAGE_HEADER_GRANULES 2
#define MI_POOL_PAGE_HEADER_BYTES    (MI_POOL_PAGE_HEADER_GRANULES * MI_POOL_GRANULE)
/* The whole usable part of a pool page, in granules (254 on amd64, 510 on i686). */
#define MI_POOL_PAGE_GRANULES ((ULONG)(MM_PAGE_SIZE / MI_POOL_GRANULE - MI_POOL_PAGE_HEADER_GRANULES))
/* Smallest block: the header and one granule (a free block's links, a lookaside link). */
#define MI_POOL_MIN_BLOCK 2
/* Largest request served from pool pages; above it, whole pages. */
#define MI_POOL_MAX_SMALL_SIZE ((SIZE_T)(MI_POOL_PAGE_GRANULES - 1) * MI_POOL_GRANULE)
#define MI_POOL_LIST_HEADS     (MI_POOL_PAGE_GRANULES + 1)
/* Lookaside lists for blocks of up to 512 bytes including the header (requests up to 496 / 504 bytes). */
#define MI_POOL_LOOKASIDE_GRANULES   ((ULONG)(512 / MI_POOL_GRANULE))
#define MI_POOL_LOOKASIDE_LIST_BYTES 32768
#define MI_POOL_LOOKASIDE_MAX_DEPTH  256
/* Completely free pages kept for reuse before pages go back to the pager. */
#define MI_POOL_EMPTY_PAGE_LIMIT 8
#define MI_POOL_TAG_TABLE_SHIFT  9
#define MI_POOL_TAG_TABLE_SIZE   (1u << MI_POOL_TAG_TABLE_SHIFT)
#define MI_POOL_TAG_TABLE_LIMIT  (MI_POOL_TAG_TABLE_SIZE * 7 / 8)
#define MI_POOL_OVERFLOW_TAG     MM_POOL_TAG('O', 'v', 'f', 'l')
#define MI_POOL_PAGE_MAGIC       ((ULONG_PTR)0x506F6F6C50616765ULL) /* "PoolPage" (truncated on i686) */

STATIC_ASSERT(MI_POOL_GRANULE == ((SIZE_T)1 << MI_POOL_GRANULE_SHIFT));
STATIC_ASSERT(MI_POOL_GRANULE == 2 * sizeof(PVOID));
STATIC_ASSERT(MI_POOL_PAGE_GRANULES < (1u << MI_POOL_SIZE_BITS));
STATIC_ASSERT(MI_POOL_PAGE_GRANULES == (sizeof(PVOID) == 8 ? 254 : 510));
STATIC_ASSERT(MI_POOL_LOOKASIDE_GRANULES < MI_POOL_PAGE_GRANULES);

/* Block states (POOL_HEADER.PoolType). */
#define MI_POOL_BLOCK_FREE      0x00 /* on a per-size free list; PoolTag holds the keyed check of its links */
#define MI_POOL_BLOCK_IN_USE    0x01 /* NonPagedPool + 1 */
#define MI_POOL_BLOCK_LOOKASIDE 0x41 /* freed by its owner, held by a lookaside list; PoolTag keeps the old tag */

/* The first bytes of every page carved into blocks. */
typedef struct _MI_POOL_PAGE {
    ULONG_PTR Signature; /* MiPoolPageSignature(): a page of this pool */
    LIST_ENTRY PageLinks;
    ULONG_PTR Reserved;
} MI_POOL_PAGE, *PMI_POOL_PAGE;

STATIC_ASSERT(sizeof(MI_POOL_PAGE) == MI_POOL_PAGE_HEADER_BYTES);

/* The body of a free block (and a list head): links to the bodies of the neighbouring free blocks. */
typedef struct _MI_POOL_FREE_LINKS {
    struct _MI_POOL_FREE_LINKS *Flink;
    struct _MI_POOL_FREE_LINKS *Blink;
} MI_POOL_FREE_LINKS, *PMI_POOL_FREE_LINKS;

/* The body of a block on a lookaside list. */
typedef struct _MI_POOL_LOOKASIDE_LINK {
    struct _MI_POOL_LOOKASIDE_LINK *Next;
    ULONG_PTR Check; /* keyed digest of Next and the link's address */
} MI_POOL_LOOKASIDE_LINK, *PMI_POOL_LOOKASIDE_LINK;

STATIC_ASSERT(sizeof(MI_POOL_FREE_LINKS) <= (MI_POOL_MIN_BLOCK - 1) * MI_POOL_GRANULE);
STATIC_ASSERT(sizeof(MI_POOL_LOOKASIDE_LINK) <= (MI_POOL_MIN_BLOCK - 1) * MI_POOL_GRANULE);

typedef struct _MI_POOL_LOOKASIDE {
    PMI_POOL_LOOKASIDE_LINK Head;
    ULONG Depth;
    ULONG MaximumDepth;
} MI_POOL_LOOKASIDE, *PMI_POOL_LOOKASIDE;

typedef struct _MI_POOL_TAG_ENTRY {
    ULONGLONG Key; /* 0: empty slot; otherwise the tag | 1 << 32 */
    ULONG_PTR Allocations;
    ULONG_PTR Frees;
    SIZE_T BytesInUse;
    SIZE_T CheckBytes;     /* consistency checker scratch */
    ULONG_PTR CheckBlocks; /* consistency checker scratch */
} MI_POOL_TAG_ENTRY, *PMI_POOL_TAG_ENTRY;

/* A tag's key in the shared table. The fast paths compare MI_POOL_SLOT_KEY (poolarch.h: the arch's cheapest form). */
#define MI_POOL_TAG_KEY(Tag) ((ULONGLONG)(Tag) | (1ULL << 32))

/* One page-sized (or special pool) allocation. Address NULL: empty slot. */
typedef struct _MI_POOL_BIG_ENTRY {
    PVOID Address;
    SIZE_T Size; /* bytes requested */
    ULONG Tag;
    ULONG Flags;
} MI_POOL_BIG_ENTRY, *PMI_POOL_BIG_ENTRY;

#define MI_POOL_BIG_SPECIAL 0x1 /* special pool: at the end of its pages, guard page after */

/* The big-run cache (docs/pool.md "Page-sized allocations and the run cache"): freed page-sized allocations of up to
 * MI_POOL_BIG_CACHE_MAX_PAGES pages keep their mapping and wait, out of the big table, on the list of their page
 * count, at most MI_POOL_BIG_CACHE_LIMIT pages in all (non-paged pools only). A cached run's first bytes hold this
 * record: a keyed link and a keyed fill, checked when the run is taken again (a write after free) and by the checker.
 */
#define MI_POOL_BIG_CACHE_MAX_PAGES 16
#define MI_POOL_BIG_CACHE_LIMIT     64
#define MI_POOL_BIG_RUN_FILL        6

typedef struct _MI_POOL_BIG_RUN {
    struct _MI_POOL_BIG_RUN *Next;
    ULONG_PTR Check;                      /* Next ^ Pages ^ &Check ^ cookie */
    ULONG_PTR Fill[MI_POOL_BIG_RUN_FILL]; /* &Fill[i] ^ cookie */
} MI_POOL_BIG_RUN, *PMI_POOL_BIG_RUN;

STATIC_ASSERT(sizeof(MI_POOL_BIG_RUN) <= MM_PAGE_SIZE);

/* ---- The per-processor layer (docs/pool.md "Per-processor lookaside lists") ----
 * Each processor has its own lookaside lists for the small sizes of a non-paged pool and its own per-tag counter
 * cache, on lines no other processor writes. Only their processor touches them, with interrupts off (the kernel) or
 * under the pool lock at DISPATCH_LEVEL: no lock, no interlocked instruction. A header's first word and check are
 * written only under the pool lock (the lock holder rewrites PreviousSize when a neighbour changes); its tag only by
 * the block's owner, and the check does not cover it (docs/pool.md "Keyed headers"): a lock-free pop retags. A block
 * on such a list stays in use, its tag a keyed mark of its address (MiPoolParkedTag), its body a keyed link. */
/* Every small size has a per-processor list, indexed by its granules: blocks up to 512 bytes by their exact size,
 * larger requests rounded up to a size class (a multiple of MI_POOL_PP_CLASS_GRANULES, the last class the page
 * maximum), so that blocks of few sizes circulate. A block of a size that is no class (a split that absorbed a
 * remainder) has a maximum depth of 0: its free takes the locked path. */
#define MI_POOL_PP_MAX_GRANULES     MI_POOL_PAGE_GRANULES
#define MI_POOL_PP_LISTS            (MI_POOL_PP_MAX_GRANULES + 1)
#define MI_POOL_PP_CLASS_BYTES      256
#define MI_POOL_PP_CLASS_GRANULES   ((ULONG)(MI_POOL_PP_CLASS_BYTES / MI_POOL_GRANULE))
#define MI_POOL_PP_LIST_BYTES       16384 /* a list's depth up to 512 B: min(MI_POOL_PP_MAX_DEPTH, this / block size) */
#define MI_POOL_PP_CLASS_LIST_BYTES 8192  /* the same for the classes above 512 B */
#define MI_POOL_PP_MAX_DEPTH        128
#define MI_POOL_PP_TAG_SHIFT        5 /* 32 sets of two slots (2-way associative) */
#define MI_POOL_PP_TAGS             (2u << MI_POOL_PP_TAG_SHIFT)

/* One tag's counts on one processor since the slot took it (flushed into the shared entry when the slot changes). */
typedef struct __attribute__((aligned(16))) _MI_POOL_PP_TAG {
    ULONGLONG Key; /* MI_POOL_SLOT_KEY(tag), or 0: empty; the tag's entry in the shared table exists */
    ULONG_PTR Allocations;
    ULONG_PTR Frees;
    SIZE_T Granules; /* allocated minus freed granules (wraps: summed with the shared entry's bytes, times a granule) */
} MI_POOL_PP_TAG, *PMI_POOL_PP_TAG;

/* 32 bytes: a slot's offset in its set is a shift of the tag hash, and the fast paths address a slot's fields from the
 * processor block's base. */
STATIC_ASSERT(sizeof(MI_POOL_PP_TAG) == 32);

typedef struct __attribute__((aligned(64))) _MI_POOL_PROCESSOR {
    PMI_POOL_LOOKASIDE_LINK Head[MI_POOL_PP_LISTS]; /* parked blocks of each size, whatever their last tag */
    UCHAR Depth[MI_POOL_PP_LISTS];                  /* blocks on each list */
    UCHAR MaximumDepth[MI_POOL_PP_LISTS]; /* the pool's list depths (0: no list), copied here for the fast paths */
    MI_POOL_PP_TAG Tags[MI_POOL_PP_TAGS]; /* also the pool-wide Allocations and Frees served here */
} MI_POOL_PROCESSOR, *PMI_POOL_PROCESSOR;

STATIC_ASSERT(sizeof(MI_POOL_PROCESSOR) % 64 == 0);
STATIC_ASSERT(MI_POOL_PP_MAX_DEPTH <= 255);
STATIC_ASSERT((MI_POOL_PP_CLASS_GRANULES & (MI_POOL_PP_CLASS_GRANULES - 1)) == 0);
STATIC_ASSERT(MI_POOL_LOOKASIDE_GRANULES % MI_POOL_PP_CLASS_GRANULES == 0);

/* How a pool is serialised (docs/pool.md "Locks"). */
#define MI_POOL_LOCK_PRIVATE 0 /* an in-stack queued spin lock on SpinLock (raises to DISPATCH_LEVEL) */
#define MI_POOL_LOCK_SYSTEM  1 /* the numbered queued lock LockQueueNonPagedPoolLock (raises to DISPATCH_LEVEL) */
#define MI_POOL_LOCK_PAGED   2 /* raises to APC_LEVEL only, then a keyed (sleeping) mutex in SpinLock */

/* What a lock holder keeps on its stack. */
typedef struct _MI_POOL_LOCK_HANDLE {
    KLOCK_QUEUE_HANDLE Queue; /* the in-stack entry (private pools; the system pool on host builds) */
    KRUNLEVEL OldRunLevel;
} MI_POOL_LOCK_HANDLE, *PMI_POOL_LOCK_HANDLE;

/* A pool: the system's non-paged and paged pools are two; tests make private ones. Everything from Lookaside on is
 * guarded by the pool lock (the per-processor blocks are their processors'). The first line is read by every
 * processor's lock-free path and written only at initialisation (and by MiSetSpecialPoolTag); the lock word and the
 * guarded fields start on lines of their own, so a lock holder's writes never invalidate it. */
typedef struct _MI_POOL_DESCRIPTOR {
    ULONG_PTR Cookie;
    ULONG_PTR RetireKey; /* XORed into a lookaside link's check when its block leaves the list (keyed, top bit set) */
    ULONGLONG SpecialTagKey; /* MI_POOL_SLOT_KEY(special tag), or 0: no special pool */
    KRUNLEVEL LockLevel;     /* the RunLevel the lock raises to: DISPATCH_LEVEL (non-paged) or APC_LEVEL (paged) */
    UCHAR LockKind;          /* MI_POOL_LOCK_* */
    BOOLEAN PerProcessor;    /* per-processor lookasides: Processors is not NULL */
    UCHAR PoolType;          /* MM_POOL_TYPE this pool serves */
    ULONG ProcessorCount;    /* blocks at Processors (0 without): at least every processor that may use the pool */
    const MM_POOL_PAGE_SOURCE *Pages; /* where whole pages come from (system pages, or paged-pool pages) */
    /* This pool's per-processor blocks, indexed by processor number, the creator's (docs/pool.md "Per-processor
     * lookaside lists"); NULL: no per-processor lists (the paged pool). */
    PMI_POOL_PROCESSOR Processors;
    UCHAR MaximumDepth[MI_POOL_PP_LISTS]; /* per-processor list depths, 0: no list (read-only after initialisation) */
    KSPIN_LOCK SpinLock __attribute__((aligned(64))); /* MI_POOL_LOCK_PRIVATE and MI_POOL_LOCK_PAGED */
    MI_POOL_LOOKASIDE Lookaside[MI_POOL_LOOKASIDE_GRANULES + 1] __attribute__((aligned(64)));
    MI_POOL_FREE_LINKS ListHeads[MI_POOL_LIST_HEADS];
    SIZE_T ListCounts[MI_POOL_LIST_HEADS];
    ULONG_PTR NonEmptyLists[RTL_BITMAP_WORDS(MI_POOL_LIST_HEADS)];
    LIST_ENTRY PageList;
    SIZE_T SmallPages;
    SIZE_T EmptyPages;
    SIZE_T FreeBlocks;
    SIZE_T LookasideBlocks; /* on the shared lookaside lists (the per-processor ones count their own) */
    PMI_POOL_BIG_ENTRY BigTable;
    SIZE_T BigCapacity; /* a power of two, or 0 before the first big allocation */
    SIZE_T BigCount;
    SIZE_T BigPages;
    PMI_POOL_BIG_RUN BigCache[MI_POOL_BIG_CACHE_MAX_PAGES + 1]; /* cached runs by page count (index 0 unused) */
    SIZE_T BigCachedRuns;
    SIZE_T BigCachedPages; /* at most MI_POOL_BIG_CACHE_LIMIT; always 0 in a paged pool (no cache) */
    ULONG_PTR Allocations; /* under the lock, and flushed tag slots (the per-processor slots count their own) */
    ULONG_PTR Frees;
    ULONG_PTR FailedAllocations;
    ULONG TagsUsed;
    MI_POOL_TAG_ENTRY OverflowTag;
    MI_POOL_TAG_ENTRY Tags[MI_POOL_TAG_TABLE_SIZE];
    SIZE_T CheckCounts[MI_POOL_LIST_HEADS]; /* consistency checker scratch */
} MI_POOL_DESCRIPTOR, *PMI_POOL_DESCRIPTOR;

/* Read by the lock-free paths: on the descriptor's first line. */
STATIC_ASSERT(__builtin_offsetof(MI_POOL_DESCRIPTOR, Processors) + sizeof(PVOID) <= 64);

/* ------------------------------------------------------------------------------------------------------------ */
/* Inline helpers                                                                                               */
/* ------------------------------------------------------------------------------------------------------------ */

/* Takes the pool's lock (MI_POOL_LOCK_*); Handle stays on the caller's stack until MiReleasePoolLock. Non-paged:
 * an MCS queued lock at DISPATCH_LEVEL, the system pool's through this processor's KPRCB entry. Paged: NT's guarded
 * mutex: APC_LEVEL, then in the kernel a sleeping mutex in the lock word (KeAcquireKeyedMutex: a holder may be
 * pre-empted or wait for its page faults; the others sleep instead of spinning). Host models (threads that are
 * processors, no dispatcher) spin on the same word as a test-and-set lock. */
XTINLINE VOID MiAcquirePoolLock(PMI_POOL_DESCRIPTOR Pool, PMI_POOL_LOCK_HANDLE Handle) {
    ULONG_PTR Expected;

    if (Pool->LockKind == MI_POOL_LOCK_PAGED) {
        Handle->OldRunLevel = KeRaiseRunLevel(APC_LEVEL);
#ifndef XTOS_HOST_RUNLEVEL_MODEL
        (VOID) Expected;
        KeAcquireKeyedMutex(&Pool->SpinLock);
        return;
#endif
        for (;;) {
            Expected = 0;
            if (__atomic_compare_exchange_n(&Pool->SpinLock, &Expected, 1, FALSE, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
                return;
            }
            while (__atomic_load_n(&Pool->SpinLock, __ATOMIC_RELAXED) != 0) {
                KeYieldProcessor();
            }
        }
    }
#ifndef XTOS_HOST_RUNLEVEL_MODEL
    if (Pool->LockKind == MI_POOL_LOCK_SYSTEM) {
        Handle->OldRunLevel = KeAcquireQueuedSpinLock(LockQueueNonPagedPoolLock);
        return;
    }
#endif
    /* Private pools; on host builds (no KPRCB) the system pool queues an in-stack entry on the same numbered lock. */
    KeAcquireInStackQueuedSpinLock(
        Pool->LockKind == MI_POOL_LOCK_SYSTEM ? KeGetQueuedSpinLock(LockQueueNonPagedPoolLock) : &Pool->SpinLock,
        &Handle->Queue);
    Handle->OldRunLevel = Handle->Queue.OldRunLevel;
}

XTINLINE VOID MiReleasePoolLock(PMI_POOL_DESCRIPTOR Pool, PMI_POOL_LOCK_HANDLE Handle) {
    if (Pool->LockKind == MI_POOL_LOCK_PAGED) {
#ifndef XTOS_HOST_RUNLEVEL_MODEL
        KeReleaseKeyedMutex(&Pool->SpinLock);
#else
        __atomic_store_n(&Pool->SpinLock, 0, __ATOMIC_RELEASE);
#endif
        KeLowerRunLevel(Handle->OldRunLevel);
        return;
    }
#ifndef XTOS_HOST_RUNLEVEL_MODEL
    if (Pool->LockKind == MI_POOL_LOCK_SYSTEM) {
        KeReleaseQueuedSpinLock(LockQueueNonPagedPoolLock, Handle->OldRunLevel);
        return;
    }
#endif
    KeReleaseInStackQueuedSpinLock(&Handle->Queue);
}

/* Makes this processor's per-processor state of a pool exclusively its own for a moment; Current is the RunLevel the
 * caller read and found at or below DISPATCH_LEVEL. amd64: a raise to DISPATCH_LEVEL from Current (one CR8 move each
 * way: no DPC, no thread switch can come between, and an interrupt above DISPATCH_LEVEL cannot use the pool); i686:
 * interrupts off (a level write costs more there: KE_RUNLEVEL_WRITE_IS_CHEAP); host models: a raise to
 * DISPATCH_LEVEL (a thread is a processor there and nothing interrupts it). */
#ifdef XTOS_HOST_RUNLEVEL_MODEL
XTFORCEINLINE ULONG_PTR MiPoolEnterProcessor(KRUNLEVEL Current) {
    (VOID) Current;
    return KeRaiseRunLevel(DISPATCH_LEVEL);
}
XTFORCEINLINE VOID MiPoolLeaveProcessor(ULONG_PTR State) {
    KeLowerRunLevel((KRUNLEVEL)State);
}
#else
XTFORCEINLINE ULONG_PTR MiPoolEnterProcessor(KRUNLEVEL Current) {
    if (KE_RUNLEVEL_WRITE_IS_CHEAP) {
        KeRaiseRunLevelFromKnown(Current);
        return Current;
    }
    return ArDisableInterrupts();
}
XTFORCEINLINE VOID MiPoolLeaveProcessor(ULONG_PTR State) {
    if (KE_RUNLEVEL_WRITE_IS_CHEAP) {
        KeLowerRunLevelToKnown((KRUNLEVEL)State);
        return;
    }
    ArRestoreInterrupts(State);
}
#endif

/* This processor's per-processor state of Pool, which has per-processor lists (inside MiPoolEnterProcessor or under
 * the pool lock). Unchecked: the blocks cover every processor that may use the pool (MiInitializePoolEx). */
XTFORCEINLINE PMI_POOL_PROCESSOR MiPoolCurrentProcessor(PMI_POOL_DESCRIPTOR Pool) {
    ULONG Number = KeGetCurrentProcessorNumber();
    /* The number first: the block pointer is then an operand of the add (read before the number, it took a register
     * and an add of its own on i686). */
    PMI_POOL_PROCESSOR Processor = Pool->Processors + Number;

    /* One base register for everything the fast paths touch in the block (the compiler would otherwise keep the pool
     * and the block's offset apart and derive a pointer for each array). */
    __asm__("" : "+r"(Processor));
    return Processor;
}

/* The first of the two per-processor tag slots Tag may use (the set; the other slot is the next one). */
XTFORCEINLINE ULONG MiPoolTagSlot(ULONG Tag) {
    return ((ULONG)(Tag * 0x9E3779B1u) >> (32 - MI_POOL_PP_TAG_SHIFT)) * 2;
}

/* The byte offset in MI_POOL_PROCESSOR.Tags of the first of Tag's two slots, and the slot at such an offset: the fast
 * paths address a slot from the block's base (a pointer to it would take a register and two instructions). */
XTFORCEINLINE ULONG_PTR MiPoolTagSlotOffset(ULONG Tag) {
    ULONG_PTR Offset = (ULONG_PTR)MiPoolTagSlot(Tag) * sizeof(MI_POOL_PP_TAG);

    __asm__("" : "+r"(Offset));
    return Offset;
}
#define MI_POOL_SLOT_AT(Processor, Offset) ((PMI_POOL_PP_TAG)((PUCHAR)(Processor)->Tags + (Offset)))

/* The first slot of Tag's set on Processor (the second is the next one). */
XTFORCEINLINE PMI_POOL_PP_TAG MiPoolTagSet(PMI_POOL_PROCESSOR Processor, ULONG Tag) {
    return &Processor->Tags[MiPoolTagSlot(Tag)];
}

/* TRUE when Processor has a slot bound to Tag; *Offset is then its MI_POOL_SLOT_AT offset. The first slot of the set
 * is compared first (the locked path moves the tag it serves there). */
XTFORCEINLINE BOOLEAN MiPoolFindTagSlot(PMI_POOL_PROCESSOR Processor, ULONG Tag, PULONG_PTR Offset) {
    *Offset = MiPoolTagSlotOffset(Tag);
    if (__builtin_expect(MiPoolSlotKeyIs(&MI_POOL_SLOT_AT(Processor, *Offset)->Key, Tag), 1)) {
        return TRUE;
    }
    *Offset += sizeof(MI_POOL_PP_TAG);
    return MiPoolSlotKeyIs(&MI_POOL_SLOT_AT(Processor, *Offset)->Key, Tag);
}

/* Whole pages for Pool from its page source (MM_SYSTEM_PAGES_* Flags); NULL when there are none. */
XTINLINE PVOID MiPoolAllocatePages(PMI_POOL_DESCRIPTOR Pool, SIZE_T Count, ULONG Flags) {
    return Pool->Pages->AllocatePages(Count, Flags);
}
XTINLINE VOID MiPoolFreePages(PMI_POOL_DESCRIPTOR Pool, PVOID Address, SIZE_T Count, ULONG Flags) {
    Pool->Pages->FreePages(Address, Count, Flags);
}

XTINLINE ULONG_PTR MiPoolPageOf(PCVOID Address) {
    return (ULONG_PTR)Address & ~(ULONG_PTR)(MM_PAGE_SIZE - 1);
}

/* The signature a page of Pool carries in MI_POOL_PAGE.Signature. */
XTINLINE ULONG_PTR MiPoolPageSignature(const MI_POOL_DESCRIPTOR *Pool, ULONG_PTR Page) {
    return MiPoolMix(Page ^ Pool->Cookie ^ (ULONG_PTR)Pool ^ MI_POOL_PAGE_MAGIC);
}

/* The header Granules granules after Header. */
XTINLINE PPOOL_HEADER MiPoolHeaderAt(PPOOL_HEADER Header, LONG_PTR Granules) {
    return (PPOOL_HEADER)((PUCHAR)Header + Granules * (LONG_PTR)MI_POOL_GRANULE);
}

/* TRUE when the block at Header ends exactly at its page's end (no next neighbour). */
XTINLINE BOOLEAN MiPoolBlockEndsPage(const POOL_HEADER *Header, ULONG BlockSize) {
    return (BOOLEAN)((((ULONG_PTR)Header + ((ULONG_PTR)BlockSize << MI_POOL_GRANULE_SHIFT)) & (MM_PAGE_SIZE - 1)) == 0);
}

/* The block size (granules) a small request of Granules granules gets on a pool with per-processor lists: itself up to
 * 512 bytes, above that the next size class (the last class is the page maximum). */
XTFORCEINLINE ULONG_PTR MiPoolClassGranules(ULONG_PTR Granules) {
    if (Granules > MI_POOL_LOOKASIDE_GRANULES) {
        Granules = (Granules + MI_POOL_PP_CLASS_GRANULES - 1) & ~(MI_POOL_PP_CLASS_GRANULES - 1);
        Granules = Granules < MI_POOL_PAGE_GRANULES ? Granules : MI_POOL_PAGE_GRANULES;
    }
    return Granules;
}

/* The upper half of the first header word of an in-use block of Granules: its size and state (PreviousSize and the
 * i686 check, in the lower half, are the lock holder's to rewrite). */
#define MI_POOL_SIZE_STATE(Granules) ((ULONG)(Granules) + (MI_POOL_ULONG1(0, 0, MI_POOL_BLOCK_IN_USE) >> 16))

/* The tag a block parked on a per-processor list carries: a keyed mark of its address, so a change of the parked
 * header's tag bytes is found when it leaves the list (the header check does not cover the tag). */
XTFORCEINLINE ULONG MiPoolParkedTag(const MI_POOL_DESCRIPTOR *Pool, const MI_POOL_LOOKASIDE_LINK *Link) {
    return (ULONG)((ULONG_PTR)Link ^ Pool->RetireKey);
}

/* TRUE when the header of the block parked at Link on a per-processor list of Granules still carries the link's keyed
 * mark (MiPoolParkedTag) and says in use, that size: two compares of the words the lock holder never writes. */
XTFORCEINLINE BOOLEAN MiPoolParkedHeaderIntact(const MI_POOL_DESCRIPTOR *Pool, const POOL_HEADER *Header,
                                               const MI_POOL_LOOKASIDE_LINK *Link, ULONG_PTR Granules) {
    USHORT SizeState;
    ULONG_PTR Size;

    if (Header->PoolTag != MiPoolParkedTag(Pool, Link)) {
        return FALSE;
    }
    /* The half read after the tag compare, and the state taken off it rather than added to the size: one register
     * for the two compares, not two. */
    __asm__ volatile("" ::: "memory");
    __builtin_memcpy(&SizeState, (const UCHAR *)Header + 2, sizeof(SizeState));
    Size = (ULONG_PTR)SizeState - MI_POOL_SIZE_STATE(0);
    __asm__("" : "+r"(Size));
    return (BOOLEAN)(Size == Granules);
}

/* Keyed check of a lookaside link: Next and the link's address under the per-pool cookie. A plain XOR, like the mixer
 * bijective in Next (any change of Next, or of the check, or a link copied to another address fails it) and one
 * instruction on the hot paths; the mixer adds nothing a reader of one link could not undo (it is public and
 * invertible too). */
XTFORCEINLINE ULONG_PTR MiPoolLookasideCheck(const MI_POOL_DESCRIPTOR *Pool, const MI_POOL_LOOKASIDE_LINK *Link,
                                             const MI_POOL_LOOKASIDE_LINK *Next) {
    return (ULONG_PTR)Next ^ (ULONG_PTR)Link ^ Pool->Cookie;
}

/* Parks the in-use block Header (owned by the caller, checked) on Processor's list of its size: keyed link, keyed mark
 * in the tag. The caller made sure the list has room. */
XTINLINE VOID MiPoolParkBlock(PMI_POOL_DESCRIPTOR Pool, PMI_POOL_PROCESSOR Processor, PPOOL_HEADER Header) {
    PMI_POOL_LOOKASIDE_LINK Link = (PMI_POOL_LOOKASIDE_LINK)(Header + 1);
    ULONG Granules = Header->BlockSize;

    Link->Next = Processor->Head[Granules];
    Link->Check = MiPoolLookasideCheck(Pool, Link, Link->Next);
    Header->PoolTag = MiPoolParkedTag(Pool, Link);
    Processor->Head[Granules] = Link;
    Processor->Depth[Granules]++;
}

/* Keyed 32-bit check of a free block's links (kept in its header's PoolTag). */
XTINLINE ULONG MiPoolFreeLinksCheck(const MI_POOL_DESCRIPTOR *Pool, const MI_POOL_FREE_LINKS *Links,
                                    const MI_POOL_FREE_LINKS *Flink, const MI_POOL_FREE_LINKS *Blink) {
    ULONG_PTR Value = MiPoolMix(MiPoolMix((ULONG_PTR)Flink ^ (ULONG_PTR)Links ^ Pool->Cookie) ^ (ULONG_PTR)Blink);
    return (ULONG)(Value ^ (Value >> 16 >> 16));
}

/* The statistics entry of Tag; with Create, inserts a new tag (or answers the overflow entry when the table is
 * full). Without Create, an unknown tag answers the overflow entry. */
PMI_POOL_TAG_ENTRY MiPoolFindTagSlow(PMI_POOL_DESCRIPTOR Pool, ULONG Tag, BOOLEAN Create);

XTINLINE PMI_POOL_TAG_ENTRY MiPoolFindTag(PMI_POOL_DESCRIPTOR Pool, ULONG Tag, BOOLEAN Create) {
    PMI_POOL_TAG_ENTRY Entry = &Pool->Tags[(ULONG)(Tag * 0x9E3779B1u) >> (32 - MI_POOL_TAG_TABLE_SHIFT)];

    if (Entry->Key == MI_POOL_TAG_KEY(Tag)) {
        return Entry;
    }
    return MiPoolFindTagSlow(Pool, Tag, Create);
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Descriptor-level routines (the Mm API applies them to the system's non-paged pool)                           */
/* ------------------------------------------------------------------------------------------------------------ */

/* Makes Pool an empty non-paged pool over system pages and keys it with Cookie (non-zero), with per-processor lists in
 * the ProcessorCount blocks at Processors (zeroed here, the caller's for the pool's life), or none when Processors is
 * NULL. Does not release anything Pool held before. STATUS_INVALID_PARAMETER for a zero cookie, and for blocks that
 * are not 64-byte aligned or fewer than MiPoolProcessorsRequired(). */
XTSTATUS MiInitializePool(PMI_POOL_DESCRIPTOR Pool, ULONG_PTR Cookie, PMI_POOL_PROCESSOR Processors,
                          ULONG ProcessorCount);

/* The same for a pool of PoolType whose pages come from Pages and whose lock raises to LockLevel. Only a non-paged
 * pool locked at DISPATCH_LEVEL whose page source has no IsMemoryLow may have per-processor blocks (pageable pages may
 * not be touched with interrupts off); blocks for any other are STATUS_INVALID_PARAMETER. */
XTSTATUS MiInitializePoolEx(PMI_POOL_DESCRIPTOR Pool, ULONG_PTR Cookie, MM_POOL_TYPE PoolType,
                            const MM_POOL_PAGE_SOURCE *Pages, KRUNLEVEL LockLevel, PMI_POOL_PROCESSOR Processors,
                            ULONG ProcessorCount);

/* The per-processor blocks a pool made now needs: one for every processor started (they never stop). The processors
 * start after the memory manager, so the system's pool has KE_MAXIMUM_PROCESSORS (MAXCPUS= is not known to be the
 * count yet); private pools are made later (SELFTEST) and may have fewer. Host models, whose processors are threads
 * numbered as they first appear: this one's number + 1 (their tests give KE_MAXIMUM_PROCESSORS to shared pools). */
ULONG MiPoolProcessorsRequired(VOID);

/* Gives every page Pool holds back to the pager (live blocks included) and leaves it empty, with the same
 * per-processor blocks (emptied). For tests. */
VOID MiReleasePool(PMI_POOL_DESCRIPTOR Pool);

PVOID MiAllocatePool(PMI_POOL_DESCRIPTOR Pool, MM_POOL_TYPE PoolType, SIZE_T Size, ULONG Tag);
VOID MiFreePool(PMI_POOL_DESCRIPTOR Pool, PVOID Address, ULONG Tag);
VOID MiSetSpecialPoolTag(PMI_POOL_DESCRIPTOR Pool, ULONG Tag, BOOLEAN Enable);
BOOLEAN MiQueryPoolTag(PMI_POOL_DESCRIPTOR Pool, ULONG Tag, PMM_POOL_TAG_STATISTICS Statistics);
VOID MiQueryPoolStatistics(PMI_POOL_DESCRIPTOR Pool, PMM_POOL_STATISTICS Statistics);
VOID MiDumpPoolTags(PMI_POOL_DESCRIPTOR Pool, PRTL_OUTPUT_ROUTINE Output, PVOID Context);
ULONG MiCheckPoolConsistency(PMI_POOL_DESCRIPTOR Pool);

/* Empties the lookaside lists into the free lists and gives cached empty pages and cached page runs back to the
 * pager. */
VOID MiTrimPool(PMI_POOL_DESCRIPTOR Pool);

/* ------------------------------------------------------------------------------------------------------------ */
/* Between the pool's source files                                                                              */
/* ------------------------------------------------------------------------------------------------------------ */

/* poolpage.c: a block of at least Granules granules from the free lists (or a new page), marked in use with Tag;
 * NULL when no page can be had. */
PPOOL_HEADER MiAllocateSmallBlock(PMI_POOL_DESCRIPTOR Pool, ULONG Granules, ULONG Tag);
/* poolpage.c: carves up to Count blocks of Granules granules (a size with a per-processor list) out of free blocks,
 * taking a new page only when no free block fits and the caller has no block yet (*First NULL, nothing carved). While
 * *First is NULL the next block goes there, marked in use with Tag; every other one is parked on Processor's list of
 * the size. Returns how many. */
ULONG MiCarveSmallBlocks(PMI_POOL_DESCRIPTOR Pool, PMI_POOL_PROCESSOR Processor, ULONG Granules, ULONG Count, ULONG Tag,
                         PPOOL_HEADER *First);
/* poolpage.c: returns a block (in use or on a lookaside list, already checked) to the free lists, coalescing it
 * with free neighbours; a page that becomes empty is cached or given back. */
VOID MiFreeSmallBlock(PMI_POOL_DESCRIPTOR Pool, PPOOL_HEADER Header);
/* poolpage.c: the free-list links of a free block check out (else BAD_POOL_HEADER 3); for the checker. */
BOOLEAN MiPoolFreeLinksIntact(PMI_POOL_DESCRIPTOR Pool, PMI_POOL_FREE_LINKS Links);
/* poolpage.c: gives every cached empty page back to the pager. */
VOID MiReleaseEmptyPages(PMI_POOL_DESCRIPTOR Pool);

/* pooltag.c: Entry's counts plus every processor's slot for its tag (exact when no processor is in the pool). */
VOID MiSumPoolTag(PMI_POOL_DESCRIPTOR Pool, const MI_POOL_TAG_ENTRY *Entry, PMM_POOL_TAG_STATISTICS Statistics);

/* poolbig.c: page-sized allocations and the big-allocation table. */
PVOID MiAllocateBigPool(PMI_POOL_DESCRIPTOR Pool, SIZE_T Size, ULONG Tag);
/* poolbig.c: frees a big or special-pool allocation; FALSE when Address is not in the table. */
BOOLEAN MiFreeBigPool(PMI_POOL_DESCRIPTOR Pool, PVOID Address, ULONG Tag);
/* poolbig.c: inserts an entry (growing the table); FALSE when the table cannot grow. */
BOOLEAN MiInsertBigEntry(PMI_POOL_DESCRIPTOR Pool, PVOID Address, SIZE_T Size, ULONG Tag, ULONG Flags);
/* poolbig.c: gives every cached run back to the pager (trim, release). */
VOID MiReleaseBigCache(PMI_POOL_DESCRIPTOR Pool);
/* poolbig.c: TRUE when a cached run of Pages pages still has its keyed link and fill; for the checker. */
BOOLEAN MiBigRunIntact(PMI_POOL_DESCRIPTOR Pool, const MI_POOL_BIG_RUN *Run, SIZE_T Pages);
/* poolbig.c: the big-table slot of Address, or NULL; for the checker. */
PMI_POOL_BIG_ENTRY MiFindBigEntry(PMI_POOL_DESCRIPTOR Pool, PVOID Address);
/* poolbig.c: pages (without the guard page) a big-table entry occupies. */
SIZE_T MiBigEntryPages(const MI_POOL_BIG_ENTRY *Entry);

/* poolspec.c: special pool. */
PVOID MiAllocateSpecialPool(PMI_POOL_DESCRIPTOR Pool, SIZE_T Size, ULONG Tag);
/* poolspec.c: checks the fill around a special-pool block and gives its pages back. */
VOID MiFreeSpecialPool(PMI_POOL_DESCRIPTOR Pool, const MI_POOL_BIG_ENTRY *Entry);
/* poolspec.c: first page of a special-pool allocation of Size bytes at Address, and its page count. */
ULONG_PTR MiSpecialPoolBase(PVOID Address, SIZE_T Size, PSIZE_T Pages);

/* Charges an allocation of Bytes to Tag (MiPoolCredit: its free). */
XTINLINE VOID MiPoolCharge(PMI_POOL_DESCRIPTOR Pool, ULONG Tag, SIZE_T Bytes) {
    PMI_POOL_TAG_ENTRY Entry = MiPoolFindTag(Pool, Tag, TRUE);

    Entry->Allocations++;
    Entry->BytesInUse += Bytes;
    Pool->Allocations++;
}
XTINLINE VOID MiPoolCredit(PMI_POOL_DESCRIPTOR Pool, ULONG Tag, SIZE_T Bytes) {
    PMI_POOL_TAG_ENTRY Entry = MiPoolFindTag(Pool, Tag, FALSE);

    Entry->Frees++;
    Entry->BytesInUse -= Bytes;
    Pool->Frees++;
}

#endif
