#!/usr/bin/env bash
# Signed requests per second through tollgate's signer and the reference signed-api
# verifier, on loopback with keep-alive (see bench/README.md, "Signed requests").
#   bench/signed.sh [--seconds S] [--threads N]
#   bench/signed.sh --quick [--bin PATH] [--out DIR]
# --quick: a 1 s run that must have accepted requests and refused none; the rates are not
# judged (ctest: bench-smoke). It has no peer to skip. Exit: 0, 1 when a request was refused
# (or, --quick, none was accepted), 2 on a setup error.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$root/build/bench/tollgate_bench_signed"
out="$root/bench/out"
quick=0
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1; shift ;;
    --bin) bin="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --seconds|--threads) args+=("$1" "$2"); shift 2 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "signed.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
done
[ "$quick" = 0 ] || args=(--seconds 1 "${args[@]}")
if [[ ! -x $bin ]]; then
  echo "error: $bin is missing; build first (scripts/build.sh)" >&2
  exit 2
fi
mkdir -p "$out"
cd "$root"  # the benchmark reads mocks/signed-api.yaml
set +e
"$bin" "${args[@]}" | tee "$out/signed.json"
status=${PIPESTATUS[0]}
set -e
[ "$quick" = 1 ] || exit "$status"
python3 - "$out/signed.json" "$status" <<'PY'
import json, sys
doc, status = json.load(open(sys.argv[1])), int(sys.argv[2])
problems = []
if status != 0:
    problems.append("exit code %d" % status)
if doc.get("accepted", 0) <= 0:
    problems.append("no signed request was accepted")
if doc.get("refused_or_failed", 1) != 0:
    problems.append("%s requests refused or failed" % doc.get("refused_or_failed"))
print("quick mode: %s; rates are not judged" % ("every request accepted" if not problems
                                                 else "INVALID: " + "; ".join(problems)))
sys.exit(1 if problems else 0)
PY
