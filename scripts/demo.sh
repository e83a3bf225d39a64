#!/usr/bin/env bash
# The main job: every profile against its reference target; reports in reports/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh tollgate
exec build/tollgate demo "$@"
