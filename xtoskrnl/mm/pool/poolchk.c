/* Non-paged pool: the consistency checker (for SELFTEST and tests). It counts problems and never stops the system;
 * it follows only links whose keyed checks hold, and bounds every walk by the counters. */
#include "poolp.h"

/* Walk totals compared with the descriptor's counters at the end. */
typedef struct _MI_POOL_CHECK {
    ULONG Problems;
    SIZE_T Pages;
    SIZE_T EmptyPages;
    SIZE_T LookasideBlocks;
} MI_POOL_CHECK, *PMI_POOL_CHECK;

/* Clears the scratch counters the walk fills. */
static VOID MiResetCheckCounters(PMI_POOL_DESCRIPTOR Pool) {
    ULONG Index;

    RtlZeroMemory(Pool->CheckCounts, sizeof(Pool->CheckCounts));
    for (Index = 0; Index < MI_POOL_TAG_TABLE_SIZE; Index++) {
        Pool->Tags[Index].CheckBytes = 0;
        Pool->Tags[Index].CheckBlocks = 0;
    }
    Pool->OverflowTag.CheckBytes = 0;
    Pool->OverflowTag.CheckBlocks = 0;
}

/* Accounts one block of a page walk; FALSE when its state is unknown. */
static BOOLEAN MiCheckBlock(PMI_POOL_DESCRIPTOR Pool, PPOOL_HEADER Header, PMI_POOL_CHECK Check) {
    PMI_POOL_TAG_ENTRY Entry;

    switch (Header->PoolType) {
        case MI_POOL_BLOCK_FREE:
            Pool->CheckCounts[Header->BlockSize]++;
            Check->EmptyPages += Header->BlockSize == MI_POOL_PAGE_GRANULES;
            Check->Problems += !MiPoolFreeLinksIntact(Pool, (PMI_POOL_FREE_LINKS)(Header + 1));
            return TRUE;
        case MI_POOL_BLOCK_IN_USE:
            Entry = MiPoolFindTag(Pool, Header->PoolTag, FALSE);
            Entry->CheckBytes += (SIZE_T)Header->BlockSize << MI_POOL_GRANULE_SHIFT;
            Entry->CheckBlocks++;
            return TRUE;
        case MI_POOL_BLOCK_LOOKASIDE:
            Check->LookasideBlocks++;
            return TRUE;
        default:
            return FALSE;
    }
}

/* Walks the blocks of one page: headers intact and chained exactly to the page's end, no two free neighbours. */
static VOID MiCheckPage(PMI_POOL_DESCRIPTOR Pool, PMI_POOL_PAGE Page, PMI_POOL_CHECK Check) {
    PPOOL_HEADER Header = (PPOOL_HEADER)(Page + 1);
    ULONG_PTR End = (ULONG_PTR)Page + MM_PAGE_SIZE;
    ULONG Previous = 0;
    BOOLEAN PreviousFree = FALSE;

    if (Page->Signature != MiPoolPageSignature(Pool, (ULONG_PTR)Page)) {
        Check->Problems++;
        return;
    }
    while ((ULONG_PTR)Header < End) {
        if (!MiPoolHeaderIntact(Header, Pool->Cookie) || Header->PreviousSize != Previous ||
            Header->BlockSize < MI_POOL_MIN_BLOCK ||
            (ULONG_PTR)Header + ((ULONG_PTR)Header->BlockSize << MI_POOL_GRANULE_SHIFT) > End ||
            !MiCheckBlock(Pool, Header, Check)) {
            Check->Problems++;
            return;
        }
        if (PreviousFree && Header->PoolType == MI_POOL_BLOCK_FREE) {
            Check->Problems++; /* two free neighbours were not coalesced */
        }
        PreviousFree = (BOOLEAN)(Header->PoolType == MI_POOL_BLOCK_FREE);
        Previous = Header->BlockSize;
        Header = MiPoolHeaderAt(Header, Previous);
    }
}

/* Every page on the page list. */
static VOID MiCheckPages(PMI_POOL_DESCRIPTOR Pool, PMI_POOL_CHECK Check) {
    PLIST_ENTRY Entry;

    for (Entry = Pool->PageList.Flink; Entry != &Pool->PageList; Entry = Entry->Flink) {
        if (Check->Pages++ > Pool->SmallPages || Entry->Flink->Blink != Entry) {
            Check->Problems++;
            return;
        }
        MiCheckPage(Pool, CONTAINING_RECORD(Entry, MI_POOL_PAGE, PageLinks), Check);
    }
}

/* Each free list: entries intact, of the list's size, counted exactly; the non-empty bitmap agrees. */
static VOID MiCheckFreeLists(PMI_POOL_DESCRIPTOR Pool, PMI_POOL_CHECK Check) {
    SIZE_T Total = 0;
    ULONG Index;

    for (Index = 0; Index < MI_POOL_LIST_HEADS; Index++) {
        PMI_POOL_FREE_LINKS Head = &Pool->ListHeads[Index];
        PMI_POOL_FREE_LINKS Links = Head->Flink;
        SIZE_T Count = 0;
        BOOLEAN Bit =
            (BOOLEAN)((Pool->NonEmptyLists[Index / (8 * sizeof(ULONG_PTR))] >> (Index % (8 * sizeof(ULONG_PTR)))) & 1);

        while (Links != Head) {
            if (Count > Pool->FreeBlocks || !MiPoolFreeLinksIntact(Pool, Links) || Links->Flink->Blink != Links ||
                ((PPOOL_HEADER)Links - 1)->BlockSize != Index) {
                Check->Problems++; /* one problem: the counts below cannot agree past a bad run */
                return;
            }
            Count++;
            Links = Links->Flink;
        }
        Check->Problems += Count != Pool->ListCounts[Index] || Count != Pool->CheckCounts[Index];
        Check->Problems += Bit != (Count != 0);
        Total += Count;
    }
    Check->Problems += Total != Pool->FreeBlocks;
}

/* Each lookaside list: links and headers intact, depth exact; the total matches the blocks the page walk saw. */
static VOID MiCheckLookasides(PMI_POOL_DESCRIPTOR Pool, PMI_POOL_CHECK Check) {
    SIZE_T Total = 0;
    ULONG Index;

    for (Index = 0; Index <= MI_POOL_LOOKASIDE_GRANULES; Index++) {
        PMI_POOL_LOOKASIDE_LINK Link = Pool->Lookaside[Index].Head;
        ULONG Depth = 0;

        for (; Link != NULL; Link = Link->Next, Depth++) {
            PPOOL_HEADER Header = (PPOOL_HEADER)Link - 1;
            if (Depth > Pool->Lookaside[Index].MaximumDepth ||
                Link->Check != MiPoolLookasideCheck(Pool, Link, Link->Next) ||
                !MiPoolHeaderIntact(Header, Pool->Cookie) || Header->PoolType != MI_POOL_BLOCK_LOOKASIDE ||
                Header->BlockSize != Index) {
                Check->Problems++; /* one problem: the counts below cannot agree past a bad run */
                return;
            }
        }
        Check->Problems += Depth != Pool->Lookaside[Index].Depth;
        Total += Depth;
    }
    Check->Problems += Total != Pool->LookasideBlocks || Total != Check->LookasideBlocks;
}

/* Each processor's lists: links and headers intact (in use, of the list's size, the keyed parked mark in the tag),
 * depths exact. Their blocks look in use to the page walk: each is taken back off the walk's totals. */
static VOID MiCheckProcessorLists(PMI_POOL_DESCRIPTOR Pool, PMI_POOL_CHECK Check) {
    ULONG Number, Index;

    for (Number = 0; Number < Pool->ProcessorCount; Number++) {
        PMI_POOL_PROCESSOR Processor = &Pool->Processors[Number];

        for (Index = 0; Index < MI_POOL_PP_LISTS; Index++) {
            ULONG Depth = 0;
            PMI_POOL_LOOKASIDE_LINK Link = Processor->Head[Index];

            for (; Link != NULL; Link = Link->Next, Depth++) {
                PPOOL_HEADER Header = (PPOOL_HEADER)Link - 1;
                PMI_POOL_TAG_ENTRY Entry;

                if (Depth >= Pool->MaximumDepth[Index] || Link->Check != MiPoolLookasideCheck(Pool, Link, Link->Next) ||
                    !MiPoolHeaderIntact(Header, Pool->Cookie) || !MiPoolParkedHeaderIntact(Pool, Header, Link, Index)) {
                    Check->Problems++;
                    break;
                }
                /* The page walk charged it to the tag its mark names (normally the overflow entry). */
                Entry = MiPoolFindTag(Pool, Header->PoolTag, FALSE);
                Entry->CheckBytes -= (SIZE_T)Index << MI_POOL_GRANULE_SHIFT;
                Entry->CheckBlocks--;
            }
            Check->Problems += Depth != Processor->Depth[Index];
        }
    }
}

/* The big-allocation table: count and pages match; each entry charged to its tag. */
static VOID MiCheckBigTable(PMI_POOL_DESCRIPTOR Pool, PMI_POOL_CHECK Check) {
    SIZE_T Count = 0, Pages = 0, Index;

    for (Index = 0; Index < Pool->BigCapacity; Index++) {
        PMI_POOL_BIG_ENTRY Entry = &Pool->BigTable[Index];
        PMI_POOL_TAG_ENTRY Tag;

        if (Entry->Address == NULL) {
            continue;
        }
        Tag = MiPoolFindTag(Pool, Entry->Tag, FALSE);
        Tag->CheckBytes += MiBigEntryPages(Entry) << MM_PAGE_SHIFT;
        Tag->CheckBlocks++;
        Pages += MiBigEntryPages(Entry);
        Count++;
    }
    Check->Problems += Count != Pool->BigCount || Pages != Pool->BigPages;
}

/* The run cache: every cached run intact (keyed link and fill), on the list of its page count, not in the table, and
 * the runs and pages counted exactly, within the cap. */
static VOID MiCheckBigCache(PMI_POOL_DESCRIPTOR Pool, PMI_POOL_CHECK Check) {
    SIZE_T Runs = 0, Pages = 0, Count;
    PMI_POOL_BIG_RUN Run;

    for (Count = 1; Count <= MI_POOL_BIG_CACHE_MAX_PAGES; Count++) {
        for (Run = Pool->BigCache[Count]; Run != NULL; Run = Run->Next) {
            if (!MiBigRunIntact(Pool, Run, Count) || MiFindBigEntry(Pool, Run) != NULL || Runs > Pool->BigCachedRuns) {
                Check->Problems++; /* one problem: the counts below cannot agree past a bad run */
                return;
            }
            Runs++;
            Pages += Count;
        }
    }
    Check->Problems += Runs != Pool->BigCachedRuns || Pages != Pool->BigCachedPages ||
                       Pages > MI_POOL_BIG_CACHE_LIMIT || (Pool->PoolType != NonPagedPool && Pages != 0);
}

/* Each tag's counters match what the walks found. */
static VOID MiCheckTags(PMI_POOL_DESCRIPTOR Pool, PMI_POOL_CHECK Check) {
    MM_POOL_TAG_STATISTICS Statistics;
    ULONG Index, Used = 0;

    for (Index = 0; Index <= MI_POOL_TAG_TABLE_SIZE; Index++) {
        PMI_POOL_TAG_ENTRY Entry = Index < MI_POOL_TAG_TABLE_SIZE ? &Pool->Tags[Index] : &Pool->OverflowTag;

        if (Entry->Key == 0) {
            continue;
        }
        Used += Index < MI_POOL_TAG_TABLE_SIZE;
        MiSumPoolTag(Pool, Entry, &Statistics);
        Check->Problems += Entry->CheckBytes != Statistics.BytesInUse;
        Check->Problems += Entry->CheckBlocks != Statistics.Allocations - Statistics.Frees;
    }
    Check->Problems += Used != Pool->TagsUsed;
}

ULONG MiCheckPoolConsistency(PMI_POOL_DESCRIPTOR Pool) {
    MI_POOL_CHECK Check = {0};
    MI_POOL_LOCK_HANDLE Lock;

    MiAcquirePoolLock(Pool, &Lock);
    MiResetCheckCounters(Pool);
    MiCheckPages(Pool, &Check);
    MiCheckFreeLists(Pool, &Check);
    MiCheckLookasides(Pool, &Check);
    MiCheckProcessorLists(Pool, &Check);
    MiCheckBigTable(Pool, &Check);
    MiCheckBigCache(Pool, &Check);
    MiCheckTags(Pool, &Check);
    Check.Problems += Check.Pages != Pool->SmallPages || Check.EmptyPages != Pool->EmptyPages;
    MiReleasePoolLock(Pool, &Lock);
    return Check.Problems;
}
