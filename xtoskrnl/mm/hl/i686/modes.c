/* i686: the paging modes this kernel supports and the HAL window. */
#include "../mmhl.h"

const PCMMH_PAGE_MAP_OPS MmhArchModes[] = {&MmhPml2Ops, &MmhPml3Ops};
const ULONG MmhArchModeCount = ARRAY_SIZE(MmhArchModes);
const ULONG_PTR MmhHalWindowBase = (ULONG_PTR)MM_HAL_WINDOW_BASE_I686;

/* Kernel VA layout (docs/memory-manager.md): the PFN database above the self-map (room for 64 GiB of 20-byte
 * entries), then system PTE space up to the HAL window. */
const ULONG_PTR MmhPfnDatabaseBase = 0xC1000000u;
const ULONG_PTR MmhPfnDatabaseLimit = 0xDD000000u;
const ULONG_PTR MmhSystemPteBase = 0xDD000000u;
const ULONG_PTR MmhSystemPtePages = 0x22000; /* 544 MiB, up to 0xFF000000 */
