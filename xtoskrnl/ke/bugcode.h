/* STOP codes (NT values) and the pure mapping from an exception to a STOP. Host-testable. */
#ifndef XTOSKRNL_KE_BUGCODE_H
#define XTOSKRNL_KE_BUGCODE_H

#include <xtbase.h>

#define KMODE_EXCEPTION_NOT_HANDLED           0x0000001E
#define PAGE_FAULT_IN_NONPAGED_AREA           0x00000050
#define UNEXPECTED_KERNEL_MODE_TRAP           0x0000007F
#define NMI_HARDWARE_FAILURE                  0x00000080
#define MACHINE_CHECK_EXCEPTION               0x0000009C
#define ATTEMPTED_WRITE_TO_READONLY_MEMORY    0x000000BE
#define ATTEMPTED_EXECUTE_OF_NOEXECUTE_MEMORY 0x000000FC
#define LOADER_BLOCK_MISMATCH                 0x00000100 /* the init block is unusable: see KI_LOADER_BLOCK_* */
#define KERNEL_SECURITY_CHECK_FAILURE         0x00000139 /* RtlFailFast */

/* LOADER_BLOCK_MISMATCH parameter 1. Parameters 2 and 3: the value found and the value expected. */
#define KI_LOADER_BLOCK_NULL        1
#define KI_LOADER_BLOCK_SIGNATURE   2
#define KI_LOADER_BLOCK_VERSION     3
#define KI_LOADER_BLOCK_SIZE        4
#define KI_LOADER_BLOCK_PAGING_MODE 5 /* parameter 3: the MMH_MODE_CHECK reason */
#define KI_LOADER_BLOCK_STACKS      6 /* kernel or panic stacks missing */
#define KI_LOADER_BLOCK_MEMORY_MAP  7 /* descriptor array missing or descriptor size too small */
#define KI_LOADER_BLOCK_RELOCATION  8 /* image not relocated for KernelVirtualBase; parameter 4: which check */

/* Page-fault error code bits. */
#define KI_PF_PRESENT 0x01
#define KI_PF_WRITE   0x02
#define KI_PF_FETCH   0x10

/* No exception (a KeBugCheckEx capture). */
#define KI_NO_VECTOR 0xFFFFFFFFu

/* What the STOP path needs to know about an exception, independent of the arch's frame. */
typedef struct _KI_TRAP_INFO {
    ULONG Vector;
    ULONG_PTR ErrorCode;
    ULONG_PTR InstructionPointer;
    ULONG_PTR StackPointer;
    ULONG_PTR FramePointer;
    ULONG_PTR FaultAddress; /* CR2 at entry */
} KI_TRAP_INFO, *PKI_TRAP_INFO;

typedef struct _KI_STOP {
    ULONG Code;
    ULONG_PTR Parameters[4];
} KI_STOP, *PKI_STOP;

/* Maps a kernel-mode exception to its STOP: #PF -> 0x50 (not present), 0xBE (write to read-only), 0xFC (fetch from
 * no-execute) with (address, write, IP, error code); NMI -> 0x80; #MC -> 0x9C; every other vector -> 0x7F with
 * (vector, error code, IP, stack pointer). */
VOID KiClassifyTrap(const KI_TRAP_INFO *Info, PKI_STOP Stop);

/* The NT name of a STOP code ("PAGE_FAULT_IN_NONPAGED_AREA"), or "UNKNOWN". */
PCSTR KiBugCheckName(ULONG Code);

/* The mnemonic of an exception vector ("#PF"), or "#??". */
PCSTR KiVectorName(ULONG Vector);

/* Walks a frame-pointer chain inside [StackLow, StackHigh): each frame is {previous frame pointer, return address};
 * stops at MaxFrames, a zero return address, a misaligned or out-of-stack frame pointer, or a chain that does not
 * go up the stack. Returns the number of return addresses stored. Reads only inside the bounds. */
ULONG KiWalkFrameChain(ULONG_PTR FramePointer, ULONG_PTR StackLow, ULONG_PTR StackHigh, PULONG_PTR ReturnAddresses,
                       ULONG MaxFrames);

/* Scans the stack words in [StackPointer, StackHigh) (StackPointer clamped to StackLow, at most MaxWords words) for
 * values inside [CodeBase, CodeBase + CodeSize): candidate return addresses when frame pointers do not chain (the
 * Windows x64 prologue leaves RBP below the callee-saved pushes). Returns the number stored (at most MaxFound). */
ULONG KiScanStackForCode(ULONG_PTR StackPointer, ULONG_PTR StackLow, ULONG_PTR StackHigh, ULONG_PTR CodeBase,
                         ULONG_PTR CodeSize, ULONG MaxWords, PULONG_PTR Found, ULONG MaxFound);

#endif
