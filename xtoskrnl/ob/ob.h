/* The Object Manager (Ob): object types, object headers and lifetimes, the namespace of directories and symbolic
 * links, handles in the executive's handle tables (ex.h), and the executive's dispatcher-backed objects (Event,
 * Semaphore, Mutant, Timer) with their native API. docs/objects.md describes the header layout, the lifetime rules,
 * the namespace, the locks and their RunLevels.*/
#ifndef XTOSKRNL_OB_OB_H
#define XTOSKRNL_OB_OB_H

#include <ex.h>
#include <rtl.h>
#include <xtbase.h>
#include <xtstatus.h>

/* ---- Access rights (NT values) ---- */
#define DELETE                   0x00010000u
#define READ_CONTROL             0x00020000u
#define WRITE_DAC                0x00040000u
#define WRITE_OWNER              0x00080000u
#define SYNCHRONIZE              0x00100000u
#define STANDARD_RIGHTS_REQUIRED 0x000F0000u
#define STANDARD_RIGHTS_ALL      0x001F0000u
#define SPECIFIC_RIGHTS_ALL      0x0000FFFFu
#define ACCESS_SYSTEM_SECURITY   0x01000000u
#define MAXIMUM_ALLOWED          0x02000000u
#define GENERIC_READ             0x80000000u
#define GENERIC_WRITE            0x40000000u
#define GENERIC_EXECUTE          0x20000000u
#define GENERIC_ALL              0x10000000u

#define OBJECT_TYPE_CREATE            0x0001u
#define OBJECT_TYPE_ALL_ACCESS        (STANDARD_RIGHTS_REQUIRED | 0x1u)
#define DIRECTORY_QUERY               0x0001u
#define DIRECTORY_TRAVERSE            0x0002u
#define DIRECTORY_CREATE_OBJECT       0x0004u
#define DIRECTORY_CREATE_SUBDIRECTORY 0x0008u
#define DIRECTORY_ALL_ACCESS          (STANDARD_RIGHTS_REQUIRED | 0xFu)
#define SYMBOLIC_LINK_QUERY           0x0001u
#define SYMBOLIC_LINK_ALL_ACCESS      (STANDARD_RIGHTS_REQUIRED | 0x1u)

typedef struct _GENERIC_MAPPING {
    ACCESS_MASK GenericRead;
    ACCESS_MASK GenericWrite;
    ACCESS_MASK GenericExecute;
    ACCESS_MASK GenericAll;
} GENERIC_MAPPING, *PGENERIC_MAPPING;

/* ---- Object attributes (NT values) ---- */
#define OBJ_PROTECT_CLOSE    0x00000001u /* handle attribute: ObCloseHandle refuses (STATUS_HANDLE_NOT_CLOSABLE) */
#define OBJ_INHERIT          0x00000002u /* handle attribute: inherited by child processes (with processes) */
#define OBJ_PERMANENT        0x00000010u /* the object outlives its last handle (a name stays in its directory) */
#define OBJ_EXCLUSIVE        0x00000020u /* accepted, not enforced yet (no processes) */
#define OBJ_CASE_INSENSITIVE 0x00000040u /* accepted: names always compare ignoring case */
#define OBJ_OPENIF           0x00000080u /* creating a name that exists opens the existing object instead */
#define OBJ_KERNEL_HANDLE    0x00000200u /* the handle goes to the kernel table and carries OB_KERNEL_HANDLE_FLAG */
#define OBJ_VALID_ATTRIBUTES 0x000003F2u

typedef struct _OBJECT_ATTRIBUTES {
    ULONG Length;               /* sizeof(OBJECT_ATTRIBUTES) */
    HANDLE RootDirectory;       /* a Directory handle the name is relative to, or NULL (the name is a full path) */
    PUNICODE_STRING ObjectName; /* optional */
    ULONG Attributes;           /* OBJ_* */
    PVOID SecurityDescriptor;   /* ignored (the security stub) */
    PVOID SecurityQualityOfService;
} OBJECT_ATTRIBUTES, *POBJECT_ATTRIBUTES;

XTINLINE VOID InitializeObjectAttributes(POBJECT_ATTRIBUTES Attributes, PUNICODE_STRING Name, ULONG Flags, HANDLE Root,
                                         PVOID SecurityDescriptor) {
    Attributes->Length = sizeof(*Attributes);
    Attributes->RootDirectory = Root;
    Attributes->ObjectName = Name;
    Attributes->Attributes = Flags;
    Attributes->SecurityDescriptor = SecurityDescriptor;
    Attributes->SecurityQualityOfService = NULL;
}

/* Kernel handles: a kernel-table handle with bit 31 set (sign-extended on amd64, as NT's). The Ex table never hands
 * out a value with that bit (ex.h), so a kernel handle cannot be mistaken for a process handle. */
#define OB_KERNEL_HANDLE_FLAG ((ULONG_PTR)(LONG_PTR)(LONG)0x80000000)
#define NtCurrentProcess()    ((HANDLE)(LONG_PTR)-1)

/* Pool types of object types (MM_POOL_TYPE values). */
#define OB_NON_PAGED_POOL 0u
#define OB_PAGED_POOL     1u

/* ---- Object types ---- */
typedef struct _OBJECT_TYPE OBJECT_TYPE, *POBJECT_TYPE;

typedef enum _OB_OPEN_REASON {
    ObCreateHandle = 0,
    ObOpenHandle = 1,
    ObDuplicateHandle = 2,
    ObInheritHandle = 3
} OB_OPEN_REASON;

/* Type procedures. Open: a handle is being made (a failure refuses it); Close: a handle was closed (HandleCount: the
 * object's handles before the close); Delete: the last reference went, at PASSIVE_LEVEL, before the memory is freed;
 * Parse: a name lookup reached an object of this type with RemainingName left (STATUS_REPARSE with *CompleteName
 * replaced by a buffer from ObAllocateReparseName restarts the lookup from the root; success with *Object referenced
 * ends it); Security: the security stub (assigns no descriptor). Open and Close run at <= DISPATCH_LEVEL. */
typedef XTSTATUS (*OB_OPEN_METHOD)(OB_OPEN_REASON Reason, PVOID Object, ACCESS_MASK GrantedAccess, ULONG HandleCount);
typedef VOID (*OB_CLOSE_METHOD)(PVOID Object, ACCESS_MASK GrantedAccess, ULONG_PTR HandleCount);
typedef VOID (*OB_DELETE_METHOD)(PVOID Object);
typedef XTSTATUS (*OB_PARSE_METHOD)(PVOID ParseObject, POBJECT_TYPE ObjectType, ULONG Attributes,
                                    PUNICODE_STRING CompleteName, PUNICODE_STRING RemainingName, PVOID Context,
                                    PVOID *Object);
typedef XTSTATUS (*OB_SECURITY_METHOD)(PVOID Object, PVOID SecurityDescriptor);

typedef struct _OBJECT_TYPE_INITIALIZER {
    USHORT Length;                 /* sizeof(OBJECT_TYPE_INITIALIZER) */
    BOOLEAN MaintainTypeList;      /* objects carry creator information and are linked on the type's list */
    BOOLEAN WaitableObject;        /* the body begins with a DISPATCHER_HEADER: NtWaitFor* accept its handles */
    ULONG PoolType;                /* OB_NON_PAGED_POOL (the only type phase 1 accepts: see docs/objects.md) */
    ACCESS_MASK InvalidAttributes; /* OBJ_* a caller may not give for this type */
    GENERIC_MAPPING GenericMapping;
    ACCESS_MASK ValidAccessMask; /* rights a handle may carry */
    ACCESS_MASK DefaultAccess;   /* granted to a handle whose caller asks for no access (0) */
    OB_OPEN_METHOD OpenProcedure;
    OB_CLOSE_METHOD CloseProcedure;
    OB_DELETE_METHOD DeleteProcedure;
    OB_PARSE_METHOD ParseProcedure;
    OB_SECURITY_METHOD SecurityProcedure; /* NULL: the default stub */
} OBJECT_TYPE_INITIALIZER, *POBJECT_TYPE_INITIALIZER;

struct _OBJECT_TYPE {
    UNICODE_STRING Name; /* points into the type object's name information */
    OBJECT_TYPE_INITIALIZER TypeInfo;
    ULONG Key;   /* pool tag of its objects: the first four characters of the name */
    ULONG Index; /* creation order (Type is 1) */
    volatile LONG TotalNumberOfObjects;
    volatile LONG TotalNumberOfHandles;
    LONG HighWaterNumberOfObjects;
    LONG HighWaterNumberOfHandles;
    KSPIN_LOCK TypeLock; /* DISPATCH_LEVEL: TypeList */
    LIST_ENTRY TypeList; /* creator information of its objects (MaintainTypeList) */
};

/* ---- The object header (before every body) ----
 * Pool block: [OBJECT_HEADER_NAME_INFO][OBJECT_HEADER_CREATOR_INFO][OBJECT_HEADER][body][captured name]; each
 * optional part present or not, found from the header by its offset (bytes back from the header; 0: absent). */
#define OB_FLAG_NEW_OBJECT       0x01 /* created, not inserted yet */
#define OB_FLAG_KERNEL_OBJECT    0x02 /* created by kernel code (every object until user mode exists) */
#define OB_FLAG_CREATOR_INFO     0x04 /* has OBJECT_HEADER_CREATOR_INFO */
#define OB_FLAG_EXCLUSIVE_OBJECT 0x08
#define OB_FLAG_PERMANENT_OBJECT 0x10 /* stays (and keeps its name) without handles */
#define OB_FLAG_IN_DIRECTORY     0x80 /* its name is linked in NameInfo->Directory */

typedef struct _OBJECT_HEADER {
    volatile LONG_PTR PointerCount; /* references, each handle counting one */
    volatile LONG_PTR HandleCount;  /* open handles */
    POBJECT_TYPE Type;
    UCHAR NameInfoOffset;
    UCHAR CreatorInfoOffset;
    volatile UCHAR Flags;     /* OB_FLAG_*; changed with atomic operations */
    UCHAR InfoFlags;          /* Ob-private bits about the optional parts */
    PVOID SecurityDescriptor; /* always NULL (the security stub) */
    union {
        struct _OBJECT_HEADER *volatile NextToFree; /* dead: the deferred-delete list */
        ULONG_PTR CreateAttributes;                 /* OB_FLAG_NEW_OBJECT: the OBJ_* it was created with */
    };
    ULONGLONG Body; /* the body starts here */
} OBJECT_HEADER, *POBJECT_HEADER;

typedef struct _OBJECT_DIRECTORY OBJECT_DIRECTORY, *POBJECT_DIRECTORY;

typedef struct _OBJECT_HEADER_NAME_INFO {
    POBJECT_DIRECTORY Directory; /* the directory holding the name (referenced), NULL while not inserted */
    UNICODE_STRING Name;         /* the last component, in the object's block or an ObNm allocation */
    POBJECT_HEADER ChainLink;    /* the next object in the directory's hash bucket */
} OBJECT_HEADER_NAME_INFO, *POBJECT_HEADER_NAME_INFO;

typedef struct _OBJECT_HEADER_CREATOR_INFO {
    LIST_ENTRY TypeList;         /* on its type's TypeList */
    HANDLE CreatorUniqueProcess; /* 0: the kernel (no processes yet) */
    USHORT CreatorBackTraceIndex;
    USHORT Reserved; /* amd64: 4 bytes of padding follow */
} OBJECT_HEADER_CREATOR_INFO, *POBJECT_HEADER_CREATOR_INFO;

STATIC_ASSERT(FIELD_OFFSET(OBJECT_HEADER, Body) == 6 * sizeof(PVOID));
STATIC_ASSERT(FIELD_OFFSET(OBJECT_HEADER, Body) % (2 * sizeof(PVOID)) == 0);
STATIC_ASSERT(FIELD_OFFSET(OBJECT_HEADER, Type) == 2 * sizeof(PVOID));
STATIC_ASSERT(sizeof(OBJECT_HEADER_NAME_INFO) == 2 * sizeof(PVOID) + sizeof(UNICODE_STRING));
STATIC_ASSERT(sizeof(OBJECT_HEADER_NAME_INFO) % (2 * sizeof(PVOID)) == 0);
STATIC_ASSERT(sizeof(OBJECT_HEADER_CREATOR_INFO) == 4 * sizeof(PVOID));

#define OBJECT_TO_OBJECT_HEADER(Object) CONTAINING_RECORD((Object), OBJECT_HEADER, Body)
#define OBJECT_HEADER_TO_NAME_INFO(Header)                                                                             \
    ((Header)->NameInfoOffset ? (POBJECT_HEADER_NAME_INFO)((PUCHAR)(Header) - (Header)->NameInfoOffset) : NULL)
#define OBJECT_HEADER_TO_CREATOR_INFO(Header)                                                                          \
    ((Header)->CreatorInfoOffset ? (POBJECT_HEADER_CREATOR_INFO)((PUCHAR)(Header) - (Header)->CreatorInfoOffset) : NULL)

/* Drops a reference. The last one deletes the object (delete procedure, then its pool) at PASSIVE_LEVEL, or queues
 * it on the deferred-delete list above PASSIVE_LEVEL (ObProcessDeferredDeletes). RunLevel <= DISPATCH_LEVEL. Inline:
 * one atomic decrement unless it was the last reference. */
VOID ObpDereferenceToZero(PVOID Object, LONG_PTR Count, PVOID Caller);

XTFORCEINLINE VOID ObDereferenceObject(PVOID Object) {
    LONG_PTR Count = __atomic_sub_fetch(&OBJECT_TO_OBJECT_HEADER(Object)->PointerCount, 1, __ATOMIC_ACQ_REL);

    if (__builtin_expect(Count <= 0, 0)) {
        ObpDereferenceToZero(Object, Count, __builtin_return_address(0));
    }
}

/* ---- Directories and symbolic links ---- */
#define OB_DIRECTORY_BUCKETS 37

struct _OBJECT_DIRECTORY {
    POBJECT_HEADER HashBuckets[OB_DIRECTORY_BUCKETS]; /* chains through OBJECT_HEADER_NAME_INFO.ChainLink */
    ULONG EntryCount;
};

typedef struct _OBJECT_SYMBOLIC_LINK {
    UNICODE_STRING LinkTarget; /* a full path; its characters follow this structure in the body */
} OBJECT_SYMBOLIC_LINK, *POBJECT_SYMBOLIC_LINK;

#define OB_MAX_REPARSE_ATTEMPTS 32 /* NT's OBJ_MAX_REPARSE_ATTEMPTS: a longer chain fails with NAME_NOT_FOUND */

/* The built-in types and directories (valid after ObInitializeSystem). */
extern POBJECT_TYPE ObpTypeObjectType;
extern POBJECT_TYPE ObpDirectoryObjectType;
extern POBJECT_TYPE ObpSymbolicLinkObjectType;
extern POBJECT_DIRECTORY ObpRootDirectoryObject;
extern POBJECT_DIRECTORY ObpTypeDirectoryObject;

/* ---- Start-up ---- */

/* Creates the Type, Directory and SymbolicLink types, the kernel handle table and the directories \, \ObjectTypes,
 * \BaseNamedObjects and \KernelObjects. Once, at PASSIVE_LEVEL, after the pool is up; a failure is a STOP. */
VOID ObInitializeSystem(VOID);

/* ---- Types ---- */

/* Creates a type named TypeName (no backslash) as a permanent object in \ObjectTypes. STATUS_INVALID_PARAMETER for
 * a bad initializer (NULL, wrong Length, a pool type other than non-paged, no valid access, a NULL name or out
 * pointer), STATUS_OBJECT_NAME_INVALID for an empty name or one with a backslash, STATUS_OBJECT_NAME_COLLISION for a
 * type of that name. PASSIVE_LEVEL. */
XTSTATUS ObCreateObjectType(PCUNICODE_STRING TypeName, const OBJECT_TYPE_INITIALIZER *Initializer,
                            POBJECT_TYPE *ObjectType);

/* ---- Objects ---- */

/* Allocates an object of Type with a zeroed body of BodySize bytes and one reference (the caller's), not yet
 * inserted: ObInsertObject gives it its name and a handle, or ObDereferenceObject deletes it. The name in
 * ObjectAttributes (optional; a full path: RootDirectory must be NULL in phase 1) and its OBJ_* are captured.
 * STATUS_INVALID_PARAMETER for NULL Type/Object, a bad Length or attributes the type forbids,
 * STATUS_INSUFFICIENT_RESOURCES without pool. PASSIVE_LEVEL. */
XTSTATUS ObCreateObject(KPROCESSOR_MODE Mode, POBJECT_TYPE Type, POBJECT_ATTRIBUTES ObjectAttributes, ULONG BodySize,
                        PVOID *Object);

/* Inserts a new object: its name (if it has one) goes into the namespace, and with Handle non-NULL a handle with
 * DesiredAccess (generic rights mapped; MAXIMUM_ALLOWED: every valid right) is made. The caller's creation
 * reference is consumed either way; with ReferencedObject non-NULL it receives a new reference. A name that exists
 * gives STATUS_OBJECT_NAME_COLLISION (the object is deleted), or with OBJ_OPENIF opens the existing object (same
 * type, else STATUS_OBJECT_TYPE_MISMATCH) and returns STATUS_OBJECT_NAME_EXISTS. Lookup errors as
 * ObReferenceObjectByName. PASSIVE_LEVEL. */
XTSTATUS ObInsertObject(PVOID Object, ACCESS_MASK DesiredAccess, PVOID *ReferencedObject, PHANDLE Handle);

/* Adds a reference to a live object. Any RunLevel. */
VOID ObReferenceObject(PVOID Object);

/* Adds a reference after checking Object's type (NULL: any); STATUS_OBJECT_TYPE_MISMATCH otherwise. */
XTSTATUS ObReferenceObjectByPointer(PVOID Object, ACCESS_MASK DesiredAccess, POBJECT_TYPE Type, KPROCESSOR_MODE Mode);

/* Deletes the objects whose last reference dropped above PASSIVE_LEVEL; returns how many. The deferred-delete worker
 * (ObInitializeExecutive) calls it each time the list becomes non-empty; every PASSIVE-level Ob entry point also
 * drains a non-empty list on its way. PASSIVE_LEVEL. */
ULONG ObProcessDeferredDeletes(VOID);

/* Objects queued for deferred deletion right now. */
ULONG ObQueryDeferredDeleteCount(VOID);

/* Clears OBJ_PERMANENT: without handles the object's name goes, and with it the namespace's reference.
 * PASSIVE_LEVEL. */
VOID ObMakeTemporaryObject(PVOID Object);

/* ---- The namespace ---- */

/* Looks Name (a full path, or relative to RootDirectory) up, one component per directory, following symbolic links
 * (at most OB_MAX_REPARSE_ATTEMPTS; beyond: STATUS_OBJECT_NAME_NOT_FOUND) and calling type parse procedures, and
 * references the object. STATUS_OBJECT_NAME_INVALID / STATUS_OBJECT_PATH_SYNTAX_BAD for a bad path,
 * STATUS_OBJECT_PATH_NOT_FOUND for a missing directory on the way, STATUS_OBJECT_NAME_NOT_FOUND for a missing last
 * component, STATUS_OBJECT_TYPE_MISMATCH for a non-directory on the way or an object not of Type (NULL: any).
 * PASSIVE_LEVEL. */
XTSTATUS ObReferenceObjectByName(PUNICODE_STRING Name, ULONG Attributes, PVOID AccessState, ACCESS_MASK DesiredAccess,
                                 POBJECT_TYPE Type, KPROCESSOR_MODE Mode, PVOID ParseContext, PVOID *Object);

/* Opens the object ObjectAttributes names and makes a handle to it (errors as ObReferenceObjectByName; a NULL
 * argument or a missing name: STATUS_INVALID_PARAMETER / STATUS_OBJECT_NAME_INVALID). PASSIVE_LEVEL. */
XTSTATUS ObOpenObjectByName(POBJECT_ATTRIBUTES ObjectAttributes, POBJECT_TYPE Type, KPROCESSOR_MODE Mode,
                            PVOID AccessState, ACCESS_MASK DesiredAccess, PVOID ParseContext, PHANDLE Handle);

/* A buffer of Bytes for a parse procedure's new name (STATUS_REPARSE); the lookup frees it. NULL without pool. */
PWCHAR ObAllocateReparseName(SIZE_T Bytes);

/* Creates a directory / a symbolic link to LinkTarget (a full path) named by ObjectAttributes and opens a handle
 * (NtCreateDirectoryObject, NtCreateSymbolicLinkObject). PASSIVE_LEVEL. */
XTSTATUS NtCreateDirectoryObject(PHANDLE DirectoryHandle, ACCESS_MASK DesiredAccess,
                                 POBJECT_ATTRIBUTES ObjectAttributes);
XTSTATUS NtCreateSymbolicLinkObject(PHANDLE LinkHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                                    PUNICODE_STRING LinkTarget);

/* Opens an existing directory / symbolic link by name. PASSIVE_LEVEL. */
XTSTATUS NtOpenDirectoryObject(PHANDLE DirectoryHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes);
XTSTATUS NtOpenSymbolicLinkObject(PHANDLE LinkHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes);

/* Kernel APIs: a permanent directory / symbolic link at Path (a full path), without a handle. PASSIVE_LEVEL. */
XTSTATUS ObCreateDirectoryObject(PUNICODE_STRING Path, POBJECT_DIRECTORY *Directory);
XTSTATUS ObCreateSymbolicLink(PUNICODE_STRING Path, PUNICODE_STRING LinkTarget);

/* ---- Handles ---- */

typedef struct _OBJECT_HANDLE_INFORMATION {
    ULONG HandleAttributes; /* OBJ_INHERIT, OBJ_PROTECT_CLOSE */
    ACCESS_MASK GrantedAccess;
} OBJECT_HANDLE_INFORMATION, *POBJECT_HANDLE_INFORMATION;

/* The kernel handle table (the System process's table; per-process tables plug in with processes). */
PEX_HANDLE_TABLE ObGetKernelHandleTable(VOID);

/* References the object Handle names after checking Type (NULL: any; else STATUS_OBJECT_TYPE_MISMATCH) and that the
 * handle's granted access covers DesiredAccess (generic rights mapped; else STATUS_ACCESS_DENIED); kernel-mode callers
 * are checked too. STATUS_INVALID_HANDLE for a handle that is not open (closed, stale after its slot was reused,
 * never made), STATUS_INVALID_PARAMETER for a NULL Object. O(1). RunLevel <= DISPATCH_LEVEL. */
XTSTATUS ObReferenceObjectByHandle(HANDLE Handle, ACCESS_MASK DesiredAccess, POBJECT_TYPE Type, KPROCESSOR_MODE Mode,
                                   PVOID *Object, POBJECT_HANDLE_INFORMATION HandleInformation);

/* Closes Handle: STATUS_INVALID_HANDLE when it is not open, STATUS_HANDLE_NOT_CLOSABLE when protected from close.
 * The last handle of a temporary named object removes its name. PASSIVE_LEVEL. */
XTSTATUS ObCloseHandle(HANDLE Handle, KPROCESSOR_MODE Mode);
XTSTATUS NtClose(HANDLE Handle);

/* Sets or clears a handle's OBJ_INHERIT / OBJ_PROTECT_CLOSE. */
XTSTATUS ObSetHandleAttributes(HANDLE Handle, ULONG Attributes);

#define DUPLICATE_CLOSE_SOURCE    0x00000001u
#define DUPLICATE_SAME_ACCESS     0x00000002u
#define DUPLICATE_SAME_ATTRIBUTES 0x00000004u

/* Duplicates SourceHandle of SourceProcessHandle into TargetProcessHandle (NtCurrentProcess(), or once Ps registered
 * its hook (ObRegisterProcessHandleTables) a process handle with PROCESS_DUP_HANDLE; before that anything else is
 * STATUS_INVALID_HANDLE; ObDuplicateObject works on two tables directly). DesiredAccess must be the source's access or
 * less (STATUS_ACCESS_DENIED) unless DUPLICATE_SAME_ACCESS; HandleAttributes (OBJ_INHERIT, OBJ_PROTECT_CLOSE,
 * OBJ_KERNEL_HANDLE) unless DUPLICATE_SAME_ATTRIBUTES; DUPLICATE_CLOSE_SOURCE closes the source even when the
 * duplicate fails (NT's rule). TargetHandle NULL is only valid with DUPLICATE_CLOSE_SOURCE. PASSIVE_LEVEL. */
XTSTATUS NtDuplicateObject(HANDLE SourceProcessHandle, HANDLE SourceHandle, HANDLE TargetProcessHandle,
                           PHANDLE TargetHandle, ACCESS_MASK DesiredAccess, ULONG HandleAttributes, ULONG Options);

typedef enum _OBJECT_INFORMATION_CLASS {
    ObjectBasicInformation = 0,
    ObjectNameInformation = 1,
    ObjectTypeInformation = 2
} OBJECT_INFORMATION_CLASS;

typedef struct _OBJECT_BASIC_INFORMATION {
    ULONG Attributes; /* the handle's OBJ_INHERIT / OBJ_PROTECT_CLOSE, and OBJ_PERMANENT */
    ACCESS_MASK GrantedAccess;
    ULONG HandleCount;
    ULONG PointerCount;
    ULONG PagedPoolCharge;
    ULONG NonPagedPoolCharge;
    ULONG Reserved[3];
    ULONG NameInfoSize;
    ULONG TypeInfoSize;
    ULONG SecurityDescriptorSize;
    LONGLONG CreationTime;
} OBJECT_BASIC_INFORMATION, *POBJECT_BASIC_INFORMATION;

STATIC_ASSERT(sizeof(OBJECT_BASIC_INFORMATION) == 56);

typedef struct _OBJECT_NAME_INFORMATION {
    UNICODE_STRING Name; /* the full path; its characters follow in the buffer; empty for an unnamed object */
} OBJECT_NAME_INFORMATION, *POBJECT_NAME_INFORMATION;

/* Basic information (Length exactly sizeof(OBJECT_BASIC_INFORMATION)) or the object's full name (Length at least
 * what *ReturnLength reports, else STATUS_INFO_LENGTH_MISMATCH). STATUS_INVALID_INFO_CLASS for other classes,
 * STATUS_INVALID_PARAMETER for a NULL buffer, handle errors as ObReferenceObjectByHandle. PASSIVE_LEVEL. */
XTSTATUS NtQueryObject(HANDLE Handle, OBJECT_INFORMATION_CLASS InformationClass, PVOID Information, ULONG Length,
                       PULONG ReturnLength);

/* ---- Per-process tables (for processes, and tests) ---- */

/* A fresh handle table on non-paged pool pages / its destruction closing every handle still open. */
XTSTATUS ObCreateHandleTable(PEX_HANDLE_TABLE *Table);
VOID ObDestroyHandleTable(PEX_HANDLE_TABLE Table);

/* Ob's own counters (tests and the report). */
typedef struct _OB_STATISTICS {
    ULONG_PTR ObjectsCreated;
    ULONG_PTR ObjectsDeleted;
    ULONG_PTR DeferredDeletes; /* deletions that went through the deferred list */
    ULONG_PTR Reparses;
} OB_STATISTICS, *POB_STATISTICS;

VOID ObQueryStatistics(POB_STATISTICS Statistics);

/* BENCH: prints one KE-BENCH line of Ob costs in TSC ticks (ob/obbench.c). PASSIVE_LEVEL, after ObInitializeSystem. */
VOID ObRunBenchmarks(VOID);

/* ---- Tables given explicitly (per-process tables; docs/objects.md "Per-process handle tables") ----
 * Handle values are the table's own; in the kernel table they carry OB_KERNEL_HANDLE_FLAG, as everywhere. Table NULL:
 * STATUS_INVALID_PARAMETER. Otherwise as ObInsertObject, ObReferenceObjectByHandle, ObCloseHandle. */
XTSTATUS ObInsertObjectInTable(PEX_HANDLE_TABLE Table, PVOID Object, ACCESS_MASK DesiredAccess, PVOID *ReferencedObject,
                               PHANDLE Handle);
XTSTATUS ObReferenceObjectByHandleInTable(PEX_HANDLE_TABLE Table, HANDLE Handle, ACCESS_MASK DesiredAccess,
                                          POBJECT_TYPE Type, PVOID *Object,
                                          POBJECT_HANDLE_INFORMATION HandleInformation);
XTSTATUS ObCloseHandleInTable(PEX_HANDLE_TABLE Table, HANDLE Handle);

/* NtDuplicateObject between two tables (the same table twice is fine): SourceHandle of SourceTable into TargetTable
 * (NULL: only DUPLICATE_CLOSE_SOURCE, which then closes the source). Rules as NtDuplicateObject; OBJ_KERNEL_HANDLE
 * follows TargetTable (set exactly when it is the kernel table). PASSIVE_LEVEL. */
XTSTATUS ObDuplicateObject(PEX_HANDLE_TABLE SourceTable, HANDLE SourceHandle, PEX_HANDLE_TABLE TargetTable,
                           PHANDLE TargetHandle, ACCESS_MASK DesiredAccess, ULONG HandleAttributes, ULONG Options);

/* The process hook (one field, one call): a process object keeps its table in one field (ObCreateHandleTable at
 * creation, ObDestroyHandleTable at exit); Ps registers its Process type and a routine returning that field for a
 * process body (NULL: the current process's, or NULL for the kernel table). From then on handles without
 * OB_KERNEL_HANDLE_FLAG resolve in the current process's table, and NtDuplicateObject accepts handles of ProcessType
 * (PROCESS_DUP_HANDLE) as source and target processes. Once, at PASSIVE_LEVEL. */
#define PROCESS_DUP_HANDLE 0x0040u
typedef PEX_HANDLE_TABLE (*OB_PROCESS_HANDLE_TABLE_ROUTINE)(PVOID Process);
VOID ObRegisterProcessHandleTables(POBJECT_TYPE ProcessType, OB_PROCESS_HANDLE_TABLE_ROUTINE Routine);

/* ---- Executive objects (ob/obexec.c, kernel only): NT's dispatcher-backed types and their native API ----
 * Kernel callers, handles as ObInsertObject makes them (OBJ_KERNEL_HANDLE: the kernel table). Every call checks its
 * arguments: a NULL out pointer or a bad enum/count is STATUS_INVALID_PARAMETER (XT's kernel-mode stand-in for NT's
 * access violation on a bad pointer), a handle that is not open STATUS_INVALID_HANDLE, one of another type
 * STATUS_OBJECT_TYPE_MISMATCH, one without the right STATUS_ACCESS_DENIED, a bad name the namespace's status.
 * PASSIVE_LEVEL. */
#define EVENT_QUERY_STATE      0x0001u
#define EVENT_MODIFY_STATE     0x0002u
#define EVENT_ALL_ACCESS       (STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0x3u)
#define SEMAPHORE_QUERY_STATE  0x0001u
#define SEMAPHORE_MODIFY_STATE 0x0002u
#define SEMAPHORE_ALL_ACCESS   (STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0x3u)
#define MUTANT_QUERY_STATE     0x0001u
#define MUTANT_ALL_ACCESS      (STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | MUTANT_QUERY_STATE)
#define TIMER_QUERY_STATE      0x0001u
#define TIMER_MODIFY_STATE     0x0002u
#define TIMER_ALL_ACCESS       (STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0x3u)

extern POBJECT_TYPE ExEventObjectType;
extern POBJECT_TYPE ExSemaphoreObjectType;
extern POBJECT_TYPE ExMutantObjectType;
extern POBJECT_TYPE ExTimerObjectType;

/* Creates the Event, Semaphore, Mutant and Timer types and starts the deferred-delete worker (a system thread that
 * deletes, at PASSIVE_LEVEL, the objects whose last reference dropped above it). Once, after the dispatcher and the
 * system threads run; a failure is a STOP. */
VOID ObInitializeExecutive(VOID);

/* A waitable, non-paged object type whose body starts with its dispatcher object (or an event standing for it), with
 * NT's generic mapping: read = READ_CONTROL | Query, write = READ_CONTROL | Modify, execute = READ_CONTROL |
 * SYNCHRONIZE, all = AllAccess. A failure is a STOP OBJECT_INITIALIZATION_FAILED naming Step. Boot, PASSIVE_LEVEL. */
POBJECT_TYPE ObCreateExecutiveObjectType(PCWSTR Name, ACCESS_MASK AllAccess, ACCESS_MASK Query, ACCESS_MASK Modify,
                                         OB_DELETE_METHOD Delete, ULONG Step);

/* The deferred-delete worker thread (a PKTHREAD; NULL before ObInitializeExecutive). */
PVOID ObQueryDeleteWorkerThread(VOID);

/* Events: Type NotificationEvent or SynchronizationEvent. Set/Reset return the previous state (optional). */
XTSTATUS NtCreateEvent(PHANDLE EventHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                       EVENT_TYPE EventType, BOOLEAN InitialState);
XTSTATUS NtOpenEvent(PHANDLE EventHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes);
XTSTATUS NtSetEvent(HANDLE EventHandle, PLONG PreviousState);
XTSTATUS NtResetEvent(HANDLE EventHandle, PLONG PreviousState);
XTSTATUS NtClearEvent(HANDLE EventHandle);

/* Semaphores: 0 <= InitialCount <= MaximumCount, MaximumCount > 0; ReleaseCount > 0 (past the maximum:
 * STATUS_SEMAPHORE_LIMIT_EXCEEDED, the count unchanged). */
XTSTATUS NtCreateSemaphore(PHANDLE SemaphoreHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                           LONG InitialCount, LONG MaximumCount);
XTSTATUS NtOpenSemaphore(PHANDLE SemaphoreHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes);
XTSTATUS NtReleaseSemaphore(HANDLE SemaphoreHandle, LONG ReleaseCount, PLONG PreviousCount);

/* Mutants: NtReleaseMutant by a thread that does not own it is STATUS_MUTANT_NOT_OWNED. A mutant deleted while owned
 * is abandoned first (NT's rule). */
XTSTATUS NtCreateMutant(PHANDLE MutantHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                        BOOLEAN InitialOwner);
XTSTATUS NtOpenMutant(PHANDLE MutantHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes);
XTSTATUS NtReleaseMutant(HANDLE MutantHandle, PLONG PreviousCount);

/* Timers: TimerType NotificationTimer or SynchronizationTimer. NtSetTimer: DueTime required (NT's convention), Period
 * >= 0 ms; timer APCs do not exist yet (TimerApcRoutine must be NULL, ResumeTimer FALSE). *PreviousState (optional):
 * whether it was signalled. A timer deleted while set is cancelled first. */
XTSTATUS NtCreateTimer(PHANDLE TimerHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                       TIMER_TYPE TimerType);
XTSTATUS NtOpenTimer(PHANDLE TimerHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes);
XTSTATUS NtSetTimer(HANDLE TimerHandle, PLARGE_INTEGER DueTime, PVOID TimerApcRoutine, PVOID TimerContext,
                    BOOLEAN ResumeTimer, LONG Period, PBOOLEAN PreviousState);
XTSTATUS NtCancelTimer(HANDLE TimerHandle, PBOOLEAN CurrentState);

/* Waits: handles with SYNCHRONIZE on waitable objects (others: STATUS_OBJECT_TYPE_MISMATCH). Results as
 * KeWaitForSingleObject / KeWaitForMultipleObjects; Count 1..MAXIMUM_WAIT_OBJECTS (else STATUS_INVALID_PARAMETER),
 * the same object twice in a WaitAll: STATUS_INVALID_PARAMETER_MIX. */
XTSTATUS NtWaitForSingleObject(HANDLE Handle, BOOLEAN Alertable, PLARGE_INTEGER Timeout);
XTSTATUS NtWaitForMultipleObjects(ULONG Count, HANDLE Handles[], WAIT_TYPE WaitType, BOOLEAN Alertable,
                                  PLARGE_INTEGER Timeout);

/* Argument checks shared by the executive objects (pure: host-tested). */
XTSTATUS ObCheckWaitArguments(ULONG Count, const HANDLE *Handles, WAIT_TYPE WaitType);
XTSTATUS ObCheckSemaphoreArguments(LONG InitialCount, LONG MaximumCount);

#endif
