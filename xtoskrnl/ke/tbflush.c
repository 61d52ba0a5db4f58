/* TLB shootdown (NT's KeFlushSingleTb / KeFlushMultipleTb / KeFlushEntireTb): after the memory manager cleared the
 * PTEs of kernel pages (with no flush of its own), one IPI generic call makes every processor invalidate them (one
 * invlpg each, or the whole TLB above KE_FLUSH_TB_PAGE_LIMIT pages) before the VA or the frame is used again. With one
 * processor started a flush is the local invlpg and nothing else. Without PCIDs no kernel page is global, so invlpg and
 * a CR3 reload reach every translation; with PCIDs (amd64, mm/space.c) every kernel page is global, so invlpg reaches
 * it whatever PCID cached it, and the PGE toggle below drops every PCID (docs/memory-manager.md "TLB shootdown"). */
#include <kd.h>
#include <xtintrin.h>

#include "ki.h"
#include "kimp.h"

/* What one shootdown asks every processor to invalidate: Count pages from Va, or Addresses[0..Count) (Va 0), or the
 * whole TLB (Count above the limit). On the sender's stack until every processor ran it. */
typedef struct _KI_TB_FLUSH {
    ULONG_PTR Va;
    const PVOID *Addresses;
    SIZE_T Count;
} KI_TB_FLUSH, *PKI_TB_FLUSH;

static volatile ULONG_PTR KiTbFlushCalls, KiTbFlushIpis, KiTbFlushPages, KiTbFlushEntire;

/* Invalidates this processor's whole TLB: a CR3 reload, or a CR4.PGE toggle when global pages are enabled (it also
 * drops global translations and those of every PCID; PGE is always on with PCIDs). */
static VOID KiFlushEntireLocalTb(VOID) {
    ULONG_PTR Cr4 = ArReadCr4(), Cr3;

    if (Cr4 & CR4_PGE) {
        ArWriteCr4(Cr4 & ~(ULONG_PTR)CR4_PGE);
        ArWriteCr4(Cr4);
    } else {
        __asm__ volatile("mov %%cr3, %0; mov %0, %%cr3" : "=&r"(Cr3) : : "memory");
    }
    __atomic_add_fetch(&KiTbFlushEntire, 1, __ATOMIC_RELAXED);
}

/* Runs a flush request on this processor. */
static VOID KiFlushLocalTb(const KI_TB_FLUSH *Flush) {
    if (Flush->Count > KE_FLUSH_TB_PAGE_LIMIT) {
        KiFlushEntireLocalTb();
        return;
    }
    for (SIZE_T Index = 0; Index < Flush->Count; Index++) {
        ArInvalidatePage(Flush->Addresses ? Flush->Addresses[Index] : (PCVOID)(Flush->Va + Index * MM_PAGE_SIZE));
    }
}

/* The shootdown IPI's worker (every processor, at IPI_LEVEL). */
static ULONG_PTR KiFlushTbWorker(ULONG_PTR Argument) {
    KiFlushLocalTb((const KI_TB_FLUSH *)Argument);
    return 0;
}

/* Flushes locally and, when other processors run, on all of them through one IPI generic call. */
static VOID KiFlushTb(const KI_TB_FLUSH *Flush) {
    __atomic_add_fetch(&KiTbFlushCalls, 1, __ATOMIC_RELAXED);
    if (Flush->Count <= KE_FLUSH_TB_PAGE_LIMIT) {
        __atomic_add_fetch(&KiTbFlushPages, Flush->Count, __ATOMIC_RELAXED);
    }
    if (__builtin_expect(__atomic_load_n(&KiProcessorCount, __ATOMIC_ACQUIRE) <= 1, 1)) {
        KiFlushLocalTb(Flush);
        return;
    }
    __atomic_add_fetch(&KiTbFlushIpis, 1, __ATOMIC_RELAXED);
    KeIpiGenericCall(KiFlushTbWorker, (ULONG_PTR)Flush);
}

VOID KeFlushSingleTb(PVOID Va) {
    KI_TB_FLUSH Flush = {(ULONG_PTR)Va, NULL, 1};

    if (__builtin_expect(KiProcessorCount <= 1, 1)) {
        ArInvalidatePage(Va); /* one processor: the invlpg, nothing else */
        return;
    }
    KiFlushTb(&Flush);
}

VOID KeFlushRangeTb(PVOID Va, SIZE_T Pages) {
    KI_TB_FLUSH Flush = {(ULONG_PTR)Va, NULL, Pages};

    if (Pages != 0) {
        KiFlushTb(&Flush);
    }
}

VOID KeFlushMultipleTb(SIZE_T Count, const PVOID *Addresses) {
    KI_TB_FLUSH Flush = {0, Addresses, Count};

    if (Count != 0) {
        KiFlushTb(&Flush);
    }
}

VOID KeFlushEntireTb(VOID) {
    KI_TB_FLUSH Flush = {0, NULL, ~(SIZE_T)0};

    KiFlushTb(&Flush);
}

VOID KeQueryTbFlushStatistics(PKTB_FLUSH_STATISTICS Statistics) {
    Statistics->Flushes = __atomic_load_n(&KiTbFlushCalls, __ATOMIC_RELAXED);
    Statistics->Ipis = __atomic_load_n(&KiTbFlushIpis, __ATOMIC_RELAXED);
    Statistics->Pages = __atomic_load_n(&KiTbFlushPages, __ATOMIC_RELAXED);
    Statistics->EntireFlushes = __atomic_load_n(&KiTbFlushEntire, __ATOMIC_RELAXED);
}

#define KI_TB_BENCH_ROUNDS 1024

/* The generic call's do-nothing worker. */
static ULONG_PTR KiTbBenchNothing(ULONG_PTR Argument) {
    return Argument;
}

VOID KiRunTbFlushBenchmarks(VOID) {
    static const ULONG_PTR Page = 0; /* its own page is mapped: what is flushed is reloaded by the next access */
    ULONGLONG Start, Call, Single, Range, Entire;

    Start = ArReadTimeStampCounter();
    for (ULONG Round = 0; Round < KI_TB_BENCH_ROUNDS; Round++) {
        KeIpiGenericCall(KiTbBenchNothing, Round);
    }
    Call = (ArReadTimeStampCounter() - Start) / KI_TB_BENCH_ROUNDS;
    Start = ArReadTimeStampCounter();
    for (ULONG Round = 0; Round < KI_TB_BENCH_ROUNDS; Round++) {
        KeFlushSingleTb((PVOID)&Page);
    }
    Single = (ArReadTimeStampCounter() - Start) / KI_TB_BENCH_ROUNDS;
    Start = ArReadTimeStampCounter();
    for (ULONG Round = 0; Round < KI_TB_BENCH_ROUNDS; Round++) {
        KeFlushRangeTb((PVOID)ALIGN_DOWN((ULONG_PTR)&Page, MM_PAGE_SIZE), 16);
    }
    Range = (ArReadTimeStampCounter() - Start) / KI_TB_BENCH_ROUNDS;
    Start = ArReadTimeStampCounter();
    for (ULONG Round = 0; Round < KI_TB_BENCH_ROUNDS; Round++) {
        KeFlushEntireTb();
    }
    Entire = (ArReadTimeStampCounter() - Start) / KI_TB_BENCH_ROUNDS;
    KdPrint("KE-BENCH cpus=%u ipi_generic_call=%llu tb_flush_single=%llu tb_flush_16=%llu tb_flush_entire=%llu\n",
            KiProcessorCount, Call, Single, Range, Entire);
}
