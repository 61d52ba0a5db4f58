/* The Object Manager's internals: shared between its sources and its host tests (never included elsewhere). */
#ifndef XTOSKRNL_OB_OBP_H
#define XTOSKRNL_OB_OBP_H

#include <ke.h>

#include "ob.h"
#include "obname.h"

/* Pool tags of Ob's own allocations (objects are charged to their type's Key). */
#define OB_POOL_TAG(A, B, C, D)                                                                                        \
    ((ULONG)(UCHAR)(A) | ((ULONG)(UCHAR)(B) << 8) | ((ULONG)(UCHAR)(C) << 16) | ((ULONG)(UCHAR)(D) << 24))
#define OB_TAG_NAME    OB_POOL_TAG('O', 'b', 'N', 'm') /* a name that did not fit its object's block */
#define OB_TAG_REPARSE OB_POOL_TAG('O', 'b', 'R', 'p') /* a name being reparsed (symbolic link targets) */
#define OB_TAG_TABLE   OB_POOL_TAG('O', 'b', 'H', 't') /* handle-table pages and per-process table structures */

/* OBJECT_HEADER.InfoFlags bits. */
#define OB_INFO_NAME_ALLOCATED 0x01 /* NameInfo->Name.Buffer is an OB_TAG_NAME allocation, not in the block */

/* OBJ_* kept as handle attributes. */
#define OB_HANDLE_ATTRIBUTES (OBJ_INHERIT | OBJ_PROTECT_CLOSE)

/* Memory: non-paged pool (kernel: obpool.c over MmAllocatePool; host tests: their own). RunLevel <= DISPATCH. */
PVOID ObpAllocatePool(SIZE_T Size, ULONG Tag);
VOID ObpFreePool(PVOID Block, ULONG Tag);
extern const EX_HANDLE_TABLE_PAGES ObpHandleTablePages;

/* The namespace lock: an in-stack queued spin lock (DISPATCH_LEVEL) over every directory's buckets, names and
 * OB_FLAG_IN_DIRECTORY / OB_FLAG_PERMANENT_OBJECT. Never held across a type procedure or a pool free. */
extern KSPIN_LOCK ObpNamespaceLock;
extern EX_HANDLE_TABLE ObpKernelHandleTable;

/* Allocates an object of Type (NULL while the Type type itself is made: Tag then) as ObCreateObject describes. */
XTSTATUS ObpAllocateObject(POBJECT_TYPE Type, ULONG Tag, ULONG Attributes, PCUNICODE_STRING Name, ULONG BodySize,
                           POBJECT_HEADER *Header);

/* Routine (kernel: the worker's event) runs each time the deferred-delete list becomes non-empty, at the RunLevel of
 * the dereference that queued the object (<= DISPATCH_LEVEL). NULL: nobody is told (host tests, early boot). Returns
 * the routine before (tests silence the worker for a moment). */
typedef VOID (*OBP_DEFERRED_DELETE_NOTIFY)(VOID);
OBP_DEFERRED_DELETE_NOTIFY ObpSetDeferredDeleteNotify(OBP_DEFERRED_DELETE_NOTIFY Routine);

/* Drains the deferred-delete list when at PASSIVE_LEVEL and it is not empty (each PASSIVE entry point calls it). */
VOID ObpProcessDeferredDeletesIfAny(VOID);

/* Generic rights of Desired mapped through Type's mapping; MAXIMUM_ALLOWED becomes every valid right, 0 the default
 * access. STATUS_ACCESS_DENIED when a right outside ValidAccessMask remains. */
XTSTATUS ObpMapDesiredAccess(POBJECT_TYPE Type, ACCESS_MASK Desired, PACCESS_MASK Granted);

/* Looks Name up from Root (NULL: the root directory; then Name is a full path). With Insert, a missing last
 * component makes Insert's name there (the namespace's reference on Insert and on the directory), an existing one is
 * STATUS_OBJECT_NAME_COLLISION (with OBJ_OPENIF in Attributes *Found receives the existing object, referenced).
 * CountHandle counts a handle on the object found or inserted under the namespace lock (the name stays while the
 * handle is being made). On success *Found is referenced. */
XTSTATUS ObpLookupObjectName(POBJECT_DIRECTORY Root, PCUNICODE_STRING Name, ULONG Attributes, POBJECT_TYPE Type,
                             PVOID ParseContext, POBJECT_HEADER Insert, BOOLEAN CountHandle, POBJECT_HEADER *Found);

/* Writes Header's full path into Information (its characters after it, NUL-terminated); *ReturnLength receives the
 * bytes needed. STATUS_INFO_LENGTH_MISMATCH when Length is short. */
XTSTATUS ObpQueryNameString(POBJECT_HEADER Header, POBJECT_NAME_INFORMATION Information, ULONG Length,
                            PULONG ReturnLength);

/* Removes a temporary object's name when it has no handles left (drops the namespace's references). */
VOID ObpDeleteNameCheck(POBJECT_HEADER Header);

/* The symbolic link type's parse procedure: STATUS_REPARSE with the target followed by the remaining name. */
XTSTATUS ObpParseSymbolicLink(PVOID ParseObject, POBJECT_TYPE ObjectType, ULONG Attributes,
                              PUNICODE_STRING CompleteName, PUNICODE_STRING RemainingName, PVOID Context,
                              PVOID *Object);

/* Makes a handle in Table for an object whose handle the caller counted already and whose reference the handle
 * takes over; on failure both are given back. HandleAttributes: OBJ_INHERIT, OBJ_PROTECT_CLOSE, OBJ_KERNEL_HANDLE
 * (the value then carries OB_KERNEL_HANDLE_FLAG). Calls the type's open procedure. */
XTSTATUS ObpCreateHandle(PEX_HANDLE_TABLE Table, POBJECT_HEADER Header, ACCESS_MASK GrantedAccess,
                         ULONG HandleAttributes, OB_OPEN_REASON Reason, PHANDLE Handle);

/* Counts one handle less (close procedure unless Undo, then the name check). */
VOID ObpDecrementHandleCount(POBJECT_HEADER Header, ACCESS_MASK GrantedAccess, BOOLEAN Undo);

/* The table a handle value belongs to and its value within that table. */
PEX_HANDLE_TABLE ObpResolveHandle(HANDLE Handle, PHANDLE TableHandle);

/* The table a new handle with these OBJ_* goes to; the OBJ_* of an entry's EX_HANDLE_* attributes. */
PEX_HANDLE_TABLE ObpTableForAttributes(ULONG Attributes);
ULONG ObpFromExAttributes(ULONG Attributes);

/* The same operations on an explicit table (per-process tables plug in here). */
XTSTATUS ObpReferenceObjectByHandle(PEX_HANDLE_TABLE Table, HANDLE Handle, ACCESS_MASK DesiredAccess, POBJECT_TYPE Type,
                                    PVOID *Object, POBJECT_HANDLE_INFORMATION HandleInformation);
XTSTATUS ObpCloseHandle(PEX_HANDLE_TABLE Table, HANDLE Handle);

/* The process hook: the registered Process type (NULL before Ps registers), Process's table (NULL: the current
 * process's; the kernel table when there is no hook or no table), a handle's value within an explicit table. */
extern POBJECT_TYPE ObpProcessObjectType;
PEX_HANDLE_TABLE ObpProcessHandleTable(PVOID Process);
/* The registered process hook's routine (NULL: none); with ObpProcessObjectType, what a test restores. */
OB_PROCESS_HANDLE_TABLE_ROUTINE ObpQueryProcessHandleTableRoutine(VOID);
HANDLE ObpTableHandleValue(PEX_HANDLE_TABLE Table, HANDLE Handle);

/* Counters (ObQueryStatistics). */
extern OB_STATISTICS ObpStatistics;

#endif
