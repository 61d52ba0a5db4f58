/* i686: the kernel address map (docs/memory-manager.md). The fixed regions are defined once, in <xtpaging.h> (the
 * loader must know them too; static asserts there keep them apart); this file binds them for the kernel, and
 * mm/addrmap.c names them for fault reports. */
#include "../mmhl.h"

const ULONG_PTR MmhHalWindowBase = (ULONG_PTR)MM_HAL_WINDOW_BASE_I686;
const ULONG_PTR MmhPfnDatabaseBase = (ULONG_PTR)MM_PFN_DATABASE_BASE_I686;
const ULONG_PTR MmhPfnDatabaseLimit = (ULONG_PTR)MM_PFN_DATABASE_END_I686;
const ULONG_PTR MmhSystemPteBase = (ULONG_PTR)MM_SYSTEM_PTE_BASE_I686;
const ULONG_PTR MmhSystemPtePages = (ULONG_PTR)MM_SYSTEM_PTE_PAGES_I686;
const ULONG_PTR MmhKernelWindowBase = (ULONG_PTR)MM_KERNEL_WINDOW_BASE_I686;
const ULONG_PTR MmhKernelWindowSize = (ULONG_PTR)MM_KERNEL_WINDOW_SIZE_I686;
const ULONG_PTR MmhPagedPoolBase = (ULONG_PTR)MM_PAGED_POOL_BASE_I686;
const ULONG_PTR MmhPagedPoolPages = (ULONG_PTR)MM_PAGED_POOL_PAGES_I686;
