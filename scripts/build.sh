#!/usr/bin/env bash
# Installs missing packages, configures and builds (preset "default", -j2).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake --preset default >/dev/null
cmake --build --preset default
