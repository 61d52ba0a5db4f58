/* XT SDK: the test-exit protocol (design.md section 5): codes written to QEMU's isa-debug-exit port. */
#ifndef XT_SDK_XTTEST_H
#define XT_SDK_XTTEST_H

#include <xtintrin.h>

#define XT_TEST_EXIT_PORT            0xF4
#define XT_TEST_EXIT_SUCCESS         0x10 /* clean boot, self-tests passed; QEMU status 33 */
#define XT_TEST_EXIT_SELFTEST_FAILED 0x11 /* QEMU status 35 */
#define XT_TEST_EXIT_STOP            0x12 /* a STOP; QEMU status 37 */
#define XT_TEST_EXIT_LOADER_ERROR    0x13 /* XTLDR failed; QEMU status 39 */

/* QEMU fw_cfg file the test harness sets so a failure before the parameters are known still ends the run. */
#define XT_TEST_FW_CFG_FILE "opt/xtos/testexit"

/* Ends a QEMU run through isa-debug-exit; on other machines the write is ignored and the CPU halts. */
XTINLINE XTNORETURN VOID XtTestExit(UCHAR Code) {
    HlWritePort32(XT_TEST_EXIT_PORT, Code);
    ArHaltSystem();
}

#endif
