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

/* Ticks per pool allocate+free of Size bytes of Type, with 64 blocks live so the lists are not trivially empty. */
static ULONGLONG MiBenchPool(MM_POOL_TYPE Type, SIZE_T Size) {
    PVOID Live[64];
    ULONGLONG Start;

    for (ULONG Index = 0; Index < ARRAY_SIZE(Live); Index++) {
        Live[Index] = MmAllocatePool(Type, Size, MI_BENCH_TAG);
    }
    Start = ArReadTimeStampCounter();
    for (ULONG Round = 0; Round < MI_BENCH_ROUNDS; Round++) {
        ULONG Slot = Round % ARRAY_SIZE(Live);
        MmFreePool(Live[Slot], MI_BENCH_TAG);
        Live[Slot] = MmAllocatePool(Type, Size, MI_BENCH_TAG);
    }
    Start = ArReadTimeStampCounter() - Start;
    for (ULONG Index = 0; Index < ARRAY_SIZE(Live); Index++) {
        MmFreePool(Live[Index], MI_BENCH_TAG);
    }
    return Start / MI_BENCH_ROUNDS;
}

/* Ticks per demand-zero fault (trap entry to resume: decode, a frame from the zeroed list or zeroed through the HAL
 * window, the mapping), over up to 256 pages of one page table that already exists. */
static ULONGLONG MiBenchDemandZeroFault(VOID) {
    ULONG_PTR Pages = MM_PAGE_SIZE / MmhGetPageMapOps()->EntrySize;
    PUCHAR Base = MmReservePagedPages(2 * Pages, 0);
    volatile UCHAR *Block;
    ULONGLONG Start;
    ULONG Count = 0;

    if (Base == NULL) {
        return 0;
    }
    /* Skip to a table boundary and create that table with one touch; the rest of its pages are measured. */
    Block = Base + (Pages - (((ULONG_PTR)Base >> MM_PAGE_SHIFT) & (Pages - 1))) % Pages * MM_PAGE_SIZE;
    (VOID) Block[0];
    Start = ArReadTimeStampCounter();
    for (ULONG_PTR Page = 1; Page < Pages && Count < 256; Page++, Count++) {
        (VOID) Block[Page * MM_PAGE_SIZE];
    }
    Start = ArReadTimeStampCounter() - Start;
    MmReleasePagedPages(Base, 2 * Pages, 0);
    return Count ? Start / Count : 0;
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

#define MI_BENCH_SPACE_ROUNDS 256

/* Ticks per address-space create+delete (top-level frames taken, zeroed, the kernel half copied; given back), and
 * per CR3 switch between two spaces (MmSwitchAddressSpace at DISPATCH_LEVEL, half of a round trip). */
static VOID MiBenchAddressSpaces(PULONGLONG CreateDelete, PULONGLONG Switch) {
    MMADDRESS_SPACE Space;
    ULONGLONG Start;
    KRUNLEVEL Old;

    *CreateDelete = *Switch = 0;
    Start = ArReadTimeStampCounter();
    for (ULONG Round = 0; Round < MI_BENCH_SPACE_ROUNDS; Round++) {
        if (!XT_SUCCESS(MmCreateProcessAddressSpace(&Space))) {
            return;
        }
        MmDeleteProcessAddressSpace(&Space);
    }
    *CreateDelete = (ArReadTimeStampCounter() - Start) / MI_BENCH_SPACE_ROUNDS;
    if (!XT_SUCCESS(MmCreateProcessAddressSpace(&Space))) {
        return;
    }
    Old = KeRaiseRunLevel(DISPATCH_LEVEL);
    Start = ArReadTimeStampCounter();
    for (ULONG Round = 0; Round < MI_BENCH_ROUNDS; Round++) {
        MmSwitchAddressSpace(&Space);
        MmSwitchAddressSpace(&MmSystemAddressSpace);
    }
    *Switch = (ArReadTimeStampCounter() - Start) / (2 * MI_BENCH_ROUNDS);
    KeLowerRunLevel(Old);
    MmDeleteProcessAddressSpace(&Space);
}

VOID MmRunBenchmarks(VOID) {
    static const SIZE_T Sizes[] = {16, 64, 256, 1024, 4000, 3 * MM_PAGE_SIZE};
    ULONGLONG Pool[ARRAY_SIZE(Sizes)], Paged[ARRAY_SIZE(Sizes)], SpaceCreateDelete, SpaceSwitch;
    MM_BOOT_REPORT Report;
    MM_SPACE_STATISTICS Spaces;

    MmQueryBootReport(&Report);
    MmPfnBootStats.MemsetTimeStamps = MiBenchMemset();
    for (ULONG Index = 0; Index < ARRAY_SIZE(Sizes); Index++) {
        Pool[Index] = MiBenchPool(NonPagedPool, Sizes[Index]);
        Paged[Index] = MiBenchPool(PagedPool, Sizes[Index]);
    }
    KdPrint("MM-BENCH ram_pages=%llu pfn_boot_pages=%llu pfn_init=%llu pfn_memset=%llu pfn_bytes=%llu "
            "page_alloc_free=%llu map_unmap=%llu "
            "pool_16=%llu pool_64=%llu pool_256=%llu pool_1024=%llu pool_4000=%llu pool_12288=%llu\n",
            Report.RamPages, Report.RamPages - MmQueryPendingPfnFrames(), MmPfnBootStats.InitTimeStamps,
            MmPfnBootStats.MemsetTimeStamps, MmPfnBootStats.DatabaseBytes, MiBenchPages(), MiBenchMapping(), Pool[0],
            Pool[1], Pool[2], Pool[3], Pool[4], Pool[5]);
    KdPrint("MM-BENCH-PAGED demand_zero_fault=%llu paged_16=%llu paged_64=%llu paged_256=%llu paged_1024=%llu "
            "paged_4000=%llu paged_12288=%llu\n",
            MiBenchDemandZeroFault(), Paged[0], Paged[1], Paged[2], Paged[3], Paged[4], Paged[5]);
    MiBenchAddressSpaces(&SpaceCreateDelete, &SpaceSwitch);
    MmQueryAddressSpaces(&Spaces);
    KdPrint("MM-BENCH-SPACE space_create_delete=%llu cr3_switch=%llu pcid=%u\n", SpaceCreateDelete, SpaceSwitch,
            (ULONG)Spaces.Pcids);
}
