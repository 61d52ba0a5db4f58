/* RtlTimeLibcSuite (host only): RtlTimeFieldsToTime / RtlTimeToTimeFields against glibc's timegm and gmtime for every
 * day from 1601 to 3000 at a random second, and for random instants up to year 30000. */
#define _DEFAULT_SOURCE
#include <stdlib.h>
#include <time.h>

#include "rtl_suites.h"
#include "rtl_test_util.h"

#define UNIX_EPOCH_SECONDS 11644473600LL
#define TICKS_PER_SECOND   10000000LL

/* TRUE when Fields (to the second) equal Tm. */
static BOOLEAN FieldsMatch(const TIME_FIELDS *Fields, const struct tm *Tm) {
    return (BOOLEAN)(Fields->Year == Tm->tm_year + 1900 && Fields->Month == Tm->tm_mon + 1 &&
                     Fields->Day == Tm->tm_mday && Fields->Hour == Tm->tm_hour && Fields->Minute == Tm->tm_min &&
                     Fields->Second == Tm->tm_sec && Fields->Weekday == Tm->tm_wday);
}

XTEST(EveryDayAgainstTimegm) {
    RTL_TEST_RANDOM Random = {0xDA7E};
    time_t Day = (time_t)-UNIX_EPOCH_SECONDS; /* 1601-01-01 */
    ULONG Failures = 0;
    ULONG Days = 0;

    for (;; Day += 86400) {
        time_t Unix = Day + (time_t)RtlTestRandomBelow(&Random, 86400);
        struct tm Tm;
        TIME_FIELDS Fields;
        LARGE_INTEGER Time;

        XTEST_ASSERT(gmtime_r(&Unix, &Tm) != NULL);
        if (Tm.tm_year + 1900 > 3000) {
            break;
        }
        Days++;
        Fields = (TIME_FIELDS){(SHORT)(Tm.tm_year + 1900),
                               (SHORT)(Tm.tm_mon + 1),
                               (SHORT)Tm.tm_mday,
                               (SHORT)Tm.tm_hour,
                               (SHORT)Tm.tm_min,
                               (SHORT)Tm.tm_sec,
                               0,
                               0};
        if (!RtlTimeFieldsToTime(&Fields, &Time) ||
            Time.QuadPart != ((LONGLONG)Unix + UNIX_EPOCH_SECONDS) * TICKS_PER_SECOND || timegm(&Tm) != Unix) {
            Failures++;
        }
        Time.QuadPart = ((LONGLONG)Unix + UNIX_EPOCH_SECONDS) * TICKS_PER_SECOND;
        if (!RtlTimeToTimeFields(&Time, &Fields) || !FieldsMatch(&Fields, &Tm) || Fields.Milliseconds != 0) {
            Failures++;
        }
    }
    XTEST_CHECK_EQ(Failures, 0);
    XTEST_CHECK_EQ(Days, 511339);
}

XTEST(RandomInstantsAgainstGmtime) {
    RTL_TEST_RANDOM Random = {0x5EC07D};
    ULONG Failures = 0;
    ULONG Round;
    /* 1601-01-01 .. 30000-01-01 in seconds since 1601. */
    const ULONGLONG Span = 884541340800ULL + UNIX_EPOCH_SECONDS;

    for (Round = 0; Round < 1000000; Round++) {
        ULONGLONG Seconds = RtlTestRandom(&Random) % Span;
        time_t Unix = (time_t)((LONGLONG)Seconds - UNIX_EPOCH_SECONDS);
        ULONG Ms = RtlTestRandomBelow(&Random, 1000);
        LARGE_INTEGER Time = {.QuadPart = (LONGLONG)Seconds * TICKS_PER_SECOND + Ms * 10000LL + 9999};
        LARGE_INTEGER Back;
        TIME_FIELDS Fields;
        struct tm Tm;

        if (gmtime_r(&Unix, &Tm) == NULL || !RtlTimeToTimeFields(&Time, &Fields) || !FieldsMatch(&Fields, &Tm) ||
            Fields.Milliseconds != (SHORT)Ms || !RtlTimeFieldsToTime(&Fields, &Back) ||
            Back.QuadPart != Time.QuadPart - 9999) {
            Failures++;
        }
    }
    XTEST_CHECK_EQ(Failures, 0);
}

XTEST_SUITE(RtlTimeLibcSuite, XTEST_ENTRY(EveryDayAgainstTimegm), XTEST_ENTRY(RandomInstantsAgainstGmtime));
