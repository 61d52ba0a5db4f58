#!/bin/sh
# Builds the pool, its suites (basic, torture, exhaustion, corruption), the RTL and XTEST with clang -O2 as static
# freestanding Linux binaries for i686 and x86_64 (no C library, like the kernel) and runs them: the i686 pool header
# (8 bytes, 7-bit check) runs on the host even though the host tests are 64-bit gcc.
set -eu
CLANG=/usr/lib/llvm-19/bin/clang
RESOURCE=/usr/lib/llvm-19/lib/clang/19/include
POOL=xtoskrnl/mm/pool
RTL=xtoskrnl/rtl
OUT=${TEST_TMPDIR:-$(mktemp -d)}
SRCS="$POOL/pool.c $POOL/poolbig.c $POOL/poolchk.c $POOL/poolpage.c $POOL/poolspec.c $POOL/pooltag.c
      $POOL/tests/pool_test.c $POOL/tests/pool_torture_test.c $POOL/tests/pool_exhaustion_test.c
      $POOL/tests/pool_corruption_test.c $POOL/tests/pool_batch_test.c $POOL/tests/freestanding_main.c
      $RTL/arith.c $RTL/bitmap.c $RTL/format.c $RTL/list.c $RTL/memory.c $RTL/number.c $RTL/string.c
      $RTL/crt.c testing/xtest/xtest.c testing/xtest/freestanding_linux.c
      xtoskrnl/ke/runlevel.c xtoskrnl/ke/spinlock.c xtoskrnl/ke/tests/runlevel_model.c"
status=0
for arch in i686 x86_64; do
    case $arch in
        i686) extra="$RTL/cpu.c"; hdr=i686 ;;
        x86_64) extra="$RTL/cpu.c"; hdr=amd64 ;;
    esac
    # shellcheck disable=SC2086
    "$CLANG" --target=$arch-linux-gnu -std=c17 -O2 -ffreestanding -fno-builtin -nostdinc -isystem "$RESOURCE" \
        -fno-stack-protector -fno-pic -mgeneral-regs-only -mno-red-zone -Wall -Wextra -Werror -Wno-unused-parameter \
        -Isdk -I$RTL -Itesting/xtest -Ixtoskrnl/ke -Ixtoskrnl/ke/$hdr -Ixtoskrnl/mm/pager -I$POOL -I$POOL/$hdr -I$POOL/tests -nostdlib -static \
        -DXTOS_HOST_RUNLEVEL_MODEL -fuse-ld=lld -Wl,-e,_start -o "$OUT/pool-$arch" $SRCS $extra
    echo "== $arch"
    if ! "$OUT/pool-$arch"; then
        echo "FAILED: $arch"
        status=1
    fi
done
exit $status
