/* Kernel facts for the amd64 build. */
#include "../ke.h"

const CHAR KeArchName[] = "amd64";
