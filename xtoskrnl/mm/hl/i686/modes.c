/* i686: the paging modes this kernel supports and the HAL window. */
#include "../mmhl.h"

const PCMMH_PAGE_MAP_OPS MmhArchModes[] = {&MmhPml2Ops, &MmhPml3Ops};
const ULONG MmhArchModeCount = ARRAY_SIZE(MmhArchModes);
const ULONG_PTR MmhHalWindowBase = (ULONG_PTR)MM_HAL_WINDOW_BASE_I686;

/* Kernel VA layout (docs/memory-manager.md): the PFN database above the self-map (room for 64 GiB of 20-byte
 * entries), then system PTE space up to the HAL window. */
const ULONG_PTR MmhPfnDatabaseBase = (ULONG_PTR)MM_PFN_DATABASE_BASE_I686;
const ULONG_PTR MmhPfnDatabaseLimit = (ULONG_PTR)MM_PFN_DATABASE_END_I686;
const ULONG_PTR MmhSystemPteBase = (ULONG_PTR)MM_SYSTEM_PTE_BASE_I686;
const ULONG_PTR MmhSystemPtePages = (ULONG_PTR)MM_SYSTEM_PTE_PAGES_I686;
