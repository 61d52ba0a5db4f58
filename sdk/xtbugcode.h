/* STOP codes (NT values) and the meaning of their parameters: the one home of every code the kernel can stop with.
 * A STOP prints "*** STOP 0x<code> (P1, P2, P3, P4)" and the code's name (design.md section 5). */
#ifndef XT_SDK_XTBUGCODE_H
#define XT_SDK_XTBUGCODE_H

#include <xtbase.h>

/* RunLevel misuse (KeRaiseRunLevel / KeLowerRunLevel): P1 the current RunLevel, P2 the requested one, P3 0, P4 the
 * caller's address. A call above an API's RunLevel limit (pool, PFN allocator): P1 the current RunLevel, P2 the
 * API's limit, P3 IRQL_CALL_ABOVE_LIMIT, P4 the caller's address. */
#define IRQL_NOT_GREATER_OR_EQUAL 0x00000009 /* raise to a level below the current one */
#define IRQL_NOT_LESS_OR_EQUAL                                                                                         \
    0x0000000A /* lower to a level above the current one, raise above HIGH_LEVEL, or an API                            \
                  called above its limit */
#define IRQL_CALL_ABOVE_LIMIT 1
/* An ...AtDpcLevel spin-lock call below DISPATCH_LEVEL is IRQL_NOT_GREATER_OR_EQUAL with P1 the current RunLevel,
 * P2 DISPATCH_LEVEL, P3 the lock, P4 the caller's address. */
/* A DPC routine returned at another RunLevel than DISPATCH_LEVEL: P1 the level it returned at, P2 DISPATCH_LEVEL,
 * P3 the routine, P4 the DPC. */
#define IRQL_UNEXPECTED_VALUE 0x000000C8

/* Spin locks (ke/kelock.h). A plain lock: P1 the lock, P2 its value (the holder's tag: processor number + 1; 0 free),
 * P3 the current processor's tag, P4 the caller's address. A queued lock: P1 the lock, P2 the queue entry's Lock field
 * (the lock | LOCK_QUEUE_WAIT 1 / LOCK_QUEUE_OWNER 2), P3 the entry, P4 the caller's address. */
#define SPIN_LOCK_ALREADY_OWNED 0x0000000F /* taking a lock this processor (or this queue entry) already holds */
#define SPIN_LOCK_NOT_OWNED     0x00000010 /* freeing a lock this processor (or this queue entry) does not hold */

/* The processor lacks an instruction the kernel needs: P1 the CPUID leaf, P2 the register (0 EAX, 1 EBX, 2 ECX,
 * 3 EDX), P3 the bit, P4 0. amd64 needs CMPXCHG16B (leaf 1 ECX bit 13), i686 CMPXCHG8B (leaf 1 EDX bit 8). */
#define UNSUPPORTED_PROCESSOR 0x0000005D

/* The Object Manager (ob/). OBJECT_INITIALIZATION_FAILED: ObInitializeSystem could not build its types, tables or
 * directories (P1 the step OB_INIT_*, P2 the status). REFERENCE_BY_POINTER: an object's pointer count went below
 * zero (P1 its type, P2 the object, P3 the count after the decrement, P4 the caller's address). */
#define OBJECT_INITIALIZATION_FAILED 0x0000005E
#define REFERENCE_BY_POINTER         0x00000018

/* Processes (ke/process.c), NT's codes. INVALID_PROCESS_ATTACH_ATTEMPT: KeAttachProcess by a thread that is attached
 * already (P1 the process, P2 the process it is attached to, P3 its ApcStateIndex, P4 its innermost stack-attach
 * state), or a thread that terminates while attached (P1 its own process, P2 the attached one, P3 its ApcStateIndex,
 * P4 the thread). INVALID_PROCESS_DETACH_ATTEMPT: KeDetachProcess undoing a KeStackAttachProcess, or
 * KeUnstackDetachProcess with a state that is not the thread's innermost attach (P1 the state or 0, P2 the thread,
 * P3 the process it is attached to, P4 its innermost stack-attach state). PROCESS_DELETED_IN_USE (XT's own): a
 * process deleted with live threads or attached threads (P1 the process, P2 its live threads, P3 the threads attached
 * to it, P4 0). */
#define INVALID_PROCESS_ATTACH_ATTEMPT 0x00000005
#define INVALID_PROCESS_DETACH_ATTEMPT 0x00000006
#define PROCESS_DELETED_IN_USE         0x000001E2

/* The dispatcher (ke/wait.c): a wait naming no object or more than MAXIMUM_WAIT_OBJECTS (or more than
 * THREAD_WAIT_OBJECTS without a wait block array). P1 the count, P2 the wait block array, P3 the thread. */
#define MAXIMUM_WAIT_OBJECTS_EXCEEDED 0x0000000C

/* Pool: P1 is one of BPH_* / BPC_* below. */
#define BAD_POOL_HEADER                         0x00000019
#define MEMORY_MANAGEMENT                       0x0000001A /* P1: MM_* below */
#define KMODE_EXCEPTION_NOT_HANDLED             0x0000001E
#define NO_PAGES_AVAILABLE                      0x0000004D /* a demand-zero fault found no frame: P1 address, P4 IP */
#define PFN_LIST_CORRUPT                        0x0000004E /* P1: PFN_* below */
#define PAGE_FAULT_IN_NONPAGED_AREA             0x00000050 /* P1 address, P2 write, P3 IP, P4 error code (+PF_*) */
#define UNEXPECTED_KERNEL_MODE_TRAP             0x0000007F /* P1 vector, P2 error code, P3 IP, P4 stack pointer */
#define NMI_HARDWARE_FAILURE                    0x00000080
#define MACHINE_CHECK_EXCEPTION                 0x0000009C
#define ATTEMPTED_WRITE_TO_READONLY_MEMORY      0x000000BE
#define SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION 0x000000C1 /* P1 address, P2 first corrupt byte, P3 size, P4 SPC_* */
#define BAD_POOL_CALLER                         0x000000C2
#define SYSTEM_PTE_MISUSE                       0x000000DA /* P1: PTE_MISUSE_* below */
#define MANUALLY_INITIATED_CRASH                0x000000E2 /* TESTFAULT=APSTOP: P1 the processor that stopped */
#define ATTEMPTED_EXECUTE_OF_NOEXECUTE_MEMORY   0x000000FC
#define LOADER_BLOCK_MISMATCH                   0x00000100 /* P1: LOADER_BLOCK_* below; P2 found, P3 expected */
#define KERNEL_SECURITY_CHECK_FAILURE           0x00000139 /* RtlFailFast: P1 the RTL_FAILFAST_* code */
#define IPI_WATCHDOG_TIMEOUT                                                                                           \
    0x000001DB                            /* P1 never entered (mask), P2 sender, P3 function, P4 entered, not returned \
                                           */
#define KERNEL_UBSAN_VIOLATION 0x000001E0 /* XT's own: a UBSan check failed (sanitized kernel) */
/* XT's own, until issue 11's PsTerminateSystemThread: a thread's start routine returned and no termination hook took
 * it away (ke/thread.c KiRunThread). P1 the KTHREAD, P2 its start routine, P3 its start context, P4 1 when a hook
 * was installed but returned. */
#define SYSTEM_THREAD_RETURNED 0x000001E1

/* Page faults (mm/fault.c, docs/memory-manager.md). P2 of PAGE_FAULT_IN_NONPAGED_AREA is 1 for a write, else 0.
 * - PAGE_FAULT_IN_NONPAGED_AREA: P4 the error code; PF_GUARD_PAGE added when the PTE is a guard page.
 * - IRQL_NOT_LESS_OR_EQUAL for pageable memory touched above APC_LEVEL: P1 address, P2 the RunLevel, P3 PF_ACCESS_*
 *   bits, P4 IP.
 * - ATTEMPTED_WRITE_TO_READONLY_MEMORY, ATTEMPTED_EXECUTE_OF_NOEXECUTE_MEMORY: P1 address, P2 the PTE, P3 IP, P4 the
 *   error code. */
#define PF_GUARD_PAGE   0x10000
#define PF_ACCESS_WRITE 0x1
#define PF_ACCESS_FETCH 0x8

/* LOADER_BLOCK_MISMATCH parameter 1: the init block is unusable. */
#define LOADER_BLOCK_NULL        1
#define LOADER_BLOCK_SIGNATURE   2
#define LOADER_BLOCK_VERSION     3
#define LOADER_BLOCK_SIZE        4
#define LOADER_BLOCK_PAGING_MODE 5 /* P3: the MMH_MODE_CHECK reason */
#define LOADER_BLOCK_STACKS      6 /* kernel or panic stacks missing */
#define LOADER_BLOCK_MEMORY_MAP  7 /* descriptor array missing, descriptor size too small, or more than fit */
#define LOADER_BLOCK_RELOCATION  8 /* image not relocated for KernelVirtualBase; P4: which check */

/* MEMORY_MANAGEMENT parameter 1. */
#define MM_START_UP_FAILED 0x1000 /* P2 the failing step (MM_STEP_*), P3 its status */
#define MM_POOL_CHECK      0x1001 /* the non-paged pool failed its start-up check: P2 status, P3 consistency errors */
#define MM_SPACE_IN_USE    0x1002 /* an address space deleted while processors run in it: P2 the space, P3 their mask */

/* PFN_LIST_CORRUPT parameter 1. */
#define PFN_BAD_FREE 0x99 /* P2 frame, P3 its state (~0: no such frame) */

/* SYSTEM_PTE_MISUSE parameter 1. */
#define PTE_MISUSE_NOT_MAPPED    0x100 /* P2 VA: a system page freed that was not mapped */
#define PTE_MISUSE_BAD_FREE      0x101 /* P2 VA, P3 count, P4 flags: not a range MmAllocateSystemPages returned */
#define PTE_MISUSE_BATCH_OVERRUN 0x102 /* P2 ranges in the deferred batch, P3/P4 its guard's Va/Count: overrun */

/* BAD_POOL_HEADER parameter 1. */
#define BPH_FREE_LIST_CORRUPT   0x03 /* P2 entry, P3 read-back flink/next, P4 read-back blink/check */
#define BPH_NEIGHBOURS_DISAGREE 0x05 /* P2 entry, P3 0, P4 the neighbour whose size disagrees */
#define BPH_BLOCK_SIZE_CORRUPT  0x07 /* P2 0, P3 header contents, P4 the header */
#define BPH_FREED_BLOCK_CHANGED 0x0D /* P2 header, P3 header contents, P4 expected block size */
#define BPH_NEXT_BLOCK_CORRUPT  0x21 /* P2 block being freed, P3 the corrupt next header, P4 the page */

/* BAD_POOL_CALLER parameter 1. */
#define BPC_HEADER_CORRUPT 0x01 /* P2 header, P3 header contents, P4 0 */
#define BPC_DOUBLE_FREE    0x07 /* P2 0, P3 header contents, P4 the address being freed */
#define BPC_WRONG_TAG      0x0A /* P2 address, P3 allocator's tag, P4 tag used to free */
#define BPC_BAD_ADDRESS    0x46 /* P2 address, P3 0, P4 0: not a pool block */

/* SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION parameter 4. */
#define SPC_BEFORE_BLOCK_CHANGED 0x23
#define SPC_AFTER_BLOCK_CHANGED  0x24

/* KERNEL_UBSAN_VIOLATION parameter 1: the check that failed (xtoskrnl/ke/ubsan.c). Parameter 2: the source line (the
 * report line before the STOP names file, line and column). Parameters 3 and 4: the operands where the check has them
 * (left/right, pointer/alignment, base/result, index), else 0. */
#define UBSAN_NULL                 1
#define UBSAN_ALIGNMENT            2
#define UBSAN_OBJECT_SIZE          3
#define UBSAN_SIGNED_OVERFLOW      4
#define UBSAN_UNSIGNED_OVERFLOW    5
#define UBSAN_DIVIDE_BY_ZERO       6
#define UBSAN_SHIFT_EXPONENT       7
#define UBSAN_SHIFT_BASE           8
#define UBSAN_BOUNDS               9
#define UBSAN_POINTER_OVERFLOW     10
#define UBSAN_UNREACHABLE          11
#define UBSAN_VLA_BOUND            12
#define UBSAN_INVALID_VALUE        13
#define UBSAN_BUILTIN              14
#define UBSAN_NONNULL_ARGUMENT     15
#define UBSAN_NONNULL_RETURN       16
#define UBSAN_FUNCTION             17
#define UBSAN_ALIGNMENT_ASSUMPTION 18

#endif
