"""gdb commands for XTOS under QEMU's gdb stub (./xt run --gdb, README, "Developing XTOS").

`xtos-attach TARGET SERIAL_LOG LOADER_DEBUG KERNEL_DEBUG` connects to QEMU (TARGET: a TCP port on this machine, or
anything `target remote` accepts; QEMU started with -S, its gdb stub and the fw_cfg file opt/xtos/debugger), lets
the firmware run until the loader prints its image base and waits, loads the loader's
symbols at that base, releases the loader, stops in BlDebuggerKernelReady to learn the kernel's (KASLR) base, loads
the kernel's symbols there and stops at the kernel's first instruction, KiSystemStartup. Both symbol files are the
DWARF twins of the release images (//:debug); symbols are placed with add-symbol-file -o (run-time base minus the
image's link base, read from its PE header).
"""

import os
import re
import signal
import struct
import threading
import time

import gdb
import gdb.unwinder

LOADER_LINE = re.compile(rb"XTLDR: debugger: loader image at (0x[0-9a-fA-F]+), waiting for gdb")
WAIT_SECONDS = 120


def pe_image_base(path):
    """The ImageBase field of a PE image's optional header (PE32 or PE32+)."""
    with open(path, "rb") as image:
        data = image.read(4096)
    if data[:2] != b"MZ":
        raise gdb.GdbError("xtos: %s is not a PE image" % path)
    nt = struct.unpack_from("<I", data, 0x3C)[0]
    if data[nt:nt + 4] != b"PE\0\0":
        raise gdb.GdbError("xtos: %s has no PE signature" % path)
    optional = nt + 24
    magic = struct.unpack_from("<H", data, optional)[0]
    if magic == 0x20B:
        return struct.unpack_from("<Q", data, optional + 24)[0]
    if magic == 0x10B:
        return struct.unpack_from("<I", data, optional + 28)[0]
    raise gdb.GdbError("xtos: %s: unknown optional header magic 0x%x" % (path, magic))


class PeImage:
    """The section table and x64 unwind data (.pdata, .xdata) of a PE image file."""

    def __init__(self, path):
        with open(path, "rb") as image:
            self.data = image.read()
        nt = struct.unpack_from("<I", self.data, 0x3C)[0]
        sections, optional_size = struct.unpack_from("<H", self.data, nt + 6)[0], struct.unpack_from("<H", self.data, nt + 20)[0]
        optional = nt + 24
        self.pe32plus = struct.unpack_from("<H", self.data, optional)[0] == 0x20B
        self.image_size = struct.unpack_from("<I", self.data, optional + 56)[0]
        self.entry_rva = struct.unpack_from("<I", self.data, optional + 16)[0]
        self.sections = []
        for index in range(sections):
            header = optional + optional_size + 40 * index
            size, rva, raw_size, raw = struct.unpack_from("<IIII", self.data, header + 8)
            self.sections.append((rva, max(size, raw_size), raw, raw_size))
        self.functions = []
        if self.pe32plus:
            rva, size = struct.unpack_from("<II", self.data, optional + 112 + 3 * 8)
            for offset in range(0, size - size % 12, 12):
                self.functions.append(struct.unpack_from("<III", self.data, self.file_offset(rva + offset)))

    def file_offset(self, rva):
        for start, size, raw, raw_size in self.sections:
            if start <= rva < start + size and rva - start < raw_size:
                return raw + rva - start
        raise gdb.GdbError("xtos: RVA 0x%x is not in the file" % rva)

    def function(self, rva):
        """The RUNTIME_FUNCTION (begin, end, unwind info RVA) containing `rva`, or None (a leaf function)."""
        low, high = 0, len(self.functions)
        while low < high:
            middle = (low + high) // 2
            begin, end, info = self.functions[middle]
            if rva < begin:
                high = middle
            elif rva >= end:
                low = middle + 1
            else:
                return self.functions[middle]
        return None


# Microsoft x64 unwind register numbers.
X64_REGISTERS = ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi"] + ["r%d" % n for n in range(8, 16)]
X64_NONVOLATILE = ["rbx", "rbp", "rsi", "rdi", "r12", "r13", "r14", "r15"]


class FrameId:
    """A frame's identity for gdb: the caller's stack pointer and the function's start (gdb.Value objects)."""

    def __init__(self, sp, pc):
        self.sp = gdb.Value(sp)
        self.pc = gdb.Value(pc)


def read_u64(address):
    return struct.unpack("<Q", bytes(gdb.selected_inferior().read_memory(address, 8)))[0]


class X64Unwinder(gdb.unwinder.Unwinder):
    """Unwinds Microsoft x64 frames from the images' .pdata/.xdata. Debian's gdb has no Windows OS ABI (whose
    unwinder reads them), and clang emits no DWARF CFI for Windows targets: without this, `bt` stops at frame 1."""

    def __init__(self):
        super().__init__("xtos-x64")
        self.images = []  # (base, PeImage)

    def image_at(self, pc):
        for base, image in self.images:
            if base <= pc < base + image.image_size:
                return base, image
        return None, None

    def __call__(self, pending_frame):
        if "x86-64" not in pending_frame.architecture().name():
            return None
        pc = int(pending_frame.read_register("rip")) & 0xFFFFFFFFFFFFFFFF
        base, image = self.image_at(pc)
        if image is None:
            return None
        try:
            return self.unwind(pending_frame, pc, base, image)
        except gdb.MemoryError:
            return None

    def unwind(self, pending_frame, pc, base, image):
        regs = {name: int(pending_frame.read_register(name)) & 0xFFFFFFFFFFFFFFFF for name in X64_NONVOLATILE}
        rsp = int(pending_frame.read_register("rsp")) & 0xFFFFFFFFFFFFFFFF
        function = image.function(pc - base)
        start = pc if function is None else base + function[0]
        if start == base + image.entry_rva:
            # The image's entry point (KiSystemStartup) was jumped to, not called: the outermost frame.
            return self.caller(pending_frame, start, rsp, 0, regs)
        primary = True
        while function is not None:
            info = image.file_offset(function[2])
            flags = image.data[info] >> 3
            count = image.data[info + 2]
            frame_register, frame_offset = image.data[info + 3] & 0xF, image.data[info + 3] >> 4
            codes = [struct.unpack_from("<BB", image.data, info + 4 + 2 * i) for i in range(count)]
            executed = pc - base - function[0]
            index = 0
            while index < count:
                offset, op_info = codes[index]
                op, info_bits = op_info & 0xF, op_info >> 4
                slots = {1: 2 if info_bits == 0 else 3, 4: 2, 5: 3, 8: 2, 9: 3}.get(op, 1)
                if not primary or offset <= executed:  # the prologue has executed this operation
                    if op == 0:  # UWOP_PUSH_NONVOL
                        regs[X64_REGISTERS[info_bits]] = read_u64(rsp)
                        rsp += 8
                    elif op == 1:  # UWOP_ALLOC_LARGE
                        if info_bits == 0:
                            rsp += 8 * struct.unpack_from("<H", image.data, info + 4 + 2 * (index + 1))[0]
                        else:
                            rsp += struct.unpack_from("<I", image.data, info + 4 + 2 * (index + 1))[0]
                    elif op == 2:  # UWOP_ALLOC_SMALL
                        rsp += 8 * info_bits + 8
                    elif op == 3:  # UWOP_SET_FPREG
                        frame = X64_REGISTERS[frame_register]
                        value = regs[frame] if frame in regs else int(pending_frame.read_register(frame))
                        rsp = (value & 0xFFFFFFFFFFFFFFFF) - 16 * frame_offset
                    elif op in (4, 5):  # UWOP_SAVE_NONVOL(_FAR)
                        if op == 4:
                            slot = 8 * struct.unpack_from("<H", image.data, info + 4 + 2 * (index + 1))[0]
                        else:
                            slot = struct.unpack_from("<I", image.data, info + 4 + 2 * (index + 1))[0]
                        regs[X64_REGISTERS[info_bits]] = read_u64(rsp + slot)
                    elif op == 10:  # UWOP_PUSH_MACHFRAME: an interrupt frame (RIP, CS, RFLAGS, RSP, SS)
                        rsp += 8 * info_bits
                        return self.caller(pending_frame, start, read_u64(rsp + 24), read_u64(rsp), regs)
                index += slots
            if not flags & 0x4:  # UNW_FLAG_CHAININFO: the parent's RUNTIME_FUNCTION follows the codes
                break
            chained = info + 4 + 2 * (count + (count & 1))
            function = struct.unpack_from("<III", image.data, chained)
            primary = False
        return self.caller(pending_frame, start, rsp + 8, read_u64(rsp), regs)

    def caller(self, pending_frame, start, caller_rsp, return_address, regs):
        unwind = pending_frame.create_unwind_info(FrameId(caller_rsp, start))
        for name, value in regs.items():
            unwind.add_saved_register(name, gdb.Value(value).cast(pending_frame.read_register(name).type))
        unwind.add_saved_register("rsp", gdb.Value(caller_rsp).cast(pending_frame.read_register("rsp").type))
        unwind.add_saved_register("rip", gdb.Value(return_address).cast(pending_frame.read_register("rip").type))
        return unwind


X64_UNWINDER = X64Unwinder()
gdb.unwinder.register_unwinder(None, X64_UNWINDER, replace=True)


def add_symbols(path, base):
    """Loads the symbols of a PE image (from its ELF twin, PATH with .elf for .exe) relocated to run at `base`."""
    offset = base - pe_image_base(path)
    elf = os.path.splitext(path)[0] + ".elf"
    gdb.execute("add-symbol-file %s -o (%d)" % (elf, offset), to_string=True)
    image = PeImage(path)
    if image.pe32plus:
        X64_UNWINDER.images.append((base, image))
        gdb.invalidate_cached_frames()
    print("xtos: symbols of %s at 0x%x (offset %+#x)" % (os.path.basename(path), base, offset))


def wait_for_loader(serial_log, found):
    """Polls the serial log for the loader's debugger line; then interrupts gdb's `continue`."""
    deadline = time.time() + WAIT_SECONDS
    while time.time() < deadline:
        try:
            with open(serial_log, "rb") as log:
                match = LOADER_LINE.search(log.read())
        except OSError:
            match = None
        if match:
            found.append(int(match.group(1), 16))
            break
        time.sleep(0.1)
    # The firmware keeps running until gdb is interrupted: a SIGINT stops the target like Ctrl-C (also on timeout,
    # so the attach fails instead of hanging).
    os.kill(os.getpid(), signal.SIGINT)


def kernel_base_argument():
    """The KernelBase argument of BlDebuggerKernelReady, at its first instruction."""
    try:
        return int(gdb.parse_and_eval("KernelBase")) & 0xFFFFFFFFFFFFFFFF
    except gdb.error:
        pass
    # The calling conventions: Microsoft x64 (RCX), i386 cdecl (the 64-bit value at ESP+4).
    if "x86-64" in gdb.selected_frame().architecture().name():
        return int(gdb.parse_and_eval("$rcx")) & 0xFFFFFFFFFFFFFFFF
    return int(gdb.parse_and_eval("*(unsigned long long *)($esp + 4)"))


class XtosAttach(gdb.Command):
    """xtos-attach TARGET SERIAL_LOG LOADER_DEBUG KERNEL_DEBUG: attach to XTOS under QEMU, stop at KiSystemStartup."""

    def __init__(self):
        super().__init__("xtos-attach", gdb.COMMAND_RUNNING)

    def invoke(self, argument, from_tty):
        args = gdb.string_to_argv(argument)
        if len(args) != 4:
            raise gdb.GdbError("usage: xtos-attach TARGET SERIAL_LOG LOADER_DEBUG KERNEL_DEBUG")
        target, serial_log, loader, kernel = args
        gdb.execute("set confirm off")
        gdb.execute("set pagination off")
        gdb.execute("target remote %s" % ("localhost:" + target if target.isdigit() else target))

        found = []
        watcher = threading.Thread(target=wait_for_loader, args=(serial_log, found), daemon=True)
        watcher.start()
        gdb.execute("continue")
        watcher.join()
        if not found:
            raise gdb.GdbError("xtos: the loader never printed its image base in %s (is opt/xtos/debugger set?)"
                               % serial_log)
        add_symbols(loader, found[0])

        ready = gdb.Breakpoint("BlDebuggerKernelReady", internal=True)
        gdb.execute("set var BlDebuggerWaiting = 0")
        gdb.execute("continue")
        if gdb.selected_frame().name() != "BlDebuggerKernelReady":
            raise gdb.GdbError("xtos: stopped in %s, expected BlDebuggerKernelReady" % gdb.selected_frame().name())
        ready.delete()
        base = kernel_base_argument()
        add_symbols(kernel, base)

        # The kernel's addresses are not mapped yet (the loader switches page tables on the way in): a hardware
        # breakpoint matches the instruction pointer without writing to guest memory.
        gdb.execute("thbreak KiSystemStartup", to_string=True)
        gdb.execute("continue")
        print("xtos: kernel at 0x%x, stopped in KiSystemStartup; `break FUNCTION`, `continue`, `bt`" % base)


XtosAttach()
