"""KASLR boot tests: the kernel relocated to a random base of its window (sdk/xtpaging.h MM_KERNEL_WINDOW_*) by each
entropy source, NOKASLR at the link base, and two boots of one image at different bases."""

load("//testing:kaslr.bzl", "KASLR_LINK_BASE", "KASLR_WINDOW_RE", "kaslr_reject", "kaslr_report_re")
load("//testing:qemu.bzl", "xt_qemu_test")

_LINK = KASLR_LINK_BASE

# The same, as the kernel prints them (%p: upper case).
_LINK_KERNEL = {"amd64": "0xFFFFF80800000000", "i686": "0x80800000"}
_WINDOW_KERNEL_RE = {"amd64": "0xFFFFF8[0-7][0-9A-F]{3}[02468ACE]00000", "i686": "0x[89][0-9A-F]{3}0000"}

# The kernel checks 4 addresses against its base (xtoskrnl/ke/image.c).
_VERIFIED = ": relocation verified \\(4 addresses\\)$"

def kaslr_relocated_expect_re(arch, source):
    """Serial lines of a boot relocated by KASLR with entropy from `source` (a regex), the kernel's check included."""
    return [
        kaslr_report_re(arch, source),
        "^XTLDR: KASLR base %s: 1 of [1-9][0-9]* \\([1-9][0-9]* bits\\), entropy: %s$" % (KASLR_WINDOW_RE[arch], source),
        "^KE: kernel image at %s%s" % (_WINDOW_KERNEL_RE[arch], _VERIFIED),
    ]

# What a relocation can break, run in the relocated kernel (every full SELFTEST boot is relocated too): the symbol
# table and stack traces, the image's guard pages and W^X, and the memory manager's view of the image.
_RELOCATION_SUITES = "KeSymbolSuite,KeStackGuardSuite,MmLiveSuite,MmFinalSuite"

def _kaslr_boot(name, arch, source, cpu = None, parameters = "", qemu_args = [], selftest = False, vary = None):
    xt_qemu_test(
        name = name,
        arch = arch,
        cpu = cpu,
        parameters = (parameters + (" SELFTEST=" + _RELOCATION_SUITES if selftest else "")).strip(),
        qemu_args = qemu_args,
        vary = vary,
        expect_exit = "clean",
        expect = ["KE: TESTEXIT"] + (["KE: SELFTEST: 4 suites"] if selftest else []),
        expect_re = kaslr_relocated_expect_re(arch, source) +
                    (["^XTEST: [1-9][0-9]* passed, 0 failed$"] if selftest else []),
        reject = kaslr_reject(arch) + ["*** STOP", "XTEST FAIL", "KE: unknown parameter"],
    )

def kaslr_boot_tests():
    """KASLR boots of both arches."""

    # EFI_RNG_PROTOCOL: Debian's OVMF (x64 and ia32) binds its VirtioRngDxe to QEMU's virtio-rng-pci. With the
    # relocation suites, in the paging modes the other KASLR tests leave out (PML5, PML2).
    _kaslr_boot("kaslr_rng_selftest_pml5", "amd64", "rng", cpu = "qemu64,+la57", selftest = True,
                qemu_args = ["-device", "virtio-rng-pci"])
    _kaslr_boot("kaslr_rng_selftest_pml2", "i686", "rng", parameters = "NOXPA", selftest = True,
                qemu_args = ["-device", "virtio-rng-pci"])

    # RDRAND (CPUID.1:ECX[30]): -cpu max has it, OVMF then offers no RNG protocol without a virtio-rng device.
    _kaslr_boot("kaslr_rdrand_amd64", "amd64", "rdrand", cpu = "max")
    _kaslr_boot("kaslr_rdrand_i686", "i686", "rdrand", cpu = "max")

    # Neither (qemu64/qemu32, no virtio-rng): the TSC/clock/memory-map hash. Booted twice (three times when the
    # first two agree): the base must change from boot to boot of the same image.
    _kaslr_boot("kaslr_tsc_two_boots_amd64", "amd64", "tsc", vary = "kernel_base")
    _kaslr_boot("kaslr_tsc_two_boots_i686", "i686", "tsc", vary = "kernel_base")

    # NOKASLR: the link base, no entropy gathered; the kernel knows the parameter and still checks its relocation.
    for arch in ["amd64", "i686"]:
        xt_qemu_test(
            name = "kaslr_nokaslr_%s" % arch,
            arch = arch,
            parameters = "NOKASLR",
            expect_exit = "clean",
            expect = [
                "XTLDR: NOKASLR: kernel at its link base %s" % _LINK[arch],
                " kernel_base=%s kaslr=off kernel_sha1=" % _LINK[arch],
                "KE: TESTEXIT",
            ],
            expect_re = ["^KE: kernel image at %s%s" % (_LINK_KERNEL[arch], _VERIFIED)],
            reject = ["XTLDR: KASLR", "KE: unknown parameter", "*** STOP"],
        )
