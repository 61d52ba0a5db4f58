/* amd64: the paging modes this kernel supports and the HAL window. */
#include "../mmhl.h"

const PCMMH_PAGE_MAP_OPS MmhArchModes[] = {&MmhPml4Ops, &MmhPml5Ops};
const ULONG MmhArchModeCount = ARRAY_SIZE(MmhArchModes);
const ULONG_PTR MmhHalWindowBase = (ULONG_PTR)MM_HAL_WINDOW_BASE_AMD64;
