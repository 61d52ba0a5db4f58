#!/bin/bash
# Memory manager benchmark: boots the real kernel with BENCH under QEMU -icount shift=4,sleep=off (RDTSC counts
# guest instructions << 4, deterministically) at 1 GiB and 16 GiB on both arches, and writes a markdown table and
# a PNG chart of guest instructions per operation, and a second table (ke-bench.md) of the kernel's KE-BENCH
# RunLevel, self-IPI, timer and lock costs from the same boots, and a third (paged-bench.md) of the demand-zero
# fault and paged-pool costs (MM-BENCH-PAGED), and a fourth (smp-bench.md) of the cross-processor costs (IPI generic
# call, TLB shootdown: KE-BENCH cpus=) from -smp 2 and -smp 4 boots, where the count is every processor's
# instructions together (QEMU's -icount runs the vCPUs in turn on one thread; docs/benchmarks.md), and a fifth
# (objects-bench.md) of the dispatcher, Object Manager and address-space costs from the 1 GiB boots.
# usage: mm_bench.sh IMAGE_DIR OUTPUT_DIR   (IMAGE_DIR holds xtos-amd64.img and xtos-i686.img)
set -euo pipefail
images=$1 out=$2
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
table="$out/mm-bench.md" ketable="$out/ke-bench.md" pagedtable="$out/paged-bench.md" smptable="$out/smp-bench.md" locktable="$work/lock-bench.md" data="$work/chart.dat"
kedata="$work/ke-chart.dat"

boot() { # arch cpu mem [smp [qemu args]] -> the MM-BENCH line, entry_to_report=, the KE-BENCH RunLevel/self-IPI line, ...
    local arch=$1 cpu=$2 mem=$3 smp=${4:-1} extra=${5:-} code vars
    if [ "$arch" = amd64 ]; then code=OVMF_CODE_4M.fd vars=OVMF_VARS_4M.fd; else code=OVMF32_CODE_4M.secboot.fd vars=OVMF32_VARS_4M.fd; fi
    cp --sparse=always "$images/xtos-$arch.img" "$work/disk.img"
    chmod u+w "$work/disk.img"
    sed 's|@PARAMETERS@|DEBUG=COM1,115200 TESTEXIT BENCH|' "$here/../xtldr/XTLDR.INI" >"$work/XTLDR.INI"
    MTOOLS_SKIP_CHECK=1 mcopy -o -i "$work/disk.img@@1M" "$work/XTLDR.INI" ::/EFI/BOOT/XTLDR/XTLDR.INI
    "$here/qemu_boot.sh" --arch "$arch" --cpu "$cpu" --mem "$mem" --smp "$smp" --image "$work/disk.img" \
        --code "/usr/share/OVMF/$code" --vars "/usr/share/OVMF/$vars" --serial "$work/serial.log" --timeout 600 \
        -- -icount shift=4,sleep=off $extra >/dev/null 2>&1 || true
    cp "$work/serial.log" "$work/serial-$arch-$mem-$smp.log"
    echo "$(grep -a '^MM-BENCH ' "$work/serial.log" | tr -d '\r' | head -1) $(grep -a '^MM-BENCH-PAGED' "$work/serial.log" | tr -d '\r' | head -1 | cut -d' ' -f2-) $(grep -aoE 'entry_to_report=[0-9]+' "$work/serial.log" | head -1) $(grep -a '^KE-BENCH runlevel' "$work/serial.log" | tr -d '\r' | head -1 | cut -d' ' -f2-) $(grep -a '^KE-BENCH timer' "$work/serial.log" | tr -d '\r' | head -1 | cut -d' ' -f2-) $(grep -a '^KE-BENCH spinlock' "$work/serial.log" | tr -d '\r' | head -1 | cut -d' ' -f2-) $(grep -a '^KE-BENCH cpus=' "$work/serial.log" | tr -d '\r' | head -1 | cut -d' ' -f2-) $(grep -a '^MM: deferred PFN init done: ' "$work/serial.log" | tr -d '\r' | head -1 | sed -E 's/.*done: ([0-9]+) RAM frames.* ([0-9]+) TSC ticks.*/deferred_pages=\1 deferred_ticks=\2/')"
}

field() { # line key -> value
    echo "$1" | grep -oE "(^| )$2=[0-9]+" | cut -d= -f2
}

{
    echo "Guest instructions (QEMU -icount shift=4,sleep=off, interrupts off), per operation unless stated."
    echo
    echo "| arch | RAM | kernel entry -> XTOS-REPORT | PFN init per GiB (at boot) | memset of the same bytes per GiB | ratio |" \
         "PFN init per GiB (deferred thread, after the report) | page alloc+free | map+unmap | pool 16 B | 64 B | 256 B | 1024 B | 4000 B | 3 pages |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
} >"$table"
: >"$data"
: >"$kedata"
{
    echo "Locks, uncontended, one processor (guest instructions per pair, 4096 rounds; ke/lockbench.c):"
    echo
    echo "| arch | RAM | KeAcquireSpinLock+KeReleaseSpinLock (raise to DISPATCH and back) |" \
         "KeAcquire/ReleaseInStackQueuedSpinLock | SLIST push+pop |"
    echo "|---|---|---|---|---|"
} >"$locktable"
{
    echo "Guest instructions (QEMU -icount shift=4,sleep=off) per operation, 4096 rounds each."
    echo
    echo "| arch | RAM | RunLevel raise(DISPATCH)+lower | self-IPI round trip (send -> handler -> EOI -> return) |" \
         "DPC queue -> run | timer set+cancel, 1 / 1000 / 100000 queued | timer set+expire, 1 / 1000 / 100000 queued |"
    echo "|---|---|---|---|---|---|---|"
} >"$ketable"
{
    echo "Guest instructions (QEMU -icount shift=4,sleep=off, interrupts off) per operation: a demand-zero fault (trap" \
         "entry to resume, zeroing included unless a zeroed frame was ready) and paged-pool allocate+free (64 live)."
    echo
    echo "| arch | RAM | demand-zero fault | paged 16 B | 64 B | 256 B | 1024 B | 4000 B | 3 pages |"
    echo "|---|---|---|---|---|---|---|---|---|"
} >"$pagedtable"
for config in "amd64 qemu64" "i686 qemu32,+pse36"; do
    set -- $config
    arch=$1 cpu=$2
    for mem in 1G 16G 64G; do
        extra=
        if [ "$mem" = 64G ] && [ "$arch" = i686 ]; then
            mem=62G extra="-global q35-pcihost.pci-hole64-size=0" # the 36-bit top: no room for the 64-bit PCI hole
        fi
        line=$(boot "$arch" "$cpu" "$mem" 1 "$extra")
        if [ -n "$(field "$line" runlevel_raise_lower)" ]; then
            timers=()
            for key in timer_set_cancel timer_set_expire; do
                timers+=("$(( $(field "$line" ${key}_1) / 16 )) / $(( $(field "$line" ${key}_1000) / 16 )) / $((
                    $(field "$line" ${key}_100000) / 16 ))")
            done
            echo "| $arch | $mem | $(( $(field "$line" runlevel_raise_lower) / 16 )) |" \
                 "$(( $(field "$line" self_ipi_roundtrip) / 16 )) | $(( $(field "$line" dpc_queue_to_run) / 16 )) |" \
                 "${timers[0]} | ${timers[1]} |" >>"$ketable"
            if [ "$mem" = 1G ]; then
                echo "\"$arch\" $(for key in runlevel_raise_lower self_ipi_roundtrip dpc_queue_to_run \
                    timer_set_cancel_1 timer_set_cancel_100000 timer_set_expire_1 timer_set_expire_100000; do
                    echo -n "$(( $(field "$line" $key) / 16 )) "; done)" >>"$kedata"
            fi
        else
            echo "| $arch | $mem | (no KE-BENCH runlevel line) | |" >>"$ketable"
        fi
        if [ -n "$(field "$line" spinlock_acquire_release)" ]; then
            echo "| $arch | $mem | $(( $(field "$line" spinlock_acquire_release) / 16 )) |" \
                 "$(( $(field "$line" queued_spinlock_acquire_release) / 16 )) | $(( $(field "$line" slist_push_pop) / 16 )) |" \
                 >>"$locktable"
        else
            echo "| $arch | $mem | (no KE-BENCH spinlock line) | | |" >>"$locktable"
        fi
        [ -n "$(field "$line" ram_pages)" ] || { echo "| $arch | $mem | (no MM-BENCH line) |" >>"$table"; continue; }
        report=$(( $(field "$line" entry_to_report) / 16 ))
        gib=$(echo "scale=4; $(field "$line" pfn_boot_pages) / 262144" | bc)
        init=$(echo "$(field "$line" pfn_init) / 16 / $gib" | bc)
        memset=$(echo "$(field "$line" pfn_memset) / 16 / $gib" | bc)
        ratio=$(echo "scale=2; $init / $memset" | bc)
        deferred=-
        if [ -n "$(field "$line" deferred_pages)" ] && [ "$(field "$line" deferred_pages)" != 0 ]; then
            deferred=$(echo "$(field "$line" deferred_ticks) / 16 / ($(field "$line" deferred_pages) / 262144)" | bc)
        fi
        ops=()
        for key in page_alloc_free map_unmap pool_16 pool_64 pool_256 pool_1024 pool_4000 pool_12288; do
            ops+=("$(( $(field "$line" $key) / 16 ))")
        done
        echo "| $arch | $mem | $report | $init | $memset | $ratio | $deferred | $(echo "${ops[*]}" | sed 's/ / | /g') |" >>"$table"
        paged=()
        for key in demand_zero_fault paged_16 paged_64 paged_256 paged_1024 paged_4000 paged_12288; do
            paged+=("$(( $(field "$line" $key) / 16 ))")
        done
        echo "| $arch | $mem | $(echo "${paged[*]}" | sed 's/ / | /g') |" >>"$pagedtable"
        echo "\"$arch $mem\" ${ops[*]}" >>"$data"
    done
done
{
    echo "Guest instructions (QEMU -icount shift=4,sleep=off) per operation, 1024 rounds each, 1 GiB: all processors'"
    echo "instructions together (the sender's call, send and wait, and every target's interrupt, service routine,"
    echo "EOI, return and halt: -icount runs the vCPUs in turn on one thread and counts them on one clock)."
    echo
    echo "| arch | processors | IPI generic call round trip | TLB shootdown, 1 page | 16 pages | whole TLB |"
    echo "|---|---|---|---|---|---|"
} >"$smptable"
for config in "amd64 qemu64" "i686 qemu32,+pse36"; do
    set -- $config
    for smp in 2 4; do
        line=$(boot "$1" "$2" 1G "$smp")
        if [ "$(field "$line" cpus)" = "$smp" ] && [ -n "$(field "$line" ipi_generic_call)" ]; then
            echo "| $1 | $smp | $(( $(field "$line" ipi_generic_call) / 16 )) | $(( $(field "$line" tb_flush_single) / 16 )) |" \
                 "$(( $(field "$line" tb_flush_16) / 16 )) | $(( $(field "$line" tb_flush_entire) / 16 )) |" >>"$smptable"
        else
            echo "| $1 | $smp | (no KE-BENCH cpus=$smp line) | | | |" >>"$smptable"
        fi
    done
done
# Threads, objects and address spaces (1 GiB boots): every key of these lines, in guest instructions.
value() { # log key -> instructions (ticks / 16), or "-"
    local ticks
    ticks=$(tr -d '\r' <"$1" | grep -aoE "(^| )$2=[0-9]+" | head -1 | cut -d= -f2)
    [ -n "$ticks" ] && echo $((ticks / 16)) || echo "-"
}
{
    echo "Guest instructions (QEMU -icount shift=4,sleep=off) per operation, 1 GiB, one processor: the dispatcher"
    echo "(ke/dispbench.c), the raw context switch (ke/threadbench.c), the Object Manager (ob/obbench.c, at 1 handle and"
    echo "at 1,000,000) and per-process address spaces (mm/mmbench.c)."
    echo
    echo "| arch | yield switch (2 threads) | yield switch, 2 processes (CR3 load) | event set -> waiter running | thread create+exit |" \
         "process create+delete | raw switch round trip, FPU / none |" \
         "ObReferenceObjectByHandle+deref, 1 / 1M handles | duplicate+close | address space create+delete | CR3 switch |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|"
    for arch in amd64 i686; do
        log="$work/serial-$arch-1G-1.log"
        echo "| $arch | $(value "$log" dispatcher_yield_switch) | $(value "$log" process_yield_switch) |" \
             "$(value "$log" event_set_to_waiter_running) | $(value "$log" thread_create_exit) |" \
             "$(value "$log" process_create_delete) |" \
             "$(value "$log" thread_switch_roundtrip_fpu) / $(value "$log" thread_switch_roundtrip_nofpu) |" \
             "$(value "$log" ob_ref_deref_1) / $(value "$log" ob_ref_deref_1m) |" \
             "$(value "$log" ob_dup_close_1) | $(value "$log" space_create_delete) | $(value "$log" cr3_switch) |"
    done
    echo
    echo "Object Manager, with 1 / 1,000,000 live handles in the kernel table (ob/obbench.c): a handle's create+close"
    echo "through the native API, and a named object's create + open by name + two closes at namespace depths 1 and 4,"
    echo "through Ob (ObCreateObject/ObInsertObject/ObOpenObjectByName) and through NtCreateEvent/NtOpenEvent."
    echo
    echo "| arch | ref+deref, 1 / 1M | duplicate+close, 1 / 1M | NtCreateEvent+NtClose, 1 / 1M |" \
         "Ob named depth 1, 1 / 1M | Ob named depth 4, 1 / 1M | event named depth 1, 1 / 1M | event named depth 4, 1 / 1M |"
    echo "|---|---|---|---|---|---|---|---|"
    for arch in amd64 i686; do
        log="$work/serial-$arch-1G-1.log"
        echo "| $arch | $(value "$log" ob_ref_deref_1) / $(value "$log" ob_ref_deref_1m) |" \
             "$(value "$log" ob_dup_close_1) / $(value "$log" ob_dup_close_1m) |" \
             "$(value "$log" ob_event_create_close_1) / $(value "$log" ob_event_create_close_1m) |" \
             "$(value "$log" ob_named_create_open_close_depth1_1) / $(value "$log" ob_named_create_open_close_depth1_1m) |" \
             "$(value "$log" ob_named_create_open_close_depth4_1) / $(value "$log" ob_named_create_open_close_depth4_1m) |" \
             "$(value "$log" ob_event_create_open_close_depth1_1) / $(value "$log" ob_event_create_open_close_depth1_1m) |" \
             "$(value "$log" ob_event_create_open_close_depth4_1) / $(value "$log" ob_event_create_open_close_depth4_1m) |"
    done
    echo
    echo "ObReferenceObjectByHandle+deref of an event by a kernel handle, by a handle of the System process's table and"
    echo "by a handle of a Ps process's own table (the boot thread attached to it), through Ps's hook (ps/psbench.c)."
    echo
    echo "| arch | kernel handle | System process's table | a process's table |"
    echo "|---|---|---|---|"
    for arch in amd64 i686; do
        log="$work/serial-$arch-1G-1.log"
        echo "| $arch | $(value "$log" ps_ref_deref_kernel_handle) | $(value "$log" ps_ref_deref_system_table) |" \
             "$(value "$log" ps_ref_deref_process_table) |"
    done
} >"$out/objects-bench.md"
{
    echo
    cat "$locktable"
} >>"$ketable"
cat "$table"
echo
cat "$ketable"
echo
cat "$pagedtable"
echo
cat "$smptable"
echo
cat "$out/objects-bench.md"

gnuplot <<GNUPLOT
set terminal pngcairo size 1100,560 noenhanced
set output "$out/mm-bench.png"
set title "XTOS memory manager: guest instructions per operation (QEMU -icount), 1 GiB vs 16 GiB"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set key outside right
set ylabel "instructions"
set xtics rotate by -20
set logscale y
plot "$data" using 2:xtic(1) title "page alloc+free", '' using 3 title "map+unmap", '' using 4 title "pool 16 B", \
     '' using 5 title "pool 64 B", '' using 6 title "pool 256 B", '' using 7 title "pool 1024 B", \
     '' using 8 title "pool 4000 B", '' using 9 title "pool 3 pages"
GNUPLOT
gnuplot <<GNUPLOT
set terminal pngcairo size 1100,560 noenhanced
set output "$out/ke-bench.png"
set title "XTOS Ke: guest instructions per operation (QEMU -icount), 1 GiB"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set key outside right
set ylabel "instructions"
set logscale y
plot "$kedata" using 2:xtic(1) title "RunLevel raise+lower", '' using 3 title "self-IPI round trip", \
     '' using 4 title "DPC queue -> run", '' using 5 title "timer set+cancel, 1 queued", \
     '' using 6 title "timer set+cancel, 100000 queued", '' using 7 title "timer set+expire, 1 queued", \
     '' using 8 title "timer set+expire, 100000 queued"
GNUPLOT
echo "charts: $out/mm-bench.png $out/ke-bench.png"
