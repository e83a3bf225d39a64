#!/usr/bin/env bash
# tollgate vs newman vs Step CI: the same N request scenarios, the same checks, the same
# server (one `tollgate mocks up mocks/connectpay.yaml`), timed in one script and one run.
#
#   bench/run.sh [--count N] [--repeats N] [--no-build] [--no-canary]
#   bench/run.sh --quick [--tollgate PATH] [--out DIR]
#
# Runs from anywhere. Installs the pinned peers of bench/package.json into
# bench/node_modules if missing, builds tollgate if needed, generates the workloads into
# bench/out/, times every configuration --repeats times (rounds interleave the tools) and
# prints the medians; bench/out/results.json has every run. See bench/README.md.
# --quick: 8 scenarios, one round, no install and no build; peers that are not installed
# are skipped and named. It checks the results, never the timings (ctest: bench-smoke).
#
# Exit: 0 when every required configuration produced only valid runs (every tool
# reported all N scenarios passing, and the server saw exactly N requests per run) and
# tollgate --jobs 2 was at least 5x faster than newman (--quick: every run valid); 1
# otherwise; 2 on a setup error.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="$here/out"

count=500
repeats=3
build=1
canary=1
quick=0
tollgate_arg=""

usage() { sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --count) count="$2"; shift 2 ;;
    --repeats) repeats="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    --no-canary) canary=0; shift ;;
    --quick) quick=1; count=8; repeats=1; build=0; shift ;;
    --tollgate) tollgate_arg="$2"; build=0; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done
case "$count$repeats" in *[!0-9]*|"") echo "run.sh: --count and --repeats take numbers" >&2; exit 2 ;; esac

die() { echo "run.sh: $*" >&2; exit 2; }
say() { echo "== $*"; }

command -v python3 >/dev/null || die "python3 is required"
if [ "$quick" = 0 ]; then
  for tool in node npm; do
    command -v "$tool" >/dev/null || die "$tool is required (node >= 16 with npm, python3)"
  done
fi

# --------------------------------------------------------------------------- peers
pinned() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["dependencies"][sys.argv[2]])' "$here/package.json" "$1"; }
installed() {
  local f="$here/node_modules/$1/package.json"
  [ -f "$f" ] && python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$f" || true
}
newman_version="$(pinned newman)"
stepci_version="$(pinned stepci)"
newman="$here/node_modules/.bin/newman"
stepci="$here/node_modules/.bin/stepci"
# The quick mode installs nothing (ctest runs it, offline): a peer that is not installed at
# its pinned version is skipped, and named with the reason.
skipped_peers=()
if [ "$quick" = 1 ]; then
  for peer in newman stepci; do
    pin="$(pinned "$peer")"
    if ! command -v node >/dev/null; then
      skipped_peers+=("$peer: not installed (no node on PATH)")
    elif [ "$(installed "$peer")" != "$pin" ] || [ ! -x "$here/node_modules/.bin/$peer" ]; then
      skipped_peers+=("$peer: not installed (no $peer@$pin in bench/node_modules; cd bench && npm install)")
    fi
  done
elif [ "$(installed newman)" != "$newman_version" ] || [ "$(installed stepci)" != "$stepci_version" ] \
   || [ ! -x "$newman" ] || [ ! -x "$stepci" ]; then
  say "installing newman@$newman_version and stepci@$stepci_version into bench/node_modules"
  (cd "$here" && npm install --no-audit --no-fund --loglevel=error) || die "npm install failed"
fi
peer_skipped() {
  local s
  for s in "${skipped_peers[@]}"; do [ "${s%%:*}" = "$1" ] && return 0; done
  return 1
}
for s in "${skipped_peers[@]}"; do say "skipped $s"; done

# --------------------------------------------------------------------------- tollgate
tollgate="${tollgate_arg:-$root/build/tollgate}"
if [ -n "$tollgate_arg" ] || [ "$quick" = 1 ]; then
  [ -x "$tollgate" ] || die "no tollgate binary at $tollgate (build it, or pass --tollgate PATH)"
elif [ ! -x "$tollgate" ]; then
  say "building tollgate (scripts/build.sh)"
  "$root/scripts/build.sh" || die "the build failed"
elif [ "$build" = 1 ]; then
  say "bringing build/tollgate up to date"
  cmake --build "$root/build" -j2 --target tollgate >/dev/null \
    || die "cmake --build failed; fix the build, or pass --no-build to measure the existing binary"
fi
[ -x "$tollgate" ] || die "no $tollgate after the build"

# --------------------------------------------------------------------------- workloads
rm -rf "$out"
mkdir -p "$out/reports" "$out/logs"
# Every run uses one copy of the binary, so a rebuild during the benchmark changes nothing.
cp "$tollgate" "$out/tollgate"
tollgate="$out/tollgate"
load_before="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || true)"
# The partner's certificate, for the requests to the two-way (mTLS) host: the leaf with its
# intermediate, and its key (certs/generated/, made by the first tollgate run or mocks up).
client_cert="$root/certs/generated/identities/partner/valid/chain.pem"
client_key="$root/certs/generated/identities/partner/valid/key.pem"
python3 "$here/gen.py" "$out" --count "$count" --client-cert "$client_cert" --client-key "$client_key"

# --------------------------------------------------------------------------- mocks
mock_pids=()
mock_ca=""
mock_one_way_url=""
cleanup() {
  local pid
  for pid in "${mock_pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${mock_pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  mock_pids=()
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start_mock NAME [--fault SERVICE:FAULT ...]: starts a server, sets mock_url (its two-way
# host), mock_one_way_url and mock_ca (the root its HTTPS certificates chain to), from the
# ready line (not called in a subshell, so that mock_pids keeps its pid for the trap).
start_mock() {
  local name="$1"; shift
  local log="$out/logs/mock-$name.log"
  (cd "$root" && exec "$tollgate" mocks up mocks/connectpay.yaml "$@") >"$log" 2>&1 &
  mock_pids+=("$!")
  local i ready=""
  for i in $(seq 1 100); do
    ready="$(python3 - "$log" <<'EOF' 2>/dev/null || true
import json, sys
line = open(sys.argv[1]).readline()
doc = json.loads(line)
if doc.get("ready"):
    svc = doc["services"]["connectpay"]
    print(svc["url"] + " " + svc.get("one_way_url", svc["url"]) + " " + svc.get("ca_file", ""))
EOF
)"
    [ -n "$ready" ] && break
    kill -0 "${mock_pids[-1]}" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$ready" ] || { cat "$log" >&2; die "tollgate mocks up ($name) did not print a ready line"; }
  read -r mock_url mock_one_way_url mock_ca <<<"$ready"
  [ -f "$client_cert" ] && [ -f "$client_key" ] \
    || die "no partner certificate at $client_cert (tollgate mocks up generates certs/generated/)"
  case "$mock_url" in
    https:*) [ -f "$mock_ca" ] || die "tollgate mocks up ($name) serves $mock_url but names no readable ca_file" ;;
    *) mock_ca="" ;;
  esac
  # Every tool trusts the root the server printed, as a partner's client would: tollgate
  # through the target file's ca:, newman with --ssl-extra-ca-certs, Step CI (node) with
  # NODE_EXTRA_CA_CERTS, the journal check with Python's ssl context.
  python3 - "$out/target.yaml" "$mock_ca" <<'EOF'
import json, sys
path, ca = sys.argv[1], sys.argv[2]
lines = [l for l in open(path, encoding="utf-8").read().splitlines() if not l.startswith("ca:")]
if ca:
    lines.append("ca: " + json.dumps(ca))
open(path, "w", encoding="utf-8").write("\n".join(lines) + "\n")
EOF
}

# Requests the server has taken so far, on both hosts (its journal's sequence number). The
# journal is on the two-way host, so this presents the partner's certificate too.
served() {
  python3 - "$1" "$mock_ca" "$client_cert" "$client_key" <<'EOF'
import json, ssl, sys, urllib.request
ctx = None
if sys.argv[2]:
    ctx = ssl.create_default_context(cafile=sys.argv[2])
    ctx.load_cert_chain(sys.argv[3], sys.argv[4])
with urllib.request.urlopen(sys.argv[1] + "/__tollgate/journal", timeout=10, context=ctx) as r:
    print(json.load(r)["total"])
EOF
}

# --------------------------------------------------------------------------- configurations
# name|tool|label|required
configs=(
  "tollgate-j2|tollgate|tollgate --jobs 2|1"
  "tollgate-j1|tollgate|tollgate --jobs 1|1"
)
peer_skipped newman || configs+=("newman|newman|newman (sequential)|1")
# The quick mode leaves out Step CI's all-at-once default: its point is the server's
# connection cap, which 8 scenarios never reach.
if ! peer_skipped stepci; then
  [ "$quick" = 1 ] || configs+=("stepci-default|stepci|Step CI default (all $count tests at once)|0")
  configs+=("stepci-c2|stepci|Step CI --concurrency 2|1")
fi
cfg_field() { local IFS='|'; local f=($1); echo "${f[$2]}"; }

# run_once CONFIG URL TAG: runs one configuration against URL (the two-way host; the
# one-way host is mock_one_way_url) and sets
#   rc, wall (seconds), report (path of the report to verify), requests (server delta).
run_once() {
  local name="$1" url="$2" tag="$3" before after t0 t1
  local stdout="$out/logs/$tag.out" stderr="$out/logs/$tag.err"
  local cmd
  case "$name" in
    tollgate-j*)
      report="$out/reports/$tag.json"
      cmd=(env BENCH_URL="$url" BENCH_ONE_WAY_URL="$mock_one_way_url" "$tollgate" run "$out/suite.yaml" --env "$out/env.yaml"
           --target "$url" --target-file "$out/target.yaml" --jobs "${name#tollgate-j}"
           --quiet --junit "$out/reports/$tag.xml" --json "$report") ;;
    newman)
      report="$out/reports/$tag.json"
      cmd=("$newman" run "$out/collection.json" --env-var "base_url=$url"
           --env-var "one_way_url=$mock_one_way_url"
           --ssl-client-cert "$client_cert" --ssl-client-key "$client_key"
           --reporters json --reporter-json-export "$report")
      [ -z "$mock_ca" ] || cmd+=(--ssl-extra-ca-certs "$mock_ca") ;;
    stepci-*)
      # Step CI's only result output is its console: that is the report.
      report="$stdout"
      cmd=(env STEPCI_DISABLE_ANALYTICS=1 NO_COLOR=1 FORCE_COLOR=0 XDG_CONFIG_HOME="$out/stepci-config"
           NODE_EXTRA_CA_CERTS="$mock_ca" "$stepci" run "$out/workflow.yml" -e "base_url=$url"
           -e "one_way_url=$mock_one_way_url")
      [ "$name" = stepci-c2 ] && cmd+=(--concurrency 2) ;;
    *) die "unknown configuration $name" ;;
  esac
  before="$(served "$url")"
  t0=$EPOCHREALTIME
  set +e
  (cd "$root" && exec "${cmd[@]}") >"$stdout" 2>"$stderr" </dev/null
  rc=$?
  set -e
  t1=$EPOCHREALTIME
  after="$(served "$url")"
  requests=$((after - before))
  wall="$(python3 -c 'import sys; print("%.6f" % (float(sys.argv[2]) - float(sys.argv[1])))' "$t0" "$t1")"
}

# verdict TOOL RC REQUESTS FAIL_KINDS: prints the results.py verification, amended with
# the exit code and request-count checks, as one JSON object.
verdict() {
  local tool="$1" rc="$2" requests="$3" fail_kinds="$4"
  python3 "$here/results.py" verify "$tool" "$report" "$out/scenarios.json" --fail-kinds "$fail_kinds" \
    | python3 -c '
import json, sys
v = json.load(sys.stdin)
rc, requests, count, expect_fail = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] != ""
problems = [v["reason"]] if v["reason"] else []
if (rc != 0) != expect_fail:
    problems.append("exit code %d" % rc)
if requests != count:
    problems.append("the server saw %d requests, expected %d" % (requests, count))
v["ok"] = v["ok"] and not problems
v["reason"] = "; ".join(problems)
v["exit_code"] = rc
v["requests"] = requests
print(json.dumps(v))
' "$rc" "$requests" "$count" "$fail_kinds"
}

# --------------------------------------------------------------------------- canary
# Proof that each tool really checks: against a reference target with two faults on
# (any secret accepted; Basic accepted on the Bearer path), the `wrong` and `bearer`
# scenarios must fail, and only those. Untimed; it also warms caches for the timed runs.
canary_json="[]"
if [ "$canary" = 1 ]; then
  say "canary: each tool against a faulty target must fail exactly the wrong-secret and bearer-path scenarios"
  start_mock faulty --fault connectpay:accept_any_secret --fault connectpay:basic_on_bearer_path
  faulty_url="$mock_url"
  canary_records=()
  for name in tollgate-j2 newman stepci-c2; do
    peer_skipped "${name%-c2}" && continue
    tool="$(case $name in tollgate*) echo tollgate;; stepci*) echo stepci;; *) echo newman;; esac)"
    run_once "$name" "$faulty_url" "canary-$name"
    v="$(verdict "$tool" "$rc" "$requests" "wrong,bearer")"
    ok="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["ok"])' "$v")"
    printf '   %-14s %s\n' "$name" "$(python3 -c 'import json,sys; v=json.loads(sys.argv[1]); print(("caught the faults: %d failed, %d passed, exit %d" % (v["failed"], v["passed"], v["exit_code"])) if v["ok"] else "INVALID: " + v["reason"])' "$v")"
    canary_records+=("$(python3 -c 'import json,sys; v=json.loads(sys.argv[2]); v["config"]=sys.argv[1]; print(json.dumps(v))' "$name" "$v")")
    [ "$ok" = True ] || die "canary: $name did not report the faults as expected (see $out/logs/canary-$name.*)"
  done
  canary_json="[$(IFS=,; echo "${canary_records[*]}")]"
  kill -TERM "${mock_pids[-1]}" 2>/dev/null || true
  wait "${mock_pids[-1]}" 2>/dev/null || true
  unset 'mock_pids[-1]'
fi

# --------------------------------------------------------------------------- timed runs
start_mock reference
url="$mock_url"
say "reference target: $url (tollgate mocks up mocks/connectpay.yaml)"
runs="$out/runs.jsonl"
: >"$runs"
skip_stepci_default=0
for round in $(seq 1 "$repeats"); do
  say "round $round/$repeats"
  for cfg in "${configs[@]}"; do
    name="$(cfg_field "$cfg" 0)"; tool="$(cfg_field "$cfg" 1)"
    # Step CI's default puts every test in flight at once; if that is not a valid run
    # (the reference server caps open connections), one attempt is enough to show it.
    if [ "$name" = stepci-default ] && [ "$skip_stepci_default" = 1 ]; then continue; fi
    run_once "$name" "$url" "$name-$round"
    v="$(verdict "$tool" "$rc" "$requests" "")"
    python3 -c '
import json, sys
v = json.loads(sys.argv[1])
rec = {"config": sys.argv[2], "round": int(sys.argv[3]), "wall_seconds": float(sys.argv[4]),
       "valid": v["ok"], "reason": v["reason"], "exit_code": v["exit_code"],
       "passed": v["passed"], "failed": v["failed"], "requests": v["requests"],
       "internal_seconds": v["internal_seconds"]}
open(sys.argv[5], "a").write(json.dumps(rec) + "\n")
print("   %-15s %8.3f s  %s" % (sys.argv[2], rec["wall_seconds"],
      "%d/%d passed" % (rec["passed"], rec["passed"] + rec["failed"]) if rec["valid"] else "INVALID: " + rec["reason"]))
' "$v" "$name" "$round" "$wall" "$runs"
    if [ "$name" = stepci-default ] && ! python3 -c 'import json,sys; sys.exit(0 if json.loads(sys.argv[1])["ok"] else 1)' "$v"; then
      skip_stepci_default=1
    fi
  done
done

# --------------------------------------------------------------------------- summary
configs_json="$(for cfg in "${configs[@]}"; do
  python3 -c 'import json,sys; print(json.dumps({"name": sys.argv[1], "tool": sys.argv[2], "label": sys.argv[3], "required": sys.argv[4] == "1"}))' \
    "$(cfg_field "$cfg" 0)" "$(cfg_field "$cfg" 1)" "$(cfg_field "$cfg" 2)" "$(cfg_field "$cfg" 3)"
done | python3 -c 'import json,sys; print(json.dumps([json.loads(l) for l in sys.stdin]))')"

LOAD_BEFORE="$load_before" LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || true)" \
TG_COMMIT="$(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)" \
TG_VERSION="$("$tollgate" --version 2>/dev/null | head -1)" \
NODE_VERSION="$(node --version 2>/dev/null || echo none)" \
NEWMAN_VERSION="$(peer_skipped newman && echo skipped || "$newman" --version)" \
STEPCI_VERSION="$(peer_skipped stepci && echo skipped || STEPCI_DISABLE_ANALYTICS=1 XDG_CONFIG_HOME="$out/stepci-config" "$stepci" --version)" \
SKIPPED="$(printf '%s\n' "${skipped_peers[@]}")" QUICK="$quick" \
CONFIGS="$configs_json" CANARY="$canary_json" COUNT="$count" REPEATS="$repeats" \
python3 - "$out/meta.json" <<'EOF'
import datetime, json, os, platform, sys
cpu = ""
try:
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
except OSError:
    pass
meta = {
    "schema": "tollgate.bench/1",
    "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    "machine": {"cores": os.cpu_count(), "cpu": cpu, "os": platform.platform(),
                "load_average_before": os.environ["LOAD_BEFORE"],
                "load_average_after": os.environ["LOAD_AFTER"]},
    "versions": {"tollgate": os.environ["TG_VERSION"], "tollgate_commit": os.environ["TG_COMMIT"],
                 "node": os.environ["NODE_VERSION"],
                 "newman": os.environ["NEWMAN_VERSION"], "stepci": os.environ["STEPCI_VERSION"]},
    "server": "tollgate mocks up mocks/connectpay.yaml (one instance shared by every timed run)",
    "scenarios": int(os.environ["COUNT"]),
    "mix": {"valid": "200 and JSON status == ok", "wrong": "401 and WWW-Authenticate ~ ^Basic realm=",
            "none": "401", "bearer": "401 (Basic on /v1/accounts)"},
    "repeats": int(os.environ["REPEATS"]),
    "timing": "wall clock around each tool's process, start to exit, including its start-up and report writing",
    "baseline": "tollgate-j2",
    "configs": json.loads(os.environ["CONFIGS"]),
    "canary": json.loads(os.environ["CANARY"]),
    # --quick: results are checked, timings are not judged; skipped: peers not installed.
    "quick": os.environ["QUICK"] == "1",
    "skipped": [l for l in os.environ["SKIPPED"].splitlines() if l],
}
json.dump(meta, open(sys.argv[1], "w"), indent=2)
EOF

echo
say "results: $count scenarios on $(nproc) cores ($(date -u +%Y-%m-%d); load average at start: $load_before)"
set +e
python3 "$here/results.py" summary "$runs" "$out/meta.json" "$out/results.json"
status=$?
set -e
echo "wrote $out/results.json"
exit "$status"
