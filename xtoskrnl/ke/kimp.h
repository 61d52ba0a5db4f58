/* Ke internals for more than one processor: the per-processor block around the KPRCB, processor start-up (mpinit.c),
 * IPIs and the STOP's freeze (ipi.c). */
#ifndef XTOSKRNL_KE_KIMP_H
#define XTOSKRNL_KE_KIMP_H

#include <ar.h>
#include <ke.h>
#include <kthread.h>
#include <xtboot.h>

/* One processor: its KPRCB (first: GS/FS point here), its descriptor tables and the stacks they name. */
typedef struct _KI_PROCESSOR {
    KPRCB Prcb;
    AR_PROCESSOR_TABLES Tables __attribute__((aligned(16)));
    AR_PROCESSOR_STACKS Stacks;
    KTHREAD StartThread; /* an application processor's start-up context, which becomes its idle thread */
} KI_PROCESSOR, *PKI_PROCESSOR;

STATIC_ASSERT(offsetof(KI_PROCESSOR, Prcb) == 0);

/* The started processors' blocks by number (published once each is up), and how many there are. */
extern PKPRCB KiProcessorBlock[KE_MAXIMUM_PROCESSORS];
extern volatile ULONG KiProcessorCount;

/* Loads the boot processor's GDT, IDT and TSS(s) (ArInitializeProcessor) with its KPRCB bound to GS/FS. */
VOID KiInitializeBootProcessor(PXT_INIT_BLOCK InitBlock);

/* The current processor's number, 0 before the boot processor's KPRCB is bound (safe in any STOP). */
ULONG KiGetProcessorNumberSafe(VOID);

/* Starts every application processor of the MADT (at most MaxCpus in all, 0: no limit), one after the other,
 * each with a timeout; those that do not answer are reported and left out. Needs the calibrated TSC, the local APIC
 * and the IPI vector (KiInitializeIpi). The processors idle in hlt with interrupts on, their clocks still stopped.
 * TestHang (TESTAPHANG): the first AP's trampoline halts in 32-bit mode, so it never answers. */
VOID KiStartApplicationProcessors(PXT_INIT_BLOCK InitBlock, ULONG MaxCpus, BOOLEAN TestHang);

/* Starts the local APIC timer of every application processor (after the boot processor's clock, KiStartClock). */
VOID KiStartProcessorClocks(VOID);

/* An application processor's kernel entry (from the trampoline, interrupts off, on its own kernel stack). */
XTNORETURN VOID KiStartProcessor(PKI_PROCESSOR Processor);

/* Arch: the offset of the trampoline's 64-bit entry from its start (0 on i686, which has none). */
ULONG KiArchTrampolineLongOffset(VOID);

/* Connects the IPI vector's interrupt object (before any processor starts). */
VOID KiInitializeIpi(VOID);

/* KPRCB.IpiRequest bits: run the posted IPI packet; request the DISPATCH interrupt (a DPC was queued here by another
 * processor); look at the work queue (the idle loop does on every wake-up). */
#define KI_IPI_REQUEST_PACKET 0x1
#define KI_IPI_REQUEST_DPC    0x2
#define KI_IPI_REQUEST_WORK   0x4

/* Posts Request (KI_IPI_REQUEST_DPC or _WORK) in Prcb's IpiRequest and sends that processor the IPI vector, without
 * waiting. Any RunLevel, interrupts on or off. */
VOID KiIpiSendRequest(PKPRCB Prcb, LONG Request);

/* Prepares an empty DPC queue (dpc.c) and work queue (work.c) in a new KPRCB. */
VOID KiInitializeDpcQueue(PKPRCB Prcb);
VOID KiInitializeWorkQueue(PKPRCB Prcb);

/* The idle loop's step (work.c): runs the first work item queued on this processor at PASSIVE_LEVEL with interrupts
 * on; FALSE, without enabling interrupts, when there is none. Interrupts off on entry and on return. */
BOOLEAN KiRunProcessorWork(VOID);

/* ---- The dispatcher (ke/dispatch.c) ---- */

/* The boot processor's running code becomes its initial thread, and its idle thread is made; processors started
 * later join with KiInitializeProcessorDispatcher. After the memory manager and the timers, before the APs start. */
VOID KiInitializeDispatcher(VOID);

/* An application processor's start-up context becomes its idle thread (Thread, no floating-point state) and the
 * processor joins the dispatcher. Interrupts off. */
VOID KiInitializeProcessorDispatcher(PKTHREAD Thread);

/* The idle loop (the calling thread must be this processor's idle thread): halts with interrupts on until a thread
 * is ready here; runs at PASSIVE_LEVEL. */
XTNORETURN VOID KiIdleLoop(VOID);

/* Starts the reaper and one work thread per application processor (KeQueueProcessorWork). After every processor is
 * up; interrupts on or off. */
VOID KiStartSystemThreads(VOID);

/* The clock tick's share (CLOCK_LEVEL, interrupts off): charges the running thread a tick of its quantum and asks for
 * the DISPATCH interrupt when the quantum ran out. */
VOID KiUpdateRunTime(PKPRCB Prcb);

/* The DISPATCH interrupt's share (after the DPCs, interrupts off on entry and return): a quantum end, or a Standby
 * thread chosen for this processor, switches threads here. */
VOID KiDispatchScheduler(VOID);

/* work.c: the work thread of processor Number (from KiStartSystemThreads). */
VOID KiStartProcessorWorker(ULONG Number);

/* STOP: claims the STOP for this processor; when another processor owns it already (or is freezing the others),
 * parks this one instead (never returns then). Interrupts off. */
VOID KiEnterStop(ULONG_PTR InstructionPointer);

/* STOP: NMIs every other started processor and waits (bounded) until each reports itself frozen. */
VOID KiFreezeOtherProcessors(VOID);

#endif
