#!/usr/bin/env bash
# Issuer throughput benchmark: tokens per second from tollgate's issuer mock (RS256 and ES256)
# against oauth2-mock-server from the npm registry doing the same client_credentials grant, and
# against `openssl speed` signing on the same cores (the limit). See "Issuer throughput" in
# bench/README.md.
#
#   bench/issuer.sh                      # 5 s per run, 2 and 8 connections
#   bench/issuer.sh --duration 10 --connections "2 4 8"
#   bench/issuer.sh --quick [--tollgate PATH] [--out DIR]
#
# Needs node (>= 20.19, for oauth2-mock-server) with npm, python3, wrk (Debian package `wrk`),
# openssl and build/tollgate (built by scripts/build.sh). Writes bench/out/issuer.json.
# --quick: 1 s runs, 2 connections, installs nothing; a peer that is not installed
# (oauth2-mock-server, wrk) is skipped and named, and without wrk a small Python keep-alive
# client makes the load. It checks the tokens, never the rates (ctest: bench-smoke).
# Exit code: 0 when both goals were met (--quick: every run valid), 1 when a goal was missed
# (--quick: an invalid run), 2 on a setup error.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="$here/out"
duration=5
connections="2 8"
openssl_seconds=3
quick=0
tollgate="$root/build/tollgate"

while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --openssl-seconds) openssl_seconds="$2"; shift 2 ;;
    --quick) quick=1; duration=1; connections="2"; openssl_seconds=1; shift ;;
    --tollgate) tollgate="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

die() { echo "issuer.sh: $*" >&2; exit 2; }
say() { echo "== $*"; }

for tool in python3 openssl; do
  command -v "$tool" >/dev/null || die "$tool is required"
done
[ "$quick" = 1 ] || command -v node >/dev/null || die "node is required"
[ "$quick" = 1 ] || command -v npm >/dev/null || die "npm is required"
# The quick mode installs nothing (ctest runs it, offline): what is missing is skipped.
skipped=()
use_wrk=1
if [ "$quick" = 1 ] && ! command -v wrk >/dev/null; then
  skipped+=("wrk: not installed (Debian package wrk); the load comes from a Python keep-alive client")
  use_wrk=0
elif ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing wrk (Debian package)"
    apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; } \
      || die "apt-get install wrk failed"
  else
    die "wrk is required (Debian: apt-get install wrk)"
  fi
fi

[ -x "$tollgate" ] || die "$tollgate is missing; run scripts/build.sh first (or pass --tollgate PATH)"

# --------------------------------------------------------------------------- peer
pinned="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["dependencies"]["oauth2-mock-server"])' "$here/package.json")"
installed="$(python3 -c 'import json,sys
try: print(json.load(open(sys.argv[1]))["version"])
except Exception: print("")' "$here/node_modules/oauth2-mock-server/package.json")"
use_peer=1
if [ "$quick" = 1 ] && ! command -v node >/dev/null; then
  skipped+=("oauth2-mock-server: not installed (no node on PATH)")
  use_peer=0
elif [ "$quick" = 1 ] && [ "$installed" != "$pinned" ]; then
  skipped+=("oauth2-mock-server: not installed (no oauth2-mock-server@$pinned in bench/node_modules; cd bench && npm install)")
  use_peer=0
elif [ "$installed" != "$pinned" ]; then
  say "installing the pinned peers (oauth2-mock-server@$pinned) into bench/node_modules"
  (cd "$here" && npm install --no-audit --no-fund --loglevel=error) || die "npm install failed"
fi

mkdir -p "$out"
for s in "${skipped[@]}"; do say "skipped $s"; done

# --------------------------------------------------------------------------- servers
pids=()
cleanup() {
  for p in "${pids[@]:-}"; do
    [ -n "$p" ] && kill -TERM "$p" 2>/dev/null || true
  done
  for p in "${pids[@]:-}"; do
    [ -n "$p" ] && wait "$p" 2>/dev/null || true
  done
  pids=()
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# wait_ready FILE PID: waits up to 20 s for the first line of FILE; prints it.
wait_ready() {
  local f="$1" pid="$2" i
  for i in $(seq 200); do
    if [ -s "$f" ] && head -n1 "$f" | grep -q '"ready":true'; then head -n1 "$f"; return 0; fi
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

start_tollgate() {  # ALG -> sets url
  local alg="$1" env="$out/issuer-$1.yaml"
  cat > "$env" <<YAML
environment: bench-issuer
services:
  idp:
    kind: issuer
    keys: [{kid: k1, alg: $alg}]
    audiences: [bench]
    clients:
      bench-client: {secret: bench-secret, scopes: [read], audience: bench, grants: [client_credentials]}
YAML
  "$tollgate" mocks up "$env" > "$out/issuer-tollgate-$alg.ready" 2> "$out/issuer-tollgate-$alg.log" &
  pids+=($!)
  local line
  line="$(wait_ready "$out/issuer-tollgate-$alg.ready" $!)" || die "tollgate mocks up $env did not get ready (see $out/issuer-tollgate-$alg.log)"
  url="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["services"]["idp"]["url"])' "$line")"
}

start_peer() {  # ALG -> sets url, peer_version
  local alg="$1"
  (cd "$here" && exec node oauth2_mock_server.mjs "$alg" 0) > "$out/issuer-peer-$alg.ready" 2> "$out/issuer-peer-$alg.log" &
  pids+=($!)
  local line
  line="$(wait_ready "$out/issuer-peer-$alg.ready" $!)" || die "oauth2-mock-server ($alg) did not get ready (see $out/issuer-peer-$alg.log)"
  url="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["url"])' "$line")"
  peer_version="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["version"])' "$line")"
}

# check_token URL ALG: one request by curl-free python, checks the JWT header's alg.
check_token() {
  python3 - "$1" "$2" <<'PY' || die "the token endpoint $1 did not issue a $2 token"
import base64, json, sys, urllib.request
url, alg = sys.argv[1], sys.argv[2]
req = urllib.request.Request(url + "/token", data=b"grant_type=client_credentials&scope=read",
    headers={"Content-Type": "application/x-www-form-urlencoded",
             "Authorization": "Basic " + base64.b64encode(b"bench-client:bench-secret").decode()})
body = json.load(urllib.request.urlopen(req, timeout=10))
head = body["access_token"].split(".")[0]
got = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))["alg"]
sys.exit(0 if got == alg else 1)
PY
}

results="$out/issuer-runs.jsonl"
: > "$results"

# py_load URL CONNECTIONS SECONDS: the quick mode's load without wrk: one keep-alive
# connection per thread, the same request and the same count of valid answers as
# issuer_load.lua, and a RESULT line of the same shape.
py_load() {
  python3 - "$1" "$2" "$3" <<'PY'
import base64, http.client, json, threading, time, urllib.parse, sys
url, conns, secs = urllib.parse.urlsplit(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
body = b"grant_type=client_credentials&scope=read"
headers = {"Content-Type": "application/x-www-form-urlencoded",
           "Authorization": "Basic " + base64.b64encode(b"bench-client:bench-secret").decode()}
counts = {"ok": 0, "bad": 0, "errors": 0}
lock = threading.Lock()
def worker(deadline):
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    while time.monotonic() < deadline:
        try:
            conn.request("POST", "/token", body, headers)
            r = conn.getresponse()
            data = r.read()
            good = r.status == 200 and bool(json.loads(data).get("access_token"))
            with lock:
                counts["ok" if good else "bad"] += 1
        except Exception:
            with lock:
                counts["errors"] += 1
            conn.close()
            conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
start = time.monotonic()
threads = [threading.Thread(target=worker, args=(start + secs,)) for _ in range(conns)]
for t in threads: t.start()
for t in threads: t.join()
took = time.monotonic() - start
print("RESULT " + json.dumps({"ok": counts["ok"], "bad": counts["bad"],
      "requests": counts["ok"] + counts["bad"], "seconds": round(took, 3),
      "tokens_per_s": round(counts["ok"] / took, 1), "p50_ms": None, "p99_ms": None,
      "socket_errors": counts["errors"], "load_generator": "python"}))
PY
}

# load SERVER ALG URL: one warm-up second, then one wrk run per connection count.
load() {
  local server="$1" alg="$2" url="$3" c t line
  check_token "$url" "$alg"
  [ "$use_wrk" = 0 ] || wrk -t1 -c2 -d1s -s "$here/issuer_load.lua" "$url/token" >/dev/null 2>&1 || true
  for c in $connections; do
    t=$(( c < 2 ? c : 2 ))
    if [ "$use_wrk" = 1 ]; then
      line="$(wrk -t"$t" -c"$c" -d"${duration}s" -s "$here/issuer_load.lua" "$url/token" | sed -n 's/^RESULT //p')"
    else
      line="$(py_load "$url" "$c" "$duration" | sed -n 's/^RESULT //p')"
    fi
    [ -n "$line" ] || die "wrk produced no result for $server $alg c=$c"
    echo "   $server $alg connections=$c: $line"
    python3 -c 'import json,sys; d=json.loads(sys.argv[4]); d.update(server=sys.argv[1], alg=sys.argv[2], connections=int(sys.argv[3])); print(json.dumps(d))' \
      "$server" "$alg" "$c" "$line" >> "$results"
  done
}

for alg in RS256 ES256; do
  say "tollgate issuer, $alg"
  start_tollgate "$alg"; load tollgate "$alg" "$url"; cleanup
done
peer_version=""
for alg in RS256 ES256; do
  [ "$use_peer" = 1 ] || break
  say "oauth2-mock-server, $alg"
  start_peer "$alg"; load oauth2-mock-server "$alg" "$url"; cleanup
done

# --------------------------------------------------------------------------- openssl speed
say "openssl speed -seconds $openssl_seconds -multi 2 rsa2048 / ecdsap256"
openssl speed -seconds "$openssl_seconds" -multi 2 rsa2048 > "$out/issuer-openssl-rsa.txt" 2>/dev/null || die "openssl speed rsa2048 failed"
openssl speed -seconds "$openssl_seconds" -multi 2 ecdsap256 > "$out/issuer-openssl-ec.txt" 2>/dev/null || die "openssl speed ecdsap256 failed"

# --------------------------------------------------------------------------- report
python3 - "$results" "$out/issuer-openssl-rsa.txt" "$out/issuer-openssl-ec.txt" "$out/issuer.json" \
  "$peer_version" "$duration" "$connections" "$(openssl version | head -n1)" "$(nproc)" \
  "$quick" "$(printf '%s\n' "${skipped[@]}")" <<'PY'
import json, re, sys
runs_f, rsa_f, ec_f, out_f, peer_version, duration, conns, ossl, cores, quick, skipped = sys.argv[1:]
quick = quick == "1"
skipped = [l for l in skipped.splitlines() if l]
runs = [json.loads(l) for l in open(runs_f) if l.strip()]

def signs(path, pattern):
    for line in open(path):
        if re.search(pattern, line):
            # the last two columns are sign/s and verify/s
            return float(line.split()[-2])
    raise SystemExit(f"cannot find {pattern!r} in {path}")

rsa_sign = signs(rsa_f, r"^\s*rsa\s+2048 bits")
ec_sign = signs(ec_f, r"ecdsa \(nistp256\)")

def best(server, alg):
    rs = [r for r in runs if r["server"] == server and r["alg"] == alg]
    return max(rs, key=lambda r: r["tokens_per_s"]) if rs else {"tokens_per_s": 0, "connections": None}

summary = {}
for alg in ("RS256", "ES256"):
    t, p = best("tollgate", alg), best("oauth2-mock-server", alg)
    limit = rsa_sign if alg == "RS256" else ec_sign
    summary[alg] = {
        "tollgate_tokens_per_s": t["tokens_per_s"], "tollgate_connections": t["connections"],
        "oauth2_mock_server_tokens_per_s": p["tokens_per_s"], "oauth2_mock_server_connections": p["connections"],
        "ratio_vs_oauth2_mock_server": t["tokens_per_s"] / p["tokens_per_s"] if p["tokens_per_s"] else None,
        "openssl_sign_per_s_2_cores": limit,
        "tollgate_pct_of_openssl": 100.0 * t["tokens_per_s"] / limit,
    }
bad = [r for r in runs if r["bad"] or r["socket_errors"] or not r["ok"]]
goal_3x = all((summary[a]["ratio_vs_oauth2_mock_server"] or 0) >= 3 for a in summary)
goal_60 = summary["RS256"]["tollgate_pct_of_openssl"] >= 60
doc = {
    "oauth2_mock_server_version": peer_version, "openssl": ossl, "cores": int(cores),
    "duration_s": float(duration), "connections": [int(c) for c in conns.split()],
    "load_generator": "wrk, keep-alive, counts 200 responses with an access_token",
    "runs": runs, "summary": summary,
    "goals": {"at_least_3x_oauth2_mock_server": goal_3x, "rs256_at_least_60pct_of_openssl": goal_60},
    "runs_with_errors": len(bad),
    "quick": quick, "skipped": skipped,
}
json.dump(doc, open(out_f, "w"), indent=2)

print()
print(f"{'connections':<28}" + "".join(f"{c:>10}" for c in conns.split()))
for server in ("tollgate", "oauth2-mock-server"):
    for alg in ("RS256", "ES256"):
        row = {r["connections"]: r["tokens_per_s"] for r in runs if r["server"] == server and r["alg"] == alg}
        print(f"{server + ' ' + alg:<28}" + "".join(f"{row.get(int(c), 0):>10.0f}" for c in conns.split()))
print()
print(f"{'best tokens/s':<28}{'RS256':>12}{'ES256':>12}")
print(f"{'tollgate':<28}{summary['RS256']['tollgate_tokens_per_s']:>12.0f}{summary['ES256']['tollgate_tokens_per_s']:>12.0f}")
print(f"{'oauth2-mock-server ' + peer_version:<28}{summary['RS256']['oauth2_mock_server_tokens_per_s']:>12.0f}{summary['ES256']['oauth2_mock_server_tokens_per_s']:>12.0f}")
ratio = lambda a: "%11.1fx" % summary[a]["ratio_vs_oauth2_mock_server"] if summary[a]["ratio_vs_oauth2_mock_server"] else "%12s" % "-"
print(f"{'tollgate / oauth2-mock-server':<28}{ratio('RS256')}{ratio('ES256')}")
print(f"{'openssl sign/s (2 procs)':<28}{rsa_sign:>12.0f}{ec_sign:>12.0f}")
print(f"{'tollgate % of openssl':<28}{summary['RS256']['tollgate_pct_of_openssl']:>11.1f}%{summary['ES256']['tollgate_pct_of_openssl']:>11.1f}%")
print()
for s in skipped:
    print(f"skipped {s}")
if quick:
    # The quick mode proves the pipeline (every run got only valid tokens), not the rates.
    print(f"quick mode: {'every run valid' if not bad else f'{len(bad)} INVALID run(s): non-200/invalid answers, socket errors or no token'}; rates are not judged")
    print(f"wrote {out_f}")
    sys.exit(1 if bad else 0)
print(f"goal >= 3x oauth2-mock-server (both algs): {'met' if goal_3x else 'MISSED'}")
print(f"goal RS256 >= 60% of openssl rsa2048 sign/s: {'met' if goal_60 else 'MISSED'}")
if bad:
    print(f"warning: {len(bad)} run(s) had non-200/invalid answers or socket errors")
print(f"wrote {out_f}")
sys.exit(0 if goal_3x and goal_60 else 1)
PY
