/* Self-map arithmetic and the paging-register check shared by every mode (pure: runs on the host too). */
#include "mmhl.h"

ULONGLONG MmhSelfMapEntryAddress(ULONGLONG PteBase, ULONGLONG VaMask, ULONG EntrySize, ULONGLONG Va, ULONG Level) {
    ULONGLONG Address = Va;

    for (ULONG Step = 0; Step < Level; Step++) {
        Address = PteBase + ((Address & VaMask) >> MM_PAGE_SHIFT) * EntrySize;
    }
    return Address;
}

MMH_MODE_CHECK MmhCheckPagingRegisters(PCMMH_PAGE_MAP_OPS Ops, ULONG_PTR Cr0, ULONG_PTR Cr4, ULONGLONG Efer,
                                       BOOLEAN EferPresent) {
    if (Ops == NULL) {
        return MmhModeUnknown;
    }
    if (!(Cr0 & CR0_PG)) {
        return MmhModePagingOff;
    }
    if ((Cr4 & Ops->Cr4Required) != Ops->Cr4Required) {
        return MmhModeCr4Missing;
    }
    if (Cr4 & Ops->Cr4Absent) {
        return MmhModeCr4Unexpected;
    }
    if (Ops->LongMode ? !(EferPresent && (Efer & EFER_LMA)) : (EferPresent && (Efer & EFER_LMA))) {
        return MmhModeLongMode;
    }
    return MmhModeOk;
}

PCSTR MmhModeCheckText(MMH_MODE_CHECK Check) {
    static const PCSTR Texts[] = {
        "matches",
        "not supported by this kernel",
        "CR0.PG is clear",
        "a CR4 bit the mode needs is clear",
        "a CR4 bit the mode forbids is set",
        "EFER.LMA does not match",
    };
    return (ULONG)Check < ARRAY_SIZE(Texts) ? Texts[Check] : "?";
}
