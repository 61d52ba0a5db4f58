#!/bin/bash
# One QEMU boot test: boots the image, then checks the exact isa-debug-exit status and the serial log.
# usage: qemu_test.sh --expect-exit STATUS|poweroff [--expect TEXT]... [--expect-once TEXT]... [--expect-re REGEX]...
#                     [--reject TEXT]... [--expect-equal KEY1=KEY2]... [--expect-first-after MARK=TEXT]
#                     [--selftest-cases N]
#                     [--monitor-after TEXT --monitor COMMAND...] -- qemu_boot.sh arguments (without --serial)
# STATUS is an isa-debug-exit status (never 0). "poweroff" accepts only an ACPI power-off: status 0 and QEMU's QMP
# SHUTDOWN event with reason "guest-shutdown". A reset or triple fault under -no-reboot also ends QEMU with status 0,
# but its SHUTDOWN reason is "guest-reset" (and -d cpu_reset logs "Triple fault" for the latter): never a pass.
# --expect-once: exactly one serial line contains TEXT (a line both mirrored by the firmware and written fails).
# --expect-equal KEY1=KEY2: the values after the first "KEY1=" and the first "KEY2=" on the serial port are equal.
# --expect-first-after MARK=TEXT: the first line after the first line containing MARK that is not a loader line
# (XTLDR...) contains TEXT (the kernel's banner must be the first thing it prints).
# --selftest-cases N: the log must hold exactly one "XTEST: N passed, 0 failed" (the pinned number of SELFTEST cases).
# --monitor: QEMU human-monitor commands (e.g. "nmi") sent once TEXT appears on the serial port; @OUTDIR@ in a
# command stands for the directory of the test's outputs (e.g. "screendump @OUTDIR@/screen.ppm").
# --screen-check TOOL FONT.psf.gz: after the boot, TOOL (testing/tools/screencheck.c) must recognise the expectations
# given by --screen-arg (its options; @SERIAL@ stands for the cleaned serial log) on @OUTDIR@/screen.ppm.
set -uo pipefail
expect_exit="" expects=() onces=() regexes=() rejects=() equals=() key_args=() monitor_args=() selftest_cases=""
first_after="" screen_tool="" screen_font="" screen_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --expect-exit) expect_exit=$2; shift 2 ;;
        --expect) expects+=("$2"); shift 2 ;;
        --expect-once) onces+=("$2"); shift 2 ;;
        --expect-equal) equals+=("$2"); shift 2 ;;
        --expect-first-after) first_after=$2; shift 2 ;;
        --expect-re) regexes+=("$2"); shift 2 ;;
        --reject) rejects+=("$2"); shift 2 ;;
        --selftest-cases) selftest_cases=$2; shift 2 ;;
        --keys-after|--keys) key_args+=("$1" "$2"); shift 2 ;;
        --monitor-after|--monitor) monitor_args+=("$1" "$2"); shift 2 ;;
        --screen-check) screen_tool=$2; screen_font=$3; shift 3 ;;
        --screen-arg) screen_args+=("$2"); shift 2 ;;
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
qmp_log="$outdir/qmp.log"
monitor_log="$outdir/monitor.log"
[ ${#monitor_args[@]} -eq 0 ] || monitor_args+=(--monitor-log "$monitor_log")
monitor_args=("${monitor_args[@]//@OUTDIR@/$outdir}")
"$boot" --serial "$log" --qmp-log "$qmp_log" "${key_args[@]}" "${monitor_args[@]}" "$@" -d cpu_reset -D "$qemu_log"
status=$?
triple_fault=0
grep -q "Triple fault" "$qemu_log" 2>/dev/null && triple_fault=1
# The reason of QEMU's last SHUTDOWN event ("" when there was none: isa-debug-exit ends QEMU without one).
shutdown_reason=$(grep '"event": "SHUTDOWN"' "$qmp_log" 2>/dev/null | tail -1 |
    sed -n 's/.*"reason": "\([^"]*\)".*/\1/p')
elapsed_ms=$((($(date +%s%N) - start) / 1000000))

failures=()
# Records one failure; the words are joined with spaces (so a long message can span lines).
fail_with() {
    failures+=("$*")
}
[ "$triple_fault" = 1 ] && failures+=("the guest triple-faulted (QEMU logged 'Triple fault')")
reset_note=""
[ "$shutdown_reason" = guest-reset ] && reset_note=" (the guest reset)"
case "$expect_exit:$status" in
    poweroff:0)
        [ "$shutdown_reason" = guest-shutdown ] ||
            fail_with "expected an ACPI power-off (QMP SHUTDOWN reason guest-shutdown), QEMU reported:" \
                "${shutdown_reason:-no SHUTDOWN event}$reset_note" ;;
    "$expect_exit:$expect_exit") ;;
    *:0) fail_with "QEMU exited with status 0 (QMP SHUTDOWN reason ${shutdown_reason:-none}$reset_note): the guest" \
        "reset, triple-faulted or powered off without isa-debug-exit" ;;
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
if [ -n "$first_after" ]; then
    first=$(awk -v mark="${first_after%%=*}" 'seen && $0 !~ /^XTLDR/ { print; exit } index($0, mark) { seen = 1 }' "$clean")
    [[ "$first" == *"${first_after#*=}"* ]] ||
        failures+=("the first line after '${first_after%%=*}' is '${first:-<none>}', expected it to contain '${first_after#*=}'")
fi
for regex in "${regexes[@]}"; do
    grep -qE -- "$regex" "$clean" || failures+=("no serial line matches: $regex")
done
for text in "${rejects[@]}"; do
    grep -qF -- "$text" "$clean" && failures+=("unexpected serial line: $(grep -F -- "$text" "$clean" | head -1)")
done
if [ -n "$selftest_cases" ]; then
    seen=$(grep -E '^XTEST: [0-9]+ passed, [0-9]+ failed$' "$clean" | paste -sd'|')
    [ "$seen" = "XTEST: $selftest_cases passed, 0 failed" ] ||
        fail_with "SELFTEST cases: expected 'XTEST: $selftest_cases passed, 0 failed', seen '${seen:-no XTEST line}'" \
            "(pinned per arch in SELFTEST_CASES, xtoskrnl/tests/selftest_cases.bzl: a suite was dropped, or cases" \
            "were added without updating it)"
fi
if [ -n "$screen_tool" ]; then
    screen="$outdir/screen.ppm"
    if [ ! -s "$screen" ]; then
        failures+=("no screendump: $screen was not written (the monitor's screendump did not run)")
    else
        gzip -dc "$screen_font" >"$TMPDIR/screenfont.psf"
        if ! "$screen_tool" "$screen" "$TMPDIR/screenfont.psf" "${screen_args[@]//@SERIAL@/$clean}" \
            >"$outdir/screen.txt" 2>&1; then
            failures+=("the screen check failed ($outdir/screen.txt):")
            failures+=("$(grep -E '^screencheck: (FAIL|error)' "$outdir/screen.txt")")
        fi
    fi
fi

if [ ${#failures[@]} -gt 0 ]; then
    printf 'FAIL: %s\n' "${failures[@]}"
    echo "---- serial log (last 40 lines) ----"
    tail -n 40 "$clean"
    if [ -s "$monitor_log" ]; then
        echo "---- QEMU monitor ----"
        sed -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\r//g' "$monitor_log" | tail -n 5
    fi
    exit 1
fi
echo "PASS: status $status${shutdown_reason:+ ($shutdown_reason)}," \
    "$((${#expects[@]} + ${#onces[@]} + ${#regexes[@]} + ${#equals[@]})) lines checked${selftest_cases:+, $selftest_cases SELFTEST cases}${screen_tool:+, screen checked ($(grep -c 'on the screen:' "$outdir/screen.txt") texts)}, ${elapsed_ms} ms"
