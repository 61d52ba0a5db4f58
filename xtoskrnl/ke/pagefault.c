/* The #PF path: the memory manager resolves what it can (demand-zero pages); everything else is its STOP. */
#include <mm.h>

#include "ki.h"

BOOLEAN KiHandlePageFault(PKTRAP_FRAME TrapFrame) {
    MM_FAULT_STOP Fault;
    KI_TRAP_INFO Info;
    KI_STOP Stop;

    KiGetTrapInfo(TrapFrame, &Info); /* reads CR2 before anything else can fault */
    if (MmAccessFault(Info.ErrorCode, Info.FaultAddress, Info.InstructionPointer, KeGetCurrentRunLevel(), &Fault)) {
        return TRUE;
    }
    Stop.Code = Fault.Code;
    for (ULONG Index = 0; Index < 4; Index++) {
        Stop.Parameters[Index] = Fault.Parameters[Index];
    }
    KiBugCheckTrapStop(TrapFrame, &Info, &Stop);
}
