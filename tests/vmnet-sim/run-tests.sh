#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# run-tests.sh - build the vmnet backend against the simulated
# vmnet.framework and run its tests (suite 'vmnet'), from a clean tree
#
# Usage: tests/vmnet-sim/run-tests.sh [BUILD_DIR]   (default: build-vmnet)
# Needs clang and libblocksruntime-dev (scripts/deps.sh test installs them).
# What passes here was tested against the simulator, not the real framework.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=${1:-build-vmnet}
if [ -d "$dir" ]; then
	CC=clang meson setup --reconfigure "$dir" -Dvmnet_sim=true --werror
else
	CC=clang meson setup "$dir" -Dvmnet_sim=true --werror
fi
ninja -C "$dir"
meson test -C "$dir" --suite vmnet --print-errorlogs
