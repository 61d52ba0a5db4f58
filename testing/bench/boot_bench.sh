#!/bin/bash
# Boot benchmark: guest instructions from loader entry to hand-off, measured with QEMU -icount shift=4,sleep=off
# (RDTSC then counts guest instructions << 4, deterministically). Runs each configuration twice to show that.
# usage: boot_bench.sh IMAGE_DIR   (IMAGE_DIR holds probe_amd64.img and probe_i686.img)
set -euo pipefail
dir=$1
here=$(dirname "$0")/..
printf '| arch | cpu | paging | loader entry -> hand-off (guest instructions) | run 2 |\n|---|---|---|---|---|\n'
for config in "amd64 qemu64" "amd64 qemu64,+la57" "i686 qemu32"; do
    set -- $config
    arch=$1 cpu=$2
    if [ "$arch" = amd64 ]; then code=OVMF_CODE_4M.fd vars=OVMF_VARS_4M.fd; else code=OVMF32_CODE_4M.secboot.fd vars=OVMF32_VARS_4M.fd; fi
    counts=() paging=""
    for run in 1 2; do
        log=$(mktemp)
        "$here/qemu_boot.sh" --arch "$arch" --cpu "$cpu" --image "$dir/probe_$arch.img" \
            --code "/usr/share/OVMF/$code" --vars "/usr/share/OVMF/$vars" --serial "$log" --timeout 120 \
            -- -icount shift=4,sleep=off -fw_cfg name=opt/xtos/testexit,string=1 >/dev/null 2>&1 || true
        tsc=$(grep -aoE 'entry_to_handoff_tsc=[0-9]+' "$log" | head -1 | cut -d= -f2)
        paging=$(grep -aoE 'XTLDR-REPORT .* paging=PML[0-9]' "$log" | head -1 | grep -oE 'PML[0-9]')
        counts+=("$(( ${tsc:-0} >> 4 ))")
        rm -f "$log"
    done
    printf '| %s | %s | %s | %s | %s |\n' "$arch" "$cpu" "$paging" "${counts[0]}" "${counts[1]}"
done
