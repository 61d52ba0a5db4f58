/* amd64: the kernel address map (docs/memory-manager.md). Every fixed kernel VA region is defined here (or, where the
 * loader must know it too, in <xtpaging.h>); mm/addrmap.c names them for fault reports. */
#include "../mmhl.h"

const ULONG_PTR MmhHalWindowBase = (ULONG_PTR)MM_HAL_WINDOW_BASE_AMD64;

/* Kernel VA layout (docs/memory-manager.md): PFN database and system PTE space, as NT places them. */
const ULONG_PTR MmhPfnDatabaseBase = 0xFFFFFA8000000000ull;
const ULONG_PTR MmhPfnDatabaseLimit = 0xFFFFFB0000000000ull;
const ULONG_PTR MmhSystemPteBase = 0xFFFFF88000000000ull;
const ULONG_PTR MmhSystemPtePages = 0x400000; /* 16 GiB */
