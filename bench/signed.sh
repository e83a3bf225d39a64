#!/usr/bin/env bash
# Signed requests per second through tollgate's signer and the reference signed-api
# verifier, on loopback with keep-alive (see bench/README.md, "Signed requests").
#   bench/signed.sh [--seconds S] [--threads N]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/bench/tollgate_bench_signed
if [[ ! -x $bin ]]; then
  echo "error: $bin is missing; build first (scripts/build.sh)" >&2
  exit 2
fi
mkdir -p bench/out
"$bin" "$@" | tee bench/out/signed.json
