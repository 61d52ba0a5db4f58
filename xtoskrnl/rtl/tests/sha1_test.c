/* RtlSha1Suite: FIPS 180 vectors, padding boundaries and update splits. */
#include "rtl_suites.h"
#include "rtl_test_util.h"

/* TRUE when Digest equals the 40-character hex string Expected. */
static BOOLEAN DigestEquals(const UCHAR Digest[RTL_SHA1_DIGEST_SIZE], PCSTR Expected) {
    CHAR Hex[2 * RTL_SHA1_DIGEST_SIZE + 1];
    ULONG Index;

    for (Index = 0; Index < RTL_SHA1_DIGEST_SIZE; Index++) {
        RtlFormatString(Hex + 2 * Index, 3, "%02x", Digest[Index]);
    }
    return RtlTestStringsEqual(Hex, Expected);
}

XTEST(FipsVectors) {
    static const CHAR Message448[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    static const CHAR Message896[] =
        "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmno"
        "pqrlmnopqrsmnopqrstnopqrstu";
    UCHAR Digest[RTL_SHA1_DIGEST_SIZE];

    RtlSha1Digest("", 0, Digest);
    XTEST_CHECK(DigestEquals(Digest, "da39a3ee5e6b4b0d3255bfef95601890afd80709"));
    RtlSha1Digest("abc", 3, Digest);
    XTEST_CHECK(DigestEquals(Digest, "a9993e364706816aba3e25717850c26c9cd0d89d"));
    RtlSha1Digest(Message448, sizeof(Message448) - 1, Digest);
    XTEST_CHECK(DigestEquals(Digest, "84983e441c3bd26ebaae4aa1f95129e5e54670f1"));
    RtlSha1Digest(Message896, sizeof(Message896) - 1, Digest);
    XTEST_CHECK(DigestEquals(Digest, "a49b2446a02c645bf419f995b67091253a04a259"));
}

XTEST(OneMillionA) {
    static UCHAR Chunk[1000];
    RTL_SHA1_CONTEXT Context;
    UCHAR Digest[RTL_SHA1_DIGEST_SIZE];
    ULONG Index;

    RtlFillMemory(Chunk, sizeof(Chunk), 'a');
    RtlSha1Init(&Context);
    for (Index = 0; Index < 1000; Index++) {
        RtlSha1Update(&Context, Chunk, sizeof(Chunk));
    }
    RtlSha1Final(&Context, Digest);
    XTEST_CHECK(DigestEquals(Digest, "34aa973cd4c4daa4f61eeb2bdbad27316534016f"));
}

XTEST(PaddingBoundaries) {
    /* Lengths 55, 56, 63 and 64 of 'a' (one or two padding blocks); values from Python's hashlib. */
    static const PCSTR Expected[] = {
        "c1c8bbdc22796e28c0e15163d20899b65621d65a", "c2db330f6083854c99d4b5bfb6e8f29f201be699",
        "03f09f5b158a7a8cdad920bddc29b81c18a551f5", "0098ba824b5c16427bd7a1122a5a442a25ec644d"};
    static const SIZE_T Lengths[] = {55, 56, 63, 64};
    UCHAR Message[64];
    UCHAR Digest[RTL_SHA1_DIGEST_SIZE];
    ULONG Index;

    RtlFillMemory(Message, sizeof(Message), 'a');
    for (Index = 0; Index < ARRAY_SIZE(Lengths); Index++) {
        RtlSha1Digest(Message, Lengths[Index], Digest);
        XTEST_CHECK(DigestEquals(Digest, Expected[Index]));
    }
}

XTEST(AnySplitGivesTheSameDigest) {
    static UCHAR Message[300];
    UCHAR Expected[RTL_SHA1_DIGEST_SIZE];
    UCHAR Digest[RTL_SHA1_DIGEST_SIZE];
    RTL_SHA1_CONTEXT Context;
    SIZE_T Step, Offset;
    ULONG Failures = 0;

    for (Offset = 0; Offset < sizeof(Message); Offset++) {
        Message[Offset] = (UCHAR)(Offset * 7 + 1);
    }
    RtlSha1Digest(Message, sizeof(Message), Expected);
    for (Step = 1; Step <= 130; Step++) {
        RtlSha1Init(&Context);
        for (Offset = 0; Offset < sizeof(Message); Offset += Step) {
            SIZE_T Take = (sizeof(Message) - Offset < Step) ? sizeof(Message) - Offset : Step;
            RtlSha1Update(&Context, Message + Offset, Take);
            RtlSha1Update(&Context, Message, 0);
        }
        RtlSha1Final(&Context, Digest);
        Failures += RtlCompareMemory(Digest, Expected, sizeof(Digest)) != sizeof(Digest);
    }
    XTEST_CHECK_EQ(Failures, 0);
    XTEST_CHECK(DigestEquals(Expected, "f680b09b4838489fb4ef588239ca2ee76bf1ffd8")); /* Python hashlib */
}

XTEST_SUITE(RtlSha1Suite, XTEST_ENTRY(FipsVectors), XTEST_ENTRY(OneMillionA), XTEST_ENTRY(PaddingBoundaries),
            XTEST_ENTRY(AnySplitGivesTheSameDigest));
