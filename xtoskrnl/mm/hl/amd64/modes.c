/* amd64: the paging modes this kernel supports and the HAL window. */
#include "../mmhl.h"

const PCMMH_PAGE_MAP_OPS MmhArchModes[] = {&MmhPml4Ops, &MmhPml5Ops};
const ULONG MmhArchModeCount = ARRAY_SIZE(MmhArchModes);
const ULONG_PTR MmhHalWindowBase = (ULONG_PTR)MM_HAL_WINDOW_BASE_AMD64;

/* Kernel VA layout (docs/memory-manager.md): PFN database and system PTE space, as NT places them. */
const ULONG_PTR MmhPfnDatabaseBase = (ULONG_PTR)MM_PFN_DATABASE_BASE_AMD64;
const ULONG_PTR MmhPfnDatabaseLimit = (ULONG_PTR)MM_PFN_DATABASE_END_AMD64;
const ULONG_PTR MmhSystemPteBase = (ULONG_PTR)MM_SYSTEM_PTE_BASE_AMD64;
const ULONG_PTR MmhSystemPtePages = (ULONG_PTR)MM_SYSTEM_PTE_PAGES_AMD64;
