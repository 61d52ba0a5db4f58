/* XTLDR facts for the amd64 (x86_64 UEFI) build. */
#include <xtpecoff.h>

#include "../xtldr.h"

const USHORT BlArchMachine = IMAGE_FILE_MACHINE_AMD64;
const CHAR BlArchName[] = "amd64";
