/* amd64: the paging modes this kernel supports and the HAL window. */
#include "../mmhl.h"

const PCMMH_PAGE_MAP_OPS MmhArchModes[] = {&MmhPml4Ops, &MmhPml5Ops};
const ULONG MmhArchModeCount = ARRAY_SIZE(MmhArchModes);
const ULONG_PTR MmhHalWindowBase = (ULONG_PTR)MM_HAL_WINDOW_BASE_AMD64;

/* Kernel VA layout (docs/memory-manager.md): PFN database and system PTE space, as NT places them. */
const ULONG_PTR MmhPfnDatabaseBase = 0xFFFFFA8000000000ull;
const ULONG_PTR MmhPfnDatabaseLimit = 0xFFFFFB0000000000ull;
const ULONG_PTR MmhSystemPteBase = 0xFFFFF88000000000ull;
const ULONG_PTR MmhSystemPtePages = 0x400000; /* 16 GiB */
