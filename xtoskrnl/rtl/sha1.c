/* SHA-1 (FIPS 180-4): streaming and one-shot. */
#include <rtl.h>

XTINLINE ULONG RtlpRotateLeft(ULONG Value, ULONG Count) {
    return (Value << Count) | (Value >> (32 - Count));
}

/* Hashes one 64-byte block into State. */
static VOID RtlpSha1Transform(ULONG State[5], const UCHAR Block[RTL_SHA1_BLOCK_SIZE]) {
    ULONG Schedule[16];
    ULONG A = State[0], B = State[1], C = State[2], D = State[3], E = State[4];
    ULONG Round;

    for (Round = 0; Round < 16; Round++) {
        Schedule[Round] = ((ULONG)Block[4 * Round] << 24) | ((ULONG)Block[4 * Round + 1] << 16) |
                          ((ULONG)Block[4 * Round + 2] << 8) | (ULONG)Block[4 * Round + 3];
    }
    for (Round = 0; Round < 80; Round++) {
        ULONG Function;
        ULONG Constant;
        ULONG Word;
        if (Round >= 16) {
            Word = Schedule[(Round + 13) & 15] ^ Schedule[(Round + 8) & 15] ^ Schedule[(Round + 2) & 15] ^
                   Schedule[Round & 15];
            Schedule[Round & 15] = RtlpRotateLeft(Word, 1);
        }
        if (Round < 20) {
            Function = (B & C) | (~B & D);
            Constant = 0x5A827999;
        } else if (Round < 40) {
            Function = B ^ C ^ D;
            Constant = 0x6ED9EBA1;
        } else if (Round < 60) {
            Function = (B & C) | (B & D) | (C & D);
            Constant = 0x8F1BBCDC;
        } else {
            Function = B ^ C ^ D;
            Constant = 0xCA62C1D6;
        }
        Word = RtlpRotateLeft(A, 5) + Function + E + Constant + Schedule[Round & 15];
        E = D;
        D = C;
        C = RtlpRotateLeft(B, 30);
        B = A;
        A = Word;
    }
    State[0] += A;
    State[1] += B;
    State[2] += C;
    State[3] += D;
    State[4] += E;
}

VOID RtlSha1Init(PRTL_SHA1_CONTEXT Context) {
    Context->State[0] = 0x67452301;
    Context->State[1] = 0xEFCDAB89;
    Context->State[2] = 0x98BADCFE;
    Context->State[3] = 0x10325476;
    Context->State[4] = 0xC3D2E1F0;
    Context->Length = 0;
}

VOID RtlSha1Update(PRTL_SHA1_CONTEXT Context, PCVOID Data, SIZE_T Length) {
    const UCHAR *Bytes = Data;
    SIZE_T Used = (SIZE_T)(Context->Length % RTL_SHA1_BLOCK_SIZE);

    Context->Length += Length;
    if (Used != 0) {
        SIZE_T Take = RTL_SHA1_BLOCK_SIZE - Used;
        if (Take > Length) {
            Take = Length;
        }
        RtlCopyMemory(Context->Block + Used, Bytes, Take);
        Bytes += Take;
        Length -= Take;
        if (Used + Take < RTL_SHA1_BLOCK_SIZE) {
            return;
        }
        RtlpSha1Transform(Context->State, Context->Block);
    }
    for (; Length >= RTL_SHA1_BLOCK_SIZE; Length -= RTL_SHA1_BLOCK_SIZE, Bytes += RTL_SHA1_BLOCK_SIZE) {
        RtlpSha1Transform(Context->State, Bytes);
    }
    RtlCopyMemory(Context->Block, Bytes, Length);
}

VOID RtlSha1Final(PRTL_SHA1_CONTEXT Context, UCHAR Digest[RTL_SHA1_DIGEST_SIZE]) {
    static const UCHAR Padding[RTL_SHA1_BLOCK_SIZE] = {0x80};
    ULONGLONG BitLength = Context->Length << 3;
    SIZE_T Used = (SIZE_T)(Context->Length % RTL_SHA1_BLOCK_SIZE);
    UCHAR LengthBytes[8];
    ULONG Index;

    for (Index = 0; Index < 8; Index++) {
        LengthBytes[Index] = (UCHAR)(BitLength >> (56 - 8 * Index));
    }
    /* 0x80, zeros up to 56 mod 64, then the 64-bit big-endian bit length. */
    RtlSha1Update(Context, Padding, (Used < 56) ? 56 - Used : 120 - Used);
    RtlSha1Update(Context, LengthBytes, sizeof(LengthBytes));
    for (Index = 0; Index < RTL_SHA1_DIGEST_SIZE; Index++) {
        Digest[Index] = (UCHAR)(Context->State[Index / 4] >> (24 - 8 * (Index % 4)));
    }
}

VOID RtlSha1Digest(PCVOID Data, SIZE_T Length, UCHAR Digest[RTL_SHA1_DIGEST_SIZE]) {
    RTL_SHA1_CONTEXT Context;

    RtlSha1Init(&Context);
    RtlSha1Update(&Context, Data, Length);
    RtlSha1Final(&Context, Digest);
}
