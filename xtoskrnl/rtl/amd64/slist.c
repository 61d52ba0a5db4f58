/* amd64 SLIST primitive: the 16-byte header swapped by LOCK CMPXCHG16B (the header is 16-byte aligned). */
#include <rtl.h>
#include <xtintrin.h>

BOOLEAN RtlpCompareExchangeSListHeader(PSLIST_HEADER ListHead, PSLIST_HEADER Comparand, const SLIST_HEADER *Exchange) {
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
