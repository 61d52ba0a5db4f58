/* RtlSha1OpensslSuite (host-only): RtlSha1* against OpenSSL's SHA1() over random messages and random update splits. */
#include <openssl/sha.h>

#include "rtl_test_util.h"
#include "xtest.h"

extern const XTEST_SUITE RtlSha1OpensslSuite;

#define TEST_MAX_MESSAGE 4200

XTEST(MatchesOpenssl) {
    static UCHAR Message[TEST_MAX_MESSAGE];
    RTL_TEST_RANDOM Random = {0x5EED5EED12345678ULL};
    ULONG Failures = 0;
    ULONG Round;

    for (Round = 0; Round < 4000; Round++) {
        /* Mostly short messages around the block size, some long ones. */
        SIZE_T Length =
            (Round % 8 == 0) ? RtlTestRandomBelow(&Random, TEST_MAX_MESSAGE + 1) : RtlTestRandomBelow(&Random, 200);
        UCHAR Expected[SHA_DIGEST_LENGTH];
        UCHAR Digest[RTL_SHA1_DIGEST_SIZE];
        RTL_SHA1_CONTEXT Context;
        SIZE_T Offset = 0;
        SIZE_T Index;

        for (Index = 0; Index < Length; Index++) {
            Message[Index] = (UCHAR)RtlTestRandom(&Random);
        }
        SHA1(Message, Length, Expected);
        RtlSha1Init(&Context);
        while (Offset < Length) {
            SIZE_T Take = RtlTestRandomBelow(&Random, (Round & 1) ? 8 : 300) + 1;
            if (Take > Length - Offset) {
                Take = Length - Offset;
            }
            RtlSha1Update(&Context, Message + Offset, Take);
            Offset += Take;
        }
        RtlSha1Final(&Context, Digest);
        if (RtlCompareMemory(Digest, Expected, sizeof(Digest)) != sizeof(Digest)) {
            if (Failures++ < 5) {
                XtestPrint("    SHA-1 mismatch: round %u, length %zu\n", Round, Length);
            }
        }
    }
    XTEST_CHECK_EQ(Failures, 0);
}

XTEST(DetectsDifference) {
    UCHAR Expected[SHA_DIGEST_LENGTH];
    UCHAR Digest[RTL_SHA1_DIGEST_SIZE];

    /* The comparison above is meaningful: different inputs give different digests. */
    SHA1((const UCHAR *)"abd", 3, Expected);
    RtlSha1Digest("abc", 3, Digest);
    XTEST_CHECK(RtlCompareMemory(Digest, Expected, sizeof(Digest)) != sizeof(Digest));
    SHA1((const UCHAR *)"abc", 3, Expected);
    XTEST_CHECK_EQ(RtlCompareMemory(Digest, Expected, sizeof(Digest)), sizeof(Digest));
}

XTEST_SUITE(RtlSha1OpensslSuite, XTEST_ENTRY(MatchesOpenssl), XTEST_ENTRY(DetectsDifference));
