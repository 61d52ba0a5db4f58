/* The page-fault handler (docs/memory-manager.md, "Page faults"): resolves first touches of demand-zero pages at
 * RunLevel <= APC_LEVEL and turns everything else into the precise STOP. Generic over the bound paging mode. */
#include <ke.h>
#include <mmhl.h>
#include <mmpager.h>
#include <rtl.h>

#include "mm.h"

/* Page-fault error code bits (the CPU's). */
#define MI_PF_PRESENT 0x01
#define MI_PF_WRITE   0x02
#define MI_PF_FETCH   0x10

static volatile ULONG_PTR MiFaultsResolved;
/* Per processor: the page (+ 1) of its last fault that found the PTE already valid, and how many such faults on it came
 * in a row. A not-present fault on a valid PTE is another processor's resolution seen late: it is retried, and only a
 * page that keeps faulting (a walk that disagrees with the PTE) becomes a STOP. The page alone is no evidence: its
 * VA is reused, so the last spurious fault on it may be long past. */
#define MI_SPURIOUS_FAULT_LIMIT 64 /* in a row on one page within 10 ms (100000 x 100 ns) */

typedef struct _MI_SPURIOUS_FAULT {
    ULONG_PTR Page;
    ULONG_PTR Count;
    ULONGLONG Time; /* interrupt time of the last one: a run of them is one loop only within a tick or so */
} MI_SPURIOUS_FAULT;

static MI_SPURIOUS_FAULT MiSpuriousFault[KE_MAXIMUM_PROCESSORS];

/* Fills Stop. */
static VOID MiSetStop(PMM_FAULT_STOP Stop, ULONG Code, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4) {
    Stop->Code = Code;
    Stop->Parameters[0] = P1;
    Stop->Parameters[1] = P2;
    Stop->Parameters[2] = P3;
    Stop->Parameters[3] = P4;
}

/* Va's PTE decoded, or a free one when its page table is missing. */
static VOID MiReadSoftwarePte(ULONG_PTR Va, PMMH_SOFTWARE_PTE Pte, PULONGLONG Entry) {
    *Entry = MmhIsPageTablePresent(Va) ? MmhReadPte(Va) : 0;
    MmhDecodePte(MmhGetPageMapOps(), *Entry, Pte);
}

/* A fault on a present page: the access is not allowed (write to read-only, fetch from no-execute). */
static VOID MiClassifyProtectionFault(ULONG_PTR ErrorCode, ULONG_PTR Va, ULONG_PTR Ip, PMM_FAULT_STOP Stop) {
    ULONGLONG Entry = MmhIsPageTablePresent(Va) ? MmhReadPte(Va) : 0;

    if (ErrorCode & MI_PF_FETCH) {
        MiSetStop(Stop, ATTEMPTED_EXECUTE_OF_NOEXECUTE_MEMORY, Va, (ULONG_PTR)Entry, Ip, ErrorCode);
    } else if (ErrorCode & MI_PF_WRITE) {
        MiSetStop(Stop, ATTEMPTED_WRITE_TO_READONLY_MEMORY, Va, (ULONG_PTR)Entry, Ip, ErrorCode);
    } else {
        /* Present, read, not fetch: a reserved bit or a large page the walk disagrees with. */
        MiSetStop(Stop, PAGE_FAULT_IN_NONPAGED_AREA, Va, 0, Ip, ErrorCode);
    }
}

BOOLEAN MmAccessFault(ULONG_PTR ErrorCode, ULONG_PTR Va, ULONG_PTR Ip, KRUNLEVEL RunLevel, PMM_FAULT_STOP Stop) {
    ULONG_PTR Write = (ErrorCode & MI_PF_WRITE) ? 1 : 0;
    MM_PAGED_FAULT_RESULT Result;
    MI_SPURIOUS_FAULT *Spurious;
    MMH_SOFTWARE_PTE Pte;
    ULONGLONG Entry;
    BOOLEAN Pageable;

    MiSetStop(Stop, PAGE_FAULT_IN_NONPAGED_AREA, Va, Write, Ip, ErrorCode);
    if (MmhGetPageMapOps() == NULL) {
        return FALSE;
    }
    if (ErrorCode & MI_PF_PRESENT) {
        MiClassifyProtectionFault(ErrorCode, Va, Ip, Stop);
        return FALSE;
    }
    MiReadSoftwarePte(Va, &Pte, &Entry);
    /* The page number + 1, so that 0 (the initial value) never matches. */
    Spurious = &MiSpuriousFault[KeGetCurrentProcessorNumber()];
    if (Pte.Kind == MmhPteValid && MmhIsAddressValid(Va)) {
        /* Resolved since the CPU looked (another processor's fault on the same page): retry. */
        ULONGLONG Now = KeQueryInterruptTime();

        Spurious->Count =
            Spurious->Page == (Va >> MM_PAGE_SHIFT) + 1 && Now - Spurious->Time < 100000 ? Spurious->Count + 1 : 1;
        Spurious->Page = (Va >> MM_PAGE_SHIFT) + 1;
        Spurious->Time = Now;
        if (Spurious->Count <= MI_SPURIOUS_FAULT_LIMIT) {
            MmNotePagedFaultCollision();
            return TRUE;
        }
    }
    Spurious->Page = 0;
    if (Pte.Kind == MmhPteDemandZero && (Pte.Protection & MM_PROTECT_GUARD)) {
        MiSetStop(Stop, PAGE_FAULT_IN_NONPAGED_AREA, Va, Write, Ip, ErrorCode | PF_GUARD_PAGE);
        return FALSE;
    }
    /* Pageable: a demand-zero PTE, or a reserved paged-pool page whose table is still to be created. */
    Pageable = Pte.Kind == MmhPteDemandZero || (Pte.Kind == MmhPteFree && MmIsPagedPageReserved(Va));
    if (!Pageable) {
        return FALSE;
    }
    if (RunLevel > APC_LEVEL) {
        MiSetStop(Stop, IRQL_NOT_LESS_OR_EQUAL, Va, RunLevel,
                  (Write ? PF_ACCESS_WRITE : 0) | ((ErrorCode & MI_PF_FETCH) ? PF_ACCESS_FETCH : 0), Ip);
        return FALSE;
    }
    /* The table (if missing) and the PTE are looked at again under the PFN lock (another processor may be resolving
     * the same page). */
    Result = MmResolvePagedFault(Va);
    if (Result == MmPagedFaultNotPageable) {
        return FALSE;
    }
    if (Result == MmPagedFaultNoMemory) {
        MiSetStop(Stop, NO_PAGES_AVAILABLE, Va, 0, 0, Ip);
        return FALSE;
    }
    MiFaultsResolved++;
    return TRUE;
}

MM_PAGE_STATE MmQueryPageState(ULONG_PTR Va) {
    MMH_SOFTWARE_PTE Pte;
    ULONGLONG Entry;

    if (MmhGetPageMapOps() == NULL) {
        return MmPageNotMapped;
    }
    MiReadSoftwarePte(Va, &Pte, &Entry);
    switch (Pte.Kind) {
        case MmhPteValid:
            return MmhIsAddressValid(Va) ? MmPageResident : MmPageNotMapped;
        case MmhPteDemandZero:
            return (Pte.Protection & MM_PROTECT_GUARD) ? MmPageGuard : MmPageDemandZero;
        case MmhPteFree:
            return MmIsPagedPageReserved(Va) ? MmPageDemandZero : MmPageNotMapped;
        default:
            return MmPageNotMapped;
    }
}
