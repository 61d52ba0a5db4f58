/* Object Manager benchmark (kernel parameter BENCH): ObReferenceObjectByHandle + ObDereferenceObject, a handle
 * duplicate + close, a named object's create + open by name + close at namespace depths 1 and 4, and the same through
 * the native API (NtCreateEvent + NtClose unnamed; NtCreateEvent + NtOpenEvent + closes named), each with 1 and
 * 1,000,000 live handles in the kernel table (100,000 below 512 MiB free), in TSC ticks per operation (under QEMU
 * -icount shift=4,sleep=off: guest instructions << 4). One KE-BENCH line; interrupts as the caller has them (off at
 * start-up). Two KE-BENCH lines. */
#include <kd.h>
#include <mm.h>
#include <xtintrin.h>

#include "obp.h"

#define OB_BENCH_ROUNDS       4096
#define OB_BENCH_NAMED_ROUNDS 512
#define OB_BENCH_HANDLES      1000000u /* where at least 512 MiB are free; else 100,000 (the 128 MiB bench_ke boots) */
#define OB_BENCH_FEW_HANDLES  100000u
#define OB_BENCH_ARRAY_TAG    OB_POOL_TAG('O', 'b', 'B', 'a')

static POBJECT_TYPE ObpBenchType;

/* Ticks per reference by handle + dereference. */
static ULONGLONG ObpBenchReference(HANDLE Handle) {
    ULONGLONG Start = ArReadTimeStampCounter();
    PVOID Object;

    for (ULONG Round = 0; Round < OB_BENCH_ROUNDS; Round++) {
        if (ObReferenceObjectByHandle(Handle, 0, ObpBenchType, KernelMode, &Object, NULL) != STATUS_SUCCESS) {
            return 0;
        }
        ObDereferenceObject(Object);
    }
    return (ArReadTimeStampCounter() - Start) / OB_BENCH_ROUNDS;
}

/* Ticks per NtDuplicateObject (same access) + NtClose of the duplicate. */
static ULONGLONG ObpBenchDuplicate(HANDLE Handle) {
    ULONGLONG Start = ArReadTimeStampCounter();
    HANDLE Copy;

    for (ULONG Round = 0; Round < OB_BENCH_ROUNDS; Round++) {
        if (NtDuplicateObject(NtCurrentProcess(), Handle, NtCurrentProcess(), &Copy, 0, OBJ_KERNEL_HANDLE,
                              DUPLICATE_SAME_ACCESS) != STATUS_SUCCESS ||
            NtClose(Copy) != STATUS_SUCCESS) {
            return 0;
        }
    }
    return (ArReadTimeStampCounter() - Start) / OB_BENCH_ROUNDS;
}

/* Ticks per create (named, with a handle) + open by name + two closes (the name goes with the last). */
static ULONGLONG ObpBenchNamed(PCWSTR Path) {
    OBJECT_ATTRIBUTES Attributes;
    UNICODE_STRING Name;
    HANDLE Created, Opened;
    ULONGLONG Start;
    PVOID Object;

    RtlInitUnicodeString(&Name, Path);
    InitializeObjectAttributes(&Attributes, &Name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, NULL, NULL);
    Start = ArReadTimeStampCounter();
    for (ULONG Round = 0; Round < OB_BENCH_NAMED_ROUNDS; Round++) {
        if (ObCreateObject(KernelMode, ObpBenchType, &Attributes, 16, &Object) != STATUS_SUCCESS ||
            ObInsertObject(Object, 0x1, NULL, &Created) != STATUS_SUCCESS ||
            ObOpenObjectByName(&Attributes, ObpBenchType, KernelMode, NULL, 0x1, NULL, &Opened) != STATUS_SUCCESS ||
            NtClose(Opened) != STATUS_SUCCESS || NtClose(Created) != STATUS_SUCCESS) {
            return 0;
        }
    }
    return (ArReadTimeStampCounter() - Start) / OB_BENCH_NAMED_ROUNDS;
}

/* Ticks per NtCreateEvent (unnamed, a kernel handle) + NtClose: a handle and an object made and gone. */
static ULONGLONG ObpBenchEventCreateClose(VOID) {
    OBJECT_ATTRIBUTES Attributes;
    ULONGLONG Start;
    HANDLE Event;

    InitializeObjectAttributes(&Attributes, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    Start = ArReadTimeStampCounter();
    for (ULONG Round = 0; Round < OB_BENCH_ROUNDS; Round++) {
        if (NtCreateEvent(&Event, EVENT_ALL_ACCESS, &Attributes, NotificationEvent, FALSE) != STATUS_SUCCESS ||
            NtClose(Event) != STATUS_SUCCESS) {
            return 0;
        }
    }
    return (ArReadTimeStampCounter() - Start) / OB_BENCH_ROUNDS;
}

/* Ticks per NtCreateEvent named Path + NtOpenEvent by that name + two NtClose (the name goes with the last). */
static ULONGLONG ObpBenchEventNamed(PCWSTR Path) {
    OBJECT_ATTRIBUTES Attributes;
    UNICODE_STRING Name;
    HANDLE Created, Opened;
    ULONGLONG Start;

    RtlInitUnicodeString(&Name, Path);
    InitializeObjectAttributes(&Attributes, &Name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, NULL, NULL);
    Start = ArReadTimeStampCounter();
    for (ULONG Round = 0; Round < OB_BENCH_NAMED_ROUNDS; Round++) {
        if (NtCreateEvent(&Created, EVENT_ALL_ACCESS, &Attributes, SynchronizationEvent, FALSE) != STATUS_SUCCESS ||
            NtOpenEvent(&Opened, SYNCHRONIZE | EVENT_MODIFY_STATE, &Attributes) != STATUS_SUCCESS ||
            NtClose(Opened) != STATUS_SUCCESS || NtClose(Created) != STATUS_SUCCESS) {
            return 0;
        }
    }
    return (ArReadTimeStampCounter() - Start) / OB_BENCH_NAMED_ROUNDS;
}

#define OB_BENCH_FIGURES 7

/* Every figure with the table as it is now. */
static VOID ObpBenchAll(HANDLE Handle, ULONGLONG Figures[OB_BENCH_FIGURES]) {
    Figures[0] = ObpBenchReference(Handle);
    Figures[1] = ObpBenchDuplicate(Handle);
    Figures[2] = ObpBenchNamed(u"\\ObBenchObject");
    Figures[3] = ObpBenchNamed(u"\\KernelObjects\\ObBench1\\ObBench2\\ObBenchObject");
    Figures[4] = ObpBenchEventCreateClose();
    Figures[5] = ObpBenchEventNamed(u"\\ObBenchEvent");
    Figures[6] = ObpBenchEventNamed(u"\\KernelObjects\\ObBench1\\ObBench2\\ObBenchEvent");
}

/* Opens Count - 1 more handles to Handle's object (their values into Handles); FALSE without memory. */
static BOOLEAN ObpBenchFill(HANDLE Handle, PULONG_PTR Handles, ULONG Count) {
    HANDLE Copy;

    for (ULONG Index = 0; Index + 1 < Count; Index++) {
        if (NtDuplicateObject(NtCurrentProcess(), Handle, NtCurrentProcess(), &Copy, 0, OBJ_KERNEL_HANDLE,
                              DUPLICATE_SAME_ACCESS) != STATUS_SUCCESS) {
            while (Index-- > 0) {
                NtClose((HANDLE)Handles[Index]);
            }
            return FALSE;
        }
        Handles[Index] = (ULONG_PTR)Copy;
    }
    return TRUE;
}

VOID ObRunBenchmarks(VOID) {
    OBJECT_TYPE_INITIALIZER Initializer = {.Length = sizeof(Initializer), .ValidAccessMask = 0x1F0001};
    ULONGLONG One[OB_BENCH_FIGURES] = {0}, Million[OB_BENCH_FIGURES] = {0};
    MM_BOOT_REPORT Report;
    PCSTR Many;
    ULONG Count;
    UNICODE_STRING Name;
    PULONG_PTR Handles;
    HANDLE Handle;
    PVOID Object;

    OBJECT_ATTRIBUTES KernelHandle;

    /* A kernel handle, like the 1,000,000 of the second column (a handle of the current process's table takes the
     * general path through Ps's hook: docs/objects.md). */
    InitializeObjectAttributes(&KernelHandle, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    RtlInitUnicodeString(&Name, u"ObBench");
    if (ObCreateObjectType(&Name, &Initializer, &ObpBenchType) != STATUS_SUCCESS ||
        ObCreateObject(KernelMode, ObpBenchType, &KernelHandle, 16, &Object) != STATUS_SUCCESS ||
        ObInsertObject(Object, 0x1, NULL, &Handle) != STATUS_SUCCESS) {
        KdPrint("OB: BENCH: setup failed\n");
        return;
    }
    RtlInitUnicodeString(&Name, u"\\KernelObjects\\ObBench1");
    ObCreateDirectoryObject(&Name, NULL);
    RtlInitUnicodeString(&Name, u"\\KernelObjects\\ObBench1\\ObBench2");
    ObCreateDirectoryObject(&Name, NULL);
    ObpBenchAll(Handle, One);
    MmQueryBootReport(&Report);
    Count = Report.FreePages >= (512ull << 20) / MM_PAGE_SIZE ? OB_BENCH_HANDLES : OB_BENCH_FEW_HANDLES;
    Handles = MmAllocatePool(NonPagedPool, Count * sizeof(ULONG_PTR), OB_BENCH_ARRAY_TAG);
    if (Handles != NULL && ObpBenchFill(Handle, Handles, Count)) {
        ObpBenchAll((HANDLE)Handles[Count - 2], Million);
        for (ULONG Index = Count - 1; Index-- > 0;) {
            NtClose((HANDLE)Handles[Index]);
        }
    }
    if (Handles != NULL) {
        MmFreePool(Handles, OB_BENCH_ARRAY_TAG);
    }
    NtClose(Handle);
    Many = Count == OB_BENCH_HANDLES ? "1m" : "100k";
    KdPrint("KE-BENCH ob_ref_deref_1=%llu ob_ref_deref_%s=%llu ob_dup_close_1=%llu ob_dup_close_%s=%llu "
            "ob_named_create_open_close_depth1_1=%llu ob_named_create_open_close_depth1_%s=%llu "
            "ob_named_create_open_close_depth4_1=%llu ob_named_create_open_close_depth4_%s=%llu\n",
            One[0], Many, Million[0], One[1], Many, Million[1], One[2], Many, Million[2], One[3], Many, Million[3]);
    KdPrint("KE-BENCH ob_event_create_close_1=%llu ob_event_create_close_%s=%llu "
            "ob_event_create_open_close_depth1_1=%llu ob_event_create_open_close_depth1_%s=%llu "
            "ob_event_create_open_close_depth4_1=%llu ob_event_create_open_close_depth4_%s=%llu\n",
            One[4], Many, Million[4], One[5], Many, Million[5], One[6], Many, Million[6]);
}
