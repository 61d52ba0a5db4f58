/* amd64 trap dispatch and register dump. */
#include <kd.h>

#include "ki.h"

const CHAR KeArchName[] = "amd64";

/* Exception stub entry addresses, indexed by vector (trapstub.S). */
extern const ULONG_PTR KiTrapEntryTable[AR_IDT_VECTORS];

const AR_TRAP_ENTRIES KiTrapEntries = {KiTrapEntryTable, 0, 0, 0};

VOID KiGetTrapInfo(PKTRAP_FRAME Frame, PKI_TRAP_INFO Info) {
    Info->FaultAddress = ArReadCr2();
    Info->Vector = (ULONG)Frame->Vector;
    Info->ErrorCode = Frame->ErrorCode;
    Info->InstructionPointer = Frame->Rip;
    Info->StackPointer = Frame->Rsp;
    Info->FramePointer = Frame->Rbp;
}

VOID KiDispatchTrap(PKTRAP_FRAME TrapFrame) {
    KI_TRAP_INFO Info;

    /* APC_VECTOR (0x1F) sits among the reserved exception vectors: CR8 level 1 masks only class 1. No CPU raises it. */
    if ((TrapFrame->Vector >= AR_FIRST_INTERRUPT_VECTOR && TrapFrame->Vector < AR_IDT_VECTORS) ||
        TrapFrame->Vector == APC_VECTOR) {
        KiDispatchInterrupt((ULONG)TrapFrame->Vector, TrapFrame);
        return;
    }
    if (TrapFrame->Vector == 14 && KiHandlePageFault(TrapFrame)) {
        return;
    }
    KiGetTrapInfo(TrapFrame, &Info);
    KiBugCheckTrap(TrapFrame, &Info);
}

VOID KiDumpTrapFrame(PKTRAP_FRAME Frame, const KI_TRAP_INFO *Info) {
    ULONGLONG Efer;
    BOOLEAN HasEfer = ArReadEfer(&Efer);

    KdStopPrint("RIP=%016llX RSP=%016llX RBP=%016llX RFLAGS=%08llX CS=%04llX SS=%04llX\n", Frame->Rip, Frame->Rsp,
                Frame->Rbp, Frame->EFlags, Frame->SegCs, Frame->SegSs);
    KdStopPrint("VECTOR=%02X ERROR=%016llX CR2=%016llX\n", Info->Vector, Frame->ErrorCode,
                (ULONGLONG)Info->FaultAddress);
    KdStopPrint("CR0=%016llX CR3=%016llX CR4=%016llX EFER=%016llX%s\n", (ULONGLONG)ArReadCr0(), (ULONGLONG)ArReadCr3(),
                (ULONGLONG)ArReadCr4(), Efer, HasEfer ? "" : " (absent)");
    KdStopPrint("RAX=%016llX RBX=%016llX RCX=%016llX RDX=%016llX\n", Frame->Rax, Frame->Rbx, Frame->Rcx, Frame->Rdx);
    KdStopPrint("RSI=%016llX RDI=%016llX R8 =%016llX R9 =%016llX\n", Frame->Rsi, Frame->Rdi, Frame->R8, Frame->R9);
    KdStopPrint("R10=%016llX R11=%016llX R12=%016llX R13=%016llX\n", Frame->R10, Frame->R11, Frame->R12, Frame->R13);
    KdStopPrint("R14=%016llX R15=%016llX\n", Frame->R14, Frame->R15);
}
