#include <xtbase.h>
ULONG_PTR XtLdrEntry(PVOID ImageHandle, PVOID SystemTable) { return (ULONG_PTR)ImageHandle + (ULONG_PTR)SystemTable; }
