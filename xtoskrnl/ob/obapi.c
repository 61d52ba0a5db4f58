/* The Object Manager's native API (kernel callers, kernel handles): open by name, duplicate, query, directories and
 * symbolic links, per-process tables. Every entry point checks its arguments and answers with an NT status. */
#include "obp.h"

XTSTATUS ObOpenObjectByName(POBJECT_ATTRIBUTES ObjectAttributes, POBJECT_TYPE Type, KPROCESSOR_MODE Mode,
                            PVOID AccessState, ACCESS_MASK DesiredAccess, PVOID ParseContext, PHANDLE Handle) {
    PVOID Root = NULL;
    POBJECT_HEADER Found;
    ACCESS_MASK Access;
    XTSTATUS Status;
    ULONG Attributes;

    KeCheckRunLevelLimit(PASSIVE_LEVEL, __builtin_return_address(0));
    (VOID) AccessState;
    if (Handle == NULL || ObjectAttributes == NULL || ObjectAttributes->Length != sizeof(OBJECT_ATTRIBUTES) ||
        (ObjectAttributes->Attributes & ~OBJ_VALID_ATTRIBUTES) != 0) {
        return STATUS_INVALID_PARAMETER;
    }
    *Handle = NULL;
    Attributes = ObjectAttributes->Attributes & ~OBJ_OPENIF;
    if (ObjectAttributes->ObjectName == NULL) {
        return STATUS_OBJECT_NAME_INVALID;
    }
    ObpProcessDeferredDeletesIfAny();
    if (ObjectAttributes->RootDirectory != NULL) {
        Status = ObReferenceObjectByHandle(ObjectAttributes->RootDirectory, DIRECTORY_TRAVERSE, ObpDirectoryObjectType,
                                           Mode, &Root, NULL);
        if (Status != STATUS_SUCCESS) {
            return Status;
        }
    }
    Status =
        ObpLookupObjectName(Root, ObjectAttributes->ObjectName, Attributes, Type, ParseContext, NULL, TRUE, &Found);
    if (Root != NULL) {
        ObDereferenceObject(Root);
    }
    if (Status != STATUS_SUCCESS) {
        return Status;
    }
    Status = ObpMapDesiredAccess(Found->Type, DesiredAccess, &Access);
    if (Status != STATUS_SUCCESS) {
        ObpDecrementHandleCount(Found, 0, TRUE);
        ObDereferenceObject(&Found->Body);
        return Status;
    }
    return ObpCreateHandle(ObpTableForAttributes(Attributes), Found, Access,
                           Attributes & (OB_HANDLE_ATTRIBUTES | OBJ_KERNEL_HANDLE), ObOpenHandle, Handle);
}

/* The duplicate's access and attributes from the source's (DUPLICATE_SAME_*) or the caller's. */
static XTSTATUS ObpDuplicateRights(POBJECT_HEADER Header, PEX_HANDLE_TABLE_ENTRY Entry, BOOLEAN SourceIsKernel,
                                   ACCESS_MASK DesiredAccess, ULONG HandleAttributes, ULONG Options,
                                   PACCESS_MASK Access, PULONG Attributes) {
    XTSTATUS Status = STATUS_SUCCESS;

    *Access = Entry->GrantedAccess;
    if (!(Options & DUPLICATE_SAME_ACCESS)) {
        Status = ObpMapDesiredAccess(Header->Type, DesiredAccess, Access);
        if (Status == STATUS_SUCCESS && (*Access & ~Entry->GrantedAccess) != 0) {
            Status = STATUS_ACCESS_DENIED; /* a duplicate never has more access than its source */
        }
    }
    *Attributes = HandleAttributes;
    if (Options & DUPLICATE_SAME_ATTRIBUTES) {
        *Attributes = ObpFromExAttributes(Entry->Attributes) | (SourceIsKernel ? OBJ_KERNEL_HANDLE : 0);
    }
    return Status;
}

/* The duplicate itself: SourceValue is the source's value within Source; Target NULL only closes the source. */
static XTSTATUS ObpDuplicateObject(PEX_HANDLE_TABLE Source, HANDLE SourceValue, BOOLEAN SourceIsKernel,
                                   PEX_HANDLE_TABLE Target, PHANDLE TargetHandle, ACCESS_MASK DesiredAccess,
                                   ULONG HandleAttributes, ULONG Options) {
    PEX_HANDLE_TABLE_ENTRY Entry;
    POBJECT_HEADER Header;
    ACCESS_MASK Access = 0;
    ULONG Attributes = 0;
    XTSTATUS Status;

    ObpProcessDeferredDeletesIfAny();
    if (Target == NULL) {
        return ObpCloseHandle(Source, SourceValue);
    }
    Entry = ExMapHandleToEntry(Source, SourceValue);
    if (Entry == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    Header = (POBJECT_HEADER)(Entry->Object & ~EX_HANDLE_ENTRY_LOCKED);
    Status = ObpDuplicateRights(Header, Entry, SourceIsKernel, DesiredAccess, HandleAttributes, Options, &Access,
                                &Attributes);
    if (Status == STATUS_SUCCESS) {
        /* The locked source entry keeps the handle count above zero: the name cannot go meanwhile. */
        ObReferenceObject(&Header->Body);
        __atomic_add_fetch(&Header->HandleCount, 1, __ATOMIC_ACQ_REL);
    }
    ExUnlockHandleTableEntry(Source, Entry);
    if (Status == STATUS_SUCCESS) {
        if (Target == (PEX_HANDLE_TABLE)-1) {
            Target = ObpTableForAttributes(Attributes); /* NtDuplicateObject into the current process */
        } else {
            Attributes = (Attributes & ~OBJ_KERNEL_HANDLE) | (Target == &ObpKernelHandleTable ? OBJ_KERNEL_HANDLE : 0);
        }
        Status = ObpCreateHandle(Target, Header, Access, Attributes, ObDuplicateHandle, TargetHandle);
    }
    if (Options & DUPLICATE_CLOSE_SOURCE) {
        ObpCloseHandle(Source, SourceValue); /* NT closes the source whatever became of the duplicate */
    }
    return Status;
}

/* Options, attributes and the target pointer NtDuplicateObject and ObDuplicateObject both check. */
static XTSTATUS ObpCheckDuplicateArguments(BOOLEAN HasTarget, PHANDLE TargetHandle, ULONG HandleAttributes,
                                           ULONG Options) {
    if (TargetHandle != NULL) {
        *TargetHandle = NULL;
    }
    if ((Options & ~(DUPLICATE_CLOSE_SOURCE | DUPLICATE_SAME_ACCESS | DUPLICATE_SAME_ATTRIBUTES)) != 0 ||
        (HandleAttributes & ~(OB_HANDLE_ATTRIBUTES | OBJ_KERNEL_HANDLE)) != 0 || (HasTarget && TargetHandle == NULL) ||
        (!HasTarget && !(Options & DUPLICATE_CLOSE_SOURCE))) {
        return STATUS_INVALID_PARAMETER;
    }
    return STATUS_SUCCESS;
}

XTSTATUS ObDuplicateObject(PEX_HANDLE_TABLE SourceTable, HANDLE SourceHandle, PEX_HANDLE_TABLE TargetTable,
                           PHANDLE TargetHandle, ACCESS_MASK DesiredAccess, ULONG HandleAttributes, ULONG Options) {
    XTSTATUS Status;
    HANDLE Value;

    KeCheckRunLevelLimit(PASSIVE_LEVEL, __builtin_return_address(0));
    Status = ObpCheckDuplicateArguments(TargetTable != NULL, TargetHandle, HandleAttributes, Options);
    if (Status != STATUS_SUCCESS || SourceTable == NULL) {
        return Status != STATUS_SUCCESS ? Status : STATUS_INVALID_PARAMETER;
    }
    Value = ObpTableHandleValue(SourceTable, SourceHandle);
    return ObpDuplicateObject(SourceTable, Value, SourceTable == &ObpKernelHandleTable, TargetTable, TargetHandle,
                              DesiredAccess, HandleAttributes, Options);
}

/* The handle table of the process ProcessHandle names (NtCurrentProcess(): the current one) into *Table, with a
 * reference on the process in *Process (NULL for the current one). STATUS_INVALID_HANDLE without a process hook. */
static XTSTATUS ObpReferenceProcessTable(HANDLE ProcessHandle, PVOID *Process, PEX_HANDLE_TABLE *Table) {
    XTSTATUS Status;

    *Process = NULL;
    if (ProcessHandle == NtCurrentProcess()) {
        *Table = (PEX_HANDLE_TABLE)-1;
        return STATUS_SUCCESS;
    }
    if (ObpProcessObjectType == NULL) {
        return STATUS_INVALID_HANDLE; /* no processes registered yet */
    }
    Status =
        ObReferenceObjectByHandle(ProcessHandle, PROCESS_DUP_HANDLE, ObpProcessObjectType, KernelMode, Process, NULL);
    if (Status == STATUS_SUCCESS) {
        *Table = ObpProcessHandleTable(*Process);
    }
    return Status;
}

XTSTATUS NtDuplicateObject(HANDLE SourceProcessHandle, HANDLE SourceHandle, HANDLE TargetProcessHandle,
                           PHANDLE TargetHandle, ACCESS_MASK DesiredAccess, ULONG HandleAttributes, ULONG Options) {
    PEX_HANDLE_TABLE Source, Target = NULL;
    PVOID SourceProcess, TargetProcess = NULL;
    BOOLEAN SourceIsKernel;
    XTSTATUS Status;
    HANDLE Value;

    KeCheckRunLevelLimit(PASSIVE_LEVEL, __builtin_return_address(0));
    Status = ObpCheckDuplicateArguments(TargetProcessHandle != NULL, TargetHandle, HandleAttributes, Options);
    if (Status != STATUS_SUCCESS) {
        return Status;
    }
    Status = ObpReferenceProcessTable(SourceProcessHandle, &SourceProcess, &Source);
    if (Status == STATUS_SUCCESS && TargetProcessHandle != NULL) {
        Status = ObpReferenceProcessTable(TargetProcessHandle, &TargetProcess, &Target);
    }
    if (Status == STATUS_SUCCESS) {
        if (Source == (PEX_HANDLE_TABLE)-1) {
            Source = ObpResolveHandle(SourceHandle, &Value); /* the current process: kernel handles too */
        } else {
            Value = SourceHandle;
        }
        SourceIsKernel = Source == &ObpKernelHandleTable && Value != SourceHandle;
        Status = ObpDuplicateObject(Source, Value, SourceIsKernel, Target, TargetHandle, DesiredAccess,
                                    HandleAttributes, Options);
    }
    if (SourceProcess != NULL) {
        ObDereferenceObject(SourceProcess);
    }
    if (TargetProcess != NULL) {
        ObDereferenceObject(TargetProcess);
    }
    return Status;
}

/* Fills *Information for the object Header (the handle's access and attributes in *HandleInformation). */
static VOID ObpQueryBasicInformation(POBJECT_HEADER Header, const OBJECT_HANDLE_INFORMATION *HandleInformation,
                                     POBJECT_BASIC_INFORMATION Information) {
    ULONG NameBytes = 0;

    RtlZeroMemory(Information, sizeof(*Information));
    Information->Attributes = HandleInformation->HandleAttributes |
                              ((Header->Flags & OB_FLAG_PERMANENT_OBJECT) ? OBJ_PERMANENT : 0) |
                              ((Header->Flags & OB_FLAG_EXCLUSIVE_OBJECT) ? OBJ_EXCLUSIVE : 0);
    Information->GrantedAccess = HandleInformation->GrantedAccess;
    Information->HandleCount = (ULONG)Header->HandleCount;
    Information->PointerCount = (ULONG)Header->PointerCount - 1; /* without the query's own reference */
    ObpQueryNameString(Header, NULL, 0, &NameBytes);
    Information->NameInfoSize = NameBytes > sizeof(OBJECT_NAME_INFORMATION) ? NameBytes : 0;
}

XTSTATUS NtQueryObject(HANDLE Handle, OBJECT_INFORMATION_CLASS InformationClass, PVOID Information, ULONG Length,
                       PULONG ReturnLength) {
    OBJECT_HANDLE_INFORMATION HandleInformation;
    PVOID Object;
    XTSTATUS Status;

    KeCheckRunLevelLimit(PASSIVE_LEVEL, __builtin_return_address(0));
    if (InformationClass != ObjectBasicInformation && InformationClass != ObjectNameInformation) {
        return STATUS_INVALID_INFO_CLASS;
    }
    if (Information == NULL && Length != 0) {
        return STATUS_INVALID_PARAMETER;
    }
    if (InformationClass == ObjectBasicInformation && Length != sizeof(OBJECT_BASIC_INFORMATION)) {
        if (ReturnLength != NULL) {
            *ReturnLength = sizeof(OBJECT_BASIC_INFORMATION);
        }
        return STATUS_INFO_LENGTH_MISMATCH;
    }
    ObpProcessDeferredDeletesIfAny();
    Status = ObReferenceObjectByHandle(Handle, 0, NULL, KernelMode, &Object, &HandleInformation);
    if (Status != STATUS_SUCCESS) {
        return Status;
    }
    if (InformationClass == ObjectBasicInformation) {
        ObpQueryBasicInformation(OBJECT_TO_OBJECT_HEADER(Object), &HandleInformation, Information);
        if (ReturnLength != NULL) {
            *ReturnLength = sizeof(OBJECT_BASIC_INFORMATION);
        }
    } else {
        Status = ObpQueryNameString(OBJECT_TO_OBJECT_HEADER(Object), Information, Length, ReturnLength);
    }
    ObDereferenceObject(Object);
    return Status;
}

XTSTATUS NtCreateDirectoryObject(PHANDLE DirectoryHandle, ACCESS_MASK DesiredAccess,
                                 POBJECT_ATTRIBUTES ObjectAttributes) {
    PVOID Directory;
    XTSTATUS Status;

    if (DirectoryHandle == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    *DirectoryHandle = NULL;
    Status = ObCreateObject(KernelMode, ObpDirectoryObjectType, ObjectAttributes, sizeof(OBJECT_DIRECTORY), &Directory);
    return Status == STATUS_SUCCESS ? ObInsertObject(Directory, DesiredAccess, NULL, DirectoryHandle) : Status;
}

/* Creates a symbolic link object to LinkTarget (not inserted). */
static XTSTATUS ObpCreateSymbolicLink(POBJECT_ATTRIBUTES ObjectAttributes, PUNICODE_STRING LinkTarget, PVOID *Object) {
    POBJECT_SYMBOLIC_LINK Link;
    XTSTATUS Status;

    if (LinkTarget == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    Status = ObpValidateObjectPath(LinkTarget);
    if (Status != STATUS_SUCCESS) {
        return Status;
    }
    Status = ObCreateObject(KernelMode, ObpSymbolicLinkObjectType, ObjectAttributes,
                            sizeof(OBJECT_SYMBOLIC_LINK) + LinkTarget->Length, (PVOID *)&Link);
    if (Status == STATUS_SUCCESS) {
        Link->LinkTarget.Buffer = (PWCHAR)(Link + 1);
        Link->LinkTarget.Length = Link->LinkTarget.MaximumLength = LinkTarget->Length;
        RtlCopyMemory(Link->LinkTarget.Buffer, LinkTarget->Buffer, LinkTarget->Length);
        *Object = Link;
    }
    return Status;
}

XTSTATUS NtCreateSymbolicLinkObject(PHANDLE LinkHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                                    PUNICODE_STRING LinkTarget) {
    PVOID Link;
    XTSTATUS Status;

    if (LinkHandle == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    *LinkHandle = NULL;
    Status = ObpCreateSymbolicLink(ObjectAttributes, LinkTarget, &Link);
    return Status == STATUS_SUCCESS ? ObInsertObject(Link, DesiredAccess, NULL, LinkHandle) : Status;
}

XTSTATUS NtOpenDirectoryObject(PHANDLE DirectoryHandle, ACCESS_MASK DesiredAccess,
                               POBJECT_ATTRIBUTES ObjectAttributes) {
    return ObOpenObjectByName(ObjectAttributes, ObpDirectoryObjectType, KernelMode, NULL, DesiredAccess, NULL,
                              DirectoryHandle);
}

XTSTATUS NtOpenSymbolicLinkObject(PHANDLE LinkHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes) {
    /* The link's parse procedure returns the link itself when it is the last component and the type asked for. */
    return ObOpenObjectByName(ObjectAttributes, ObpSymbolicLinkObjectType, KernelMode, NULL, DesiredAccess, NULL,
                              LinkHandle);
}

XTSTATUS ObCreateDirectoryObject(PUNICODE_STRING Path, POBJECT_DIRECTORY *Directory) {
    OBJECT_ATTRIBUTES Attributes;
    PVOID Object;
    XTSTATUS Status;

    if (Path == NULL) {
        return STATUS_OBJECT_NAME_INVALID;
    }
    InitializeObjectAttributes(&Attributes, Path, OBJ_PERMANENT | OBJ_CASE_INSENSITIVE, NULL, NULL);
    Status = ObCreateObject(KernelMode, ObpDirectoryObjectType, &Attributes, sizeof(OBJECT_DIRECTORY), &Object);
    if (Status == STATUS_SUCCESS) {
        Status = ObInsertObject(Object, 0, (PVOID *)Directory, NULL);
    }
    return Status;
}

XTSTATUS ObCreateSymbolicLink(PUNICODE_STRING Path, PUNICODE_STRING LinkTarget) {
    OBJECT_ATTRIBUTES Attributes;
    PVOID Link;
    XTSTATUS Status;

    if (Path == NULL) {
        return STATUS_OBJECT_NAME_INVALID;
    }
    InitializeObjectAttributes(&Attributes, Path, OBJ_PERMANENT | OBJ_CASE_INSENSITIVE, NULL, NULL);
    Status = ObpCreateSymbolicLink(&Attributes, LinkTarget, &Link);
    return Status == STATUS_SUCCESS ? ObInsertObject(Link, 0, NULL, NULL) : Status;
}

XTSTATUS ObCreateHandleTable(PEX_HANDLE_TABLE *Table) {
    PEX_HANDLE_TABLE New;
    XTSTATUS Status;

    if (Table == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    *Table = NULL;
    New = ObpAllocatePool(sizeof(EX_HANDLE_TABLE), OB_TAG_TABLE);
    if (New == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    Status = ExInitializeHandleTable(New, &ObpHandleTablePages);
    if (Status != STATUS_SUCCESS) {
        ObpFreePool(New, OB_TAG_TABLE);
        return Status;
    }
    *Table = New;
    return STATUS_SUCCESS;
}

/* ExDestroyHandleTable's routine: closes one handle still open (its object loses a handle and a reference). */
static VOID ObpCloseTableHandle(PVOID Context, HANDLE Handle, PVOID Object, ACCESS_MASK GrantedAccess) {
    (VOID) Context;
    (VOID) Handle;
    __atomic_sub_fetch(&((POBJECT_HEADER)Object)->Type->TotalNumberOfHandles, 1, __ATOMIC_RELAXED);
    ObpDecrementHandleCount(Object, GrantedAccess, FALSE);
    ObDereferenceObject(&((POBJECT_HEADER)Object)->Body);
}

VOID ObDestroyHandleTable(PEX_HANDLE_TABLE Table) {
    KeCheckRunLevelLimit(PASSIVE_LEVEL, __builtin_return_address(0));
    if (Table == NULL || Table == &ObpKernelHandleTable) {
        return;
    }
    ExDestroyHandleTable(Table, ObpCloseTableHandle, NULL);
    ObpFreePool(Table, OB_TAG_TABLE);
}
