#!/bin/bash
# Boots a disk image under OVMF in QEMU (TCG), headless, with isa-debug-exit; exits with QEMU's status.
# usage: qemu_boot.sh --arch amd64|i686 --image IMG --code OVMF_CODE --vars OVMF_VARS_TEMPLATE
#                     [--cpu MODEL] [--mem SIZE] [--smp N] [--serial FILE|stdio] [--com N] [--timeout SECONDS]
#                     [--keys-after TEXT --keys KEYS [--keys KEYS]...] [-- QEMU_ARGS...]
# --keys (printf %b escapes, e.g. '\033[B' for Down) are typed on COM1, one chunk every half second, once TEXT
# appears on the serial port (file mode only): the firmware's terminal driver turns them into console keys.
# --com N (file mode, no keys) makes the machine's only UART COM N (1: 0x3f8, 2: 0x2f8, 3: 0x3e8, 4: 0x2e8) and logs
# it to FILE: with N > 2 no serial port the firmware knows is present, so the firmware console reaches no UART.
set -euo pipefail
arch="" image="" code="" vars="" cpu="" mem=128M smp=1 serial=stdio com=1 timeout_s=0 keys_after="" keys=()
while [ $# -gt 0 ]; do
    case "$1" in
        --arch) arch=$2; shift 2 ;;
        --image) image=$2; shift 2 ;;
        --code) code=$2; shift 2 ;;
        --vars) vars=$2; shift 2 ;;
        --cpu) cpu=$2; shift 2 ;;
        --mem) mem=$2; shift 2 ;;
        --smp) smp=$2; shift 2 ;;
        --serial) serial=$2; shift 2 ;;
        --com) com=$2; shift 2 ;;
        --timeout) timeout_s=$2; shift 2 ;;
        --keys-after) keys_after=$2; shift 2 ;;
        --keys) keys+=("$2"); shift 2 ;;
        --) shift; break ;;
        *) echo "qemu_boot: unknown option $1" >&2; exit 2 ;;
    esac
done
for f in "$image" "$code" "$vars"; do
    [ -f "$f" ] || { echo "qemu_boot: missing file '$f'" >&2; exit 2; }
done

case "$arch" in
    amd64) qemu=qemu-system-x86_64 machine=q35 cpu=${cpu:-qemu64} extra=() ;;
    i686)
        # OVMF ia32 is the secure-boot build: it needs SMM and a secure flash.
        qemu=qemu-system-i386 machine=q35,smm=on cpu=${cpu:-qemu32}
        extra=(-global driver=cfi.pflash01,property=secure,value=on) ;;
    *) echo "qemu_boot: unknown arch '$arch'" >&2; exit 2 ;;
esac

# Firmware variables are written by OVMF: boot from a private copy.
work=$(mktemp -d "${TMPDIR:-/tmp}/xtqemu.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp "$vars" "$work/vars.fd"
chmod u+w "$work/vars.fd"

# Types the --keys chunks into the COM1 input pipe once the marker shows up in the serial log.
type_keys() {
    local waited=0
    until grep -qaF -- "$keys_after" "$serial" 2>/dev/null; do
        sleep 0.2
        waited=$((waited + 1))
        [ "$waited" -lt 600 ] || return 0
    done
    for chunk in "${keys[@]}"; do
        sleep 0.5
        printf '%b' "$chunk" >&3
    done
}

if [ "$serial" = stdio ]; then
    serial_args=(-serial mon:stdio)
elif [ ${#keys[@]} -gt 0 ]; then
    mkfifo "$work/com1.in" "$work/com1.out"
    exec 3<>"$work/com1.in"
    cat "$work/com1.out" >>"$serial" &
    type_keys &
    serial_args=(-chardev "pipe,id=com1,path=$work/com1" -serial chardev:com1 -monitor none)
elif [ "$com" != 1 ]; then
    case "$com" in 2|3|4) ;; *) echo "qemu_boot: --com must be 1..4" >&2; exit 2 ;; esac
    serial_args=(-serial none -chardev "file,id=comlog,path=$serial" -device "isa-serial,index=$((com - 1)),chardev=comlog"
        -monitor none)
else
    serial_args=(-serial "file:$serial" -monitor none)
fi

# reserve=off lets guests have more RAM than the host (QEMU holds only the pages the guest touches).
cmd=("$qemu" -machine "$machine,memory-backend=ram0" -cpu "$cpu" -smp "$smp" -m "$mem"
    -object "memory-backend-ram,id=ram0,size=$mem,reserve=off"
    "${extra[@]}"
    -drive "if=pflash,format=raw,unit=0,file=$code,readonly=on"
    -drive "if=pflash,format=raw,unit=1,file=$work/vars.fd"
    -drive "if=none,id=disk0,format=raw,file=$image,readonly=on"
    -device virtio-blk-pci,drive=disk0
    -device isa-debug-exit,iobase=0xf4,iosize=0x04
    -display none -net none -no-reboot "${serial_args[@]}" "$@")

status=0
if [ "$timeout_s" -gt 0 ]; then
    timeout -k 5 "$timeout_s" "${cmd[@]}" </dev/null || status=$?
else
    "${cmd[@]}" || status=$?
fi
exit $status
