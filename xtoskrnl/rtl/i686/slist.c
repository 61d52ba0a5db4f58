/* i686 SLIST: the 8-byte header swapped by LOCK CMPXCHG8B (the compiler's 8-byte compare-exchange), the algorithm
 * from slistp.h, and the CPUID check for the instruction. */
#include <rtl.h>
#include <xtintrin.h>

/* The header as one 8-byte word, with the header's alignment (a plain ULONGLONG is 4-aligned in the i386 SysV ABI,
 * where clang would call a library routine instead of emitting CMPXCHG8B). */
typedef ULONGLONG __attribute__((aligned(8))) RTLP_SLIST_WORD;

STATIC_ASSERT(sizeof(SLIST_HEADER) == sizeof(RTLP_SLIST_WORD));
STATIC_ASSERT(_Alignof(SLIST_HEADER) == _Alignof(RTLP_SLIST_WORD));

/* Swaps *ListHead for *Exchange if it equals *Comparand; else *Comparand receives the current header. */
XTFORCEINLINE BOOLEAN RtlpSwapSListHeader(PSLIST_HEADER ListHead, PSLIST_HEADER Comparand,
                                          const SLIST_HEADER *Exchange) {
    ULONGLONG Expected = (ULONGLONG)(ULONG_PTR)Comparand->Next | ((ULONGLONG)Comparand->DepthSequence << 32);
    ULONGLONG Desired = (ULONGLONG)(ULONG_PTR)Exchange->Next | ((ULONGLONG)Exchange->DepthSequence << 32);
    BOOLEAN Swapped = __atomic_compare_exchange_n((volatile RTLP_SLIST_WORD *)ListHead, &Expected, Desired, FALSE,
                                                  __ATOMIC_SEQ_CST, __ATOMIC_ACQUIRE);

    Comparand->Next = (PSLIST_ENTRY)(ULONG_PTR)(ULONG)Expected;
    Comparand->DepthSequence = (ULONG_PTR)(Expected >> 32);
    return Swapped;
}

#include "../slistp.h"

BOOLEAN RtlIsInterlockedSListSupported(PULONG Leaf, PULONG Register, PULONG Bit) {
    CPUID_REGISTERS Registers;

    if (Leaf != NULL) {
        *Leaf = 1;
    }
    if (Register != NULL) {
        *Register = 3; /* EDX */
    }
    if (Bit != NULL) {
        *Bit = 8;
    }
    ArCpuId(1, 0, &Registers);
    return (Registers.Edx & (1u << 8)) != 0;
}
