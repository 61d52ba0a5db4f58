/* Host tests: MmSanitizeMemoryMap with a scratch large enough for any test map; returns the output count. */
#ifndef XTOSKRNL_MM_PFN_TESTS_SANITIZE_UTIL_H
#define XTOSKRNL_MM_PFN_TESTS_SANITIZE_UTIL_H

#include <pfn.h>

#define TEST_SANITIZE_MAX_RANGES 65536

static inline ULONG TestSanitizeCount(const XT_MEMORY_DESCRIPTOR *Input, ULONG Count, ULONGLONG Limit,
                                 PXT_MEMORY_DESCRIPTOR Output, ULONG Capacity) {
    static ULONG Scratch[MM_SANITIZE_SCRATCH_ENTRIES(TEST_SANITIZE_MAX_RANGES)];
    MM_SANITIZE_RESULT Result;

    MmSanitizeMemoryMap(Input, Count, Limit, Scratch, ARRAY_SIZE(Scratch), Output, Capacity, &Result);
    return Result.Count;
}

#endif
