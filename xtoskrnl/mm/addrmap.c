/* The kernel address map: the one place that knows every region of kernel VA space (the memory manager's regions
 * from mm/hl, the kernel image and the boot region from the init block) and names them for fault reports. */
#include <ke.h>
#include <mmhl.h>

#include "mm.h"

/* TRUE when Va lies in [Base, Base + Size). */
static BOOLEAN MiInRange(ULONG_PTR Va, ULONGLONG Base, ULONGLONG Size) {
    return Va >= Base && (ULONGLONG)(Va - Base) < Size;
}

/* The memory manager's own regions, or NULL. */
static PCSTR MiDescribeMmRegion(ULONG_PTR Va, BOOLEAN Mapped) {
    if (MiInRange(Va, MmhSystemPteBase, (ULONGLONG)MmhSystemPtePages * MM_PAGE_SIZE)) {
        return Mapped ? "system PTEs" : "system PTEs (unmapped: a guard page or a freed page)";
    }
    if (MiInRange(Va, MmhPagedPoolBase, (ULONGLONG)MmhPagedPoolPages * MM_PAGE_SIZE)) {
        switch (MmQueryPageState(Va)) {
            case MmPageResident:
                return "paged pool (resident)";
            case MmPageDemandZero:
                return "paged pool (reserved, not yet touched: demand-zero)";
            case MmPageGuard:
                return "paged pool (a guard page)";
            default:
                return "paged pool (not reserved: never allocated or freed)";
        }
    }
    if (MiInRange(Va, MmhPfnDatabaseBase, MmhPfnDatabaseLimit - MmhPfnDatabaseBase)) {
        return Mapped ? "PFN database" : "PFN database (hole: no such frame)";
    }
    if (MiInRange(Va, MmhHalWindowBase, MM_HAL_WINDOW_SIZE)) {
        return "HAL window";
    }
    return NULL;
}

/* The loader's regions (kernel image, stacks and their guard pages), or NULL. */
static PCSTR MiDescribeBootRegion(ULONG_PTR Va, const XT_INIT_BLOCK *Block) {
    if (Block == NULL) {
        return NULL;
    }
    if (MiInRange(Va, Block->KernelVirtualBase, Block->KernelImageSize)) {
        return "kernel image";
    }
    if (MiInRange(Va, Block->KernelStackBase - MM_PAGE_SIZE, MM_PAGE_SIZE)) {
        return "kernel stack guard page (stack overflow)";
    }
    for (ULONG Index = 0; Index < ARRAY_SIZE(Block->PanicStackBase); Index++) {
        if (MiInRange(Va, Block->PanicStackBase[Index] - MM_PAGE_SIZE, MM_PAGE_SIZE)) {
            return "panic stack guard page";
        }
    }
    if (MiInRange(Va, Block->KernelStackBase, Block->KernelStackSize)) {
        return "kernel stack";
    }
    if (MiInRange(Va, MmhKernelWindowBase, MmhKernelWindowSize)) {
        return "kernel image window (outside the image: boot region or unused)";
    }
    return NULL;
}

PCSTR MmDescribeAddress(ULONG_PTR Va) {
    BOOLEAN Mapped = MmhGetPageMapOps() != NULL && MmhIsAddressValid(Va);
    PCSTR Region = MiDescribeMmRegion(Va, Mapped);

    if (Region == NULL) {
        Region = MiDescribeBootRegion(Va, KeGetLoaderBlock());
    }
    if (Region != NULL) {
        return Region;
    }
    if (sizeof(PVOID) == 8 ? (Va >> 63) == 0 : Va < 0x80000000u) {
        return Mapped ? "user space (mapped in the current address space)"
                      : "user space (not mapped in the current address space)";
    }
    return Mapped ? "kernel space" : "unused kernel space";
}
