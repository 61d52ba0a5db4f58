/* TESTFAULT=SHOOTDOWN: the TLB shootdown seen from another processor. A system page is written and read on every
 * processor (each caches its translation), freed on processor 0 (its PTE cleared, the shootdown, the frame freed),
 * then read on processor 1: that read must fault there and STOP with PAGE_FAULT_IN_NONPAGED_AREA naming the page.
 * Without the shootdown processor 1 reads the old data through its stale translation and the test fails. */
#include <kd.h>
#include <ke.h>
#include <mmpager.h>

#include "mm.h"

#define MI_SHOOTDOWN_PATTERN 0x5B00D0A1u

/* Reads the first word of the page at Argument (every processor, then processor 1 alone, at IPI_LEVEL). */
static ULONG_PTR MiReadTestPage(ULONG_PTR Argument) {
    return *(volatile ULONG *)Argument;
}

/* Counts the processors that read the pattern. */
static ULONG_PTR MiReadTestPageOnAll(ULONG_PTR Argument) {
    static volatile ULONG Readers;

    if (Argument == 0) {
        return __atomic_exchange_n(&Readers, 0, __ATOMIC_SEQ_CST);
    }
    if (MiReadTestPage(Argument) == MI_SHOOTDOWN_PATTERN) {
        __atomic_add_fetch(&Readers, 1, __ATOMIC_SEQ_CST);
    }
    return 0;
}

VOID MmTestShootdown(VOID) {
    ULONG Count = KeQueryActiveProcessorCount();
    volatile ULONG *Page;
    ULONG_PTR Value = 0;

    if (Count < 2) {
        KdPrint("MM: TESTFAULT=SHOOTDOWN needs a second processor (%u online)\n", Count);
        return;
    }
    Page = MmAllocateSystemPages(1, 0);
    if (Page == NULL) {
        KdPrint("MM: TESTFAULT=SHOOTDOWN: no system page\n");
        return;
    }
    *Page = MI_SHOOTDOWN_PATTERN;
    KeIpiGenericCall(MiReadTestPageOnAll, (ULONG_PTR)Page);
    KdPrint("MM: shootdown_va=%0*zX read by %u of %u processors; freeing it on processor %u\n",
            (int)(2 * sizeof(PVOID)), (SIZE_T)(ULONG_PTR)Page, (ULONG)MiReadTestPageOnAll(0), Count,
            KeGetCurrentProcessorNumber());
    MmFreeSystemPages((PVOID)Page, 1, 0);
    MmFlushDeferredSystemPages(); /* the batched shootdown, now */
    KdPrint("MM: reading 0x%p on processor 1\n", (PVOID)Page);
    KeIpiProcessorCall(1, MiReadTestPage, (ULONG_PTR)Page, &Value);
    KdPrint("MM: processor 1 read 0x%zx at 0x%p after the unmap (a stale translation)\n", (SIZE_T)Value, (PVOID)Page);
}
