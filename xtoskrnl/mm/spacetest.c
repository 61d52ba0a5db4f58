/* TESTFAULT=SPACESHOOTDOWN: the shootdown of a user page seen from a processor running in its address space. Processor
 * 1, attached to a new space in a DPC, reads a user page there (its translation is now cached), processor 0 unmaps
 * the page (MmUnmapUserPage: the PTE cleared, the shootdown to the processors running in the space, the frame freed),
 * then processor 1 reads it again: that read must fault and STOP with PAGE_FAULT_IN_NONPAGED_AREA naming the page.
 * Without the shootdown processor 1 reads the old frame through its stale translation and the test fails. */
#include <kd.h>
#include <ke.h>
#include <mmhl.h>
#include <mmpfn.h>

#include "mm.h"

#define MI_SPACE_TEST_VA      0x40000000u /* in the user half of every mode */
#define MI_SPACE_TEST_PATTERN 0x5ACEF00Du
#define MI_SPACE_TEST_WAIT    20000000ull /* 2 s in 100-ns units */

static MMADDRESS_SPACE MiTestSpace;
static KDPC MiTestDpc;
static volatile ULONG MiTestPhase; /* 1: processor 1 read the page; 2: processor 0 unmapped it; 3: processor 1 done */

/* Waits (up to 2 s) until MiTestPhase reaches Phase. */
static BOOLEAN MiWaitTestPhase(ULONG Phase) {
    ULONGLONG Deadline = KeQueryInterruptTime() + MI_SPACE_TEST_WAIT;

    while (__atomic_load_n(&MiTestPhase, __ATOMIC_SEQ_CST) < Phase && KeQueryInterruptTime() < Deadline) {
        __asm__ volatile("pause");
    }
    return MiTestPhase >= Phase;
}

/* Processor 1's part (a DPC): attached to the space, reads the page, waits for the unmap, reads it again. */
static VOID MiSpaceTestReader(PKDPC Dpc, PVOID Context, PVOID Argument1, PVOID Argument2) {
    MM_ATTACH_STATE State;
    ULONG Value;

    (VOID) Dpc, (VOID)Context, (VOID)Argument1, (VOID)Argument2;
    MmAttachAddressSpace(&MiTestSpace, &State);
    Value = *(volatile ULONG *)(ULONG_PTR)MI_SPACE_TEST_VA;
    KdPrint("MM: processor %u runs in the space (CR3 0x%llx) and read 0x%x at space_user_va=%0*zX\n",
            KeGetCurrentProcessorNumber(), MiTestSpace.DirectoryTableBase, Value, (int)(2 * sizeof(PVOID)),
            (SIZE_T)MI_SPACE_TEST_VA);
    __atomic_store_n(&MiTestPhase, 1, __ATOMIC_SEQ_CST);
    if (MiWaitTestPhase(2)) {
        Value = *(volatile ULONG *)(ULONG_PTR)MI_SPACE_TEST_VA; /* must fault: the page is gone */
        KdPrint("MM: processor %u read 0x%x at 0x%p after the unmap (a stale translation)\n",
                KeGetCurrentProcessorNumber(), Value, (PVOID)(ULONG_PTR)MI_SPACE_TEST_VA);
    }
    MmDetachAddressSpace(&State);
    __atomic_store_n(&MiTestPhase, 3, __ATOMIC_SEQ_CST);
}

VOID MmTestSpaceShootdown(VOID) {
    ULONG Count = KeQueryActiveProcessorCount();
    ULONG_PTR Pfn;
    PVOID Va;

    if (Count < 2) {
        KdPrint("MM: TESTFAULT=SPACESHOOTDOWN needs a second processor (%u online)\n", Count);
        return;
    }
    Pfn = MmAllocatePhysicalPage(TRUE);
    if (Pfn == MM_PFN_NONE || !XT_SUCCESS(MmCreateProcessAddressSpace(&MiTestSpace)) ||
        !XT_SUCCESS(MmhMapPhysicalMemory((ULONGLONG)Pfn << MM_PAGE_SHIFT, MM_PAGE_SIZE, &Va))) {
        KdPrint("MM: TESTFAULT=SPACESHOOTDOWN: no space or frame\n");
        return;
    }
    *(volatile ULONG *)Va = MI_SPACE_TEST_PATTERN;
    MmhUnmapPhysicalMemory(Va, MM_PAGE_SIZE);
    MmMapUserPage(&MiTestSpace, MI_SPACE_TEST_VA, Pfn);
    KeInitializeDpc(&MiTestDpc, MiSpaceTestReader, NULL);
    KeSetTargetProcessorDpc(&MiTestDpc, 1);
    KeInsertQueueDpc(&MiTestDpc, NULL, NULL);
    if (!MiWaitTestPhase(1)) {
        KdPrint("MM: processor 1 never ran in the space\n");
        return;
    }
    KdPrint("MM: unmapping it on processor %u while processor 1 runs in the space (active mask 0x%llx)\n",
            KeGetCurrentProcessorNumber(), MiTestSpace.ActiveProcessors);
    MmUnmapUserPage(&MiTestSpace, MI_SPACE_TEST_VA);
    __atomic_store_n(&MiTestPhase, 2, __ATOMIC_SEQ_CST);
    MiWaitTestPhase(3); /* processor 1 STOPs first, which freezes this one */
}
