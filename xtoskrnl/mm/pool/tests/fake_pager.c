/* Host fake pager: each MmAllocateSystemPages is an mmap (page aligned), with a real PROT_NONE guard page after the
 * block for MM_SYSTEM_PAGES_GUARD_AFTER, a configurable page budget, and a record of every live range so that a
 * free with another count or other flags aborts the test. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include <pager.h>

#include "pool_test_env.h"

#define FAKE_PAGER_SLOTS (1u << 16)

typedef struct _FAKE_PAGER_RANGE {
    PVOID Address;
    SIZE_T Count;
    ULONG Flags;
} FAKE_PAGER_RANGE;

static FAKE_PAGER_RANGE FakePagerRanges[FAKE_PAGER_SLOTS];
static SIZE_T FakePagerBudget = POOL_TEST_UNLIMITED;
static SIZE_T FakePagerInUse;

VOID PoolTestSetPageBudget(SIZE_T Pages) {
    FakePagerBudget = Pages;
}

SIZE_T PoolTestPagesInUse(VOID) {
    return FakePagerInUse;
}

/* The record slot of Address (Insert: a free slot for it). */
static FAKE_PAGER_RANGE *FakePagerSlot(PVOID Address, BOOLEAN Insert) {
    SIZE_T Index = ((ULONG_PTR)Address >> MM_PAGE_SHIFT) * 0x9E3779B97F4A7C15ULL >> 48;
    SIZE_T Probes;

    for (Probes = 0; Probes < FAKE_PAGER_SLOTS; Probes++, Index = (Index + 1) % FAKE_PAGER_SLOTS) {
        if (FakePagerRanges[Index].Address == (Insert ? NULL : Address)) {
            return &FakePagerRanges[Index];
        }
    }
    fprintf(stderr, "fake pager: %s %p\n", Insert ? "too many ranges at" : "unknown range", Address);
    abort();
}

PVOID MmAllocateSystemPages(SIZE_T Count, ULONG Flags) {
    SIZE_T Total = Count + ((Flags & MM_SYSTEM_PAGES_GUARD_AFTER) ? 1 : 0);
    PUCHAR Address;
    FAKE_PAGER_RANGE *Range;

    if (Count == 0 || Count > FakePagerBudget - FakePagerInUse || Count > ((SIZE_T)1 << 20)) {
        return NULL;
    }
    Address = mmap(NULL, Total << MM_PAGE_SHIFT, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (Address == MAP_FAILED) {
        return NULL;
    }
    if ((Flags & MM_SYSTEM_PAGES_GUARD_AFTER) &&
        mprotect(Address + (Count << MM_PAGE_SHIFT), MM_PAGE_SIZE, PROT_NONE)) {
        abort();
    }
    Range = FakePagerSlot(Address, TRUE);
    Range->Address = Address;
    Range->Count = Count;
    Range->Flags = Flags;
    FakePagerInUse += Count;
    return Address;
}

/* Deletes a record, re-placing the rest of its probe run. */
static VOID FakePagerForget(FAKE_PAGER_RANGE *Range) {
    SIZE_T Index = (SIZE_T)(Range - FakePagerRanges);

    Range->Address = NULL;
    for (Index = (Index + 1) % FAKE_PAGER_SLOTS; FakePagerRanges[Index].Address != NULL;
         Index = (Index + 1) % FAKE_PAGER_SLOTS) {
        FAKE_PAGER_RANGE Moved = FakePagerRanges[Index];
        FakePagerRanges[Index].Address = NULL;
        *FakePagerSlot(Moved.Address, TRUE) = Moved;
    }
}

VOID MmFreeSystemPages(PVOID Address, SIZE_T Count, ULONG Flags) {
    FAKE_PAGER_RANGE *Range = FakePagerSlot(Address, FALSE);

    if (Range->Count != Count || Range->Flags != Flags) {
        fprintf(stderr, "fake pager: %p freed as %zu pages flags %u, allocated as %zu flags %u\n", Address, Count,
                Flags, Range->Count, Range->Flags);
        abort();
    }
    munmap(Address, (Count + ((Flags & MM_SYSTEM_PAGES_GUARD_AFTER) ? 1 : 0)) << MM_PAGE_SHIFT);
    FakePagerInUse -= Count;
    FakePagerForget(Range);
}
