/* i686 trap dispatch (interrupt gates and task gates) and register dump. */
#include <kd.h>
#include <rtl.h>

#include "ki.h"

const CHAR KeArchName[] = "i686";

/* Exception stub entry addresses, indexed by vector, and the task-gate entries (trapstub.S). */
extern const ULONG_PTR KiTrapEntryTable[AR_IDT_VECTORS];
VOID KiDoubleFaultTaskEntry(VOID);
VOID KiNmiTaskEntry(VOID);
VOID KiMachineCheckTaskEntry(VOID);

const AR_TRAP_ENTRIES KiTrapEntries = {KiTrapEntryTable, (ULONG_PTR)KiDoubleFaultTaskEntry, (ULONG_PTR)KiNmiTaskEntry,
                                       (ULONG_PTR)KiMachineCheckTaskEntry};

/* Stack pointer and SS of the interrupted code, kept apart from the frame (a same-privilege exception pushes none;
 * a task trap takes them from the interrupted task's TSS). */
static ULONG KiTrapStackSegment = KGDT_R0_DATA;

VOID KiGetTrapInfo(PKTRAP_FRAME Frame, PKI_TRAP_INFO Info) {
    Info->FaultAddress = ArReadCr2();
    Info->Vector = Frame->Vector;
    Info->ErrorCode = Frame->ErrorCode;
    Info->InstructionPointer = Frame->Eip;
    Info->StackPointer =
        (Frame->Vector == KI_NO_VECTOR) ? Frame->PushadEsp : (ULONG_PTR)&Frame->EFlags + sizeof(Frame->EFlags);
    Info->FramePointer = Frame->Ebp;
}

VOID KiDispatchTrap(PKTRAP_FRAME TrapFrame) {
    KI_TRAP_INFO Info;

    if (TrapFrame->Vector >= AR_FIRST_INTERRUPT_VECTOR && TrapFrame->Vector < AR_IDT_VECTORS) {
        KiDispatchInterrupt((ULONG)TrapFrame->Vector, TrapFrame);
        return;
    }
    if (TrapFrame->Vector == 14 && KiHandlePageFault(TrapFrame)) {
        return;
    }
    KiGetTrapInfo(TrapFrame, &Info);
    KiBugCheckTrap(TrapFrame, &Info);
}

/* Entered from the task-gate entries in ar/i686/trap.S (double fault, NMI, machine check) on the task's own
 * stack: rebuilds the interrupted task's registers from its TSS and stops. */
XTNORETURN VOID KiDispatchTaskTrap(ULONG Vector, ULONG ErrorCode) {
    KTRAP_FRAME Frame;
    KI_TRAP_INFO Info;
    PKTSS32 Current, Previous;
    USHORT TaskRegister;

    __asm__ volatile("str %0" : "=r"(TaskRegister));
    Current = ArGetTaskStateSegment(TaskRegister);
    Previous = Current ? ArGetTaskStateSegment(Current->Backlink) : NULL;
    if (Previous == NULL) {
        Previous = ArGetTaskStateSegment(KGDT_TSS);
    }
    Frame = (KTRAP_FRAME){
        .SegGs = Previous->Gs,
        .SegFs = Previous->Fs,
        .SegEs = Previous->Es,
        .SegDs = Previous->Ds,
        .Edi = Previous->Edi,
        .Esi = Previous->Esi,
        .Ebp = Previous->Ebp,
        .PushadEsp = Previous->Esp,
        .Ebx = Previous->Ebx,
        .Edx = Previous->Edx,
        .Ecx = Previous->Ecx,
        .Eax = Previous->Eax,
        .Vector = Vector,
        .ErrorCode = ErrorCode,
        .Eip = Previous->Eip,
        .SegCs = Previous->Cs,
        .EFlags = Previous->EFlags,
    };
    KiTrapStackSegment = Previous->Ss;
    Info = (KI_TRAP_INFO){Vector, ErrorCode, Previous->Eip, Previous->Esp, Previous->Ebp, ArReadCr2()};
    KiBugCheckTrap(&Frame, &Info);
}

VOID KiDumpTrapFrame(PKTRAP_FRAME Frame, const KI_TRAP_INFO *Info) {
    ULONGLONG Efer;
    BOOLEAN HasEfer = ArReadEfer(&Efer);

    KdStopPrint("EIP=%08X ESP=%08X EBP=%08X EFLAGS=%08X CS=%04X SS=%04X\n", Frame->Eip, (ULONG)Info->StackPointer,
                Frame->Ebp, Frame->EFlags, Frame->SegCs, KiTrapStackSegment);
    KdStopPrint("VECTOR=%02X ERROR=%08X CR2=%08X\n", Info->Vector, Frame->ErrorCode, (ULONG)Info->FaultAddress);
    KdStopPrint("CR0=%08X CR3=%08X CR4=%08X EFER=%016llX%s\n", (ULONG)ArReadCr0(), (ULONG)ArReadCr3(),
                (ULONG)ArReadCr4(), Efer, HasEfer ? "" : " (absent)");
    KdStopPrint("EAX=%08X EBX=%08X ECX=%08X EDX=%08X\n", Frame->Eax, Frame->Ebx, Frame->Ecx, Frame->Edx);
    KdStopPrint("ESI=%08X EDI=%08X DS=%04X ES=%04X FS=%04X GS=%04X\n", Frame->Esi, Frame->Edi, Frame->SegDs,
                Frame->SegEs, Frame->SegFs, Frame->SegGs);
}
