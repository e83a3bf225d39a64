#!/usr/bin/env bash
# Runs the libFuzzer targets of fuzz/ (fuzz/README.md), each for a fixed time from a seed
# corpus made of the project's own files, and reports per target: runs, exec/s, coverage,
# corpus size, and any crash, leak or timeout with its reproducer.
#
#   bench/fuzz.sh [--quick] [--seconds N] [--out DIR] [--build DIR] [TARGET...]
#
# TARGET is a name without the fuzz_ prefix (suite, jwt, http_server, ...); default: all.
# --seconds N   time per target (default 300); --quick: 5 s per target (a smoke run)
# --out DIR     working corpora, seeds, logs and reproducers (default build-fuzz/fuzz-out);
#               the source tree is only read
# --build DIR   the clang build folder (default build-fuzz, configured here when missing);
#               a folder without a CMake cache is taken as prebuilt binaries in DIR/fuzz
# Exit: 0 when no target failed, 1 on any crash, leak or timeout, 2 on a setup error.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
all_targets=(suite environment target_file requirements waivers pki_config template jwks jwt
             bundle webhooks signing http_server)
seconds=300
build=""
out=""
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) seconds=5 ;;
    --seconds) seconds="${2:?--seconds needs a number}"; shift ;;
    --out) out="${2:?--out needs a folder}"; shift ;;
    --build) build="${2:?--build needs a folder}"; shift ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1") ;;
  esac
  shift
done
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
  if [[ ! " ${all_targets[*]} " =~ " $t " ]]; then
    echo "fuzz.sh: unknown target $t (expected one of: ${all_targets[*]})" >&2
    exit 2
  fi
done
build="$(realpath -m "${build:-$root/build-fuzz}")"
out="$(realpath -m "${out:-$build/fuzz-out}")"
case "$out/" in
  "$root"/build*/*) ;;
  "$root"/*) echo "fuzz.sh: --out $out is inside the source tree; use a build folder or /tmp" >&2
             exit 2 ;;
esac

# Build (the shared 2-core machine builds through one lock).
if ! command -v clang++ >/dev/null; then
  echo "fuzz.sh: clang++ not found (scripts/deps.sh --fuzz installs clang and libFuzzer)" >&2
  exit 2
fi
lock=(flock /tmp/tollgate-build.lock)
command -v flock >/dev/null || lock=()
if [ ! -f "$build/CMakeCache.txt" ] && [ ! -d "$build/fuzz" ]; then
  "${lock[@]}" cmake -S "$root" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTOLLGATE_FUZZ=ON -DTOLLGATE_BUILD_TESTS=OFF >/dev/null
fi
build_targets=(fuzz_seeds)
for t in "${targets[@]}"; do build_targets+=("fuzz_$t"); done
if [ -f "$build/CMakeCache.txt" ]; then
  start=$(date +%s)
  "${lock[@]}" cmake --build "$build" -j2 --target "${build_targets[@]}" \
    >"$build/fuzz-build.log" 2>&1 || {
    tail -40 "$build/fuzz-build.log" >&2
    echo "fuzz.sh: build failed (log: $build/fuzz-build.log)" >&2
    exit 2
  }
  echo "fuzz.sh: built ${#build_targets[@]} targets in $(( $(date +%s) - start )) s ($build)"
fi
# A --build folder without a CMake cache holds prebuilt binaries (a copy of build-fuzz/fuzz).
for b in "${build_targets[@]}"; do
  [ -x "$build/fuzz/$b" ] || { echo "fuzz.sh: missing $build/fuzz/$b" >&2; exit 2; }
done

# Seeds: generated ones (minted tokens, signed deliveries, PKI bundles, templates), made
# once per --out folder, then the project's own files.
mkdir -p "$out"
if [ ! -f "$out/seeds/.done" ]; then
  rm -rf "$out/seeds"
  "$build/fuzz/fuzz_seeds" "$root" "$out/seeds" || { echo "fuzz.sh: seed maker failed" >&2; exit 2; }
  touch "$out/seeds/.done"
fi

# Prints the seed files of one target, one path a line.
seeds_of() {
  local extra="$root/fuzz/corpus/yaml"
  case "$1" in
    suite) find "$root/suites" -name '*.yaml' ! -name requirements.yaml
           find "$root/tests/e2e" -name 'suite.yaml' -o -path '*diagnostics/suite-*/input.yaml'
           find "$extra" -type f ;;
    environment) find "$root/mocks" -name '*.yaml'
                 find "$root/tests/e2e" -name 'env.yaml' -o -path '*diagnostics/environment-*/input.yaml'
                 find "$extra" -type f ;;
    target_file) find "$root/examples/targets" -name '*.yaml'; find "$extra" -type f ;;
    requirements) find "$root/suites" -name requirements.yaml; find "$extra" -type f ;;
    waivers) find "$root/fuzz/corpus/waivers" "$extra" -type f ;;
    pki_config) echo "$root/certs/pki.yaml"; find "$extra" -type f ;;
    http_server) find "$root/fuzz/corpus/http_server" -type f ;;
    *) find "$out/seeds/$1" -type f ;;
  esac
}
dict_of() {
  case "$1" in
    jwks|jwt) echo jose ;;
    bundle) echo pem ;;
    http_server) echo http ;;
    webhooks|signing) echo webhooks ;;
    *) echo yaml ;;
  esac
}

failed=()
summary=()
for t in "${targets[@]}"; do
  corpus="$out/corpus/$t"
  artifacts="$out/artifacts/$t"
  log="$out/logs/$t.log"
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  # Earlier reproducers are kept aside, so this run reports only its own.
  if compgen -G "$artifacts/*-*" >/dev/null; then
    mkdir -p "$artifacts/earlier"
    mv "$artifacts"/*-* "$artifacts/earlier/" 2>/dev/null || true
  fi
  n=0
  while IFS= read -r f; do
    # One seed per content (a working corpus may hold it already under its hash name).
    cp -n "$f" "$corpus/seed-$(sha1sum <"$f" | cut -c1-16)"
    n=$((n + 1))
  done < <(seeds_of "$t")
  echo "fuzz.sh: $t: ${seconds} s from $n seeds ($(ls "$corpus" | wc -l) in the working corpus)"
  rc=0
  ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:allocator_may_return_null=1" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
    "$build/fuzz/fuzz_$t" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -detect_leaks=1 -print_final_stats=1 -dict="$root/fuzz/dict/$(dict_of "$t").dict" \
      -artifact_prefix="$artifacts/" >"$log" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 || true)
  size=$(ls "$corpus" | wc -l)
  line="$t: ${runs:-?} runs, ${eps:-?} exec/s, ${cov:-cov: ?}, corpus $size"
  repro=$(compgen -G "$artifacts/*-*" | grep -E '/(crash|leak|timeout|oom)-' | head -1 || true)
  if [ $rc -ne 0 ] || [ -n "$repro" ]; then
    kind=$(basename "${repro:-exit-$rc}" | cut -d- -f1)
    line="$line, FAILED ($kind, exit $rc)"
    failed+=("$t")
    echo "fuzz.sh: $t FAILED ($kind); log: $log" >&2
    grep -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|SUMMARY' "$log" \
      | head -5 >&2 || true
    if [ -n "$repro" ]; then
      echo "fuzz.sh: reproducer: $repro" >&2
      echo "fuzz.sh: reproduce: $build/fuzz/fuzz_$t $repro" >&2
    fi
  fi
  echo "fuzz.sh: $line"
  summary+=("$line")
done

echo
echo "fuzz summary (${seconds} s per target; logs and reproducers under $out):"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: failed: ${failed[*]}" >&2
  exit 1
fi
