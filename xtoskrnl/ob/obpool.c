/* The Object Manager's memory in the kernel: the non-paged pool (objects are charged to their type's tag) and the
 * pages of handle tables. */
#include <mm.h>

#include "obp.h"

PVOID ObpAllocatePool(SIZE_T Size, ULONG Tag) {
    return MmAllocatePool(NonPagedPool, Size, Tag);
}

VOID ObpFreePool(PVOID Block, ULONG Tag) {
    MmFreePool(Block, Tag);
}

static PVOID ObpAllocateTablePage(PVOID Context) {
    (VOID) Context;
    return MmAllocatePool(NonPagedPool, EX_HANDLE_PAGE_SIZE, OB_TAG_TABLE);
}

static VOID ObpFreeTablePage(PVOID Context, PVOID Page) {
    (VOID) Context;
    MmFreePool(Page, OB_TAG_TABLE);
}

const EX_HANDLE_TABLE_PAGES ObpHandleTablePages = {ObpAllocateTablePage, ObpFreeTablePage, NULL};
