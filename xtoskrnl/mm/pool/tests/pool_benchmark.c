/* Host benchmark: replays one deterministic allocation trace against the pool (over an O(1) arena pager), glibc
 * malloc and, when installed, mimalloc and jemalloc (loaded with dlopen so they do not interpose malloc), and reports
 * ns per operation and ratios; then two threads (two modelled processors) replay it at once against the same pool and
 * against each allocator, and the pool's consistency checker runs after each part. bazel run -c opt
 * //xtoskrnl/mm/pool/tests:pool_benchmark [-- --ops N --seed S --save FILE | --load FILE | --threads N]. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <poolp.h>

#define BENCH_MAX_LIVE 65536
#define BENCH_REPEATS  7
#define JEMALLOC_PATH  "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"

/* ---------------------------------------------------------------------------------------------------------------- */
/* The environment the pool needs                                                                                   */
/* ---------------------------------------------------------------------------------------------------------------- */

/* KeBugCheckEx (prints and aborts), the RunLevel, the processor number and the lock owner come from the modelled
 * processor of each thread (ke/tests/processor_model.c). */
XTNORETURN VOID RtlFailFast(ULONG Code, ULONG_PTR Parameter1, ULONG_PTR Parameter2) {
    KeBugCheckEx(0x139, Code, Parameter1, Parameter2, 0);
}

/* Arena pager: one reserved region, bump allocation, and a LIFO of freed ranges per page count. O(1) like a real
 * pager's fast path (which additionally maps PTEs; not modelled). The pool calls it under its lock only. */
#define ARENA_BYTES     ((SIZE_T)16 << 30)
#define ARENA_MAX_COUNT 256

static PUCHAR ArenaBase, ArenaNext;
static PVOID ArenaFree[ARENA_MAX_COUNT + 1];
static SIZE_T ArenaPages, ArenaPeakPages; /* pages the pool holds now and at most (its footprint) */

/* Counts Count pages handed out (Count < 0: given back). */
static VOID ArenaCount(LONG_PTR Count) {
    ArenaPages += (SIZE_T)Count;
    ArenaPeakPages = ArenaPages > ArenaPeakPages ? ArenaPages : ArenaPeakPages;
}

PVOID MmAllocateSystemPages(SIZE_T Count, ULONG Flags) {
    PVOID Address;

    Count += (Flags & MM_SYSTEM_PAGES_GUARD_AFTER) ? 1 : 0;
    if (Count <= ARENA_MAX_COUNT && ArenaFree[Count] != NULL) {
        Address = ArenaFree[Count];
        ArenaFree[Count] = *(PVOID *)Address;
        ArenaCount((LONG_PTR)Count);
        return Address;
    }
    if ((SIZE_T)(ArenaBase + ARENA_BYTES - ArenaNext) < (Count << MM_PAGE_SHIFT)) {
        return NULL;
    }
    Address = ArenaNext;
    ArenaNext += Count << MM_PAGE_SHIFT;
    ArenaCount((LONG_PTR)Count);
    return Address;
}

VOID MmFreeSystemPages(PVOID Address, SIZE_T Count, ULONG Flags) {
    Count += (Flags & MM_SYSTEM_PAGES_GUARD_AFTER) ? 1 : 0;
    ArenaCount(-(LONG_PTR)Count);
    if (Count <= ARENA_MAX_COUNT) {
        *(PVOID *)Address = ArenaFree[Count];
        ArenaFree[Count] = Address;
    }
}

/* ---------------------------------------------------------------------------------------------------------------- */
/* The trace                                                                                                        */
/* ---------------------------------------------------------------------------------------------------------------- */

/* One operation: Size 0 frees Slot, otherwise allocates Size bytes with Tag into Slot. */
typedef struct _BENCH_OP {
    unsigned Slot;
    unsigned Size;
    unsigned Tag;
} BENCH_OP;

static unsigned long long BenchState;

static unsigned BenchRandom(void) {
    BenchState ^= BenchState >> 12;
    BenchState ^= BenchState << 25;
    BenchState ^= BenchState >> 27;
    return (unsigned)((BenchState * 0x2545F4914F6CDD1DULL) >> 32);
}

/* A kernel-like size mix: mostly small objects, a tail of buffers up to 64 KiB. */
static unsigned BenchSize(unsigned *Bucket) {
    static const unsigned Weights[] = {300, 250, 180, 110, 60, 40, 35, 17, 8}; /* per mille */
    static const unsigned Low[] = {8, 65, 129, 257, 513, 1025, 2049, 4097, 16385};
    static const unsigned High[] = {64, 128, 256, 512, 1024, 2048, 4096, 16384, 65536};
    unsigned Pick = BenchRandom() % 1000, Index = 0;

    while (Pick >= Weights[Index]) {
        Pick -= Weights[Index++];
    }
    *Bucket = Index;
    /* Call sites ask for a few fixed sizes: round to 8 bytes most of the time. */
    return ((Low[Index] + BenchRandom() % (High[Index] - Low[Index] + 1)) + 7) & ~7u;
}

/* Live set size drifts between BenchMaxLive / 60 and BenchMaxLive (default 30000); 60% of frees take the newest block
 * (LIFO-ish), the rest a random one. */
static size_t BenchMaxLive = 30000;

static BENCH_OP *BenchGenerate(size_t Operations, unsigned Seed) {
    BENCH_OP *Trace = malloc(Operations * sizeof(*Trace));
    unsigned *Live = malloc(BENCH_MAX_LIVE * sizeof(unsigned)), *Free = malloc(BENCH_MAX_LIVE * sizeof(unsigned));
    size_t LiveCount = 0, FreeCount = BENCH_MAX_LIVE, Index, Target = 5000;

    BenchState = 0x9E3779B97F4A7C15ULL ^ Seed;
    for (Index = 0; Index < BENCH_MAX_LIVE; Index++) {
        Free[Index] = BENCH_MAX_LIVE - 1 - (unsigned)Index;
    }
    for (Index = 0; Index < Operations; Index++) {
        BOOLEAN Allocate;
        if (Index % 4096 == 0) {
            Target = BenchMaxLive / 60 + BenchRandom() % BenchMaxLive;
        }
        Allocate = LiveCount == 0 || (FreeCount != 0 && BenchRandom() % 100 < (LiveCount < Target ? 60 : 40));
        if (Allocate) {
            unsigned Bucket, Slot = Free[--FreeCount];
            Trace[Index].Slot = Slot;
            Trace[Index].Size = BenchSize(&Bucket);
            Trace[Index].Tag = MM_POOL_TAG('B', 'k', 'a' + Bucket, 'a' + BenchRandom() % 4);
            Live[LiveCount++] = Slot;
        } else {
            size_t Victim = BenchRandom() % 100 < 60 ? LiveCount - 1 : BenchRandom() % LiveCount;
            Trace[Index].Slot = Live[Victim];
            Trace[Index].Size = 0;
            Live[Victim] = Live[--LiveCount];
            Free[FreeCount++] = Trace[Index].Slot;
        }
    }
    free(Live);
    free(Free);
    return Trace;
}

/* ---------------------------------------------------------------------------------------------------------------- */
/* Allocators and the replay                                                                                        */
/* ---------------------------------------------------------------------------------------------------------------- */

typedef struct _BENCH_SLOT {
    void *Address;
    unsigned Tag;
} BENCH_SLOT;

static BENCH_SLOT MainSlots[BENCH_MAX_LIVE];
static void *(*MiMalloc)(size_t);
static void (*MiFree)(void *);
static void *(*JeMalloc)(size_t, int);
static void (*JeFree)(void *, int);
extern void *__libc_malloc(size_t);
extern void __libc_free(void *);

#define REPLAY(Name, AllocateExpression, FreeStatement)                                                                \
    static void Name(BENCH_SLOT *Slots, const BENCH_OP *Trace, size_t Operations) {                                    \
        for (size_t Index = 0; Index < Operations; Index++) {                                                          \
            const BENCH_OP *Op = &Trace[Index];                                                                        \
            BENCH_SLOT *Slot = &Slots[Op->Slot];                                                                       \
            if (Op->Size != 0) {                                                                                       \
                Slot->Address = (AllocateExpression);                                                                  \
                Slot->Tag = Op->Tag;                                                                                   \
                *(volatile unsigned long *)Slot->Address = Op->Size; /* touch it like a caller */                      \
            } else {                                                                                                   \
                FreeStatement;                                                                                         \
                Slot->Address = NULL;                                                                                  \
            }                                                                                                          \
        }                                                                                                              \
    }

REPLAY(ReplayPool, MmAllocatePool(NonPagedPool, Op->Size, Op->Tag), MmFreePool(Slot->Address, Slot->Tag))
REPLAY(ReplayGlibc, __libc_malloc(Op->Size), __libc_free(Slot->Address))
REPLAY(ReplayMimalloc, MiMalloc(Op->Size), MiFree(Slot->Address))
REPLAY(ReplayJemalloc, JeMalloc(Op->Size, 0), JeFree(Slot->Address, 0))

typedef void (*BENCH_REPLAY)(BENCH_SLOT *, const BENCH_OP *, size_t);

static double Now(void) {
    struct timespec Time;
    clock_gettime(CLOCK_MONOTONIC, &Time);
    return Time.tv_sec * 1e9 + Time.tv_nsec;
}

/* Frees whatever the trace left live (not timed). */
static void FreeLeftovers(BENCH_REPLAY Replay, BENCH_SLOT *Slots) {
    for (unsigned Index = 0; Index < BENCH_MAX_LIVE; Index++) {
        if (Slots[Index].Address != NULL) {
            BENCH_OP Op = {Index, 0, 0};
            Replay(Slots, &Op, 1);
        }
    }
}

static int CompareDouble(const void *A, const void *B) {
    double X = *(const double *)A, Y = *(const double *)B;
    return X < Y ? -1 : X > Y;
}

/* Median ns per operation over BENCH_REPEATS timed replays after one warm-up; *Best gets the fastest. */
static double Measure(BENCH_REPLAY Replay, const BENCH_OP *Trace, size_t Operations, double *Best) {
    double Samples[BENCH_REPEATS];

    Replay(MainSlots, Trace, Operations);
    FreeLeftovers(Replay, MainSlots);
    for (int Round = 0; Round < BENCH_REPEATS; Round++) {
        double Start = Now();
        Replay(MainSlots, Trace, Operations);
        Samples[Round] = (Now() - Start) / (double)Operations;
        FreeLeftovers(Replay, MainSlots);
    }
    qsort(Samples, BENCH_REPEATS, sizeof(double), CompareDouble);
    *Best = Samples[0];
    return Samples[BENCH_REPEATS / 2];
}

/* ---- Several threads at once ---- */

#define BENCH_MAX_THREADS 8

typedef struct _BENCH_THREAD {
    BENCH_REPLAY Replay;
    const BENCH_OP *Trace;
    size_t Operations;
    BENCH_SLOT *Slots;
    pthread_barrier_t *Barrier;
} BENCH_THREAD;

static void *ThreadMain(void *Context) {
    BENCH_THREAD *Thread = Context;

    pthread_barrier_wait(Thread->Barrier);
    Thread->Replay(Thread->Slots, Thread->Trace, Thread->Operations);
    pthread_barrier_wait(Thread->Barrier);
    return NULL;
}

/* Median wall-clock ns per operation of one thread while Threads threads each replay the whole trace (their own
 * slots) at once, over BENCH_REPEATS runs after a warm-up; the leftovers are freed by the main thread (frees from
 * another processor). */
static double MeasureThreads(BENCH_REPLAY Replay, const BENCH_OP *Trace, size_t Operations, unsigned Threads) {
    static BENCH_SLOT ThreadSlots[BENCH_MAX_THREADS][BENCH_MAX_LIVE];
    double Samples[BENCH_REPEATS];
    BENCH_THREAD Context[BENCH_MAX_THREADS];
    pthread_t Handles[BENCH_MAX_THREADS];
    pthread_barrier_t Barrier;

    for (int Round = -1; Round < BENCH_REPEATS; Round++) {
        double Start;
        pthread_barrier_init(&Barrier, NULL, Threads + 1);
        for (unsigned Index = 0; Index < Threads; Index++) {
            Context[Index] = (BENCH_THREAD){Replay, Trace, Operations, ThreadSlots[Index], &Barrier};
            pthread_create(&Handles[Index], NULL, ThreadMain, &Context[Index]);
        }
        pthread_barrier_wait(&Barrier);
        Start = Now();
        pthread_barrier_wait(&Barrier);
        if (Round >= 0) {
            Samples[Round] = (Now() - Start) / (double)Operations;
        }
        for (unsigned Index = 0; Index < Threads; Index++) {
            pthread_join(Handles[Index], NULL);
            FreeLeftovers(Replay, ThreadSlots[Index]);
        }
        pthread_barrier_destroy(&Barrier);
    }
    qsort(Samples, BENCH_REPEATS, sizeof(double), CompareDouble);
    return Samples[BENCH_REPEATS / 2];
}

/* Binds an allocator's entry points from a shared library; FALSE when it is not installed. */
static BOOLEAN Load(const char *Library, const char *Allocate, const char *Free, void **AllocateOut, void **FreeOut) {
    void *Handle = dlopen(Library, RTLD_NOW | RTLD_LOCAL);

    if (Handle == NULL) {
        return FALSE;
    }
    *AllocateOut = dlsym(Handle, Allocate);
    *FreeOut = dlsym(Handle, Free);
    return *AllocateOut != NULL && *FreeOut != NULL;
}

static void Summarise(const BENCH_OP *Trace, size_t Operations) {
    static unsigned LiveSize[BENCH_MAX_LIVE];
    size_t Allocations = 0, Bytes = 0, Big = 0, Live = 0, PeakLive = 0;

    for (size_t Index = 0; Index < Operations; Index++) {
        if (Trace[Index].Size != 0) {
            Allocations++;
            Bytes += Trace[Index].Size;
            Big += Trace[Index].Size > MI_POOL_MAX_SMALL_SIZE;
            LiveSize[Trace[Index].Slot] = Trace[Index].Size;
            Live += Trace[Index].Size;
            PeakLive = Live > PeakLive ? Live : PeakLive;
        } else {
            Live -= LiveSize[Trace[Index].Slot];
        }
    }
    printf("trace: live set up to %zu blocks, %zu operations (%zu allocations, %zu frees), mean size %.0f B, %.2f%% "
           "page-sized (> %zu B), at most %.1f MiB requested at once\n",
           BenchMaxLive, Operations, Allocations, Operations - Allocations, (double)Bytes / Allocations,
           100.0 * Big / Allocations, (size_t)MI_POOL_MAX_SMALL_SIZE, (double)PeakLive / 1048576.0);
}

int main(int Count, char **Arguments) {
    size_t Operations = 4000000;
    unsigned Seed = 1;
    const char *Save = NULL, *LoadPath = NULL, *Only = NULL;
    unsigned Threads = 2;
    BENCH_OP *Trace;
    struct {
        const char *Name;
        BENCH_REPLAY Replay;
        BOOLEAN Present;
        double Median, Best;
    } Allocators[] = {{"pool", ReplayPool, TRUE, 0, 0},
                      {"glibc malloc", ReplayGlibc, TRUE, 0, 0},
                      {"mimalloc", ReplayMimalloc, FALSE, 0, 0},
                      {"jemalloc", ReplayJemalloc, FALSE, 0, 0}};

    if (getenv("POOL_BENCH_PRELOADED") == NULL && access(JEMALLOC_PATH, R_OK) == 0) {
        setenv("POOL_BENCH_PRELOADED", "1", 1);
        setenv("LD_PRELOAD", JEMALLOC_PATH, 1);
        execv("/proc/self/exe", Arguments);
    }
    for (int Index = 1; Index + 1 < Count; Index += 2) {
        if (!strcmp(Arguments[Index], "--ops"))
            Operations = strtoull(Arguments[Index + 1], NULL, 0);
        else if (!strcmp(Arguments[Index], "--seed"))
            Seed = (unsigned)strtoul(Arguments[Index + 1], NULL, 0);
        else if (!strcmp(Arguments[Index], "--save"))
            Save = Arguments[Index + 1];
        else if (!strcmp(Arguments[Index], "--load"))
            LoadPath = Arguments[Index + 1];
        else if (!strcmp(Arguments[Index], "--only"))
            Only = Arguments[Index + 1];
        else if (!strcmp(Arguments[Index], "--live"))
            BenchMaxLive = strtoull(Arguments[Index + 1], NULL, 0);
        else if (!strcmp(Arguments[Index], "--threads"))
            Threads = (unsigned)strtoul(Arguments[Index + 1], NULL, 0);
    }
    if (LoadPath != NULL) {
        FILE *File = fopen(LoadPath, "rb");
        fseek(File, 0, SEEK_END);
        Operations = (size_t)ftell(File) / sizeof(BENCH_OP);
        rewind(File);
        Trace = malloc(Operations * sizeof(BENCH_OP));
        Operations = fread(Trace, sizeof(BENCH_OP), Operations, File);
        fclose(File);
    } else {
        Trace = BenchGenerate(Operations, Seed);
    }
    if (Save != NULL) {
        FILE *File = fopen(Save, "wb");
        fwrite(Trace, sizeof(BENCH_OP), Operations, File);
        fclose(File);
    }
    Summarise(Trace, Operations);
    ArenaBase = ArenaNext =
        mmap(NULL, ARENA_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    MmInitializeNonPagedPool(0x243F6A8885A308D3ULL ^ (ULONG_PTR)Now());
    Allocators[2].Present = Load("libmimalloc.so.2", "mi_malloc", "mi_free", (void **)&MiMalloc, (void **)&MiFree);
    /* jemalloc cannot be dlopen'ed (static TLS): it comes preloaded (see main's start); glibc stays reachable as
     * __libc_malloc. */
    JeMalloc = (void *(*)(size_t, int))dlsym(RTLD_DEFAULT, "mallocx");
    JeFree = (void (*)(void *, int))dlsym(RTLD_DEFAULT, "dallocx");
    Allocators[3].Present = JeMalloc != NULL && JeFree != NULL;
    for (size_t Index = 0; Index < ARRAY_SIZE(Allocators); Index++) {
        if (Only != NULL && strcmp(Only, Allocators[Index].Name) != 0) {
            Allocators[Index].Present = Index == 1 ? TRUE : FALSE;
            Allocators[Index].Median = Allocators[Index].Best = 1;
        } else if (Allocators[Index].Present) {
            Allocators[Index].Median = Measure(Allocators[Index].Replay, Trace, Operations, &Allocators[Index].Best);
        }
    }
    printf("%-14s %12s %12s %14s %14s\n", "allocator", "ns/op (med)", "ns/op (best)", "time/mimalloc", "time/glibc");
    for (size_t Index = 0; Index < ARRAY_SIZE(Allocators); Index++) {
        if (!Allocators[Index].Present) {
            printf("%-14s not installed (apt-get install libmimalloc-dev libjemalloc-dev)\n", Allocators[Index].Name);
            continue;
        }
        printf("%-14s %12.2f %12.2f %13.2fx %13.2fx\n", Allocators[Index].Name, Allocators[Index].Median,
               Allocators[Index].Best, Allocators[2].Present ? Allocators[Index].Median / Allocators[2].Median : 0.0,
               Allocators[Index].Median / Allocators[1].Median);
    }
    printf("pool consistency problems after the runs: %u\n", MmCheckPoolConsistency());
    printf("pool footprint: at most %zu pages (%.1f MiB) held from the pager\n", ArenaPeakPages,
           (double)ArenaPeakPages / 256.0);
    if (Threads < 2 || Threads > BENCH_MAX_THREADS) {
        return 0;
    }
    printf("\n%u threads at once, each replaying the whole trace (its own slots); leftovers freed by the main thread\n",
           Threads);
    printf("%-14s %12s %14s %14s\n", "allocator", "ns/op/thread", "Mops/s total", "time/mimalloc");
    for (size_t Index = 0; Index < ARRAY_SIZE(Allocators); Index++) {
        if (Allocators[Index].Present && (Only == NULL || !strcmp(Only, Allocators[Index].Name))) {
            Allocators[Index].Best = MeasureThreads(Allocators[Index].Replay, Trace, Operations, Threads);
        } else {
            Allocators[Index].Best = 0;
        }
    }
    for (size_t Index = 0; Index < ARRAY_SIZE(Allocators); Index++) {
        if (Allocators[Index].Best == 0) {
            continue;
        }
        printf("%-14s %12.2f %14.1f %13.2fx\n", Allocators[Index].Name, Allocators[Index].Best,
               Threads * 1e3 / Allocators[Index].Best,
               Allocators[2].Best != 0 ? Allocators[Index].Best / Allocators[2].Best : 0.0);
    }
    printf("pool consistency problems after the %u-thread runs: %u\n", Threads, MmCheckPoolConsistency());
    return 0;
}
