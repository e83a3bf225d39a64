#!/usr/bin/env bash
# DPoP on one core (ES256, EdDSA, RS256): proofs built and verified, and access tokens
# verified, per second; then DPoP-bound requests checked per second through the reference
# resource server (kind resource_server, trusting an issuer that signs with the same
# algorithm) over HTTPS keep-alive on loopback, on 1 and 2 connections. Each figure is set
# against `openssl speed` for the signature algorithm on the same machine, the limit: a proof
# costs one signature to build and one verification to check, and a request one signature
# (client) and two verifications (proof and token, server). See bench/README.md, "DPoP".
#   bench/dpop.sh [--seconds S]
#   bench/dpop.sh --quick [--bin PATH] [--out DIR]
# --quick: 0.2 s per measure and `openssl speed` for ecdsap256 only; every measure must have
# produced a rate, which is not judged (ctest: bench-smoke). Exit: 0; 1 when a proof or a
# request was refused or a figure is missing; 2 on a setup error.
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
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
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
# Busy CPU time of the whole machine (clock ticks), before and after the benchmark: what the
# benchmark did not use itself, other processes did.
busy() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat 2>/dev/null || echo ''; }
busy_before="$(busy)"
set +e
"$bin" --seconds "$seconds" >"$out/dpop.json"
status=$?
set -e
busy_after="$(busy)"
openssl speed -seconds 1 "${algs[@]}" 2>/dev/null >"$out/openssl-speed.txt"
python3 - "$out/dpop.json" "$out/openssl-speed.txt" "$status" "$quick" "$busy_before" "$busy_after" \
  "$(getconf CLK_TCK)" <<'PY'
import json, os, re, sys
try:
    doc = json.load(open(sys.argv[1]))
except ValueError:
    doc = {"algs": [], "requests": [], "error": "no JSON from the benchmark"}
speed = open(sys.argv[2]).read()
status, quick = int(sys.argv[3]), sys.argv[4] == "1"
busy = [float(v) if v else None for v in sys.argv[5:7]]
ticks = float(sys.argv[7] or 100)
# `openssl speed` (3.0): "<label> <sign s> <verify s> <sign/s> <verify/s>" per algorithm.
patterns = {"ES256": r"ecdsa \(nistp256\)", "EdDSA": r"EdDSA \(Ed25519\)", "RS256": r"rsa 2048 bits"}
limits = {}
for alg, label in patterns.items():
    m = re.search(label + r"\s+\S+s\s+\S+s\s+([\d.]+)\s+([\d.]+)", speed)
    if m:
        limits[alg] = (float(m.group(1)), float(m.group(2)))
problems = [] if status == 0 else ["the benchmark exited with %d" % status]
if "error" in doc:
    problems.append(doc["error"])
fmt = lambda v, spec: (spec % v) if v is not None else "-"
ratio = lambda a, b: a / b if a is not None and b else None
print("Proofs and tokens, one core (ratio: tollgate / openssl speed)")
print("%-6s %10s %10s %6s  %10s %10s %6s  %10s %6s" % (
    "alg", "built/s", "ossl sign", "ratio", "proof vfy", "ossl vfy", "ratio", "token vfy",
    "ratio"))
report, by_alg = [], {}
for m in doc.get("algs", []):
    if "error" in m:
        problems.append("%s: %s" % (m.get("alg", "?"), m["error"]))
        continue
    alg, built, verified = m["alg"], m["proofs_built_per_second"], m["proofs_verified_per_second"]
    tokens = m.get("tokens_verified_per_second")
    sign, verify = limits.get(alg, (None, None))
    row = {"alg": alg, "built_per_second": built, "verified_per_second": verified,
           "tokens_verified_per_second": tokens,
           "openssl_sign_per_second": sign, "openssl_verify_per_second": verify,
           "build_ratio": ratio(built, sign), "verify_ratio": ratio(verified, verify),
           "token_verify_ratio": ratio(tokens, verify)}
    report.append(row)
    by_alg[alg] = row
    print("%-6s %10.0f %10s %6s  %10.0f %10s %6s  %10s %6s" % (
        alg, built, fmt(sign, "%.0f"), fmt(row["build_ratio"], "%.2f"),
        verified, fmt(verify, "%.0f"), fmt(row["verify_ratio"], "%.2f"),
        fmt(tokens, "%.0f"), fmt(row["token_verify_ratio"], "%.2f")))
    if built <= 0 or verified <= 0 or not tokens:
        problems.append("%s: no proof built or verified, or no token verified" % alg)

# A request: one signature (the client's proof) and two verifications (the proof and the
# access token, on the server), all of the same algorithm. The openssl bound on c connections
# is min(c, cores) cores' worth of that work. CPU per request (getrusage): the client threads
# (proof, libcurl, TLS) against openssl's time for one signature, the rest of the process
# (the server: TLS, HTTP, both checks, journal) against its time for two verifications; a
# cost ratio is openssl's time / tollgate's.
cores = doc.get("cores") or os.cpu_count() or 1
print()
print("DPoP-bound requests through the resource server, HTTPS keep-alive on loopback "
      "(%d cores; us = CPU microseconds per request)" % cores)
print("%-6s %5s %10s %10s %6s  %9s %9s %6s  %9s %9s %6s" % (
    "alg", "conns", "requests/s", "ossl bound", "ratio", "client us", "ossl sign", "ratio",
    "server us", "ossl 2vfy", "ratio"))
requests = []
for m in doc.get("requests", []):
    if "error" in m:
        problems.append("%s requests, %s connection(s): %s" % (
            m.get("alg", "?"), m.get("connections", "?"), m["error"]))
        if "requests_per_second" not in m:
            continue
    alg, conns, rate = m["alg"], m["connections"], m["requests_per_second"]
    sign, verify = limits.get(alg, (None, None))
    sign_us = 1e6 / sign if sign else None
    verify_us = 2e6 / verify if verify else None
    ossl_us = sign_us + verify_us if sign_us and verify_us else None
    bound = min(conns, cores) * 1e6 / ossl_us if ossl_us else None
    p = by_alg.get(alg)
    crypto_us = (1e6 / p["built_per_second"] + 1e6 / p["verified_per_second"] +
                 1e6 / p["tokens_verified_per_second"]) if p and p["tokens_verified_per_second"] else None
    client_us = m.get("client_cpu_microseconds_per_request")
    server_us = m.get("server_cpu_microseconds_per_request")
    row = {"alg": alg, "token_alg": m.get("token_alg"), "connections": conns,
           "requests_per_second": rate, "accepted": m.get("accepted"),
           "refused_or_failed": m.get("refused_or_failed"),
           "new_connections_while_measuring": m.get("new_connections_while_measuring"),
           "openssl_bound_per_second": bound, "ratio": ratio(rate, bound),
           "cpu_microseconds_per_request": m.get("cpu_microseconds_per_request"),
           "client_cpu_microseconds_per_request": client_us,
           "server_cpu_microseconds_per_request": server_us,
           "openssl_sign_microseconds": sign_us,
           "openssl_two_verify_microseconds": verify_us,
           "client_cost_ratio": ratio(sign_us, client_us),
           "server_cost_ratio": ratio(verify_us, server_us),
           "tollgate_crypto_microseconds_per_request": crypto_us}
    requests.append(row)
    print("%-6s %5d %10.0f %10s %6s  %9s %9s %6s  %9s %9s %6s" % (
        alg, conns, rate, fmt(bound, "%.0f"), fmt(row["ratio"], "%.2f"),
        fmt(client_us, "%.0f"), fmt(sign_us, "%.0f"), fmt(row["client_cost_ratio"], "%.2f"),
        fmt(server_us, "%.0f"), fmt(verify_us, "%.0f"), fmt(row["server_cost_ratio"], "%.2f")))
    row["handler_cpu_microseconds_per_request"] = m.get("handler_cpu_microseconds_per_request")
    row["handler_per_cpu_second"] = m.get("handler_per_cpu_second")
    row["tollgate_proof_microseconds"] = 1e6 / p["built_per_second"] if p else None
    if rate <= 0 and "error" not in m:
        problems.append("%s: no request served on %d connection(s)" % (alg, conns))
# Where a request's CPU goes (the 1-connection measure): the client's proof (tollgate's
# build cost from the first table) and the rest (libcurl, TLS); the server's handler alone
# (ResourceServer::Handle without socket: both checks, parsing, policy) and the rest (TLS,
# HTTP, journal, wake-ups).
if requests:
    print()
    print("Where a request's CPU goes, 1 connection (microseconds per request)")
    print("%-6s %8s %8s %9s   %8s %8s %9s" % (
        "alg", "client", "proof", "ossl sign", "server", "handler", "ossl 2vfy"))
    for row in requests:
        if row["connections"] != 1:
            continue
        print("%-6s %8s %8s %9s   %8s %8s %9s" % (
            row["alg"], fmt(row["client_cpu_microseconds_per_request"], "%.0f"),
            fmt(row["tollgate_proof_microseconds"], "%.0f"),
            fmt(row["openssl_sign_microseconds"], "%.0f"),
            fmt(row["server_cpu_microseconds_per_request"], "%.0f"),
            fmt(row["handler_cpu_microseconds_per_request"], "%.0f"),
            fmt(row["openssl_two_verify_microseconds"], "%.0f")))
if not requests:
    problems.append("no request figure")
if quick and "ES256" not in limits:
    problems.append("no ecdsap256 figure in `openssl speed`'s output")
# Other processes' share of the cores while the benchmark ran: the machine's busy time less
# the benchmark's own CPU time, over cores x wall time.
others = None
if None not in busy and doc.get("total_wall_seconds"):
    machine = (busy[1] - busy[0]) / ticks
    others = max(0.0, (machine - doc.get("total_cpu_seconds", 0)) /
                 (cores * doc["total_wall_seconds"]))
    print("other processes used %.0f%% of the %d cores while the benchmark ran%s" % (
        100 * others, cores, ": the figures are lower bounds" if others > 0.05 else ""))
doc.update({"openssl_speed": {a: {"sign_per_second": s, "verify_per_second": v}
                              for a, (s, v) in limits.items()},
            "proof_rates": report, "request_rates": requests,
            "other_processes_share_of_cores": others})
json.dump(doc, open(sys.argv[1], "w"), indent=2)
json.dump({"rates": report, "requests": requests},
          open(sys.argv[1].replace(".json", "-ratios.json"), "w"), indent=2)
if quick:
    print("quick mode: %s; rates are not judged" % (
        "every proof built and verified, every request served" if not problems
        else "INVALID: " + "; ".join(problems)))
elif problems:
    print("INVALID: " + "; ".join(problems))
sys.exit(1 if problems else 0)
PY
