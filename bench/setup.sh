#!/usr/bin/env bash
# How long a fresh set-up takes: a clean configure and build, in a temporary build folder,
# of what each README command builds (see bench/README.md, "Set-up time").
#   bench/setup.sh [--preset NAME] [--lock FILE] [--keep] [--out DIR] [-- CMAKE_ARGS...]
#   bench/setup.sh --quick [--out DIR]
# Phases: `configure`; `demo`, the targets scripts/demo.sh builds (tollgate); `rest`,
# everything else scripts/test.sh builds after that. Per phase: wall seconds, CPU seconds
# (user + system of every compiler and linker, which a loaded machine does not inflate),
# the sum of the build edges' durations from .ninja_log, and the number of steps.
# --quick: configure and build one small library; checks the figures are valid, never
# judges them (ctest: bench-smoke.setup). --lock FILE: hold FILE (flock) around each build
# phase, so a shared machine's builds do not overlap the measured ones.
# Exit: 0, 1 when the figures are invalid, 2 on a setup error or a failed build.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/bench/out/setup"
preset=default
lock=""
quick=0
keep=0
cmake_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1; shift ;;
    --out) out="$2"; shift 2 ;;
    --preset) preset="$2"; shift 2 ;;
    --lock) lock="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    --) shift; cmake_args=("$@"); break ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
done
for tool in cmake ninja python3; do
  command -v "$tool" >/dev/null || { echo "error: $tool is missing (scripts/deps.sh)" >&2; exit 2; }
done
mkdir -p "$out"
out="$(cd "$out" && pwd)"
dir="$(mktemp -d "${TMPDIR:-/tmp}/tollgate-setup.XXXXXX")"
if [ "$keep" = 0 ]; then trap 'rm -rf "$dir"' EXIT; fi
phases="$out/phases.jsonl"
: >"$phases"

# Runs one phase: NAME then the command. Appends its figures to phases.jsonl.
measure() {
  local name="$1"; shift
  local before=0 load_before load_after
  [ -f "$dir/.ninja_log" ] && before=$(wc -l <"$dir/.ninja_log")
  load_before=$(cut -d' ' -f1 /proc/loadavg)
  # The children's user + system time counts every compiler and linker the build waited
  # for. Measured inside the lock, so waiting for it is not counted.
  local cmd=(python3 -c "$timer" "$out/time.txt" "$@")
  if [ -n "$lock" ] && [ "$name" != configure ]; then cmd=(flock "$lock" "${cmd[@]}"); fi
  if ! "${cmd[@]}" >"$out/$name.log" 2>&1; then
    echo "error: phase $name failed; see $out/$name.log" >&2
    tail -n 20 "$out/$name.log" >&2
    exit 2
  fi
  load_after=$(cut -d' ' -f1 /proc/loadavg)
  python3 - "$name" "$dir/.ninja_log" "$before" "$out/time.txt" "$load_before" "$load_after" \
      >>"$phases" <<'PY'
import json, os, sys
name, log, before, timef, lb, la = sys.argv[1:]
wall, user, system = (float(x) for x in open(timef).read().split()[-3:])
edges, steps, slowest = 0.0, 0, []
if os.path.exists(log):
    lines = open(log).read().splitlines()[int(before):]
    for line in lines:
        if line.startswith("#"):
            continue
        start, end, _, path = line.split("\t")[:4]
        edges += (int(end) - int(start)) / 1000.0
        steps += 1
        slowest.append(((int(end) - int(start)) / 1000.0, path))
slowest = [{"s": s, "output": p} for s, p in sorted(slowest, reverse=True)[:10]]
print(json.dumps({"phase": name, "wall_s": round(wall, 1), "cpu_s": round(user + system, 1),
                  "edge_s": round(edges, 1), "steps": steps, "slowest": slowest,
                  "load_before": float(lb), "load_after": float(la)}))
PY
}

# Runs a command; writes "wall user system" seconds (the children's rusage) to argv[1].
timer='
import resource, subprocess, sys, time
start = time.monotonic()
code = subprocess.call(sys.argv[2:])
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], "w").write("%.2f %.2f %.2f\n" % (time.monotonic() - start, ru.ru_utime, ru.ru_stime))
sys.exit(code)'
jobs="$(nproc)"  # one job per core, as the build preset on the 2-core machines we target
configure=(cmake -S "$root" -B "$dir" --preset "$preset" "${cmake_args[@]}")
if [ "$quick" = 1 ]; then
  measure configure "${configure[@]}" -DTOLLGATE_BUILD_TESTS=OFF
  measure demo cmake --build "$dir" -j "$jobs" --target tollgate_base
else
  measure configure "${configure[@]}"
  measure demo cmake --build "$dir" -j "$jobs" --target tollgate
  measure rest cmake --build "$dir" -j "$jobs"
fi
[ "$keep" = 0 ] || echo "build folder kept: $dir"

python3 - "$phases" "$out/setup.json" "$preset" "$quick" "$dir" "${cmake_args[*]:-}" <<'PY'
import json, os, sys
phases_file, out_file, preset, quick, build_dir, extra = sys.argv[1:]
phases = [json.loads(l) for l in open(phases_file)]
doc = {"preset": preset, "cmake_args": extra, "quick": quick == "1", "cores": os.cpu_count(),
       "phases": phases}
json.dump(doc, open(out_file, "w"), indent=2)
print("%-10s %8s %8s %8s %6s %s" % ("phase", "wall s", "cpu s", "edge s", "steps", "load"))
for p in phases:
    print("%-10s %8.1f %8.1f %8.1f %6d %.1f -> %.1f" % (p["phase"], p["wall_s"], p["cpu_s"],
          p["edge_s"], p["steps"], p["load_before"], p["load_after"]))
build = [p for p in phases if p["phase"] != "configure"]
print("total      %8.1f %8.1f %8.1f %6d" % (sum(p["wall_s"] for p in phases),
      sum(p["cpu_s"] for p in phases), sum(p["edge_s"] for p in build),
      sum(p["steps"] for p in build)))
problems = []
names = [p["phase"] for p in phases]
want = ["configure", "demo"] + ([] if quick == "1" else ["rest"])
if names != want:
    problems.append("phases %s, expected %s" % (names, want))
for p in phases:
    if p["wall_s"] <= 0 or p["cpu_s"] <= 0:
        problems.append("%s: no time measured" % p["phase"])
for p in build:
    if p["steps"] <= 0 or p["edge_s"] <= 0:
        problems.append("%s: no build step in .ninja_log" % p["phase"])
if quick == "1" and not os.path.exists(os.path.join(build_dir, "libtollgate_base.a")):
    problems.append("libtollgate_base.a was not built")
print("results: %s%s" % (out_file, "" if not problems else "; INVALID: " + "; ".join(problems)))
sys.exit(1 if problems else 0)
PY
