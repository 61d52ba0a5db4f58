/* XTOS Runtime Library: private declarations shared by the generic and the architecture-specific sources. */
#ifndef XT_RTL_RTLP_H
#define XT_RTL_RTLP_H

#include <rtl.h>

/* Architecture-specific (amd64/, i686/): TRUE when the CPU advertises Enhanced REP MOVSB/STOSB (CPUID.7.EBX[9]). */
BOOLEAN RtlpCpuHasErms(VOID);

/* Architecture-specific: forward byte copy and byte fill with the CPU's string instructions. The forward copy is also
 * correct for overlapping ranges with Destination below Source. */
VOID RtlpStringCopyForward(PVOID Destination, PCVOID Source, SIZE_T Length);
VOID RtlpStringFill(PVOID Destination, UCHAR Value, SIZE_T Length);

#endif
