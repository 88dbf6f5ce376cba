#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# rust-test.sh - the Rust crate (bindings/rust) against a Meson build:
# rustfmt and clippy (where installed), cargo test, the example over slirp
#
# Usage: scripts/rust-test.sh [BUILD_DIR]      (default: build-test)
# Offline, and nothing lands in the source tree: CARGO_HOME and the target
# directory are BUILD_DIR/cargo-home and BUILD_DIR/cargo-target (the crate
# has no dependencies; its Cargo.lock is committed). Uses the cargo on PATH,
# else ~/.cargo/bin/cargo (rustup), else fails: `scripts/deps.sh rust`
# installs Debian's.
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(realpath "${1:-build-test}")
[ -f "$build/src/libsquibnet.so" ] || {
	echo "rust-test.sh: no $build/src/libsquibnet.so: build the library first" >&2
	exit 1
}
cargo=$(command -v cargo || true)
if [ -z "$cargo" ] && [ -x "$HOME/.cargo/bin/cargo" ]; then
	cargo=$HOME/.cargo/bin/cargo
fi
[ -n "$cargo" ] || { echo "rust-test.sh: no cargo (scripts/deps.sh rust installs it)" >&2; exit 1; }
PATH=$(dirname "$cargo"):$PATH
export PATH CARGO_HOME=$build/cargo-home CARGO_TARGET_DIR=$build/cargo-target
export SQUIBNET_BUILD_DIR=$build
manifest=bindings/rust/Cargo.toml
echo "$(cargo --version), $(rustc --version)"

if cargo fmt --version >/dev/null 2>&1; then
	cargo fmt --manifest-path "$manifest" --check
	echo "rustfmt: clean"
else
	echo "rustfmt: not installed, formatting not checked"
fi
if cargo clippy --version >/dev/null 2>&1; then
	cargo clippy -q --offline --manifest-path "$manifest" --all-targets -- -D warnings
	echo "clippy: clean"
else
	echo "clippy: not installed, lints not checked"
fi

cargo test --offline --manifest-path "$manifest"

# The example, as a VMM author would run it: a DHCP OFFER through slirp.
out=$(cargo run -q --offline --manifest-path "$manifest" --example vmm -- slirp)
echo "$out"
grep -q '^DHCP offer: 10.0.2.15, gateway 10.0.2.2$' <<<"$out" ||
	{ echo "rust-test.sh: the example got no DHCP offer" >&2; exit 1; }
