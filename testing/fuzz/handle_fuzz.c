/* The executive's handle table (xtoskrnl/ex/handle.c) against a model of the open handles: each input is a program
 * of creates, bursts of creates, closes of open handles, and lookups and closes of arbitrary 32-bit handle values.
 * A lookup must find exactly the object of the open handle with that value (tag bits ignored) or nothing; a close
 * must succeed exactly for open handles; the checker must stay clean and every page must come back. */
#include <stdio.h>
#include <stdlib.h>

#include <ex.h>

#include "fuzz_support.h"

#define MODEL_HANDLES 20000

typedef struct _MODEL_HANDLE {
    ULONG_PTR Value;
    PVOID Object;
} MODEL_HANDLE;

/* The open handles: a dense list (random picks) and, by entry index, their place in it + 1 (O(1) finds; with the
 * lowest free index handed out first, indices stay below MODEL_INDICES). */
#define MODEL_INDICES 32768
static MODEL_HANDLE Model[MODEL_HANDLES];
static ULONG ModelCount;
static ULONG ModelPlace[MODEL_INDICES];
static LONG PagesOut;

/* The RunLevel register, processor number and PAUSE come from //xtoskrnl/ke/tests:runlevel_model (one processor);
 * here: its lock-owner tag and a STOP that fails the input. */
ULONG_PTR KiGetCurrentLockOwner(VOID) {
    return 1;
}
XTNORETURN VOID KeBugCheckEx(ULONG Code, ULONG_PTR Parameter1, ULONG_PTR Parameter2, ULONG_PTR Parameter3,
                             ULONG_PTR Parameter4) {
    fprintf(stderr, "STOP 0x%08X (0x%zx, 0x%zx, 0x%zx, 0x%zx)\n", Code, (SIZE_T)Parameter1, (SIZE_T)Parameter2,
            (SIZE_T)Parameter3, (SIZE_T)Parameter4);
    abort();
}

static PVOID FuzzAllocatePage(PVOID Context) {
    (VOID) Context;
    PagesOut++;
    return aligned_alloc(EX_HANDLE_PAGE_SIZE, EX_HANDLE_PAGE_SIZE);
}

static VOID FuzzFreePage(PVOID Context, PVOID Page) {
    (VOID) Context;
    PagesOut--;
    free(Page);
}

static const EX_HANDLE_TABLE_PAGES FuzzPages = {FuzzAllocatePage, FuzzFreePage, NULL};

/* The model's slot of an open handle with Value (tag bits ignored), or MODEL_HANDLES. */
static ULONG ModelFind(ULONG_PTR Value) {
    ULONG Index = (ULONG)(Value >> EX_HANDLE_INDEX_SHIFT) & EX_HANDLE_MAXIMUM_INDEX;

    if (Index >= MODEL_INDICES || ModelPlace[Index] == 0 ||
        Model[ModelPlace[Index] - 1].Value != (Value & ~(ULONG_PTR)3)) {
        return MODEL_HANDLES;
    }
    return ModelPlace[Index] - 1;
}

static ULONG ModelIndex(ULONG_PTR Value) {
    return (ULONG)(Value >> EX_HANDLE_INDEX_SHIFT) & EX_HANDLE_MAXIMUM_INDEX;
}

/* Removes the model's slot Place (the last one moves into it). */
static VOID ModelRemove(ULONG Place) {
    ModelPlace[ModelIndex(Model[Place].Value)] = 0;
    Model[Place] = Model[--ModelCount];
    if (Place < ModelCount) {
        ModelPlace[ModelIndex(Model[Place].Value)] = Place + 1;
    }
}

static VOID FuzzCreate(PEX_HANDLE_TABLE Table, ULONG Id) {
    HANDLE Handle;

    if (ModelCount == MODEL_HANDLES) {
        return;
    }
    FUZZ_CHECK(ExCreateHandle(Table, (PVOID)(((ULONG_PTR)Id + 1) << 3), Id, 0, &Handle) == STATUS_SUCCESS);
    FUZZ_CHECK(((ULONG_PTR)Handle & 3) == 0 && (ULONG_PTR)Handle != 0 && ((ULONG_PTR)Handle >> 31) == 0);
    FUZZ_CHECK(ModelFind((ULONG_PTR)Handle) == MODEL_HANDLES && ModelIndex((ULONG_PTR)Handle) < MODEL_INDICES);
    Model[ModelCount++] = (MODEL_HANDLE){(ULONG_PTR)Handle, (PVOID)(((ULONG_PTR)Id + 1) << 3)};
    ModelPlace[ModelIndex((ULONG_PTR)Handle)] = ModelCount;
}

/* Closes Value and checks the outcome against the model. */
static VOID FuzzClose(PEX_HANDLE_TABLE Table, ULONG_PTR Value) {
    ULONG Index = ModelFind(Value);
    PVOID Object = NULL;
    XTSTATUS Status = ExDestroyHandle(Table, (HANDLE)Value, &Object, NULL);

    if (Index == MODEL_HANDLES) {
        FUZZ_CHECK(Status == STATUS_INVALID_HANDLE);
        return;
    }
    FUZZ_CHECK(Status == STATUS_SUCCESS && Object == Model[Index].Object);
    ModelRemove(Index);
}

static VOID FuzzLookup(PEX_HANDLE_TABLE Table, ULONG_PTR Value) {
    ULONG Index = ModelFind(Value);
    PEX_HANDLE_TABLE_ENTRY Entry = ExMapHandleToEntry(Table, (HANDLE)Value);

    if (Index == MODEL_HANDLES) {
        FUZZ_CHECK(Entry == NULL);
        return;
    }
    FUZZ_CHECK(Entry != NULL && (PVOID)(Entry->Object & ~EX_HANDLE_ENTRY_LOCKED) == Model[Index].Object);
    ExUnlockHandleTableEntry(Table, Entry);
}

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
    FUZZ_INPUT Input = {Data, Size};
    static EX_HANDLE_TABLE Table;
    ULONG Id = 0;

    ModelCount = 0;
    FUZZ_CHECK(ExInitializeHandleTable(&Table, &FuzzPages) == STATUS_SUCCESS);
    while (Input.Size > 0) {
        switch (FuzzTake8(&Input) % 6) {
            case 0:
                FuzzCreate(&Table, Id++);
                break;
            case 1: /* a burst: enough handles to need new pages and table levels */
                for (ULONG Count = FuzzTake16(&Input) % 2048; Count > 0; Count--) {
                    FuzzCreate(&Table, Id++);
                }
                break;
            case 2:
                if (ModelCount > 0) {
                    FuzzClose(&Table, Model[FuzzTake16(&Input) % ModelCount].Value | (FuzzTake8(&Input) & 3));
                }
                break;
            case 3: /* close the most recent handles first: the table shrinks */
                for (ULONG Count = FuzzTake16(&Input) % 2048; Count > 0 && ModelCount > 0; Count--) {
                    FuzzClose(&Table, Model[ModelCount - 1].Value);
                }
                break;
            case 4:
                FuzzLookup(&Table, FuzzTake32(&Input));
                break;
            default:
                FuzzClose(&Table, FuzzTake32(&Input));
                break;
        }
    }
    FUZZ_CHECK(ExCheckHandleTable(&Table) == 0);
    FUZZ_CHECK(Table.HandleCount == ModelCount);
    for (ULONG Index = 0; Index < ModelCount; Index++) {
        FuzzLookup(&Table, Model[Index].Value);
    }
    ExDestroyHandleTable(&Table, NULL, NULL);
    FUZZ_CHECK(PagesOut == 0);
    while (ModelCount > 0) {
        ModelRemove(ModelCount - 1);
    }
    return 0;
}
