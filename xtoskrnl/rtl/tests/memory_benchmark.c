/* Host benchmark: 4 KiB page zeroing and copying, RTL (string instructions / word loops) against glibc.
 * Run optimised: bazel run -c opt //xtoskrnl/rtl/tests:memory_benchmark */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rtl.h>

#define PAGE    4096
#define REPEATS 15

typedef void (*BENCH_ROUTINE)(void *Destination, const void *Source);

static void RtlZeroPage(void *Destination, const void *Source) {
    (void)Source;
    RtlZeroMemory(Destination, PAGE);
}
static void RtlCopyPage(void *Destination, const void *Source) {
    RtlCopyMemory(Destination, Source, PAGE);
}
static void LibcZeroPage(void *Destination, const void *Source) {
    (void)Source;
    memset(Destination, 0, PAGE);
}
static void LibcCopyPage(void *Destination, const void *Source) {
    memcpy(Destination, Source, PAGE);
}

static double NowNs(void) {
    struct timespec Time;
    clock_gettime(CLOCK_MONOTONIC, &Time);
    return (double)Time.tv_sec * 1e9 + (double)Time.tv_nsec;
}

/* Best-of-REPEATS nanoseconds per page over Iterations operations cycling through Pages destination pages. */
static double Measure(BENCH_ROUTINE Routine, unsigned char *Destination, const unsigned char *Source, size_t Pages,
                      size_t Iterations) {
    BENCH_ROUTINE volatile Call = Routine;
    double Best = 1e30;

    for (int Repeat = 0; Repeat < REPEATS; Repeat++) {
        double Start = NowNs();
        for (size_t Index = 0; Index < Iterations; Index++) {
            size_t Page = Index % Pages;
            Call(Destination + Page * PAGE, Source + Page * PAGE);
            __asm__ volatile("" : : "r"(Destination) : "memory");
        }
        double Elapsed = (NowNs() - Start) / (double)Iterations;
        if (Elapsed < Best) {
            Best = Elapsed;
        }
    }
    return Best;
}

int main(void) {
    static const struct {
        const char *Name;
        size_t Pages;
    } Sets[] = {{"hot 1 page (L1)", 1}, {"64 pages (L2)", 64}, {"8192 pages (32 MiB, memory)", 8192}};
    unsigned char *Destination = aligned_alloc(PAGE, 8192 * PAGE);
    unsigned char *Source = aligned_alloc(PAGE, 8192 * PAGE);

    memset(Destination, 1, 8192 * PAGE);
    memset(Source, 2, 8192 * PAGE);
    BOOLEAN Erms = RtlSetStringInstructions(TRUE);
    RtlSetStringInstructions(Erms);
    printf("4 KiB pages, ns per page (GB/s), best of %d; CPU ERMS=%u\n", REPEATS, Erms);
    for (size_t Set = 0; Set < sizeof(Sets) / sizeof(Sets[0]); Set++) {
        size_t Pages = Sets[Set].Pages;
        size_t Iterations = Pages >= 8192 ? 16384 : 200000;
        double Results[6];
        RtlSetStringInstructions(TRUE);
        Results[0] = Measure(RtlZeroPage, Destination, Source, Pages, Iterations);
        Results[3] = Measure(RtlCopyPage, Destination, Source, Pages, Iterations);
        RtlSetStringInstructions(FALSE);
        Results[1] = Measure(RtlZeroPage, Destination, Source, Pages, Iterations);
        Results[4] = Measure(RtlCopyPage, Destination, Source, Pages, Iterations);
        RtlSetStringInstructions(Erms);
        Results[2] = Measure(LibcZeroPage, Destination, Source, Pages, Iterations);
        Results[5] = Measure(LibcCopyPage, Destination, Source, Pages, Iterations);
        printf("%s:\n", Sets[Set].Name);
        static const char *const Names[] = {"RtlZeroMemory rep stosb", "RtlZeroMemory word loop", "glibc memset",
                                            "RtlCopyMemory rep movsb", "RtlCopyMemory word loop", "glibc memcpy"};
        for (int Index = 0; Index < 6; Index++) {
            printf("  %-26s %8.1f ns  (%5.1f GB/s)\n", Names[Index], Results[Index], PAGE / Results[Index]);
        }
    }
    free(Destination);
    free(Source);
    return 0;
}
