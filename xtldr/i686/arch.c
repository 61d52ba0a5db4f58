/* XTLDR facts for the i686 (ia32 UEFI) build. */
#include <xtpecoff.h>

#include "../xtldr.h"

const USHORT BlArchMachine = IMAGE_FILE_MACHINE_I386;
const CHAR BlArchName[] = "i686";
