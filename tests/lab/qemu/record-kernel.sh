#!/bin/bash
# Record lab scenarios on one of Debian's kernels, booted under qemu (TCG).
#
#   sudo tests/lab/qemu/record-kernel.sh KERNEL [-o DIR] SCENARIO...
#   sudo tests/lab/qemu/record-kernel.sh KERNEL --fetch   (download + prepare only)
#
#   KERNEL   5.10 (Debian 11 bullseye + bullseye-security), 6.1 (Debian 12
#            bookworm + bookworm-security), 6.12 (Debian 13 trixie +
#            trixie-security): the newest linux-image-*-amd64 of that suite
#   -o DIR   put the recordings into DIR/k$KERNEL-SCENARIO
#            (default tests/golden, i.e. tests/golden/k6.1-http-v4)
#
# The guest runs the host's own userland: a small busybox initrd loads
# virtio, 9p and overlay, mounts the host's / read-only over 9p under a
# tmpfs overlay, mounts the kernel package's /lib/modules and an output
# folder (both 9p) and runs tests/lab/record.sh there. So every tool the
# lab uses (nft, tcpdump, conntrack, python3 + scapy) is the host's version;
# only the kernel differs. One vCPU with `-icount shift=0` (the guest clock
# follows executed instructions; see README.md "Other kernels").
#
# Needs root, qemu-system-x86 and busybox-static (installed here with
# apt-get when missing). The kernel packages, their unpacked trees and the
# initrds are kept in $CTL_KCACHE (default /var/cache/ctreplay-lab), never in
# the repository. Each recording's `versions` gets three more lines:
# `kernel-package NAME VERSION`, `kernel-package-sha256 HASH` and
# `kernel-suite SUITES`.
set -euo pipefail

QDIR=$(cd "$(dirname "$0")" && pwd)
LAB=$(cd "$QDIR/.." && pwd)
ROOT=$(cd "$LAB/../.." && pwd)
KCACHE=${CTL_KCACHE:-/var/cache/ctreplay-lab}

log() { echo "[qemu] $*" >&2; }
die() { echo "[qemu] ERROR: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root"
[ $# -ge 1 ] || die "usage: record-kernel.sh 5.10|6.1|6.12 [-o DIR] SCENARIO... | --fetch"
KVER=$1; shift

case $KVER in
5.10) SUITES="bullseye bullseye-security" ;;
6.1) SUITES="bookworm bookworm-security" ;;
6.12) SUITES="trixie trixie-security" ;;
*) die "unknown kernel $KVER (5.10, 6.1 or 6.12)" ;;
esac

FETCH_ONLY= OUTDIR=$ROOT/tests/golden
while [ $# -gt 0 ]; do
	case $1 in
	--fetch) FETCH_ONLY=1; shift ;;
	-o) OUTDIR=$2; shift 2 ;;
	-*) die "unknown option $1" ;;
	*) break ;;
	esac
done
[ -n "$FETCH_ONLY" ] || [ $# -gt 0 ] || die "no scenario given"

# ------------------------------------------------------------ host packages
need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
[ -x /bin/busybox ] && /bin/busybox --list | grep -qx switch_root || need+=(busybox-static)
command -v cpio >/dev/null || need+=(cpio)
command -v xz >/dev/null || need+=(xz-utils)
command -v zstd >/dev/null || need+=(zstd)
command -v depmod >/dev/null || need+=(kmod)
if [ ${#need[@]} -gt 0 ]; then
	log "installing ${need[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
# the lab's own tools, on the host: the guest uses them as they are
"$LAB/deps.sh"

# ------------------------------------------------------------ kernel package
# A private apt configuration per kernel (its own sources.list, lists and
# cache), so the host's apt sources are not touched.
KD=$KCACHE/k$KVER
mkdir -p "$KD/apt/lists/partial" "$KD/apt/cache/archives/partial"
{
	for s in $SUITES; do
		case $s in
		*-security) echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security $s main" ;;
		*) echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $s main" ;;
		esac
	done
} >"$KD/apt/sources.list"
APTOPT=(-o "Dir::Etc::SourceList=$KD/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
	-o "Dir::State::Lists=$KD/apt/lists" -o "Dir::Cache=$KD/apt/cache"
	-o "Dir::State::status=/dev/null" -o APT::Architecture=amd64 -o Debug::NoLocking=1 -o APT::Sandbox::User=root)

if [ ! -f "$KD/package" ]; then
	log "apt-get update for $SUITES"
	apt-get "${APTOPT[@]}" -qq update
	# the metapackage points at the suite's current ABI: linux-image-X-amd64
	pkg=$(apt-cache "${APTOPT[@]}" depends linux-image-amd64 |
		sed -n 's/^ *Depends: \(linux-image-[^ ]*-amd64\)\( (.*)\)\{0,1\}$/\1/p' | head -1)
	[ -n "$pkg" ] || die "no linux-image-*-amd64 found for $SUITES"
	# prefer the signed package name; -unsigned has the same kernel
	log "downloading $pkg"
	(cd "$KD" && rm -f ./*.deb && apt-get "${APTOPT[@]}" -qq download "$pkg")
	deb=$(ls "$KD"/*.deb | head -1)
	rm -rf "$KD/root"
	dpkg-deb -x "$deb" "$KD/root"
	kr=$(ls "$KD/root/lib/modules" 2>/dev/null || ls "$KD/root/usr/lib/modules")
	[ -d "$KD/root/lib/modules/$kr" ] || { mkdir -p "$KD/root/lib"; ln -s ../usr/lib/modules "$KD/root/lib/modules"; }
	depmod -b "$KD/root" "$kr"
	{
		echo "name $(dpkg-deb -f "$deb" Package)"
		echo "version $(dpkg-deb -f "$deb" Version)"
		echo "sha256 $(sha256sum "$deb" | cut -d' ' -f1)"
		echo "release $kr"
		echo "deb $(basename "$deb")"
	} >"$KD/package.tmp"
	mv "$KD/package.tmp" "$KD/package"
	rm -f "$KD/initrd.img"
fi
kval() { sed -n "s/^$1 //p" "$KD/package"; }
KREL=$(kval release)
VMLINUZ=$KD/root/boot/vmlinuz-$KREL
[ -f "$VMLINUZ" ] || die "$VMLINUZ missing"
MODDIR=$KD/root/lib/modules/$KREL

# ------------------------------------------------------------ initrd
# busybox + the modules for virtio-pci, 9p and overlay (in dependency order,
# decompressed: busybox insmod does not read .ko.xz / .ko.zst).
build_initrd() {
	local t m f dep
	t=$(mktemp -d)
	mkdir -p "$t"/{bin,dev,proc,sys,newroot,lower,upper,mods}
	cp /bin/busybox "$t/bin/busybox"
	for f in sh mount umount insmod mkdir switch_root sleep cat echo poweroff ls mknod; do
		ln -s busybox "$t/bin/$f"
	done
	: >"$t/mods/order"
	# modules.dep lists a module's dependencies; insmod the deepest first
	local seen=" "
	add_mod() {
		local name=$1 path deps d
		path=$(awk -F: -v n="$name" '{ b = $1; sub(".*/", "", b); sub("\\.ko.*", "", b); gsub("-", "_", b) }
			b == n { print; exit }' "$MODDIR/modules.dep")
		if [ -z "$path" ]; then
			grep -q "/$name.ko" "$MODDIR/modules.builtin" 2>/dev/null ||
				grep -q "/${name//_/-}.ko" "$MODDIR/modules.builtin" 2>/dev/null ||
				log "note: module $name neither built in nor found"
			return 0
		fi
		deps=${path#*:}
		path=${path%%:*}
		for d in $deps; do
			d=$(basename "$d"); d=${d%%.ko*}; d=${d//-/_}
			add_mod "$d"
		done
		case $seen in *" $name "*) return 0 ;; esac
		seen="$seen$name "
		case $path in
		*.ko.xz) xz -dc "$MODDIR/$path" >"$t/mods/$name.ko" ;;
		*.ko.zst) zstd -qdc "$MODDIR/$path" >"$t/mods/$name.ko" ;;
		*) cp "$MODDIR/$path" "$t/mods/$name.ko" ;;
		esac
		echo "$name" >>"$t/mods/order"
	}
	for m in virtio_pci virtio_rng 9pnet_virtio 9p overlay; do add_mod $m; done
	cp "$QDIR/guest-init" "$t/init"
	chmod 755 "$t/init"
	(cd "$t" && find . | cpio -o -H newc --quiet | gzip -1) >"$KD/initrd.img.tmp"
	mv "$KD/initrd.img.tmp" "$KD/initrd.img"
	log "initrd: $(tr '\n' ' ' <"$t/mods/order")"
	rm -rf "$t"
}
if [ ! -f "$KD/initrd.img" ] || [ "$QDIR/guest-init" -nt "$KD/initrd.img" ]; then
	build_initrd
fi
log "kernel $(kval name) $(kval version) ($KREL)"
[ -z "$FETCH_ONLY" ] || exit 0

# ------------------------------------------------------------ run
# One VM at a time on this machine (and not during a host recording: the
# lock is the lab's).
if [ "${CTL_LAB_LOCKED:-}" != 1 ]; then
	export CTL_LAB_LOCKED=1
	log "waiting for /tmp/ctl-lab.lock"
	exec flock /tmp/ctl-lab.lock "$0" "$KVER" ${OUTDIR:+-o "$OUTDIR"} "$@"
fi

RUN=$(mktemp -d /tmp/ctl-kern.XXXXXX)
chmod 755 "$RUN"
trap 'rm -rf "$RUN"' EXIT
mkdir -p "$RUN/out"
# the command the guest runs (guest-init sources /out/job after switch_root)
{
	echo "ROOT='$ROOT'"
	printf 'SCEN=(%s)\n' "$*"
} >"$RUN/out/job"
cp "$QDIR/guest-run.sh" "$RUN/out/guest-run.sh"

log "booting $KREL for: $*"
start=$(date +%s)
# -icount shift=0: one guest nanosecond per instruction, deterministic
# enough that the scenarios' timers behave; with -smp 1 (icount + SMP hangs).
timeout ${CTL_VM_TIMEOUT:-3600} nice -n 10 qemu-system-x86_64 -machine q35 -cpu max -smp 1 -m 2048 \
	-icount shift=0 -nographic -no-reboot -nic none \
	-kernel "$VMLINUZ" -initrd "$KD/initrd.img" \
	-append "console=ttyS0 panic=-1 quiet loglevel=4 ctlab=1" \
	-fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap \
	-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
	-fsdev local,id=kmods,path="$KD/root/lib/modules",security_model=none,readonly=on \
	-device virtio-9p-pci,fsdev=kmods,mount_tag=kmods \
	-fsdev local,id=out,path="$RUN/out",security_model=none \
	-device virtio-9p-pci,fsdev=out,mount_tag=out \
	-device virtio-rng-pci \
	</dev/null >"$RUN/console.log" 2>&1 || true
log "VM ran $(($(date +%s) - start)) s"

cp "$RUN/out/log" "$KD/last-run.log" 2>/dev/null || true
cp "$RUN/console.log" "$KD/last-console.log"
if [ ! -f "$RUN/out/rc" ]; then
	tail -40 "$RUN/console.log" >&2
	[ -f "$RUN/out/log" ] && tail -40 "$RUN/out/log" >&2
	die "the guest did not finish (console: $KD/last-console.log)"
fi

mkdir -p "$OUTDIR"
failed=0
for s in "$@"; do
	src=$RUN/out/golden/$s
	if [ ! -f "$src/events" ]; then
		log "$s: FAILED in the guest (log: $KD/last-run.log)"
		failed=1
		continue
	fi
	{
		echo "kernel-package $(kval name) $(kval version)"
		echo "kernel-package-sha256 $(kval sha256)"
		echo "kernel-suite $SUITES"
		echo "qemu $(qemu-system-x86_64 --version | head -1) -smp 1 -icount shift=0 (TCG)"
	} >>"$src/versions"
	dst=$OUTDIR/k$KVER-$s
	rm -rf "$dst"
	cp -r "$src" "$dst"
	find "$dst" -type f -exec chmod 644 {} +
	log "$s -> $dst ($(wc -l <"$dst/events") events)"
done
# tests/golden/SCENARIOS lists every recording, as record.sh keeps it
if [ "$(cd "$OUTDIR" && pwd)" = "$ROOT/tests/golden" ]; then
	tmp=$(mktemp)
	for d in "$OUTDIR"/*/; do
		n=$(basename "$d")
		[ -f "$d/events" ] && [ -f "$d/desc" ] || continue
		h=
		grep -q 'helper=ftp' "$d/events" && h="${h:+$h,}ftp:tcp/21"
		grep -q 'helper=tftp' "$d/events" && h="${h:+$h,}tftp:udp/69"
		printf '%s  %s\n' "$n" "${h:--}" >>"$tmp"
	done
	sort "$tmp" >"$OUTDIR/SCENARIOS"
	rm -f "$tmp"
	chmod 644 "$OUTDIR/SCENARIOS"
fi
[ $failed = 0 ] || die "some scenarios failed: grep FAILED $KD/last-run.log"
