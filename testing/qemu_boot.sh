#!/bin/bash
# Boots a disk image under OVMF in QEMU (TCG), headless, with isa-debug-exit; exits with QEMU's status.
# usage: qemu_boot.sh --arch amd64|i686 --image IMG|--cdrom ISO --code OVMF_CODE --vars OVMF_VARS_TEMPLATE
#                     [--machine q35|pc] [--cpu MODEL] [--mem SIZE] [--smp N] [--serial FILE|stdio] [--com N]
#                     [--timeout SECONDS]
#                     [--keys-after TEXT --keys KEYS [--keys KEYS]...] [--qmp-log FILE]
#                     [--monitor-after TEXT --monitor COMMAND [--monitor COMMAND]... --monitor-log FILE]
#                     [-- QEMU_ARGS...]
# --machine: QEMU's machine type, q35 (the default) or pc (i440fx + PIIX3); i686 adds smm=on to either.
# --keys (printf %b escapes, e.g. '\033[B' for Down) are typed on COM1, one chunk every half second, once TEXT
# appears on the serial port (file mode only): the firmware's terminal driver turns them into console keys.
# --cdrom boots an ISO from a virtual CD-ROM (AHCI) instead of a virtio disk image.
# --com N (file mode, no keys) makes the machine's only UART COM N (1: 0x3f8, 2: 0x2f8, 3: 0x3e8, 4: 0x2e8) and logs
# it to FILE: with N > 2 no serial port the firmware knows is present, so the firmware console reaches no UART.
# --qmp-log: QEMU's QMP events (e.g. SHUTDOWN with its reason: guest-shutdown for an ACPI power-off, guest-reset for
# a reset or triple fault under -no-reboot) are written to FILE, one JSON object a line.
# --monitor: human-monitor commands (e.g. "nmi", "mce ...") written once TEXT appears on the serial port (file
# mode only); the monitor's replies go to --monitor-log. Both monitors talk through FIFOs: no socket client needed.
set -euo pipefail
arch="" image="" cdrom="" code="" vars="" cpu="" machine_type=q35 mem=128M smp=1 serial=stdio com=1 timeout_s=0 keys_after=""
keys=()
qmp_log="" monitor_after="" monitor_commands=() monitor_log=/dev/null
while [ $# -gt 0 ]; do
    case "$1" in
        --arch) arch=$2; shift 2 ;;
        --image) image=$2; shift 2 ;;
        --cdrom) cdrom=$2; shift 2 ;;
        --code) code=$2; shift 2 ;;
        --vars) vars=$2; shift 2 ;;
        --cpu) cpu=$2; shift 2 ;;
        --machine) machine_type=$2; shift 2 ;;
        --mem) mem=$2; shift 2 ;;
        --smp) smp=$2; shift 2 ;;
        --serial) serial=$2; shift 2 ;;
        --com) com=$2; shift 2 ;;
        --timeout) timeout_s=$2; shift 2 ;;
        --keys-after) keys_after=$2; shift 2 ;;
        --keys) keys+=("$2"); shift 2 ;;
        --qmp-log) qmp_log=$2; shift 2 ;;
        --monitor-after) monitor_after=$2; shift 2 ;;
        --monitor) monitor_commands+=("$2"); shift 2 ;;
        --monitor-log) monitor_log=$2; shift 2 ;;
        --) shift; break ;;
        *) echo "qemu_boot: unknown option $1" >&2; exit 2 ;;
    esac
done
for f in "${image:-$cdrom}" "$code" "$vars"; do
    [ -f "$f" ] || { echo "qemu_boot: missing file '$f'" >&2; exit 2; }
done

case "$machine_type" in q35|pc) ;; *) echo "qemu_boot: --machine must be q35 or pc" >&2; exit 2 ;; esac
case "$arch" in
    amd64) qemu=qemu-system-x86_64 machine=$machine_type cpu=${cpu:-qemu64} extra=() ;;
    i686)
        # OVMF ia32 is the secure-boot build: it needs SMM and a secure flash.
        qemu=qemu-system-i386 machine=$machine_type,smm=on cpu=${cpu:-qemu32}
        extra=(-global driver=cfi.pflash01,property=secure,value=on) ;;
    *) echo "qemu_boot: unknown arch '$arch'" >&2; exit 2 ;;
esac

# Firmware variables are written by OVMF: boot from a private copy.
work=$(mktemp -d "${TMPDIR:-/tmp}/xtqemu.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp "$vars" "$work/vars.fd"
chmod u+w "$work/vars.fd"

# Waits (up to 120 s) until TEXT shows up in the serial log; fails if it never does.
wait_for_serial() {
    local waited=0
    until grep -qaF -- "$1" "$serial" 2>/dev/null; do
        sleep 0.2
        waited=$((waited + 1))
        [ "$waited" -lt 600 ] || return 1
    done
}

# Types the --keys chunks into the COM1 input pipe once the marker shows up in the serial log.
type_keys() {
    wait_for_serial "$keys_after" || return 0
    for chunk in "${keys[@]}"; do
        sleep 0.5
        printf '%b' "$chunk" >&3
    done
}

# Writes the --monitor commands into the human monitor's input pipe once the marker shows up in the serial log.
send_monitor_commands() {
    wait_for_serial "$monitor_after" || return 0
    for command in "${monitor_commands[@]}"; do
        printf '%s\n' "$command" >&4
        sleep 0.2
    done
}

readers=() helpers=() fifos=()
monitor_args=()
# QMP: negotiate capabilities up front (events are only sent afterwards) and log everything QEMU says.
if [ -n "$qmp_log" ]; then
    mkfifo "$work/qmp.in" "$work/qmp.out"
    fifos+=("$work/qmp.out")
    exec 5<>"$work/qmp.in"
    cat "$work/qmp.out" >"$qmp_log" &
    readers+=($!)
    printf '{"execute": "qmp_capabilities"}\n' >&5
    monitor_args+=(-chardev "pipe,id=qmp,path=$work/qmp" -mon chardev=qmp,mode=control)
fi
if [ ${#monitor_commands[@]} -gt 0 ]; then
    [ "$serial" != stdio ] || { echo "qemu_boot: --monitor needs --serial FILE" >&2; exit 2; }
    mkfifo "$work/hmp.in" "$work/hmp.out"
    fifos+=("$work/hmp.out")
    exec 4<>"$work/hmp.in"
    cat "$work/hmp.out" >"$monitor_log" &
    readers+=($!)
    monitor_args+=(-chardev "pipe,id=hmp,path=$work/hmp" -mon chardev=hmp,mode=readline)
fi

if [ "$serial" = stdio ]; then
    serial_args=(-serial mon:stdio)
elif [ ${#keys[@]} -gt 0 ]; then
    mkfifo "$work/com1.in" "$work/com1.out"
    fifos+=("$work/com1.out")
    exec 3<>"$work/com1.in"
    cat "$work/com1.out" >>"$serial" &
    readers+=($!)
    type_keys &
    helpers+=($!)
    serial_args=(-chardev "pipe,id=com1,path=$work/com1" -serial chardev:com1 -monitor none)
elif [ "$com" != 1 ]; then
    case "$com" in 2|3|4) ;; *) echo "qemu_boot: --com must be 1..4" >&2; exit 2 ;; esac
    serial_args=(-serial none -chardev "file,id=comlog,path=$serial" -device "isa-serial,index=$((com - 1)),chardev=comlog"
        -monitor none)
else
    serial_args=(-serial "file:$serial" -monitor none)
fi

if [ -n "$cdrom" ]; then
    boot_media=(-drive "if=none,id=cd0,media=cdrom,format=raw,file=$cdrom,readonly=on" -device ide-cd,drive=cd0)
else
    boot_media=(-drive "if=none,id=disk0,format=raw,file=$image,readonly=on" -device virtio-blk-pci,drive=disk0)
fi
# reserve=off lets guests have more RAM than the host (QEMU holds only the pages the guest touches).
cmd=("$qemu" -machine "$machine,memory-backend=ram0" -cpu "$cpu" -smp "$smp" -m "$mem"
    -object "memory-backend-ram,id=ram0,size=$mem,reserve=off"
    "${extra[@]}"
    -drive "if=pflash,format=raw,unit=0,file=$code,readonly=on"
    -drive "if=pflash,format=raw,unit=1,file=$work/vars.fd"
    "${boot_media[@]}"
    -device isa-debug-exit,iobase=0xf4,iosize=0x04
    -display none -net none -no-reboot "${serial_args[@]}" "${monitor_args[@]}" "$@")

if [ ${#monitor_commands[@]} -gt 0 ]; then
    send_monitor_commands &
    helpers+=($!)
fi
# A boot with more vCPUs than the host has cores waits until no other such boot runs (an exclusive lock on this
# script's real file, one inode for every test of the checkout): its vCPUs spin for lock holders the host descheduled,
# and two such boots at once on 2 cores ran a 4-processor stress ten times slower (CI: 150 s guard missed). Boots
# with fewer vCPUs still run beside it. The wait comes before QEMU's own timeout starts.
if [ "$smp" -gt "$(nproc)" ]; then
    exec 9<"$(readlink -f "$0")"
    flock 9
fi
status=0
if [ "$timeout_s" -gt 0 ]; then
    timeout -k 5 "$timeout_s" "${cmd[@]}" </dev/null || status=$?
else
    "${cmd[@]}" || status=$?
fi
# Helpers still waiting for a marker that never came are stopped. The pipe readers end when QEMU closes its side;
# a read-write open (which never blocks) releases a reader that QEMU never connected. Then wait: the logs are complete.
for helper in "${helpers[@]}"; do
    kill "$helper" 2>/dev/null || true
done
for fifo in "${fifos[@]}"; do
    : 1<>"$fifo"
done
for reader in "${readers[@]}"; do
    wait "$reader" 2>/dev/null || true
done
exit $status
