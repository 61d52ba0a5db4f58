/* The embedded symbol table's placeholder: KSYM_RESERVED_BYTES in read-only data, starting with the magic the
 * build's ksymgen looks for; it writes the table of the linked image over it (ksyms.h). */
#include "ki.h"

__attribute__((aligned(16))) const UCHAR KiSymbolTable[KSYM_RESERVED_BYTES] = KSYM_MAGIC_EMPTY;
