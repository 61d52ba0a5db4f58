"""Kernel QEMU boot tests: paging modes x memory sizes, SMP, SELFTEST, parameters, faults and ACPI power-off."""

load("//testing:image.bzl", "xt_disk_image")
load("//testing:qemu.bzl", "xt_qemu_test")
load(":kaslr_tests.bzl", "kaslr_relocated_expect_re")
load(":selftest_cases.bzl", "SELFTEST_CASES")


# A STOP parameter is printed with the pointer width of the arch.
_ZERO = {"amd64": "0x0000000000000000", "i686": "0x00000000"}
_VECTOR = {
    "amd64": {2: "0x0000000000000002", 8: "0x0000000000000008", 13: "0x000000000000000D", 18: "0x0000000000000012"},
    "i686": {2: "0x00000002", 8: "0x00000008", 13: "0x0000000D", 18: "0x00000012"},
}

# The never-mapped last page of the HAL window (mm/hl/mmhl.h): TESTFAULT=PAGE reads it.
_UNMAPPED = {"amd64": "0xFFFFFFFFFFDFF000", "i686": "0xFFDFF000"}

# The register dump's first line, and the control-register line.
_REGISTERS = {
    "amd64": ["^RIP=[0-9A-F]{16} RSP=[0-9A-F]{16} RBP=", "^CR0=[0-9A-F]{16} CR3=[0-9A-F]{16} CR4=[0-9A-F]{16} EFER="],
    "i686": ["^EIP=[0-9A-F]{8} ESP=[0-9A-F]{8} EBP=", "^CR0=[0-9A-F]{8} CR3=[0-9A-F]{8} CR4=[0-9A-F]{8} EFER="],
}

_CLEAN_REJECT = ["*** STOP", "UBSAN:", "XTEST FAIL", "KE: unknown parameter", "has no page table"]

# The sanitized kernel (toolchain feature xt_ubsan) announces itself; TESTFAULT=UBSAN overflows a LONGLONG at this
# line of ke/ubsanfault.c (a static assert there keeps the two in step).
_UBSAN_BANNER = "KE: UBSan built in: undefined behaviour STOPs with 0x000001E0"
_UBSAN_LINE = 12

def _hex(value, digits):
    """Upper-case hex of a non-negative int, zero-padded to `digits` (Starlark has no %X)."""
    text = ""
    for _ in range(digits):
        text = "0123456789ABCDEF"[value % 16] + text
        value //= 16
    return text

# Parameters: the check (4, signed-integer-overflow), the line, the operands (on i686 the low 32 bits).
_UBSAN_STOP = {
    "amd64": "*** STOP 0x000001E0 (0x0000000000000004, 0x%s, 0x7FFFFFFFFFFFFFFF, 0x0000000000000001)" % _hex(_UBSAN_LINE, 16),
    "i686": "*** STOP 0x000001E0 (0x00000004, 0x%s, 0xFFFFFFFF, 0x00000001)" % _hex(_UBSAN_LINE, 8),
}

_PFN_BYTES = {"amd64": 32, "i686": 20}

# More than 4 GiB of RAM pages (1.3M..2M), or fewer than 1M.
_ABOVE_4G = " ram_pages=1[3-9][0-9]{5} "
_BELOW_4G = " ram_pages=[1-9][0-9]{5} "

# The clock keys that end XTOS-REPORT: the clock interrupt's rate and source, the TSC's calibration reference and
# rate, the CMOS RTC time at boot.
_ISO_TIME = "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"

# CLOCK= default (ke/params.h KE_CLOCK_DEFAULT_HZ).
CLOCK_DEFAULT_HZ = "250"

def _clock_re(timer, tsc_ref, clock_hz = CLOCK_DEFAULT_HZ, boot_time = _ISO_TIME, cpus = 1):
    return " clock_hz=%s timer=%s tsc_ref=%s tsc_hz=[1-9][0-9]{6,10} boot_time=%s cpus=%d$" % (clock_hz, timer, tsc_ref, boot_time, cpus)

def _boot(name, arch, paging, cpu = None, machine = "q35", mem = "128M", smp = 1, parameters = "", selftest = False, expect = [],
          extra_re = [], qemu_args = [], ignored = "0", ubsan = False, timer = "LAPIC", tsc_ref = "HPET",
          clock_hz = CLOCK_DEFAULT_HZ, boot_time = _ISO_TIME, cpus = None, timeout_s = 120, suites = None):
    # cpus=: the processors that checked in (XTOS-REPORT); every one of -smp unless MAXCPUS= says fewer.
    # suites=: SELFTEST=<suites> runs only those (boots aimed at one subsystem); all of their cases must pass. The full
    # SELFTEST boots pin the total number of cases (SELFTEST_CASES).
    if suites:
        parameters = (parameters + " SELFTEST=" + ",".join(suites)).strip()
        selftest = False
        expect = expect + ["KE: SELFTEST: %d suites" % len(suites)]
        extra_re = extra_re + ["^XTEST: [1-9][0-9]* passed, 0 failed$"]
    xt_qemu_test(
        name = name,
        kernel_ubsan = ubsan,
        qemu_args = qemu_args,
        arch = arch,
        cpu = cpu,
        machine = machine,
        mem = mem,
        smp = smp,
        parameters = (parameters + (" SELFTEST" if selftest else "")).strip(),
        expect_exit = "clean",
        expect = ["XTOS-REPORT arch=%s paging=%s ram_pages=" % (arch, paging), "KE: TESTEXIT"] + expect +
                 ([_UBSAN_BANNER] if ubsan else []),
        expect_re = ["^XTOS-REPORT arch=%s paging=%s ram_pages=[1-9][0-9]* free_pages=[1-9][0-9]* " % (arch, paging) +
                     "pfn_entry_bytes=%d loader_ptables_verified=[1-9][0-9]* loader_ptables_kept=0 pool_ok=1 " % _PFN_BYTES[arch] +
                     "nx=[01] smep=[01] smap=[01] ram_ignored_pages=%s" % ignored + _clock_re(timer, tsc_ref, clock_hz, boot_time, smp if cpus == None else cpus)] + extra_re +
                    kaslr_relocated_expect_re(arch, "(rng|rdrand|tsc)"),
        selftest_cases = SELFTEST_CASES[arch] if selftest else None,
        # The banner is the kernel's first line, before any MM: or KE: line.
        expect_first_after = "XTLDR-REPORT=XTOS kernel (%s): init block" % arch,
        reject = _CLEAN_REJECT,
        timeout_s = timeout_s,
    )

# A backtrace line naming the function through the embedded symbol table, with the module offset kept.
def _frame(frame, function):
    return "^  %s +0x[0-9A-F]+ \\(xtoskrnl\\+0x[0-9a-f]+ %s\\+0x[0-9a-f]+\\)$" % (frame, function)

def _fault(arch, fault, stop, expect = [], reject = [], name = None, cpu = None, monitor = [], frames = []):
    xt_qemu_test(
        name = name or "fault_%s_%s" % (fault.lower(), arch),
        arch = arch,
        cpu = cpu,
        parameters = "TESTFAULT=" + fault,
        expect_exit = "stop",
        expect = ["KE: TESTFAULT=" + fault, stop, "Backtrace:", "KE: system halted (TESTEXIT)"] + expect,
        expect_re = _REGISTERS[arch] + frames,
        reject = ["did not fault", "fault while reporting a STOP"] + reject,
        monitor_after = "KE: waiting for an injected" if monitor else None,
        monitor = monitor,
    )

# An uncorrected error injected into bank 1 (MCi_STATUS: VAL, UC, EN, MISCV, ADDRV, PCC) with MCG_STATUS RIPV|MCIP,
# an address and a misc value: the #MC STOP must print these registers back.
_MCE_INJECTION = "mce 0 1 0xbe00000000000000 0x5 0x12345000 0x86"
_MCE_REPORT = "KE: MC1_STATUS=0xBE00000000000000 MC1_ADDR=0x0000000012345000 MC1_MISC=0x0000000000000086"

def _poweroff_test(name, arch):
    """SHUTDOWN without TESTEXIT: QEMU must power off (status 0, QMP SHUTDOWN reason guest-shutdown) after the S5 line."""
    xt_qemu_test(
        name = name,
        arch = arch,
        parameters = "SHUTDOWN",
        expect_exit = "poweroff",
        expect = ["HL: ACPI S5 via PM1a 0x604 SLP_TYP 0"],
        reject = ["*** STOP"],
    )

# SELFTEST without the suites that mostly wait on the clock, the RTC and timers (they run in the 1 GiB and 6 GiB
# boots, the clock boots and the SMP boots): what the memory size can change.
_MEMORY_SUITES = [
    "RtlListSuite", "RtlMemorySuite", "RtlBitmapSuite", "RtlStringSuite", "RtlFormatSuite", "RtlSha1Suite",
    "RtlArithmeticSuite", "KeParameterSuite", "KeBugCodeSuite", "KeSymbolSuite", "HlAcpiSuite", "HlMadtSuite",
    "HlAcpiTimeSuite", "MmhPageMapSuite", "ArDescriptorSuite", "MmDeferredPfnSuite", "MmLiveSuite", "PoolBasicSuite", "PoolTortureSuite",
    "MmFinalSuite", "KeStackGuardSuite", "KeRunLevelLiveSuite", "KeInterruptLiveSuite", "KeDpcLiveSuite",
    "KeSmpLiveSuite", "MmPagedSuite", "MmAddressSpaceSuite",
]

# The floating-point line of a CPU with XSAVE and AVX (QEMU's -cpu max): XCR0 = x87 | SSE | AVX, 832-byte save areas.
_XSAVE_AVX = "KE: floating-point state: XSAVE of XCR0 0x7 (x87 SSE AVX), 832-byte save area per thread"

def kernel_boot_tests():
    """Every kernel boot test, both arches."""

    # SELFTEST (RTL, kernel and MM suites, pool torture of 1M operations) in every paging mode at 128 MiB, 1 GiB,
    # 4 GiB and 6 GiB. At 6 GiB the MM suite allocates every frame, those above 4 GiB included, and writes them.
    # PML2 cannot map frames above 4 GiB; i686 PML3 at 6 GiB runs on a PSE-36 CPU (36 physical bits).
    # The smallest and the largest size run the UBSan kernel (same sources, every check on: docs/kernel.md), where
    # sizing arithmetic is most likely to overflow; 1 GiB and 4 GiB run the kernel the images ship. Only the 1 GiB
    # boots run every suite; the other sizes run the memory suites (_MEMORY_SUITES), which is what their size tests.
    for mode, arch, cpu, parameters in [
        ("PML4", "amd64", "qemu64", ""),
        ("PML5", "amd64", "qemu64,+la57", ""),
        ("PML3", "i686", "qemu32,+pse36", ""),
        ("PML2", "i686", "qemu32", "NOXPA"),
    ]:
        for mem in ["128M", "1G", "4G", "6G"]:
            high = mem == "6G" and mode != "PML2"
            # PML2 entries hold 32-bit frame addresses: q35 puts 2 GiB (at 4G) or 4 GiB (at 6G) above 4 GiB.
            ignored = {"4G": "524288", "6G": "1048576"}.get(mem, "0") if mode == "PML2" else "0"
            ubsan = mem in ["128M", "6G"]
            # The memory-size boots run the pool and paged tortures with 100,000 operations (TORTURE=); the 1 GiB
            # boots keep the million of every mode.
            _boot("selftest_%s%s_%s" % ("ubsan_" if ubsan else "", mode.lower(), mem.lower()), arch, mode, cpu = cpu,
                  mem = mem, parameters = (parameters + ("" if mem == "1G" else " TORTURE=100000")).strip(), selftest = True, extra_re = [_ABOVE_4G] if high else [],
                  ubsan = ubsan, ignored = ignored, suites = _MEMORY_SUITES if mem != "1G" else None)

    # NOXPA on an LA57 CPU gives PML4; two CPUs; -cpu max turns NX, SMEP and SMAP on.
    for mem in ["128M", "4G"]:
        _boot("boot_amd64_noxpa_la57_%s" % mem.lower(), "amd64", "PML4", cpu = "qemu64,+la57", mem = mem,
              parameters = "NOXPA", expect = ["KE: NOXPA: the loader chose PML4"])
    _boot("boot_amd64_smp2", "amd64", "PML4", smp = 2)
    _boot("boot_i686_smp2", "i686", "PML3", smp = 2)
    # -cpu max also has XSAVE and AVX: threads' x87/SSE/AVX state goes through XSAVE/XRSTOR (KeContextSwitchSuite; the
    # qemu64/qemu32 SELFTEST boots run it over FXSAVE).
    _boot("boot_amd64_cpu_max", "amd64", "PML5", cpu = "max", expect = ["nx=1 smep=1 smap=1", _XSAVE_AVX],
          suites = ["KeContextSwitchSuite"])
    _boot("boot_i686_cpu_max", "i686", "PML3", cpu = "max", expect = ["nx=1 smep=1 smap=1", _XSAVE_AVX],
          suites = ["KeContextSwitchSuite"])

    # qemu32 has 32 physical address bits: its frames above 4 GiB are ignored (they would fault as reserved bits),
    # and the kernel says so: 4 GiB of the 6 lie above 4 GiB on q35.
    _boot("boot_i686_pml3_6g_32bit_cpu", "i686", "PML3", mem = "6G", extra_re = [_BELOW_4G], ignored = "1048576",
          expect = ["MM: 4096 MiB of RAM (1048576 pages) ignored: above the 32-bit physical address limit"])

    # Large memory: i686 PAE to 16 GiB and to the 36-bit top (62 GiB), amd64 64 GiB. The PFN entries above the first
    # GiB are written by the deferred-init thread (on the second processor of the 64 GiB boot while the boot goes on);
    # MmDeferredPfnSuite checks every entry is there and counted.
    _DEFERRED = ["MM: PFN entries of ", "RAM frames above frame 0x4", "MM: deferred PFN init done: "]
    _boot("boot_i686_pml3_16g", "i686", "PML3", cpu = "qemu32,+pse36", mem = "16G", expect = _DEFERRED,
          suites = ["MmDeferredPfnSuite"])
    # (q35 reserves a 64-bit PCI hole above RAM; with 36 physical bits there is no room for it at 62 GiB.)
    _boot("boot_i686_pml3_62g", "i686", "PML3", cpu = "qemu32,+pse36", mem = "62G", expect = _DEFERRED,
          extra_re = [" ram_pages=1[5-6][0-9]{6} "], qemu_args = ["-global", "q35-pcihost.pci-hole64-size=0"],
          suites = ["MmDeferredPfnSuite"])
    _boot("boot_amd64_pml4_64g", "amd64", "PML4", mem = "64G", smp = 2, expect = _DEFERRED,
          suites = ["MmDeferredPfnSuite"])

    # The loader reports its page-table frames as free (TESTPTFREE): the kernel must find them by walking the
    # live tables from CR3, keep them, and still pass SELFTEST (the regression case for zeroing the CR3 frame).
    for arch, mode in [("amd64", "PML4"), ("i686", "PML3")]:
        xt_qemu_test(
            name = "loader_ptables_free_%s" % arch,
            arch = arch,
            parameters = "TESTPTFREE SELFTEST=" + ",".join(_MEMORY_SUITES),
            expect_exit = "clean",
            expect = ["but the loader reported it free: kept", "XTOS-REPORT arch=%s paging=%s" % (arch, mode)],
            expect_re = ["loader_ptables_kept=[1-9][0-9]* pool_ok=1 ", "^XTEST: [1-9][0-9]* passed, 0 failed$"],
            reject = _CLEAN_REJECT,
        )

    # The loader maps the guard page below the kernel stack and each panic stack (TESTGUARDMAPPED): the guard-page
    # cases of SELFTEST must fail, naming each stack (the negative case of KeStackGuardSuite).
    for arch in ["amd64", "i686"]:
        xt_qemu_test(
            name = "stack_guard_mapped_%s" % arch,
            arch = arch,
            parameters = "TESTGUARDMAPPED SELFTEST=KeStackGuardSuite,KeSmpLiveSuite",
            expect_exit = "selftest_failed",
            expect = [
                "XTEST FAIL KeStackGuardSuite.KernelStackHasGuardPage",
                "XTEST FAIL KeStackGuardSuite.PanicStacksHaveGuardPages",
                "XTEST FAIL KeSmpLiveSuite.EveryProcessorHasGuardedStacks",
                "XTEST: 4 passed, 3 failed",
            ],
            expect_re = ["^  %s at 0x[0-9a-f]+ \\([0-9]+ bytes\\): guard page 0x[0-9a-f]+ is mapped$" % stack for stack in [
                "kernel stack",
                "double-fault stack",
                "NMI stack",
                "machine-check stack",
            ]],
            reject = ["*** STOP", "KE: unknown parameter"],
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

    # A stray frame number (the middle of the largest hole in RAM, whose PFN entry page is not backed at 4 GiB) freed:
    # PFN_LIST_CORRUPT with the frame, never a page fault inside the PFN code.
    for arch in ["amd64", "i686"]:
        xt_qemu_test(
            name = "fault_badpfn_%s" % arch,
            arch = arch,
            mem = "4G",
            parameters = "TESTFAULT=BADPFN",
            expect_exit = "stop",
            expect = ["KE: TESTFAULT=BADPFN", "MM: freeing frame 0x", "PFN_LIST_CORRUPT"],
            expect_re = ["^\\*\\*\\* STOP 0x0000004E \\(0x0*99, "] + _REGISTERS[arch],
            reject = ["was not caught", "fault while reporting a STOP", "0x00000050"],
        )

    # A memory map with more descriptors than the kernel accepts (TESTDESCCOUNT: the init block claims 65536) is
    # refused with a STOP on the loader block before a descriptor is read (it used to be read in part).
    for arch in ["amd64", "i686"]:
        xt_qemu_test(
            name = "loader_map_too_large_%s" % arch,
            arch = arch,
            parameters = "TESTDESCCOUNT",
            expect_exit = "stop",
            expect = [
                "XTLDR: TESTDESCCOUNT: the init block claims 65536 descriptors",
                "MM: the loader's memory map has 65536 descriptors; at most 2048 are accepted",
                "LOADER_BLOCK_MISMATCH",
            ],
            expect_re = ["^\\*\\*\\* STOP 0x00000100 \\(0x0*7, 0x0*10000, 0x0*800, "] + _REGISTERS[arch],
            reject = ["XTOS-REPORT", "fault while reporting a STOP"],
        )

    # A pool that fails its start-up check stops the boot (it used to boot "cleanly" with pool_ok=0).
    for arch in ["amd64", "i686"]:
        xt_qemu_test(
            name = "fault_poolstart_%s" % arch,
            arch = arch,
            parameters = "TESTFAULT=POOLSTART",
            expect_exit = "stop",
            expect = ["MM: the non-paged pool failed its start-up check", "MEMORY_MANAGEMENT"],
            expect_re = ["^\\*\\*\\* STOP 0x0000001A \\(0x0*1001, "] + _REGISTERS[arch],
            reject = ["XTOS-REPORT", "fault while reporting a STOP"],
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
               expect = ["KE: page fault: read of %s" % _UNMAPPED[arch], "KE: STOP handler running on the kernel stack"],
               frames = [_frame("#0", "KiRaiseTestFault")])
        _fault(arch, "GP", "*** STOP 0x0000007F (%s, " % _VECTOR[arch][13],
               expect = ["KE: exception #GP (vector 13", "KE: STOP handler running on the kernel stack"],
               frames = [_frame("#0", "ArRaiseGeneralProtection"), _frame("(#1 |\\?  )", "KiRaiseTestFault")])
        _fault(arch, "STACK", "*** STOP 0x0000007F (%s, " % _VECTOR[arch][8],
               expect = ["KE: kernel stack overflow: stack pointer", "KE: STOP handler running on the double-fault stack"])
        _fault(arch, "DOUBLE", "*** STOP 0x0000007F (%s, " % _VECTOR[arch][8],
               expect = ["KE: exception #DF (vector 8", "KE: STOP handler running on the double-fault stack"],
               reject = ["kernel stack overflow"])

    # Thread faults (issue 11): a system thread waiting at DISPATCH_LEVEL with a non-zero timeout STOPs with
    # IRQL_NOT_LESS_OR_EQUAL (P1 the RunLevel 2, P2 1, P3 the thread); a system thread recursing into the guard page
    # below its kernel stack double-faults: UNEXPECTED_KERNEL_MODE_TRAP (8) on the double-fault stack. Each report
    # names the thread (its KTHREAD, its process, its start routine). One paging mode per arch, 128 MiB.
    for arch in ["amd64", "i686"]:
        digits = 16 if arch == "amd64" else 8
        thread_line = "^KE: in thread 0x[0-9A-F]+ \\(process 0x[0-9A-F]+\\), start routine 0x[0-9A-F]+ \\(xtoskrnl\\+0x[0-9a-f]+ %s\\+0x0\\)$"
        _fault(arch, "WAITDISPATCH", "*** STOP 0x0000000A (0x%s, 0x%s, 0x" % (_hex(2, digits), _hex(1, digits)),
               name = "fault_wait_dispatch_%s" % arch,
               expect = ["KE: thread 0x", "waits at RunLevel 2 with a 10 ms timeout", "waits at RunLevel 2 with a non-zero timeout",
                         "IRQL_NOT_LESS_OR_EQUAL"],
               frames = [thread_line % "KiWaitAtDispatchThread", _frame("(#[0-9] |\\?  )", "KiWaitAtDispatchThread")])
        _fault(arch, "THREADSTACK", "*** STOP 0x0000007F (%s, " % _VECTOR[arch][8],
               name = "fault_thread_stack_%s" % arch,
               expect = ["recursing down its kernel stack", "KE: kernel stack overflow: stack pointer",
                         "KE: STOP handler running on the double-fault stack", "UNEXPECTED_KERNEL_MODE_TRAP"],
               frames = [thread_line % "KiStackOverflowThread"])

    # NOX2APIC is a known parameter and keeps the xAPIC (QEMU's TCG has no x2APIC, so the mode is xAPIC either way).
    xt_qemu_test(
        name = "nox2apic_amd64",
        arch = "amd64",
        parameters = "NOX2APIC",
        expect_exit = "clean",
        expect = ["HL: local APIC xAPIC (NOX2APIC) at 0xfee00000 id 0 ", "masked: yes; spurious 0x3f, error 0xe3",
                  "XTOS-REPORT arch=amd64"],
        reject = ["*** STOP", "KE: unknown parameter"],
    )

    # BENCH: the Ke line (ke/kebench.c) carries both costs, non-zero: every one of the self-IPIs came back through its
    # handler (a lost one reports 0), and interrupts are off again for the rest of start-up (clean exit, no STOP).
    # Two processors under -icount (QEMU's single-threaded TCG, as ./xt bench counts guest instructions): the IPI
    # generic calls and shootdowns of KE-BENCH cpus=2 complete there (an IPI wait without a pause never let the
    # target vCPU run: STOP 0x1DB; docs/benchmarks.md).
    for arch in ["amd64", "i686"]:
        xt_qemu_test(
            name = "bench_ke_%s" % arch,
            arch = arch,
            parameters = "BENCH",
            smp = 2,
            qemu_args = ["-icount", "shift=4,sleep=off"],
            expect_exit = "clean",
            expect_re = [
                "^KE-BENCH runlevel_raise_lower=[1-9][0-9]* self_ipi_roundtrip=[1-9][0-9]* dpc_queue_to_run=[1-9][0-9]*$",
                "^KE-BENCH timer_set_cancel_1=[1-9][0-9]* timer_set_cancel_1000=[1-9][0-9]* " +
                "timer_set_cancel_100000=[1-9][0-9]* timer_set_expire_1=[1-9][0-9]* timer_set_expire_1000=[1-9][0-9]* " +
                "timer_set_expire_100000=[1-9][0-9]*$",
                "^MM-BENCH-PAGED demand_zero_fault=[1-9][0-9]* paged_16=[1-9][0-9]* paged_64=[1-9][0-9]* " +
                "paged_256=[1-9][0-9]* paged_1024=[1-9][0-9]* paged_4000=[1-9][0-9]* paged_12288=[1-9][0-9]*$",
                "^KE-BENCH spinlock_acquire_release=[1-9][0-9]* queued_spinlock_acquire_release=[1-9][0-9]* " +
                "slist_push_pop=[1-9][0-9]*$",
                "^KE-BENCH cpus=2 ipi_generic_call=[1-9][0-9]* tb_flush_single=[1-9][0-9]* tb_flush_16=[1-9][0-9]* " +
                "tb_flush_entire=[1-9][0-9]*$",
                "^KE-BENCH dispatcher_yield_switch=[1-9][0-9]* event_set_to_waiter_running=[1-9][0-9]* " +
                "thread_create_exit=[1-9][0-9]* process_yield_switch=[1-9][0-9]* process_create_delete=[1-9][0-9]*$",
                # Ob through the native API (ob/obbench.c): every figure non-zero (0: a call failed).
                "^KE-BENCH ob_event_create_close_1=[1-9][0-9]* ob_event_create_close_(1m|100k)=[1-9][0-9]* " +
                "ob_event_create_open_close_depth1_1=[1-9][0-9]* ob_event_create_open_close_depth1_(1m|100k)=[1-9][0-9]* " +
                "ob_event_create_open_close_depth4_1=[1-9][0-9]* ob_event_create_open_close_depth4_(1m|100k)=[1-9][0-9]*$",
                # References by process-table handles (ps/psbench.c): every figure non-zero (0: a call failed).
                "^KE-BENCH ps_ref_deref_kernel_handle=[1-9][0-9]* ps_ref_deref_system_table=[1-9][0-9]* " +
                "ps_ref_deref_process_table=[1-9][0-9]*$",
            ],
            expect = ["XTOS-REPORT arch=%s" % arch, "KE: 2 of 2 processors online"],
            reject = ["*** STOP", "KE: unexpected interrupt", "KE: BENCH: no pool"],
        )

    # RunLevel misuse: a raise to a lower level and a lower to a higher one STOP with the current and the requested
    # level and the caller's address (P4); the caller shows in the backtrace (i686) or the stack scan (amd64: the walk
    # stops after KeBugCheckEx there).
    for arch in ["amd64", "i686"]:
        digits = 16 if arch == "amd64" else 8
        _fault(arch, "RUNLEVELRAISE", "*** STOP 0x00000009 (0x%s, 0x%s, %s, 0x" % (_hex(2, digits), _hex(1, digits), _ZERO[arch]),
               name = "fault_runlevel_raise_%s" % arch,
               expect = ["KE: raised from RunLevel 0 to 2, raising to 1", "IRQL_NOT_GREATER_OR_EQUAL"],
               frames = [_frame("(#[0-9] |\\?  )", "KiRaiseRunLevelBackwards")])
        _fault(arch, "RUNLEVELLOWER", "*** STOP 0x0000000A (0x%s, 0x%s, %s, 0x" % (_hex(1, digits), _hex(2, digits), _ZERO[arch]),
               name = "fault_runlevel_lower_%s" % arch,
               expect = ["KE: raised from RunLevel 0 to 1, lowering to 2", "IRQL_NOT_LESS_OR_EQUAL"],
               frames = [_frame("(#[0-9] |\\?  )", "KiLowerRunLevelUpwards")])

    # The RunLevel limits: pool allocation at CLOCK_LEVEL (limit DISPATCH_LEVEL) STOPs with the current level, the
    # limit, IRQL_CALL_ABOVE_LIMIT (1) and the caller; a DPC routine returning at CLOCK_LEVEL STOPs with
    # IRQL_UNEXPECTED_VALUE (the level, DISPATCH_LEVEL, the routine, the DPC).
    for arch in ["amd64", "i686"]:
        digits = 16 if arch == "amd64" else 8
        clock = 13 if arch == "amd64" else 28
        _fault(arch, "POOLIRQL", "*** STOP 0x0000000A (0x%s, 0x%s, 0x%s, 0x" % (_hex(clock, digits), _hex(2, digits), _hex(1, digits)),
               name = "fault_pool_runlevel_%s" % arch,
               expect = ["KE: allocating pool at RunLevel %d (limit 2)" % clock, "IRQL_NOT_LESS_OR_EQUAL"],
               frames = [_frame("(#[0-9] |\\?  )", "KiAllocatePoolAtClockLevel")])
        _fault(arch, "DPCLEVEL", "*** STOP 0x000000C8 (0x%s, 0x%s, 0x" % (_hex(clock, digits), _hex(2, digits)),
               name = "fault_dpc_runlevel_%s" % arch,
               expect = ["KE: queueing DPC 0x", "IRQL_UNEXPECTED_VALUE"])

    # Spin-lock misuse: a lock taken twice on one processor STOPs with SPIN_LOCK_ALREADY_OWNED (the lock, its value and
    # this processor's tag, both 1 on processor 0, and the caller), a free lock released with SPIN_LOCK_NOT_OWNED (value
    # 0); the caller shows in the backtrace or the stack scan.
    for arch in ["amd64", "i686"]:
        digits = 16 if arch == "amd64" else 8
        one = "0x" + _hex(1, digits)
        _fault(arch, "SPINLOCKOWNED", "*** STOP 0x0000000F (0x", name = "fault_spinlock_owned_%s" % arch,
               expect = ["KE: spin lock 0x", "(value 1), taking it again", "SPIN_LOCK_ALREADY_OWNED",
                         ", %s, %s, 0x" % (one, one)],
               frames = [_frame("(#[0-9] |\\?  )", "KiAcquireSpinLockTwice")])
        _fault(arch, "SPINLOCKNOTOWNED", "*** STOP 0x00000010 (0x", name = "fault_spinlock_not_owned_%s" % arch,
               expect = ["KE: releasing free spin lock 0x", "SPIN_LOCK_NOT_OWNED", ", %s, %s, 0x" % (_ZERO[arch], one)],
               frames = [_frame("(#[0-9] |\\?  )", "KiReleaseFreeSpinLock")])

    # A CPU without CMPXCHG16B (Opteron_G1; OVMF boots on it) is refused at start-up with UNSUPPORTED_PROCESSOR naming
    # the feature flag (CPUID leaf 1, ECX, bit 13): the interlocked lists cannot work there (docs/kernel.md "Locks").
    xt_qemu_test(
        name = "unsupported_cpu_no_cx16_amd64",
        arch = "amd64",
        cpu = "Opteron_G1",
        expect_exit = "stop",
        expect = [
            "KE: the processor lacks CMPXCHG16B (CPUID.1:ECX[13]), which the interlocked lists need",
            "*** STOP 0x0000005D (0x0000000000000001, 0x0000000000000002, 0x000000000000000D, 0x0000000000000000)",
            "UNSUPPORTED_PROCESSOR",
            "KE: system halted (TESTEXIT)",
        ],
        reject = ["XTOS-REPORT", "fault while reporting a STOP"],
    )

    # Page faults the memory manager does not resolve (issue 13): paged pool touched at DISPATCH_LEVEL is
    # IRQL_NOT_LESS_OR_EQUAL naming the address (P1, in the paged pool), the RunLevel (2) and the access (1: write);
    # a write to the image's read-only data and a call into a no-execute pool block STOP with the address and the
    # present PTE (P2 odd); a read of a paged guard page is PAGE_FAULT_IN_NONPAGED_AREA with PF_GUARD_PAGE in P4.
    # i686 runs the NX case on a CPU with NX (qemu32 has none); PML2 (NOXPA) repeats the RunLevel case.
    _PAGED = {"amd64": "FFFFF8A0[0-9A-F]{8}", "i686": "[AB][0-9A-F]{7}"}
    for arch in ["amd64", "i686"]:
        digits = 16 if arch == "amd64" else 8
        _fault(arch, "PAGEDIRQL", "IRQL_NOT_LESS_OR_EQUAL", name = "fault_paged_runlevel_%s" % arch, reject = ["the page fault was not caught"],
               expect = ["MM: paged block at 0x", "is in: paged pool (reserved, not yet touched: demand-zero)"],
               frames = ["^\\*\\*\\* STOP 0x0000000A \\(0x%s, 0x%s, 0x%s, 0x[0-9A-F]+\\)$" % (_PAGED[arch], _hex(2, digits), _hex(1, digits))])
        _fault(arch, "WRITERO", "ATTEMPTED_WRITE_TO_READONLY_MEMORY", name = "fault_write_readonly_%s" % arch, reject = ["the page fault was not caught"],
               expect = ["MM: writing the read-only byte at 0x", "is in: kernel image"],
               frames = ["^\\*\\*\\* STOP 0x000000BE \\(0x[0-9A-F]+, 0x[0-9A-F]*[13579BDF], 0x[0-9A-F]+, 0x0*3\\)$"])
        _fault(arch, "EXECNX", "ATTEMPTED_EXECUTE_OF_NOEXECUTE_MEMORY", name = "fault_execute_nx_%s" % arch, reject = ["the page fault was not caught"],
               cpu = "qemu32,+nx" if arch == "i686" else None,
               expect = ["MM: calling into the no-execute pool block at 0x"],
               frames = ["^\\*\\*\\* STOP 0x000000FC \\(0x[0-9A-F]+, 0x[0-9A-F]*[13579BDF], 0x[0-9A-F]+, 0x0*11\\)$"])
        _fault(arch, "GUARDPAGE", "PAGE_FAULT_IN_NONPAGED_AREA", name = "fault_guard_page_%s" % arch, reject = ["the page fault was not caught"],
               expect = ["guard page after it (state 3); reading past its end", "is in: paged pool (a guard page)"],
               frames = ["^\\*\\*\\* STOP 0x00000050 \\(0x%s, 0x0+, 0x[0-9A-F]+, 0x0*10000\\)$" % _PAGED[arch]])
    xt_qemu_test(
        name = "fault_paged_runlevel_pml2",
        arch = "i686",
        parameters = "NOXPA TESTFAULT=PAGEDIRQL",
        expect_exit = "stop",
        expect = ["KE: TESTFAULT=PAGEDIRQL", "paging=PML2", "IRQL_NOT_LESS_OR_EQUAL", "KE: system halted (TESTEXIT)"],
        expect_re = _REGISTERS["i686"] + ["^\\*\\*\\* STOP 0x0000000A \\(0x%s, 0x00000002, 0x00000001, 0x" % _PAGED["i686"]],
        reject = ["did not fault", "fault while reporting a STOP", "was not caught"],
    )

    # NMI and machine check, injected through QEMU's monitor while the kernel waits with interrupts off: each STOP
    # runs on its own panic stack; the #MC STOP prints the machine-check registers. qemu32 lacks the machine-check
    # architecture (QEMU: "MCE injection not supported"): +mca gives it the banks.
    for arch in ["amd64", "i686"]:
        _fault(arch, "WAITNMI", "*** STOP 0x00000080 (%s, " % _VECTOR[arch][2], name = "nmi_%s" % arch,
               monitor = ["nmi"], expect = [
                "KE: exception NMI (vector 2",
                "KE: STOP handler running on the NMI stack",
                "NMI_HARDWARE_FAILURE",
            ])
        _fault(arch, "WAITMCE", "*** STOP 0x0000009C (%s, " % _VECTOR[arch][18], name = "machine_check_%s" % arch,
               cpu = "qemu32,+mca" if arch == "i686" else None, monitor = [_MCE_INJECTION], expect = [
                "KE: exception #MC (vector 18",
                "KE: machine check: MCG_CAP=0x000000000100010A (10 banks) MCG_STATUS=0x0000000000000005",
                _MCE_REPORT,
                "KE: STOP handler running on the machine-check stack",
                "MACHINE_CHECK_EXCEPTION",
            ], reject = ["KE: MC0_STATUS", "KE: MC2_STATUS", "no bank holds a valid error"])

    # UBSan: in the sanitized kernel TESTFAULT=UBSAN overflows a LONGLONG (on i686 the handler gets the operands by
    # address): the report line names the check, file:line:column, operands and type, then STOP 0x1E0 with the check
    # (4, signed overflow), the line and the operands. Without UBSan the fault says so and counts as a failed test.
    for arch in ["amd64", "i686"]:
        xt_qemu_test(
            name = "fault_ubsan_%s" % arch,
            arch = arch,
            kernel_ubsan = True,
            parameters = "TESTFAULT=UBSAN",
            expect_exit = "stop",
            expect = [
                _UBSAN_BANNER,
                "KE: TESTFAULT=UBSAN",
                "UBSAN: signed-integer-overflow at xtoskrnl/ke/ubsanfault.c:%d:" % _UBSAN_LINE,
                _UBSAN_STOP[arch],
                "KERNEL_UBSAN_VIOLATION",
                "Backtrace:",
                "KE: system halted (TESTEXIT)",
            ],
            expect_re = _REGISTERS[arch] + [
                "^UBSAN: signed-integer-overflow at xtoskrnl/ke/ubsanfault.c:%d:[0-9]+: 9223372036854775807 \\+ 1 " % _UBSAN_LINE +
                "cannot be represented in type 'LONGLONG'",
            ],
            reject = ["did not fault", "fault while reporting a STOP", "UBSan is not built"],
        )
    xt_qemu_test(
        name = "fault_ubsan_not_built_amd64",
        arch = "amd64",
        parameters = "TESTFAULT=UBSAN",
        expect_exit = "selftest_failed",
        expect = [
            "KE: UBSan is not built into this kernel: TESTFAULT=UBSAN cannot fault",
            "KE: TESTFAULT=UBSAN did not fault",
        ],
        reject = ["*** STOP", "UBSAN:", "KE: UBSan built in"],
    )

    # SHUTDOWN: ACPI S5 power-off (QEMU q35: PM1a_CNT 0x604, SLP_TYP 0).
    _poweroff_test("poweroff_amd64", "amd64")
    _poweroff_test("poweroff_i686", "i686")

    # Harness self-test: a guest that resets (port 0xCF9) also ends QEMU with status 0 under -no-reboot. A poweroff
    # expectation must reject it as a reset; this test passes only if the harness fails the boot for that reason.
    for arch in ["amd64", "i686"]:
        xt_qemu_test(
            name = "harness_rejects_reset_%s" % arch,
            arch = arch,
            parameters = "TESTFAULT=RESET",
            expect_exit = "poweroff",
            expect = ["KE: TESTFAULT=RESET", "KE: resetting through port 0xcf9"],
            reject = ["*** STOP", "did not fault"],
            harness_must_reject = "QEMU reported: guest-reset (the guest reset)",
        )

# Boot time from QEMU's "-rtc base=" (the RTC then runs with the host clock): the kernel reads it once, less than a
# minute after QEMU started (firmware and loader under TCG on a loaded host take 5-30 s).
_RTC_BASE = "2026-11-30T12:34:56"
_RTC_BOOT_TIME = "2026-11-30T12:3(4:5[6-9]|5:[0-5][0-9])Z"

# KeClockTickSuite's system time, read at an RTC second edge after the other suites (at most 3 minutes after QEMU
# started), and its difference to the RTC (the suite checks it is within 2 s).
_RTC_SYSTEM_TIME = "KeClockTickSuite: system time 2026-11-30T12:3[4-7]:[0-5][0-9]Z, CMOS RTC 2026-11-30T12:3[4-7]:[0-5][0-9]Z"

def _rate_re(clock_hz, base):
    """The suite's measured-rate line for a clock of clock_hz Hz on base (TSC or HPET); the suite checks the bounds."""
    return "KeClockTickSuite: clock %s Hz, measured [0-9]+\\.[0-9]{3} Hz on the %s \\([0-9]+ of [0-9]+ spans of 2 interrupts agree" % (clock_hz, base)

# What the clock boots run of SELFTEST: the stalls and the clock interrupt, the I/O APIC's RTC line (so a clock source
# that takes an ISA line from a device shows), and the timers that ride on the clock.
_CLOCK_SUITES = ["KeClockSuite", "KeClockTickSuite", "HlIoApicLiveSuite", "KeTimerLiveSuite"]

def clock_boot_tests():
    """Clock sources and the clock interrupt (issue 9), both arches. TIMER= forces the TSC's reference (HPET, PM, PIT)
    and the clock interrupt's source (LAPIC, HPET, PIT); CLOCK= its rate; -no-hpet falls back to the PM timer and the
    local APIC timer. The SELFTEST boots run KeClockTickSuite, which measures the rate on the TSC (and the HPET when
    there is one) and compares the system time with -rtc base=."""
    for arch, paging in [("amd64", "PML4"), ("i686", "PML3")]:
        # The defaults (CLOCK=250 from the local APIC timer, TSC against the HPET), with SELFTEST and a fixed RTC base.
        _boot("clock_%s_rtc_base" % arch, arch, paging, qemu_args = ["-rtc", "base=" + _RTC_BASE],
              boot_time = _RTC_BOOT_TIME, suites = _CLOCK_SUITES,
              expect = ["HL: local APIC timer measured against HPET: ", "HL: clock interrupt: LAPIC periodic, vector 0xd1, 250.000 Hz",
                        "KE: clock interrupt started: LAPIC periodic at 250 Hz, increment "],
              extra_re = [_rate_re(250, "TSC"), _rate_re(250, "HPET"), _RTC_SYSTEM_TIME])
        for timer, tick, tsc_ref, line in [
            ("HPET", "HPET", "HPET", "HL: clock interrupt: HPET periodic, vector 0xd1, 250.000 Hz (period 400000 at 100000000 Hz"),
            ("PIT", "PIT", "PIT", "HL: clock interrupt: PIT periodic, vector 0xd1, 249.986 Hz (period 4773 at 1193182 Hz"),
            ("LAPIC", "LAPIC", "HPET", "HL: clock interrupt: LAPIC periodic, vector 0xd1, 250.000 Hz"),
        ]:
            _boot("clock_%s_timer_%s" % (arch, timer.lower()), arch, paging, parameters = "TIMER=" + timer, timer = tick,
                  tsc_ref = tsc_ref, suites = _CLOCK_SUITES, expect = ["HL: TSC calibrated against %s: " % tsc_ref, line],
                  extra_re = [_rate_re(250, "TSC"), _rate_re(250, "HPET")])

        # TIMER=PM: the TSC's reference only; the clock interrupt stays on the local APIC timer, measured against PM.
        _boot("clock_%s_timer_pm" % arch, arch, paging, parameters = "TIMER=PM", timer = "LAPIC", tsc_ref = "PM",
              expect = ["HL: TSC calibrated against PM: ", "HL: local APIC timer measured against PM: "])

        # CLOCK=100: a 10 ms tick (100000 x 100 ns) from the local APIC timer; the PIT at 100 Hz runs at 99.998 Hz (11932 counts).
        _boot("clock_%s_clock_100" % arch, arch, paging, parameters = "CLOCK=100", clock_hz = "100", suites = _CLOCK_SUITES,
              expect = ["HL: clock interrupt: LAPIC periodic, vector 0xd1, 100.000 Hz", "KE: clock interrupt started: LAPIC periodic at 100 Hz"],
              extra_re = [_rate_re(100, "TSC"), _rate_re(100, "HPET")])
        _boot("clock_%s_clock_100_pit" % arch, arch, paging, parameters = "CLOCK=100 TIMER=PIT", clock_hz = "100",
              timer = "PIT", tsc_ref = "PIT", expect = ["HL: clock interrupt: PIT periodic, vector 0xd1, 99.998 Hz (period 11932 "])

        # CLOCK= outside 20..10000 Hz is reported and ignored: the default rate stays.
        _boot("clock_%s_clock_invalid" % arch, arch, paging, parameters = "CLOCK=19 CLOCK=100000",
              expect = ["KE: invalid value in parameter 'CLOCK=19' ignored", "KE: invalid value in parameter 'CLOCK=100000' ignored"])

        # No HPET: the TSC against the PM timer, the clock from the local APIC timer, measured on the TSC only.
        _boot("clock_%s_no_hpet" % arch, arch, paging, qemu_args = ["-no-hpet"], tsc_ref = "PM", suites = _CLOCK_SUITES,
              expect = ["HL: no HPET", "HL: ACPI PM timer at port 0x608, 24-bit", "KeClockTickSuite: no HPET on this machine"],
              extra_re = [_rate_re(250, "TSC")])
        _boot("clock_%s_no_hpet_forced" % arch, arch, paging, qemu_args = ["-no-hpet"], parameters = "TIMER=HPET",
              tsc_ref = "PM", expect = ["HL: TIMER=HPET: no such clock source here, using PM",
                                        "HL: clock interrupt: no HPET here",
                                        "HL: clock interrupt: TIMER=HPET not usable here, using the local APIC timer"])

# The I/O APIC's start-up line with QEMU's MADT (both machines): IRQ0 on GSI 2, the PCI link IRQs level high.
_IOAPIC_LINE = ("HL: I/O APIC id 0 at 0xFEC00000: 24 pins, GSI 0-23, 5 overrides applied (IRQ0->GSI2 edge high, " +
                "IRQ5->GSI5 level high, IRQ9->GSI9 level high, IRQ10->GSI10 level high, IRQ11->GSI11 level high), " +
                "all masked")

def ioapic_boot_tests():
    """I/O APIC (issue 9): SELFTEST (the RTC's interrupt through the I/O APIC included) on QEMU's i440fx machine
    ("-machine pc"), and the interrupt-storm boot (TESTSTORM) on both arches.

    i686 cannot boot on i440fx here: the only IA32 OVMF (Debian's ovmf-ia32) is the secure-boot build, made with
    SMM_REQUIRE, whose SMRAM lives in the Q35 MCH's TSEG; on "-machine pc,smm=on" it dead-loops in PEI before
    printing anything (see docs/kernel.md)."""
    for paging, cpu in [("PML4", "qemu64"), ("PML5", "qemu64,+la57")]:
        _boot("ioapic_amd64_i440fx_%s_selftest" % paging.lower(), "amd64", paging, cpu = cpu, machine = "pc",
              suites = ["HlMadtSuite", "KeInterruptLiveSuite", "HlIoApicLiveSuite", "KeClockTickSuite", "KeDpcLiveSuite"],
              expect = [_IOAPIC_LINE])
    for arch, paging in [("amd64", "PML4"), ("i686", "PML3")]:
        _boot("ioapic_%s_storm" % arch, arch, paging, parameters = "TESTSTORM", expect = [
            _IOAPIC_LINE,
            "KE: TESTSTORM: CMOS RTC periodic interrupt held asserted on GSI 8 (level), vector 0x92: status 0x00000000",
            "KE: TESTSTORM: storm stopped, system live",
        ], extra_re = [
            "^KE: interrupt storm on vector 0x92 \\(GSI 8\\): 1024 interrupts in [0-9]+ us: line masked$",
            "^KE: TESTSTORM: [0-9]+ interrupts in [0-9]+ us before the line was masked, 0 in the 100 ms after$",
        ])

# The paging modes with the CPU model and parameters that select each (as in the SELFTEST boots above).
_SMP_MODES = [
    ("PML4", "amd64", "qemu64", ""),
    ("PML5", "amd64", "qemu64,+la57", ""),
    ("PML3", "i686", "qemu32,+pse36", ""),
    ("PML2", "i686", "qemu32", "NOXPA"),
]

def smp_boot_tests():
    """Every processor up (issue 10): without -icount, so QEMU runs one host thread per vCPU (real concurrency)."""

    # SELFTEST on 2 and 4 processors in every paging mode, 8 in PML4: every processor started in the boot processor's
    # mode checks in (cpus=N and the start-up lines), ticks on its own local APIC timer and runs IPI generic and
    # targeted calls (KeSmpLiveSuite).
    # The 2-processor boots run all of SELFTEST; 4 and 8 the suites that exercise the other processors.
    for mode, arch, cpu, parameters in _SMP_MODES:
        for smp in [2, 4] + ([8] if mode == "PML4" else []):
            # The 2-processor boots run the single-processor tortures (pool, paged pool, ObScaleSuite's objects and
            # handles) with 100,000 operations (TORTURE=): the million-operation runs are the 1 GiB boots'.
            _boot("smp%d_selftest_%s" % (smp, mode.lower()), arch, mode, cpu = cpu, smp = smp,
                  parameters = (parameters + " TORTURE=100000").strip() if smp == 2 else parameters,
                  # Not KeSpinLockLiveSuite on 4 and 8: its all-processor MCS counter hands each lock over in FIFO
                  # order to vCPU threads the 2-core host has descheduled, and ran past the 5 s IPI watchdog once on 8.
                  # MmSmpStressSuite (every processor allocating at once) on 4 processors in PML4 and PML5 (the
                  # 2-processor boots run it in every mode, with a million operations); not on 8: 8 vCPUs on the
                  # 2-core host would take too long.
                  selftest = True, suites = None if smp == 2 else ["KeSmpLiveSuite", "KeDpcLiveSuite", "KeTimerLiveSuite",
                                                                  "KeQueuedLockSmpSuite", "MmTlbLiveSuite",
                                                                  "MmAddressSpaceSuite", "KeWaitSuite",
                                                                  "KeDispatcherSuite"] +
                                                                  # Processes on 4 (8 vCPUs on the 2-core host time out
                                                                  # their waits).
                                                                  (["KeProcessSuite"] if smp == 4 else []) +
                                                                  (["MmSmpStressSuite"] if smp == 4 and mode in ["PML4", "PML5"] else []) +
                                                                  # Ob's executive objects and native API, with their
                                                                  # duplicate/close race across two handle tables on
                                                                  # all 4 processors.
                                                                  (["ObExecSuite"] if smp == 4 else []) +
                                                                  # Ps: processes and threads as objects.
                                                                  (["PsProcessSuite"] if smp == 4 else []),
                  expect = [
                      "MM: processor start-up page reserved at 0x",
                      "KE: MADT: %d usable processors (0 disabled, boot processor APIC id 0); starting %d" % (smp, smp),
                      "KE: %d of %d processors online" % (smp, smp),
                  ], extra_re = ["^KE: processor %d \\(APIC id %d\\) online [0-9]+ us after the SIPIs: kernel stack " % (smp - 1, smp - 1)],
                  # The UBSan kernel on 4 processors in PML3 and PML5: every check on in the start-up and IPI paths.
                  ubsan = smp == 4 and mode in ["PML3", "PML5"], timeout_s = 300)

    # -cpu max: the application processors run with NX, SMEP and SMAP like the boot processor (and LA57 on amd64), and
    # with the boot processor's XSAVE set-up (KeContextSwitchSuite checks CR4 and XCR0 on every processor).
    for arch, mode in [("amd64", "PML5"), ("i686", "PML3")]:
        _boot("smp2_cpu_max_%s" % arch, arch, mode, cpu = "max", smp = 2,
              expect = ["nx=1 smep=1 smap=1", "KE: 2 of 2 processors online", _XSAVE_AVX],
              suites = ["KeContextSwitchSuite", "KeWaitSuite", "KeDispatcherSuite"])

    # An AP that never reaches the kernel (TESTAPHANG: the first AP's trampoline halts after real mode) is reported
    # after its timeout and left out; the next one still starts, as number 1. Never a hang.
    _boot("smp3_aphang_pml4", "amd64", "PML4", smp = 3, parameters = "TESTAPHANG", cpus = 2, expect = [
        "KE: TESTAPHANG: processor (APIC id 1) will halt in the trampoline's 32-bit code",
        "KE: processor (APIC id 1) did not answer within 2000 ms (it ran the trampoline but never reached the kernel): left out",
        "KE: 2 of 3 processors online",
    ], extra_re = ["^KE: processor 1 \\(APIC id 2\\) online [0-9]+ us after the SIPIs"])

    # MAXCPUS=2 on 4 processors starts two; the other two are listed and left out.
    _boot("smp4_maxcpus2_pml4", "amd64", "PML4", smp = 4, parameters = "MAXCPUS=2", cpus = 2, expect = [
        "KE: MADT: 4 usable processors (0 disabled, boot processor APIC id 0); starting 2 (MAXCPUS)",
        "KE: 2 of 2 processors online",
    ])

    # A STOP on processor 1 (a targeted IPI runs KeBugCheckEx there) freezes processor 0 by NMI: the report names the
    # processor that stopped and where the other one was frozen (amd64: NMI on its IST stack; i686: the NMI task).
    for arch, mode, cpu, width in [("amd64", "PML4", "qemu64", 16), ("i686", "PML3", "qemu32", 8)]:
        xt_qemu_test(
            name = "smp2_stop_%s" % arch,
            arch = arch,
            cpu = cpu,
            smp = 2,
            parameters = "TESTFAULT=APSTOP",
            expect_exit = "stop",
            expect = [
                "KE: 2 of 2 processors online",
                "KE: TESTFAULT=APSTOP",
                "KE: asking processor 1 to stop the system",
                "MANUALLY_INITIATED_CRASH",
                "KE: STOP on processor 1 (APIC id 1) of 2",
                "Backtrace:",
                "KE: system halted (TESTEXIT)",
            ],
            expect_re = [
                "^\\*\\*\\* STOP 0x000000E2 \\(0x%s, 0x%s, " % (_hex(1, width), _hex(0x5150, width)),
                # The backtrace (or, where the chain is short, the stack scan) reads the AP's own kernel stack.
                "^  (#[0-9]+|\\?) +0x[0-9A-F]+ \\(xtoskrnl\\+0x[0-9a-f]+ KiStopFromIpi\\+0x[0-9a-f]+\\)$",
                "^KE: processor 0 \\(APIC id 0\\) frozen at 0x[0-9A-F]+ \\(xtoskrnl\\+0x[0-9a-f]+ (Ki|Ke|Hl)[A-Za-z]+\\+0x[0-9a-f]+\\)$",
            ] + _REGISTERS[arch],
            reject = ["did not answer the freeze NMI", "fault while reporting a STOP", "did not fault", "NMI_HARDWARE_FAILURE"],
        )

    # TLB shootdown (TESTFAULT=SHOOTDOWN): a system page read on both processors, freed on processor 0 (one shootdown),
    # then read on processor 1 must fault there: PAGE_FAULT_IN_NONPAGED_AREA naming the page (P1 in system PTEs, the
    # same address as the test's shootdown_va= and the STOP's CR2=), on processor 1. Without the shootdown processor 1
    # reads the old data through its stale translation and the boot ends in "did not fault" (docs/memory-manager.md).
    for arch, mode, cpu, system_ptes in [("amd64", "PML4", "qemu64", "0xFFFFF88[0-9A-F]{9}"), ("i686", "PML3", "qemu32,+pse36", "0x(D[D-F]|E[0-9A-F]|F[0-9A-E])[0-9A-F]{6}")]:
        xt_qemu_test(
            name = "smp2_shootdown_%s" % mode.lower(),
            arch = arch,
            cpu = cpu,
            smp = 2,
            parameters = "TESTFAULT=SHOOTDOWN",
            expect_exit = "stop",
            expect = [
                "KE: 2 of 2 processors online",
                "KE: TESTFAULT=SHOOTDOWN",
                "read by 2 of 2 processors; freeing it on processor 0",
                "PAGE_FAULT_IN_NONPAGED_AREA",
                "KE: STOP on processor 1 (APIC id 1) of 2",
                "is in: system PTEs (unmapped: a guard page or a freed page)",
                "KE: system halted (TESTEXIT)",
            ],
            expect_equal = ["shootdown_va=CR2"],
            expect_re = [
                "^MM: shootdown_va=[0-9A-F]+ read by 2 of 2 processors",
                "^\\*\\*\\* STOP 0x00000050 \\(%s, 0x0+, 0x[0-9A-F]+, 0x0+\\)$" % system_ptes,
                "^KE: page fault: read of %s at " % system_ptes,
            ] + _REGISTERS[arch],
            reject = ["did not fault", "after the unmap (a stale translation)", "fault while reporting a STOP",
                      "did not answer the freeze NMI", "NMI_HARDWARE_FAILURE"],
        )

    # A user page's shootdown (TESTFAULT=SPACESHOOTDOWN): processor 1 runs in a new address space (attached in a DPC)
    # and reads a user page, processor 0 unmaps it (MmUnmapUserPage), processor 1 reads it again and must STOP there:
    # PAGE_FAULT_IN_NONPAGED_AREA naming the page (P1 and CR2 equal to the test's space_user_va=). Without the shootdown
    # processor 1 reads the old frame through its stale translation and the boot ends in "did not fault" (seen). One boot
    # (CI time): MmAddressSpaceSuite's remap case covers the same shootdown in every mode's 2-processor boot.
    for arch, mode, cpu in [("amd64", "PML4", "qemu64")]:
        xt_qemu_test(
            name = "smp2_space_shootdown_%s" % mode.lower(),
            arch = arch,
            cpu = cpu,
            smp = 2,
            parameters = "TESTFAULT=SPACESHOOTDOWN",
            expect_exit = "stop",
            expect = [
                "KE: 2 of 2 processors online",
                "KE: TESTFAULT=SPACESHOOTDOWN",
                "MM: unmapping it on processor 0 while processor 1 runs in the space (active mask 0x2)",
                "PAGE_FAULT_IN_NONPAGED_AREA",
                "KE: STOP on processor 1 (APIC id 1) of 2",
                "is in: user space (not mapped in the current address space)",
                "KE: system halted (TESTEXIT)",
            ],
            expect_equal = ["space_user_va=CR2"],
            expect_re = [
                "^MM: processor 1 runs in the space \\(CR3 0x[0-9a-f]+\\) and read 0x5acef00d at space_user_va=0*40000000$",
                "^\\*\\*\\* STOP 0x00000050 \\(0x0*40000000, 0x0+, 0x[0-9A-F]+, 0x0+\\)$",
            ] + _REGISTERS[arch],
            reject = ["did not fault", "after the unmap (a stale translation)", "fault while reporting a STOP",
                      "did not answer the freeze NMI", "NMI_HARDWARE_FAILURE"],
        )

    # A STOP on the boot processor (TESTFAULT=PAGE) freezes processor 1 where it idles (its idle thread, KiIdleLoop):
    # the freeze NMI runs on the AP's own NMI stack (amd64: IST2 of its TSS; i686: the NMI task of its own GDT, FS =
    # its KPRCB).
    for arch, cpu in [("amd64", "qemu64"), ("i686", "qemu32")]:
        xt_qemu_test(
            name = "smp2_stop_bsp_%s" % arch,
            arch = arch,
            cpu = cpu,
            smp = 2,
            parameters = "TESTFAULT=PAGE",
            expect_exit = "stop",
            expect = [
                "KE: 2 of 2 processors online",
                "PAGE_FAULT_IN_NONPAGED_AREA",
                "KE: STOP on processor 0 (APIC id 0) of 2",
                "KE: system halted (TESTEXIT)",
            ],
            expect_re = [
                "^KE: processor 1 \\(APIC id 1\\) frozen at 0x[0-9A-F]+ \\(xtoskrnl\\+0x[0-9a-f]+ KiIdleLoop\\+0x[0-9a-f]+\\)$",
            ] + _REGISTERS[arch],
            reject = ["did not answer the freeze NMI", "fault while reporting a STOP", "NMI_HARDWARE_FAILURE"],
        )
