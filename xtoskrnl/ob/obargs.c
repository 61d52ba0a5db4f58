/* The executive objects' argument checks that need no dispatcher (host-tested in ob_test; ob/obexec.c uses them). */
#include "obp.h"

XTSTATUS ObCheckWaitArguments(ULONG Count, const HANDLE *Handles, WAIT_TYPE WaitType) {
    if (Count == 0 || Count > MAXIMUM_WAIT_OBJECTS || Handles == NULL || (WaitType != WaitAll && WaitType != WaitAny)) {
        return STATUS_INVALID_PARAMETER;
    }
    return STATUS_SUCCESS;
}

XTSTATUS ObCheckSemaphoreArguments(LONG InitialCount, LONG MaximumCount) {
    if (MaximumCount <= 0 || InitialCount < 0 || InitialCount > MaximumCount) {
        return STATUS_INVALID_PARAMETER;
    }
    return STATUS_SUCCESS;
}
