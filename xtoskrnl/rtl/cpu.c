/* CPU feature probe and string-instruction primitives for the memory routines: the same instructions on i686 and
 * amd64 (CPUID, rep movsb/stosb at native width). */
#include "rtlp.h"

/* Executes CPUID for Leaf/Subleaf and returns the four result registers. */
static VOID RtlpCpuid(ULONG Leaf, ULONG Subleaf, ULONG Registers[4]) {
    __asm__ volatile("cpuid"
                     : "=a"(Registers[0]), "=b"(Registers[1]), "=c"(Registers[2]), "=d"(Registers[3])
                     : "a"(Leaf), "c"(Subleaf));
}

BOOLEAN RtlpCpuHasErms(VOID) {
    ULONG Registers[4];

    RtlpCpuid(0, 0, Registers);
    if (Registers[0] < 7) {
        return FALSE;
    }
    RtlpCpuid(7, 0, Registers);
    return (BOOLEAN)((Registers[1] >> 9) & 1);
}

VOID RtlpStringCopyForward(PVOID Destination, PCVOID Source, SIZE_T Length) {
    __asm__ volatile("rep movsb" : "+D"(Destination), "+S"(Source), "+c"(Length) : : "memory");
}

VOID RtlpStringFill(PVOID Destination, UCHAR Value, SIZE_T Length) {
    __asm__ volatile("rep stosb" : "+D"(Destination), "+c"(Length) : "a"(Value) : "memory");
}
