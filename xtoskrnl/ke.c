#include <xtbase.h>
static PVOID Table[4] = {0};
VOID KiSystemStartup(PVOID Block) { Table[1] = Block; for (;;) {} }
