/* The processors to start, from a parsed MADT (see acpi.h). Pure. */
#include <rtl.h>

#include "acpip.h"

/* TRUE when a usable entry before Index has the same APIC ID (an x2APIC entry repeating a local APIC one). */
static BOOLEAN HlpProcessorRepeated(const HL_MADT_INFO *Info, ULONG Index) {
    for (ULONG Earlier = 0; Earlier < Index; Earlier++) {
        const HL_MADT_PROCESSOR *Processor = &Info->Processors[Earlier];

        if (Processor->ApicId == Info->Processors[Index].ApicId && (Processor->Enabled || Processor->OnlineCapable)) {
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
        if (HlpProcessorRepeated(Info, Index)) {
            continue;
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
