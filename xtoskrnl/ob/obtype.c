/* Object types and the Object Manager's start-up: the Type, Directory and SymbolicLink types, the kernel handle
 * table, and the directories \, \ObjectTypes, \BaseNamedObjects and \KernelObjects. */
#include "obp.h"

#define OB_TYPE_NAME_MAXIMUM 64 /* characters of a type name */

POBJECT_TYPE ObpTypeObjectType;
POBJECT_TYPE ObpDirectoryObjectType;
POBJECT_TYPE ObpSymbolicLinkObjectType;
POBJECT_DIRECTORY ObpRootDirectoryObject;
POBJECT_DIRECTORY ObpTypeDirectoryObject;

static volatile ULONG ObpTypeCount;
static POBJECT_TYPE ObpBootTypes[3]; /* made before \ObjectTypes existed; inserted by ObInitializeSystem */
static ULONG ObpBootTypeCount;

/* The pool tag of a type's objects: its name's first four characters (spaces after a shorter name). */
static ULONG ObpTypeKey(PCUNICODE_STRING Name) {
    ULONG Key = 0;

    for (ULONG Index = 0; Index < 4; Index++) {
        WCHAR Character = Index < Name->Length / sizeof(WCHAR) ? Name->Buffer[Index] : u' ';

        Key |= (ULONG)(Character < 0x80 ? (UCHAR)Character : '?') << (8 * Index);
    }
    return Key;
}

/* STATUS_SUCCESS for a usable type name (1 to 64 characters, no backslash, no NUL). */
static XTSTATUS ObpValidateTypeName(PCUNICODE_STRING Name) {
    if (Name->Length == 0 || (Name->Length & 1) != 0 || Name->Length > Name->MaximumLength || Name->Buffer == NULL ||
        Name->Length > OB_TYPE_NAME_MAXIMUM * sizeof(WCHAR)) {
        return STATUS_OBJECT_NAME_INVALID;
    }
    for (ULONG Index = 0; Index < Name->Length / sizeof(WCHAR); Index++) {
        if (Name->Buffer[Index] == 0 || Name->Buffer[Index] == OBJ_NAME_PATH_SEPARATOR) {
            return STATUS_OBJECT_NAME_INVALID;
        }
    }
    return STATUS_SUCCESS;
}

static BOOLEAN ObpIsValidInitializer(const OBJECT_TYPE_INITIALIZER *Initializer) {
    return Initializer->Length == sizeof(OBJECT_TYPE_INITIALIZER) && Initializer->PoolType == OB_NON_PAGED_POOL &&
           Initializer->ValidAccessMask != 0 && (Initializer->DefaultAccess & ~Initializer->ValidAccessMask) == 0 &&
           (Initializer->InvalidAttributes & ~OBJ_VALID_ATTRIBUTES) == 0;
}

XTSTATUS ObCreateObjectType(PCUNICODE_STRING TypeName, const OBJECT_TYPE_INITIALIZER *Initializer,
                            POBJECT_TYPE *ObjectType) {
    static const WCHAR Prefix[] = u"\\ObjectTypes\\";
    WCHAR PathBuffer[ARRAY_SIZE(Prefix) - 1 + OB_TYPE_NAME_MAXIMUM];
    UNICODE_STRING Path;
    POBJECT_HEADER Header;
    POBJECT_TYPE Type;
    XTSTATUS Status;

    KeCheckRunLevelLimit(PASSIVE_LEVEL, __builtin_return_address(0));
    if (TypeName == NULL || Initializer == NULL || ObjectType == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    *ObjectType = NULL;
    if (!ObpIsValidInitializer(Initializer)) {
        return STATUS_INVALID_PARAMETER;
    }
    if ((Status = ObpValidateTypeName(TypeName)) != STATUS_SUCCESS) {
        return Status;
    }
    RtlCopyMemory(PathBuffer, Prefix, sizeof(Prefix) - sizeof(WCHAR));
    RtlCopyMemory(&PathBuffer[ARRAY_SIZE(Prefix) - 1], TypeName->Buffer, TypeName->Length);
    Path.Buffer = PathBuffer;
    Path.Length = Path.MaximumLength = (USHORT)(sizeof(Prefix) - sizeof(WCHAR) + TypeName->Length);
    Status = ObpAllocateObject(ObpTypeObjectType, ObpTypeKey(TypeName), OBJ_PERMANENT, &Path,
                               sizeof(OBJECT_TYPE) + TypeName->Length, &Header);
    if (Status != STATUS_SUCCESS) {
        return Status;
    }
    Type = (POBJECT_TYPE)&Header->Body;
    Type->Name.Buffer = (PWCHAR)(Type + 1);
    Type->Name.Length = Type->Name.MaximumLength = TypeName->Length;
    RtlCopyMemory(Type->Name.Buffer, TypeName->Buffer, TypeName->Length);
    Type->TypeInfo = *Initializer;
    Type->Key = ObpTypeKey(TypeName);
    Type->Index = __atomic_add_fetch(&ObpTypeCount, 1, __ATOMIC_RELAXED);
    KeInitializeSpinLock(&Type->TypeLock);
    RtlInitializeListHead(&Type->TypeList);
    if (ObpTypeObjectType == NULL) {
        ObpTypeObjectType = Type; /* the Type type is its own type */
        Header->Type = Type;
        Type->TotalNumberOfObjects = Type->HighWaterNumberOfObjects = 1;
    }
    if (ObpTypeDirectoryObject == NULL) {
        ObpBootTypes[ObpBootTypeCount++] = Type; /* keeps its creation reference until ObInitializeSystem */
    } else if ((Status = ObInsertObject(Type, 0, NULL, NULL)) != STATUS_SUCCESS) {
        return Status; /* STATUS_OBJECT_NAME_COLLISION: the new type object is gone again */
    }
    *ObjectType = Type;
    return STATUS_SUCCESS;
}

/* Creates one of the three built-in types; a failure is a STOP. */
static POBJECT_TYPE ObpCreateBuiltInType(PCWSTR Name, ACCESS_MASK ValidAccess, const GENERIC_MAPPING *Mapping,
                                         OB_PARSE_METHOD Parse, ULONG Step) {
    OBJECT_TYPE_INITIALIZER Initializer;
    UNICODE_STRING TypeName;
    POBJECT_TYPE Type;
    XTSTATUS Status;

    RtlZeroMemory(&Initializer, sizeof(Initializer));
    Initializer.Length = sizeof(Initializer);
    Initializer.PoolType = OB_NON_PAGED_POOL;
    Initializer.ValidAccessMask = ValidAccess;
    Initializer.GenericMapping = *Mapping;
    Initializer.ParseProcedure = Parse;
    RtlInitUnicodeString(&TypeName, Name);
    Status = ObCreateObjectType(&TypeName, &Initializer, &Type);
    if (Status != STATUS_SUCCESS) {
        KeBugCheckEx(OBJECT_INITIALIZATION_FAILED, Step, (ULONG_PTR)Status, 0, 0);
    }
    return Type;
}

/* A permanent directory at Path; a failure is a STOP. */
static POBJECT_DIRECTORY ObpCreateBuiltInDirectory(PCWSTR Path, ULONG Step) {
    POBJECT_DIRECTORY Directory = NULL;
    UNICODE_STRING Name;
    XTSTATUS Status;

    RtlInitUnicodeString(&Name, Path);
    Status = ObCreateDirectoryObject(&Name, &Directory);
    if (Status != STATUS_SUCCESS) {
        KeBugCheckEx(OBJECT_INITIALIZATION_FAILED, Step, (ULONG_PTR)Status, 0, 0);
    }
    return Directory;
}

VOID ObInitializeSystem(VOID) {
    static const GENERIC_MAPPING TypeMapping = {READ_CONTROL, READ_CONTROL, READ_CONTROL, OBJECT_TYPE_ALL_ACCESS};
    static const GENERIC_MAPPING DirectoryMapping = {
        READ_CONTROL | DIRECTORY_QUERY | DIRECTORY_TRAVERSE,
        READ_CONTROL | DIRECTORY_CREATE_OBJECT | DIRECTORY_CREATE_SUBDIRECTORY,
        READ_CONTROL | DIRECTORY_QUERY | DIRECTORY_TRAVERSE, DIRECTORY_ALL_ACCESS};
    static const GENERIC_MAPPING LinkMapping = {READ_CONTROL | SYMBOLIC_LINK_QUERY, READ_CONTROL,
                                                READ_CONTROL | SYMBOLIC_LINK_QUERY, SYMBOLIC_LINK_ALL_ACCESS};
    POBJECT_HEADER Root;
    XTSTATUS Status;

    KeCheckRunLevelLimit(PASSIVE_LEVEL, __builtin_return_address(0));
    if (ObpRootDirectoryObject != NULL) {
        return; /* once */
    }
    KeInitializeSpinLock(&ObpNamespaceLock);
    Status = ExInitializeHandleTable(&ObpKernelHandleTable, &ObpHandleTablePages);
    if (Status != STATUS_SUCCESS) {
        KeBugCheckEx(OBJECT_INITIALIZATION_FAILED, 1, (ULONG_PTR)Status, 0, 0);
    }
    ObpCreateBuiltInType(u"Type", OBJECT_TYPE_ALL_ACCESS, &TypeMapping, NULL, 2);
    ObpDirectoryObjectType = ObpCreateBuiltInType(u"Directory", DIRECTORY_ALL_ACCESS, &DirectoryMapping, NULL, 3);
    ObpSymbolicLinkObjectType =
        ObpCreateBuiltInType(u"SymbolicLink", SYMBOLIC_LINK_ALL_ACCESS, &LinkMapping, ObpParseSymbolicLink, 4);
    Status = ObpAllocateObject(ObpDirectoryObjectType, 0, OBJ_PERMANENT, NULL, sizeof(OBJECT_DIRECTORY), &Root);
    if (Status != STATUS_SUCCESS) {
        KeBugCheckEx(OBJECT_INITIALIZATION_FAILED, 5, (ULONG_PTR)Status, 0, 0);
    }
    Root->Flags &= (UCHAR)~OB_FLAG_NEW_OBJECT;
    Root->NextToFree = NULL;
    ObpRootDirectoryObject = (POBJECT_DIRECTORY)&Root->Body; /* keeps its creation reference for good */
    ObpTypeDirectoryObject = ObpCreateBuiltInDirectory(u"\\ObjectTypes", 6);
    for (ULONG Index = 0; Index < ObpBootTypeCount; Index++) {
        Status = ObInsertObject(ObpBootTypes[Index], 0, NULL, NULL);
        if (Status != STATUS_SUCCESS) {
            KeBugCheckEx(OBJECT_INITIALIZATION_FAILED, 7, (ULONG_PTR)Status, Index, 0);
        }
    }
    ObDereferenceObject(ObpCreateBuiltInDirectory(u"\\BaseNamedObjects", 8));
    ObDereferenceObject(ObpCreateBuiltInDirectory(u"\\KernelObjects", 9));
}
