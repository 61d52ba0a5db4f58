/* i686: the kernel address map (docs/memory-manager.md). Every fixed kernel VA region is defined here (or, where the
 * loader must know it too, in <xtpaging.h>); mm/addrmap.c names them for fault reports. */
#include "../mmhl.h"

const ULONG_PTR MmhHalWindowBase = (ULONG_PTR)MM_HAL_WINDOW_BASE_I686;

/* Kernel VA layout (docs/memory-manager.md): the PFN database above the self-map (room for 64 GiB of 20-byte
 * entries), then system PTE space up to the HAL window. */
const ULONG_PTR MmhPfnDatabaseBase = 0xC1000000u;
const ULONG_PTR MmhPfnDatabaseLimit = 0xDD000000u;
const ULONG_PTR MmhSystemPteBase = 0xDD000000u;
const ULONG_PTR MmhSystemPtePages = 0x22000; /* 544 MiB, up to 0xFF000000 */
