/* The Object Manager on the host: :core compiled as the kernel compiles it, its pool from the C library with per-tag
 * byte counters, locks over one modelled processor per thread (processor_model.c). Runs ObCoreSuite and ObScaleSuite
 * (a million objects, a million handles, the duplicate/close race on four threads), ObHostBenchSuite (the host
 * cost of ObReferenceObjectByHandle + ObDereferenceObject with 1 and with 1,000,000 handles open; O(1): the second
 * may not be much above the first) and ObHostStopSuite (misuse STOPs, caught per thread). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <obp.h>
#include "xtoskrnl/ke/tests/processor_model.h"

#include "ob_cases.h"

#define HOST_TAGS 64

/* Per-tag bytes in use; each block carries its size and tag in a 16-byte prefix. */
static struct {
    ULONG Tag;
    volatile SIZE_T Bytes;
} HostTags[HOST_TAGS];

static volatile SIZE_T *HostTagBytes(ULONG Tag) {
    for (ULONG Index = 0; Index < HOST_TAGS; Index++) {
        ULONG Seen = __atomic_load_n(&HostTags[Index].Tag, __ATOMIC_ACQUIRE), Zero = 0;

        if (Seen == Tag) {
            return &HostTags[Index].Bytes;
        }
        if (Seen == 0 &&
            __atomic_compare_exchange_n(&HostTags[Index].Tag, &Zero, Tag, FALSE, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            return &HostTags[Index].Bytes;
        }
        if (Zero == Tag) {
            return &HostTags[Index].Bytes;
        }
    }
    abort();
}

PVOID ObpAllocatePool(SIZE_T Size, ULONG Tag) {
    PSIZE_T Block = aligned_alloc(16, ALIGN_UP(Size + 16, 16));

    if (Block == NULL) {
        return NULL;
    }
    Block[0] = Size;
    Block[1] = Tag;
    __atomic_add_fetch(HostTagBytes(Tag), Size, __ATOMIC_RELAXED);
    return (PUCHAR)Block + 16;
}

VOID ObpFreePool(PVOID Address, ULONG Tag) {
    PSIZE_T Block = (PSIZE_T)((PUCHAR)Address - 16);

    if (Block[1] != Tag) {
        fprintf(stderr, "ObpFreePool: tag %08zx freed as %08x\n", Block[1], Tag);
        abort();
    }
    __atomic_sub_fetch(HostTagBytes(Tag), Block[0], __ATOMIC_RELAXED);
    free(Block);
}

static PVOID HostAllocatePage(PVOID Context) {
    (VOID) Context;
    return ObpAllocatePool(EX_HANDLE_PAGE_SIZE, OB_TAG_TABLE);
}

static VOID HostFreePage(PVOID Context, PVOID Page) {
    (VOID) Context;
    ObpFreePool(Page, OB_TAG_TABLE);
}

const EX_HANDLE_TABLE_PAGES ObpHandleTablePages = {HostAllocatePage, HostFreePage, NULL};

SIZE_T ObTestPoolBytes(ULONG Tag) {
    return *HostTagBytes(Tag);
}

ULONG ObTestHandleTarget(VOID) {
    return 1000000;
}

ULONG ObTestObjectRounds(VOID) {
    return 1000000;
}

ULONG ObTestWorkerLimit(VOID) {
    return 4;
}

typedef struct _HOST_WORKER {
    VOID (*Routine)(ULONG Worker);
    ULONG Worker;
} HOST_WORKER;

static PVOID HostWorkerThread(PVOID Context) {
    HOST_WORKER *Worker = Context;

    Worker->Routine(Worker->Worker);
    return NULL;
}

ULONG ObTestRunConcurrently(VOID (*Routine)(ULONG Worker), ULONG Workers) {
    pthread_t Threads[8];
    HOST_WORKER Contexts[8];
    ULONG Started = 0;

    for (ULONG Index = 0; Index < Workers && Index < 8; Index++) {
        Contexts[Index].Routine = Routine;
        Contexts[Index].Worker = Index;
        Started += pthread_create(&Threads[Index], NULL, HostWorkerThread, &Contexts[Index]) == 0;
    }
    for (ULONG Index = 0; Index < Started; Index++) {
        pthread_join(Threads[Index], NULL);
    }
    return Started;
}

/* Nanoseconds per reference + dereference through Handle (best of five runs). */
static double HostReferenceCost(HANDLE Handle, POBJECT_TYPE Type) {
    double Best = 1e9;

    for (ULONG Run = 0; Run < 5; Run++) {
        struct timespec Start, End;
        PVOID Object;

        clock_gettime(CLOCK_MONOTONIC, &Start);
        for (ULONG Round = 0; Round < 1000000; Round++) {
            if (ObReferenceObjectByHandle(Handle, 0, Type, KernelMode, &Object, NULL) != STATUS_SUCCESS) {
                return 1e9;
            }
            ObDereferenceObject(Object);
        }
        clock_gettime(CLOCK_MONOTONIC, &End);
        double Cost = ((End.tv_sec - Start.tv_sec) * 1e9 + (End.tv_nsec - Start.tv_nsec)) / 1e6;
        Best = Cost < Best ? Cost : Best;
    }
    return Best;
}

XTEST(ReferenceByHandleCostDoesNotGrowWithHandles) {
    OBJECT_TYPE_INITIALIZER Initializer = {.Length = sizeof(Initializer), .ValidAccessMask = 1};
    UNICODE_STRING Name;
    POBJECT_TYPE Type;
    HANDLE *Handles = calloc(1000000, sizeof(HANDLE));
    double One, Million;
    PVOID Object;

    ObInitializeSystem();
    RtlInitUnicodeString(&Name, u"ObHostBench");
    XTEST_ASSERT(Handles != NULL);
    XTEST_ASSERT_EQ(ObCreateObjectType(&Name, &Initializer, &Type), STATUS_SUCCESS);
    XTEST_ASSERT_EQ(ObCreateObject(KernelMode, Type, NULL, 16, &Object), STATUS_SUCCESS);
    XTEST_ASSERT_EQ(ObInsertObject(Object, 1, NULL, &Handles[0]), STATUS_SUCCESS);
    One = HostReferenceCost(Handles[0], Type);
    for (ULONG Index = 1; Index < 1000000; Index++) {
        XTEST_ASSERT_EQ(NtDuplicateObject(NtCurrentProcess(), Handles[0], NtCurrentProcess(), &Handles[Index], 0, 0,
                                          DUPLICATE_SAME_ACCESS),
                        STATUS_SUCCESS);
    }
    Million = HostReferenceCost(Handles[999999], Type);
    printf("OB-HOST-BENCH ref_deref_ns_1=%.1f ref_deref_ns_1m=%.1f\n", One, Million);
    XTEST_CHECK(Million < 10 * One + 100); /* O(1) (three pointer loads at most); generous: host load is noisy */
    for (ULONG Index = 1000000; Index-- > 0;) {
        XTEST_CHECK_EQ(NtClose(Handles[Index]), STATUS_SUCCESS);
    }
    free(Handles);
}

XTEST_SUITE(ObHostBenchSuite, XTEST_ENTRY(ReferenceByHandleCostDoesNotGrowWithHandles));

static POBJECT_TYPE StopType;

static VOID CreateAtDispatch(PVOID Context) {
    PVOID Object;

    (VOID) Context;
    KeRaiseRunLevel(DISPATCH_LEVEL);
    ObCreateObject(KernelMode, StopType, NULL, 8, &Object);
}

static VOID DereferenceOnceTooOften(PVOID Context) {
    ObDereferenceObject(Context);
}

/* Misuse is a STOP naming it, never a quiet corruption: an Ob call above its RunLevel limit, and one dereference
 * too many (the count below zero). */
XTEST(MisuseStopsTheSystem) {
    OBJECT_TYPE_INITIALIZER Initializer = {.Length = sizeof(Initializer), .ValidAccessMask = 1};
    UNICODE_STRING Name;
    KI_MODEL_STOP Stop;
    PVOID Object;

    ObInitializeSystem();
    RtlInitUnicodeString(&Name, u"ObHostStop");
    XTEST_ASSERT_EQ(ObCreateObjectType(&Name, &Initializer, &StopType), STATUS_SUCCESS);
    XTEST_CHECK(KiModelCatchStop(CreateAtDispatch, NULL, &Stop));
    XTEST_CHECK_EQ(Stop.Code, IRQL_NOT_LESS_OR_EQUAL);
    XTEST_CHECK_EQ(Stop.Parameters[0], DISPATCH_LEVEL);
    XTEST_CHECK_EQ(Stop.Parameters[1], PASSIVE_LEVEL);
    KiModelSetRunLevel(PASSIVE_LEVEL);
    XTEST_ASSERT_EQ(ObCreateObject(KernelMode, StopType, NULL, 8, &Object), STATUS_SUCCESS);
    ObReferenceObject(Object);
    ObDereferenceObject(Object);
    XTEST_CHECK_EQ(OBJECT_TO_OBJECT_HEADER(Object)->PointerCount, 1);
    OBJECT_TO_OBJECT_HEADER(Object)->PointerCount = 0; /* as if its last reference had gone without deleting it */
    XTEST_CHECK(KiModelCatchStop(DereferenceOnceTooOften, Object, &Stop));
    XTEST_CHECK_EQ(Stop.Code, REFERENCE_BY_POINTER);
    XTEST_CHECK(Stop.Parameters[0] == (ULONG_PTR)StopType);
    XTEST_CHECK(Stop.Parameters[1] == (ULONG_PTR)Object);
    XTEST_CHECK_EQ((LONG_PTR)Stop.Parameters[2], -1);
    KiModelSetRunLevel(PASSIVE_LEVEL);
}

XTEST_SUITE(ObHostStopSuite, XTEST_ENTRY(MisuseStopsTheSystem));

XTEST_HOST_MAIN(&ObCoreSuite, &ObScaleSuite, &ObHostBenchSuite, &ObHostStopSuite)
