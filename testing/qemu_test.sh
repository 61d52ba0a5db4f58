#!/bin/bash
# One QEMU boot test: boots the image, then checks the exact isa-debug-exit status and the serial log.
# usage: qemu_test.sh --expect-exit STATUS|poweroff [--expect TEXT]... [--expect-once TEXT]... [--expect-re REGEX]...
#                     [--reject TEXT]... [--expect-equal KEY1=KEY2]...
#                     -- qemu_boot.sh arguments (without --serial)
# STATUS is an isa-debug-exit status (never 0). "poweroff" accepts status 0 only when QEMU logged no triple fault:
# QEMU runs with -d cpu_reset, which logs "Triple fault" for a reset the guest did not ask for.
# --expect-once: exactly one serial line contains TEXT (a line both mirrored by the firmware and written fails).
# --expect-equal KEY1=KEY2: the values after the first "KEY1=" and the first "KEY2=" on the serial port are equal.
set -uo pipefail
expect_exit="" expects=() onces=() regexes=() rejects=() equals=() key_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --expect-exit) expect_exit=$2; shift 2 ;;
        --expect) expects+=("$2"); shift 2 ;;
        --expect-once) onces+=("$2"); shift 2 ;;
        --expect-equal) equals+=("$2"); shift 2 ;;
        --expect-re) regexes+=("$2"); shift 2 ;;
        --reject) rejects+=("$2"); shift 2 ;;
        --keys-after|--keys) key_args+=("$1" "$2"); shift 2 ;;
        --) shift; break ;;
        *) echo "qemu_test: unknown option $1" >&2; exit 2 ;;
    esac
done
[ -n "$expect_exit" ] && [ "$expect_exit" != 0 ] || { echo "qemu_test: an exit status other than 0 (or poweroff) is required" >&2; exit 2; }

boot="${TEST_SRCDIR:-.}/${TEST_WORKSPACE:-xtos}/testing/qemu_boot.sh"
[ -x "$boot" ] || boot="$(dirname "$0")/qemu_boot.sh"
outdir=${TEST_UNDECLARED_OUTPUTS_DIR:-${TEST_TMPDIR:-/tmp}}
mkdir -p "$outdir"
log="$outdir/serial.log"
: >"$log"
export TMPDIR=${TEST_TMPDIR:-/tmp}

start=$(date +%s%N)
qemu_log="$outdir/qemu-reset.log"
"$boot" --serial "$log" "${key_args[@]}" "$@" -d cpu_reset -D "$qemu_log"
status=$?
triple_fault=0
grep -q "Triple fault" "$qemu_log" 2>/dev/null && triple_fault=1
elapsed_ms=$((($(date +%s%N) - start) / 1000000))

failures=()
[ "$triple_fault" = 1 ] && failures+=("the guest triple-faulted (QEMU logged 'Triple fault')")
case "$expect_exit:$status" in
    poweroff:0) ;;
    "$expect_exit:$expect_exit") ;;
    *:0) failures+=("QEMU exited with status 0: the guest reset, triple-faulted or powered off without isa-debug-exit") ;;
    *:124|*:137) failures+=("timeout: the guest did not end (hang)") ;;
    *) failures+=("exit status $status, expected $expect_exit") ;;
esac
# The serial log mixes OVMF's CRLF console mirror with our LF lines: compare on a cleaned copy.
clean="$outdir/serial.clean.log"
sed -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\r//g' "$log" >"$clean"
for text in "${expects[@]}"; do
    grep -qF -- "$text" "$clean" || failures+=("missing serial line: $text")
done
for text in "${onces[@]}"; do
    count=$(grep -cF -- "$text" "$clean")
    [ "$count" = 1 ] || failures+=("serial line seen $count times, expected exactly once: $text")
done
for pair in "${equals[@]}"; do
    left=$(grep -oE -- "(^| )${pair%%=*}=[^ ]*" "$clean" | head -1 | sed 's/.*=//')
    right=$(grep -oE -- "(^| )${pair#*=}=[^ ]*" "$clean" | head -1 | sed 's/.*=//')
    [ -n "$left" ] && [ "$left" = "$right" ] ||
        failures+=("${pair%%=*}=${left:-<none>} and ${pair#*=}=${right:-<none>} differ (expected equal)")
done
for regex in "${regexes[@]}"; do
    grep -qE -- "$regex" "$clean" || failures+=("no serial line matches: $regex")
done
for text in "${rejects[@]}"; do
    grep -qF -- "$text" "$clean" && failures+=("unexpected serial line: $(grep -F -- "$text" "$clean" | head -1)")
done

if [ ${#failures[@]} -gt 0 ]; then
    printf 'FAIL: %s\n' "${failures[@]}"
    echo "---- serial log (last 40 lines) ----"
    tail -n 40 "$clean"
    exit 1
fi
echo "PASS: status $status, $((${#expects[@]} + ${#onces[@]} + ${#regexes[@]} + ${#equals[@]})) lines checked, ${elapsed_ms} ms"
