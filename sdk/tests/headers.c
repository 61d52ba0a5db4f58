/* Compiles every SDK header together; their STATIC_ASSERTs check the layouts for the configuration at hand. */
#include <xtbase.h>
#include <xtstatus.h>
#include <xtuefi.h>
#include <xtpecoff.h>
#include <xtboot.h>

/* Pointer width this translation unit was compiled for (8 on amd64, 4 on i686). */
ULONG SdkPointerWidth(VOID) {
    return (ULONG)sizeof(UINTN);
}
