#!/bin/bash
# Runs in the qemu guest as its first process (from guest-init, after
# switch_root onto the overlay of the host's /): the usual pseudo file
# systems, then tests/lab/record.sh -o /out/golden for the scenarios in
# /out/job, one at a time; 0 or 1 (some failed) goes to /out/rc, its output to /out/log.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LC_ALL=C TZ=UTC
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /var/tmp
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
hostname ctlab-guest
ip link set lo up
. /out/job
# one record.sh per scenario, so that one failure does not lose the others
{
	echo "guest: $(uname -r) $(nproc) cpu(s), $(date -u)"
	cd "$ROOT" || exit 1
	rc=0
	for s in "${SCEN[@]}"; do
		tests/lab/record.sh -o /out/golden "$s" || { echo "guest: $s FAILED"; rc=1; }
	done
	echo $rc >/out/rc
	echo "guest: done $(date -u)"
} >/out/log 2>&1
sync
echo o >/proc/sysrq-trigger
sleep 10
