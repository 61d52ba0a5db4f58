/* i686: the paging modes this kernel supports. */
#include "../mmhl.h"

const PCMMH_PAGE_MAP_OPS MmhArchModes[] = {&MmhPml2Ops, &MmhPml3Ops};
const ULONG MmhArchModeCount = ARRAY_SIZE(MmhArchModes);
