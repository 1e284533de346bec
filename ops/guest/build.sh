#!/bin/sh
# Builds the tiny real guest used by VMM tests: a Debian cloud kernel plus a busybox initramfs whose /init
# prints "tiny-guest: booted" on the serial console, a heartbeat every few seconds, and powers off when the
# ACPI power button is pressed (QMP system_powerdown). With `burn=1` on the kernel command line its init also
# spins a busy loop, so the domain keeps one vCPU busy (load and balancing tests with real QEMU CPU).
#
# Usage: ops/guest/build.sh [OUTDIR]     (or VMC_GUEST_DIR=OUTDIR; default <repo>/.guest)
# Output: OUTDIR/vmlinuz, OUTDIR/initrd.gz (their paths are printed), OUTDIR/version. Idempotent: skips if both
# exist and OUTDIR/version is this script's guest_version (bumped when the guest changes, so old builds are redone).
# Needs: Debian 12, root (installs xz-utils if a module is .xz and xz is missing). Downloads two packages.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${1:-${VMC_GUEST_DIR:-$repo/.guest}}
mkdir -p "$out"
out=$(cd "$out" && pwd)

guest_version=2
if [ -s "$out/vmlinuz" ] && [ -s "$out/initrd.gz" ] && [ "$(cat "$out/version" 2>/dev/null)" = "$guest_version" ]; then
    echo "$out/vmlinuz"
    echo "$out/initrd.gz"
    exit 0
fi

work=$(mktemp -d /tmp/tiny-guest.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
cd "$work"

newest_kernel() {
    apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-cloud-amd64$' 2>/dev/null \
        | awk '{print $1}' | sort -V | tail -n 1
}

kpkg=$(newest_kernel)
if [ -z "$kpkg" ]; then
    apt-get update -qq >&2
    kpkg=$(newest_kernel)
fi
[ -n "$kpkg" ] || { echo "build.sh: no linux-image-6.1.0-*-cloud-amd64 package known to apt" >&2; exit 1; }

# apt-get download runs as _apt when it can; a world-writable work dir avoids the sandbox warning.
chmod 0777 "$work"
if ! apt-get download "$kpkg" busybox-static >&2; then
    apt-get update -qq >&2
    apt-get download "$kpkg" busybox-static >&2
fi

mkdir kernel bb root
dpkg-deb --fsys-tarfile ./"$kpkg"_*.deb | tar -x -C kernel
dpkg-deb --fsys-tarfile ./busybox-static_*.deb | tar -x -C bb
bb="$work/bb/bin/busybox"
[ -x "$bb" ] || { echo "build.sh: busybox-static has no bin/busybox" >&2; exit 1; }

vmlinuz=$(ls kernel/boot/vmlinuz-* | head -n 1)
[ -f "$vmlinuz" ] || { echo "build.sh: no vmlinuz in $kpkg" >&2; exit 1; }

mkdir -p root/bin root/sbin root/usr/bin root/usr/sbin root/proc root/sys root/dev root/tmp root/lib/modules root/etc
cp "$bb" root/bin/busybox

for m in button evdev; do
    f=$(find kernel/lib/modules kernel/usr/lib/modules -name "$m.ko" -o -name "$m.ko.xz" -o -name "$m.ko.zst" 2>/dev/null | head -n 1)
    [ -n "$f" ] || { echo "build.sh: module $m.ko not found in $kpkg" >&2; exit 1; }
    case "$f" in
        *.ko.xz)
            command -v xz >/dev/null 2>&1 || apt-get install -y --no-install-recommends xz-utils >&2
            xz -dc "$f" > "root/lib/modules/$m.ko" ;;
        *.ko.zst)
            command -v zstd >/dev/null 2>&1 || apt-get install -y --no-install-recommends zstd >&2
            zstd -dcq "$f" > "root/lib/modules/$m.ko" ;;
        *) cp "$f" "root/lib/modules/$m.ko" ;;
    esac
done

cat > root/init <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
insmod /lib/modules/button.ko
insmod /lib/modules/evdev.ko

# Power button: every event on the "Power Button" input device is a press (or its release).
# The watcher opens the device first and only then says it is armed (events are queued from the open on),
# so the boot line below means "the power button works now".
watch_button() {
    dev=$1
    exec 3<"$dev" || { echo "tiny-guest: cannot open $dev; ACPI power-down will be ignored"; : > /tmp/armed; return; }
    : > /tmp/armed
    if ! dd of=/dev/null bs=24 count=1 <&3 2>/dev/null; then
        echo "tiny-guest: cannot read $dev; ACPI power-down will be ignored"
        return
    fi
    echo "tiny-guest: power button pressed, powering off"
    sync
    poweroff -f
}
found=""
for i in 1 2 3 4 5 6 7 8 9 10; do
    for e in /sys/class/input/event*; do
        [ -e "$e/device/name" ] || continue
        if [ "$(cat "$e/device/name")" = "Power Button" ]; then
            found="/dev/input/$(basename "$e")"
        fi
    done
    [ -n "$found" ] && [ -e "$found" ] && break
    sleep 0.2
done
if [ -n "$found" ]; then
    watch_button "$found" &
    i=0
    while [ ! -e /tmp/armed ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
    echo "tiny-guest: watching $found for the power button"
else
    echo "tiny-guest: no power button input device; ACPI power-down will be ignored"
fi

echo "tiny-guest: booted"
# burn=1: a shell busy loop keeps a vCPU busy until power-off.
if grep -qw 'burn=1' /proc/cmdline; then
    ( while :; do :; done ) &
    echo "tiny-guest: burning CPU"
fi
n=0
while true; do
    sleep 3
    n=$((n + 3))
    echo "tiny-guest: heartbeat ${n}s"
done
INIT
chmod 0755 root/init

(cd root && find . | "$bb" cpio -o -H newc 2>/dev/null) | gzip -9 > initrd.gz.tmp
cp "$vmlinuz" "$out/vmlinuz.tmp"
mv "$out/vmlinuz.tmp" "$out/vmlinuz"
mv initrd.gz.tmp "$out/initrd.gz"
echo "$guest_version" > "$out/version"
echo "$out/vmlinuz"
echo "$out/initrd.gz"
