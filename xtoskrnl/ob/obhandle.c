/* Handles: the kernel handle table on ex/handle.c, handle creation with the open procedure, references by handle
 * with the type and access checks, close, duplicate and query. Every operation has a form on an explicit table, so
 * per-process tables plug in with processes. docs/objects.md. */
#include "obp.h"

EX_HANDLE_TABLE ObpKernelHandleTable;

PEX_HANDLE_TABLE ObGetKernelHandleTable(VOID) {
    return &ObpKernelHandleTable;
}

/* The process hook (ObRegisterProcessHandleTables): the Process type and the routine reading a process's table. */
POBJECT_TYPE ObpProcessObjectType;
static OB_PROCESS_HANDLE_TABLE_ROUTINE ObpProcessHandleTableRoutine;

VOID ObRegisterProcessHandleTables(POBJECT_TYPE ProcessType, OB_PROCESS_HANDLE_TABLE_ROUTINE Routine) {
    KeCheckRunLevelLimit(PASSIVE_LEVEL, __builtin_return_address(0));
    ObpProcessObjectType = ProcessType;
    __atomic_store_n(&ObpProcessHandleTableRoutine, Routine, __ATOMIC_RELEASE);
}

OB_PROCESS_HANDLE_TABLE_ROUTINE ObpQueryProcessHandleTableRoutine(VOID) {
    return __atomic_load_n(&ObpProcessHandleTableRoutine, __ATOMIC_ACQUIRE);
}

PEX_HANDLE_TABLE ObpProcessHandleTable(PVOID Process) {
    OB_PROCESS_HANDLE_TABLE_ROUTINE Routine = __atomic_load_n(&ObpProcessHandleTableRoutine, __ATOMIC_ACQUIRE);
    PEX_HANDLE_TABLE Table = Routine != NULL ? Routine(Process) : NULL;

    return Table != NULL ? Table : &ObpKernelHandleTable;
}

/* The table of handles without OB_KERNEL_HANDLE_FLAG: the current process's, which is the System process's (the
 * kernel table, as in NT) until Ps registers its hook. */
XTFORCEINLINE PEX_HANDLE_TABLE ObpCurrentProcessHandleTable(VOID) {
    if (__builtin_expect(__atomic_load_n(&ObpProcessHandleTableRoutine, __ATOMIC_RELAXED) == NULL, 1)) {
        return &ObpKernelHandleTable;
    }
    return ObpProcessHandleTable(NULL);
}

/* Handle's value within an explicitly given Table (kernel-table handles carry OB_KERNEL_HANDLE_FLAG). */
HANDLE ObpTableHandleValue(PEX_HANDLE_TABLE Table, HANDLE Handle) {
    if (Table == &ObpKernelHandleTable && ((ULONG_PTR)Handle & OB_KERNEL_HANDLE_FLAG) == OB_KERNEL_HANDLE_FLAG) {
        return (HANDLE)((ULONG_PTR)Handle & ~OB_KERNEL_HANDLE_FLAG);
    }
    return Handle;
}

XTFORCEINLINE PEX_HANDLE_TABLE ObpResolveHandleInline(HANDLE Handle, PHANDLE TableHandle) {
    ULONG_PTR Value = (ULONG_PTR)Handle;

    if ((Value & OB_KERNEL_HANDLE_FLAG) == OB_KERNEL_HANDLE_FLAG) {
        *TableHandle = (HANDLE)(Value & ~OB_KERNEL_HANDLE_FLAG);
        return &ObpKernelHandleTable;
    }
    *TableHandle = Handle;
    return ObpCurrentProcessHandleTable();
}

PEX_HANDLE_TABLE ObpResolveHandle(HANDLE Handle, PHANDLE TableHandle) {
    return ObpResolveHandleInline(Handle, TableHandle);
}

PEX_HANDLE_TABLE ObpTableForAttributes(ULONG Attributes) {
    return (Attributes & OBJ_KERNEL_HANDLE) ? &ObpKernelHandleTable : ObpCurrentProcessHandleTable();
}

static ULONG ObpToExAttributes(ULONG Attributes) {
    return ((Attributes & OBJ_INHERIT) ? EX_HANDLE_INHERIT : 0) |
           ((Attributes & OBJ_PROTECT_CLOSE) ? EX_HANDLE_PROTECT_FROM_CLOSE : 0);
}

ULONG ObpFromExAttributes(ULONG Attributes) {
    return ((Attributes & EX_HANDLE_INHERIT) ? OBJ_INHERIT : 0) |
           ((Attributes & EX_HANDLE_PROTECT_FROM_CLOSE) ? OBJ_PROTECT_CLOSE : 0);
}

VOID ObpDecrementHandleCount(POBJECT_HEADER Header, ACCESS_MASK GrantedAccess, BOOLEAN Undo) {
    LONG_PTR Old = __atomic_fetch_sub(&Header->HandleCount, 1, __ATOMIC_ACQ_REL);

    if (!Undo && Header->Type->TypeInfo.CloseProcedure != NULL) {
        Header->Type->TypeInfo.CloseProcedure(&Header->Body, GrantedAccess, (ULONG_PTR)Old);
    }
    if (Old == 1) {
        ObpDeleteNameCheck(Header);
    }
}

XTSTATUS ObpCreateHandle(PEX_HANDLE_TABLE Table, POBJECT_HEADER Header, ACCESS_MASK GrantedAccess,
                         ULONG HandleAttributes, OB_OPEN_REASON Reason, PHANDLE Handle) {
    POBJECT_TYPE Type = Header->Type;
    XTSTATUS Status = STATUS_SUCCESS;
    HANDLE Value = NULL;

    if (Type->TypeInfo.OpenProcedure != NULL) {
        Status = Type->TypeInfo.OpenProcedure(Reason, &Header->Body, GrantedAccess, (ULONG)Header->HandleCount);
    }
    if (Status == STATUS_SUCCESS) {
        __atomic_add_fetch(&Type->TotalNumberOfHandles, 1, __ATOMIC_RELAXED);
        Status = ExCreateHandle(Table, Header, GrantedAccess, ObpToExAttributes(HandleAttributes), &Value);
        if (Status != STATUS_SUCCESS) {
            __atomic_sub_fetch(&Type->TotalNumberOfHandles, 1, __ATOMIC_RELAXED);
        }
    }
    if (Status != STATUS_SUCCESS) {
        *Handle = NULL;
        ObpDecrementHandleCount(Header, GrantedAccess, TRUE);
        ObDereferenceObject(&Header->Body);
        return Status;
    }
    if (Type->TotalNumberOfHandles > Type->HighWaterNumberOfHandles) {
        Type->HighWaterNumberOfHandles = Type->TotalNumberOfHandles; /* a statistic: races only blur it */
    }
    *Handle = (HandleAttributes & OBJ_KERNEL_HANDLE) ? (HANDLE)((ULONG_PTR)Value | OB_KERNEL_HANDLE_FLAG) : Value;
    return STATUS_SUCCESS;
}

/* ObInsertObject into Table (NULL: the table the object's OBJ_KERNEL_HANDLE chooses). */
static XTSTATUS ObpInsertObject(PEX_HANDLE_TABLE Table, PVOID Object, ACCESS_MASK DesiredAccess,
                                PVOID *ReferencedObject, PHANDLE Handle) {
    XTSTATUS Status = STATUS_SUCCESS, Result = STATUS_SUCCESS;
    POBJECT_HEADER Header, Found = NULL;
    ACCESS_MASK Access = 0;
    ULONG Attributes;

    KeCheckRunLevelLimit(PASSIVE_LEVEL, __builtin_return_address(0));
    if (ReferencedObject != NULL) {
        *ReferencedObject = NULL;
    }
    if (Handle != NULL) {
        *Handle = NULL;
    }
    if (Object == NULL || !(OBJECT_TO_OBJECT_HEADER(Object)->Flags & OB_FLAG_NEW_OBJECT)) {
        return STATUS_INVALID_PARAMETER; /* not a new object: nothing is consumed */
    }
    ObpProcessDeferredDeletesIfAny();
    Header = OBJECT_TO_OBJECT_HEADER(Object);
    Attributes = (ULONG)Header->CreateAttributes;
    Header->NextToFree = NULL;
    __atomic_and_fetch(&Header->Flags, (UCHAR)~OB_FLAG_NEW_OBJECT, __ATOMIC_SEQ_CST);
    if (Handle != NULL) {
        Status = ObpMapDesiredAccess(Header->Type, DesiredAccess, &Access);
    }
    if (Status == STATUS_SUCCESS && Header->NameInfoOffset != 0) {
        UNICODE_STRING Name = OBJECT_HEADER_TO_NAME_INFO(Header)->Name;

        Status = ObpLookupObjectName(NULL, &Name, Attributes, Header->Type, NULL, Header, Handle != NULL, &Found);
        if (Status == STATUS_OBJECT_NAME_COLLISION && Found != NULL) {
            ObDereferenceObject(Object); /* OBJ_OPENIF: the new object goes, the existing one is opened */
            Header = Found;
            Object = &Found->Body;
            Status = STATUS_SUCCESS;
            Result = STATUS_OBJECT_NAME_EXISTS;
        }
    } else if (Status == STATUS_SUCCESS && Handle != NULL) {
        __atomic_add_fetch(&Header->HandleCount, 1, __ATOMIC_ACQ_REL);
    }
    if (Status != STATUS_SUCCESS) {
        ObDereferenceObject(Object);
        return Status;
    }
    if (ReferencedObject != NULL) {
        ObReferenceObject(Object);
        *ReferencedObject = Object;
    }
    if (Handle == NULL) {
        ObDereferenceObject(Object); /* the creation reference (a named object keeps the namespace's) */
        return Result;
    }
    if (Table != NULL) {
        Attributes = (Attributes & ~OBJ_KERNEL_HANDLE) | (Table == &ObpKernelHandleTable ? OBJ_KERNEL_HANDLE : 0);
    } else {
        Table = ObpTableForAttributes(Attributes);
    }
    Status = ObpCreateHandle(Table, Header, Access, Attributes & (OB_HANDLE_ATTRIBUTES | OBJ_KERNEL_HANDLE),
                             Result == STATUS_SUCCESS ? ObCreateHandle : ObOpenHandle, Handle);
    if (Status != STATUS_SUCCESS && ReferencedObject != NULL) {
        ObDereferenceObject(*ReferencedObject);
        *ReferencedObject = NULL;
    }
    return Status == STATUS_SUCCESS ? Result : Status;
}

XTSTATUS ObInsertObject(PVOID Object, ACCESS_MASK DesiredAccess, PVOID *ReferencedObject, PHANDLE Handle) {
    return ObpInsertObject(NULL, Object, DesiredAccess, ReferencedObject, Handle);
}

XTSTATUS ObInsertObjectInTable(PEX_HANDLE_TABLE Table, PVOID Object, ACCESS_MASK DesiredAccess, PVOID *ReferencedObject,
                               PHANDLE Handle) {
    if (Table == NULL) {
        if (Object != NULL && (OBJECT_TO_OBJECT_HEADER(Object)->Flags & OB_FLAG_NEW_OBJECT)) {
            ObDereferenceObject(Object); /* consumed, as every failure of ObInsertObject consumes it */
        }
        return STATUS_INVALID_PARAMETER;
    }
    return ObpInsertObject(Table, Object, DesiredAccess, ReferencedObject, Handle);
}

/* The body of both references by handle, inlined into each (the benchmarked path). */
XTFORCEINLINE XTSTATUS ObpReferenceByHandle(PEX_HANDLE_TABLE Table, HANDLE Handle, ACCESS_MASK DesiredAccess,
                                            POBJECT_TYPE Type, PVOID *Object,
                                            POBJECT_HANDLE_INFORMATION HandleInformation) {
    PEX_HANDLE_TABLE_ENTRY Entry = ExMapHandleToEntry(Table, Handle);
    POBJECT_HEADER Header;

    if (Entry == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    Header = (POBJECT_HEADER)(Entry->Object & ~EX_HANDLE_ENTRY_LOCKED);
    if (Type != NULL && Header->Type != Type) {
        ExUnlockHandleTableEntry(Table, Entry);
        return STATUS_OBJECT_TYPE_MISMATCH;
    }
    if (__builtin_expect((DesiredAccess & (GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL)) != 0, 0)) {
        const GENERIC_MAPPING *Mapping = &Header->Type->TypeInfo.GenericMapping;

        DesiredAccess = (DesiredAccess & ~(GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL)) |
                        ((DesiredAccess & GENERIC_READ) ? Mapping->GenericRead : 0) |
                        ((DesiredAccess & GENERIC_WRITE) ? Mapping->GenericWrite : 0) |
                        ((DesiredAccess & GENERIC_EXECUTE) ? Mapping->GenericExecute : 0) |
                        ((DesiredAccess & GENERIC_ALL) ? Mapping->GenericAll : 0);
    }
    if ((DesiredAccess & ~(Entry->GrantedAccess | MAXIMUM_ALLOWED)) != 0) {
        ExUnlockHandleTableEntry(Table, Entry);
        return STATUS_ACCESS_DENIED;
    }
    __atomic_add_fetch(&Header->PointerCount, 1, __ATOMIC_RELAXED);
    if (HandleInformation != NULL) {
        HandleInformation->GrantedAccess = Entry->GrantedAccess;
        HandleInformation->HandleAttributes = ObpFromExAttributes(Entry->Attributes);
    }
    ExUnlockHandleTableEntry(Table, Entry);
    *Object = &Header->Body;
    return STATUS_SUCCESS;
}

XTSTATUS ObpReferenceObjectByHandle(PEX_HANDLE_TABLE Table, HANDLE Handle, ACCESS_MASK DesiredAccess, POBJECT_TYPE Type,
                                    PVOID *Object, POBJECT_HANDLE_INFORMATION HandleInformation) {
    return ObpReferenceByHandle(Table, Handle, DesiredAccess, Type, Object, HandleInformation);
}

/* The general reference by handle: argument checks, generic rights, handle information, contended entries. */
__attribute__((noinline)) static XTSTATUS ObpReferenceObjectByHandleSlow(HANDLE Handle, ACCESS_MASK DesiredAccess,
                                                                         POBJECT_TYPE Type, PVOID *Object,
                                                                         POBJECT_HANDLE_INFORMATION HandleInformation,
                                                                         PVOID Caller) {
    PEX_HANDLE_TABLE Table;
    HANDLE Value;

    KeCheckRunLevelLimit(DISPATCH_LEVEL, Caller);
    if (Object == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    *Object = NULL;
    Table = ObpResolveHandleInline(Handle, &Value);
    return ObpReferenceByHandle(Table, Value, DesiredAccess, Type, Object, HandleInformation);
}

/* The fast path's lookup in Table (Value without OB_KERNEL_HANDLE_FLAG): TRUE with the object referenced in *Object
 * for an uncontended entry of a valid handle of Type whose access covers DesiredAccess (no generic rights); FALSE,
 * with nothing changed, for anything else (the general path then decides from scratch). */
XTFORCEINLINE BOOLEAN ObpReferenceByHandleFast(PEX_HANDLE_TABLE Table, ULONG_PTR Value, ACCESS_MASK DesiredAccess,
                                               POBJECT_TYPE Type, PVOID *Object) {
    ULONG Index = (ULONG)(Value >> EX_HANDLE_INDEX_SHIFT) & EX_HANDLE_MAXIMUM_INDEX;
    ULONG Page = Index / EX_HANDLE_ENTRIES_PER_PAGE;
    ULONG Sequence = (ULONG)(Value >> EX_HANDLE_SEQUENCE_SHIFT); /* bit 31 and above are zero past the check below */
    PEX_HANDLE_TABLE_ENTRY Slot;
    ULONG_PTR Code, Entry;

    if (__builtin_expect((Value >> 31) != 0 || Index % EX_HANDLE_ENTRIES_PER_PAGE == 0, 0)) {
        return FALSE;
    }
    if (__builtin_expect(__atomic_fetch_add(&Table->Readers, 1, __ATOMIC_SEQ_CST) & EX_HANDLE_TABLE_SHRINKING, 0)) {
        goto Leave; /* a shrink is freeing pages: the general path waits for it */
    }
    if (__builtin_expect(Page >= __atomic_load_n(&Table->PageCount, __ATOMIC_ACQUIRE), 0)) {
        goto Leave;
    }
    Code = __atomic_load_n(&Table->TableCode, __ATOMIC_ACQUIRE);
    Slot = &ExpLocatePage(Code, Page)[Index % EX_HANDLE_ENTRIES_PER_PAGE];
    Entry = __atomic_load_n(&Slot->Object, __ATOMIC_RELAXED);
    if (__builtin_expect(Entry == 0 || (Entry & EX_HANDLE_ENTRY_LOCKED) != 0 ||
                             !__atomic_compare_exchange_n(&Slot->Object, &Entry, Entry | EX_HANDLE_ENTRY_LOCKED, FALSE,
                                                          __ATOMIC_ACQUIRE, __ATOMIC_RELAXED),
                         0)) {
        goto Leave;
    }
    if (__builtin_expect(Slot->Sequence != Sequence || (Type != NULL && ((POBJECT_HEADER)Entry)->Type != Type) ||
                             (DesiredAccess & ~Slot->GrantedAccess) != 0,
                         0)) {
        __atomic_store_n(&Slot->Object, Entry, __ATOMIC_RELEASE);
        goto Leave;
    }
    __atomic_add_fetch(&((POBJECT_HEADER)Entry)->PointerCount, 1, __ATOMIC_RELAXED);
    __atomic_store_n(&Slot->Object, Entry, __ATOMIC_RELEASE);
    __atomic_fetch_sub(&Table->Readers, 1, __ATOMIC_RELEASE);
    *Object = &((POBJECT_HEADER)Entry)->Body;
    return TRUE;
Leave:
    __atomic_fetch_sub(&Table->Readers, 1, __ATOMIC_RELEASE);
    return FALSE;
}

/* The fast path for a handle of the current process's table (no OB_KERNEL_HANDLE_FLAG, Routine registered): the
 * table from the hook (loads, no lock; NULL: the kernel table), then the same lookup. Out of line, so the kernel
 * handles' path keeps its registers. */
__attribute__((noinline)) static XTSTATUS
ObpReferenceObjectByHandleInProcess(HANDLE Handle, ACCESS_MASK DesiredAccess, POBJECT_TYPE Type, PVOID *Object,
                                    POBJECT_HANDLE_INFORMATION HandleInformation,
                                    OB_PROCESS_HANDLE_TABLE_ROUTINE Routine, PVOID Caller) {
    PEX_HANDLE_TABLE Table;

    if (__builtin_expect(KeGetCurrentRunLevel() <= DISPATCH_LEVEL && Object != NULL && HandleInformation == NULL, 1)) {
        Table = Routine(NULL);
        if (ObpReferenceByHandleFast(Table != NULL ? Table : &ObpKernelHandleTable, (ULONG_PTR)Handle, DesiredAccess,
                                     Type, Object)) {
            return STATUS_SUCCESS;
        }
    }
    return ObpReferenceObjectByHandleSlow(Handle, DesiredAccess, Type, Object, HandleInformation, Caller);
}

/* The common case without a call into the general path: an uncontended entry of a valid handle whose access covers
 * DesiredAccess (no generic rights), no handle information asked for; a kernel handle inline, a process-table handle
 * out of line (ObpReferenceObjectByHandleInProcess). Anything else (including every error) goes to the general path,
 * which decides again from scratch. */
XTSTATUS ObReferenceObjectByHandle(HANDLE Handle, ACCESS_MASK DesiredAccess, POBJECT_TYPE Type, KPROCESSOR_MODE Mode,
                                   PVOID *Object, POBJECT_HANDLE_INFORMATION HandleInformation) {
    ULONG_PTR Value = (ULONG_PTR)Handle;
    OB_PROCESS_HANDLE_TABLE_ROUTINE Routine;

    (VOID) Mode;
    if (__builtin_expect((Value & OB_KERNEL_HANDLE_FLAG) == OB_KERNEL_HANDLE_FLAG, 1)) {
        Value &= ~OB_KERNEL_HANDLE_FLAG;
    } else if ((Routine = __atomic_load_n(&ObpProcessHandleTableRoutine, __ATOMIC_ACQUIRE)) != NULL) {
        return ObpReferenceObjectByHandleInProcess(Handle, DesiredAccess, Type, Object, HandleInformation, Routine,
                                                   __builtin_return_address(0));
    }
    if (__builtin_expect(KeGetCurrentRunLevel() > DISPATCH_LEVEL || Object == NULL || HandleInformation != NULL, 0) ||
        !__builtin_expect(ObpReferenceByHandleFast(&ObpKernelHandleTable, Value, DesiredAccess, Type, Object), 1)) {
        return ObpReferenceObjectByHandleSlow(Handle, DesiredAccess, Type, Object, HandleInformation,
                                              __builtin_return_address(0));
    }
    return STATUS_SUCCESS;
}

XTSTATUS ObpCloseHandle(PEX_HANDLE_TABLE Table, HANDLE Handle) {
    ACCESS_MASK Access;
    PVOID Object;
    XTSTATUS Status = ExDestroyHandle(Table, Handle, &Object, &Access);

    if (Status != STATUS_SUCCESS) {
        return Status;
    }
    __atomic_sub_fetch(&((POBJECT_HEADER)Object)->Type->TotalNumberOfHandles, 1, __ATOMIC_RELAXED);
    ObpDecrementHandleCount(Object, Access, FALSE);
    ObDereferenceObject(&((POBJECT_HEADER)Object)->Body);
    return STATUS_SUCCESS;
}

XTSTATUS ObReferenceObjectByHandleInTable(PEX_HANDLE_TABLE Table, HANDLE Handle, ACCESS_MASK DesiredAccess,
                                          POBJECT_TYPE Type, PVOID *Object,
                                          POBJECT_HANDLE_INFORMATION HandleInformation) {
    KeCheckRunLevelLimit(DISPATCH_LEVEL, __builtin_return_address(0));
    if (Object == NULL || Table == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    *Object = NULL;
    return ObpReferenceByHandle(Table, ObpTableHandleValue(Table, Handle), DesiredAccess, Type, Object,
                                HandleInformation);
}

XTSTATUS ObCloseHandleInTable(PEX_HANDLE_TABLE Table, HANDLE Handle) {
    XTSTATUS Status;

    KeCheckRunLevelLimit(PASSIVE_LEVEL, __builtin_return_address(0));
    if (Table == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    Status = ObpCloseHandle(Table, ObpTableHandleValue(Table, Handle));
    ObpProcessDeferredDeletesIfAny();
    return Status;
}

XTSTATUS ObCloseHandle(HANDLE Handle, KPROCESSOR_MODE Mode) {
    PEX_HANDLE_TABLE Table;
    XTSTATUS Status;
    HANDLE Value;

    (VOID) Mode;
    KeCheckRunLevelLimit(PASSIVE_LEVEL, __builtin_return_address(0));
    Table = ObpResolveHandle(Handle, &Value);
    Status = ObpCloseHandle(Table, Value);
    ObpProcessDeferredDeletesIfAny();
    return Status;
}

XTSTATUS NtClose(HANDLE Handle) {
    return ObCloseHandle(Handle, KernelMode);
}

XTSTATUS ObSetHandleAttributes(HANDLE Handle, ULONG Attributes) {
    PEX_HANDLE_TABLE Table;
    PEX_HANDLE_TABLE_ENTRY Entry;
    HANDLE Value;

    if ((Attributes & ~OB_HANDLE_ATTRIBUTES) != 0) {
        return STATUS_INVALID_PARAMETER;
    }
    Table = ObpResolveHandle(Handle, &Value);
    Entry = ExMapHandleToEntry(Table, Value);
    if (Entry == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    Entry->Attributes = (USHORT)ObpToExAttributes(Attributes);
    ExUnlockHandleTableEntry(Table, Entry);
    return STATUS_SUCCESS;
}
