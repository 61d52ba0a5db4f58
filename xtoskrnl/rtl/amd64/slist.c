/* amd64 SLIST: the 16-byte header swapped by LOCK CMPXCHG16B (the header is 16-byte aligned), the algorithm from
 * slistp.h, and the CPUID check for the instruction. */
#include <rtl.h>
#include <xtintrin.h>

/* Swaps *ListHead for *Exchange if it equals *Comparand; else *Comparand receives the current header. */
XTFORCEINLINE BOOLEAN RtlpSwapSListHeader(PSLIST_HEADER ListHead, PSLIST_HEADER Comparand,
                                          const SLIST_HEADER *Exchange) {
    ULONG_PTR Low = (ULONG_PTR)Comparand->Next, High = Comparand->DepthSequence;
    BOOLEAN Swapped;

    __asm__ volatile("lock cmpxchg16b %1"
                     : "=@ccz"(Swapped), "+m"(*ListHead), "+a"(Low), "+d"(High)
                     : "b"((ULONG_PTR)Exchange->Next), "c"(Exchange->DepthSequence)
                     : "memory");
    Comparand->Next = (PSLIST_ENTRY)Low;
    Comparand->DepthSequence = High;
    return Swapped;
}

#include "../slistp.h"

BOOLEAN RtlIsInterlockedSListSupported(PULONG Leaf, PULONG Register, PULONG Bit) {
    CPUID_REGISTERS Registers;

    if (Leaf != NULL) {
        *Leaf = 1;
    }
    if (Register != NULL) {
        *Register = 2; /* ECX */
    }
    if (Bit != NULL) {
        *Bit = 13;
    }
    ArCpuId(1, 0, &Registers);
    return (Registers.Ecx & (1u << 13)) != 0;
}
