#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# demo.sh - the main job: build squib-net and show it working
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh build
[ -d build ] || meson setup build >/dev/null
ninja -C build >/dev/null
./build/cli/squib-net probe
