/* TESTFAULT=...: faults provoked on purpose to test the STOP path; WAITNMI and WAITMCE wait for a fault the test
 * harness injects through QEMU's monitor, RESET resets the machine, UBSAN trips the sanitized kernel's checks. */

#include <kd.h>
#include <kthread.h>
#include <mm.h>
#include <xtintrin.h>

#include "ki.h"

#define KI_INJECTED_FAULT_WAIT_TSC (1ull << 36) /* TSC ticks: about 20-30 s at the host's TSC rate under TCG */
#define KI_RESET_CONTROL_PORT      0xCF9        /* ICH9/PIIX reset control register: bit 2 resets, bit 1 hard */
#define KI_KEYBOARD_COMMAND_PORT   0x64         /* 8042 command 0xFE pulses the CPU reset line */

static volatile ULONG KiRecursionLimit = 0xFFFFFFFFu;

/* Recurses with a 1 KiB frame (smaller than the guard page, so the overflow lands in it) until the stack ends. */
__attribute__((noinline)) static ULONG KiRecurse(ULONG Depth) {
    volatile UCHAR Frame[1024];

    Frame[Depth % sizeof(Frame)] = (UCHAR)Depth;
    if (Depth < KiRecursionLimit) {
        return KiRecurse(Depth + 1) + Frame[0];
    }
    return Frame[1];
}

/* Waits with interrupts off (an NMI and a machine check still arrive) for the fault the harness injects once it
 * reads the line printed here; returns after KI_INJECTED_FAULT_WAIT_TSC ticks if none came. */
static VOID KiWaitForInjectedFault(PCSTR What) {
    ULONGLONG Start = ArReadTimeStampCounter();

    KdPrint("KE: waiting for an injected %s (interrupts off)\n", What);
    while (ArReadTimeStampCounter() - Start < KI_INJECTED_FAULT_WAIT_TSC) {
        __asm__ volatile("pause");
    }
}

/* Resets through the reset control register, then the keyboard controller; returns if neither worked. */
static VOID KiResetMachine(VOID) {
    KdPrint("KE: resetting through port 0x%x\n", KI_RESET_CONTROL_PORT);
    HlWritePort8(KI_RESET_CONTROL_PORT, 0x02);
    HlWritePort8(KI_RESET_CONTROL_PORT, 0x06);
    HlWritePort8(KI_KEYBOARD_COMMAND_PORT, 0xFE);
    for (ULONG Spin = 0; Spin < 100000000; Spin++) {
        __asm__ volatile("pause");
    }
}

/* On the processor a targeted IPI runs it on: stops the system from there. */
static ULONG_PTR KiStopFromIpi(ULONG_PTR Argument) {
    KeBugCheckEx(MANUALLY_INITIATED_CRASH, KeGetCurrentProcessorNumber(), Argument, 0, 0);
}

/* Asks processor 1 to STOP (TESTFAULT=APSTOP): its report must name it and show the others frozen. */
static VOID KiStopOnProcessorOne(VOID) {
    if (KeQueryActiveProcessorCount() < 2) {
        KdPrint("KE: TESTFAULT=APSTOP needs a second processor (%u online)\n", KeQueryActiveProcessorCount());
        return;
    }
    KdPrint("KE: asking processor 1 to stop the system\n");
    KeIpiProcessorCall(1, KiStopFromIpi, 0x5150, NULL);
}

/* Raises to DISPATCH_LEVEL, then "raises" to APC_LEVEL: STOP IRQL_NOT_GREATER_OR_EQUAL naming this function. */
__attribute__((noinline)) static VOID KiRaiseRunLevelBackwards(VOID) {
    KRUNLEVEL Old = KeRaiseRunLevel(DISPATCH_LEVEL);

    KdPrint("KE: raised from RunLevel %u to %u, raising to %u\n", Old, KeGetCurrentRunLevel(), APC_LEVEL);
    KeRaiseRunLevel(APC_LEVEL);
    KeLowerRunLevel(Old);
}

/* At APC_LEVEL, "lowers" to DISPATCH_LEVEL: STOP IRQL_NOT_LESS_OR_EQUAL naming this function. */
__attribute__((noinline)) static VOID KiLowerRunLevelUpwards(VOID) {
    KRUNLEVEL Old = KeRaiseRunLevel(APC_LEVEL);

    KdPrint("KE: raised from RunLevel %u to %u, lowering to %u\n", Old, KeGetCurrentRunLevel(), DISPATCH_LEVEL);
    KeLowerRunLevel(DISPATCH_LEVEL);
    KeLowerRunLevel(Old);
}

/* At CLOCK_LEVEL, allocates pool (limit DISPATCH_LEVEL): STOP IRQL_NOT_LESS_OR_EQUAL naming this function. */
__attribute__((noinline)) static VOID KiAllocatePoolAtClockLevel(VOID) {
    KRUNLEVEL Old = KeRaiseRunLevel(CLOCK_LEVEL);

    KdPrint("KE: allocating pool at RunLevel %u (limit %u)\n", KeGetCurrentRunLevel(), DISPATCH_LEVEL);
    MmFreePool(MmAllocatePool(NonPagedPool, 64, 0x4C514952 /* 'RIQL' */), 0x4C514952);
    KeLowerRunLevel(Old);
}

/* A DPC routine that returns at CLOCK_LEVEL. */
static VOID KiRaisingDpcRoutine(PKDPC Dpc, PVOID Context, PVOID Argument1, PVOID Argument2) {
    (VOID) Dpc, (VOID)Context, (VOID)Argument1, (VOID)Argument2;
    KeRaiseRunLevel(CLOCK_LEVEL);
}

/* Queues KiRaisingDpcRoutine and lets it run (interrupts on): STOP IRQL_UNEXPECTED_VALUE with the routine and the
 * DPC. */
static VOID KiRunRaisingDpc(VOID) {
    static KDPC Dpc;

    KeInitializeDpc(&Dpc, KiRaisingDpcRoutine, NULL);
    KdPrint("KE: queueing DPC 0x%p (routine 0x%p) that returns at RunLevel %u\n", (PVOID)&Dpc,
            (PVOID)(ULONG_PTR)KiRaisingDpcRoutine, CLOCK_LEVEL);
    KeInsertQueueDpc(&Dpc, NULL, NULL);
    ArEnableInterrupts(); /* faults are provoked with interrupts off: the DPC interrupt needs them on */
    KeStallExecutionProcessor(100000);
}

static KSPIN_LOCK KiTestSpinLock;

/* Takes KiTestSpinLock, then takes it again on the same processor: STOP SPIN_LOCK_ALREADY_OWNED naming this function.
 */
__attribute__((noinline)) static VOID KiAcquireSpinLockTwice(VOID) {
    KRUNLEVEL Old;

    KeInitializeSpinLock(&KiTestSpinLock);
    KeAcquireSpinLock(&KiTestSpinLock, &Old);
    KdPrint("KE: spin lock 0x%p held (value %u), taking it again\n", (PVOID)&KiTestSpinLock, (ULONG)KiTestSpinLock);
    KeAcquireSpinLockAtDpcLevel(&KiTestSpinLock);
    KeReleaseSpinLock(&KiTestSpinLock, Old);
}

/* Releases the free KiTestSpinLock: STOP SPIN_LOCK_NOT_OWNED naming this function. */
__attribute__((noinline)) static VOID KiReleaseFreeSpinLock(VOID) {
    KRUNLEVEL Old = KeRaiseRunLevel(DISPATCH_LEVEL);

    KeInitializeSpinLock(&KiTestSpinLock);
    KdPrint("KE: releasing free spin lock 0x%p\n", (PVOID)&KiTestSpinLock);
    KeReleaseSpinLock(&KiTestSpinLock, Old);
}

/* TESTFAULT=WAITDISPATCH's thread: waits at DISPATCH_LEVEL with a 10 ms timeout: STOP IRQL_NOT_LESS_OR_EQUAL naming
 * it (P3) and, in the report, its start routine. */
static VOID KiWaitAtDispatchThread(PVOID Context) {
    LARGE_INTEGER Timeout = {.QuadPart = -100000};
    KEVENT Event;

    (VOID) Context;
    KeInitializeEvent(&Event, NotificationEvent, FALSE);
    KeRaiseRunLevel(DISPATCH_LEVEL);
    KdPrint("KE: thread 0x%p waits at RunLevel %u with a 10 ms timeout\n", (PVOID)KeGetCurrentThread(),
            KeGetCurrentRunLevel());
    KeWaitForSingleObject(&Event, Executive, KernelMode, FALSE, &Timeout);
}

/* TESTFAULT=THREADSTACK's thread: recurses down its own kernel stack into the guard page below it: a double fault
 * (the #PF cannot be delivered on that stack), STOP UNEXPECTED_KERNEL_MODE_TRAP naming it in the report. */
static VOID KiStackOverflowThread(PVOID Context) {
    PKTHREAD Thread = KeGetCurrentThread();

    (VOID) Context;
    KdPrint("KE: thread 0x%p recursing down its kernel stack 0x%p-0x%p\n", (PVOID)Thread, Thread->StackLimit,
            Thread->StackBase);
    KiRecurse(0);
}

/* Runs Routine in a system thread (priority 12, processor 0) with interrupts on and waits for it to end. */
static VOID KiRunFaultThread(PKSTART_ROUTINE Routine) {
    PKTHREAD Thread;

    ArEnableInterrupts();
    if (XT_SUCCESS(KeCreateSystemThread(&Thread, 12, 1, Routine, NULL, 0))) {
        KeWaitForSingleObject(Thread, Executive, KernelMode, FALSE, NULL);
        KeDereferenceThread(Thread);
    }
    ArDisableInterrupts();
}

ULONG KiRaiseTestFault(ULONG TestFault) {
    ULONG_PTR Unmapped = MmGetUnmappedAddress();

    KdPrint("KE: TESTFAULT=%s\n", KeTestFaultName(TestFault));
    switch (TestFault) {
        case KeTestFaultPage:
            KdPrint("KE: reading unmapped 0x%p (mapped: %u)\n", (PVOID)Unmapped, MmIsAddressValid(Unmapped));
            (VOID) * (volatile ULONG_PTR *)Unmapped;
            break;
        case KeTestFaultGp:
            ArRaiseGeneralProtection();
        case KeTestFaultStack:
            KiRecurse(0);
            break;
        case KeTestFaultDouble:
            KdPrint("KE: stack pointer -> unmapped 0x%p\n", (PVOID)(Unmapped + MM_PAGE_SIZE / 2));
            ArTouchStackAt(Unmapped + MM_PAGE_SIZE / 2);
        case KeTestFaultPoolOverrun:
            MmTestPoolCorruption(MmPoolTestOverrun);
            break;
        case KeTestFaultPoolDoubleFree:
            MmTestPoolCorruption(MmPoolTestDoubleFree);
            break;
        case KeTestFaultPoolTag:
            MmTestPoolCorruption(MmPoolTestTagMismatch);
            break;
        case KeTestFaultSpecialPool:
            MmTestPoolCorruption(MmPoolTestSpecialOverrun);
            break;
        case KeTestFaultBadPfn:
            MmTestBadFrameFree();
            break;
        case KeTestFaultWaitNmi:
            KiWaitForInjectedFault("NMI");
            break;
        case KeTestFaultWaitMce:
            KiWaitForInjectedFault("machine check");
            break;
        case KeTestFaultReset:
            KiResetMachine();
        case KeTestFaultUbsan:
            if (!KeIsUbsanBuiltIn()) {
                KdPrint("KE: UBSan is not built into this kernel: TESTFAULT=UBSAN cannot fault (feature xt_ubsan)\n");
                break;
            }
            KdPrint("KE: LONGLONG overflow: %lld\n", KiRaiseUbsanOverflow());
            break;
        case KeTestFaultRunLevelRaise:
            KiRaiseRunLevelBackwards();
            break;
        case KeTestFaultRunLevelLower:
            KiLowerRunLevelUpwards();
            break;
        case KeTestFaultPoolRunLevel:
            KiAllocatePoolAtClockLevel();
            break;
        case KeTestFaultDpcRunLevel:
            KiRunRaisingDpc();
            break;
        case KeTestFaultPagedRunLevel:
            MmTestPageFault(MmFaultTestPagedAtDispatch);
            break;
        case KeTestFaultWriteReadOnly:
            MmTestPageFault(MmFaultTestWriteReadOnly);
            break;
        case KeTestFaultExecuteNx:
            MmTestPageFault(MmFaultTestExecuteNoExecute);
            break;
        case KeTestFaultGuardPage:
            MmTestPageFault(MmFaultTestGuardPage);
            break;
        case KeTestFaultProcessorStop:
            KiStopOnProcessorOne();
            break;
        case KeTestFaultSpinLockOwned:
            KiAcquireSpinLockTwice();
            break;
        case KeTestFaultSpinLockNotOwned:
            KiReleaseFreeSpinLock();
            break;
        case KeTestFaultShootdown:
            MmTestShootdown();
            break;
        case KeTestFaultSpaceShootdown:
            MmTestSpaceShootdown();
            break;
        case KeTestFaultWaitDispatch:
            KiRunFaultThread(KiWaitAtDispatchThread);
            break;
        case KeTestFaultThreadStack:
            KiRunFaultThread(KiStackOverflowThread);
            break;
        default:
            break;
    }
    KdPrint("KE: TESTFAULT=%s did not fault\n", KeTestFaultName(TestFault));
    return 1;
}
