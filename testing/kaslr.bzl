"""What a KASLR boot reports (XTLDR-REPORT kernel_base=, kaslr=), shared by the loader's and the kernel's boot tests."""

# The link bases (toolchains/cc_toolchain_config.bzl /base:) as XTLDR-REPORT prints them (lower case).
KASLR_LINK_BASE = {"amd64": "0xfffff80800000000", "i686": "0x80800000"}

# A base inside the kernel-image window at its step (sdk/xtpaging.h MM_KERNEL_WINDOW_*): amd64
# 0xFFFFF800'00000000-0xFFFFF87F'FFFFFFFF in 2 MiB steps, i686 0x80000000-0x9FFFFFFF in 64 KiB steps.
KASLR_WINDOW_RE = {"amd64": "0xfffff8[0-7][0-9a-f]{3}[02468ace]00000", "i686": "0x[89][0-9a-f]{3}0000"}

def kaslr_report_re(arch, source):
    """XTLDR-REPORT of a boot relocated by KASLR to a base of the window, entropy from `source` (a regex)."""
    return "^XTLDR-REPORT .* kernel_base=%s kaslr=%s kernel_sha1=[0-9a-f]{40}$" % (KASLR_WINDOW_RE[arch], source)

def kaslr_reject(arch):
    """KASLR never picks the link base: a KASLR boot that names it has skipped the choice."""
    return ["kernel_base=%s " % KASLR_LINK_BASE[arch]]
