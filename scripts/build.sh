#!/usr/bin/env bash
# Installs missing packages, configures and builds (preset "default", -j2). With target
# names, builds only those (scripts/demo.sh needs only `tollgate`, not the tests); the
# build folder is the same, so a later full build reuses everything already built.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake --preset default >/dev/null
if [ $# -gt 0 ]; then
  cmake --build --preset default --target "$@"
else
  cmake --build --preset default
fi
