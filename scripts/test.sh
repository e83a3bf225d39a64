#!/usr/bin/env bash
# The whole test suite: unit tests, each profile against its reference target, the fault
# matrix and the end-to-end golden tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
exec ctest --preset default "$@"
