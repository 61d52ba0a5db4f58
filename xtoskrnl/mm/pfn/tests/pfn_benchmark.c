/* Host benchmark: the PFN allocator against glibc malloc, mimalloc and jemalloc on one recorded trace of page
 * allocations and frees (4 KiB blocks for the general allocators). Not a test: bazel run -c opt. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "../pfn.h"

#define FRAMES     (1u << 20) /* a 4 GiB machine */
#define OPERATIONS 4000000u
#define LIVE_LIMIT 200000u

typedef struct _TRACE_OP {
    unsigned Slot;     /* index into the live table */
    unsigned Allocate; /* 1: allocate into Slot, 0: free Slot */
} TRACE_OP;

static TRACE_OP Trace[OPERATIONS];
static void *Live[LIVE_LIMIT];
static ULONG_PTR LivePfn[LIVE_LIMIT];

/* A random walk of the live set between 0 and LIVE_LIMIT, frees of random live blocks. */
static void RecordTrace(void) {
    unsigned long long Seed = 0x9E3779B97F4A7C15ull;
    unsigned Count = 0;
    for (unsigned Index = 0; Index < OPERATIONS; Index++) {
        Seed ^= Seed << 13, Seed ^= Seed >> 7, Seed ^= Seed << 17;
        int Allocate = Count == 0 || (Count < LIVE_LIMIT && (Seed % 100) < 52);
        Trace[Index].Allocate = (unsigned)Allocate;
        Trace[Index].Slot = Allocate ? Count++ : (unsigned)((Seed >> 20) % Count);
        if (!Allocate) {
            Count--; /* the replay moves the last live block into the freed slot */
        }
    }
}

static double Now(void) {
    struct timespec Time;
    clock_gettime(CLOCK_MONOTONIC, &Time);
    return Time.tv_sec + Time.tv_nsec / 1e9;
}

typedef void *(*MALLOC_ROUTINE)(size_t);
typedef void (*FREE_ROUTINE)(void *);

static double ReplayMalloc(MALLOC_ROUTINE Allocate, FREE_ROUTINE Free) {
    unsigned Count = 0;
    double Start = Now();
    for (unsigned Index = 0; Index < OPERATIONS; Index++) {
        if (Trace[Index].Allocate) {
            Live[Count++] = Allocate(4096);
        } else {
            Free(Live[Trace[Index].Slot]);
            Live[Trace[Index].Slot] = Live[--Count];
        }
    }
    double Elapsed = Now() - Start;
    while (Count) {
        Free(Live[--Count]);
    }
    return Elapsed * 1e9 / OPERATIONS;
}

static double ReplayPfn(PMMPFN_DATABASE Database) {
    unsigned Count = 0;
    double Start = Now();
    for (unsigned Index = 0; Index < OPERATIONS; Index++) {
        if (Trace[Index].Allocate) {
            LivePfn[Count++] = MmAllocatePfn(Database, FALSE, FALSE, NULL);
        } else {
            MmFreePfn(Database, LivePfn[Trace[Index].Slot], FALSE);
            LivePfn[Trace[Index].Slot] = LivePfn[--Count];
        }
    }
    double Elapsed = Now() - Start;
    while (Count) {
        MmFreePfn(Database, LivePfn[--Count], FALSE);
    }
    return Elapsed * 1e9 / OPERATIONS;
}

XTNORETURN VOID RtlFailFast(ULONG Code, ULONG_PTR Parameter1, ULONG_PTR Parameter2) {
    fprintf(stderr, "RtlFailFast(%u)\n", Code);
    abort();
}

/* Median of five runs of Replay. */
#define MEDIAN5(Expression)                                                                                            \
    ({                                                                                                                 \
        double Runs[5];                                                                                                \
        for (int Run = 0; Run < 5; Run++)                                                                              \
            Runs[Run] = (Expression);                                                                                  \
        for (int I = 0; I < 5; I++)                                                                                    \
            for (int J = I + 1; J < 5; J++)                                                                            \
                if (Runs[J] < Runs[I]) {                                                                               \
                    double T = Runs[I];                                                                                \
                    Runs[I] = Runs[J];                                                                                 \
                    Runs[J] = T;                                                                                       \
                }                                                                                                      \
        Runs[2];                                                                                                       \
    })

int main(void) {
    static const XT_MEMORY_DESCRIPTOR Map[] = {{0x100, FRAMES - 0x100, LoaderFree, 0}};
    static MMPFN_DATABASE Database;
    PMMPFN Entries = calloc(FRAMES, sizeof(MMPFN));
    struct {
        const char *Name;
        const char *Library;
        const char *Malloc;
        const char *Free;
    } Others[] = {
        {"mimalloc", "libmimalloc.so.2", "mi_malloc", "mi_free"},
    };

    RecordTrace();
    if (getenv("PFN_BENCH_PRELOADED")) {
        /* Re-run under LD_PRELOAD=libjemalloc (it cannot be dlopen'ed: static TLS): malloc is jemalloc here. */
        printf("%.2f\n", MEDIAN5(ReplayMalloc(malloc, free)));
        return 0;
    }
    MmInitializePfnEntries(&Database, Entries, Map, 1);
    double Pfn = MEDIAN5(ReplayPfn(&Database));
    double Glibc = MEDIAN5(ReplayMalloc(malloc, free));
    printf("trace: %u operations, live set up to %u pages, 4 KiB blocks for the general allocators\n", OPERATIONS,
           LIVE_LIMIT);
    printf("%-14s %10s %14s\n", "allocator", "ns/op", "time/PFN");
    printf("%-14s %10.2f %14.2fx\n", "PFN database", Pfn, 1.0);
    printf("%-14s %10.2f %14.2fx\n", "glibc malloc", Glibc, Glibc / Pfn);
    for (unsigned Index = 0; Index < sizeof(Others) / sizeof(Others[0]); Index++) {
        void *Library = dlopen(Others[Index].Library, RTLD_NOW | RTLD_LOCAL);
        MALLOC_ROUTINE Allocate = Library ? (MALLOC_ROUTINE)dlsym(Library, Others[Index].Malloc) : NULL;
        FREE_ROUTINE Free = Library ? (FREE_ROUTINE)dlsym(Library, Others[Index].Free) : NULL;
        if (!Allocate || !Free) {
            printf("%-14s %10s   (%s)\n", Others[Index].Name, "n/a", dlerror() ? "cannot be loaded here" : "missing");
            continue;
        }
        double Other = MEDIAN5(ReplayMalloc(Allocate, Free));
        printf("%-14s %10.2f %14.2fx\n", Others[Index].Name, Other, Other / Pfn);
    }
    char Command[4200], Line[64] = "";
    snprintf(Command, sizeof(Command), "PFN_BENCH_PRELOADED=1 LD_PRELOAD=libjemalloc.so.2 /proc/%d/exe 2>/dev/null",
             (int)getpid());
    FILE *Child = popen(Command, "r");
    if (Child && fgets(Line, sizeof(Line), Child) && atof(Line) > 0) {
        printf("%-14s %10.2f %14.2fx\n", "jemalloc", atof(Line), atof(Line) / Pfn);
    } else {
        printf("%-14s %10s   (libjemalloc.so.2 not installed)\n", "jemalloc", "n/a");
    }
    if (Child) {
        pclose(Child);
    }
    printf("PFN database consistency problems after the runs: %lu\n", (unsigned long)MmCheckPfnDatabase(&Database));
    return 0;
}
