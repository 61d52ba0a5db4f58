#!/bin/sh
# Builds the RTL and its suites with clang -O2 as static freestanding Linux binaries for i686 and x86_64 (no C
# library, like the kernel) and runs them: the 32-bit paths run on the host even though host tests are 64-bit gcc.
set -eu
CLANG=/usr/lib/llvm-19/bin/clang
RESOURCE=/usr/lib/llvm-19/lib/clang/19/include
RTL=xtoskrnl/rtl
OUT=${TEST_TMPDIR:-$(mktemp -d)}
SUITES="$RTL/tests/list_test.c $RTL/tests/memory_test.c $RTL/tests/bitmap_test.c $RTL/tests/string_test.c
        $RTL/tests/format_test.c $RTL/tests/sha1_test.c $RTL/tests/arith_test.c $RTL/tests/time_test.c
        $RTL/tests/slist_test.c"
COMMON_SRCS="$RTL/arith.c $RTL/bitmap.c $RTL/format.c $RTL/list.c $RTL/memory.c $RTL/number.c $RTL/sha1.c
             $RTL/string.c $RTL/time.c testing/xtest/xtest.c testing/xtest/freestanding_linux.c $RTL/tests/freestanding_main.c $SUITES"
status=0
for arch in i686 x86_64; do
    case $arch in
        i686) srcs="$COMMON_SRCS $RTL/cpu.c $RTL/i686/lldiv.c $RTL/i686/slist.c" ;;
        x86_64) srcs="$COMMON_SRCS $RTL/cpu.c $RTL/amd64/slist.c" ;;
    esac
    # shellcheck disable=SC2086
    "$CLANG" --target=$arch-linux-gnu -std=c17 -O2 -ffreestanding -fno-builtin -nostdinc -isystem "$RESOURCE" \
        -fno-stack-protector -fno-pic -mgeneral-regs-only -mno-red-zone -Wall -Wextra -Werror -Wno-unused-parameter \
        -Isdk -I$RTL -I$RTL/tests -Itesting/xtest -nostdlib -static -fuse-ld=lld -Wl,-e,_start \
        -o "$OUT/rtl-$arch" $srcs
    echo "== $arch"
    if ! "$OUT/rtl-$arch"; then
        echo "FAILED: $arch"
        status=1
    fi
done
exit $status
