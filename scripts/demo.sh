#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# demo.sh - the main job: a namespace whose only NIC squib-net relays
# through the embedded default backend (libslirp), fetching a file that the
# host serves on its loopback, through the gateway address 10.0.2.2.
# Installs what it needs, builds, runs; needs nothing but Debian packages.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh build
if [ ! -f build/build.ninja ]; then meson setup build >/dev/null; fi
ninja -C build >/dev/null
SQN=./build/cli/squib-net

tmp=$(mktemp -d /tmp/squib-net-demo-XXXXXX)
chmod 755 "$tmp"
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

head -c 8388608 /dev/urandom >"$tmp/blob"
want=$(sha256sum "$tmp/blob" | cut -d' ' -f1)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# a static file server on the host's loopback (not `python3 -m http.server`,
# whose bind does a reverse DNS lookup of its address)
python3 -c 'import functools, http.server, socketserver, sys
class S(http.server.HTTPServer):
    def server_bind(self):
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]
class H(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass
S(("127.0.0.1", int(sys.argv[1])), functools.partial(H, directory=sys.argv[2])).serve_forever()' "$port" "$tmp" >/dev/null 2>&1 &
server=$!
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done

echo "squib-net $($SQN version | cut -d' ' -f2): host serves 8 MiB on 127.0.0.1:$port"
echo "\$ squib-net run -- <fetch http://10.0.2.2:$port/blob>   (no --mode: the embedded default)"
$SQN run --stats -- python3 -c '
import hashlib, subprocess, sys, time, urllib.request
addr = subprocess.run(["ip", "-4", "-o", "addr", "show", "eth0"], capture_output=True, text=True).stdout.split()[3]
route = subprocess.run(["ip", "route", "show", "default"], capture_output=True, text=True).stdout.split()[2]
print(f"  inside: eth0 got {addr} by DHCP, default route via {route}")
t = time.monotonic()
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # no proxy: straight to the gateway
data = opener.open(sys.argv[1], timeout=60).read()
dt = time.monotonic() - t
print(f"  inside: fetched {len(data)} bytes in {dt*1000:.0f} ms ({len(data)*8/dt/1e9:.2f} Gbit/s), sha256 {hashlib.sha256(data).hexdigest()[:16]}...")
open("/dev/stdout", "w").write(hashlib.sha256(data).hexdigest() + "\n")
' "http://10.0.2.2:$port/blob" 2>"$tmp/stats" | tee "$tmp/out" | grep -v '^[0-9a-f]\{64\}$'
sed 's/^squib-net: /  stats: /' "$tmp/stats"
if grep -qx "$want" "$tmp/out"; then
	echo "OK: the namespace fetched the host's file byte-exact through squib-net"
else
	echo "FAILED: checksum mismatch or no data" >&2
	exit 1
fi
