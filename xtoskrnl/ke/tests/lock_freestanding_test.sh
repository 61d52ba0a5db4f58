#!/bin/sh
# Builds Ke's spin locks, the RTL SLIST and lock_freestanding_test.c with clang -O2 as static freestanding Linux
# binaries for i686 and x86_64 (no C library, like the kernel) and runs them: four raw clone() threads hammer each
# lock and the SLIST, so the i686 code runs under real concurrency on the host too.
set -eu
CLANG=/usr/lib/llvm-19/bin/clang
RESOURCE=/usr/lib/llvm-19/lib/clang/19/include
RTL=xtoskrnl/rtl
KE=xtoskrnl/ke
OUT=${TEST_TMPDIR:-$(mktemp -d)}
SRCS="$KE/tests/lock_freestanding_test.c $KE/spinlock.c $KE/runlevel.c
      $RTL/arith.c $RTL/format.c $RTL/memory.c $RTL/number.c $RTL/string.c $RTL/crt.c $RTL/cpu.c
      testing/xtest/xtest.c testing/xtest/freestanding_linux.c"
status=0
for arch in i686 x86_64; do
    case $arch in
        i686) hdr=i686 ;;
        x86_64) hdr=amd64 ;;
    esac
    # shellcheck disable=SC2086
    "$CLANG" --target=$arch-linux-gnu -std=c17 -O2 -ffreestanding -fno-builtin -nostdinc -isystem "$RESOURCE" \
        -fno-stack-protector -fno-pic -mgeneral-regs-only -mno-red-zone -Wall -Wextra -Werror -Wno-unused-parameter \
        -Isdk -I$RTL -Itesting/xtest -I$KE -I$KE/$hdr -nostdlib -static -DXTOS_HOST_RUNLEVEL_MODEL -fuse-ld=lld \
        -Wl,-e,_start -o "$OUT/locks-$arch" $SRCS $RTL/$hdr/slist.c
    echo "== $arch"
    if ! "$OUT/locks-$arch"; then
        echo "FAILED: $arch"
        status=1
    fi
done
exit $status
