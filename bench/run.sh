#!/usr/bin/env bash
# tollgate vs newman vs Step CI: the same N request scenarios, the same checks, the same
# server (one `tollgate mocks up mocks/connectpay.yaml`), timed in one script and one run.
#
#   bench/run.sh [--count N] [--repeats N] [--no-build] [--no-canary]
#
# Runs from anywhere. Installs the pinned peers of bench/package.json into
# bench/node_modules if missing, builds tollgate if needed, generates the workloads into
# bench/out/, times every configuration --repeats times (rounds interleave the tools) and
# prints the medians; bench/out/results.json has every run. See bench/README.md.
#
# Exit: 0 when every required configuration produced only valid runs (every tool
# reported all N scenarios passing, and the server saw exactly N requests per run) and
# tollgate --jobs 2 was at least 5x faster than newman; 1 otherwise; 2 on a setup error.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="$here/out"

count=500
repeats=3
build=1
canary=1

usage() { sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --count) count="$2"; shift 2 ;;
    --repeats) repeats="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    --no-canary) canary=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done
case "$count$repeats" in *[!0-9]*|"") echo "run.sh: --count and --repeats take numbers" >&2; exit 2 ;; esac

die() { echo "run.sh: $*" >&2; exit 2; }
say() { echo "== $*"; }

for tool in node npm python3; do
  command -v "$tool" >/dev/null || die "$tool is required (node >= 16 with npm, python3)"
done

# --------------------------------------------------------------------------- peers
pinned() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["dependencies"][sys.argv[2]])' "$here/package.json" "$1"; }
installed() {
  local f="$here/node_modules/$1/package.json"
  [ -f "$f" ] && python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$f" || true
}
newman_version="$(pinned newman)"
stepci_version="$(pinned stepci)"
if [ "$(installed newman)" != "$newman_version" ] || [ "$(installed stepci)" != "$stepci_version" ] \
   || [ ! -x "$here/node_modules/.bin/newman" ] || [ ! -x "$here/node_modules/.bin/stepci" ]; then
  say "installing newman@$newman_version and stepci@$stepci_version into bench/node_modules"
  (cd "$here" && npm install --no-audit --no-fund --loglevel=error) || die "npm install failed"
fi
newman="$here/node_modules/.bin/newman"
stepci="$here/node_modules/.bin/stepci"

# --------------------------------------------------------------------------- tollgate
tollgate="$root/build/tollgate"
if [ ! -x "$tollgate" ]; then
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
python3 "$here/gen.py" "$out" --count "$count"

# --------------------------------------------------------------------------- mocks
mock_pids=()
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

# start_mock NAME [--fault SERVICE:FAULT ...]: starts a server, sets mock_url (not called
# in a subshell, so that mock_pids keeps its pid for the trap).
start_mock() {
  local name="$1"; shift
  local log="$out/logs/mock-$name.log"
  (cd "$root" && exec "$tollgate" mocks up mocks/connectpay.yaml "$@") >"$log" 2>&1 &
  mock_pids+=("$!")
  local i url=""
  for i in $(seq 1 100); do
    url="$(python3 - "$log" <<'EOF' 2>/dev/null || true
import json, sys
line = open(sys.argv[1]).readline()
doc = json.loads(line)
if doc.get("ready"):
    print(doc["services"]["connectpay"]["url"])
EOF
)"
    [ -n "$url" ] && break
    kill -0 "${mock_pids[-1]}" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$url" ] || { cat "$log" >&2; die "tollgate mocks up ($name) did not print a ready line"; }
  mock_url="$url"
}

# Requests the server has taken so far (its journal's sequence number).
served() {
  python3 - "$1" <<'EOF'
import json, sys, urllib.request
with urllib.request.urlopen(sys.argv[1] + "/__tollgate/journal", timeout=10) as r:
    print(json.load(r)["total"])
EOF
}

# --------------------------------------------------------------------------- configurations
# name|tool|label|required
configs=(
  "tollgate-j2|tollgate|tollgate --jobs 2|1"
  "tollgate-j1|tollgate|tollgate --jobs 1|1"
  "newman|newman|newman (sequential)|1"
  "stepci-default|stepci|Step CI default (all $count tests at once)|0"
  "stepci-c2|stepci|Step CI --concurrency 2|1"
)
cfg_field() { local IFS='|'; local f=($1); echo "${f[$2]}"; }

# run_once CONFIG URL TAG: runs one configuration against URL and sets
#   rc, wall (seconds), report (path of the report to verify), requests (server delta).
run_once() {
  local name="$1" url="$2" tag="$3" before after t0 t1
  local stdout="$out/logs/$tag.out" stderr="$out/logs/$tag.err"
  local cmd
  case "$name" in
    tollgate-j*)
      report="$out/reports/$tag.json"
      cmd=(env BENCH_URL="$url" "$tollgate" run "$out/suite.yaml" --env "$out/env.yaml"
           --target "$url" --target-file "$out/target.yaml" --jobs "${name#tollgate-j}"
           --quiet --junit "$out/reports/$tag.xml" --json "$report") ;;
    newman)
      report="$out/reports/$tag.json"
      cmd=("$newman" run "$out/collection.json" --env-var "base_url=$url"
           --reporters json --reporter-json-export "$report") ;;
    stepci-*)
      # Step CI's only result output is its console: that is the report.
      report="$stdout"
      cmd=(env STEPCI_DISABLE_ANALYTICS=1 NO_COLOR=1 FORCE_COLOR=0 XDG_CONFIG_HOME="$out/stepci-config"
           "$stepci" run "$out/workflow.yml" -e "base_url=$url")
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
    tool="$(case $name in tollgate*) echo tollgate;; stepci*) echo stepci;; *) echo newman;; esac)"
    run_once "$name" "$faulty_url" "canary-$name"
    v="$(verdict "$tool" "$rc" "$requests" "wrong,bearer")"
    ok="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["ok"])' "$v")"
    printf '   %-14s %s\n' "$name" "$(python3 -c 'import json,sys; v=json.loads(sys.argv[1]); print(("caught the faults: %d failed, %d passed, exit %d" % (v["failed"], v["passed"], v["exit_code"])) if v["ok"] else "INVALID: " + v["reason"])' "$v")"
    canary_records+=("$(python3 -c 'import json,sys; v=json.loads(sys.argv[2]); v["config"]=sys.argv[1]; print(json.dumps(v))' "$name" "$v")")
    [ "$ok" = True ] || die "canary: $name did not report the faults as expected (see bench/out/logs/canary-$name.*)"
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
NODE_VERSION="$(node --version)" \
NEWMAN_VERSION="$("$newman" --version)" \
STEPCI_VERSION="$(STEPCI_DISABLE_ANALYTICS=1 XDG_CONFIG_HOME="$out/stepci-config" "$stepci" --version)" \
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
}
json.dump(meta, open(sys.argv[1], "w"), indent=2)
EOF

echo
say "results: $count scenarios on $(nproc) cores ($(date -u +%Y-%m-%d); load average at start: $load_before)"
set +e
python3 "$here/results.py" summary "$runs" "$out/meta.json" "$out/results.json"
status=$?
set -e
echo "wrote bench/out/results.json"
exit "$status"
