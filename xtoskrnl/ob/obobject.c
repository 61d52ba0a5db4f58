/* Objects: allocation with their header and optional parts, references, deletion (at PASSIVE_LEVEL, or deferred
 * when the last reference drops above it), permanent and temporary objects. docs/objects.md. */
#include "obp.h"

OB_STATISTICS ObpStatistics;

/* Objects whose last reference dropped above PASSIVE_LEVEL, linked through NextToFree (pushed lock-free, taken all at
 * once by ObProcessDeferredDeletes). */
static POBJECT_HEADER volatile ObpDeferredDeleteList;
static volatile LONG ObpDeferredDeleteCount;
static volatile OBP_DEFERRED_DELETE_NOTIFY ObpDeferredDeleteNotify;

OBP_DEFERRED_DELETE_NOTIFY ObpSetDeferredDeleteNotify(OBP_DEFERRED_DELETE_NOTIFY Routine) {
    return __atomic_exchange_n(&ObpDeferredDeleteNotify, Routine, __ATOMIC_ACQ_REL);
}

/* The start of the pool block holding Header. */
static PVOID ObpHeaderBlock(POBJECT_HEADER Header) {
    ULONG Back =
        Header->NameInfoOffset > Header->CreatorInfoOffset ? Header->NameInfoOffset : Header->CreatorInfoOffset;

    return (PUCHAR)Header - Back;
}

static VOID ObpRaiseHighWater(LONG volatile *Count, PLONG HighWater) {
    LONG Value = __atomic_add_fetch(Count, 1, __ATOMIC_RELAXED), Seen = __atomic_load_n(HighWater, __ATOMIC_RELAXED);

    while (Value > Seen &&
           !__atomic_compare_exchange_n(HighWater, &Seen, Value, TRUE, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
}

XTSTATUS ObpAllocateObject(POBJECT_TYPE Type, ULONG Tag, ULONG Attributes, PCUNICODE_STRING Name, ULONG BodySize,
                           POBJECT_HEADER *Result) {
    SIZE_T NameSize = Name != NULL ? sizeof(OBJECT_HEADER_NAME_INFO) : 0;
    SIZE_T CreatorSize = Type != NULL && Type->TypeInfo.MaintainTypeList ? sizeof(OBJECT_HEADER_CREATOR_INFO) : 0;
    SIZE_T BodyBytes = ALIGN_UP((SIZE_T)BodySize, sizeof(PVOID));
    SIZE_T Total = NameSize + CreatorSize + FIELD_OFFSET(OBJECT_HEADER, Body) + BodyBytes + (Name ? Name->Length : 0);
    PUCHAR Block;
    POBJECT_HEADER Header;

    if (BodySize > 0x10000000u) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    Block = ObpAllocatePool(Total, Type != NULL ? Type->Key : Tag);
    if (Block == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    RtlZeroMemory(Block, Total);
    Header = (POBJECT_HEADER)(Block + NameSize + CreatorSize);
    Header->PointerCount = 1;
    Header->Type = Type;
    Header->NameInfoOffset = (UCHAR)(NameSize != 0 ? NameSize + CreatorSize : 0); /* 0: no name information */
    Header->CreatorInfoOffset = (UCHAR)CreatorSize;
    Header->Flags = OB_FLAG_NEW_OBJECT | OB_FLAG_KERNEL_OBJECT | (CreatorSize ? OB_FLAG_CREATOR_INFO : 0) |
                    ((Attributes & OBJ_PERMANENT) ? OB_FLAG_PERMANENT_OBJECT : 0) |
                    ((Attributes & OBJ_EXCLUSIVE) ? OB_FLAG_EXCLUSIVE_OBJECT : 0);
    Header->CreateAttributes = Attributes;
    if (Name != NULL) {
        POBJECT_HEADER_NAME_INFO NameInfo = OBJECT_HEADER_TO_NAME_INFO(Header);

        NameInfo->Name.Buffer = (PWCHAR)((PUCHAR)&Header->Body + BodyBytes);
        NameInfo->Name.Length = NameInfo->Name.MaximumLength = Name->Length;
        RtlCopyMemory(NameInfo->Name.Buffer, Name->Buffer, Name->Length);
    }
    if (CreatorSize != 0) {
        POBJECT_HEADER_CREATOR_INFO Creator = OBJECT_HEADER_TO_CREATOR_INFO(Header);
        KLOCK_QUEUE_HANDLE LockHandle;

        KeAcquireInStackQueuedSpinLock(&Type->TypeLock, &LockHandle);
        RtlInsertTailList(&Type->TypeList, &Creator->TypeList);
        KeReleaseInStackQueuedSpinLock(&LockHandle);
    }
    if (Type != NULL) {
        ObpRaiseHighWater(&Type->TotalNumberOfObjects, &Type->HighWaterNumberOfObjects);
        if (Type->TypeInfo.SecurityProcedure != NULL) {
            Type->TypeInfo.SecurityProcedure(&Header->Body, NULL);
        }
    }
    __atomic_add_fetch(&ObpStatistics.ObjectsCreated, 1, __ATOMIC_RELAXED);
    *Result = Header;
    return STATUS_SUCCESS;
}

XTSTATUS ObCreateObject(KPROCESSOR_MODE Mode, POBJECT_TYPE Type, POBJECT_ATTRIBUTES ObjectAttributes, ULONG BodySize,
                        PVOID *Object) {
    PUNICODE_STRING Name = NULL;
    ULONG Attributes = 0;
    POBJECT_HEADER Header;
    XTSTATUS Status;

    KeCheckRunLevelLimit(PASSIVE_LEVEL, __builtin_return_address(0));
    (VOID) Mode;
    if (Object == NULL || Type == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    *Object = NULL;
    ObpProcessDeferredDeletesIfAny();
    if (ObjectAttributes != NULL) {
        Attributes = ObjectAttributes->Attributes;
        if (ObjectAttributes->Length != sizeof(OBJECT_ATTRIBUTES) || (Attributes & ~OBJ_VALID_ATTRIBUTES) != 0 ||
            (Attributes & Type->TypeInfo.InvalidAttributes) != 0 || ObjectAttributes->RootDirectory != NULL) {
            return STATUS_INVALID_PARAMETER;
        }
        Name = ObjectAttributes->ObjectName;
        if (Name != NULL && Name->Length == 0) {
            Name = NULL; /* an empty name: unnamed (NT's rule) */
        }
        if (Name != NULL && (Status = ObpValidateObjectPath(Name)) != STATUS_SUCCESS) {
            return Status;
        }
    }
    Status = ObpAllocateObject(Type, 0, Attributes, Name, BodySize, &Header);
    if (Status == STATUS_SUCCESS) {
        *Object = &Header->Body;
    }
    return Status;
}

VOID ObReferenceObject(PVOID Object) {
    __atomic_add_fetch(&OBJECT_TO_OBJECT_HEADER(Object)->PointerCount, 1, __ATOMIC_RELAXED);
}

XTSTATUS ObReferenceObjectByPointer(PVOID Object, ACCESS_MASK DesiredAccess, POBJECT_TYPE Type, KPROCESSOR_MODE Mode) {
    (VOID) DesiredAccess;
    (VOID) Mode;
    if (Object == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    if (Type != NULL && OBJECT_TO_OBJECT_HEADER(Object)->Type != Type) {
        return STATUS_OBJECT_TYPE_MISMATCH;
    }
    ObReferenceObject(Object);
    return STATUS_SUCCESS;
}

/* Runs the delete procedure and frees the object's memory. PASSIVE_LEVEL. */
static VOID ObpDeleteObject(POBJECT_HEADER Header) {
    POBJECT_TYPE Type = Header->Type;
    POBJECT_HEADER_NAME_INFO NameInfo = OBJECT_HEADER_TO_NAME_INFO(Header);
    POBJECT_HEADER_CREATOR_INFO Creator = OBJECT_HEADER_TO_CREATOR_INFO(Header);

    if (Type->TypeInfo.DeleteProcedure != NULL) {
        Type->TypeInfo.DeleteProcedure(&Header->Body);
    }
    if (Creator != NULL) {
        KLOCK_QUEUE_HANDLE LockHandle;

        KeAcquireInStackQueuedSpinLock(&Type->TypeLock, &LockHandle);
        RtlRemoveEntryList(&Creator->TypeList);
        KeReleaseInStackQueuedSpinLock(&LockHandle);
    }
    if (NameInfo != NULL && (Header->InfoFlags & OB_INFO_NAME_ALLOCATED)) {
        ObpFreePool(NameInfo->Name.Buffer, OB_TAG_NAME);
    }
    __atomic_sub_fetch(&Type->TotalNumberOfObjects, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&ObpStatistics.ObjectsDeleted, 1, __ATOMIC_RELAXED);
    ObpFreePool(ObpHeaderBlock(Header), Type->Key);
}

VOID ObpDereferenceToZero(PVOID Object, LONG_PTR Count, PVOID Caller) {
    POBJECT_HEADER Header = OBJECT_TO_OBJECT_HEADER(Object);
    POBJECT_HEADER Head;

    if (Count < 0) {
        KeBugCheckEx(REFERENCE_BY_POINTER, (ULONG_PTR)Header->Type, (ULONG_PTR)Object, (ULONG_PTR)Count,
                     (ULONG_PTR)Caller);
    }
    if (KeGetCurrentRunLevel() == PASSIVE_LEVEL) {
        ObpDeleteObject(Header);
        ObpProcessDeferredDeletesIfAny();
        return;
    }
    /* Above PASSIVE_LEVEL: the delete procedure may need PASSIVE, and the pool free may not be allowed here. */
    Head = __atomic_load_n(&ObpDeferredDeleteList, __ATOMIC_RELAXED);
    do {
        Header->NextToFree = Head;
    } while (
        !__atomic_compare_exchange_n(&ObpDeferredDeleteList, &Head, Header, TRUE, __ATOMIC_RELEASE, __ATOMIC_RELAXED));
    __atomic_add_fetch(&ObpDeferredDeleteCount, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&ObpStatistics.DeferredDeletes, 1, __ATOMIC_RELAXED);
    if (Head == NULL) {
        OBP_DEFERRED_DELETE_NOTIFY Notify = __atomic_load_n(&ObpDeferredDeleteNotify, __ATOMIC_ACQUIRE);

        if (Notify != NULL) {
            Notify(); /* the list went from empty to not: the worker drains it at PASSIVE_LEVEL */
        }
    }
}

ULONG ObProcessDeferredDeletes(VOID) {
    POBJECT_HEADER Header, Next;
    ULONG Count = 0;

    KeCheckRunLevelLimit(PASSIVE_LEVEL, __builtin_return_address(0));
    while ((Header = __atomic_exchange_n(&ObpDeferredDeleteList, NULL, __ATOMIC_ACQUIRE)) != NULL) {
        for (; Header != NULL; Header = Next) {
            Next = Header->NextToFree;
            __atomic_sub_fetch(&ObpDeferredDeleteCount, 1, __ATOMIC_RELAXED);
            ObpDeleteObject(Header);
            Count++;
        }
    }
    return Count;
}

VOID ObpProcessDeferredDeletesIfAny(VOID) {
    if (__builtin_expect(__atomic_load_n(&ObpDeferredDeleteList, __ATOMIC_RELAXED) != NULL, 0) &&
        KeGetCurrentRunLevel() == PASSIVE_LEVEL) {
        ObProcessDeferredDeletes();
    }
}

ULONG ObQueryDeferredDeleteCount(VOID) {
    return (ULONG)__atomic_load_n(&ObpDeferredDeleteCount, __ATOMIC_RELAXED);
}

VOID ObMakeTemporaryObject(PVOID Object) {
    POBJECT_HEADER Header;

    KeCheckRunLevelLimit(PASSIVE_LEVEL, __builtin_return_address(0));
    if (Object == NULL) {
        return;
    }
    Header = OBJECT_TO_OBJECT_HEADER(Object);
    __atomic_and_fetch(&Header->Flags, (UCHAR)~OB_FLAG_PERMANENT_OBJECT, __ATOMIC_SEQ_CST);
    ObpDeleteNameCheck(Header);
    ObpProcessDeferredDeletesIfAny();
}

XTSTATUS ObpMapDesiredAccess(POBJECT_TYPE Type, ACCESS_MASK Desired, PACCESS_MASK Granted) {
    const GENERIC_MAPPING *Mapping = &Type->TypeInfo.GenericMapping;
    ACCESS_MASK Access = Desired & ~(GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL | MAXIMUM_ALLOWED);

    Access |= (Desired & GENERIC_READ) ? Mapping->GenericRead : 0;
    Access |= (Desired & GENERIC_WRITE) ? Mapping->GenericWrite : 0;
    Access |= (Desired & GENERIC_EXECUTE) ? Mapping->GenericExecute : 0;
    Access |= (Desired & GENERIC_ALL) ? Mapping->GenericAll : 0;
    Access |= (Desired & MAXIMUM_ALLOWED) ? Type->TypeInfo.ValidAccessMask : 0;
    if (Desired == 0) {
        Access = Type->TypeInfo.DefaultAccess;
    }
    if ((Access & ~Type->TypeInfo.ValidAccessMask) != 0) {
        return STATUS_ACCESS_DENIED;
    }
    *Granted = Access;
    return STATUS_SUCCESS;
}

VOID ObQueryStatistics(POB_STATISTICS Statistics) {
    Statistics->ObjectsCreated = __atomic_load_n(&ObpStatistics.ObjectsCreated, __ATOMIC_RELAXED);
    Statistics->ObjectsDeleted = __atomic_load_n(&ObpStatistics.ObjectsDeleted, __ATOMIC_RELAXED);
    Statistics->DeferredDeletes = __atomic_load_n(&ObpStatistics.DeferredDeletes, __ATOMIC_RELAXED);
    Statistics->Reparses = __atomic_load_n(&ObpStatistics.Reparses, __ATOMIC_RELAXED);
}
