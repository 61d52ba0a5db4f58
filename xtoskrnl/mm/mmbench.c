/* Memory manager benchmark (kernel parameter BENCH): costs per operation in TSC ticks, interrupts off. Under QEMU
 * -icount shift=4,sleep=off the TSC counts guest instructions << 4, deterministically (./xt bench). */
#include <kd.h>
#include <ke.h>
#include <mmhl.h>
#include <mmpager.h>
#include <mmpfn.h>
#include <pool.h>
#include <rtl.h>
#include <xtintrin.h>

#include "mm.h"

#define MI_BENCH_ROUNDS 4096
#define MI_BENCH_TAG    0x68636E42 /* "Bnch" */

/* Ticks per allocate+free of one physical frame. */
static ULONGLONG MiBenchPages(VOID) {
    ULONGLONG Start = ArReadTimeStampCounter();
    for (ULONG Round = 0; Round < MI_BENCH_ROUNDS; Round++) {
        MmFreePhysicalPage(MmAllocatePhysicalPage(FALSE));
    }
    return (ArReadTimeStampCounter() - Start) / MI_BENCH_ROUNDS;
}

/* Ticks per map+unmap of one page at a VA whose page table exists. */
static ULONGLONG MiBenchMapping(VOID) {
    PVOID Page = MmAllocateSystemPages(1, 0);
    ULONGLONG Pfn, Start;

    if (Page == NULL) {
        return 0;
    }
    Pfn = MmhUnmapPage((ULONG_PTR)Page);
    Start = ArReadTimeStampCounter();
    for (ULONG Round = 0; Round < MI_BENCH_ROUNDS; Round++) {
        MmhMapPage((ULONG_PTR)Page, Pfn, MMH_MAP_WRITABLE | MMH_MAP_NO_EXECUTE, NULL, NULL);
        MmhUnmapPage((ULONG_PTR)Page);
    }
    Start = ArReadTimeStampCounter() - Start;
    MmhMapPage((ULONG_PTR)Page, Pfn, MMH_MAP_WRITABLE | MMH_MAP_NO_EXECUTE, NULL, NULL);
    MmFreeSystemPages(Page, 1, 0);
    return Start / MI_BENCH_ROUNDS;
}

/* Ticks per pool allocate+free of Size bytes, with 64 blocks live so the lists are not trivially empty. */
static ULONGLONG MiBenchPool(SIZE_T Size) {
    PVOID Live[64];
    ULONGLONG Start;

    for (ULONG Index = 0; Index < ARRAY_SIZE(Live); Index++) {
        Live[Index] = MmAllocatePool(NonPagedPool, Size, MI_BENCH_TAG);
    }
    Start = ArReadTimeStampCounter();
    for (ULONG Round = 0; Round < MI_BENCH_ROUNDS; Round++) {
        ULONG Slot = Round % ARRAY_SIZE(Live);
        MmFreePool(Live[Slot], MI_BENCH_TAG);
        Live[Slot] = MmAllocatePool(NonPagedPool, Size, MI_BENCH_TAG);
    }
    Start = ArReadTimeStampCounter() - Start;
    for (ULONG Index = 0; Index < ARRAY_SIZE(Live); Index++) {
        MmFreePool(Live[Index], MI_BENCH_TAG);
    }
    return Start / MI_BENCH_ROUNDS;
}

/* Ticks of a memset of as many bytes as the PFN database has, measured on up to 16 MiB of system pages and scaled
 * (memset is linear). */
static ULONGLONG MiBenchMemset(VOID) {
    ULONGLONG Bytes = MmPfnBootStats.DatabaseBytes, Sample = Bytes < (16u << 20) ? Bytes : (16u << 20);
    SIZE_T Pages = (SIZE_T)(Sample / MM_PAGE_SIZE);
    PVOID Buffer = Pages ? MmAllocateSystemPages(Pages, 0) : NULL;
    ULONGLONG Start;

    if (Buffer == NULL) {
        return 0;
    }
    Start = ArReadTimeStampCounter();
    RtlZeroMemory(Buffer, Pages * MM_PAGE_SIZE);
    Start = ArReadTimeStampCounter() - Start;
    MmFreeSystemPages(Buffer, Pages, 0);
    return Start * Bytes / (Pages * MM_PAGE_SIZE);
}

VOID MmRunBenchmarks(VOID) {
    static const SIZE_T Sizes[] = {16, 64, 256, 1024, 4000, 3 * MM_PAGE_SIZE};
    ULONGLONG Pool[ARRAY_SIZE(Sizes)];
    MM_BOOT_REPORT Report;

    MmQueryBootReport(&Report);
    MmPfnBootStats.MemsetTimeStamps = MiBenchMemset();
    for (ULONG Index = 0; Index < ARRAY_SIZE(Sizes); Index++) {
        Pool[Index] = MiBenchPool(Sizes[Index]);
    }
    KdPrint("MM-BENCH ram_pages=%llu pfn_init=%llu pfn_memset=%llu pfn_bytes=%llu page_alloc_free=%llu map_unmap=%llu "
            "pool_16=%llu pool_64=%llu pool_256=%llu pool_1024=%llu pool_4000=%llu pool_12288=%llu\n",
            Report.RamPages, MmPfnBootStats.InitTimeStamps, MmPfnBootStats.MemsetTimeStamps,
            MmPfnBootStats.DatabaseBytes, MiBenchPages(), MiBenchMapping(), Pool[0], Pool[1], Pool[2], Pool[3], Pool[4],
            Pool[5]);
}
