#!/bin/bash
# Source-level debugging test: boots XTOS (KASLR on) under QEMU's gdb stub, attaches Debian's gdb in batch mode
# through testing/gdb/xtos.py (as ./xt run --gdb does), breaks in a kernel function and checks what gdb reports
# against the sources and the guest's own serial lines: function, file:line, the caller in `bt`, a local's value,
# the kernel base; then lets the guest finish (isa-debug-exit 33: the boot completes under the debugger).
# usage: gdb_test.sh --arch A --image IMG --code OVMF_CODE --vars OVMF_VARS -- DEBUG_FILES... (of xt_debug_files)
set -uo pipefail
arch="" image="" code="" vars="" loader="" kernel=""
while [ $# -gt 0 ]; do
    case "$1" in
        --arch) arch=$2; shift 2 ;;
        --image) image=$2; shift 2 ;;
        --code) code=$2; shift 2 ;;
        --vars) vars=$2; shift 2 ;;
        --) shift; break ;;
        *) echo "gdb_test: unknown option $1" >&2; exit 2 ;;
    esac
done
for file in "$@"; do
    case "$file" in
        *-xtldr-debug.exe) loader=$file ;;
        *-xtoskrnl-debug.exe) kernel=$file ;;
    esac
done
[ -n "$loader" ] && [ -n "$kernel" ] || { echo "gdb_test: the loader's and the kernel's debug files are needed" >&2; exit 2; }
outdir=${TEST_UNDECLARED_OUTPUTS_DIR:-${TEST_TMPDIR:-/tmp}}
work=$(mktemp -d "${TEST_TMPDIR:-/tmp}/gdbtest.XXXXXX")
export TMPDIR=$work
serial=$outdir/serial.log gdblog=$outdir/gdb.log
# A free loopback port for QEMU's gdb stub (a Unix socket path inside the sandbox is longer than 108 bytes).
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
: >"$serial"

# The function to break in, and where the sources say it is (so the expectations follow the code).
function=MmInitializeMemoryManager caller=KiSystemStartup
source_file=xtoskrnl/mm/mminit.c caller_file=xtoskrnl/ke/krnlinit.c
first=$(grep -n "^VOID $function(" "$source_file" | head -1 | cut -d: -f1)
last=$(awk -v first="$first" 'NR > first && /^}/ { print NR; exit }' "$source_file")
call_line=$(grep -n "    $function(" "$caller_file" | head -1 | cut -d: -f1)
[ -n "$first" ] && [ -n "$last" ] && [ -n "$call_line" ] || { echo "FAIL: cannot find $function in the sources"; exit 1; }

testing/qemu_boot.sh --arch "$arch" --image "$image" --code "$code" --vars "$vars" --serial "$serial" --timeout 150 \
    -- -S -gdb "tcp:127.0.0.1:$port" \
    -fw_cfg name=opt/xtos/debugger,string=1 -fw_cfg name=opt/xtos/testexit,string=1 -pidfile "$work/qemu.pid" &
qemu=$!
for _ in $(seq 100); do
    (: </dev/tcp/127.0.0.1/"$port") 2>/dev/null && break
    sleep 0.1
done

timeout 120 gdb -nx -batch \
    -ex "source testing/gdb/xtos.py" \
    -ex "xtos-attach $port $serial $loader $kernel" \
    -ex "break $function" \
    -ex "continue" \
    -ex "bt" \
    -ex "print InitBlock->Version" \
    -ex "continue" >"$gdblog" 2>&1 </dev/null
gdb_status=$?
# A gdb that failed leaves the guest waiting: end QEMU now (its own timeout would take 150 s).
[ "$gdb_status" = 0 ] || { [ -s "$work/qemu.pid" ] && kill "$(cat "$work/qemu.pid")" 2>/dev/null; }
wait "$qemu"
status=$?

failures=()
clean_serial=$(sed -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\r//g' "$serial")
[ "$status" = 33 ] || failures+=("QEMU exit status $status, expected 33 (the boot completes under gdb)")
grep -q "XTLDR: KASLR base" <<<"$clean_serial" || failures+=("the loader did not randomise the kernel base")
# gdb's kernel base is the one the kernel reports.
gdb_base=$(sed -n 's/^xtos: kernel at \(0x[0-9a-f]*\),.*/\1/p' "$gdblog")
serial_base=$(sed -n 's/^KE: kernel image at \(0x[0-9A-F]*\):.*/\1/p' <<<"$clean_serial")
[ -n "$gdb_base" ] && [ "${gdb_base,,}" = "${serial_base,,}" ] ||
    failures+=("gdb placed the kernel at '${gdb_base:-none}', the kernel reports '${serial_base:-none}'")
grep -qE "^Temporary breakpoint [0-9]+, $caller \(.*\) at $caller_file:[0-9]+$" "$gdblog" ||
    failures+=("gdb did not stop at the kernel's entry $caller with its source file")
# The breakpoint: the right function, in its source file, on a line inside its body.
hit=$(grep -E "^Breakpoint [0-9]+, $function \(.*\) at $source_file:[0-9]+$" "$gdblog" | head -1)
hit_line=${hit##*:}
if [ -z "$hit" ]; then
    failures+=("no breakpoint hit in $function at $source_file")
elif [ "$hit_line" -le "$first" ] || [ "$hit_line" -ge "$last" ]; then
    failures+=("breakpoint line $hit_line is outside $function ($source_file:$first-$last)")
fi
# bt: frame 0 the function, frame 1 its caller at the line of the call.
grep -qE "^#0  $function \(.*\) at $source_file:$hit_line$" "$gdblog" || failures+=("bt frame #0 is not $function at $source_file:$hit_line")
grep -qE "^#1  0x[0-9a-f]+ in $caller \(.*\) at $caller_file:$call_line$" "$gdblog" ||
    failures+=("bt frame #1 is not $caller at $caller_file:$call_line")
# A local (the argument) read through DWARF: the init block version the kernel prints in its banner.
version=$(sed -n 's/.*: init block v\([0-9]*\),.*/\1/p' <<<"$clean_serial" | head -1)
grep -qE "^\\\$1 = ${version:-none}$" "$gdblog" || failures+=("print InitBlock->Version does not give the banner's v${version:-?}")

if [ ${#failures[@]} -gt 0 ]; then
    printf 'FAIL: %s\n' "${failures[@]}"
    echo "---- gdb (status $gdb_status) ----"
    tail -n 40 "$gdblog"
    echo "---- serial (last 15 lines) ----"
    tail -n 15 <<<"$clean_serial"
    exit 1
fi
echo "PASS: $arch: kernel at $gdb_base, $hit, frame #1 $caller at $caller_file:$call_line, QEMU status $status"
