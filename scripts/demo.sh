#!/usr/bin/env bash
# Set-up + demo: installs what is missing, builds the agent (release) and runs `shopwatch demo`,
# which serves a built-in demo shop on 127.0.0.1 and probes it. Extra arguments go to `shopwatch demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
packaging/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release --target shopwatch
exec build/release/agent/cli/shopwatch demo "$@"
