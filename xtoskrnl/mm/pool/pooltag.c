/* Non-paged pool: per-tag statistics (a fixed open-addressing table) and their report. */
#include "poolp.h"

PMI_POOL_TAG_ENTRY MiPoolFindTagSlow(PMI_POOL_DESCRIPTOR Pool, ULONG Tag, BOOLEAN Create) {
    ULONG Index = (ULONG)(Tag * 0x9E3779B1u) >> (32 - MI_POOL_TAG_TABLE_SHIFT);
    ULONG Probes;

    for (Probes = 0; Probes < MI_POOL_TAG_TABLE_SIZE; Probes++) {
        PMI_POOL_TAG_ENTRY Entry = &Pool->Tags[Index];

        if (Entry->Key == MI_POOL_TAG_KEY(Tag)) {
            return Entry;
        }
        if (Entry->Key == 0) {
            if (!Create || Pool->TagsUsed >= MI_POOL_TAG_TABLE_LIMIT) {
                break;
            }
            Entry->Key = MI_POOL_TAG_KEY(Tag);
            Pool->TagsUsed++;
            return Entry;
        }
        Index = (Index + 1) & (MI_POOL_TAG_TABLE_SIZE - 1);
    }
    return &Pool->OverflowTag;
}

VOID MiSumPoolTag(PMI_POOL_DESCRIPTOR Pool, const MI_POOL_TAG_ENTRY *Entry, PMM_POOL_TAG_STATISTICS Statistics) {
    ULONG Number, Slot = MiPoolTagSlot((ULONG)Entry->Key);

    Statistics->Tag = (ULONG)Entry->Key;
    Statistics->Allocations = Entry->Allocations;
    Statistics->Frees = Entry->Frees;
    Statistics->BytesInUse = Entry->BytesInUse;
    if (Entry == &Pool->OverflowTag) {
        return;
    }
    for (Number = 0; Number < Pool->ProcessorCount; Number++) {
        for (ULONG Way = 0; Way < 2; Way++) {
            const MI_POOL_PP_TAG *Counts = &Pool->Processors[Number].Tags[Slot + Way];

            if (Counts->Key == MI_POOL_SLOT_KEY((ULONG)Entry->Key)) {
                Statistics->Allocations += Counts->Allocations;
                Statistics->Frees += Counts->Frees;
                Statistics->BytesInUse += Counts->Granules << MI_POOL_GRANULE_SHIFT;
            }
        }
    }
}

BOOLEAN MiQueryPoolTag(PMI_POOL_DESCRIPTOR Pool, ULONG Tag, PMM_POOL_TAG_STATISTICS Statistics) {
    PMI_POOL_TAG_ENTRY Entry = MiPoolFindTag(Pool, Tag, FALSE);

    if (Entry == &Pool->OverflowTag && Tag != MI_POOL_OVERFLOW_TAG) {
        RtlZeroMemory(Statistics, sizeof(*Statistics));
        Statistics->Tag = Tag;
        return FALSE;
    }
    MiSumPoolTag(Pool, Entry, Statistics);
    return TRUE;
}

VOID MiQueryPoolStatistics(PMI_POOL_DESCRIPTOR Pool, PMM_POOL_STATISTICS Statistics) {
    ULONG Number, Index;

    Statistics->SmallPages = Pool->SmallPages;
    Statistics->EmptyPages = Pool->EmptyPages;
    Statistics->FreeBlocks = Pool->FreeBlocks;
    Statistics->LookasideBlocks = Pool->LookasideBlocks;
    Statistics->BigAllocations = Pool->BigCount;
    Statistics->BigPages = Pool->BigPages;
    Statistics->BigCachedPages = Pool->BigCachedPages;
    Statistics->Allocations = Pool->Allocations;
    Statistics->Frees = Pool->Frees;
    Statistics->FailedAllocations = Pool->FailedAllocations;
    Statistics->TagsTracked = Pool->TagsUsed;
    for (Number = 0; Number < Pool->ProcessorCount; Number++) {
        const MI_POOL_PROCESSOR *Processor = &Pool->Processors[Number];

        for (Index = 0; Index < MI_POOL_PP_TAGS; Index++) {
            Statistics->Allocations += Processor->Tags[Index].Allocations;
            Statistics->Frees += Processor->Tags[Index].Frees;
        }
        for (Index = 0; Index < MI_POOL_PP_LISTS; Index++) {
            Statistics->LookasideBlocks += Processor->Depth[Index];
        }
    }
}

/* Formats through Output. */
static VOID MiPoolPrint(PRTL_OUTPUT_ROUTINE Output, PVOID Context, PCSTR Format, ...) {
    va_list Arguments;

    va_start(Arguments, Format);
    RtlFormatOutput(Output, Context, Format, Arguments);
    va_end(Arguments);
}

/* Prints one statistics line; the tag's bytes in memory order, unprintable ones as '.'. */
static VOID MiPrintTagLine(PRTL_OUTPUT_ROUTINE Output, PVOID Context, const MM_POOL_TAG_STATISTICS *Entry) {
    CHAR Name[5];
    ULONG Index;

    for (Index = 0; Index < 4; Index++) {
        CHAR Character = (CHAR)(Entry->Tag >> (8 * Index));
        Name[Index] = (Character >= 0x20 && Character < 0x7F) ? Character : '.';
    }
    Name[4] = 0;
    MiPoolPrint(Output, Context, "%s %12zu %12zu %12zu %14zu\n", Name, (SIZE_T)Entry->Allocations, (SIZE_T)Entry->Frees,
                (SIZE_T)(Entry->Allocations - Entry->Frees), Entry->BytesInUse);
}

VOID MiDumpPoolTags(PMI_POOL_DESCRIPTOR Pool, PRTL_OUTPUT_ROUTINE Output, PVOID Context) {
    MM_POOL_TAG_STATISTICS Statistics;
    SIZE_T Bytes = 0;
    ULONG Index;

    MiPoolPrint(Output, Context, "Tag  %12s %12s %12s %14s\n", "Allocs", "Frees", "Live", "Bytes");
    for (Index = 0; Index < MI_POOL_TAG_TABLE_SIZE; Index++) {
        if (Pool->Tags[Index].Key != 0) {
            MiSumPoolTag(Pool, &Pool->Tags[Index], &Statistics);
            MiPrintTagLine(Output, Context, &Statistics);
            Bytes += Statistics.BytesInUse;
        }
    }
    if (Pool->OverflowTag.Allocations != 0) {
        MiSumPoolTag(Pool, &Pool->OverflowTag, &Statistics);
        MiPrintTagLine(Output, Context, &Statistics);
        Bytes += Statistics.BytesInUse;
    }
    MiPoolPrint(Output, Context, "Total %zu tags, %zu bytes in use, %zu small pages, %zu big allocations\n",
                (SIZE_T)Pool->TagsUsed, Bytes, Pool->SmallPages, Pool->BigCount);
}
