#!/bin/bash
# Builds a GPT disk image with one FAT32 EFI system partition at 1 MiB, deterministically.
# usage: mkimage.sh OUTPUT SIZE_MIB [ESP_PATH=SOURCE_FILE ...]
set -euo pipefail
export PATH="/usr/sbin:/sbin:$PATH" LC_ALL=C
out=$1 size_mib=$2
shift 2

# Fixed GUIDs, serial and time stamps make the image byte-identical across builds and checkout paths.
export TZ=UTC SOURCE_DATE_EPOCH=1704067200
disk_guid=58544F53-0000-4000-8000-000000000001
part_guid=58544F53-0000-4000-8000-0000000000E5
tmp="$out.tmp"

rm -f "$tmp"
truncate -s "${size_mib}M" "$tmp"
sgdisk -U "$disk_guid" -n 1:2048:-0 -t 1:ef00 -u 1:"$part_guid" -c 1:"EFI System" "$tmp" >/dev/null 2>&1 ||
    { echo "mkimage: sgdisk failed" >&2; exit 1; }
sectors=$(sgdisk -i 1 "$tmp" | awk '/^Partition size/ {print $3}')
esp="$tmp@@1M"
mformat -i "$esp" -F -c 1 -N 58544f53 -v XTOS -T "$sectors" -h 64 -s 32 ::

for mapping in "$@"; do
    dest=${mapping%%=*} src=${mapping#*=}
    dir=$(dirname "$dest")
    path=""
    for part in ${dir//\// }; do
        path="$path/$part"
        mmd -i "$esp" "::$path" 2>/dev/null || true
    done
    mcopy -i "$esp" "$src" "::$dest"
done
mv "$tmp" "$out"
