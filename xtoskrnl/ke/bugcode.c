/* Exception -> STOP mapping, STOP names and the frame-pointer walk (pure). */
#include "bugcode.h"

VOID KiClassifyTrap(const KI_TRAP_INFO *Info, PKI_STOP Stop) {
    BOOLEAN Write = (Info->ErrorCode & KI_PF_WRITE) != 0;

    switch (Info->Vector) {
        case 14:
            if (!(Info->ErrorCode & KI_PF_PRESENT)) {
                Stop->Code = PAGE_FAULT_IN_NONPAGED_AREA;
            } else if (Info->ErrorCode & KI_PF_FETCH) {
                Stop->Code = ATTEMPTED_EXECUTE_OF_NOEXECUTE_MEMORY;
            } else if (Write) {
                Stop->Code = ATTEMPTED_WRITE_TO_READONLY_MEMORY;
            } else {
                Stop->Code = PAGE_FAULT_IN_NONPAGED_AREA;
            }
            Stop->Parameters[0] = Info->FaultAddress;
            Stop->Parameters[1] = Write;
            Stop->Parameters[2] = Info->InstructionPointer;
            Stop->Parameters[3] = Info->ErrorCode;
            return;
        case 2:
            Stop->Code = NMI_HARDWARE_FAILURE;
            break;
        case 18:
            Stop->Code = MACHINE_CHECK_EXCEPTION;
            break;
        default:
            Stop->Code = UNEXPECTED_KERNEL_MODE_TRAP;
            break;
    }
    Stop->Parameters[0] = Info->Vector;
    Stop->Parameters[1] = Info->ErrorCode;
    Stop->Parameters[2] = Info->InstructionPointer;
    Stop->Parameters[3] = Info->StackPointer;
}

PCSTR KiBugCheckName(ULONG Code) {
    static const struct {
        ULONG Code;
        PCSTR Name;
    } Names[] = {
        {IRQL_NOT_GREATER_OR_EQUAL, "IRQL_NOT_GREATER_OR_EQUAL"},
        {IRQL_NOT_LESS_OR_EQUAL, "IRQL_NOT_LESS_OR_EQUAL"},
        {IRQL_UNEXPECTED_VALUE, "IRQL_UNEXPECTED_VALUE"},
        {SPIN_LOCK_ALREADY_OWNED, "SPIN_LOCK_ALREADY_OWNED"},
        {SPIN_LOCK_NOT_OWNED, "SPIN_LOCK_NOT_OWNED"},
        {UNSUPPORTED_PROCESSOR, "UNSUPPORTED_PROCESSOR"},
        {OBJECT_INITIALIZATION_FAILED, "OBJECT_INITIALIZATION_FAILED"},
        {REFERENCE_BY_POINTER, "REFERENCE_BY_POINTER"},
        {KMODE_EXCEPTION_NOT_HANDLED, "KMODE_EXCEPTION_NOT_HANDLED"},
        {PAGE_FAULT_IN_NONPAGED_AREA, "PAGE_FAULT_IN_NONPAGED_AREA"},
        {UNEXPECTED_KERNEL_MODE_TRAP, "UNEXPECTED_KERNEL_MODE_TRAP"},
        {NMI_HARDWARE_FAILURE, "NMI_HARDWARE_FAILURE"},
        {MACHINE_CHECK_EXCEPTION, "MACHINE_CHECK_EXCEPTION"},
        {ATTEMPTED_WRITE_TO_READONLY_MEMORY, "ATTEMPTED_WRITE_TO_READONLY_MEMORY"},
        {ATTEMPTED_EXECUTE_OF_NOEXECUTE_MEMORY, "ATTEMPTED_EXECUTE_OF_NOEXECUTE_MEMORY"},
        {LOADER_BLOCK_MISMATCH, "LOADER_BLOCK_MISMATCH"},
        {KERNEL_SECURITY_CHECK_FAILURE, "KERNEL_SECURITY_CHECK_FAILURE"},
        {BAD_POOL_HEADER, "BAD_POOL_HEADER"},
        {MEMORY_MANAGEMENT, "MEMORY_MANAGEMENT"},
        {PFN_LIST_CORRUPT, "PFN_LIST_CORRUPT"},
        {NO_PAGES_AVAILABLE, "NO_PAGES_AVAILABLE"},
        {SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, "SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION"},
        {BAD_POOL_CALLER, "BAD_POOL_CALLER"},
        {SYSTEM_PTE_MISUSE, "SYSTEM_PTE_MISUSE"},
        {KERNEL_UBSAN_VIOLATION, "KERNEL_UBSAN_VIOLATION"},
        {SYSTEM_THREAD_RETURNED, "SYSTEM_THREAD_RETURNED"},
        {MANUALLY_INITIATED_CRASH, "MANUALLY_INITIATED_CRASH"},
        {IPI_WATCHDOG_TIMEOUT, "IPI_WATCHDOG_TIMEOUT"},
        {INVALID_PROCESS_ATTACH_ATTEMPT, "INVALID_PROCESS_ATTACH_ATTEMPT"},
        {INVALID_PROCESS_DETACH_ATTEMPT, "INVALID_PROCESS_DETACH_ATTEMPT"},
        {PROCESS_DELETED_IN_USE, "PROCESS_DELETED_IN_USE"},
    };

    for (ULONG Index = 0; Index < ARRAY_SIZE(Names); Index++) {
        if (Names[Index].Code == Code) {
            return Names[Index].Name;
        }
    }
    return "UNKNOWN";
}

PCSTR KiVectorName(ULONG Vector) {
    static const PCSTR Names[32] = {
        "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#MF(9)", "#TS",
        "#NP", "#SS", "#GP", "#PF", "#15", "#MF", "#AC", "#MC", "#XM", "#VE",    "#CP",
        "#22", "#23", "#24", "#25", "#26", "#27", "#HV", "#VC", "#SX", "#31",
    };
    return Vector < 32 ? Names[Vector] : "#??";
}

ULONG KiWalkFrameChain(ULONG_PTR FramePointer, ULONG_PTR StackLow, ULONG_PTR StackHigh, PULONG_PTR ReturnAddresses,
                       ULONG MaxFrames) {
    ULONG Count = 0;
    const ULONG_PTR *Frame;

    while (Count < MaxFrames) {
        if (FramePointer < StackLow || StackHigh < 2 * sizeof(ULONG_PTR) ||
            FramePointer > StackHigh - 2 * sizeof(ULONG_PTR) || (FramePointer & (sizeof(ULONG_PTR) - 1)) != 0) {
            break;
        }
        Frame = (const ULONG_PTR *)FramePointer;
        if (Frame[1] == 0) {
            break;
        }
        ReturnAddresses[Count++] = Frame[1];
        if (Frame[0] <= FramePointer) {
            break;
        }
        FramePointer = Frame[0];
    }
    return Count;
}

ULONG KiScanStackForCode(ULONG_PTR StackPointer, ULONG_PTR StackLow, ULONG_PTR StackHigh, ULONG_PTR CodeBase,
                         ULONG_PTR CodeSize, ULONG MaxWords, PULONG_PTR Found, ULONG MaxFound) {
    ULONG Count = 0;
    ULONG_PTR Address = ALIGN_UP(StackPointer < StackLow ? StackLow : StackPointer, sizeof(ULONG_PTR));

    for (ULONG Words = 0; Words < MaxWords && Count < MaxFound && Address >= StackLow && Address < StackHigh &&
                          StackHigh - Address >= sizeof(ULONG_PTR);
         Words++, Address += sizeof(ULONG_PTR)) {
        ULONG_PTR Value = *(const ULONG_PTR *)Address;
        if (Value - CodeBase < CodeSize) {
            Found[Count++] = Value;
        }
    }
    return Count;
}
