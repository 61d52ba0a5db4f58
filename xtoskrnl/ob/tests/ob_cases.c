/* ObCoreSuite and ObScaleSuite: the Object Manager's behaviour, run on the host (ob_test) and in the kernel
 * (SELFTEST): the same source, with the environment's pool, processors and sizes behind ob_cases.h. */
#include "ob_cases.h"

#include <ex.h>
#include <ke.h>
#include <obp.h>

#define TEST_VALID_ACCESS 0x001F0003u
#define TEST_READ         0x0001u
#define TEST_WRITE        0x0002u
#define TEST_REFUSE_OPEN  0x0BADu

typedef struct _TEST_BODY {
    ULONG Magic;
    ULONG Refuse; /* TEST_REFUSE_OPEN: the open procedure refuses handles */
    ULONG_PTR Serial;
} TEST_BODY, *PTEST_BODY;

static POBJECT_TYPE TestType, OtherType;
static volatile LONG TestOpens, TestCloses, TestDeletes;

static XTSTATUS TestOpen(OB_OPEN_REASON Reason, PVOID Object, ACCESS_MASK GrantedAccess, ULONG HandleCount) {
    (VOID) Reason;
    (VOID) GrantedAccess;
    (VOID) HandleCount;
    __atomic_add_fetch(&TestOpens, 1, __ATOMIC_RELAXED);
    return ((PTEST_BODY)Object)->Refuse == TEST_REFUSE_OPEN ? STATUS_ACCESS_DENIED : STATUS_SUCCESS;
}

static VOID TestClose(PVOID Object, ACCESS_MASK GrantedAccess, ULONG_PTR HandleCount) {
    (VOID) Object;
    (VOID) GrantedAccess;
    (VOID) HandleCount;
    __atomic_add_fetch(&TestCloses, 1, __ATOMIC_RELAXED);
}

static VOID TestDelete(PVOID Object) {
    ((PTEST_BODY)Object)->Magic = 0xDEAD;
    __atomic_add_fetch(&TestDeletes, 1, __ATOMIC_RELAXED);
}

static UNICODE_STRING Str(PCWSTR Text) {
    UNICODE_STRING String;

    RtlInitUnicodeString(&String, Text);
    return String;
}

/* The test types (made once: types are permanent). */
static VOID EnsureTypes(VOID) {
    OBJECT_TYPE_INITIALIZER Initializer = {
        .Length = sizeof(OBJECT_TYPE_INITIALIZER),
        .PoolType = OB_NON_PAGED_POOL,
        .GenericMapping = {READ_CONTROL | TEST_READ, READ_CONTROL | TEST_WRITE, READ_CONTROL, TEST_VALID_ACCESS},
        .ValidAccessMask = TEST_VALID_ACCESS,
        .DefaultAccess = TEST_READ,
        .OpenProcedure = TestOpen,
        .CloseProcedure = TestClose,
        .DeleteProcedure = TestDelete,
    };
    UNICODE_STRING Name;

    if (TestType == NULL) {
        ObInitializeSystem();
        Name = Str(u"ObTestType");
        ObCreateObjectType(&Name, &Initializer, &TestType);
        Initializer.MaintainTypeList = TRUE;
        Initializer.OpenProcedure = NULL;
        Name = Str(u"ObOtherType");
        ObCreateObjectType(&Name, &Initializer, &OtherType);
    }
}

/* A new test object (named Path when not NULL) with a kernel handle of Access; *Object (optional) a reference. */
static XTSTATUS NewObject(PCWSTR Path, ULONG Attributes, ACCESS_MASK Access, PHANDLE Handle, PVOID *Object) {
    OBJECT_ATTRIBUTES ObjectAttributes;
    UNICODE_STRING Name = Str(Path);
    PVOID Body;
    XTSTATUS Status;

    EnsureTypes();
    InitializeObjectAttributes(&ObjectAttributes, Path != NULL ? &Name : NULL, Attributes | OBJ_KERNEL_HANDLE, NULL,
                               NULL);
    Status = ObCreateObject(KernelMode, TestType, &ObjectAttributes, sizeof(TEST_BODY), &Body);
    if (Status != STATUS_SUCCESS) {
        return Status;
    }
    ((PTEST_BODY)Body)->Magic = 0x0B1EC7;
    return ObInsertObject(Body, Access, Object, Handle);
}

/* Opens Path (any type) with a kernel handle. */
static XTSTATUS OpenByName(PCWSTR Path, POBJECT_TYPE Type, ACCESS_MASK Access, PHANDLE Handle) {
    OBJECT_ATTRIBUTES ObjectAttributes;
    UNICODE_STRING Name = Str(Path);

    InitializeObjectAttributes(&ObjectAttributes, &Name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, NULL, NULL);
    return ObOpenObjectByName(&ObjectAttributes, Type, KernelMode, NULL, Access, NULL, Handle);
}

/* The object Path names (referenced), or NULL with *Status. */
static PVOID Lookup(PCWSTR Path, POBJECT_TYPE Type, XTSTATUS *Status) {
    UNICODE_STRING Name = Str(Path);
    PVOID Object = NULL;

    *Status = ObReferenceObjectByName(&Name, OBJ_CASE_INSENSITIVE, NULL, 0, Type, KernelMode, NULL, &Object);
    return Object;
}

static XTSTATUS LookupStatus(PCWSTR Path) {
    XTSTATUS Status;
    PVOID Object = Lookup(Path, NULL, &Status);

    if (Object != NULL) {
        ObDereferenceObject(Object);
    }
    return Status;
}

static LONG_PTR PointerCount(PVOID Object) {
    return OBJECT_TO_OBJECT_HEADER(Object)->PointerCount;
}

XTEST(BuiltInTypesAndDirectoriesExist) {
    static const PCWSTR Paths[] = {u"\\ObjectTypes\\Type", u"\\objecttypes\\DIRECTORY", u"\\ObjectTypes\\SymbolicLink",
                                   u"\\BaseNamedObjects",  u"\\KernelObjects",          u"\\"};
    XTSTATUS Status;
    PVOID Object;

    EnsureTypes();
    XTEST_ASSERT(TestType != NULL && OtherType != NULL);
    for (ULONG Index = 0; Index < ARRAY_SIZE(Paths); Index++) {
        Object = Lookup(Paths[Index], NULL, &Status);
        XTEST_CHECK_EQ(Status, STATUS_SUCCESS);
        if (Object != NULL) {
            XTEST_CHECK(OBJECT_TO_OBJECT_HEADER(Object)->Type ==
                        (Index < 3 ? ObpTypeObjectType : ObpDirectoryObjectType));
            ObDereferenceObject(Object);
        }
    }
    Object = Lookup(u"\\ObjectTypes\\ObTestType", ObpTypeObjectType, &Status);
    XTEST_CHECK(Object == TestType);
    if (Object != NULL) {
        ObDereferenceObject(Object);
    }
    XTEST_CHECK(ObpTypeObjectType->Key == OB_POOL_TAG('T', 'y', 'p', 'e'));
    XTEST_CHECK(TestType->Key == OB_POOL_TAG('O', 'b', 'T', 'e'));
    XTEST_CHECK(OBJECT_TO_OBJECT_HEADER(ObpTypeObjectType)->Type == ObpTypeObjectType);
    XTEST_CHECK_EQ(FIELD_OFFSET(OBJECT_HEADER, Body), 6 * sizeof(PVOID));
    /* a type that keeps a list: its objects carry creator information and sit on it while they live */
    XTEST_ASSERT_EQ(ObCreateObject(KernelMode, OtherType, NULL, 8, &Object), STATUS_SUCCESS);
    XTEST_CHECK(OBJECT_TO_OBJECT_HEADER(Object)->Flags & OB_FLAG_CREATOR_INFO);
    XTEST_CHECK(OtherType->TypeList.Flink == &OBJECT_HEADER_TO_CREATOR_INFO(OBJECT_TO_OBJECT_HEADER(Object))->TypeList);
    XTEST_CHECK_EQ(OtherType->TotalNumberOfObjects, 1);
    ObDereferenceObject(Object);
    XTEST_CHECK(RtlListEmpty(&OtherType->TypeList));
    XTEST_CHECK_EQ(OtherType->TotalNumberOfObjects, 0);
}

XTEST(ObjectLivesUntilLastHandleAndReference) {
    LONG Deletes = TestDeletes, Closes = TestCloses;
    PTEST_BODY Object;
    HANDLE Handle;
    PVOID Again;

    XTEST_ASSERT_EQ(NewObject(NULL, 0, TEST_READ, &Handle, (PVOID *)&Object), STATUS_SUCCESS);
    XTEST_CHECK(((ULONG_PTR)Handle & OB_KERNEL_HANDLE_FLAG) == OB_KERNEL_HANDLE_FLAG);
    XTEST_CHECK_EQ(PointerCount(Object), 2); /* the handle's and ours */
    XTEST_CHECK_EQ(OBJECT_TO_OBJECT_HEADER(Object)->HandleCount, 1);
    XTEST_CHECK_EQ(ObReferenceObjectByHandle(Handle, TEST_READ, TestType, KernelMode, &Again, NULL), STATUS_SUCCESS);
    XTEST_CHECK(Again == Object);
    XTEST_CHECK_EQ(PointerCount(Object), 3);
    ObDereferenceObject(Again);
    XTEST_CHECK_EQ(NtClose(Handle), STATUS_SUCCESS);
    XTEST_CHECK_EQ(TestCloses - Closes, 1);
    XTEST_CHECK_EQ(TestDeletes, Deletes); /* our reference keeps it */
    XTEST_CHECK_EQ(Object->Magic, 0x0B1EC7);
    XTEST_CHECK_EQ(PointerCount(Object), 1);
    ObDereferenceObject(Object);
    XTEST_CHECK_EQ(TestDeletes - Deletes, 1);
    /* the other order: the reference goes first, the handle last */
    XTEST_ASSERT_EQ(NewObject(NULL, 0, TEST_READ, &Handle, (PVOID *)&Object), STATUS_SUCCESS);
    ObDereferenceObject(Object);
    XTEST_CHECK_EQ(TestDeletes - Deletes, 1);
    XTEST_CHECK_EQ(NtClose(Handle), STATUS_SUCCESS);
    XTEST_CHECK_EQ(TestDeletes - Deletes, 2);
    /* an object never inserted dies with its creation reference */
    XTEST_ASSERT_EQ(ObCreateObject(KernelMode, TestType, NULL, sizeof(TEST_BODY), (PVOID *)&Object), STATUS_SUCCESS);
    ObDereferenceObject(Object);
    XTEST_CHECK_EQ(TestDeletes - Deletes, 3);
}

XTEST(NamedObjectGoesWithLastHandleUnlessPermanent) {
    LONG Deletes = TestDeletes;
    HANDLE First, Second;
    PVOID Object;

    XTEST_ASSERT_EQ(NewObject(u"\\BaseNamedObjects\\ObTestTemporary", 0, TEST_READ, &First, NULL), STATUS_SUCCESS);
    XTEST_CHECK_EQ(OpenByName(u"\\BaseNamedObjects\\OBTESTTEMPORARY", TestType, TEST_READ, &Second), STATUS_SUCCESS);
    XTEST_CHECK_EQ(NtClose(First), STATUS_SUCCESS);
    XTEST_CHECK_EQ(LookupStatus(u"\\BaseNamedObjects\\ObTestTemporary"), STATUS_SUCCESS); /* one handle left */
    XTEST_CHECK_EQ(NtClose(Second), STATUS_SUCCESS);
    XTEST_CHECK_EQ(LookupStatus(u"\\BaseNamedObjects\\ObTestTemporary"), STATUS_OBJECT_NAME_NOT_FOUND);
    XTEST_CHECK_EQ(TestDeletes - Deletes, 1);
    /* permanent: the name and the object stay without handles until ObMakeTemporaryObject */
    XTEST_ASSERT_EQ(NewObject(u"\\BaseNamedObjects\\ObTestPermanent", OBJ_PERMANENT, TEST_READ, &First, &Object),
                    STATUS_SUCCESS);
    XTEST_CHECK_EQ(NtClose(First), STATUS_SUCCESS);
    XTEST_CHECK_EQ(LookupStatus(u"\\basenamedobjects\\obtestpermanent"), STATUS_SUCCESS);
    XTEST_CHECK_EQ(TestDeletes - Deletes, 1);
    ObMakeTemporaryObject(Object);
    XTEST_CHECK_EQ(LookupStatus(u"\\BaseNamedObjects\\ObTestPermanent"), STATUS_OBJECT_NAME_NOT_FOUND);
    XTEST_CHECK_EQ(TestDeletes - Deletes, 1); /* our reference */
    ObDereferenceObject(Object);
    XTEST_CHECK_EQ(TestDeletes - Deletes, 2);
}

XTEST(LastReferenceAboveDispatchIsDeferred) {
    LONG Deletes = TestDeletes;
    OB_STATISTICS Before, After;
    OBP_DEFERRED_DELETE_NOTIFY Notify;
    KRUNLEVEL Old;
    HANDLE Handle;
    PVOID Object, Other;

    XTEST_ASSERT_EQ(NewObject(NULL, 0, TEST_READ, &Handle, &Object), STATUS_SUCCESS);
    Notify = ObpSetDeferredDeleteNotify(NULL); /* the kernel's worker is not told: this thread drains the list */
    XTEST_CHECK_EQ(NtClose(Handle), STATUS_SUCCESS);
    ObQueryStatistics(&Before);
    Old = KeRaiseRunLevel(DISPATCH_LEVEL);
    ObDereferenceObject(Object); /* the last reference, at DISPATCH_LEVEL */
    XTEST_CHECK_EQ(TestDeletes, Deletes);
    XTEST_CHECK(ObQueryDeferredDeleteCount() >= 1);
    KeLowerRunLevel(Old);
    ObQueryStatistics(&After);
    XTEST_CHECK_EQ(After.DeferredDeletes - Before.DeferredDeletes, 1);
    /* the next PASSIVE-level Ob call drains the list (so does the worker thread, when it is told) */
    XTEST_ASSERT_EQ(ObCreateObject(KernelMode, TestType, NULL, sizeof(TEST_BODY), &Other), STATUS_SUCCESS);
    XTEST_CHECK_EQ(TestDeletes - Deletes, 1);
    XTEST_CHECK_EQ(ObQueryDeferredDeleteCount(), 0);
    Old = KeRaiseRunLevel(DISPATCH_LEVEL);
    ObDereferenceObject(Other);
    KeLowerRunLevel(Old);
    XTEST_CHECK_EQ(ObProcessDeferredDeletes(), 1);
    XTEST_CHECK_EQ(TestDeletes - Deletes, 2);
    ObpSetDeferredDeleteNotify(Notify);
}

XTEST(NamesIgnoreCaseAndCollide) {
    HANDLE First, Second, Third;
    PVOID Object, Found;
    XTSTATUS Status;

    XTEST_ASSERT_EQ(NewObject(u"\\BaseNamedObjects\\ObTestMixedCase", 0, TEST_READ, &First, &Object), STATUS_SUCCESS);
    Found = Lookup(u"\\BASENAMEDOBJECTS\\obtestmixedcase", TestType, &Status);
    XTEST_CHECK_EQ(Status, STATUS_SUCCESS);
    XTEST_CHECK(Found == Object);
    if (Found != NULL) {
        ObDereferenceObject(Found);
    }
    XTEST_CHECK_EQ(NewObject(u"\\BaseNamedObjects\\OBTESTMIXEDCASE", 0, TEST_READ, &Second, NULL),
                   STATUS_OBJECT_NAME_COLLISION);
    XTEST_CHECK(Second == NULL);
    XTEST_CHECK_EQ(NewObject(u"\\BaseNamedObjects\\obtestmixedcase", OBJ_OPENIF, TEST_READ, &Third, &Found),
                   STATUS_OBJECT_NAME_EXISTS);
    XTEST_CHECK(Found == Object);
    XTEST_CHECK_EQ(OBJECT_TO_OBJECT_HEADER(Object)->HandleCount, 2);
    if (Found != NULL) {
        ObDereferenceObject(Found);
    }
    XTEST_CHECK_EQ(NtClose(Third), STATUS_SUCCESS);
    /* another type under the same name: a collision; opening it as another type: a mismatch */
    XTEST_CHECK_EQ(LookupStatus(u"\\BaseNamedObjects\\ObTestMixedCase"), STATUS_SUCCESS);
    Found = Lookup(u"\\BaseNamedObjects\\ObTestMixedCase", OtherType, &Status);
    XTEST_CHECK_EQ(Status, STATUS_OBJECT_TYPE_MISMATCH);
    XTEST_CHECK(Found == NULL);
    XTEST_CHECK_EQ(NtClose(First), STATUS_SUCCESS);
    ObDereferenceObject(Object);
}

XTEST(BadNamesGetNtStatuses) {
    static const struct {
        PCWSTR Path;
        XTSTATUS Status;
    } Cases[] = {
        {u"", STATUS_OBJECT_PATH_SYNTAX_BAD},
        {u"BaseNamedObjects", STATUS_OBJECT_PATH_SYNTAX_BAD},
        {u"\\BaseNamedObjects\\\\x", STATUS_OBJECT_NAME_INVALID},
        {u"\\BaseNamedObjects\\", STATUS_OBJECT_NAME_INVALID},
        {u"\\NoSuchDirectory\\x", STATUS_OBJECT_PATH_NOT_FOUND},
        {u"\\BaseNamedObjects\\NoSuchObject", STATUS_OBJECT_NAME_NOT_FOUND},
        {u"\\BaseNamedObjects\\NoSuchDirectory\\x", STATUS_OBJECT_PATH_NOT_FOUND},
        {u"\\ObjectTypes\\Type\\x", STATUS_OBJECT_TYPE_MISMATCH}, /* through a non-directory (NT's answer) */
    };
    WCHAR Nul[] = u"\\a\0b";
    UNICODE_STRING Odd = Str(u"\\abc"), WithNul = {8, 8, Nul};
    PVOID Object = (PVOID)1;
    HANDLE Handle;

    for (ULONG Index = 0; Index < ARRAY_SIZE(Cases); Index++) {
        XTEST_CHECK_EQ(LookupStatus(Cases[Index].Path), Cases[Index].Status);
        /* creating: "" is no name at all (NT's rule), a missing last component is where the new name goes */
        XTEST_CHECK_EQ(NewObject(Cases[Index].Path, 0, TEST_READ, &Handle, NULL),
                       Index == 0 || Index == 5 ? STATUS_SUCCESS : Cases[Index].Status);
        if (Index == 0 || Index == 5) {
            XTEST_CHECK_EQ(NtClose(Handle), STATUS_SUCCESS);
        }
    }
    Odd.Length = 5;
    XTEST_CHECK_EQ(ObReferenceObjectByName(&Odd, 0, NULL, 0, NULL, KernelMode, NULL, &Object),
                   STATUS_OBJECT_NAME_INVALID);
    XTEST_CHECK(Object == NULL);
    XTEST_CHECK_EQ(ObReferenceObjectByName(&WithNul, 0, NULL, 0, NULL, KernelMode, NULL, &Object),
                   STATUS_OBJECT_NAME_INVALID);
    XTEST_CHECK_EQ(ObReferenceObjectByName(NULL, 0, NULL, 0, NULL, KernelMode, NULL, &Object),
                   STATUS_OBJECT_NAME_INVALID);
    XTEST_CHECK_EQ(ObReferenceObjectByName(&Odd, 0, NULL, 0, NULL, KernelMode, NULL, NULL), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(NewObject(u"\\", 0, TEST_READ, &Handle, NULL), STATUS_OBJECT_NAME_COLLISION);
    XTEST_CHECK_EQ(OpenByName(u"\\BaseNamedObjects", TestType, 0, &Handle), STATUS_OBJECT_TYPE_MISMATCH);
    XTEST_CHECK_EQ(ObOpenObjectByName(NULL, NULL, KernelMode, NULL, 0, NULL, &Handle), STATUS_INVALID_PARAMETER);
}

XTEST(DirectoriesHoldObjectsAndRelativeNames) {
    OBJECT_ATTRIBUTES Attributes;
    UNICODE_STRING Name = Str(u"\\BaseNamedObjects\\ObTestDirectory"), Child = Str(u"CHILD");
    HANDLE Directory, Object, Opened;
    PVOID Body, Found;
    XTSTATUS Status;

    InitializeObjectAttributes(&Attributes, &Name, OBJ_KERNEL_HANDLE, NULL, NULL);
    XTEST_ASSERT_EQ(NtCreateDirectoryObject(&Directory, DIRECTORY_ALL_ACCESS, &Attributes), STATUS_SUCCESS);
    XTEST_CHECK_EQ(NtCreateDirectoryObject(&Opened, DIRECTORY_ALL_ACCESS, &Attributes), STATUS_OBJECT_NAME_COLLISION);
    XTEST_ASSERT_EQ(NewObject(u"\\BaseNamedObjects\\ObTestDirectory\\Child", 0, TEST_READ, &Object, &Body),
                    STATUS_SUCCESS);
    Found = Lookup(u"\\basenamedobjects\\obtestdirectory\\child", TestType, &Status);
    XTEST_CHECK(Found == Body);
    if (Found != NULL) {
        ObDereferenceObject(Found);
    }
    InitializeObjectAttributes(&Attributes, &Child, OBJ_KERNEL_HANDLE, Directory, NULL);
    XTEST_CHECK_EQ(ObOpenObjectByName(&Attributes, TestType, KernelMode, NULL, TEST_READ, NULL, &Opened),
                   STATUS_SUCCESS);
    XTEST_CHECK_EQ(ObReferenceObjectByHandle(Opened, TEST_READ, TestType, KernelMode, &Found, NULL), STATUS_SUCCESS);
    XTEST_CHECK(Found == Body);
    if (Found != NULL) {
        ObDereferenceObject(Found);
    }
    XTEST_CHECK_EQ(NtClose(Opened), STATUS_SUCCESS);
    Child = Str(u"\\Child");
    XTEST_CHECK_EQ(ObOpenObjectByName(&Attributes, TestType, KernelMode, NULL, TEST_READ, NULL, &Opened),
                   STATUS_OBJECT_PATH_SYNTAX_BAD);
    Attributes.RootDirectory = Object; /* not a directory */
    Child = Str(u"x");
    XTEST_CHECK_EQ(ObOpenObjectByName(&Attributes, TestType, KernelMode, NULL, TEST_READ, NULL, &Opened),
                   STATUS_OBJECT_TYPE_MISMATCH);
    /* the directory's last handle goes: its name goes; the child keeps it alive (the child's name holds it) */
    XTEST_CHECK_EQ(NtClose(Directory), STATUS_SUCCESS);
    XTEST_CHECK_EQ(LookupStatus(u"\\BaseNamedObjects\\ObTestDirectory"), STATUS_OBJECT_NAME_NOT_FOUND);
    XTEST_CHECK_EQ(NtClose(Object), STATUS_SUCCESS);
    ObDereferenceObject(Body);
}

XTEST(SymbolicLinksReparseAndALoopFailsCleanly) {
    UNICODE_STRING LinkA = Str(u"\\BaseNamedObjects\\ObTestLinkA"), LinkB = Str(u"\\BaseNamedObjects\\ObTestLinkB");
    UNICODE_STRING ToDir = Str(u"\\BaseNamedObjects\\ObTestLinkDir"), Dir = Str(u"\\BaseNamedObjects\\ObTestLinkDir");
    UNICODE_STRING Link = Str(u"\\KernelObjects\\ObTestLink");
    OBJECT_ATTRIBUTES Attributes;
    SIZE_T Reparse = ObTestPoolBytes(OB_POOL_TAG('O', 'b', 'R', 'p'));
    OB_STATISTICS Before, After;
    HANDLE Directory, Object, Opened, LinkHandle;
    PVOID Body, Found;
    XTSTATUS Status;

    InitializeObjectAttributes(&Attributes, &Dir, OBJ_KERNEL_HANDLE, NULL, NULL);
    XTEST_ASSERT_EQ(NtCreateDirectoryObject(&Directory, 0, &Attributes), STATUS_SUCCESS);
    XTEST_ASSERT_EQ(NewObject(u"\\BaseNamedObjects\\ObTestLinkDir\\Target", 0, TEST_READ, &Object, &Body),
                    STATUS_SUCCESS);
    InitializeObjectAttributes(&Attributes, &Link, OBJ_KERNEL_HANDLE, NULL, NULL);
    XTEST_ASSERT_EQ(NtCreateSymbolicLinkObject(&LinkHandle, SYMBOLIC_LINK_ALL_ACCESS, &Attributes, &ToDir),
                    STATUS_SUCCESS);
    Found = Lookup(u"\\kernelobjects\\OBTESTLINK\\target", TestType, &Status);
    XTEST_CHECK_EQ(Status, STATUS_SUCCESS);
    XTEST_CHECK(Found == Body);
    if (Found != NULL) {
        ObDereferenceObject(Found);
    }
    Found = Lookup(u"\\KernelObjects\\ObTestLink", NULL, &Status); /* followed: the directory */
    XTEST_CHECK(Found != NULL && OBJECT_TO_OBJECT_HEADER(Found)->Type == ObpDirectoryObjectType);
    if (Found != NULL) {
        ObDereferenceObject(Found);
    }
    InitializeObjectAttributes(&Attributes, &Link, OBJ_KERNEL_HANDLE, NULL, NULL);
    XTEST_CHECK_EQ(NtOpenSymbolicLinkObject(&Opened, SYMBOLIC_LINK_QUERY, &Attributes), STATUS_SUCCESS);
    XTEST_CHECK_EQ(ObReferenceObjectByHandle(Opened, 0, ObpSymbolicLinkObjectType, KernelMode, &Found, NULL),
                   STATUS_SUCCESS);
    if (Found != NULL) {
        ObDereferenceObject(Found);
    }
    XTEST_CHECK_EQ(NtClose(Opened), STATUS_SUCCESS);
    XTEST_CHECK_EQ(LookupStatus(u"\\KernelObjects\\ObTestLink\\Missing"), STATUS_OBJECT_NAME_NOT_FOUND);
    /* A -> B -> A: 32 reparses, then NT's STATUS_OBJECT_NAME_NOT_FOUND; nothing leaks */
    XTEST_CHECK_EQ(ObCreateSymbolicLink(&LinkA, &LinkB), STATUS_SUCCESS);
    XTEST_CHECK_EQ(ObCreateSymbolicLink(&LinkB, &LinkA), STATUS_SUCCESS);
    XTEST_CHECK_EQ(ObCreateSymbolicLink(&LinkB, &LinkA), STATUS_OBJECT_NAME_COLLISION);
    ObQueryStatistics(&Before);
    XTEST_CHECK_EQ(LookupStatus(u"\\BaseNamedObjects\\ObTestLinkA"), STATUS_OBJECT_NAME_NOT_FOUND);
    XTEST_CHECK_EQ(LookupStatus(u"\\BaseNamedObjects\\obtestlinkb\\deeper\\still"), STATUS_OBJECT_NAME_NOT_FOUND);
    ObQueryStatistics(&After);
    XTEST_CHECK_EQ(After.Reparses - Before.Reparses, 2 * OB_MAX_REPARSE_ATTEMPTS);
    XTEST_CHECK_EQ(ObTestPoolBytes(OB_POOL_TAG('O', 'b', 'R', 'p')), Reparse);
    XTEST_CHECK_EQ(NewObject(u"\\BaseNamedObjects\\ObTestLinkA", 0, TEST_READ, &Opened, NULL),
                   STATUS_OBJECT_NAME_NOT_FOUND); /* creating through the loop fails the same way */
    XTEST_CHECK_EQ(NtClose(LinkHandle), STATUS_SUCCESS);
    XTEST_CHECK_EQ(LookupStatus(u"\\KernelObjects\\ObTestLink\\Target"), STATUS_OBJECT_PATH_NOT_FOUND);
    XTEST_CHECK_EQ(NtClose(Object), STATUS_SUCCESS);
    XTEST_CHECK_EQ(NtClose(Directory), STATUS_SUCCESS);
    ObDereferenceObject(Body);
}

XTEST(HandlesAreCheckedAndStaleOnesFail) {
    OBJECT_HANDLE_INFORMATION Information;
    HANDLE Handle, Reused;
    PVOID Object = NULL, Body;

    XTEST_ASSERT_EQ(NewObject(NULL, 0, TEST_READ, &Handle, &Body), STATUS_SUCCESS);
    XTEST_CHECK_EQ(ObReferenceObjectByHandle(Handle, TEST_WRITE, TestType, KernelMode, &Object, NULL),
                   STATUS_ACCESS_DENIED);
    XTEST_CHECK_EQ(ObReferenceObjectByHandle(Handle, GENERIC_WRITE, NULL, KernelMode, &Object, NULL),
                   STATUS_ACCESS_DENIED);
    XTEST_CHECK_EQ(ObReferenceObjectByHandle(Handle, 0, OtherType, KernelMode, &Object, NULL),
                   STATUS_OBJECT_TYPE_MISMATCH);
    XTEST_CHECK(Object == NULL);
    XTEST_CHECK_EQ(ObReferenceObjectByHandle(Handle, 0, TestType, KernelMode, NULL, NULL), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(ObReferenceObjectByHandle(Handle, TEST_READ, TestType, KernelMode, &Object, &Information),
                   STATUS_SUCCESS);
    XTEST_CHECK_EQ(Information.GrantedAccess, TEST_READ);
    XTEST_CHECK_EQ(Information.HandleAttributes, 0);
    ObDereferenceObject(Object);
    XTEST_CHECK_EQ(ObReferenceObjectByHandle(NULL, 0, NULL, KernelMode, &Object, NULL), STATUS_INVALID_HANDLE);
    XTEST_CHECK_EQ(ObReferenceObjectByHandle((HANDLE)(ULONG_PTR)0x12345678, 0, NULL, KernelMode, &Object, NULL),
                   STATUS_INVALID_HANDLE);
    XTEST_CHECK_EQ(ObReferenceObjectByHandle(NtCurrentProcess(), 0, NULL, KernelMode, &Object, NULL),
                   STATUS_INVALID_HANDLE);
    XTEST_CHECK_EQ(NtClose(Handle), STATUS_SUCCESS);
    XTEST_CHECK_EQ(NtClose(Handle), STATUS_INVALID_HANDLE);
    XTEST_CHECK_EQ(NtClose(NULL), STATUS_INVALID_HANDLE);
    /* the closed handle's slot is the lowest free one: the next handle reuses it, the old value stays dead */
    XTEST_ASSERT_EQ(NewObject(NULL, 0, TEST_READ, &Reused, NULL), STATUS_SUCCESS);
    XTEST_CHECK_EQ((ULONG_PTR)Reused & 0x00FFFFFC, (ULONG_PTR)Handle & 0x00FFFFFC);
    XTEST_CHECK((ULONG_PTR)Reused != (ULONG_PTR)Handle);
    XTEST_CHECK_EQ(ObReferenceObjectByHandle(Handle, 0, NULL, KernelMode, &Object, NULL), STATUS_INVALID_HANDLE);
    XTEST_CHECK_EQ(NtClose(Handle), STATUS_INVALID_HANDLE);
    XTEST_CHECK_EQ(ObReferenceObjectByHandle(Reused, 0, NULL, KernelMode, &Object, NULL), STATUS_SUCCESS);
    ObDereferenceObject(Object);
    XTEST_CHECK_EQ(NtClose(Reused), STATUS_SUCCESS);
    ObDereferenceObject(Body);
}

XTEST(ProtectFromCloseAndDuplicates) {
    HANDLE Handle, Copy, Less;
    PVOID Object, Body;
    LONG Opens = TestOpens;

    XTEST_ASSERT_EQ(NewObject(NULL, 0, TEST_READ | TEST_WRITE, &Handle, &Body), STATUS_SUCCESS);
    XTEST_CHECK_EQ(ObSetHandleAttributes(Handle, OBJ_PROTECT_CLOSE), STATUS_SUCCESS);
    XTEST_CHECK_EQ(NtClose(Handle), STATUS_HANDLE_NOT_CLOSABLE);
    XTEST_CHECK_EQ(ObSetHandleAttributes(Handle, 0x100), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(
        NtDuplicateObject(NtCurrentProcess(), Handle, NtCurrentProcess(), &Less, TEST_READ, OBJ_KERNEL_HANDLE, 0),
        STATUS_SUCCESS);
    XTEST_CHECK_EQ(ObReferenceObjectByHandle(Less, TEST_WRITE, NULL, KernelMode, &Object, NULL), STATUS_ACCESS_DENIED);
    XTEST_CHECK_EQ(
        NtDuplicateObject(NtCurrentProcess(), Less, NtCurrentProcess(), &Copy, TEST_WRITE, OBJ_KERNEL_HANDLE, 0),
        STATUS_ACCESS_DENIED); /* never more than the source */
    XTEST_CHECK(Copy == NULL);
    XTEST_CHECK_EQ(NtDuplicateObject(NtCurrentProcess(), Handle, NtCurrentProcess(), &Copy, 0, 0,
                                     DUPLICATE_SAME_ACCESS | DUPLICATE_SAME_ATTRIBUTES),
                   STATUS_SUCCESS);
    XTEST_CHECK(((ULONG_PTR)Copy & OB_KERNEL_HANDLE_FLAG) == OB_KERNEL_HANDLE_FLAG);
    XTEST_CHECK_EQ(NtClose(Copy), STATUS_HANDLE_NOT_CLOSABLE); /* the attribute came along */
    XTEST_CHECK_EQ(ObSetHandleAttributes(Copy, 0), STATUS_SUCCESS);
    XTEST_CHECK_EQ(OBJECT_TO_OBJECT_HEADER(Body)->HandleCount, 3);
    XTEST_CHECK_EQ(TestOpens - Opens, 3); /* create, duplicate, duplicate */
    XTEST_CHECK_EQ(NtDuplicateObject(NtCurrentProcess(), Copy, NtCurrentProcess(), &Copy, 0, OBJ_KERNEL_HANDLE,
                                     DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE),
                   STATUS_SUCCESS);
    XTEST_CHECK_EQ(OBJECT_TO_OBJECT_HEADER(Body)->HandleCount, 3);
    XTEST_CHECK_EQ(NtDuplicateObject(NtCurrentProcess(), Copy, NULL, NULL, 0, 0, DUPLICATE_CLOSE_SOURCE),
                   STATUS_SUCCESS);
    XTEST_CHECK_EQ(NtDuplicateObject((HANDLE)(ULONG_PTR)8, Less, NtCurrentProcess(), &Copy, 0, 0, 0),
                   STATUS_INVALID_HANDLE);
    XTEST_CHECK_EQ(NtDuplicateObject(NtCurrentProcess(), Less, NtCurrentProcess(), NULL, 0, 0, 0),
                   STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(NtDuplicateObject(NtCurrentProcess(), Less, NtCurrentProcess(), &Copy, 0, 0, 0x80),
                   STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(NtDuplicateObject(NtCurrentProcess(), NULL, NtCurrentProcess(), &Copy, 0, 0, 0),
                   STATUS_INVALID_HANDLE);
    XTEST_CHECK_EQ(NtClose(Less), STATUS_SUCCESS);
    XTEST_CHECK_EQ(ObSetHandleAttributes(Handle, 0), STATUS_SUCCESS);
    XTEST_CHECK_EQ(NtClose(Handle), STATUS_SUCCESS);
    XTEST_CHECK_EQ(OBJECT_TO_OBJECT_HEADER(Body)->HandleCount, 0);
    XTEST_CHECK_EQ(PointerCount(Body), 1);
    ObDereferenceObject(Body);
}

XTEST(OpenProcedureCanRefuseAHandle) {
    LONG Deletes = TestDeletes;
    HANDLE Handle = (HANDLE)1;
    PTEST_BODY Body;

    EnsureTypes();
    XTEST_ASSERT_EQ(ObCreateObject(KernelMode, TestType, NULL, sizeof(TEST_BODY), (PVOID *)&Body), STATUS_SUCCESS);
    Body->Refuse = TEST_REFUSE_OPEN;
    XTEST_CHECK_EQ(ObInsertObject(Body, TEST_READ, NULL, &Handle), STATUS_ACCESS_DENIED);
    XTEST_CHECK(Handle == NULL);
    XTEST_CHECK_EQ(TestDeletes - Deletes, 1); /* the creation reference went with the failure */
    XTEST_ASSERT_EQ(ObCreateObject(KernelMode, TestType, NULL, sizeof(TEST_BODY), (PVOID *)&Body), STATUS_SUCCESS);
    XTEST_CHECK_EQ(ObInsertObject(Body, 0x00400000, NULL, &Handle), STATUS_ACCESS_DENIED); /* not a valid right */
    XTEST_CHECK_EQ(TestDeletes - Deletes, 2);
    XTEST_CHECK_EQ(ObInsertObject(NULL, 0, NULL, &Handle), STATUS_INVALID_PARAMETER);
}

XTEST(QueryObjectGivesBasicAndNameInformation) {
    ULONG_PTR Buffer[256 / sizeof(ULONG_PTR)];
    POBJECT_NAME_INFORMATION Name = (POBJECT_NAME_INFORMATION)Buffer;
    OBJECT_BASIC_INFORMATION Basic;
    UNICODE_STRING Expected = Str(u"\\BaseNamedObjects\\ObTestQueried");
    HANDLE Handle, Unnamed;
    ULONG Length = 0;

    XTEST_ASSERT_EQ(NewObject(u"\\BASENAMEDOBJECTS\\ObTestQueried", OBJ_INHERIT, TEST_READ | TEST_WRITE, &Handle, NULL),
                    STATUS_SUCCESS);
    XTEST_CHECK_EQ(NtQueryObject(Handle, ObjectBasicInformation, &Basic, sizeof(Basic), &Length), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Length, sizeof(Basic));
    XTEST_CHECK_EQ(Basic.GrantedAccess, TEST_READ | TEST_WRITE);
    XTEST_CHECK_EQ(Basic.HandleCount, 1);
    XTEST_CHECK_EQ(Basic.PointerCount, 2); /* the handle's and the name's */
    XTEST_CHECK_EQ(Basic.Attributes, OBJ_INHERIT);
    XTEST_CHECK_EQ(Basic.NameInfoSize, sizeof(OBJECT_NAME_INFORMATION) + Expected.Length + sizeof(WCHAR));
    XTEST_CHECK_EQ(NtQueryObject(Handle, ObjectBasicInformation, &Basic, sizeof(Basic) - 1, &Length),
                   STATUS_INFO_LENGTH_MISMATCH);
    XTEST_CHECK_EQ(NtQueryObject(Handle, ObjectNameInformation, Buffer, sizeof(Buffer), &Length), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Length, sizeof(OBJECT_NAME_INFORMATION) + Expected.Length + sizeof(WCHAR));
    /* the directory's name as it was created, the object's last component as it was given */
    Expected = Str(u"\\BaseNamedObjects\\ObTestQueried");
    XTEST_CHECK(RtlEqualUnicodeString(&Name->Name, &Expected, FALSE));
    XTEST_CHECK_EQ(NtQueryObject(Handle, ObjectNameInformation, Buffer, 20, &Length), STATUS_INFO_LENGTH_MISMATCH);
    XTEST_CHECK_EQ(Length, sizeof(OBJECT_NAME_INFORMATION) + Expected.Length + sizeof(WCHAR));
    XTEST_CHECK_EQ(NtQueryObject(Handle, (OBJECT_INFORMATION_CLASS)7, Buffer, sizeof(Buffer), &Length),
                   STATUS_INVALID_INFO_CLASS);
    XTEST_CHECK_EQ(NtQueryObject(Handle, ObjectBasicInformation, NULL, sizeof(Basic), &Length),
                   STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(NtQueryObject(NULL, ObjectBasicInformation, &Basic, sizeof(Basic), &Length), STATUS_INVALID_HANDLE);
    XTEST_ASSERT_EQ(NewObject(NULL, 0, TEST_READ, &Unnamed, NULL), STATUS_SUCCESS);
    XTEST_CHECK_EQ(NtQueryObject(Unnamed, ObjectNameInformation, Buffer, sizeof(Buffer), &Length), STATUS_SUCCESS);
    XTEST_CHECK_EQ(Name->Name.Length, 0);
    XTEST_CHECK_EQ(Length, sizeof(OBJECT_NAME_INFORMATION));
    XTEST_CHECK_EQ(NtClose(Unnamed), STATUS_SUCCESS);
    XTEST_CHECK_EQ(NtClose(Handle), STATUS_SUCCESS);
}

XTEST(TypeCreationChecksItsArguments) {
    OBJECT_TYPE_INITIALIZER Initializer = {.Length = sizeof(Initializer), .ValidAccessMask = 1};
    UNICODE_STRING Name = Str(u"ObTestType"), Slash = Str(u"Ob\\Bad"), Empty = Str(u"");
    POBJECT_TYPE Type = (POBJECT_TYPE)1;

    EnsureTypes();
    XTEST_CHECK_EQ(ObCreateObjectType(&Name, &Initializer, &Type), STATUS_OBJECT_NAME_COLLISION);
    XTEST_CHECK(Type == NULL);
    XTEST_CHECK_EQ(ObCreateObjectType(&Slash, &Initializer, &Type), STATUS_OBJECT_NAME_INVALID);
    XTEST_CHECK_EQ(ObCreateObjectType(&Empty, &Initializer, &Type), STATUS_OBJECT_NAME_INVALID);
    XTEST_CHECK_EQ(ObCreateObjectType(NULL, &Initializer, &Type), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(ObCreateObjectType(&Name, NULL, &Type), STATUS_INVALID_PARAMETER);
    Initializer.PoolType = OB_PAGED_POOL;
    XTEST_CHECK_EQ(ObCreateObjectType(&Name, &Initializer, &Type), STATUS_INVALID_PARAMETER);
    Initializer.PoolType = OB_NON_PAGED_POOL;
    Initializer.Length = 3;
    XTEST_CHECK_EQ(ObCreateObjectType(&Name, &Initializer, &Type), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(ObCreateObject(KernelMode, NULL, NULL, 8, (PVOID *)&Type), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(ObCreateObject(KernelMode, TestType, NULL, 8, NULL), STATUS_INVALID_PARAMETER);
}

XTEST(TableDestructionClosesEveryHandle) {
    LONG Deletes = TestDeletes, Closes = TestCloses;
    PEX_HANDLE_TABLE Table;
    HANDLE Handle, Handles[300];
    PVOID Body;
    SIZE_T Bytes;

    XTEST_ASSERT_EQ(NewObject(NULL, 0, TEST_READ, &Handle, &Body), STATUS_SUCCESS);
    Bytes = ObTestPoolBytes(OB_POOL_TAG('O', 'b', 'H', 't'));
    XTEST_ASSERT_EQ(ObCreateHandleTable(&Table), STATUS_SUCCESS);
    for (ULONG Index = 0; Index < ARRAY_SIZE(Handles); Index++) {
        ObReferenceObject(Body);
        __atomic_add_fetch(&OBJECT_TO_OBJECT_HEADER(Body)->HandleCount, 1, __ATOMIC_RELAXED);
        XTEST_CHECK_EQ(
            ObpCreateHandle(Table, OBJECT_TO_OBJECT_HEADER(Body), TEST_READ, 0, ObOpenHandle, &Handles[Index]),
            STATUS_SUCCESS);
    }
    XTEST_CHECK_EQ(OBJECT_TO_OBJECT_HEADER(Body)->HandleCount, 1 + ARRAY_SIZE(Handles));
    XTEST_CHECK_EQ(ObpCloseHandle(Table, Handles[0]), STATUS_SUCCESS);
    ObDestroyHandleTable(Table);
    XTEST_CHECK_EQ(TestCloses - Closes, ARRAY_SIZE(Handles));
    XTEST_CHECK_EQ(OBJECT_TO_OBJECT_HEADER(Body)->HandleCount, 1);
    XTEST_CHECK_EQ(PointerCount(Body), 2);
    XTEST_CHECK_EQ(ObTestPoolBytes(OB_POOL_TAG('O', 'b', 'H', 't')), Bytes);
    XTEST_CHECK_EQ(NtClose(Handle), STATUS_SUCCESS);
    ObDereferenceObject(Body);
    XTEST_CHECK_EQ(TestDeletes - Deletes, 1);
}

/* Two tables owned by two "processes": insert, reference, close and duplicate on a given table, across tables with
 * DUPLICATE_SAME_ACCESS and DUPLICATE_CLOSE_SOURCE, then each owner's exit closes every handle of its table. */
XTEST(ExplicitTablesDuplicateAcrossAndCloseOnDestroy) {
    LONG Deletes = TestDeletes;
    SIZE_T Objects, Tables = ObTestPoolBytes(OB_TAG_TABLE);
    PEX_HANDLE_TABLE First, Second;
    OBJECT_HANDLE_INFORMATION Information;
    HANDLE InFirst, InSecond, Copy, Handles[40];
    PVOID Body, Object, Other;

    EnsureTypes();
    Objects = ObTestPoolBytes(TestType->Key);
    XTEST_ASSERT_EQ(ObCreateHandleTable(&First), STATUS_SUCCESS);
    XTEST_ASSERT_EQ(ObCreateHandleTable(&Second), STATUS_SUCCESS);
    XTEST_ASSERT_EQ(ObCreateObject(KernelMode, TestType, NULL, sizeof(TEST_BODY), &Body), STATUS_SUCCESS);
    XTEST_ASSERT_EQ(ObInsertObjectInTable(First, Body, TEST_READ | TEST_WRITE, NULL, &InFirst), STATUS_SUCCESS);
    XTEST_CHECK_EQ((ULONG_PTR)InFirst & OB_KERNEL_HANDLE_FLAG, 0);
    XTEST_CHECK_EQ(ObInsertObjectInTable(NULL, NULL, 0, NULL, &Copy), STATUS_INVALID_PARAMETER);
    /* the value means nothing in the other table (nor in the kernel table) */
    XTEST_CHECK_EQ(ObReferenceObjectByHandleInTable(Second, InFirst, 0, NULL, &Object, NULL), STATUS_INVALID_HANDLE);
    XTEST_CHECK_EQ(ObReferenceObjectByHandleInTable(First, InFirst, TEST_WRITE, TestType, &Object, &Information),
                   STATUS_SUCCESS);
    XTEST_CHECK(Object == Body);
    XTEST_CHECK_EQ(Information.GrantedAccess, TEST_READ | TEST_WRITE);
    ObDereferenceObject(Object);
    XTEST_CHECK_EQ(ObReferenceObjectByHandleInTable(First, InFirst, 0, OtherType, &Object, NULL),
                   STATUS_OBJECT_TYPE_MISMATCH);
    XTEST_CHECK_EQ(ObReferenceObjectByHandleInTable(NULL, InFirst, 0, NULL, &Object, NULL), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(ObReferenceObjectByHandleInTable(First, InFirst, 0, NULL, NULL, NULL), STATUS_INVALID_PARAMETER);
    /* across: less access, same access, more access refused; closing the source on the way */
    XTEST_CHECK_EQ(ObDuplicateObject(First, InFirst, Second, &InSecond, TEST_READ, OBJ_PROTECT_CLOSE, 0),
                   STATUS_SUCCESS);
    XTEST_CHECK_EQ(ObReferenceObjectByHandleInTable(Second, InSecond, TEST_WRITE, NULL, &Object, NULL),
                   STATUS_ACCESS_DENIED);
    XTEST_CHECK_EQ(ObCloseHandleInTable(Second, InSecond), STATUS_HANDLE_NOT_CLOSABLE);
    XTEST_CHECK_EQ(ObDuplicateObject(Second, InSecond, First, &Copy, TEST_WRITE, 0, 0), STATUS_ACCESS_DENIED);
    XTEST_CHECK(Copy == NULL);
    XTEST_CHECK_EQ(
        ObDuplicateObject(First, InFirst, Second, &Copy, 0, 0, DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE),
        STATUS_SUCCESS);
    XTEST_CHECK_EQ(ObCloseHandleInTable(First, InFirst), STATUS_INVALID_HANDLE);
    XTEST_CHECK_EQ(ObReferenceObjectByHandleInTable(Second, Copy, TEST_READ | TEST_WRITE, TestType, &Object, NULL),
                   STATUS_SUCCESS);
    ObDereferenceObject(Object);
    XTEST_CHECK_EQ(First->HandleCount, 0);
    XTEST_CHECK_EQ(Second->HandleCount, 2);
    /* into the kernel table: the handle carries the kernel flag */
    XTEST_CHECK_EQ(ObDuplicateObject(Second, Copy, ObGetKernelHandleTable(), &InFirst, 0, 0, DUPLICATE_SAME_ACCESS),
                   STATUS_SUCCESS);
    XTEST_CHECK_EQ((ULONG_PTR)InFirst & OB_KERNEL_HANDLE_FLAG, OB_KERNEL_HANDLE_FLAG);
    XTEST_CHECK_EQ(ObReferenceObjectByHandle(InFirst, TEST_WRITE, TestType, KernelMode, &Object, NULL), STATUS_SUCCESS);
    ObDereferenceObject(Object);
    XTEST_CHECK_EQ(ObCloseHandleInTable(ObGetKernelHandleTable(), InFirst), STATUS_SUCCESS);
    /* more handles on both tables, then both owners exit */
    for (ULONG Index = 0; Index < ARRAY_SIZE(Handles); Index++) {
        XTEST_CHECK_EQ(
            ObDuplicateObject(Second, Copy, (Index & 1) ? First : Second, &Handles[Index], 0, 0, DUPLICATE_SAME_ACCESS),
            STATUS_SUCCESS);
    }
    XTEST_ASSERT_EQ(ObCreateObject(KernelMode, OtherType, NULL, sizeof(TEST_BODY), &Other), STATUS_SUCCESS);
    XTEST_ASSERT_EQ(ObInsertObjectInTable(First, Other, TEST_READ, NULL, &Handles[0]), STATUS_SUCCESS);
    XTEST_CHECK_EQ(OBJECT_TO_OBJECT_HEADER(Body)->HandleCount, 2 + ARRAY_SIZE(Handles));
    XTEST_CHECK_EQ(ExCheckHandleTable(First), 0);
    XTEST_CHECK_EQ(ExCheckHandleTable(Second), 0);
    ObDestroyHandleTable(First);
    XTEST_CHECK_EQ(OBJECT_TO_OBJECT_HEADER(Body)->HandleCount, 2 + ARRAY_SIZE(Handles) / 2);
    XTEST_CHECK_EQ(TestDeletes - Deletes, 1); /* Other's only handle went */
    ObDestroyHandleTable(Second);             /* the protected handle too: the owner is gone */
    XTEST_CHECK_EQ(TestDeletes - Deletes, 2);
    XTEST_CHECK_EQ(ObTestPoolBytes(TestType->Key), Objects);
    XTEST_CHECK_EQ(ObTestPoolBytes(OB_TAG_TABLE), Tables);
}

/* The process hook: "process" objects whose body names a table; NtDuplicateObject between them by process handle,
 * handles without the kernel bit resolving in the current "process"'s table, the process handle's rights checked. */
static POBJECT_TYPE TestProcessType;
static PVOID TestCurrentProcess;

static PEX_HANDLE_TABLE TestProcessTable(PVOID Process) {
    Process = Process != NULL ? Process : TestCurrentProcess;
    return Process != NULL ? (PEX_HANDLE_TABLE)((PTEST_BODY)Process)->Serial : NULL;
}

XTEST(ProcessHookDuplicatesBetweenProcesses) {
    OBJECT_TYPE_INITIALIZER Initializer = {.Length = sizeof(OBJECT_TYPE_INITIALIZER),
                                           .ValidAccessMask = STANDARD_RIGHTS_ALL | PROCESS_DUP_HANDLE | 1};
    UNICODE_STRING Name = Str(u"ObTestProcess");
    PEX_HANDLE_TABLE Tables[2];
    PVOID Processes[2], Body, Object;
    HANDLE ProcessHandles[2], Weak, InFirst, InSecond, Kernel;
    LONG Deletes;
    /* In the kernel Ps has registered its hook: the test puts it back at the end. */
    POBJECT_TYPE SavedType = ObpProcessObjectType;
    OB_PROCESS_HANDLE_TABLE_ROUTINE SavedRoutine = ObpQueryProcessHandleTableRoutine();

    ObRegisterProcessHandleTables(NULL, NULL);
    EnsureTypes();
    if (TestProcessType == NULL) {
        XTEST_ASSERT_EQ(ObCreateObjectType(&Name, &Initializer, &TestProcessType), STATUS_SUCCESS);
    }
    Deletes = TestDeletes;
    for (ULONG Index = 0; Index < 2; Index++) {
        OBJECT_ATTRIBUTES Attributes;

        InitializeObjectAttributes(&Attributes, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
        XTEST_ASSERT_EQ(ObCreateHandleTable(&Tables[Index]), STATUS_SUCCESS);
        XTEST_ASSERT_EQ(ObCreateObject(KernelMode, TestProcessType, &Attributes, sizeof(TEST_BODY), &Processes[Index]),
                        STATUS_SUCCESS);
        ((PTEST_BODY)Processes[Index])->Serial = (ULONG_PTR)Tables[Index];
        XTEST_ASSERT_EQ(ObInsertObject(Processes[Index], PROCESS_DUP_HANDLE, NULL, &ProcessHandles[Index]),
                        STATUS_SUCCESS);
    }
    XTEST_ASSERT_EQ(NewObject(NULL, 0, TEST_READ | TEST_WRITE, &Kernel, &Body), STATUS_SUCCESS);
    XTEST_ASSERT_EQ(ObDuplicateObject(ObGetKernelHandleTable(), Kernel, Tables[0], &InFirst, 0, 0,
                                      DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE),
                    STATUS_SUCCESS);
    /* before the hook: process handles are not accepted */
    XTEST_CHECK_EQ(
        NtDuplicateObject(ProcessHandles[0], InFirst, ProcessHandles[1], &InSecond, 0, 0, DUPLICATE_SAME_ACCESS),
        STATUS_INVALID_HANDLE);
    ObRegisterProcessHandleTables(TestProcessType, TestProcessTable);
    XTEST_CHECK_EQ(NtDuplicateObject(ProcessHandles[0], InFirst, ProcessHandles[1], &InSecond, TEST_READ, 0, 0),
                   STATUS_SUCCESS);
    XTEST_CHECK_EQ(ObReferenceObjectByHandleInTable(Tables[1], InSecond, TEST_READ, TestType, &Object, NULL),
                   STATUS_SUCCESS);
    XTEST_CHECK(Object == Body);
    ObDereferenceObject(Object);
    /* a handle without the kernel bit is the current process's */
    TestCurrentProcess = Processes[1];
    XTEST_CHECK_EQ(ObReferenceObjectByHandle(InSecond, TEST_READ, TestType, KernelMode, &Object, NULL), STATUS_SUCCESS);
    XTEST_CHECK(Object == Body);
    ObDereferenceObject(Object);
    XTEST_CHECK_EQ(ObReferenceObjectByHandle(InSecond, TEST_WRITE, TestType, KernelMode, &Object, NULL),
                   STATUS_ACCESS_DENIED);
    /* the process-table path keeps every check: type, NULL out pointer, handle information, a handle never made, and
     * with no current process (the hook's NULL) it is the kernel table */
    XTEST_CHECK_EQ(ObReferenceObjectByHandle(InSecond, TEST_READ, TestProcessType, KernelMode, &Object, NULL),
                   STATUS_OBJECT_TYPE_MISMATCH);
    XTEST_CHECK_EQ(ObReferenceObjectByHandle(InSecond, TEST_READ, TestType, KernelMode, NULL, NULL),
                   STATUS_INVALID_PARAMETER);
    {
        OBJECT_HANDLE_INFORMATION Information = {0};

        XTEST_CHECK_EQ(ObReferenceObjectByHandle(InSecond, 0, TestType, KernelMode, &Object, &Information),
                       STATUS_SUCCESS);
        XTEST_CHECK_EQ(Information.GrantedAccess, TEST_READ);
        ObDereferenceObject(Object);
    }
    XTEST_CHECK_EQ(ObReferenceObjectByHandle((HANDLE)(ULONG_PTR)400, TEST_READ, TestType, KernelMode, &Object, NULL),
                   STATUS_INVALID_HANDLE); /* never made in this table */
    TestCurrentProcess = NULL;
    XTEST_CHECK_EQ(ObReferenceObjectByHandle((HANDLE)((ULONG_PTR)ProcessHandles[0] & ~OB_KERNEL_HANDLE_FLAG), 0,
                                             TestProcessType, KernelMode, &Object, NULL),
                   STATUS_SUCCESS);
    XTEST_CHECK(Object == Processes[0]);
    ObDereferenceObject(Object);
    TestCurrentProcess = Processes[1];
    /* from the current process (the second) into the first, closing the source */
    XTEST_CHECK_EQ(NtDuplicateObject(NtCurrentProcess(), InSecond, ProcessHandles[0], &Weak, 0, 0,
                                     DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE),
                   STATUS_SUCCESS);
    XTEST_CHECK_EQ(NtClose(InSecond), STATUS_INVALID_HANDLE);
    XTEST_CHECK_EQ(Tables[0]->HandleCount, 2);
    XTEST_CHECK_EQ(Tables[1]->HandleCount, 0);
    TestCurrentProcess = NULL;
    /* the process handle's rights and type are checked */
    XTEST_CHECK_EQ(
        NtDuplicateObject(NtCurrentProcess(), ProcessHandles[0], NtCurrentProcess(), &Weak, 0, OBJ_KERNEL_HANDLE, 0),
        STATUS_SUCCESS); /* no access at all */
    XTEST_CHECK_EQ(NtDuplicateObject(Weak, InFirst, ProcessHandles[1], &InSecond, 0, 0, DUPLICATE_SAME_ACCESS),
                   STATUS_ACCESS_DENIED);
    XTEST_CHECK_EQ(NtClose(Weak), STATUS_SUCCESS);
    XTEST_ASSERT_EQ(NewObject(NULL, 0, TEST_READ, &Weak, NULL), STATUS_SUCCESS);
    XTEST_CHECK_EQ(NtDuplicateObject(Weak, InFirst, ProcessHandles[1], &InSecond, 0, 0, DUPLICATE_SAME_ACCESS),
                   STATUS_OBJECT_TYPE_MISMATCH);
    XTEST_CHECK_EQ(NtClose(Weak), STATUS_SUCCESS);
    ObRegisterProcessHandleTables(NULL, NULL);
    XTEST_CHECK_EQ(
        NtDuplicateObject(ProcessHandles[0], InFirst, ProcessHandles[1], &InSecond, 0, 0, DUPLICATE_SAME_ACCESS),
        STATUS_INVALID_HANDLE);
    /* the processes exit: their tables close every handle, the object goes with the last */
    for (ULONG Index = 0; Index < 2; Index++) {
        ObDestroyHandleTable(Tables[Index]);
        XTEST_CHECK_EQ(NtClose(ProcessHandles[Index]), STATUS_SUCCESS);
    }
    XTEST_CHECK_EQ(OBJECT_TO_OBJECT_HEADER(Body)->HandleCount, 0);
    XTEST_CHECK_EQ(PointerCount(Body), 1);
    ObDereferenceObject(Body);
    XTEST_CHECK_EQ(TestDeletes - Deletes, 2); /* Body and the second test object */
    ObRegisterProcessHandleTables(SavedType, SavedRoutine);
}

/* The executive objects' pure argument checks (the calls themselves run in the kernel's ObExecSuite). */
XTEST(WaitAndSemaphoreArgumentsAreChecked) {
    HANDLE Handles[MAXIMUM_WAIT_OBJECTS + 1] = {0};

    XTEST_CHECK_EQ(ObCheckWaitArguments(1, Handles, WaitAny), STATUS_SUCCESS);
    XTEST_CHECK_EQ(ObCheckWaitArguments(MAXIMUM_WAIT_OBJECTS, Handles, WaitAll), STATUS_SUCCESS);
    XTEST_CHECK_EQ(ObCheckWaitArguments(0, Handles, WaitAny), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(ObCheckWaitArguments(MAXIMUM_WAIT_OBJECTS + 1, Handles, WaitAny), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(ObCheckWaitArguments(0xFFFFFFFFu, Handles, WaitAny), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(ObCheckWaitArguments(2, NULL, WaitAny), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(ObCheckWaitArguments(2, Handles, (WAIT_TYPE)2), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(ObCheckSemaphoreArguments(0, 1), STATUS_SUCCESS);
    XTEST_CHECK_EQ(ObCheckSemaphoreArguments(0x7FFFFFFF, 0x7FFFFFFF), STATUS_SUCCESS);
    XTEST_CHECK_EQ(ObCheckSemaphoreArguments(2, 1), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(ObCheckSemaphoreArguments(-1, 1), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(ObCheckSemaphoreArguments(0, 0), STATUS_INVALID_PARAMETER);
    XTEST_CHECK_EQ(ObCheckSemaphoreArguments(0, -5), STATUS_INVALID_PARAMETER);
}

XTEST_SUITE(ObCoreSuite, XTEST_ENTRY(BuiltInTypesAndDirectoriesExist),
            XTEST_ENTRY(ObjectLivesUntilLastHandleAndReference),
            XTEST_ENTRY(NamedObjectGoesWithLastHandleUnlessPermanent),
            XTEST_ENTRY(LastReferenceAboveDispatchIsDeferred), XTEST_ENTRY(NamesIgnoreCaseAndCollide),
            XTEST_ENTRY(BadNamesGetNtStatuses), XTEST_ENTRY(DirectoriesHoldObjectsAndRelativeNames),
            XTEST_ENTRY(SymbolicLinksReparseAndALoopFailsCleanly), XTEST_ENTRY(HandlesAreCheckedAndStaleOnesFail),
            XTEST_ENTRY(ProtectFromCloseAndDuplicates), XTEST_ENTRY(OpenProcedureCanRefuseAHandle),
            XTEST_ENTRY(QueryObjectGivesBasicAndNameInformation), XTEST_ENTRY(TypeCreationChecksItsArguments),
            XTEST_ENTRY(TableDestructionClosesEveryHandle), XTEST_ENTRY(ExplicitTablesDuplicateAcrossAndCloseOnDestroy),
            XTEST_ENTRY(ProcessHookDuplicatesBetweenProcesses), XTEST_ENTRY(WaitAndSemaphoreArgumentsAreChecked));

/* ---- ObScaleSuite ---- */

XTEST(MillionObjectsLeaveThePoolAtBaseline) {
    ULONG Rounds = ObTestObjectRounds(), Failures = 0;
    SIZE_T Objects, Names, Table;
    LONG Deletes;
    HANDLE Handle;

    EnsureTypes();
    Objects = ObTestPoolBytes(TestType->Key);
    Names = ObTestPoolBytes(OB_TAG_NAME);
    Table = ObTestPoolBytes(OB_TAG_TABLE);
    Deletes = TestDeletes;
    for (ULONG Round = 0; Round < Rounds; Round++) {
        /* every 64th one named (mixed case), the rest unnamed */
        Failures += NewObject((Round & 63) == 0 ? u"\\BaseNamedObjects\\ObTestScaleObject" : NULL, 0, TEST_READ,
                              &Handle, NULL) != STATUS_SUCCESS;
        Failures += NtClose(Handle) != STATUS_SUCCESS;
    }
    XTEST_CHECK_EQ(Failures, 0);
    XTEST_CHECK_EQ((ULONG)(TestDeletes - Deletes), Rounds);
    XTEST_CHECK_EQ(ObTestPoolBytes(TestType->Key), Objects);
    XTEST_CHECK_EQ(ObTestPoolBytes(OB_TAG_NAME), Names);
    XTEST_CHECK_EQ(ObTestPoolBytes(OB_TAG_TABLE), Table);
    XTEST_CHECK_EQ(TestType->TotalNumberOfHandles, 0);
}

XTEST(HandleTableGrowsAndShrinksBack) {
    PEX_HANDLE_TABLE Table = ObGetKernelHandleTable();
    ULONG Target = ObTestHandleTarget(), Wrong = 0, Pages = Table->PageCount, TablePages = Table->TablePages;
    SIZE_T Bytes = ObTestPoolBytes(OB_TAG_TABLE);
    PHANDLE Handles = ObpAllocatePool(Target * sizeof(HANDLE), OB_POOL_TAG('O', 'b', 'T', 'a'));
    PVOID Body, Object;

    XTEST_ASSERT(Handles != NULL);
    XTEST_ASSERT_EQ(NewObject(NULL, 0, TEST_READ, &Handles[0], &Body), STATUS_SUCCESS);
    for (ULONG Index = 1; Index < Target; Index++) {
        Wrong += NtDuplicateObject(NtCurrentProcess(), Handles[Index - 1], NtCurrentProcess(), &Handles[Index], 0,
                                   OBJ_KERNEL_HANDLE, DUPLICATE_SAME_ACCESS) != STATUS_SUCCESS;
    }
    XTEST_CHECK_EQ(Wrong, 0);
    XTEST_CHECK_EQ(OBJECT_TO_OBJECT_HEADER(Body)->HandleCount, Target);
    XTEST_CHECK(Table->PageCount >= Target / (EX_HANDLE_ENTRIES_PER_PAGE - 1));
    XTEST_CHECK_EQ(ExCheckHandleTable(Table), 0);
    for (ULONG Index = 0; Index < Target; Index++) {
        XTSTATUS Status = ObReferenceObjectByHandle(Handles[Index], TEST_READ, TestType, KernelMode, &Object, NULL);

        Wrong += Status != STATUS_SUCCESS || Object != Body;
        if (Status == STATUS_SUCCESS) {
            ObDereferenceObject(Object);
        }
    }
    XTEST_CHECK_EQ(Wrong, 0);
    for (ULONG Index = Target; Index-- > 0;) {
        Wrong += NtClose(Handles[Index]) != STATUS_SUCCESS;
    }
    XTEST_CHECK_EQ(Wrong, 0);
    XTEST_CHECK_EQ(ObReferenceObjectByHandle(Handles[Target / 2], 0, NULL, KernelMode, &Object, NULL),
                   STATUS_INVALID_HANDLE);
    XTEST_CHECK(Table->PageCount <= Pages + 1);
    XTEST_CHECK_EQ(ObTestPoolBytes(OB_TAG_TABLE) - Bytes, (SIZE_T)(Table->TablePages - TablePages) * MM_PAGE_SIZE);
    XTEST_CHECK_EQ(ExCheckHandleTable(Table), 0);
    XTEST_CHECK_EQ(OBJECT_TO_OBJECT_HEADER(Body)->HandleCount, 0);
    XTEST_CHECK_EQ(PointerCount(Body), 1);
    ObDereferenceObject(Body);
    ObpFreePool(Handles, OB_POOL_TAG('O', 'b', 'T', 'a'));
}

#define RACE_SOURCES 16
#define RACE_SLOTS   256 /* duplicates per worker per phase */
#define RACE_PHASES  48
#define RACE_WORKERS 4

static struct {
    HANDLE Sources[RACE_SOURCES];
    PVOID Objects[RACE_SOURCES];
    HANDLE Slots[RACE_WORKERS][RACE_SLOTS];
    ULONG Workers;
    volatile LONG Arrived, Generation;
    volatile LONG Closed, Stale, Errors;
} Race;

/* Waits until every worker arrived. */
static VOID RaceBarrier(VOID) {
    LONG Generation = __atomic_load_n(&Race.Generation, __ATOMIC_ACQUIRE);

    if (__atomic_add_fetch(&Race.Arrived, 1, __ATOMIC_ACQ_REL) == (LONG)Race.Workers) {
        __atomic_store_n(&Race.Arrived, 0, __ATOMIC_RELAXED);
        __atomic_add_fetch(&Race.Generation, 1, __ATOMIC_RELEASE);
        return;
    }
    while (__atomic_load_n(&Race.Generation, __ATOMIC_ACQUIRE) == Generation) {
        KeYieldProcessor();
    }
}

/* One worker: per phase, duplicates the shared sources into its slots (every worker from every source), then tries
 * to reference and close every worker's duplicates: exactly one close of each succeeds, the others and later
 * references find STATUS_INVALID_HANDLE (no handle is made while closing, so no slot is reused). */
static VOID RaceWorker(ULONG Worker) {
    ULONG Total = Race.Workers * RACE_SLOTS;
    PVOID Object;

    for (ULONG Phase = 0; Phase < RACE_PHASES; Phase++) {
        for (ULONG Slot = 0; Slot < RACE_SLOTS; Slot++) {
            ULONG Source = (Slot + Worker + Phase) % RACE_SOURCES;

            if (NtDuplicateObject(NtCurrentProcess(), Race.Sources[Source], NtCurrentProcess(),
                                  &Race.Slots[Worker][Slot], (Slot & 1) ? TEST_READ : 0, OBJ_KERNEL_HANDLE,
                                  (Slot & 1) ? 0 : DUPLICATE_SAME_ACCESS) != STATUS_SUCCESS) {
                __atomic_add_fetch(&Race.Errors, 1, __ATOMIC_RELAXED);
            }
        }
        RaceBarrier();
        for (ULONG Step = 0; Step < Total; Step++) {
            ULONG Index = (Step + Worker * (Total / Race.Workers + 7)) % Total;
            ULONG Owner = Index / RACE_SLOTS, Slot = Index % RACE_SLOTS;
            HANDLE Handle = Race.Slots[Owner][Slot];
            XTSTATUS Status = ObReferenceObjectByHandle(Handle, TEST_READ, TestType, KernelMode, &Object, NULL);

            if (Status == STATUS_SUCCESS) {
                if (Object != Race.Objects[(Slot + Owner + Phase) % RACE_SOURCES]) {
                    __atomic_add_fetch(&Race.Errors, 1, __ATOMIC_RELAXED);
                }
                ObDereferenceObject(Object);
            } else if (Status != STATUS_INVALID_HANDLE) {
                __atomic_add_fetch(&Race.Errors, 1, __ATOMIC_RELAXED);
            }
            Status = NtClose(Handle);
            __atomic_add_fetch(Status == STATUS_SUCCESS          ? &Race.Closed
                               : Status == STATUS_INVALID_HANDLE ? &Race.Stale
                                                                 : &Race.Errors,
                               1, __ATOMIC_RELAXED);
        }
        RaceBarrier();
    }
}

XTEST(DuplicateAndCloseRaceAcrossProcessors) {
    PEX_HANDLE_TABLE Table = ObGetKernelHandleTable();
    SIZE_T Bytes;
    LONG Deletes;
    ULONG Ran;

    EnsureTypes();
    RtlZeroMemory(&Race, sizeof(Race));
    for (ULONG Index = 0; Index < RACE_SOURCES; Index++) {
        XTEST_ASSERT_EQ(NewObject(NULL, 0, TEST_READ | TEST_WRITE, &Race.Sources[Index], &Race.Objects[Index]),
                        STATUS_SUCCESS);
    }
    Bytes = ObTestPoolBytes(TestType->Key);
    Deletes = TestDeletes;
    Race.Workers = ObTestWorkerLimit() < RACE_WORKERS ? ObTestWorkerLimit() : RACE_WORKERS;
    Ran = ObTestRunConcurrently(RaceWorker, Race.Workers);
    XTEST_ASSERT(Ran >= 1);
    XTEST_CHECK_EQ(Ran, Race.Workers);
    XTEST_CHECK_EQ(Race.Errors, 0);
    XTEST_CHECK_EQ(Race.Closed, RACE_PHASES * Race.Workers * RACE_SLOTS); /* each duplicate closed exactly once */
    XTEST_CHECK_EQ(Race.Stale, RACE_PHASES * Race.Workers * RACE_SLOTS * (Race.Workers - 1));
    for (ULONG Index = 0; Index < RACE_SOURCES; Index++) {
        XTEST_CHECK_EQ(OBJECT_TO_OBJECT_HEADER(Race.Objects[Index])->HandleCount, 1);
        XTEST_CHECK_EQ(PointerCount(Race.Objects[Index]), 2);
        XTEST_CHECK_EQ(NtClose(Race.Sources[Index]), STATUS_SUCCESS);
        ObDereferenceObject(Race.Objects[Index]);
    }
    XTEST_CHECK_EQ(TestDeletes - Deletes, RACE_SOURCES);
    XTEST_CHECK(ObTestPoolBytes(TestType->Key) < Bytes);
    XTEST_CHECK_EQ(ExCheckHandleTable(Table), 0);
}

XTEST_SUITE(ObScaleSuite, XTEST_ENTRY(MillionObjectsLeaveThePoolAtBaseline),
            XTEST_ENTRY(HandleTableGrowsAndShrinksBack), XTEST_ENTRY(DuplicateAndCloseRaceAcrossProcessors));
