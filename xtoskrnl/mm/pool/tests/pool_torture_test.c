/* PoolTortureSuite (freestanding): a million random allocations and frees, every byte pattern-checked on free. */
#include "pool_suites.h"
#include "pool_test_util.h"

#define TORTURE_SLOTS        4096
#define TORTURE_TAGS         8
#define TORTURE_SPECIAL_TAG  7
#define TORTURE_CHECK_PERIOD 131072

ULONG_PTR PoolTortureOperations = 1000000;

typedef struct _TORTURE_SLOT {
    PUCHAR Address;
    SIZE_T Size;
    ULONG Seed;
    ULONG Tag;
} TORTURE_SLOT;

typedef struct _TORTURE_STATE {
    MI_POOL_DESCRIPTOR Pool;
    TORTURE_SLOT Slots[TORTURE_SLOTS];
    ULONG_PTR Allocations[TORTURE_TAGS];
    ULONG_PTR Frees[TORTURE_TAGS];
    POOL_TEST_RANDOM Random;
    ULONG Failures;
} TORTURE_STATE;

static TORTURE_STATE TortureState;

static ULONG TortureTag(ULONG Index) {
    return MM_POOL_TAG('T', 'r', 't', '0' + Index);
}

/* Sizes from 1 byte to 4 pages: mostly small, some medium, a few page-sized. */
static SIZE_T TortureSize(PPOOL_TEST_RANDOM Random) {
    ULONG Class = PoolTestRandom(Random) % 1000;

    if (Class < 700) {
        return 1 + PoolTestRandom(Random) % 256;
    }
    if (Class < 920) {
        return 257 + PoolTestRandom(Random) % 1792;
    }
    if (Class < 980) {
        return 2049 + PoolTestRandom(Random) % (MM_PAGE_SIZE - 2048);
    }
    return MM_PAGE_SIZE + 1 + PoolTestRandom(Random) % (3 * MM_PAGE_SIZE);
}

/* A tag index: special pool once in 256 allocations. */
static ULONG TortureTagIndex(PPOOL_TEST_RANDOM Random) {
    ULONG Value = PoolTestRandom(Random);

    return (Value & 0xFF00) == 0 ? TORTURE_SPECIAL_TAG : Value % (TORTURE_TAGS - 1);
}

static VOID TortureFree(TORTURE_STATE *State, TORTURE_SLOT *Slot) {
    ULONG Index = Slot->Tag;

    if (PoolTestCheck(Slot->Address, Slot->Size, Slot->Seed) != Slot->Size) {
        XtestPrint("torture: block %p (%zu bytes) changed at +%zu\n", Slot->Address, Slot->Size,
                   PoolTestCheck(Slot->Address, Slot->Size, Slot->Seed));
        State->Failures++;
    }
    MiFreePool(&State->Pool, Slot->Address, TortureTag(Index));
    State->Frees[Index]++;
    Slot->Address = NULL;
}

static VOID TortureAllocate(TORTURE_STATE *State, TORTURE_SLOT *Slot) {
    ULONG Index = TortureTagIndex(&State->Random);

    Slot->Size = TortureSize(&State->Random);
    Slot->Seed = PoolTestRandom(&State->Random);
    Slot->Tag = Index;
    Slot->Address = MiAllocatePool(&State->Pool, (MM_POOL_TYPE)State->Pool.PoolType, Slot->Size, TortureTag(Index));
    if (Slot->Address == NULL) {
        XtestPrint("torture: allocation of %zu bytes failed\n", Slot->Size);
        State->Failures++;
        return;
    }
    PoolTestFill(Slot->Address, Slot->Size, Slot->Seed);
    State->Allocations[Index]++;
}

/* Tag statistics equal the torture's own counts; the checker finds nothing. */
static VOID TortureVerify(TORTURE_STATE *State) {
    MM_POOL_TAG_STATISTICS Tag;
    ULONG Index, Problems = MiCheckPoolConsistency(&State->Pool);

    if (Problems != 0) {
        XtestPrint("torture: consistency checker found %u problems\n", Problems);
        State->Failures++;
    }
    for (Index = 0; Index < TORTURE_TAGS; Index++) {
        if (!MiQueryPoolTag(&State->Pool, TortureTag(Index), &Tag)
                ? State->Allocations[Index] != 0
                : Tag.Allocations != State->Allocations[Index] || Tag.Frees != State->Frees[Index]) {
            XtestPrint("torture: tag %u statistics differ\n", Index);
            State->Failures++;
        }
    }
}

ULONG PoolTortureRun(ULONG_PTR Operations, ULONG Seed) {
    return PoolTortureRunOn(NULL, Operations, Seed);
}

ULONG PoolTortureRunOn(const MM_POOL_PAGE_SOURCE *PagedSource, ULONG_PTR Operations, ULONG Seed) {
    TORTURE_STATE *State = &TortureState;
    ULONG_PTR Operation;
    ULONG Index;

    PoolTestReleasePool(&State->Pool);
    RtlZeroMemory(State, sizeof(*State));
    if (PagedSource != NULL) {
        MiInitializePoolEx(&State->Pool, POOL_TEST_COOKIE ^ Seed, PagedPool, PagedSource, APC_LEVEL, NULL, 0);
    } else {
        PoolTestInitializePool(&State->Pool, POOL_TEST_COOKIE ^ Seed);
    }
    MiSetSpecialPoolTag(&State->Pool, TortureTag(TORTURE_SPECIAL_TAG), TRUE);
    PoolTestSeed(&State->Random, Seed);
    for (Operation = 0; Operation < Operations; Operation++) {
        TORTURE_SLOT *Slot = &State->Slots[PoolTestRandom(&State->Random) % TORTURE_SLOTS];

        if (Slot->Address != NULL) {
            TortureFree(State, Slot);
        } else {
            TortureAllocate(State, Slot);
        }
        if ((Operation + 1) % TORTURE_CHECK_PERIOD == 0) {
            TortureVerify(State);
        }
    }
    TortureVerify(State);
    for (Index = 0; Index < TORTURE_SLOTS; Index++) {
        if (State->Slots[Index].Address != NULL) {
            TortureFree(State, &State->Slots[Index]);
        }
    }
    TortureVerify(State);
    MiTrimPool(&State->Pool);
    if (State->Pool.SmallPages != 0 || State->Pool.BigCount != 0 || PoolTestLookasideBlocks(&State->Pool) != 0) {
        XtestPrint("torture: pool not empty after freeing everything\n");
        State->Failures++;
    }
    PoolTestReleasePool(&State->Pool);
    return State->Failures;
}

XTEST(RandomOperationsKeepEveryByte) {
    XTEST_CHECK_EQ(PoolTortureRun(PoolTortureOperations, 1), 0);
}

XTEST(EveryTagBalancedAfterwards) {
    MM_POOL_TAG_STATISTICS Tag;
    ULONG Index;

    XTEST_CHECK_EQ(PoolTortureRun(PoolTortureOperations / 10, 2), 0);
    /* MiReleasePool keeps nothing; rerun a short round and check the balance before the release. */
    PoolTestReleasePool(&TortureState.Pool);
    PoolTestInitializePool(&TortureState.Pool, POOL_TEST_COOKIE);
    for (Index = 0; Index < TORTURE_SLOTS; Index++) {
        TortureAllocate(&TortureState, &TortureState.Slots[Index]);
    }
    for (Index = 0; Index < TORTURE_SLOTS; Index++) {
        TortureFree(&TortureState, &TortureState.Slots[Index]);
    }
    for (Index = 0; Index < TORTURE_TAGS; Index++) {
        if (MiQueryPoolTag(&TortureState.Pool, TortureTag(Index), &Tag)) {
            XTEST_CHECK_EQ(Tag.BytesInUse, 0);
            XTEST_CHECK_EQ(Tag.Allocations, Tag.Frees);
        }
    }
    XTEST_CHECK_EQ(MiCheckPoolConsistency(&TortureState.Pool), 0);
    XTEST_CHECK_EQ(TortureState.Failures, 0);
    PoolTestReleasePool(&TortureState.Pool);
}

XTEST_SUITE(PoolTortureSuite, XTEST_ENTRY(RandomOperationsKeepEveryByte), XTEST_ENTRY(EveryTagBalancedAfterwards));
