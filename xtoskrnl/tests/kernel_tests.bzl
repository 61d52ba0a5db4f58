"""Kernel QEMU boot tests: paging modes x memory sizes, SMP, SELFTEST, parameters, faults and ACPI power-off."""

load("//testing:image.bzl", "xt_disk_image")
load("//testing:qemu.bzl", "xt_qemu_test")
load(":kaslr_tests.bzl", "kaslr_relocated_expect_re")

# A STOP parameter is printed with the pointer width of the arch.
_ZERO = {"amd64": "0x0000000000000000", "i686": "0x00000000"}
_VECTOR = {
    "amd64": {8: "0x0000000000000008", 13: "0x000000000000000D"},
    "i686": {8: "0x00000008", 13: "0x0000000D"},
}

# The never-mapped last page of the HAL window (mm/hl/mmhl.h): TESTFAULT=PAGE reads it.
_UNMAPPED = {"amd64": "0xFFFFFFFFFFDFF000", "i686": "0xFFDFF000"}

# The register dump's first line, and the control-register line.
_REGISTERS = {
    "amd64": ["^RIP=[0-9A-F]{16} RSP=[0-9A-F]{16} RBP=", "^CR0=[0-9A-F]{16} CR3=[0-9A-F]{16} CR4=[0-9A-F]{16} EFER="],
    "i686": ["^EIP=[0-9A-F]{8} ESP=[0-9A-F]{8} EBP=", "^CR0=[0-9A-F]{8} CR3=[0-9A-F]{8} CR4=[0-9A-F]{8} EFER="],
}

_CLEAN_REJECT = ["*** STOP", "XTEST FAIL", "KE: unknown parameter", "has no page table"]

_PFN_BYTES = {"amd64": 32, "i686": 20}

# More than 4 GiB of RAM pages (1.3M..2M), or fewer than 1M.
_ABOVE_4G = " ram_pages=1[3-9][0-9]{5} "
_BELOW_4G = " ram_pages=[1-9][0-9]{5} "

def _boot(name, arch, paging, cpu = None, mem = "128M", smp = 1, parameters = "", selftest = False, expect = [], extra_re = [],
          qemu_args = []):
    xt_qemu_test(
        name = name,
        qemu_args = qemu_args,
        arch = arch,
        cpu = cpu,
        mem = mem,
        smp = smp,
        parameters = (parameters + (" SELFTEST" if selftest else "")).strip(),
        expect_exit = "clean",
        expect = ["XTOS-REPORT arch=%s paging=%s ram_pages=" % (arch, paging), "KE: TESTEXIT"] + expect,
        expect_re = ["^XTOS-REPORT arch=%s paging=%s ram_pages=[1-9][0-9]* free_pages=[1-9][0-9]* " % (arch, paging) +
                     "pfn_entry_bytes=%d loader_ptables_verified=[1-9][0-9]* loader_ptables_kept=0 pool_ok=[01] " % _PFN_BYTES[arch] +
                     "nx=[01] smep=[01] smap=[01]$"] + extra_re +
                    kaslr_relocated_expect_re(arch, "(rng|rdrand|tsc)") +
                    (["^XTEST: [1-9][0-9]* passed, 0 failed$"] if selftest else []),
        reject = _CLEAN_REJECT,
    )

def _fault(arch, fault, stop, expect = [], reject = []):
    xt_qemu_test(
        name = "fault_%s_%s" % (fault.lower(), arch),
        arch = arch,
        parameters = "TESTFAULT=" + fault,
        expect_exit = "stop",
        expect = ["KE: TESTFAULT=" + fault, stop, "Backtrace:", "KE: system halted (TESTEXIT)"] + expect,
        expect_re = _REGISTERS[arch],
        reject = ["did not fault", "fault while reporting a STOP"] + reject,
    )

def _poweroff_test(name, arch):
    """SHUTDOWN without TESTEXIT: QEMU must power off (status 0, no triple fault) after the kernel's S5 line."""
    xt_qemu_test(
        name = name,
        arch = arch,
        parameters = "SHUTDOWN",
        expect_exit = "poweroff",
        expect = ["HL: ACPI S5 via PM1a 0x604 SLP_TYP 0"],
        reject = ["*** STOP"],
    )

def kernel_boot_tests():
    """Every kernel boot test, both arches."""

    # SELFTEST (RTL, kernel and MM suites, pool torture of 1M operations) in every paging mode at 128 MiB, 1 GiB,
    # 4 GiB and 6 GiB. At 6 GiB the MM suite allocates every frame, those above 4 GiB included, and writes them.
    # PML2 cannot map frames above 4 GiB; i686 PML3 at 6 GiB runs on a PSE-36 CPU (36 physical bits).
    for mode, arch, cpu, parameters in [
        ("PML4", "amd64", "qemu64", ""),
        ("PML5", "amd64", "qemu64,+la57", ""),
        ("PML3", "i686", "qemu32,+pse36", ""),
        ("PML2", "i686", "qemu32", "NOXPA"),
    ]:
        for mem in ["128M", "1G", "4G", "6G"]:
            high = mem == "6G" and mode != "PML2"
            _boot("selftest_%s_%s" % (mode.lower(), mem.lower()), arch, mode, cpu = cpu, mem = mem,
                  parameters = parameters, selftest = True, extra_re = [_ABOVE_4G] if high else [])

    # NOXPA on an LA57 CPU gives PML4; two CPUs; -cpu max turns NX, SMEP and SMAP on.
    for mem in ["128M", "4G"]:
        _boot("boot_amd64_noxpa_la57_%s" % mem.lower(), "amd64", "PML4", cpu = "qemu64,+la57", mem = mem,
              parameters = "NOXPA", expect = ["KE: NOXPA: the loader chose PML4"])
    _boot("boot_amd64_smp2", "amd64", "PML4", smp = 2)
    _boot("boot_i686_smp2", "i686", "PML3", smp = 2)
    _boot("boot_amd64_cpu_max", "amd64", "PML5", cpu = "max", expect = ["nx=1 smep=1 smap=1"])
    _boot("boot_i686_cpu_max", "i686", "PML3", cpu = "max", expect = ["nx=1 smep=1 smap=1"])

    # qemu32 has 32 physical address bits: its frames above 4 GiB are ignored (they would fault as reserved bits).
    _boot("boot_i686_pml3_6g_32bit_cpu", "i686", "PML3", mem = "6G", extra_re = [_BELOW_4G])

    # Large memory: i686 PAE to 16 GiB and to the 36-bit top (62 GiB), amd64 64 GiB.
    _boot("boot_i686_pml3_16g", "i686", "PML3", cpu = "qemu32,+pse36", mem = "16G")
    # (q35 reserves a 64-bit PCI hole above RAM; with 36 physical bits there is no room for it at 62 GiB.)
    _boot("boot_i686_pml3_62g", "i686", "PML3", cpu = "qemu32,+pse36", mem = "62G",
          extra_re = [" ram_pages=1[5-6][0-9]{6} "], qemu_args = ["-global", "q35-pcihost.pci-hole64-size=0"])
    _boot("boot_amd64_pml4_64g", "amd64", "PML4", mem = "64G")

    # The loader reports its page-table frames as free (TESTPTFREE): the kernel must find them by walking the
    # live tables from CR3, keep them, and still pass SELFTEST (the regression case for zeroing the CR3 frame).
    for arch, mode in [("amd64", "PML4"), ("i686", "PML3")]:
        xt_qemu_test(
            name = "loader_ptables_free_%s" % arch,
            arch = arch,
            parameters = "TESTPTFREE SELFTEST",
            expect_exit = "clean",
            expect = ["but the loader reported it free: kept", "XTOS-REPORT arch=%s paging=%s" % (arch, mode)],
            expect_re = ["loader_ptables_kept=[1-9][0-9]* pool_ok=1 ", "^XTEST: [1-9][0-9]* passed, 0 failed$"],
            reject = _CLEAN_REJECT,
        )

    # Pool corruption ends in the pool's STOP: an overrun (BAD_POOL_HEADER), a double free and a tag mismatch
    # (BAD_POOL_CALLER), and a special-pool overrun that hits the guard page (a page fault in system PTEs).
    for arch in ["amd64", "i686"]:
        for fault, stop, more in [
            ("POOLOVERRUN", "*** STOP 0x00000019 (", []),
            ("POOLDOUBLEFREE", "*** STOP 0x000000C2 (", []),
            ("POOLTAG", "*** STOP 0x000000C2 (", []),
            ("SPECIALPOOL", "*** STOP 0x00000050 (", [
                "MM: special-pool block: writing past its end",
                "is in: system PTEs (unmapped: a guard page or a freed page)",
            ]),
        ]:
            xt_qemu_test(
                name = "pool_%s_%s" % (fault.lower(), arch),
                arch = arch,
                parameters = "TESTFAULT=" + fault,
                expect_exit = "stop",
                expect = ["KE: TESTFAULT=" + fault, "MM: test block of 100 bytes at", stop] + more,
                expect_re = _REGISTERS[arch],
                reject = ["pool misuse was not caught", "fault while reporting a STOP"],
            )

    # Unknown and malformed parameters are reported and ignored.
    for arch in ["amd64", "i686"]:
        xt_qemu_test(
            name = "params_%s" % arch,
            arch = arch,
            parameters = "FOO=1 TESTFAULT=BOGUS bar",
            expect_exit = "clean",
            expect = [
                "KE: unknown parameter 'FOO=1' ignored",
                "KE: invalid value in parameter 'TESTFAULT=BOGUS' ignored",
                "KE: unknown parameter 'bar' ignored",
                "XTOS-REPORT arch=%s" % arch,
            ],
            reject = ["*** STOP", "KE: TESTFAULT="],
        )

    # Faults: a STOP line with the NT code and parameters, the register dump, a backtrace, exit 0x12.
    for arch in ["amd64", "i686"]:
        _fault(arch, "PAGE", "*** STOP 0x00000050 (%s, %s, " % (_UNMAPPED[arch], _ZERO[arch]),
               expect = ["KE: page fault: read of %s" % _UNMAPPED[arch]])
        _fault(arch, "GP", "*** STOP 0x0000007F (%s, " % _VECTOR[arch][13],
               expect = ["KE: exception #GP (vector 13"])
        _fault(arch, "STACK", "*** STOP 0x0000007F (%s, " % _VECTOR[arch][8],
               expect = ["KE: kernel stack overflow: stack pointer"])
        _fault(arch, "DOUBLE", "*** STOP 0x0000007F (%s, " % _VECTOR[arch][8],
               expect = ["KE: exception #DF (vector 8"], reject = ["kernel stack overflow"])

    # SHUTDOWN: ACPI S5 power-off (QEMU q35: PM1a_CNT 0x604, SLP_TYP 0).
    _poweroff_test("poweroff_amd64", "amd64")
    _poweroff_test("poweroff_i686", "i686")
