"""The number of SELFTEST cases each kernel must pass: one place, read by every SELFTEST boot."""

# The number of XTEST cases SELFTEST runs in each kernel (ke/selftest.c): every SELFTEST boot must report exactly
# "XTEST: N passed, 0 failed", so a suite that silently drops out fails the boots. Adding or removing cases on
# purpose? Update the number here (the failing boot prints the expected and the seen count).
SELFTEST_CASES = {
    "amd64": 276,
    "i686": 276,
}
