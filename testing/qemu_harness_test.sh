#!/bin/bash
# Harness self-test: runs qemu_test.sh on a boot that must be rejected and passes only when qemu_test.sh fails for
# exactly the expected reason (one FAIL line containing TEXT), so the check cannot pass by accident.
# usage: qemu_harness_test.sh TEXT qemu_test.sh-arguments...
set -uo pipefail
reason=$1
shift
runner="${TEST_SRCDIR:-.}/${TEST_WORKSPACE:-xtos}/testing/qemu_test.sh"
[ -x "$runner" ] || runner="$(dirname "$0")/qemu_test.sh"
output=$("$runner" "$@")
status=$?
echo "$output"
echo "---- harness self-test ----"
failures=$(grep -c '^FAIL: ' <<<"$output")
if [ "$status" -eq 1 ] && [ "$failures" -eq 1 ] && grep '^FAIL: ' <<<"$output" | grep -qF -- "$reason"; then
    echo "PASS: the harness rejected the boot with: $reason"
    exit 0
fi
echo "FAIL: expected qemu_test.sh to fail (status 1) with exactly one FAIL line containing '$reason';" \
    "it exited $status with $failures FAIL lines"
exit 1
