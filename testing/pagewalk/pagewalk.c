/* Reference page walker (host tests only). */
#include "pagewalk.h"

PW_RESULT PwWalk(ULONG Mode, ULONGLONG Root, ULONGLONG Va, PPW_READ_PHYSICAL Read) {
    PW_RESULT Result = {FALSE, TRUE, TRUE, 0};
    ULONGLONG Table = Root, Entry, Mask = 511;
    ULONG Shifts[5], Counts = 0, Size = 8;

    if (Mode == XtPagingModePml2) {
        Shifts[0] = 22, Shifts[1] = 12, Counts = 2, Size = 4, Mask = 1023;
    } else if (Mode == XtPagingModePml3) {
        Shifts[0] = 30, Shifts[1] = 21, Shifts[2] = 12, Counts = 3;
    } else {
        for (ULONG Level = 0; Level < Mode; Level++) {
            Shifts[Level] = 12 + 9 * (Mode - 1 - Level);
        }
        Counts = Mode;
    }
    for (ULONG Step = 0; Step < Counts; Step++) {
        BOOLEAN PaeTop = (Mode == XtPagingModePml3 && Step == 0);
        ULONGLONG Index = (Va >> Shifts[Step]) & (PaeTop ? 3 : Mask);
        Entry = Read(Table + Index * Size, Size);
        if (!(Entry & 1)) {
            return Result;
        }
        if (!PaeTop) {
            Result.Writable &= (Entry & 2) != 0;
            Result.Executable &= Size == 8 ? (Entry >> 63) == 0 : TRUE;
        }
        Table = Size == 4 ? (Entry & 0xFFFFF000ull) : (Entry & 0x000FFFFFFFFFF000ull);
    }
    Result.Present = TRUE;
    Result.Physical = Table;
    return Result;
}
