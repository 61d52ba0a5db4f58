/* The namespace: directories (37 buckets, case-insensitive counted names), symbolic links, the parse loop of name
 * lookups and the name check that removes a temporary object's name with its last handle. One lock covers it all:
 * ObpNamespaceLock, an in-stack queued spin lock (DISPATCH_LEVEL), never held across a type procedure. */
#include "obp.h"

KSPIN_LOCK ObpNamespaceLock;

/* The entry named Component in Directory, or NULL; *Bucket receives its bucket. Under the namespace lock. */
static POBJECT_HEADER ObpFindEntry(POBJECT_DIRECTORY Directory, PCUNICODE_STRING Component, PULONG Bucket) {
    POBJECT_HEADER Header;

    *Bucket = ObpHashComponent(Component);
    for (Header = Directory->HashBuckets[*Bucket]; Header != NULL;
         Header = OBJECT_HEADER_TO_NAME_INFO(Header)->ChainLink) {
        if (RtlEqualUnicodeString(&OBJECT_HEADER_TO_NAME_INFO(Header)->Name, Component, TRUE)) {
            return Header;
        }
    }
    return NULL;
}

/* Gives Insert the name Component in Directory's Bucket: the namespace references Insert and Directory. Under the
 * namespace lock. */
static XTSTATUS ObpInsertEntry(POBJECT_DIRECTORY Directory, ULONG Bucket, PCUNICODE_STRING Component,
                               POBJECT_HEADER Insert) {
    POBJECT_HEADER_NAME_INFO NameInfo = OBJECT_HEADER_TO_NAME_INFO(Insert);

    if (Component->Length <= NameInfo->Name.MaximumLength) {
        RtlMoveMemory(NameInfo->Name.Buffer, Component->Buffer, Component->Length); /* may overlap: the capture */
    } else {
        PWCHAR Buffer = ObpAllocatePool(Component->Length, OB_TAG_NAME);

        if (Buffer == NULL) {
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        RtlCopyMemory(Buffer, Component->Buffer, Component->Length);
        NameInfo->Name.Buffer = Buffer;
        NameInfo->Name.MaximumLength = Component->Length;
        Insert->InfoFlags |= OB_INFO_NAME_ALLOCATED;
    }
    NameInfo->Name.Length = Component->Length;
    NameInfo->ChainLink = Directory->HashBuckets[Bucket];
    NameInfo->Directory = Directory;
    Directory->HashBuckets[Bucket] = Insert;
    Directory->EntryCount++;
    ObReferenceObject(Directory);
    ObReferenceObject(&Insert->Body);
    __atomic_or_fetch(&Insert->Flags, OB_FLAG_IN_DIRECTORY, __ATOMIC_SEQ_CST);
    return STATUS_SUCCESS;
}

VOID ObpDeleteNameCheck(POBJECT_HEADER Header) {
    POBJECT_HEADER_NAME_INFO NameInfo = OBJECT_HEADER_TO_NAME_INFO(Header);
    POBJECT_DIRECTORY Directory = NULL;
    KLOCK_QUEUE_HANDLE LockHandle;
    POBJECT_HEADER *Link;

    if (NameInfo == NULL || !(__atomic_load_n(&Header->Flags, __ATOMIC_ACQUIRE) & OB_FLAG_IN_DIRECTORY)) {
        return;
    }
    KeAcquireInStackQueuedSpinLock(&ObpNamespaceLock, &LockHandle);
    if ((Header->Flags & (OB_FLAG_IN_DIRECTORY | OB_FLAG_PERMANENT_OBJECT)) == OB_FLAG_IN_DIRECTORY &&
        __atomic_load_n(&Header->HandleCount, __ATOMIC_ACQUIRE) == 0) {
        Directory = NameInfo->Directory;
        Link = &Directory->HashBuckets[ObpHashComponent(&NameInfo->Name)];
        while (*Link != Header) {
            Link = &OBJECT_HEADER_TO_NAME_INFO(*Link)->ChainLink;
        }
        *Link = NameInfo->ChainLink;
        Directory->EntryCount--;
        NameInfo->ChainLink = NULL;
        NameInfo->Directory = NULL;
        __atomic_and_fetch(&Header->Flags, (UCHAR)~OB_FLAG_IN_DIRECTORY, __ATOMIC_SEQ_CST);
    }
    KeReleaseInStackQueuedSpinLock(&LockHandle);
    if (Directory != NULL) {
        ObDereferenceObject(Directory);
        ObDereferenceObject(&Header->Body);
    }
}

/* Checks a name relative to a root directory: like a full path without its leading backslash (which is
 * STATUS_OBJECT_PATH_SYNTAX_BAD here); empty names the root directory itself. */
static XTSTATUS ObpValidateRelativePath(PCUNICODE_STRING Path) {
    SIZE_T Count;

    if ((Path->Length & 1) != 0 || Path->Length > Path->MaximumLength || (Path->Length != 0 && Path->Buffer == NULL)) {
        return STATUS_OBJECT_NAME_INVALID;
    }
    Count = Path->Length / sizeof(WCHAR);
    if (Count != 0 && Path->Buffer[0] == OBJ_NAME_PATH_SEPARATOR) {
        return STATUS_OBJECT_PATH_SYNTAX_BAD;
    }
    for (SIZE_T Index = 0; Index < Count; Index++) {
        if (Path->Buffer[Index] == 0 || (Path->Buffer[Index] == OBJ_NAME_PATH_SEPARATOR &&
                                         (Index + 1 == Count || Path->Buffer[Index + 1] == OBJ_NAME_PATH_SEPARATOR))) {
            return STATUS_OBJECT_NAME_INVALID;
        }
    }
    return STATUS_SUCCESS;
}

/* What a lookup that reached an existing object at its last component returns. Under the namespace lock. */
static POBJECT_HEADER ObpTakeFoundObject(POBJECT_HEADER Object, ULONG Attributes, POBJECT_TYPE Type,
                                         POBJECT_HEADER Insert, BOOLEAN CountHandle, XTSTATUS *Status) {
    *Status = STATUS_SUCCESS;
    if (Insert != NULL) {
        *Status = STATUS_OBJECT_NAME_COLLISION;
        if (!(Attributes & OBJ_OPENIF)) {
            return NULL;
        }
    }
    if (Type != NULL && Object->Type != Type) {
        *Status = STATUS_OBJECT_TYPE_MISMATCH;
        return NULL;
    }
    ObReferenceObject(&Object->Body);
    if (CountHandle) {
        __atomic_add_fetch(&Object->HandleCount, 1, __ATOMIC_ACQ_REL);
    }
    return Object;
}

/* Calls Object's parse procedure with the namespace lock released (Object referenced meanwhile): STATUS_REPARSE with
 * *Complete replaced, or the object it found, referenced (and its handle counted with CountHandle); for an Insert,
 * an object found is a collision as in ObpTakeFoundObject. */
static XTSTATUS ObpCallParse(POBJECT_HEADER Object, PUNICODE_STRING Complete, PUNICODE_STRING Remaining,
                             ULONG Attributes, POBJECT_TYPE Type, PVOID ParseContext, POBJECT_HEADER Insert,
                             BOOLEAN CountHandle, POBJECT_HEADER *Found) {
    XTSTATUS Status, Result = STATUS_SUCCESS;
    PVOID Target = NULL;

    Status = Object->Type->TypeInfo.ParseProcedure(&Object->Body, Type, Attributes, Complete, Remaining, ParseContext,
                                                   &Target);
    ObDereferenceObject(&Object->Body);
    if (Status == STATUS_REPARSE || !XT_SUCCESS(Status)) {
        return Status;
    }
    if (Target == NULL) {
        return STATUS_OBJECT_NAME_NOT_FOUND;
    }
    if (Insert != NULL) {
        Result = STATUS_OBJECT_NAME_COLLISION;
        if (!(Attributes & OBJ_OPENIF)) {
            ObDereferenceObject(Target);
            return Result;
        }
    }
    if (Type != NULL && OBJECT_TO_OBJECT_HEADER(Target)->Type != Type) {
        ObDereferenceObject(Target);
        return STATUS_OBJECT_TYPE_MISMATCH;
    }
    if (CountHandle) {
        __atomic_add_fetch(&OBJECT_TO_OBJECT_HEADER(Target)->HandleCount, 1, __ATOMIC_ACQ_REL);
    }
    *Found = OBJECT_TO_OBJECT_HEADER(Target);
    return Result;
}

/* One pass of a lookup over *Complete from Directory: one component per directory, under the namespace lock. */
static XTSTATUS ObpWalkName(POBJECT_DIRECTORY Directory, PUNICODE_STRING Complete, ULONG Attributes, POBJECT_TYPE Type,
                            PVOID ParseContext, POBJECT_HEADER Insert, BOOLEAN CountHandle, POBJECT_HEADER *Found) {
    UNICODE_STRING Remaining = *Complete, Component;
    POBJECT_HEADER Object = OBJECT_TO_OBJECT_HEADER(Directory);
    KLOCK_QUEUE_HANDLE LockHandle;
    XTSTATUS Status = STATUS_SUCCESS;
    ULONG Bucket;

    KeAcquireInStackQueuedSpinLock(&ObpNamespaceLock, &LockHandle);
    while (ObpGetNextComponent(&Remaining, &Component)) {
        Object = ObpFindEntry(Directory, &Component, &Bucket);
        if (Object == NULL) {
            Status = Remaining.Length != 0 ? STATUS_OBJECT_PATH_NOT_FOUND
                     : Insert == NULL      ? STATUS_OBJECT_NAME_NOT_FOUND
                                           : ObpInsertEntry(Directory, Bucket, &Component, Insert);
            if (Status == STATUS_SUCCESS && CountHandle) {
                __atomic_add_fetch(&Insert->HandleCount, 1, __ATOMIC_ACQ_REL);
            }
            KeReleaseInStackQueuedSpinLock(&LockHandle);
            *Found = Status == STATUS_SUCCESS ? Insert : NULL;
            return Status;
        }
        if (Object->Type->TypeInfo.ParseProcedure != NULL &&
            (Insert == NULL || Object->Type == ObpSymbolicLinkObjectType)) {
            ObReferenceObject(&Object->Body);
            KeReleaseInStackQueuedSpinLock(&LockHandle);
            return ObpCallParse(Object, Complete, &Remaining, Attributes, Type, ParseContext, Insert, CountHandle,
                                Found);
        }
        if (Remaining.Length == 0) {
            break;
        }
        if (Object->Type != ObpDirectoryObjectType) {
            KeReleaseInStackQueuedSpinLock(&LockHandle);
            return STATUS_OBJECT_TYPE_MISMATCH;
        }
        Directory = (POBJECT_DIRECTORY)&Object->Body;
    }
    *Found = ObpTakeFoundObject(Object, Attributes, Type, Insert, CountHandle, &Status);
    KeReleaseInStackQueuedSpinLock(&LockHandle);
    return Status;
}

XTSTATUS ObpLookupObjectName(POBJECT_DIRECTORY Root, PCUNICODE_STRING Name, ULONG Attributes, POBJECT_TYPE Type,
                             PVOID ParseContext, POBJECT_HEADER Insert, BOOLEAN CountHandle, POBJECT_HEADER *Found) {
    UNICODE_STRING Complete = *Name;
    PWCHAR Owned = NULL, Before;
    ULONG Reparses = 0;
    XTSTATUS Status;

    *Found = NULL;
    for (;;) {
        Status = Root != NULL ? ObpValidateRelativePath(&Complete) : ObpValidateObjectPath(&Complete);
        if (Status != STATUS_SUCCESS) {
            break;
        }
        Before = Complete.Buffer;
        Status = ObpWalkName(Root != NULL ? Root : ObpRootDirectoryObject, &Complete, Attributes, Type, ParseContext,
                             Insert, CountHandle, Found);
        if (Complete.Buffer != Before) {
            if (Owned != NULL) {
                ObpFreePool(Owned, OB_TAG_REPARSE);
            }
            Owned = Complete.Buffer; /* a parse procedure's new name (ObAllocateReparseName) */
        }
        if (Status != STATUS_REPARSE) {
            break;
        }
        __atomic_add_fetch(&ObpStatistics.Reparses, 1, __ATOMIC_RELAXED);
        if (++Reparses >= OB_MAX_REPARSE_ATTEMPTS) {
            Status = STATUS_OBJECT_NAME_NOT_FOUND; /* NT's answer to a symbolic-link loop */
            break;
        }
        Root = NULL; /* a reparsed name is a full path */
    }
    if (Owned != NULL) {
        ObpFreePool(Owned, OB_TAG_REPARSE);
    }
    return Status;
}

PWCHAR ObAllocateReparseName(SIZE_T Bytes) {
    return ObpAllocatePool(Bytes != 0 ? Bytes : sizeof(WCHAR), OB_TAG_REPARSE);
}

XTSTATUS ObpParseSymbolicLink(PVOID ParseObject, POBJECT_TYPE ObjectType, ULONG Attributes,
                              PUNICODE_STRING CompleteName, PUNICODE_STRING RemainingName, PVOID Context,
                              PVOID *Object) {
    POBJECT_SYMBOLIC_LINK Link = ParseObject;
    SIZE_T Bytes = (SIZE_T)Link->LinkTarget.Length + RemainingName->Length;
    PWCHAR Buffer;
    XTSTATUS Status;

    (VOID) Attributes;
    (VOID) Context;
    *Object = NULL;
    if (RemainingName->Length == 0 && ObjectType == ObpSymbolicLinkObjectType) {
        ObReferenceObject(ParseObject); /* opening the link itself (NT's rule) */
        *Object = ParseObject;
        return STATUS_SUCCESS;
    }
    if (Bytes > RTL_MAX_UNICODE_LENGTH) {
        return STATUS_NAME_TOO_LONG;
    }
    Buffer = ObAllocateReparseName(Bytes);
    if (Buffer == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    Status = ObpBuildReparsePath(&Link->LinkTarget, RemainingName, Buffer, Bytes, CompleteName);
    if (Status != STATUS_SUCCESS) {
        ObpFreePool(Buffer, OB_TAG_REPARSE);
        return Status;
    }
    return STATUS_REPARSE;
}

XTSTATUS ObReferenceObjectByName(PUNICODE_STRING Name, ULONG Attributes, PVOID AccessState, ACCESS_MASK DesiredAccess,
                                 POBJECT_TYPE Type, KPROCESSOR_MODE Mode, PVOID ParseContext, PVOID *Object) {
    POBJECT_HEADER Found;
    XTSTATUS Status;

    KeCheckRunLevelLimit(PASSIVE_LEVEL, __builtin_return_address(0));
    (VOID) AccessState;
    (VOID) DesiredAccess;
    (VOID) Mode;
    if (Object == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    *Object = NULL;
    if (Name == NULL) {
        return STATUS_OBJECT_NAME_INVALID;
    }
    ObpProcessDeferredDeletesIfAny();
    Status = ObpLookupObjectName(NULL, Name, Attributes & ~OBJ_OPENIF, Type, ParseContext, NULL, FALSE, &Found);
    if (Status == STATUS_SUCCESS) {
        *Object = &Found->Body;
    }
    return Status;
}

/* The length in bytes of Header's full name (0: unnamed); under the namespace lock. */
static SIZE_T ObpFullNameLength(POBJECT_HEADER Header) {
    SIZE_T Length = 0;

    if (Header == OBJECT_TO_OBJECT_HEADER(ObpRootDirectoryObject)) {
        return sizeof(WCHAR);
    }
    while (Header->NameInfoOffset != 0 && (Header->Flags & OB_FLAG_IN_DIRECTORY)) {
        Length += sizeof(WCHAR) + OBJECT_HEADER_TO_NAME_INFO(Header)->Name.Length;
        Header = OBJECT_TO_OBJECT_HEADER(OBJECT_HEADER_TO_NAME_INFO(Header)->Directory);
    }
    return Length;
}

XTSTATUS ObpQueryNameString(POBJECT_HEADER Header, POBJECT_NAME_INFORMATION Information, ULONG Length,
                            PULONG ReturnLength) {
    KLOCK_QUEUE_HANDLE LockHandle;
    SIZE_T NameLength, Total;
    PWCHAR Cursor;

    KeAcquireInStackQueuedSpinLock(&ObpNamespaceLock, &LockHandle);
    NameLength = ObpFullNameLength(Header);
    Total = sizeof(OBJECT_NAME_INFORMATION) + NameLength + (NameLength != 0 ? sizeof(WCHAR) : 0);
    if (ReturnLength != NULL) {
        *ReturnLength = (ULONG)Total;
    }
    if (Length < Total || NameLength > RTL_MAX_UNICODE_LENGTH) {
        KeReleaseInStackQueuedSpinLock(&LockHandle);
        return STATUS_INFO_LENGTH_MISMATCH;
    }
    Information->Name.Length = (USHORT)NameLength;
    Information->Name.MaximumLength = (USHORT)(NameLength != 0 ? NameLength + sizeof(WCHAR) : 0);
    Information->Name.Buffer = NameLength != 0 ? (PWCHAR)(Information + 1) : NULL;
    if (NameLength != 0) {
        Cursor = (PWCHAR)((PUCHAR)(Information + 1) + NameLength);
        *Cursor = 0;
        if (Header == OBJECT_TO_OBJECT_HEADER(ObpRootDirectoryObject)) {
            *--Cursor = OBJ_NAME_PATH_SEPARATOR;
        }
        while (Header->NameInfoOffset != 0 && (Header->Flags & OB_FLAG_IN_DIRECTORY)) {
            POBJECT_HEADER_NAME_INFO NameInfo = OBJECT_HEADER_TO_NAME_INFO(Header);

            Cursor -= NameInfo->Name.Length / sizeof(WCHAR);
            RtlCopyMemory(Cursor, NameInfo->Name.Buffer, NameInfo->Name.Length);
            *--Cursor = OBJ_NAME_PATH_SEPARATOR;
            Header = OBJECT_TO_OBJECT_HEADER(NameInfo->Directory);
        }
    }
    KeReleaseInStackQueuedSpinLock(&LockHandle);
    return STATUS_SUCCESS;
}
