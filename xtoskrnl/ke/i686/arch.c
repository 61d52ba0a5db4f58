/* Kernel facts for the i686 build. */
#include "../ke.h"

const CHAR KeArchName[] = "i686";
