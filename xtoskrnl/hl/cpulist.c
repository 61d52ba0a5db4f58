/* The processors to start, from a parsed MADT (see acpi.h). Pure. */
#include <rtl.h>

#include "acpip.h"

/* TRUE when ApicId is already in List. */
static BOOLEAN HlpProcessorListed(const HL_PROCESSOR_LIST *List, ULONG ApicId) {
    for (ULONG Index = 0; Index < List->Count; Index++) {
        if (List->ApicIds[Index] == ApicId) {
            return TRUE;
        }
    }
    return FALSE;
}

VOID HlAcpiBuildProcessorList(const HL_MADT_INFO *Info, ULONG BootApicId, ULONG MaxCpus, PHL_PROCESSOR_LIST List) {
    ULONG Limit = (MaxCpus == 0 || MaxCpus > HL_MAXIMUM_PROCESSORS) ? HL_MAXIMUM_PROCESSORS : MaxCpus;
    ULONG Count = Info->ProcessorCount < HL_MADT_MAX_PROCESSORS ? Info->ProcessorCount : HL_MADT_MAX_PROCESSORS;

    RtlZeroMemory(List, sizeof(*List));
    List->ApicIds[0] = BootApicId;
    List->Count = 1;
    List->Usable = 1;
    for (ULONG Index = 0; Index < Count; Index++) {
        const HL_MADT_PROCESSOR *Processor = &Info->Processors[Index];

        if (Processor->ApicId == BootApicId) {
            List->BootListed = TRUE;
            continue;
        }
        if (!Processor->Enabled && !Processor->OnlineCapable) {
            List->Disabled++;
            continue;
        }
        if (HlpProcessorListed(List, Processor->ApicId)) {
            continue; /* a repeated entry (an x2APIC entry repeating a local APIC one) */
        }
        List->Usable++;
        if (List->Count >= Limit) {
            List->LeftOut++;
            continue;
        }
        List->OnlineCapable[List->Count] = Processor->OnlineCapable;
        List->ApicIds[List->Count++] = Processor->ApicId;
    }
}
