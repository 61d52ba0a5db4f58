/* Ps benchmark (kernel parameter BENCH; docs/objects.md, docs/benchmarks.md): ObReferenceObjectByHandle +
 * ObDereferenceObject on an event by a kernel handle, by a handle of the System process's table (no
 * OB_KERNEL_HANDLE_FLAG: the kernel table, found through Ps's hook) and by a handle of a Ps process's own table with
 * the boot thread attached to the process, in TSC ticks per operation (under QEMU -icount shift=4,sleep=off: guest
 * instructions << 4). One KE-BENCH line; interrupts as the caller has them (off at start-up). */
#include <kd.h>
#include <xtintrin.h>

#include "psp.h"

#define PS_BENCH_ROUNDS 4096

/* Ticks per reference by Handle + dereference; 0 when a reference failed. */
static ULONGLONG PspBenchReference(HANDLE Handle) {
    ULONGLONG Start = ArReadTimeStampCounter();
    PVOID Object;

    for (ULONG Round = 0; Round < PS_BENCH_ROUNDS; Round++) {
        if (ObReferenceObjectByHandle(Handle, EVENT_QUERY_STATE, ExEventObjectType, KernelMode, &Object, NULL) !=
            STATUS_SUCCESS) {
            return 0;
        }
        ObDereferenceObject(Object);
    }
    return (ArReadTimeStampCounter() - Start) / PS_BENCH_ROUNDS;
}

/* Ticks per reference + dereference of a new event by a handle made with Attributes (in the table they choose). */
static ULONGLONG PspBenchEvent(ULONG Attributes) {
    OBJECT_ATTRIBUTES EventAttributes;
    ULONGLONG Ticks;
    HANDLE Event;

    InitializeObjectAttributes(&EventAttributes, NULL, Attributes, NULL, NULL);
    if (NtCreateEvent(&Event, EVENT_ALL_ACCESS, &EventAttributes, NotificationEvent, FALSE) != STATUS_SUCCESS) {
        return 0;
    }
    Ticks = PspBenchReference(Event);
    NtClose(Event);
    return Ticks;
}

/* Ticks per reference + dereference by a handle of a new process's table, attached to the process. */
static ULONGLONG PspBenchProcessTable(VOID) {
    OBJECT_ATTRIBUTES Attributes;
    KAPC_STATE ApcState;
    PEPROCESS Process;
    ULONGLONG Ticks;
    HANDLE Handle;

    InitializeObjectAttributes(&Attributes, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    if (PsCreateSystemProcess(&Handle, PROCESS_ALL_ACCESS, &Attributes) != STATUS_SUCCESS) {
        return 0;
    }
    if (ObReferenceObjectByHandle(Handle, 0, PsProcessType, KernelMode, (PVOID *)&Process, NULL) != STATUS_SUCCESS) {
        NtClose(Handle);
        return 0;
    }
    KeStackAttachProcess(Process->Pcb, &ApcState);
    Ticks = PspBenchEvent(0);
    KeUnstackDetachProcess(&ApcState);
    ObDereferenceObject(Process);
    NtClose(Handle);
    return Ticks;
}

VOID PsRunBenchmarks(VOID) {
    ULONGLONG Kernel = PspBenchEvent(OBJ_KERNEL_HANDLE), System = PspBenchEvent(0), Process = PspBenchProcessTable();

    KdPrint("KE-BENCH ps_ref_deref_kernel_handle=%llu ps_ref_deref_system_table=%llu "
            "ps_ref_deref_process_table=%llu\n",
            Kernel, System, Process);
}
