/* amd64: the paging modes this kernel supports. */
#include "../mmhl.h"

const PCMMH_PAGE_MAP_OPS MmhArchModes[] = {&MmhPml4Ops, &MmhPml5Ops};
const ULONG MmhArchModeCount = ARRAY_SIZE(MmhArchModes);
