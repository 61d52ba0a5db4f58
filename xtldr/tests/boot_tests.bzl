"""Loader QEMU tests, instantiated for both arches."""

load("//testing:qemu.bzl", "xt_qemu_test")

def xtldr_boot_tests(arch, other_arch):
    """Boots and negative boots of XTLDR on `arch`."""
    xt_qemu_test(
        name = "boot_%s" % arch,
        arch = arch,
        expect_exit = "clean",
        expect = [
            "XTLDR 0.1.0 (%s) - XTOS boot loader" % arch,
            "XTLDR: config \\EFI\\BOOT\\XTLDR\\XTLDR.INI: entry 'XTOS'",
            "XTLDR: kernel \\XTOS\\XTOSKRNL.EXE: %s image" % arch,
        ],
        reject = ["XTLDR: error:", "XTLDR: warning:"],
    )
    xt_qemu_test(
        name = "missing_kernel_%s" % arch,
        arch = arch,
        expect_exit = "loader_error",
        expect = ["XTLDR: error: kernel \\XTOS\\XTOSKRNL.EXE: file not found"],
        with_kernel = False,
    )
    xt_qemu_test(
        name = "non_pe_kernel_%s" % arch,
        arch = arch,
        expect_exit = "loader_error",
        expect_re = ["XTLDR: error: kernel .XTOS.XTOSKRNL.EXE: .*e_magic"],
        kernel_file = "not_a_pe.txt",
    )
    xt_qemu_test(
        name = "wrong_machine_kernel_%s" % arch,
        arch = arch,
        expect_exit = "loader_error",
        expect_re = ["XTLDR: error: kernel .XTOS.XTOSKRNL.EXE: .*Machine"],
        kernel_arch = other_arch,
    )
    xt_qemu_test(
        name = "missing_ini_%s" % arch,
        arch = arch,
        expect_exit = "loader_error",
        expect = ["XTLDR: error: cannot read \\EFI\\BOOT\\XTLDR\\XTLDR.INI: file not found"],
        with_ini = False,
    )
    xt_qemu_test(
        name = "garbage_ini_%s" % arch,
        arch = arch,
        expect_exit = "loader_error",
        expect = ["XTLDR: error: \\EFI\\BOOT\\XTLDR\\XTLDR.INI is not a usable INI file"],
        ini = "not_a_pe.txt",
    )
    xt_qemu_test(
        name = "no_usable_entry_%s" % arch,
        arch = arch,
        expect_exit = "loader_error",
        expect = [
            "XTLDR: warning: \\EFI\\BOOT\\XTLDR\\XTLDR.INI line 3: missing '=' in key line",
            "XTLDR: error: \\EFI\\BOOT\\XTLDR\\XTLDR.INI: no usable boot entry",
        ],
        ini = "no_entry.ini",
    )
