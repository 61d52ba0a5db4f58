/* The deferred-shootdown batch, pure (batch.h). */
#include "batch.h"

MI_DEFER_RESULT MiQueueDeferredRange(PMI_DEFERRED_BATCH Batch, const MI_DEFERRED_RANGE *Range) {
    if (Batch->Count >= MI_DEFERRED_RANGES) {
        Batch->Statistics.FoundFull++;
        return MiDeferFoundFull;
    }
    Batch->Ranges[Batch->Count++] = *Range;
    Batch->Pages += Range->Count;
    Batch->Statistics.Deferred++;
    return Batch->Count == MI_DEFERRED_RANGES || Batch->Pages >= Batch->PageLimit ? MiDeferQueuedFull : MiDeferQueued;
}

ULONG MiTakeDeferredBatch(PMI_DEFERRED_BATCH Batch, MI_DEFERRED_RANGE Out[MI_DEFERRED_RANGES], PULONG_PTR Pages) {
    ULONG Count = Batch->Count < MI_DEFERRED_RANGES ? Batch->Count : MI_DEFERRED_RANGES;

    for (ULONG Index = 0; Index < Count; Index++) {
        Out[Index] = Batch->Ranges[Index];
    }
    *Pages = Batch->Pages;
    Batch->Count = 0;
    Batch->Pages = 0;
    if (Count != 0) {
        Batch->Statistics.Flushes++;
        Batch->Statistics.LargestBatch =
            Count > Batch->Statistics.LargestBatch ? Count : Batch->Statistics.LargestBatch;
    }
    return Count;
}

BOOLEAN MiIsDeferredBatchIntact(const MI_DEFERRED_BATCH *Batch) {
    return Batch->Count <= MI_DEFERRED_RANGES && Batch->Guard.Va == 0 && Batch->Guard.Count == 0 &&
           Batch->Guard.Index == 0 && Batch->Guard.Total == 0;
}
