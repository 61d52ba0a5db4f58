/* MmSmpStressSuite (SELFTEST only): the memory manager with every processor allocating at once.
 *
 * PoolAndPagesFromEveryProcessor: each processor runs two stress contexts, one at DISPATCH_LEVEL in a DPC targeted at
 * it (queued by the other processors' contexts, so it lands by IPI anywhere in their work) and one at PASSIVE_LEVEL
 * (an application processor's work hook, KeQueueProcessorWork; the boot processor's own test thread). Each context
 * allocates and frees non-paged pool blocks of 8 bytes to 3 pages under its own tag, filled with a pattern checked on
 * every free, and physical pages (marked in their PFN entry, the mark checked on free); a quarter of its frees hand
 * the block or page to another processor's mailbox instead, and that processor frees it. At least
 * STRESS_OPERATIONS allocations and frees in all. Afterwards the pool and PFN checkers are clean, the per-tag
 * counters equal the contexts' own counts, and the free frames plus the frames the pool holds are back at their
 * baseline.
 *
 * PagedPoolFirstTouchRace: fresh demand-zero paged-pool pages touched by every processor at once at PASSIVE_LEVEL:
 * each page costs exactly one frame, and every processor sees every other processor's writes in it.
 *
 * With one processor both run on the boot processor alone (its DPCs still interrupt its PASSIVE work). */
#include <ke.h>
#include <mm.h>
#include <mmpager.h>
#include <mmpfn.h>
#include <pool.h>
#include <rtl.h>
#include <xtintrin.h>

#include "mm_suites.h"

/* STRESS_LIMIT_SECONDS: a hang guard below the SMP boots' 300 s (shootdown IPIs to vCPUs sharing 2 host cores are
 * slow). */
/* Allocations and frees in all, across processors: one million on two processors (every full SELFTEST boot with
 * -smp 2: issue 10's million); a tenth on one (the same paths without concurrency) and on four or more, where the
 * vCPUs outnumber this 2-core host's cores and mostly wait for lock holders the host descheduled. */
#define STRESS_OPERATIONS     1000000
#define STRESS_PROCESSORS     16 /* processors taking part (the others idle) */
#define STRESS_CONTEXTS       (2 * STRESS_PROCESSORS)
#define STRESS_SLOTS          32 /* live blocks or pages per context */
#define STRESS_MAILBOX        32 /* hand-offs waiting per processor */
#define STRESS_BATCH          64 /* operations per DPC run, and between two DPC requests at PASSIVE */
#define STRESS_LIMIT_SECONDS  150
#define STRESS_WARMUP_BLOCKS  1024 /* 3-page blocks allocated before the baseline (page tables, big-block table) */
#define STRESS_PAGE_MARK      0x5A000000u
#define STRESS_WARMUP_TAG     MM_POOL_TAG('S', 'W', 'r', 'm')
#define STRESS_PAGED_TAG      MM_POOL_TAG('S', 'P', 'g', 'd')
#define STRESS_PAGED_PAGES    16
#define STRESS_PAGED_ROUNDS   8
#define STRESS_PAGE_VALUE_BIT 1 /* a mailbox value with this bit: (frame << 1) | 1, else a pool block */

/* One live allocation of a context: a pool block (Value: its address) or a physical page (Value: frame << 1 | 1). */
typedef struct _STRESS_SLOT {
    ULONG_PTR Value;
    ULONG Mark; /* a page's mark in its PFN entry */
} STRESS_SLOT;

typedef struct _STRESS_CONTEXT {
    STRESS_SLOT Slots[STRESS_SLOTS];
    KDPC Dpc;                  /* the DISPATCH context's DPC, targeted at its processor */
    KPROCESSOR_WORK_ITEM Work; /* the PASSIVE context's work item (application processors) */
    ULONG Random;
    ULONG Index; /* 2 * processor + (DISPATCH ? 1 : 0): the tag's and the block header's owner */
    ULONG Processor;
    KRUNLEVEL Level;
    ULONG Quota;               /* operations to do */
    volatile ULONG Operations; /* operations done */
    ULONG Allocations;         /* pool blocks allocated under its tag */
    ULONG Pages;               /* physical pages allocated */
    ULONG HandOffs;            /* blocks and pages given to another processor */
    volatile ULONG Errors;     /* pattern, mark, level or processor mismatches */
    volatile ULONG Failures;   /* allocations that returned NULL / no frame */
    volatile BOOLEAN Done;
} STRESS_CONTEXT, *PSTRESS_CONTEXT;

static STRESS_CONTEXT StressContexts[STRESS_CONTEXTS];
static volatile ULONG_PTR StressMailbox[STRESS_PROCESSORS][STRESS_MAILBOX];
static volatile ULONG StressFrees[STRESS_CONTEXTS]; /* pool blocks of each owner freed, by any context */
static ULONG StressProcessors;
static volatile ULONG StressMarkSequence;

static ULONG StressTag(ULONG Owner) {
    static const CHAR Hex[] = "0123456789ABCDEF";

    return MM_POOL_TAG('S', (Owner & 1) ? 'D' : 'P', Hex[(Owner >> 5) & 0xF], Hex[(Owner >> 1) & 0xF]);
}

static ULONG StressRandom(PSTRESS_CONTEXT Context) {
    ULONG Value = Context->Random;

    Value ^= Value << 13;
    Value ^= Value >> 17;
    Value ^= Value << 5;
    Context->Random = Value;
    return Value;
}

/* 8 bytes to 3 pages: mostly small, some up to a page, a few of 1 to 3 pages. */
static ULONG StressSize(PSTRESS_CONTEXT Context) {
    ULONG Class = StressRandom(Context) % 1000;

    if (Class < 700) {
        return 8 + StressRandom(Context) % 249;
    }
    if (Class < 950) {
        return 257 + StressRandom(Context) % 1792;
    }
    if (Class < 990) {
        return 2049 + StressRandom(Context) % (MM_PAGE_SIZE - 2048);
    }
    return MM_PAGE_SIZE + 1 + StressRandom(Context) % (2 * MM_PAGE_SIZE);
}

/* The pattern word at Index of a block with Seed (words 0 and 1 are the header: size | owner << 16, seed). */
static ULONG StressWord(ULONG Seed, ULONG Index) {
    return Seed ^ (Index * 0x9E3779B1u);
}

static VOID StressFill(PULONG Block, ULONG Size, ULONG Owner, ULONG Seed) {
    PUCHAR Bytes = (PUCHAR)Block;

    Block[0] = Size | (Owner << 16);
    Block[1] = Seed;
    for (ULONG Index = 2; Index < Size / 4; Index++) {
        Block[Index] = StressWord(Seed, Index);
    }
    for (ULONG Byte = Size & ~3u; Byte < Size; Byte++) {
        Bytes[Byte] = (UCHAR)(Seed + Byte);
    }
}

/* TRUE when the block still holds its header and pattern; *Owner receives the owner from its header. */
static BOOLEAN StressCheck(const ULONG *Block, PULONG Owner) {
    const UCHAR *Bytes = (const UCHAR *)Block;
    ULONG Size = Block[0] & 0xFFFF, Seed = Block[1];

    *Owner = Block[0] >> 16;
    if (Size < 8 || Size > 3 * MM_PAGE_SIZE || *Owner >= 2 * StressProcessors) {
        return FALSE;
    }
    for (ULONG Index = 2; Index < Size / 4; Index++) {
        if (Block[Index] != StressWord(Seed, Index)) {
            return FALSE;
        }
    }
    for (ULONG Byte = Size & ~3u; Byte < Size; Byte++) {
        if (Bytes[Byte] != (UCHAR)(Seed + Byte)) {
            return FALSE;
        }
    }
    return TRUE;
}

/* Frees a pool block or a physical page of any context (Mark: the page's expected mark, 0 for a handed-off page,
 * whose mark is only checked to be a stress mark). */
static VOID StressRelease(PSTRESS_CONTEXT Context, ULONG_PTR Value, ULONG Mark) {
    ULONG Owner;

    if (Value & STRESS_PAGE_VALUE_BIT) {
        ULONG_PTR Pfn = Value >> 1;
        PMMPFN Entry = &MmPfnDatabase.Entries[Pfn];
        ULONG_PTR Found = Entry->PteAddress;

        if (Entry->State != MmPfnActive || (Mark ? Found != Mark : (Found & 0xFF000000u) != STRESS_PAGE_MARK)) {
            Context->Errors++; /* handed out twice, or freed under us: leave it */
            return;
        }
        Entry->PteAddress = 0;
        MmFreePhysicalPage(Pfn);
    } else if (StressCheck((const ULONG *)Value, &Owner)) {
        MmFreePool((PVOID)Value, StressTag(Owner));
        __atomic_fetch_add(&StressFrees[Owner], 1, __ATOMIC_RELAXED);
    } else {
        Context->Errors++; /* corrupted: the pool would STOP on a wrong tag, so it is left allocated */
        return;
    }
    Context->Operations++;
}

/* Gives Value to another processor's mailbox; FALSE when there is no other processor or its mailbox is full. */
static BOOLEAN StressHandOff(PSTRESS_CONTEXT Context, ULONG_PTR Value) {
    ULONG Target;

    if (StressProcessors < 2) {
        return FALSE;
    }
    Target = (Context->Processor + 1 + StressRandom(Context) % (StressProcessors - 1)) % StressProcessors;
    for (ULONG Probe = 0, Start = StressRandom(Context); Probe < 4; Probe++) {
        ULONG_PTR Expected = 0;

        if (__atomic_compare_exchange_n(&StressMailbox[Target][(Start + Probe) % STRESS_MAILBOX], &Expected, Value,
                                        FALSE, __ATOMIC_RELEASE, __ATOMIC_RELAXED)) {
            Context->HandOffs++;
            return TRUE;
        }
    }
    return FALSE;
}

/* Frees what other processors left in this processor's mailbox (a few entries per call). */
static VOID StressDrainMailbox(PSTRESS_CONTEXT Context, ULONG Limit) {
    for (ULONG Index = 0; Index < STRESS_MAILBOX && Limit != 0; Index++) {
        ULONG_PTR Value = __atomic_exchange_n(&StressMailbox[Context->Processor][Index], 0, __ATOMIC_ACQUIRE);

        if (Value != 0) {
            StressRelease(Context, Value, 0);
            Limit--;
        }
    }
}

/* Fills an empty slot: a physical page once in eight (zeroed once in 32, through the mapping window), else a pool
 * block under the context's tag. */
static VOID StressAllocate(PSTRESS_CONTEXT Context, STRESS_SLOT *Slot) {
    ULONG Choice = StressRandom(Context);

    if ((Choice & 7) == 0) {
        ULONG_PTR Pfn = MmAllocatePhysicalPage((Choice & 0x18) == 0);

        if (Pfn == MM_PFN_NONE) {
            Context->Failures++;
            Context->Operations++; /* counted, so that a context out of memory still ends */
            return;
        }
        Slot->Mark = STRESS_PAGE_MARK | (__atomic_fetch_add(&StressMarkSequence, 1, __ATOMIC_RELAXED) & 0xFFFFFF);
        if (MmPfnDatabase.Entries[Pfn].PteAddress != 0) {
            Context->Errors++; /* another owner's mark: the frame was handed out twice */
        }
        MmPfnDatabase.Entries[Pfn].PteAddress = Slot->Mark;
        Slot->Value = (Pfn << 1) | STRESS_PAGE_VALUE_BIT;
        Context->Pages++;
    } else {
        ULONG Size = StressSize(Context);
        PULONG Block = MmAllocatePool(NonPagedPool, Size, StressTag(Context->Index));

        if (Block == NULL) {
            Context->Failures++;
            Context->Operations++;
            return;
        }
        StressFill(Block, Size, Context->Index, StressRandom(Context));
        Slot->Value = (ULONG_PTR)Block;
        Context->Allocations++;
    }
    Context->Operations++;
}

/* Count operations (at least) in Context, at the RunLevel and on the processor it belongs to. */
static VOID StressRun(PSTRESS_CONTEXT Context, ULONG Count) {
    ULONG Target = Context->Operations + Count;

    if (KeGetCurrentRunLevel() != Context->Level || KeGetCurrentProcessorNumber() != Context->Processor) {
        Context->Errors++;
    }
    while (Context->Operations < Target) {
        STRESS_SLOT *Slot = &Context->Slots[StressRandom(Context) % STRESS_SLOTS];
        ULONG Choice = StressRandom(Context);

        if ((Choice & 15) == 0) {
            StressDrainMailbox(Context, 4);
        }
        if (Slot->Value == 0) {
            StressAllocate(Context, Slot);
        } else {
            if ((Choice & 0x30) != 0 || !StressHandOff(Context, Slot->Value)) {
                StressRelease(Context, Slot->Value, Slot->Mark);
            }
            Slot->Value = 0;
        }
    }
}

/* Frees everything the context still holds. */
static VOID StressEmpty(PSTRESS_CONTEXT Context) {
    for (ULONG Index = 0; Index < STRESS_SLOTS; Index++) {
        if (Context->Slots[Index].Value != 0) {
            StressRelease(Context, Context->Slots[Index].Value, Context->Slots[Index].Mark);
            Context->Slots[Index].Value = 0;
        }
    }
}

/* Asks a random processor's DISPATCH context for a run (its DPC; FALSE from the insert while it is queued). */
static VOID StressKickDpc(PSTRESS_CONTEXT Context) {
    PSTRESS_CONTEXT Target = &StressContexts[2 * (StressRandom(Context) % StressProcessors) + 1];

    if (!Target->Done) {
        KeInsertQueueDpc(&Target->Dpc, NULL, NULL);
    }
}

/* The DISPATCH context's DPC: one batch, then done once its quota is reached. */
static VOID StressDpcRoutine(PKDPC Dpc, PVOID DeferredContext, PVOID Argument1, PVOID Argument2) {
    PSTRESS_CONTEXT Context = DeferredContext;

    (VOID) Argument1, (VOID)Argument2;
    if (Context->Done) {
        return;
    }
    StressRun(Context, STRESS_BATCH);
    if (Context->Operations >= Context->Quota) {
        StressEmpty(Context);
        __atomic_store_n(&Context->Done, TRUE, __ATOMIC_RELEASE);
    } else if (__atomic_load_n(&StressContexts[Context->Index - 1].Done, __ATOMIC_ACQUIRE)) {
        KeInsertQueueDpc(Dpc, NULL, NULL); /* its processor's PASSIVE context is done: nothing to interleave with */
    }
}

/* A PASSIVE context's whole run (an application processor's work item, or the boot processor's test thread). */
static VOID StressPassiveRoutine(PVOID Argument) {
    PSTRESS_CONTEXT Context = Argument;

    while (Context->Operations < Context->Quota) {
        StressRun(Context, STRESS_BATCH);
        StressKickDpc(Context);
    }
    StressEmpty(Context);
    __atomic_store_n(&Context->Done, TRUE, __ATOMIC_RELEASE);
}

static ULONGLONG StressMilliseconds(LARGE_INTEGER Start) {
    LARGE_INTEGER Frequency, Now = KeQueryPerformanceCounter(&Frequency);

    return (ULONGLONG)(Now.QuadPart - Start.QuadPart) * 1000 / (ULONGLONG)Frequency.QuadPart;
}

/* Frames the non-paged pool holds (its small pages, cached empty ones included, its page-sized blocks and its cached
 * page runs). */
static ULONG_PTR StressPoolFrames(VOID) {
    MM_POOL_STATISTICS Statistics;

    MmQueryPoolStatistics(&Statistics);
    return Statistics.SmallPages + Statistics.BigPages + Statistics.BigCachedPages;
}

/* Allocates and frees more 3-page blocks at once than the stress ever holds, so that the page tables of the system
 * PTE range it uses and the pool's big-block table exist before the baseline is taken. */
static BOOLEAN StressWarmUp(VOID) {
    static PVOID Blocks[STRESS_WARMUP_BLOCKS];
    BOOLEAN Ok = TRUE;

    for (ULONG Index = 0; Index < STRESS_WARMUP_BLOCKS; Index++) {
        Blocks[Index] = MmAllocatePool(NonPagedPool, 3 * MM_PAGE_SIZE, STRESS_WARMUP_TAG);
        Ok = Ok && Blocks[Index] != NULL;
    }
    for (ULONG Index = 0; Index < STRESS_WARMUP_BLOCKS; Index++) {
        if (Blocks[Index] != NULL) {
            MmFreePool(Blocks[Index], STRESS_WARMUP_TAG);
        }
    }
    return Ok;
}

/* Prepares the contexts of Processors processors for Total operations and queues the application processors' work. */
static VOID StressStart(ULONG Processors, ULONG Total) {
    ULONG Quota = (Total + 2 * Processors - 1) / (2 * Processors);

    RtlZeroMemory(StressContexts, sizeof(StressContexts));
    RtlZeroMemory((PVOID)StressMailbox, sizeof(StressMailbox));
    RtlZeroMemory((PVOID)StressFrees, sizeof(StressFrees));
    StressProcessors = Processors;
    for (ULONG Index = 0; Index < 2 * Processors; Index++) {
        PSTRESS_CONTEXT Context = &StressContexts[Index];

        Context->Index = Index;
        Context->Processor = Index / 2;
        Context->Level = (Index & 1) ? DISPATCH_LEVEL : PASSIVE_LEVEL;
        Context->Random = 0x9E3779B9u * (Index + 1);
        Context->Quota = Quota;
        KeInitializeDpc(&Context->Dpc, StressDpcRoutine, Context);
        KeSetTargetProcessorDpc(&Context->Dpc, Context->Processor);
        KeInitializeProcessorWork(&Context->Work, StressPassiveRoutine, Context);
    }
    for (ULONG Number = 1; Number < Processors; Number++) {
        KeQueueProcessorWork(&StressContexts[2 * Number].Work, Number);
    }
}

/* The boot processor's part: its PASSIVE context, then DPC requests until every context is done (or the limit). */
static BOOLEAN StressFinish(LARGE_INTEGER Start) {
    BOOLEAN AllDone;

    StressPassiveRoutine(&StressContexts[0]);
    do {
        AllDone = TRUE;
        for (ULONG Index = 0; Index < 2 * StressProcessors; Index++) {
            if (!__atomic_load_n(&StressContexts[Index].Done, __ATOMIC_ACQUIRE)) {
                AllDone = FALSE;
                if (Index & 1) {
                    KeInsertQueueDpc(&StressContexts[Index].Dpc, NULL, NULL);
                }
            }
        }
        KeStallExecutionProcessor(AllDone ? 0 : 100);
    } while (!AllDone && StressMilliseconds(Start) < STRESS_LIMIT_SECONDS * 1000ull);
    for (ULONG Index = 0; !AllDone && Index < 2 * StressProcessors; Index++) {
        PSTRESS_CONTEXT Context = &StressContexts[Index];

        XtestPrint("  context %u (processor %u, %s): %u of %u operations, %s, DPC %s\n", Index, Context->Processor,
                   (Index & 1) ? "DISPATCH" : "PASSIVE", Context->Operations, Context->Quota,
                   Context->Done ? "done" : "not done", Context->Dpc.DpcData != NULL ? "queued" : "not queued");
    }
    return AllDone;
}

/* Frees what is left in the mailboxes once every context is done, and takes off the queues the DPCs a late request
 * queued (their runs would return at once). */
static VOID StressDrainAll(VOID) {
    for (ULONG Number = 0; Number < StressProcessors; Number++) {
        StressDrainMailbox(&StressContexts[2 * Number], STRESS_MAILBOX);
        KeRemoveQueueDpc(&StressContexts[2 * Number + 1].Dpc);
    }
}

XTEST(PoolAndPagesFromEveryProcessor) {
    ULONG Processors = KeQueryActiveProcessorCount();
    MM_POOL_TAG_STATISTICS Before[STRESS_CONTEXTS], After;
    ULONG_PTR Free, Held;
    ULONG Total;
    ULONGLONG Operations = 0, Dispatch = 0, HandOffs = 0, Pages = 0;
    LARGE_INTEGER Start;
    KTB_FLUSH_STATISTICS FlushesBefore, FlushesAfter;

    Processors = Processors < STRESS_PROCESSORS ? Processors : STRESS_PROCESSORS;
    XTEST_ASSERT(StressWarmUp());
    for (ULONG Index = 0; Index < 2 * Processors; Index++) {
        if (!MmQueryPoolTag(StressTag(Index), &Before[Index])) {
            RtlZeroMemory(&Before[Index], sizeof(Before[Index]));
        }
    }
    MmFlushDeferredSystemPages();
    Free = MmCountFreePfns(&MmPfnDatabase);
    Held = StressPoolFrames();
    Start = KeQueryPerformanceCounter(NULL);
    KeQueryTbFlushStatistics(&FlushesBefore);
    Total = Processors == 2 ? STRESS_OPERATIONS : STRESS_OPERATIONS / 10;
    StressStart(Processors, Total);
    XTEST_ASSERT(StressFinish(Start));
    StressDrainAll();
    MmFlushDeferredSystemPages(); /* the frames of the last batched frees come back */
    KeQueryTbFlushStatistics(&FlushesAfter);
    for (ULONG Index = 0; Index < 2 * Processors; Index++) {
        PSTRESS_CONTEXT Context = &StressContexts[Index];

        XTEST_CHECK_EQ(Context->Errors, 0);
        XTEST_CHECK_EQ(Context->Failures, 0);
        XTEST_CHECK(Context->Operations >= Context->Quota);
        Operations += Context->Operations;
        Dispatch += (Index & 1) ? Context->Operations : 0;
        HandOffs += Context->HandOffs;
        Pages += Context->Pages;
        XTEST_CHECK(MmQueryPoolTag(StressTag(Index), &After));
        XTEST_CHECK_EQ(After.Allocations - Before[Index].Allocations, Context->Allocations);
        XTEST_CHECK_EQ(After.Frees - Before[Index].Frees, StressFrees[Index]);
        XTEST_CHECK_EQ(StressFrees[Index], Context->Allocations);
        XTEST_CHECK_EQ(After.BytesInUse, Before[Index].BytesInUse);
    }
    XtestPrint("  MmSmpStressSuite: %u processors, %llu operations (%llu at DISPATCH_LEVEL, %llu pages, %llu handed "
               "to another processor) in %llu ms, %llu shootdown IPI rounds\n",
               Processors, Operations, Dispatch, Pages, HandOffs, StressMilliseconds(Start),
               FlushesAfter.Ipis - FlushesBefore.Ipis);
    XTEST_CHECK(Operations >= Total);
    XTEST_CHECK(Dispatch >= Total / 2);
    XTEST_CHECK(Processors < 2 || HandOffs > 0);
    XTEST_CHECK_EQ(MmCheckPoolConsistency(), 0);
    XTEST_CHECK_EQ(MmCheckPfnDatabase(&MmPfnDatabase), 0);
    XTEST_CHECK_EQ(MmCountFreePfns(&MmPfnDatabase) + StressPoolFrames(), Free + Held);
}

/* ---- demand-zero paged pool touched by every processor at once ---- */

typedef struct _STRESS_PAGED_RACE {
    volatile PUCHAR Block;
    volatile ULONG Arrived; /* processors at the start line */
    volatile ULONG Touched; /* processors that touched every page */
    volatile ULONG Finished;
    volatile BOOLEAN Go;
    volatile ULONG Errors;
    ULONG Processors;
    KPROCESSOR_WORK_ITEM Work[STRESS_PROCESSORS];
} STRESS_PAGED_RACE;

static STRESS_PAGED_RACE PagedRace;

/* Spins (interrupts on) until *Value reaches Target; FALSE after a few seconds. */
static BOOLEAN StressWaitFor(volatile ULONG *Value, ULONG Target) {
    LARGE_INTEGER Start = KeQueryPerformanceCounter(NULL);

    while (__atomic_load_n(Value, __ATOMIC_ACQUIRE) < Target) {
        if (StressMilliseconds(Start) > 10000) {
            return FALSE;
        }
        __asm__ volatile("pause" : : : "memory");
    }
    return TRUE;
}

/* One processor's part of a round: at the start signal, count itself in every page (the first touch of some page
 * races with the others' touches) and sign its byte; once all have, check every page holds all of them. */
static VOID StressPagedRoutine(PVOID Argument) {
    ULONG Number = (ULONG)(ULONG_PTR)Argument;
    PUCHAR Block;

    __atomic_fetch_add(&PagedRace.Arrived, 1, __ATOMIC_RELEASE);
    while (!__atomic_load_n(&PagedRace.Go, __ATOMIC_ACQUIRE)) {
        __asm__ volatile("pause" : : : "memory");
    }
    Block = PagedRace.Block;
    for (ULONG Page = 0; Page < STRESS_PAGED_PAGES; Page++) {
        PUCHAR Base = Block + Page * MM_PAGE_SIZE;

        __atomic_fetch_add((volatile ULONG *)Base, 1, __ATOMIC_RELAXED);
        Base[64 + Number] = (UCHAR)(0xA0 + Number);
    }
    __atomic_fetch_add(&PagedRace.Touched, 1, __ATOMIC_RELEASE);
    if (!StressWaitFor(&PagedRace.Touched, PagedRace.Processors)) {
        PagedRace.Errors++;
    }
    for (ULONG Page = 0; Page < STRESS_PAGED_PAGES; Page++) {
        PUCHAR Base = Block + Page * MM_PAGE_SIZE;

        PagedRace.Errors += *(volatile ULONG *)Base != PagedRace.Processors;
        for (ULONG Other = 0; Other < PagedRace.Processors; Other++) {
            PagedRace.Errors += Base[64 + Other] != (UCHAR)(0xA0 + Other);
        }
        PagedRace.Errors += Base[MM_PAGE_SIZE - 1] != 0;
    }
    __atomic_fetch_add(&PagedRace.Finished, 1, __ATOMIC_RELEASE);
}

XTEST(PagedPoolFirstTouchRace) {
    ULONG Processors = KeQueryActiveProcessorCount();
    MM_PAGED_SPACE_STATISTICS Before, After;
    ULONG_PTR Free;

    Processors = Processors < STRESS_PROCESSORS ? Processors : STRESS_PROCESSORS;
    for (ULONG Round = 0; Round < STRESS_PAGED_ROUNDS; Round++) {
        PUCHAR Block = MmAllocatePool(PagedPool, STRESS_PAGED_PAGES * MM_PAGE_SIZE, STRESS_PAGED_TAG);

        XTEST_ASSERT(Block != NULL);
        for (ULONG Page = 0; Page < STRESS_PAGED_PAGES; Page++) {
            XTEST_CHECK_EQ(MmQueryPageState((ULONG_PTR)Block + Page * MM_PAGE_SIZE), MmPageDemandZero);
        }
        RtlZeroMemory(&PagedRace, sizeof(PagedRace));
        PagedRace.Block = Block;
        PagedRace.Processors = Processors;
        MmQueryPagedSpace(&Before);
        Free = MmCountFreePfns(&MmPfnDatabase);
        for (ULONG Number = 1; Number < Processors; Number++) {
            KeInitializeProcessorWork(&PagedRace.Work[Number], StressPagedRoutine, (PVOID)(ULONG_PTR)Number);
            XTEST_CHECK(KeQueueProcessorWork(&PagedRace.Work[Number], Number));
        }
        XTEST_CHECK(StressWaitFor(&PagedRace.Arrived, Processors - 1));
        __atomic_store_n(&PagedRace.Go, TRUE, __ATOMIC_RELEASE);
        StressPagedRoutine((PVOID)0);
        XTEST_ASSERT(StressWaitFor(&PagedRace.Finished, Processors));
        MmQueryPagedSpace(&After);
        XTEST_CHECK_EQ(PagedRace.Errors, 0);
        XTEST_CHECK_EQ(After.ResidentPages - Before.ResidentPages, STRESS_PAGED_PAGES);
        XTEST_CHECK_EQ(Free - MmCountFreePfns(&MmPfnDatabase),
                       STRESS_PAGED_PAGES + (After.TableFrames - Before.TableFrames));
        Free = MmCountFreePfns(&MmPfnDatabase);
        MmFreePool(Block, STRESS_PAGED_TAG);
        XTEST_CHECK_EQ(MmCountFreePfns(&MmPfnDatabase) - Free, STRESS_PAGED_PAGES);
    }
    XTEST_CHECK_EQ(MmCheckPagedPoolConsistency(), 0);
    XTEST_CHECK_EQ(MmCheckPfnDatabase(&MmPfnDatabase), 0);
}

/* ---- the deferred-shootdown batch of MmFreeSystemPages (pager.c) ---- */

#define STRESS_BATCH_RANGES 16 /* the pager's batch (MI_DEFERRED_RANGES) */
/* One-page allocate+free pairs per processor in the tight loop: 3,000 on one or two processors (168 ms on -smp 2),
 * 400 on more, whose vCPUs outnumber this 2-core host's cores (3,000 each took 6.1 s on -smp 4). */
#define STRESS_BATCH_FREES      3000
#define STRESS_BATCH_FREES_MANY 400

typedef struct _STRESS_BATCH_RACE {
    PKTHREAD Thread;        /* the test's thread: the hook acts in its free only */
    PVOID Page;             /* the page processor 1 frees while the batch is full */
    volatile ULONG Arrived; /* processors at the start line */
    volatile ULONG Go;
    volatile ULONG Freed; /* processor 1 returned from its free (tight loop: processors done) */
    volatile ULONG Fired; /* the hook ran in the test's free that filled the batch */
    volatile ULONG Errors;
    ULONG_PTR PendingAfter; /* ranges in the batch once processor 1's free returned, before the filler's flush */
    ULONG Processors;
    ULONG Frees; /* per processor in the tight loop */
    KPROCESSOR_WORK_ITEM Work[STRESS_PROCESSORS];
} STRESS_BATCH_RACE;

static STRESS_BATCH_RACE BatchRace;

/* The pager's hook in the test's free that filled the batch, before it flushes: processor 1 frees a page now, into
 * the full batch (the old MiDeferSystemRange wrote it past the array; now it flushes the batch first). */
static VOID StressBatchHook(ULONG_PTR Va) {
    MM_DEFERRED_FLUSH_STATISTICS Statistics;

    (VOID) Va;
    if (KeGetCurrentThread() != BatchRace.Thread || BatchRace.Fired) {
        return;
    }
    BatchRace.Fired = 1;
    __atomic_store_n(&BatchRace.Go, 1, __ATOMIC_RELEASE);
    if (!StressWaitFor(&BatchRace.Freed, 1)) {
        BatchRace.Errors++;
    }
    MmQueryDeferredFlushStatistics(&Statistics);
    BatchRace.PendingAfter = Statistics.Pending;
}

/* Processor 1's part: wait for the hook's signal, then free its page. */
static VOID StressBatchFreeRoutine(PVOID Argument) {
    (VOID) Argument;
    __atomic_fetch_add(&BatchRace.Arrived, 1, __ATOMIC_RELEASE);
    if (!StressWaitFor(&BatchRace.Go, 1)) {
        BatchRace.Errors++;
        return;
    }
    MmFreeSystemPages(BatchRace.Page, 1, 0);
    __atomic_store_n(&BatchRace.Freed, 1, __ATOMIC_RELEASE);
}

/* Processor 1 frees a page while the batch is full: the test's thread fills it (16 one-page frees) and, in the
 * window between its free's queueing and its flush (the pager's test hook), has processor 1 free one more. That free
 * must find the batch full and flush it first: afterwards the batch holds a fresh batch's ranges (at most 16), no
 * flush took more than 16, and processor 1's free counted as finding it full. With one processor nothing is
 * deferred at all. (On the code before the fix, processor 1's range went past the batch: STOP SYSTEM_PTE_MISUSE
 * PTE_MISUSE_BATCH_OVERRUN at the next flush.) */
XTEST(FreeIntoABatchAnotherProcessorFilled) {
    MM_DEFERRED_FLUSH_STATISTICS Before, After;
    PVOID Pages[STRESS_BATCH_RANGES];

    RtlZeroMemory(&BatchRace, sizeof(BatchRace));
    BatchRace.Thread = KeGetCurrentThread();
    BatchRace.Page = MmAllocateSystemPages(1, 0);
    XTEST_ASSERT(BatchRace.Page != NULL);
    for (ULONG Index = 0; Index < STRESS_BATCH_RANGES; Index++) {
        Pages[Index] = MmAllocateSystemPages(1, 0);
        XTEST_ASSERT(Pages[Index] != NULL);
    }
    if (KeQueryActiveProcessorCount() > 1) {
        KeInitializeProcessorWork(&BatchRace.Work[1], StressBatchFreeRoutine, NULL);
        XTEST_CHECK(KeQueueProcessorWork(&BatchRace.Work[1], 1));
        XTEST_ASSERT(StressWaitFor(&BatchRace.Arrived, 1));
    }
    MmFlushDeferredSystemPages(); /* an empty batch: the test's 16th free fills it */
    MmQueryDeferredFlushStatistics(&Before);
    MmSetDeferredFlushTestHook(StressBatchHook);
    for (ULONG Index = 0; Index < STRESS_BATCH_RANGES; Index++) {
        MmFreeSystemPages(Pages[Index], 1, 0);
    }
    MmSetDeferredFlushTestHook(NULL);
    if (KeQueryActiveProcessorCount() <= 1) {
        MmFreeSystemPages(BatchRace.Page, 1, 0);
        MmQueryDeferredFlushStatistics(&After);
        XTEST_CHECK_EQ(After.Deferred, Before.Deferred); /* one processor: every free shot down at once */
        XTEST_CHECK_EQ(After.Pending, 0);
        XTEST_CHECK_EQ(BatchRace.Fired, 0);
        return;
    }
    XTEST_ASSERT(StressWaitFor(&BatchRace.Freed, 1));
    MmFlushDeferredSystemPages();
    MmQueryDeferredFlushStatistics(&After);
    XTEST_CHECK_EQ(BatchRace.Errors, 0);
    XTEST_CHECK_EQ(BatchRace.Fired, 1); /* the hook ran in the free that filled the batch (background frees may help) */
    XTEST_CHECK(After.FoundFull > Before.FoundFull);
    XTEST_CHECK(BatchRace.PendingAfter >= 1 && BatchRace.PendingAfter <= STRESS_BATCH_RANGES);
    XTEST_CHECK(After.Deferred - Before.Deferred >= STRESS_BATCH_RANGES + 1);
    XTEST_CHECK(After.LargestBatch <= STRESS_BATCH_RANGES);
    XtestPrint("  FreeIntoABatchAnotherProcessorFilled: %llu full batches found, %llu ranges pending after the "
               "late free\n",
               (ULONGLONG)(After.FoundFull - Before.FoundFull), (ULONGLONG)BatchRace.PendingAfter);
}

/* One processor's tight loop: a one-page system range allocated, written and freed STRESS_BATCH_FREES times. */
static VOID StressBatchLoopRoutine(PVOID Argument) {
    (VOID) Argument;
    __atomic_fetch_add(&BatchRace.Arrived, 1, __ATOMIC_RELEASE);
    if (!StressWaitFor(&BatchRace.Go, 1)) {
        BatchRace.Errors++;
        return;
    }
    for (ULONG Round = 0; Round < BatchRace.Frees; Round++) {
        volatile ULONG_PTR *Page = MmAllocateSystemPages(1, 0);

        if (Page == NULL) {
            BatchRace.Errors++;
            break;
        }
        *Page = (ULONG_PTR)Page;
        if (*Page != (ULONG_PTR)Page) {
            BatchRace.Errors++;
        }
        MmFreeSystemPages((PVOID)Page, 1, 0);
    }
    __atomic_fetch_add(&BatchRace.Freed, 1, __ATOMIC_RELEASE);
}

/* Every processor frees one-page system ranges in a tight loop at once, so batches fill while others queue into
 * them: every free and allocation succeeds, no flush takes more than 16 ranges (the pager STOPs on an overrun), and
 * with more than one processor every free was deferred. */
XTEST(OnePageFreesFromEveryProcessorAtOnce) {
    ULONG Processors = KeQueryActiveProcessorCount();
    MM_DEFERRED_FLUSH_STATISTICS Before, After;
    LARGE_INTEGER Start;

    Processors = Processors < STRESS_PROCESSORS ? Processors : STRESS_PROCESSORS;
    RtlZeroMemory(&BatchRace, sizeof(BatchRace));
    BatchRace.Processors = Processors;
    BatchRace.Frees = Processors <= 2 ? STRESS_BATCH_FREES : STRESS_BATCH_FREES_MANY;
    MmQueryDeferredFlushStatistics(&Before);
    for (ULONG Number = 1; Number < Processors; Number++) {
        KeInitializeProcessorWork(&BatchRace.Work[Number], StressBatchLoopRoutine, NULL);
        XTEST_CHECK(KeQueueProcessorWork(&BatchRace.Work[Number], Number));
    }
    XTEST_ASSERT(StressWaitFor(&BatchRace.Arrived, Processors - 1));
    Start = KeQueryPerformanceCounter(NULL);
    __atomic_store_n(&BatchRace.Go, 1, __ATOMIC_RELEASE);
    StressBatchLoopRoutine(NULL);
    XTEST_ASSERT(StressWaitFor(&BatchRace.Freed, Processors));
    MmFlushDeferredSystemPages();
    MmQueryDeferredFlushStatistics(&After);
    XTEST_CHECK_EQ(BatchRace.Errors, 0);
    XTEST_CHECK(After.LargestBatch <= STRESS_BATCH_RANGES);
    if (Processors > 1) {
        XTEST_CHECK(After.Deferred - Before.Deferred >= (ULONG_PTR)Processors * BatchRace.Frees);
    } else {
        XTEST_CHECK_EQ(After.Deferred, Before.Deferred);
    }
    XtestPrint("  OnePageFreesFromEveryProcessorAtOnce: %u processors, %u frees each in %llu ms, %llu batches, %llu "
               "frees found the batch full\n",
               Processors, BatchRace.Frees, StressMilliseconds(Start), (ULONGLONG)(After.Flushes - Before.Flushes),
               (ULONGLONG)(After.FoundFull - Before.FoundFull));
}

XTEST_SUITE(MmSmpStressSuite, XTEST_ENTRY(PoolAndPagesFromEveryProcessor), XTEST_ENTRY(PagedPoolFirstTouchRace),
            XTEST_ENTRY(FreeIntoABatchAnotherProcessorFilled), XTEST_ENTRY(OnePageFreesFromEveryProcessorAtOnce));
