/* The trampoline page's parameter block (see mptramp.h). Pure. */
#include <rtl.h>

#include "mptramp.h"

/* The trampoline's GDT: flat 32-bit code, flat data, 64-bit code. */
static const ULONGLONG KipTrampolineGdt[4] = {0, 0x00CF9A000000FFFFull, 0x00CF92000000FFFFull, 0x00AF9A000000FFFFull};

XTSTATUS KiPrepareTrampoline(PUCHAR Page, const KI_TRAMPOLINE_CODE *Code, const KI_TRAMPOLINE_SETUP *Setup) {
    PKI_TRAMPOLINE_PARAMETERS Parameters = (PKI_TRAMPOLINE_PARAMETERS)(Page + KI_TP_BLOCK_OFFSET);
    ULONG Base = Setup->PagePhysical;

    if (Base == 0 || Base >= 0x100000 || (Base & 0xFFF) || Setup->Cr3 > 0xFFFFFFFFull ||
        Code->Size > KI_TP_BLOCK_OFFSET || Code->Protected32Offset >= Code->Size || Code->Long64Offset >= Code->Size) {
        return STATUS_INVALID_PARAMETER;
    }
    RtlZeroMemory(Page, 0x1000);
    RtlCopyMemory(Page, Code->Bytes, Code->Size);
    Parameters->Cr3 = (ULONG)Setup->Cr3;
    Parameters->Cr4 = (ULONG)(Setup->Cr4 & ~KI_CR4_PCIDE);
    Parameters->Cr0 = (ULONG)Setup->Cr0;
    Parameters->Flags = Setup->EferPresent ? KI_TP_FLAG_EFER : 0;
    Parameters->Efer = Setup->EferPresent ? (Setup->Efer & ~KI_EFER_LMA) : 0;
    Parameters->Entry = Setup->Entry;
    Parameters->StackTop = Setup->StackTop;
    Parameters->Argument = Setup->Argument;
    Parameters->Started = 0;
    RtlCopyMemory(Parameters->Gdt, KipTrampolineGdt, sizeof(KipTrampolineGdt));
    Parameters->GdtLimit = sizeof(KipTrampolineGdt) - 1;
    Parameters->GdtBase = Base + KI_TP_BLOCK_OFFSET + KI_TP_GDT;
    Parameters->Far32 = (KI_TRAMPOLINE_FAR_POINTER){Base + Code->Protected32Offset, KI_TRAMPOLINE_CODE32, 0};
    Parameters->Far64 = (KI_TRAMPOLINE_FAR_POINTER){Base + Code->Long64Offset, KI_TRAMPOLINE_CODE64, 0};
    return STATUS_SUCCESS;
}
