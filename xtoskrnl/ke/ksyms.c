/* Lookup in the embedded symbol table (ksyms.h). */
#include <rtl.h>

#include "ksyms.h"

/* TRUE when the header describes arrays and names that lie inside Capacity bytes. */
static BOOLEAN KipIsTableSane(const KSYM_TABLE *Table, SIZE_T Capacity) {
    SIZE_T Arrays;

    if (Capacity < sizeof(KSYM_TABLE) ||
        RtlCompareMemory(Table->Magic, KSYM_MAGIC, sizeof(KSYM_MAGIC)) != sizeof(KSYM_MAGIC) ||
        Table->Version != KSYM_VERSION || Table->Count == 0 || Table->Size > Capacity) {
        return FALSE;
    }
    Arrays = sizeof(KSYM_TABLE) + (SIZE_T)Table->Count * 2 * sizeof(ULONG);
    return Table->Count < Capacity / 8 && Arrays <= Table->NamesOffset && Table->NamesOffset < Table->Size;
}

BOOLEAN KiLookupSymbol(const KSYM_TABLE *Table, SIZE_T Capacity, ULONG Rva, PCSTR *Name, PULONG Offset) {
    const ULONG *Rvas = (const ULONG *)(Table + 1);
    const ULONG *Names;
    ULONG Low = 0, High, NameOffset;
    SIZE_T Room;

    if (!KipIsTableSane(Table, Capacity) || Rva < Rvas[0] || Rva >= Table->CodeLimit) {
        return FALSE;
    }
    High = Table->Count;
    while (High - Low > 1) { /* the last index whose RVA is <= Rva */
        ULONG Middle = Low + (High - Low) / 2;
        if (Rvas[Middle] <= Rva) {
            Low = Middle;
        } else {
            High = Middle;
        }
    }
    Names = Rvas + Table->Count;
    NameOffset = Names[Low];
    Room = Table->Size - Table->NamesOffset;
    if (NameOffset >= Room ||
        RtlStringLength((PCSTR)Table + Table->NamesOffset + NameOffset, Room - NameOffset) == Room - NameOffset) {
        return FALSE; /* the name is not terminated inside the table */
    }
    *Name = (PCSTR)Table + Table->NamesOffset + NameOffset;
    *Offset = Rva - Rvas[Low];
    return TRUE;
}
