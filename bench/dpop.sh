#!/usr/bin/env bash
# DPoP proofs built and verified per second on one core (ES256, EdDSA, RS256), set against
# `openssl speed` for each signature algorithm on the same machine: the limit, since a proof
# costs one signature to build and one verification to check (see bench/README.md, "DPoP").
#   bench/dpop.sh [--seconds S]
#   bench/dpop.sh --quick [--bin PATH] [--out DIR]
# --quick: 0.2 s per measure and `openssl speed` for ecdsap256 only; every measure must have
# produced a rate, which is not judged (ctest: bench-smoke). Exit: 0; 1 when a proof was
# refused or a figure is missing; 2 on a setup error.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$root/build/bench/tollgate_bench_dpop"
out="$root/bench/out"
quick=0
seconds=1
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1; shift ;;
    --bin) bin="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "dpop.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
done
if [[ ! -x $bin ]]; then
  echo "error: $bin is missing; build first (cmake --build build --target tollgate_bench_dpop)" >&2
  exit 2
fi
if ! command -v openssl >/dev/null; then
  echo "error: openssl is missing (apt-get install openssl)" >&2
  exit 2
fi
algs=(ecdsap256 ed25519 rsa2048)
if [ "$quick" = 1 ]; then
  seconds=0.2
  algs=(ecdsap256)
fi
mkdir -p "$out"
set +e
"$bin" --seconds "$seconds" >"$out/dpop.json"
status=$?
set -e
openssl speed -seconds 1 "${algs[@]}" 2>/dev/null >"$out/openssl-speed.txt"
python3 - "$out/dpop.json" "$out/openssl-speed.txt" "$status" "$quick" <<'PY'
import json, re, sys
doc = json.load(open(sys.argv[1]))
speed = open(sys.argv[2]).read()
status, quick = int(sys.argv[3]), sys.argv[4] == "1"
# `openssl speed` (3.0): "<label> <sign s> <verify s> <sign/s> <verify/s>" per algorithm.
patterns = {"ES256": r"ecdsa \(nistp256\)", "EdDSA": r"EdDSA \(Ed25519\)", "RS256": r"rsa 2048 bits"}
limits = {}
for alg, label in patterns.items():
    m = re.search(label + r"\s+\S+s\s+\S+s\s+([\d.]+)\s+([\d.]+)", speed)
    if m:
        limits[alg] = (float(m.group(1)), float(m.group(2)))
problems = [] if status == 0 else ["the benchmark exited with %d" % status]
print("%-6s %14s %14s %8s   %14s %14s %8s" % ("alg", "built/s", "openssl sign/s", "ratio",
                                             "verified/s", "openssl vfy/s", "ratio"))
report = []
for m in doc["algs"]:
    if "error" in m:
        problems.append("%s: %s" % (m.get("alg", "?"), m["error"]))
        continue
    alg, built, verified = m["alg"], m["proofs_built_per_second"], m["proofs_verified_per_second"]
    sign, verify = limits.get(alg, (None, None))
    row = {"alg": alg, "built_per_second": built, "verified_per_second": verified,
           "openssl_sign_per_second": sign, "openssl_verify_per_second": verify,
           "build_ratio": built / sign if sign else None,
           "verify_ratio": verified / verify if verify else None}
    report.append(row)
    fmt = lambda v, spec: (spec % v) if v is not None else "-"
    print("%-6s %14.0f %14s %8s   %14.0f %14s %8s" % (
        alg, built, fmt(sign, "%.0f"), fmt(row["build_ratio"], "%.2f"),
        verified, fmt(verify, "%.0f"), fmt(row["verify_ratio"], "%.2f")))
    if built <= 0 or verified <= 0:
        problems.append("%s: no proof built or verified" % alg)
if quick and "ES256" not in limits:
    problems.append("no ecdsap256 figure in `openssl speed`'s output")
json.dump({"rates": report}, open(sys.argv[1].replace(".json", "-ratios.json"), "w"), indent=2)
if quick:
    print("quick mode: %s; rates are not judged" % ("every proof built and verified" if not problems
                                                     else "INVALID: " + "; ".join(problems)))
elif problems:
    print("INVALID: " + "; ".join(problems))
sys.exit(1 if problems else 0)
PY
