#!/bin/bash
# A QEMU boot test run on the same image more than once: every boot is judged by qemu_test.sh as usual, and the value
# of KEY (a "KEY=value" field of a serial line, e.g. KASLR's kernel_base) must differ between boots.
# usage: qemu_vary_test.sh --vary KEY -- qemu_test.sh arguments
# Boots twice; when both boots agree, boots a third time, which must differ from them. A choice that is uniform among
# S values thus fails by chance with probability 1/S^2 (S = 8157 on i686: about 1.5e-8), and a constant one always.
set -uo pipefail
key=""
while [ $# -gt 0 ]; do
    case "$1" in
        --vary) key=$2; shift 2 ;;
        --) shift; break ;;
        *) echo "qemu_vary_test: unknown option $1" >&2; exit 2 ;;
    esac
done
[ -n "$key" ] || { echo "qemu_vary_test: --vary KEY is required" >&2; exit 2; }

single="${TEST_SRCDIR:-.}/${TEST_WORKSPACE:-xtos}/testing/qemu_test.sh"
[ -x "$single" ] || single="$(dirname "$0")/qemu_test.sh"
outdir=${TEST_UNDECLARED_OUTPUTS_DIR:-${TEST_TMPDIR:-/tmp}}
values=()
for boot in 1 2 3; do
    mkdir -p "$outdir/boot$boot"
    TEST_UNDECLARED_OUTPUTS_DIR="$outdir/boot$boot" "$single" "$@" || { echo "FAIL: boot $boot failed (above)"; exit 1; }
    value=$(grep -oE "(^| )$key=[^ ]+" "$outdir/boot$boot/serial.clean.log" | head -1 | sed "s/^ *$key=//")
    [ -n "$value" ] || { echo "FAIL: boot $boot printed no $key="; exit 1; }
    echo "boot $boot: $key=$value"
    for seen in "${values[@]}"; do
        [ "$seen" != "$value" ] && { echo "PASS: $key differs between boots (${values[*]} $value)"; exit 0; }
    done
    values+=("$value")
done
echo "FAIL: $key=${values[0]} in all ${#values[@]} boots of the same image"
exit 1
