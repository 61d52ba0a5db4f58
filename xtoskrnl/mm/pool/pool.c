/* Non-paged pool: initialisation, the allocation and free fast paths (lookaside lists) and the Mm API. */
#include "poolp.h"

/* The system's non-paged and paged pools; the non-paged pool's per-processor blocks, one for every processor the
 * kernel may start (the paged pool has none). */
static MI_POOL_DESCRIPTOR MiNonPagedPool;
static MI_POOL_DESCRIPTOR MiPagedPool;
static MI_POOL_PROCESSOR MiNonPagedPoolProcessors[KE_MAXIMUM_PROCESSORS];
static ULONG_PTR MiPagedPoolBase, MiPagedPoolSize; /* the paged pool's VA range: MmFreePool's choice of pool */

/* System pages: the non-paged pools' page source. */
static const MM_POOL_PAGE_SOURCE MiSystemPageSource = {MmAllocateSystemPages, MmFreeSystemPages, 0, 0, NULL};

XTSTATUS MiInitializePool(PMI_POOL_DESCRIPTOR Pool, ULONG_PTR Cookie, PMI_POOL_PROCESSOR Processors,
                          ULONG ProcessorCount) {
    return MiInitializePoolEx(Pool, Cookie, NonPagedPool, &MiSystemPageSource, DISPATCH_LEVEL, Processors,
                              ProcessorCount);
}

ULONG MiPoolProcessorsRequired(VOID) {
#ifdef XTOS_HOST_RUNLEVEL_MODEL
    return KeGetCurrentProcessorNumber() + 1;
#else
    return KeQueryActiveProcessorCount();
#endif
}

/* TRUE when Processors (ProcessorCount blocks, or NULL) may be the per-processor blocks of a pool of PoolType over
 * Pages locked at LockLevel: none, or aligned blocks for every processor that may use it, on a pool whose pages may be
 * touched with interrupts off. */
static BOOLEAN MiPoolProcessorsFit(MM_POOL_TYPE PoolType, const MM_POOL_PAGE_SOURCE *Pages, KRUNLEVEL LockLevel,
                                   PMI_POOL_PROCESSOR Processors, ULONG ProcessorCount) {
    if (Processors == NULL) {
        return (BOOLEAN)(ProcessorCount == 0);
    }
    return (BOOLEAN)(PoolType == NonPagedPool && LockLevel == DISPATCH_LEVEL && Pages->IsMemoryLow == NULL &&
                     ((ULONG_PTR)Processors & 63) == 0 && ProcessorCount >= MiPoolProcessorsRequired());
}

XTSTATUS MiInitializePoolEx(PMI_POOL_DESCRIPTOR Pool, ULONG_PTR Cookie, MM_POOL_TYPE PoolType,
                            const MM_POOL_PAGE_SOURCE *Pages, KRUNLEVEL LockLevel, PMI_POOL_PROCESSOR Processors,
                            ULONG ProcessorCount) {
    ULONG Index;

    if (Cookie == 0 || Pages == NULL || !MiPoolProcessorsFit(PoolType, Pages, LockLevel, Processors, ProcessorCount)) {
        return STATUS_INVALID_PARAMETER;
    }
    RtlZeroMemory(Pool, sizeof(*Pool));
    Pool->PoolType = (UCHAR)PoolType;
    Pool->Pages = Pages;
    Pool->LockLevel = LockLevel;
    Pool->LockKind = LockLevel == APC_LEVEL ? MI_POOL_LOCK_PAGED : MI_POOL_LOCK_PRIVATE;
    /* Only the blocks given are touched, and emptied here; MiReleasePool keeps them. */
    if (Processors != NULL) {
        RtlZeroMemory(Processors, (SIZE_T)ProcessorCount * sizeof(*Processors));
    }
    Pool->Processors = Processors;
    Pool->ProcessorCount = ProcessorCount;
    Pool->PerProcessor = (BOOLEAN)(Processors != NULL);
    /* Keyed per pool too: a block of another pool never checks out here. */
    Pool->Cookie = Cookie ^ MiPoolMix((ULONG_PTR)Pool);
    Pool->Cookie += Pool->Cookie == 0;
    Pool->RetireKey = MiPoolMix(Pool->Cookie ^ MI_POOL_PAGE_MAGIC) | ((ULONG_PTR)1 << (sizeof(ULONG_PTR) * 8 - 1));
    for (Index = 0; Index < MI_POOL_LIST_HEADS; Index++) {
        Pool->ListHeads[Index].Flink = &Pool->ListHeads[Index];
        Pool->ListHeads[Index].Blink = &Pool->ListHeads[Index];
    }
    for (Index = MI_POOL_MIN_BLOCK; Index <= MI_POOL_PP_MAX_GRANULES; Index++) {
        ULONG Depth = (ULONG)(MI_POOL_LOOKASIDE_LIST_BYTES / (Index * MI_POOL_GRANULE));
        if (Index <= MI_POOL_LOOKASIDE_GRANULES) {
            Pool->Lookaside[Index].MaximumDepth =
                Depth < MI_POOL_LOOKASIDE_MAX_DEPTH ? Depth : MI_POOL_LOOKASIDE_MAX_DEPTH;
            Depth = (ULONG)(MI_POOL_PP_LIST_BYTES / (Index * MI_POOL_GRANULE));
        } else if (MiPoolClassGranules(Index) == Index) {
            Depth = (ULONG)(MI_POOL_PP_CLASS_LIST_BYTES / (Index * MI_POOL_GRANULE));
        } else {
            Depth = 0; /* no class: such a block (a split that absorbed a remainder) is freed under the lock */
        }
        Pool->MaximumDepth[Index] = (UCHAR)(Depth < MI_POOL_PP_MAX_DEPTH ? Depth : MI_POOL_PP_MAX_DEPTH);
    }
    for (Index = 0; Index < ProcessorCount; Index++) {
        RtlCopyMemory(Processors[Index].MaximumDepth, Pool->MaximumDepth, sizeof(Pool->MaximumDepth));
    }
    RtlInitializeListHead(&Pool->PageList);
    Pool->OverflowTag.Key = MI_POOL_TAG_KEY(MI_POOL_OVERFLOW_TAG);
    return STATUS_SUCCESS;
}

/* Stops the system for a block of a pool page whose own header is unusable: corrupt, not in use (double free),
 * another tag, or a size that leaves the page. */
static XTNORETURN VOID MiPoolBadFree(PMI_POOL_DESCRIPTOR Pool, PPOOL_HEADER Header, PVOID Address, ULONG Tag) {
    if (!MiPoolHeaderIntact(Header, Pool->Cookie)) {
        KeBugCheckEx(BAD_POOL_CALLER, BPC_HEADER_CORRUPT, (ULONG_PTR)Header, Header->Ulong1, 0);
    }
    if (Header->PoolType != MI_POOL_BLOCK_IN_USE) {
        KeBugCheckEx(BAD_POOL_CALLER, BPC_DOUBLE_FREE, 0, Header->Ulong1, (ULONG_PTR)Address);
    }
    if (Pool->PerProcessor && Header->PoolTag == MiPoolParkedTag(Pool, Address) &&
        ((PMI_POOL_LOOKASIDE_LINK)Address)->Check ==
            MiPoolLookasideCheck(Pool, Address, ((PMI_POOL_LOOKASIDE_LINK)Address)->Next)) {
        /* Parked on a per-processor list (its keyed mark and a valid link): freed before. */
        KeBugCheckEx(BAD_POOL_CALLER, BPC_DOUBLE_FREE, 0, Header->Ulong1, (ULONG_PTR)Address);
    }
    if (Header->PoolTag != Tag) {
        KeBugCheckEx(BAD_POOL_CALLER, BPC_WRONG_TAG, (ULONG_PTR)Address, Header->PoolTag, Tag);
    }
    KeBugCheckEx(BAD_POOL_HEADER, BPH_BLOCK_SIZE_CORRUPT, 0, Header->Ulong1, (ULONG_PTR)Header);
}

/* A block from the lookaside list of its size, marked in use with Tag; NULL when the list is empty. */
static PPOOL_HEADER MiPopLookaside(PMI_POOL_DESCRIPTOR Pool, ULONG Granules, ULONG Tag) {
    PMI_POOL_LOOKASIDE Lookaside = &Pool->Lookaside[Granules];
    PMI_POOL_LOOKASIDE_LINK Link = Lookaside->Head;
    PPOOL_HEADER Header;

    if (Link == NULL) {
        return NULL;
    }
    if (Link->Check != MiPoolLookasideCheck(Pool, Link, Link->Next)) {
        KeBugCheckEx(BAD_POOL_HEADER, BPH_FREE_LIST_CORRUPT, (ULONG_PTR)Link, (ULONG_PTR)Link->Next, Link->Check);
    }
    Header = (PPOOL_HEADER)Link - 1;
    if (!MiPoolHeaderIntact(Header, Pool->Cookie) || Header->PoolType != MI_POOL_BLOCK_LOOKASIDE ||
        Header->BlockSize != Granules) {
        KeBugCheckEx(BAD_POOL_HEADER, BPH_FREED_BLOCK_CHANGED, (ULONG_PTR)Header, Header->Ulong1, Granules);
    }
    Lookaside->Head = Link->Next;
    Link->Check ^= Pool->RetireKey;
    Lookaside->Depth--;
    Pool->LookasideBlocks--;
    MiPoolWriteHeader(Header, MI_POOL_ULONG1(Header->PreviousSize, Granules, MI_POOL_BLOCK_IN_USE), Tag, Pool->Cookie);
    return Header;
}

/* Puts a checked in-use block on the lookaside list of its size; FALSE when that list is full. */
static BOOLEAN MiPushLookaside(PMI_POOL_DESCRIPTOR Pool, PPOOL_HEADER Header, ULONG Granules) {
    PMI_POOL_LOOKASIDE Lookaside = &Pool->Lookaside[Granules];
    PMI_POOL_LOOKASIDE_LINK Link = (PMI_POOL_LOOKASIDE_LINK)(Header + 1);

    if (Lookaside->Depth >= Lookaside->MaximumDepth) {
        return FALSE;
    }
    Link->Next = Lookaside->Head;
    Link->Check = MiPoolLookasideCheck(Pool, Link, Link->Next);
    MiPoolWriteHeader(Header, MI_POOL_ULONG1(Header->PreviousSize, Granules, MI_POOL_BLOCK_LOOKASIDE), Header->PoolTag,
                      Pool->Cookie);
    Lookaside->Head = Link;
    Lookaside->Depth++;
    Pool->LookasideBlocks++;
    return TRUE;
}

/* ---- The per-processor layer (lock-free; docs/pool.md "Per-processor lookaside lists") ---- */
/* This processor's block of the system non-paged pool (inside MiPoolEnterProcessor): one load from the KPRCB in the
 * kernel; host models index the blocks by their processor number. */
XTFORCEINLINE PMI_POOL_PROCESSOR MiPoolSystemProcessor(VOID) {
#ifdef XTOS_HOST_RUNLEVEL_MODEL
    return MiPoolCurrentProcessor(&MiNonPagedPool);
#else
    return KeGetCurrentPoolLookaside();
#endif
}

/* This processor's block of Pool for the fast paths: System says Pool is the system's non-paged pool. */
XTFORCEINLINE PMI_POOL_PROCESSOR MiPoolFastProcessor(PMI_POOL_DESCRIPTOR Pool, BOOLEAN System) {
    return System ? MiPoolSystemProcessor() : MiPoolCurrentProcessor(Pool);
}

/* Adds a slot's counts to its tag's shared entry and the pool-wide counters and empties it (under the pool lock, on
 * the slot's processor). */
static VOID MiPoolFlushTagSlot(PMI_POOL_DESCRIPTOR Pool, PMI_POOL_PP_TAG Slot) {
    PMI_POOL_TAG_ENTRY Shared;

    Pool->Allocations += Slot->Allocations;
    Pool->Frees += Slot->Frees;
    if (Slot->Key != 0) {
        /* A slot is only bound to a tag with an entry of its own (MiPoolBindTag). */
        Shared = MiPoolFindTag(Pool, MI_POOL_SLOT_TAG(Slot->Key), FALSE);
        Shared->Allocations += Slot->Allocations;
        Shared->Frees += Slot->Frees;
        Shared->BytesInUse += Slot->Granules << MI_POOL_GRANULE_SHIFT;
    }
    Slot->Allocations = 0;
    Slot->Frees = 0;
    Slot->Granules = 0;
}

/* Gives Tag the first slot of its set on this processor (flushing the older tag of the set when Tag had none), so its
 * next small allocations and frees here count lock-free. Tags beyond the shared table's limit (the overflow entry) stay
 * on the locked path. Under the pool lock. */
static VOID MiPoolBindTag(PMI_POOL_DESCRIPTOR Pool, PMI_POOL_PROCESSOR Processor, ULONG Tag) {
    PMI_POOL_PP_TAG Slot = &Processor->Tags[MiPoolTagSlot(Tag)];
    PMI_POOL_TAG_ENTRY Entry;
    MI_POOL_PP_TAG Older;

    if (Slot->Key == MI_POOL_SLOT_KEY(Tag)) {
        return;
    }
    if (Slot[1].Key == MI_POOL_SLOT_KEY(Tag)) {
        /* The fast paths compare the first slot of a set first: the tag in use moves there, with its counts. */
        Older = Slot[0];
        Slot[0] = Slot[1];
        Slot[1] = Older;
        return;
    }
    Entry = MiPoolFindTag(Pool, Tag, TRUE);
    if (Entry == &Pool->OverflowTag) {
        return;
    }
    /* The set's older tag leaves; the newer one moves to the second slot (its counts with it). */
    MiPoolFlushTagSlot(Pool, &Slot[1]);
    Slot[1] = Slot[0];
    Slot->Key = MI_POOL_SLOT_KEY(Tag);
    Slot->Allocations = 0;
    Slot->Frees = 0;
    Slot->Granules = 0;
}

/* A block of Granules granules from this processor's list, retagged Tag (its owner may: the header check does not
 * cover the tag, and the lock holder never writes an in-use block's tag); NULL (nothing changed) when the list is
 * empty, the tag has no slot here, or any check fails: the locked path then decides (and stops on corruption). */
XTFORCEINLINE PVOID MiAllocateFromProcessor(PMI_POOL_DESCRIPTOR Pool, ULONG_PTR Granules, ULONG Tag, KRUNLEVEL Current,
                                            BOOLEAN System) {
    ULONG_PTR State = MiPoolEnterProcessor(Current);
    PMI_POOL_PROCESSOR Processor = MiPoolFastProcessor(Pool, System);
    ULONG_PTR Slot;
    PMI_POOL_LOOKASIDE_LINK Link, Next;
    PPOOL_HEADER Header;

    if (__builtin_expect(!MiPoolFindTagSlot(Processor, Tag, &Slot), 0)) {
        goto Miss;
    }
    /* Counted first, so the slot need not stay in a register through the pop (a miss takes the counts back). */
    MI_POOL_SLOT_AT(Processor, Slot)->Allocations++;
    MI_POOL_SLOT_AT(Processor, Slot)->Granules += Granules;
    Link = Processor->Head[Granules];
    if (__builtin_expect(Link == NULL, 0)) {
        goto Uncount;
    }
    Next = Link->Next;
    Header = (PPOOL_HEADER)Link - 1;
    /* The keyed link, and the header still says in use, this size, parked (the keyed mark in the tag). Its check word
     * and PreviousSize are the lock holder's to change: they are checked at the block's next free. */
    if (__builtin_expect(Link->Check != MiPoolLookasideCheck(Pool, Link, Next), 0) ||
        __builtin_expect(!MiPoolParkedHeaderIntact(Pool, Header, Link, Granules), 0)) {
        goto Uncount;
    }
    Processor->Head[Granules] = Next;
    Processor->Depth[Granules]--;
    Link->Check ^= Pool->RetireKey; /* no longer a valid link: freeing it is not a double free */
    Header->PoolTag = Tag;
    MiPoolLeaveProcessor(State);
    return Link;
Uncount:
    /* Found again rather than kept in a register through the pop (the barrier stops the compiler reusing it). */
    __asm__("" : "+r"(Tag));
    MiPoolFindTagSlot(Processor, Tag, &Slot);
    MI_POOL_SLOT_AT(Processor, Slot)->Allocations--;
    MI_POOL_SLOT_AT(Processor, Slot)->Granules -= Granules;
Miss:
    MiPoolLeaveProcessor(State);
    return NULL;
}

/* Frees Address onto this processor's list when it is an intact in-use small block of Tag whose size has a list
 * here with room and whose tag has a slot here; FALSE (nothing changed) otherwise: the locked path decides. */
XTFORCEINLINE BOOLEAN MiFreeToProcessor(PMI_POOL_DESCRIPTOR Pool, PVOID Address, ULONG Tag, KRUNLEVEL Current,
                                        BOOLEAN System) {
    PPOOL_HEADER Header = (PPOOL_HEADER)Address - 1, Next;
    PMI_POOL_LOOKASIDE_LINK Link = Address;
    ULONG_PTR Offset = (ULONG_PTR)Address & (MM_PAGE_SIZE - 1);
    PMI_POOL_PROCESSOR Processor;
    ULONG_PTR State, Slot, Granules;
    ULONG Ulong1;

    /* Granule aligned and not at a page start (the header is then in this page). */
    if (__builtin_expect((Offset & (MI_POOL_GRANULE - 1)) != 0, 0) || __builtin_expect(Offset == 0, 0)) {
        return FALSE;
    }
    /* This tag, intact (keyed), in use, and inside its page. With a 64-bit check, the size follows from the check: only
     * the pool writes a header that passes it, and every small size has a list. A 7-bit check passes one corrupt header
     * in 128, so there the size (with the state, in one compare) is bounded and the block kept inside its page before
     * the next header is read. */
    if (__builtin_expect(Header->PoolTag != Tag, 0)) {
        return FALSE;
    }
    if (MI_POOL_HEADER_CHECK_BITS < 32) {
        Ulong1 = Header->Ulong1;
        Granules = Header->BlockSize;
        if (__builtin_expect((Ulong1 >> 16) - (MI_POOL_ULONG1(0, MI_POOL_MIN_BLOCK, MI_POOL_BLOCK_IN_USE) >> 16) >
                                 MI_POOL_PP_MAX_GRANULES - MI_POOL_MIN_BLOCK,
                             0) ||
            __builtin_expect(Offset + ((ULONG_PTR)(Granules - 1) << MI_POOL_GRANULE_SHIFT) > MM_PAGE_SIZE, 0)) {
            return FALSE;
        }
    } else if (__builtin_expect(MiPoolReadState(Header) != MI_POOL_BLOCK_IN_USE, 0)) {
        return FALSE;
    }
    /* A block parked already carries its keyed mark, not Tag: its double free failed the tag compare and the locked
     * path stops it. Should Tag be that very mark, the locked path decides too (it tests the link). */
    if (__builtin_expect(!MiPoolHeaderIntact(Header, Pool->Cookie), 0) ||
        __builtin_expect(Tag == MiPoolParkedTag(Pool, Link), 0)) {
        return FALSE;
    }
    Granules = MiPoolReadBlockSize(Header);
    /* The overrun check, addressed from the block (plain reads: a neighbour the lock holder is rewriting fails it, and
     * the locked path decides). A next header at a page start means the block ends its page. */
    Next = (PPOOL_HEADER)((PUCHAR)Address + (Granules << MI_POOL_GRANULE_SHIFT)) - 1;
    if (__builtin_expect(((ULONG_PTR)Next & (MM_PAGE_SIZE - 1)) != 0, 1)) {
        if (__builtin_expect(Next->PreviousSize != Granules || !MiPoolHeaderIntact(Next, Pool->Cookie), 0)) {
            return FALSE;
        }
    }
    State = MiPoolEnterProcessor(Current);
    Processor = MiPoolFastProcessor(Pool, System);
    if (__builtin_expect(!MiPoolFindTagSlot(Processor, Tag, &Slot), 0) ||
        __builtin_expect(Processor->Depth[Granules] >= Processor->MaximumDepth[Granules], 0)) {
        MiPoolLeaveProcessor(State);
        return FALSE;
    }
    Link->Next = Processor->Head[Granules];
    Link->Check = MiPoolLookasideCheck(Pool, Link, Link->Next);
    Header->PoolTag = MiPoolParkedTag(Pool, Link);
    Processor->Head[Granules] = Link;
    Processor->Depth[Granules]++;
    MI_POOL_SLOT_AT(Processor, Slot)->Frees++;
    MI_POOL_SLOT_AT(Processor, Slot)->Granules -= Granules;
    MiPoolLeaveProcessor(State);
    return TRUE;
}

/* ---- The locked path ---- */

/* Pops the head of this processor's list of Granules (under the pool lock) with every check, stopping on corruption;
 * retags it Tag. NULL when the list is empty. */
static PPOOL_HEADER MiPopProcessorList(PMI_POOL_DESCRIPTOR Pool, PMI_POOL_PROCESSOR Processor, ULONG Granules,
                                       ULONG Tag) {
    PMI_POOL_LOOKASIDE_LINK Link = Processor->Head[Granules];
    PPOOL_HEADER Header;
    ULONG_PTR Check;

    if (Link == NULL) {
        return NULL;
    }
    Check = MiPoolLookasideCheck(Pool, Link, Link->Next);
    if (Link->Check != Check) {
        KeBugCheckEx(BAD_POOL_HEADER, BPH_FREE_LIST_CORRUPT, (ULONG_PTR)Link, (ULONG_PTR)Link->Next, Link->Check);
    }
    Header = (PPOOL_HEADER)Link - 1;
    if (!MiPoolHeaderIntact(Header, Pool->Cookie) || !MiPoolParkedHeaderIntact(Pool, Header, Link, Granules)) {
        KeBugCheckEx(BAD_POOL_HEADER, BPH_FREED_BLOCK_CHANGED, (ULONG_PTR)Header, Header->Ulong1, Granules);
    }
    Processor->Head[Granules] = Link->Next;
    Processor->Depth[Granules]--;
    Link->Check = Check ^ Pool->RetireKey;
    Header->PoolTag = Tag;
    return Header;
}

/* Hands a checked in-use small block (owned by the caller, not on any list) to the shared layer: the overrun check of
 * its next neighbour, then the shared lookaside list of its size or the free lists. Under the pool lock. */
static VOID MiReleaseSmallBlock(PMI_POOL_DESCRIPTOR Pool, PPOOL_HEADER Header) {
    ULONG Granules = Header->BlockSize;
    PPOOL_HEADER Next;

    if (!MiPoolBlockEndsPage(Header, Granules)) {
        Next = MiPoolHeaderAt(Header, Granules);
        if (!MiPoolHeaderIntact(Next, Pool->Cookie) || Next->PreviousSize != Granules) {
            KeBugCheckEx(BAD_POOL_HEADER, BPH_NEXT_BLOCK_CORRUPT, (ULONG_PTR)Header, (ULONG_PTR)Next,
                         MiPoolPageOf(Header));
        }
    }
    if (Granules > MI_POOL_LOOKASIDE_GRANULES || !MiPushLookaside(Pool, Header, Granules)) {
        MiFreeSmallBlock(Pool, Header);
    }
}

/* A block of Granules (a size with a per-processor list, which is empty) marked in use with Tag, and up to half the
 * list's depth more parked on it, all under this one lock acquisition: from the shared lookaside list of the size,
 * then carved from free blocks (or a new page). NULL when there is none. Under the pool lock. */
static PPOOL_HEADER MiRefillProcessorList(PMI_POOL_DESCRIPTOR Pool, PMI_POOL_PROCESSOR Processor, ULONG Granules,
                                          ULONG Tag) {
    ULONG Count = Pool->MaximumDepth[Granules] / 2 + 1, Taken = 0;
    PPOOL_HEADER First = NULL, Header;

    if (Granules <= MI_POOL_LOOKASIDE_GRANULES) {
        while (Taken < Count && (Header = MiPopLookaside(Pool, Granules, Tag)) != NULL) {
            if (Taken++ == 0) {
                First = Header;
            } else {
                MiPoolParkBlock(Pool, Processor, Header);
            }
        }
    }
    if (Taken < Count) {
        MiCarveSmallBlocks(Pool, Processor, Granules, Count - Taken, Tag, &First);
    }
    return First;
}

/* Moves about half of this processor's full list of Granules to the shared layer (the shared lookaside list of the
 * size, else the free lists) with every check, under one lock acquisition. Under the pool lock. */
static VOID MiFlushProcessorList(PMI_POOL_DESCRIPTOR Pool, PMI_POOL_PROCESSOR Processor, ULONG Granules) {
    ULONG Count = (Processor->Depth[Granules] + 1) / 2;
    PPOOL_HEADER Header;

    while (Count-- != 0 && (Header = MiPopProcessorList(Pool, Processor, Granules, 0)) != NULL) {
        MiReleaseSmallBlock(Pool, Header);
    }
}

/* One attempt at Size bytes: special pool, whole pages, or a small block (this processor's list, the shared
 * lookaside, then the free lists); NULL when the pool's free blocks and the pager cannot serve it. */
static PVOID MiTryAllocatePool(PMI_POOL_DESCRIPTOR Pool, SIZE_T Size, ULONG Tag) {
    PPOOL_HEADER Header = NULL;
    ULONG Granules;

    if (MI_POOL_SLOT_KEY(Tag) == Pool->SpecialTagKey) {
        return MiAllocateSpecialPool(Pool, Size, Tag);
    }
    if (Size > MI_POOL_MAX_SMALL_SIZE) {
        return MiAllocateBigPool(Pool, Size, Tag);
    }
    Granules = (ULONG)((Size + (Size == 0) + MI_POOL_GRANULE - 1) >> MI_POOL_GRANULE_SHIFT) + 1;
    if (Pool->PerProcessor) {
        Granules = MiPoolClassGranules(Granules);
        MiPoolBindTag(Pool, MiPoolCurrentProcessor(Pool), Tag);
        Header = MiPopProcessorList(Pool, MiPoolCurrentProcessor(Pool), Granules, Tag);
        if (Header == NULL) {
            Header = MiRefillProcessorList(Pool, MiPoolCurrentProcessor(Pool), Granules, Tag);
        }
    } else if (Granules <= MI_POOL_LOOKASIDE_GRANULES) {
        Header = MiPopLookaside(Pool, Granules, Tag);
    }
    if (Header == NULL) {
        Header = MiAllocateSmallBlock(Pool, Granules, Tag);
    }
    if (Header == NULL) {
        return NULL;
    }
    MiPoolCharge(Pool, Tag, (SIZE_T)Header->BlockSize << MI_POOL_GRANULE_SHIFT);
    return Header + 1;
}

/* The granules of the block a per-processor list serves for a small request (up to MI_POOL_MAX_SMALL_SIZE, which the
 * caller has checked), header included, rounded up to its size class above 512 bytes. A zero-byte request gives 1,
 * whose list is always empty (blocks have at least MI_POOL_MIN_BLOCK granules), so it takes the locked path, which
 * gives it a minimal block. */
XTFORCEINLINE ULONG_PTR MiPoolProcessorGranules(SIZE_T Size) {
    ULONG_PTR Granules = (Size + 2 * MI_POOL_GRANULE - 1) >> MI_POOL_GRANULE_SHIFT;

    __asm__("" : "+r"(Granules)); /* the class test on the granules, not on a copy of the size */
    return MiPoolClassGranules(Granules);
}

/* The locked allocation: everything the per-processor lists did not serve. Inlined into the system pools' slow path
 * (one call level less for every locked system allocation) and into MiAllocatePoolLocked. */
XTFORCEINLINE PVOID MiAllocatePoolLockedInline(PMI_POOL_DESCRIPTOR Pool, MM_POOL_TYPE PoolType, SIZE_T Size,
                                               ULONG Tag) {
    MI_POOL_LOCK_HANDLE Lock;
    PVOID Address = NULL;

    MiAcquirePoolLock(Pool, &Lock);
    if (PoolType != (MM_POOL_TYPE)Pool->PoolType || Pool->Cookie == 0 ||
        (Pool->Pages->IsMemoryLow != NULL && Pool->Pages->IsMemoryLow())) {
        Pool->FailedAllocations++;
        MiReleasePoolLock(Pool, &Lock);
        return NULL;
    }
    Address = MiTryAllocatePool(Pool, Size, Tag);
    if (Address == NULL) {
        /* The one place of the trim-and-retry policy: the page sources just fail. */
        MiTrimPool(Pool);
        Address = MiTryAllocatePool(Pool, Size, Tag);
    }
    if (Address == NULL) {
        Pool->FailedAllocations++;
    }
    MiReleasePoolLock(Pool, &Lock);
    return Address;
}

/* MiAllocatePoolLockedInline out of line, for the descriptor-level allocation. */
static __attribute__((noinline)) PVOID MiAllocatePoolLocked(PMI_POOL_DESCRIPTOR Pool, MM_POOL_TYPE PoolType,
                                                            SIZE_T Size, ULONG Tag) {
    return MiAllocatePoolLockedInline(Pool, PoolType, Size, Tag);
}

/* TRUE when a request may try this processor's lists of Pool (known to have them): non-paged, at or below
 * DISPATCH_LEVEL (Current), a size they serve, not the special-pool tag. */
XTFORCEINLINE BOOLEAN MiPoolProcessorServes(PMI_POOL_DESCRIPTOR Pool, MM_POOL_TYPE PoolType, SIZE_T Size, ULONG Tag,
                                            KRUNLEVEL Current) {
    return (BOOLEAN)(PoolType == NonPagedPool && Current <= DISPATCH_LEVEL && Size <= MI_POOL_MAX_SMALL_SIZE &&
                     !MiPoolSlotKeyIs(&Pool->SpecialTagKey, Tag));
}

PVOID MiAllocatePool(PMI_POOL_DESCRIPTOR Pool, MM_POOL_TYPE PoolType, SIZE_T Size, ULONG Tag) {
    KRUNLEVEL Current = KeGetCurrentRunLevel();
    PVOID Address;
    ULONG_PTR Granules;

    if (Pool->PerProcessor && MiPoolProcessorServes(Pool, PoolType, Size, Tag, Current)) {
        Granules = MiPoolProcessorGranules(Size);
        if ((Address = MiAllocateFromProcessor(Pool, Granules, Tag, Current, FALSE)) != NULL) {
            return Address;
        }
        Size = (SIZE_T)(Granules - 1) << MI_POOL_GRANULE_SHIFT;
    }
    return MiAllocatePoolLocked(Pool, PoolType, Size, Tag);
}

/* Frees Address whose header did not check out as an in-use small block: a big or special-pool allocation, a bad
 * address, or a small block that is corrupt, already free or freed with another tag (all of which stop). */
static VOID MiFreeNonSmall(PMI_POOL_DESCRIPTOR Pool, PVOID Address, ULONG Tag) {
    ULONG_PTR Page = MiPoolPageOf(Address);

    if (((ULONG_PTR)Address & (MI_POOL_GRANULE - 1)) == 0 &&
        (ULONG_PTR)Address - Page >= MI_POOL_PAGE_HEADER_BYTES + MI_POOL_GRANULE &&
        ((PMI_POOL_PAGE)Page)->Signature == MiPoolPageSignature(Pool, Page)) {
        MiPoolBadFree(Pool, (PPOOL_HEADER)Address - 1, Address, Tag);
    }
    if (!MiFreeBigPool(Pool, Address, Tag)) {
        KeBugCheckEx(BAD_POOL_CALLER, BPC_BAD_ADDRESS, (ULONG_PTR)Address, 0, 0);
    }
}

/* The locked free of a small block whose own header checked out (in use, Tag, sane size). */
static VOID MiFreeSmallLocked(PMI_POOL_DESCRIPTOR Pool, PPOOL_HEADER Header, ULONG Granules, ULONG Tag) {
    PMI_POOL_LOOKASIDE_LINK Link = (PMI_POOL_LOOKASIDE_LINK)(Header + 1);
    PMI_POOL_PROCESSOR Processor;

    if (Pool->PerProcessor && Pool->MaximumDepth[Granules] != 0 &&
        Link->Check == MiPoolLookasideCheck(Pool, Link, Link->Next)) {
        /* A valid per-processor link in an in-use block: it is on a per-processor list already. */
        KeBugCheckEx(BAD_POOL_CALLER, BPC_DOUBLE_FREE, 0, Header->Ulong1, (ULONG_PTR)Link);
    }
    MiPoolCredit(Pool, Tag, (SIZE_T)Granules << MI_POOL_GRANULE_SHIFT);
    if (Pool->PerProcessor && Pool->MaximumDepth[Granules] != 0) {
        Processor = MiPoolCurrentProcessor(Pool);
        MiPoolBindTag(Pool, Processor, Tag);
        if (!MiPoolBlockEndsPage(Header, Granules)) {
            PPOOL_HEADER Next = MiPoolHeaderAt(Header, Granules);
            if (!MiPoolHeaderIntact(Next, Pool->Cookie) || Next->PreviousSize != Granules) {
                KeBugCheckEx(BAD_POOL_HEADER, BPH_NEXT_BLOCK_CORRUPT, (ULONG_PTR)Header, (ULONG_PTR)Next,
                             MiPoolPageOf(Header));
            }
        }
        if (Processor->Depth[Granules] >= Pool->MaximumDepth[Granules]) {
            /* Full: half of it goes to the shared layer now, so the next frees of this size stay lock-free. */
            MiFlushProcessorList(Pool, Processor, Granules);
        }
        MiPoolParkBlock(Pool, Processor, Header);
        return;
    }
    MiReleaseSmallBlock(Pool, Header);
}

/* The locked free: everything the per-processor lists did not take. Inlined like MiAllocatePoolLockedInline. */
XTFORCEINLINE VOID MiFreePoolLockedInline(PMI_POOL_DESCRIPTOR Pool, PVOID Address, ULONG Tag) {
    PPOOL_HEADER Header = (PPOOL_HEADER)Address - 1;
    ULONG_PTR Offset = (ULONG_PTR)Address & (MM_PAGE_SIZE - 1);
    MI_POOL_LOCK_HANDLE Lock;
    ULONG Granules;

    MiAcquirePoolLock(Pool, &Lock);
    /* A small block: granule aligned, not at a page start, and its header (keyed with the cookie, the pool and its
     * own address) says in use with this tag. Anything else takes the slow path, which classifies or stops. */
    if ((Offset & (MI_POOL_GRANULE - 1)) != 0 || Offset == 0 || !MiPoolHeaderIntact(Header, Pool->Cookie) ||
        Header->PoolType != MI_POOL_BLOCK_IN_USE || Header->PoolTag != Tag ||
        (Granules = Header->BlockSize) < MI_POOL_MIN_BLOCK ||
        Offset + ((ULONG_PTR)(Granules - 1) << MI_POOL_GRANULE_SHIFT) > MM_PAGE_SIZE) {
        MiFreeNonSmall(Pool, Address, Tag);
    } else {
        MiFreeSmallLocked(Pool, Header, Granules, Tag);
    }
    MiReleasePoolLock(Pool, &Lock);
}

/* MiFreePoolLockedInline out of line, for the descriptor-level free. */
static __attribute__((noinline)) VOID MiFreePoolLocked(PMI_POOL_DESCRIPTOR Pool, PVOID Address, ULONG Tag) {
    MiFreePoolLockedInline(Pool, Address, Tag);
}

VOID MiFreePool(PMI_POOL_DESCRIPTOR Pool, PVOID Address, ULONG Tag) {
    KRUNLEVEL Current = KeGetCurrentRunLevel();

    if (!Pool->PerProcessor || Current > DISPATCH_LEVEL || !MiFreeToProcessor(Pool, Address, Tag, Current, FALSE)) {
        MiFreePoolLocked(Pool, Address, Tag);
    }
}

VOID MiSetSpecialPoolTag(PMI_POOL_DESCRIPTOR Pool, ULONG Tag, BOOLEAN Enable) {
    Pool->SpecialTagKey = Enable ? MI_POOL_SLOT_KEY(Tag) : 0;
}

VOID MiTrimPool(PMI_POOL_DESCRIPTOR Pool) {
    PMI_POOL_LOOKASIDE_LINK Link;
    PPOOL_HEADER Header;
    ULONG Index;

    for (Index = MI_POOL_MIN_BLOCK; Index <= MI_POOL_PP_MAX_GRANULES; Index++) {
        if (Pool->PerProcessor) {
            PMI_POOL_PROCESSOR Processor = MiPoolCurrentProcessor(Pool);
            while ((Header = MiPopProcessorList(Pool, Processor, Index, 0)) != NULL) {
                MiReleaseSmallBlock(Pool, Header);
            }
        }
        while (Index <= MI_POOL_LOOKASIDE_GRANULES && (Link = Pool->Lookaside[Index].Head) != NULL) {
            Header = MiPopLookaside(Pool, Index, ((PPOOL_HEADER)Link - 1)->PoolTag);
            MiFreeSmallBlock(Pool, Header);
        }
    }
    MiReleaseEmptyPages(Pool);
    MiReleaseBigCache(Pool);
}

/* ------------------------------------------------------------------------------------------------------------ */
/* The system's non-paged pool                                                                                  */
/* ------------------------------------------------------------------------------------------------------------ */

XTSTATUS MmInitializeNonPagedPool(ULONG_PTR Cookie) {
    /* Before the application processors start: blocks for every processor the kernel may start. */
    XTSTATUS Status = MiInitializePool(&MiNonPagedPool, Cookie, MiNonPagedPoolProcessors, KE_MAXIMUM_PROCESSORS);

    if (XT_SUCCESS(Status)) {
        MiNonPagedPool.LockKind = MI_POOL_LOCK_SYSTEM;
        MmInitializeProcessorPool();
    }
    return Status;
}

VOID MmInitializeProcessorPool(VOID) {
#ifndef XTOS_HOST_RUNLEVEL_MODEL
    KeGetCurrentPrcb()->PoolLookaside = MiPoolCurrentProcessor(&MiNonPagedPool);
#endif
}

XTSTATUS MmInitializePagedPool(ULONG_PTR Cookie, const MM_POOL_PAGE_SOURCE *Pages) {
    XTSTATUS Status = MiInitializePoolEx(&MiPagedPool, Cookie, PagedPool, Pages, APC_LEVEL, NULL, 0);

    if (XT_SUCCESS(Status)) {
        MiPagedPoolBase = Pages->Base;
        MiPagedPoolSize = Pages->Size;
    }
    return Status;
}

/* The system pools' allocation without the per-processor lists: the RunLevel limit of PoolType (a STOP naming the
 * caller of the API that tail-calls this), then its pool; NULL for types without one. */
static __attribute__((noinline)) PVOID MiAllocateSystemPoolSlow(MM_POOL_TYPE PoolType, SIZE_T Size, ULONG Tag) {
    PVOID Caller = __builtin_return_address(0); /* the API's caller: this is the API's tail call */

    PMI_POOL_DESCRIPTOR Pool;

    if (PoolType == PagedPool) {
        KeCheckRunLevelLimit(APC_LEVEL, Caller);
        Pool = &MiPagedPool;
    } else {
        KeCheckRunLevelLimit(DISPATCH_LEVEL, Caller);
        if (PoolType != NonPagedPool) {
            return NULL;
        }
        Pool = &MiNonPagedPool;
    }
    return MiAllocatePoolLockedInline(Pool, PoolType, Size, Tag);
}

/* The system pools' free without the per-processor lists: the pool by the paged pool's VA range, its RunLevel limit
 * (a STOP naming the caller of the API that tail-calls this), then the locked path. */
static __attribute__((noinline)) VOID MiFreeSystemPoolSlow(PVOID Address, ULONG Tag) {
    PVOID Caller = __builtin_return_address(0); /* the API's caller: this is the API's tail call */

    PMI_POOL_DESCRIPTOR Pool = &MiNonPagedPool;

    if ((ULONG_PTR)Address - MiPagedPoolBase < MiPagedPoolSize) {
        KeCheckRunLevelLimit(APC_LEVEL, Caller);
        Pool = &MiPagedPool;
    } else {
        KeCheckRunLevelLimit(DISPATCH_LEVEL, Caller);
    }
    MiFreePoolLockedInline(Pool, Address, Tag);
}

/* The system pools' allocation: a small non-paged request at or below DISPATCH_LEVEL from this processor's lists
 * (MmInitializeNonPagedPool comes first: it gives the pool its blocks), everything else through
 * MiAllocateSystemPoolSlow. The fast path calls nothing but that tail call, so it needs no stack frame (Windows x64
 * code gets no shrink-wrapping: a call anywhere in a function puts its whole prologue on every path, and reading the
 * return address gives it a frame pointer), so the slow path reads the caller itself. */
XTFORCEINLINE PVOID MiAllocateSystemPool(MM_POOL_TYPE PoolType, SIZE_T Size, ULONG Tag) {
    KRUNLEVEL Current = KeGetCurrentRunLevel();
    PVOID Address;
    ULONG_PTR Granules;

    if (__builtin_expect(MiPoolProcessorServes(&MiNonPagedPool, PoolType, Size, Tag, Current), 1)) {
        Granules = MiPoolProcessorGranules(Size);
        if (__builtin_expect((Address = MiAllocateFromProcessor(&MiNonPagedPool, Granules, Tag, Current, TRUE)) != NULL,
                             1)) {
            return Address;
        }
        /* The same block size from the granules: the arguments' registers need not survive the fast path. */
        XTMUSTTAIL return MiAllocateSystemPoolSlow(NonPagedPool, (SIZE_T)(Granules - 1) << MI_POOL_GRANULE_SHIFT, Tag);
    }
    XTMUSTTAIL return MiAllocateSystemPoolSlow(PoolType, Size, Tag);
}

/* The system pools' free: the non-paged pool's per-processor lists when the block checks out there at or below
 * DISPATCH_LEVEL, everything else through MiFreeSystemPoolSlow (see MiAllocateSystemPool). */
XTFORCEINLINE VOID MiFreeSystemPool(PVOID Address, ULONG Tag) {
    KRUNLEVEL Current = KeGetCurrentRunLevel();

    /* A paged-pool block fails the non-paged pool's 64-bit keyed header check (each pool has its own key): only with
     * the 7-bit check is the paged pool's range compared first. */
    if (__builtin_expect((MI_POOL_HEADER_CHECK_BITS >= 32 || (ULONG_PTR)Address - MiPagedPoolBase >= MiPagedPoolSize) &&
                             Current <= DISPATCH_LEVEL &&
                             MiFreeToProcessor(&MiNonPagedPool, Address, Tag, Current, TRUE),
                         1)) {
        return;
    }
    XTMUSTTAIL return MiFreeSystemPoolSlow(Address, Tag);
}

PVOID MmAllocatePool(MM_POOL_TYPE PoolType, SIZE_T Size, ULONG Tag) {
    XTMUSTTAIL return MiAllocateSystemPool(PoolType, Size, Tag);
}

VOID MmFreePool(PVOID Address, ULONG Tag) {
    XTMUSTTAIL return MiFreeSystemPool(Address, Tag);
}

PVOID ExAllocatePoolWithTag(MM_POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag) {
    XTMUSTTAIL return MiAllocateSystemPool(PoolType, NumberOfBytes, Tag);
}

VOID ExFreePoolWithTag(PVOID Address, ULONG Tag) {
    XTMUSTTAIL return MiFreeSystemPool(Address, Tag);
}

VOID MmSetSpecialPoolTag(ULONG Tag) {
    MiSetSpecialPoolTag(&MiNonPagedPool, Tag, TRUE);
}

VOID MmClearSpecialPoolTag(VOID) {
    MiSetSpecialPoolTag(&MiNonPagedPool, 0, FALSE);
}

BOOLEAN MmQueryPoolTag(ULONG Tag, PMM_POOL_TAG_STATISTICS Statistics) {
    return MiQueryPoolTag(&MiNonPagedPool, Tag, Statistics);
}

VOID MmQueryPoolStatistics(PMM_POOL_STATISTICS Statistics) {
    MiQueryPoolStatistics(&MiNonPagedPool, Statistics);
}

VOID MmDumpPoolTags(PRTL_OUTPUT_ROUTINE Output, PVOID Context) {
    MiDumpPoolTags(&MiNonPagedPool, Output, Context);
}

ULONG MmCheckPoolConsistency(VOID) {
    return MiCheckPoolConsistency(&MiNonPagedPool);
}

BOOLEAN MmQueryPagedPoolTag(ULONG Tag, PMM_POOL_TAG_STATISTICS Statistics) {
    KeCheckRunLevelLimit(APC_LEVEL, __builtin_return_address(0));
    return MiQueryPoolTag(&MiPagedPool, Tag, Statistics);
}

VOID MmQueryPagedPoolStatistics(PMM_POOL_STATISTICS Statistics) {
    MiQueryPoolStatistics(&MiPagedPool, Statistics);
}

ULONG MmCheckPagedPoolConsistency(VOID) {
    KeCheckRunLevelLimit(APC_LEVEL, __builtin_return_address(0));
    return MiCheckPoolConsistency(&MiPagedPool);
}
