/* XTEST: a freestanding unit-test framework. The same suites run on the host (cc_test) and in the kernel (SELFTEST). */
#ifndef XT_TESTING_XTEST_H
#define XT_TESTING_XTEST_H

#include <xtbase.h>

typedef struct _XTEST_CONTEXT {
    ULONG Passed;
    ULONG Failed;
    ULONG Checks;
    BOOLEAN CaseFailed;
    PCSTR SuiteName;
    PCSTR CaseName;
} XTEST_CONTEXT, *PXTEST_CONTEXT;

typedef VOID (*PXTEST_ROUTINE)(PXTEST_CONTEXT XtestContext);

typedef struct _XTEST_CASE {
    PCSTR Name;
    PXTEST_ROUTINE Routine;
} XTEST_CASE, *PXTEST_CASE;

typedef struct _XTEST_SUITE {
    PCSTR Name;
    const XTEST_CASE *Cases;
    ULONG Count;
} XTEST_SUITE, *PXTEST_SUITE;

/* Provided by the environment: the host runner (stdio) or the kernel (debug port). printf-style subset. */
VOID XtestPrint(PCSTR Format, ...);

/* Records one check; prints the failure with its location. Returns Condition. */
BOOLEAN XtestCheck(PXTEST_CONTEXT Context, BOOLEAN Condition, PCSTR Expression, PCSTR File, ULONG Line);

/* Records an equality check of two integers; prints both values on failure. Returns TRUE when equal. */
BOOLEAN XtestCheckEqual(PXTEST_CONTEXT Context, ULONGLONG Actual, ULONGLONG Expected, PCSTR ActualText,
                        PCSTR ExpectedText, PCSTR File, ULONG Line);

/* Runs every case of every suite, prints "XTEST: N passed, M failed" and returns M. */
ULONG XtestRunSuites(const XTEST_SUITE *const *Suites, ULONG Count);

/* A clock in microseconds (any origin). When XtestRunSuitesTimed gets one, it prints each suite's run time as
 * "XTEST-TIME <suite> <ms> ms" before the summary (where SELFTEST boots spend their time). */
typedef ULONGLONG (*PXTEST_CLOCK)(VOID);

/* XtestRunSuites with each suite timed on Clock (NULL: untimed). */
ULONG XtestRunSuitesTimed(const XTEST_SUITE *const *Suites, ULONG Count, PXTEST_CLOCK Clock);

#define XTEST(Name) static VOID Name(PXTEST_CONTEXT XtestContext)

/* CHECK records and continues; ASSERT records and leaves the test case on failure. */
#define XTEST_CHECK(Expression) XtestCheck(XtestContext, (Expression) ? TRUE : FALSE, #Expression, __FILE__, __LINE__)
#define XTEST_CHECK_EQ(Actual, Expected)                                                                               \
    XtestCheckEqual(XtestContext, (ULONGLONG)(Actual), (ULONGLONG)(Expected), #Actual, #Expected, __FILE__, __LINE__)
#define XTEST_ASSERT(Expression)                                                                                       \
    do {                                                                                                               \
        if (!XTEST_CHECK(Expression))                                                                                  \
            return;                                                                                                    \
    } while (0)
#define XTEST_ASSERT_EQ(Actual, Expected)                                                                              \
    do {                                                                                                               \
        if (!XTEST_CHECK_EQ(Actual, Expected))                                                                         \
            return;                                                                                                    \
    } while (0)

#define XTEST_ENTRY(Name)                                                                                              \
    { #Name, Name }

/* Defines a suite object named SuiteName from a list of XTEST_ENTRY(...) items. */
#define XTEST_SUITE(SuiteName, ...)                                                                                    \
    static const XTEST_CASE SuiteName##Cases[] = {__VA_ARGS__};                                                        \
    const XTEST_SUITE SuiteName = {#SuiteName, SuiteName##Cases, ARRAY_SIZE(SuiteName##Cases)}

/* In a host test binary (XTEST_HOST defined by the host runner), defines main() running the named suites. */
#ifdef XTEST_HOST
#define XTEST_HOST_MAIN(...)                                                                                           \
    int main(void) {                                                                                                   \
        static const XTEST_SUITE *const Suites[] = {__VA_ARGS__};                                                      \
        return XtestRunSuites(Suites, ARRAY_SIZE(Suites)) ? 1 : 0;                                                     \
    }
#else
#define XTEST_HOST_MAIN(...)
#endif

#endif
