/* Helpers shared by the pool tests: a deterministic PRNG, byte patterns, a private pool. Freestanding. */
#ifndef XTOSKRNL_MM_POOL_TESTS_POOL_TEST_UTIL_H
#define XTOSKRNL_MM_POOL_TESTS_POOL_TEST_UTIL_H

#include <poolp.h>
#include <xtest.h>

/* The cookie of the tests' private pools (the kernel's comes from RDRAND/RDTSC). */
#define POOL_TEST_COOKIE ((ULONG_PTR)0x5DEECE66D1234567ULL)

#define POOL_TAG_A MM_POOL_TAG('T', 'a', 'g', 'A')
#define POOL_TAG_B MM_POOL_TAG('T', 'a', 'g', 'B')
#define POOL_TAG_C MM_POOL_TAG('T', 'a', 'g', 'C')

/* xorshift64*: deterministic, freestanding. */
typedef struct _POOL_TEST_RANDOM {
    ULONGLONG State;
} POOL_TEST_RANDOM, *PPOOL_TEST_RANDOM;

XTINLINE VOID PoolTestSeed(PPOOL_TEST_RANDOM Random, ULONG Seed) {
    Random->State = 0x9E3779B97F4A7C15ULL ^ ((ULONGLONG)Seed * 0xBF58476D1CE4E5B9ULL);
    if (Random->State == 0) {
        Random->State = 1;
    }
}

XTINLINE ULONG PoolTestRandom(PPOOL_TEST_RANDOM Random) {
    Random->State ^= Random->State >> 12;
    Random->State ^= Random->State << 25;
    Random->State ^= Random->State >> 27;
    return (ULONG)((Random->State * 0x2545F4914F6CDD1DULL) >> 32);
}

/* The pattern word Index of a block filled with Seed. */
XTINLINE ULONG_PTR PoolTestWord(ULONG Seed, SIZE_T Index) {
    return (ULONG_PTR)(Seed * 0x9E3779B1u) ^ ((ULONG_PTR)Index * 0x01000193u) ^ ((ULONG_PTR)Index << 13);
}

/* Fills Size bytes at Address (pointer aligned) with the pattern of Seed. */
XTINLINE VOID PoolTestFill(PVOID Address, SIZE_T Size, ULONG Seed) {
    PULONG_PTR Words = Address;
    SIZE_T Count = Size / sizeof(ULONG_PTR), Index;
    ULONG_PTR Last;

    for (Index = 0; Index < Count; Index++) {
        Words[Index] = PoolTestWord(Seed, Index);
    }
    Last = PoolTestWord(Seed, Count);
    for (Index = Count * sizeof(ULONG_PTR); Index < Size; Index++) {
        ((PUCHAR)Address)[Index] = (UCHAR)(Last >> (8 * (Index % sizeof(ULONG_PTR))));
    }
}

/* Offset of the first byte at Address that differs from the pattern of Seed; Size when all match. */
XTINLINE SIZE_T PoolTestCheck(PCVOID Address, SIZE_T Size, ULONG Seed) {
    const ULONG_PTR *Words = Address;
    SIZE_T Count = Size / sizeof(ULONG_PTR), Index;
    ULONG_PTR Last;

    for (Index = 0; Index < Count; Index++) {
        if (Words[Index] != PoolTestWord(Seed, Index)) {
            return Index * sizeof(ULONG_PTR);
        }
    }
    Last = PoolTestWord(Seed, Count);
    for (Index = Count * sizeof(ULONG_PTR); Index < Size; Index++) {
        if (((const UCHAR *)Address)[Index] != (UCHAR)(Last >> (8 * (Index % sizeof(ULONG_PTR))))) {
            return Index;
        }
    }
    return Size;
}

/* Granules of the block a small request of Size bytes gets from a fresh page of a pool with per-processor lists: the
 * header and the body in granules, above 512 bytes rounded up to the next multiple of the size class step (256 bytes),
 * at most a whole page. */
XTINLINE ULONG PoolTestGranules(SIZE_T Size) {
    ULONG Granules = (ULONG)((Size + (Size == 0) + MI_POOL_GRANULE - 1) / MI_POOL_GRANULE) + 1;

    if (Granules * MI_POOL_GRANULE > 512) {
        Granules = (ULONG)((Granules * MI_POOL_GRANULE + 255) / 256 * 256 / MI_POOL_GRANULE);
    }
    return Granules < MI_POOL_PAGE_GRANULES ? Granules : MI_POOL_PAGE_GRANULES;
}

/* Blocks a refill of an empty per-processor list of Granules parks besides the one it returns when it carves a fresh
 * page: half the list's depth, at most what else the page holds. */
XTINLINE ULONG PoolTestRefillExtras(PMI_POOL_DESCRIPTOR Pool, ULONG Granules) {
    ULONG Extras = Pool->MaximumDepth[Granules] / 2;

    return Extras < MI_POOL_PAGE_GRANULES / Granules - 1 ? Extras : MI_POOL_PAGE_GRANULES / Granules - 1;
}

/* Pages of ProcessorCount per-processor blocks. */
XTINLINE SIZE_T PoolTestProcessorPages(ULONG ProcessorCount) {
    return ((SIZE_T)ProcessorCount * sizeof(MI_POOL_PROCESSOR) + MM_PAGE_SIZE - 1) >> MM_PAGE_SHIFT;
}

/* Makes Pool a private non-paged pool over system pages (MiInitializePool) whose per-processor blocks come from system
 * pages too, one for each processor MiPoolProcessorsRequired() names: the kernel links these suites, and static blocks
 * for every processor would be 304 KiB of its .bss. PoolTestReleasePool gives them back. */
XTINLINE XTSTATUS PoolTestInitializePool(PMI_POOL_DESCRIPTOR Pool, ULONG_PTR Cookie) {
    ULONG Count = MiPoolProcessorsRequired();
    PMI_POOL_PROCESSOR Processors = MmAllocateSystemPages(PoolTestProcessorPages(Count), 0);
    XTSTATUS Status;

    RtlZeroMemory(Pool, sizeof(*Pool));
    if (Processors == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    Status = MiInitializePool(Pool, Cookie, Processors, Count);
    if (!XT_SUCCESS(Status)) {
        MmFreeSystemPages(Processors, PoolTestProcessorPages(Count), 0);
    }
    return Status;
}

/* Gives every page of Pool back (MiReleasePool), and the per-processor blocks PoolTestInitializePool took; Pool is left
 * zeroed (a later release does nothing). */
XTINLINE VOID PoolTestReleasePool(PMI_POOL_DESCRIPTOR Pool) {
    PMI_POOL_PROCESSOR Processors = Pool->Processors;
    ULONG Count = Pool->ProcessorCount;

    MiReleasePool(Pool);
    if (Processors != NULL) {
        MmFreeSystemPages(Processors, PoolTestProcessorPages(Count), 0);
    }
    RtlZeroMemory(Pool, sizeof(*Pool));
}

/* The header of a small block. */
XTINLINE PPOOL_HEADER PoolTestHeader(PVOID Address) {
    return (PPOOL_HEADER)Address - 1;
}

#define POOL_TEST_ROUND_TRIP_BLOCKS 8
#define POOL_TEST_ROUND_TRIPS       100

/* Allocates POOL_TEST_ROUND_TRIP_BLOCKS blocks of Size with Tag on this processor, frees one, then frees and allocates
 * again POOL_TEST_ROUND_TRIPS times round them, and frees them all. Answers how often the round trips moved the
 * descriptor's lock-protected counters (0: they all stayed on this processor's lists), or ~0 when an allocation failed
 * or a block's size was not Granules (0: any size). */
XTINLINE ULONG_PTR PoolTestRoundTrips(PMI_POOL_DESCRIPTOR Pool, SIZE_T Size, ULONG Tag, ULONG Granules) {
    PVOID Live[POOL_TEST_ROUND_TRIP_BLOCKS];
    ULONG_PTR Allocations, Frees, Moved, Failed = 0;

    for (ULONG Slot = 0; Slot < ARRAY_SIZE(Live); Slot++) {
        Live[Slot] = MiAllocatePool(Pool, NonPagedPool, Size, Tag);
        Failed |= Live[Slot] == NULL || (Granules != 0 && PoolTestHeader(Live[Slot])->BlockSize != Granules);
    }
    if (Failed) {
        return ~(ULONG_PTR)0;
    }
    MiFreePool(Pool, Live[0], Tag);
    Allocations = Pool->Allocations;
    Frees = Pool->Frees;
    for (ULONG Round = 0; Round < POOL_TEST_ROUND_TRIPS; Round++) {
        ULONG Slot = Round % ARRAY_SIZE(Live);
        if (Round != 0) {
            MiFreePool(Pool, Live[Slot], Tag);
        }
        Live[Slot] = MiAllocatePool(Pool, NonPagedPool, Size, Tag);
        if (Live[Slot] == NULL) {
            return ~(ULONG_PTR)0;
        }
    }
    Moved = (Pool->Allocations - Allocations) + (Pool->Frees - Frees);
    for (ULONG Slot = 0; Slot < ARRAY_SIZE(Live); Slot++) {
        MiFreePool(Pool, Live[Slot], Tag);
    }
    return Moved;
}

/* Blocks on Pool's lookaside lists, the shared ones and every processor's. */
XTINLINE SIZE_T PoolTestLookasideBlocks(PMI_POOL_DESCRIPTOR Pool) {
    MM_POOL_STATISTICS Statistics;

    MiQueryPoolStatistics(Pool, &Statistics);
    return Statistics.LookasideBlocks;
}

/* TRUE when the small block at Address sits on a per-processor lookaside list: its header in use, its tag the keyed
 * parked mark, and its body a valid keyed link. */
XTINLINE BOOLEAN PoolTestOnProcessorList(PMI_POOL_DESCRIPTOR Pool, PVOID Address) {
    PMI_POOL_LOOKASIDE_LINK Link = Address;

    return (BOOLEAN)(PoolTestHeader(Address)->PoolType == MI_POOL_BLOCK_IN_USE &&
                     PoolTestHeader(Address)->PoolTag == MiPoolParkedTag(Pool, Link) &&
                     Link->Check == MiPoolLookasideCheck(Pool, Link, Link->Next));
}

#endif
