#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# t_serve_qemu.sh - two real QEMU guests on one squib-net serve
#
# Debian's kernel (/boot) boots, under TCG, an initramfs of busybox and the
# virtio-net modules; one guest joins serve with -netdev stream, the other
# with -netdev dgram, on the slirp uplink. The first takes an address by
# DHCP, the second a static one; each fetches 4 MiB from the host through
# 10.0.2.2, byte-exact, and the first fetches a file the second made and
# serves (busybox httpd), byte-exact: a VM-to-VM transfer between the two
# kinds of port. Their ports show in serve's statistics with their MACs.
. "$(dirname "$0")/lib.sh"
require_root
require_cmd busybox
require_cmd qemu-system-x86_64
require_cmd cpio
"$SQN" probe | grep -q '^  slirp *yes' || skip_all "no slirp backend in this build"

# a kernel with its virtio-net modules (plain or xz)
KVER=
for k in $(ls -r /boot/vmlinuz-* 2>/dev/null); do
	v=${k#/boot/vmlinuz-}
	if ls "/lib/modules/$v/kernel/drivers/net/virtio_net.ko"* >/dev/null 2>&1; then
		KVER=$v
		break
	fi
done
[ -n "$KVER" ] || skip_all "needs a kernel in /boot with its virtio_net module (linux-image-amd64)"
plan 6

mkdir -p "$TMP/www" "$TMP/root"
make_blob "$TMP/www/blob" 4
want=$(sha256sum "$TMP/www/blob" | cut -d' ' -f1)
hport=$(free_port)
http_serve "$TMP/www" "$hport"

# the initramfs: busybox, its libraries, the modules in load order, /init
R=$TMP/root
mkdir -p "$R/bin" "$R/mod" "$R/proc" "$R/sys" "$R/dev" "$R/etc" "$R/www" "$R/tmp"
cp /usr/bin/busybox "$R/bin/"
for lib in $(ldd /usr/bin/busybox | grep -o '/[^ ]*'); do
	mkdir -p "$R$(dirname "$lib")" && cp -L "$lib" "$R$lib"
done
MODS="drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_pci_legacy_dev
drivers/virtio/virtio_pci_modern_dev drivers/virtio/virtio_pci net/core/failover
drivers/net/net_failover drivers/net/virtio_net"
for m in $MODS; do
	f=$(ls "/lib/modules/$KVER/kernel/$m.ko"* 2>/dev/null | head -1)
	case $f in
	*.xz) xz -dc "$f" >"$R/mod/${m##*/}.ko" ;;
	*.zst) zstd -dqc "$f" >"$R/mod/${m##*/}.ko" ;;
	?*) cp "$f" "$R/mod/" ;;
	esac
done
cat >"$R/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
say() { echo "GUEST $*" >/dev/ttyS0; }
arg() { sed -n "s/.*sqn$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci failover net_failover virtio_net; do
	insmod /mod/$m.ko 2>/dev/null
done
printf '#!/bin/sh\n[ "$1" = bound ] || exit 0\nip addr add $ip/${mask:-24} dev $interface\nip route add default via $router\n' >/etc/dhcp.sh
chmod +x /etc/dhcp.sh
ip link set lo up
ip link set eth0 up
if [ -n "$(arg addr)" ]; then
	ip addr add "$(arg addr)/24" dev eth0
	ip route add default via 10.0.2.2
else
	udhcpc -i eth0 -n -q -t 10 -s /etc/dhcp.sh >/dev/null 2>&1
fi
say "addr $(ip -4 -o addr show eth0 | awk '{print $4}')"
if [ -n "$(arg serve)" ]; then
	head -c 2097152 /dev/urandom >/www/made
	say "made $(sha256sum /www/made | cut -d' ' -f1)"
	httpd -p 8080 -h /www
fi
say "host $(wget -q -O - "$(arg host)" | sha256sum | cut -d' ' -f1)"
if [ -n "$(arg peer)" ]; then
	for i in $(seq 60); do
		wget -q -O /tmp/peer "$(arg peer)" 2>/dev/null && break
		sleep 1
	done
	say "peer $(sha256sum /tmp/peer | cut -d' ' -f1)"
fi
say done
sleep 120 # until the test has read serve's statistics and stops QEMU
poweroff -f
EOF
chmod +x "$R/init"
(cd "$R" && find . | cpio -o -H newc 2>/dev/null | gzip -1) >"$TMP/initrd.gz"

LOG=$TMP/serve.log
S=$TMP/s.sock G=$TMP/g.sock
serve_start "$LOG" --listen "unix://$S" --listen "unixgram://$G"
guest() { # guest NAME NETDEV MAC APPEND
	qemu-system-x86_64 -machine pc,accel=tcg -cpu max -m 256 -nodefaults \
		-display none -no-reboot -kernel "/boot/vmlinuz-$KVER" \
		-initrd "$TMP/initrd.gz" \
		-append "console=ttyS0 panic=-1 loglevel=3 sqnhost=http://10.0.2.2:$hport/blob $4" \
		-serial "file:$TMP/$1.console" -netdev "$2" \
		-device "virtio-net-pci,netdev=n0,mac=$3,romfile=" \
		>"$TMP/$1.qemu.log" 2>&1 &
	_pids+=($!)
}
cleanup_add rm -f "$TMP/b.dgram"
guest b "dgram,id=n0,local.type=unix,local.path=$TMP/b.dgram,remote.type=unix,remote.path=$G" \
	52:54:00:5e:10:02 "sqnaddr=10.0.2.100 sqnserve=1"
bpid=$!
guest a "stream,id=n0,server=off,addr.type=unix,addr.path=$S" \
	52:54:00:5e:10:01 "sqnpeer=http://10.0.2.100:8080/made"
apid=$!
for _ in $(seq 1200); do grep -q 'GUEST done' "$TMP/a.console" 2>/dev/null && break; sleep 0.1; done
for _ in $(seq 300); do grep -q 'GUEST done' "$TMP/b.console" 2>/dev/null && break; sleep 0.1; done
serve_stats "$LOG"
grep -h '^GUEST' "$TMP/a.console" "$TMP/b.console" | while read -r l; do diag "$l"; done
grep "stats: port=[1-9]" "$LOG" | tail -2 | cut -c1-200 | while read -r l; do diag "$l"; done
grep "stats: port=" "$LOG" | tail -3 | cut -c1-700 | while read -r l; do diag "$l"; done
g() { sed -n "s/^GUEST $2 //p" "$TMP/$1.console" | tr -d '\r' | head -1; }
ok "the stream guest got an address by DHCP ($(g a addr))" sh -c "echo '$(g a addr)' | grep -q '^10\\.0\\.2\\.[0-9]*/24$'"
ok "the stream guest fetched 4 MiB from the host, byte-exact" test "$(g a host)" = "$want"
ok "the datagram guest fetched 4 MiB from the host, byte-exact" test "$(g b host)" = "$want"
ok "the stream guest fetched the datagram guest's 2 MiB, byte-exact" sh -c \
	"[ -n '$(g b made)' ] && [ '$(g a peer)' = '$(g b made)' ]"
ok "both guests' ports show in serve's statistics with their MACs" sh -c \
	"grep -q 'stats: port=.*s.sock#[0-9]* pid $apid\" mac=52:54:00:5e:10:01' '$LOG' && grep -q 'stats: port=.*peer $TMP/b.dgram\" mac=52:54:00:5e:10:02' '$LOG'"
balanced() { stat_balanced "$LOG" mac=52:54:00:5e:10:01 && stat_balanced "$LOG" mac=52:54:00:5e:10:02; }
ok "every frame serve sent them is accounted for" balanced
kill "$apid" "$bpid" 2>/dev/null
wait "$apid" "$bpid" 2>/dev/null
kill -TERM "$SERVE_PID"
wait "$SERVE_PID"
finish
