/* Reference page walker for host tests: translates a VA through page tables in simulated physical memory, written
 * from the Intel SDM independently of the code under test (the loader's builder, the kernel's mapper). */
#ifndef XT_TESTING_PAGEWALK_H
#define XT_TESTING_PAGEWALK_H

#include <xtboot.h>

/* Reads Size (4 or 8) bytes of simulated physical memory at Address. */
typedef ULONGLONG (*PPW_READ_PHYSICAL)(ULONGLONG Address, ULONG Size);

typedef struct _PW_RESULT {
    BOOLEAN Present;
    BOOLEAN Writable;   /* every level allows writes */
    BOOLEAN Executable; /* no level sets NX (PML2 has no NX) */
    ULONGLONG Physical; /* of the page */
} PW_RESULT;

/* Walks Va in paging Mode (XT_PAGING_MODE) from the top-level table at Root. */
PW_RESULT PwWalk(ULONG Mode, ULONGLONG Root, ULONGLONG Va, PPW_READ_PHYSICAL Read);

#endif
