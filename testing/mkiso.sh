#!/bin/bash
# Builds a hybrid ISO (El Torito EFI boot, also a GPT disk) from a disk image made by mkimage.sh, deterministically.
# usage: mkiso.sh DISK_IMAGE OUTPUT_ISO
# The El Torito boot image is a FAT image holding exactly the files of the disk image's EFI system partition (copied
# out of it with mtools). It cannot be that partition itself: it is 63 MiB, and El Torito's load size field stops at
# 65535 sectors (32 MiB); OVMF ignores a boot image whose load size is left at 0. The same files are also in the ISO
# 9660 tree. xorriso honours SOURCE_DATE_EPOCH: fixed volume dates, UUID and GPT GUIDs, and file dates.
set -euo pipefail
export PATH="/usr/sbin:/sbin:$PATH" LC_ALL=C TZ=UTC SOURCE_DATE_EPOCH=1704067200 MTOOLS_SKIP_CHECK=1
disk=$1 out=$2
work="$out.tmp"
rm -rf "$work"
mkdir -p "$work/tree"
trap 'rm -rf "$work"' EXIT

mcopy -s -i "$disk@@1M" ::/EFI ::/XTOS "$work/tree/"
find "$work/tree" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
truncate -s 8M "$work/esp.img"
mformat -i "$work/esp.img" -N 58544f53 -v XTOS ::
mcopy -s -i "$work/esp.img" "$work/tree/EFI" "$work/tree/XTOS" ::

xorriso -as mkisofs -quiet -iso-level 3 -volid XTOS -full-iso9660-filenames \
    -append_partition 2 0xef "$work/esp.img" -appended_part_as_gpt \
    -e --interval:appended_partition_2:all:: -no-emul-boot \
    -o "$work/out.iso" "$work/tree" >"$work/xorriso.log" 2>&1 ||
    { cat "$work/xorriso.log" >&2; echo "mkiso: xorriso failed" >&2; exit 1; }
mv "$work/out.iso" "$out"
