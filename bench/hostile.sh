#!/usr/bin/env bash
# Hostile clients against the server core: starts `tollgate mocks up` on an environment
# with plain and TLS listeners and runs, one after the other, a slowloris (500 connections
# at each listener trickling header bytes while normal clients send requests), a
# chunk-extension flood, a trailer flood and 100 concurrent journal reads; reports the
# normal requests served and the mocks process's peak RSS per probe.
#
#   bench/hostile.sh [--env FILE] [--tollgate PATH] [--out DIR]
#   bench/hostile.sh --quick [--tollgate PATH] [--out DIR]
#
# Runs from anywhere; builds nothing (build/tollgate or --tollgate PATH). Results go to
# DIR/hostile.json (default bench/out/). See bench/README.md.
# --quick: every probe briefly (40 connections per listener for 3 s, 2 MiB floods, 10
# journal reads); it checks the results are valid (every probe ran, the floods were
# answered 4xx), never a timing or a rate (ctest: bench-smoke).
#
# Exit: 0 when valid and (full mode) at least 95% of the normal requests were served during
# the slowloris and the peak RSS stayed under 128 MB in every probe; 1 otherwise; 2 on a
# setup error.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="$here/out"
env_file="$root/mocks/gateway.yaml"
quick=0
tollgate="$root/build/tollgate"

usage() { sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1; shift ;;
    --tollgate) tollgate="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --env) env_file="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "hostile.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done

die() { echo "hostile.sh: $*" >&2; exit 2; }
command -v python3 >/dev/null || die "python3 is required"
[ -x "$tollgate" ] || die "no tollgate binary at $tollgate (build it, or pass --tollgate PATH)"
[ -f "$env_file" ] || die "no environment file $env_file"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
work="$(mktemp -d)"
mock_pid=""
cleanup() {
  if [ -n "$mock_pid" ]; then kill "$mock_pid" 2>/dev/null || true; wait "$mock_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Each probe opens hundreds of sockets at once.
ulimit -n 4096 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

echo "== starting tollgate mocks up $(basename "$env_file")"
(cd "$root" && exec "$tollgate" mocks up "$env_file") > "$work/mock.ready" 2> "$work/mock.log" &
mock_pid=$!
for _ in $(seq 300); do [ -s "$work/mock.ready" ] && break; sleep 0.1; done
[ -s "$work/mock.ready" ] || { cat "$work/mock.log" >&2; die "the mocks printed no ready line"; }

args=(--ready "$work/mock.ready" --pid "$mock_pid" --out "$out/hostile.json")
[ "$quick" = 1 ] && args+=(--quick)
python3 "$here/hostile.py" "${args[@]}" || die "the probes failed to run"
kill -0 "$mock_pid" 2>/dev/null || { cat "$work/mock.log" >&2; echo "hostile.sh: the mocks died" >&2; exit 1; }

python3 - "$out/hostile.json" "$quick" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
quick = sys.argv[2] == "1"
problems = []
probes = ("slowloris", "chunk_extension_flood", "trailer_flood", "journal_reads")
for p in probes:
    if p not in r:
        problems.append(f"probe {p} did not run")
s = r.get("slowloris", {})
if s.get("normal_requests", 0) == 0:
    problems.append("slowloris: the normal client sent no request")
for p, want in (("chunk_extension_flood", ("400",)), ("trailer_flood", ("431", "400"))):
    for a in r.get(p, {}).get("answers", []):
        code = a["status"].split(" ")[1] if a["status"].startswith("HTTP/") else a["status"]
        if code not in want:
            problems.append(f"{p}: {a['listener']} answered {a['status']!r}, not {'/'.join(want)}")
j = r.get("journal_reads", {})
if sum(j.get("statuses", {}).values()) != j.get("readers", -1):
    problems.append("journal_reads: not every reader got an answer")

print()
print(f"{'probe':24} {'peak RSS (MB)':>14}  result")
print(f"{'baseline':24} {r['baseline'].get('VmRSS', 0):>14}  RSS at start")
for p in probes:
    d = r.get(p, {})
    if p == "slowloris":
        what = (f"{d.get('normal_served')}/{d.get('normal_requests')} normal requests served "
                f"({100 * d.get('success_rate', 0):.1f}%) with {d.get('connections_per_listener')} "
                f"trickling connections at each of {d.get('listeners')} listeners for "
                f"{d.get('seconds')} s")
    elif p == "journal_reads":
        what = f"{d.get('readers')} concurrent reads: {d.get('statuses')}"
    else:
        codes = sorted({a['status'] for a in d.get("answers", [])})
        what = f"{d.get('connections')} x {d.get('bytes_per_connection', 0) >> 20} MiB: {codes}"
    print(f"{p:24} {str(d.get('peak_rss_mb')):>14}  {what}")

goals = []
if not quick:
    if s.get("success_rate", 0) < 0.95:
        goals.append(f"slowloris: {100 * s.get('success_rate', 0):.1f}% served, goal 95%")
    for p in probes:
        peak = r.get(p, {}).get("peak_rss_mb") or 0
        if peak >= 128:
            goals.append(f"{p}: peak RSS {peak} MB, goal under 128 MB")
for msg in problems:
    print("INVALID: " + msg)
for msg in goals:
    print("MISSED: " + msg)
if not problems and not goals:
    print("valid" if quick else "valid; goals met")
sys.exit(1 if problems or goals else 0)
EOF
