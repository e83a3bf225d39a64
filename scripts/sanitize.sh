#!/usr/bin/env bash
# Tests under AddressSanitizer and UndefinedBehaviorSanitizer (preset `sanitize`, GCC,
# folder build-sanitize/): heap and stack overflows, use after free, leaks, and undefined
# behaviour (signed overflow, bad shifts, misaligned or null access, invalid enum values)
# in our code and in how it drives OpenSSL, Beast and libcurl. Any finding fails the run.
#
#   scripts/sanitize.sh [MODULE...]
#
# MODULE is a unit-test executable without its prefix and suffix (runner, mocks, crypto,
# ...). Default: the unit tests of the modules below, then the conformance and fault tests
# of every profile (ctest labels `conformance`, `faults`) with an instrumented tollgate;
# this is what CI runs (.ci/run). With modules named, only their unit tests.
# Exit 0 when everything builds and every test passes with no finding, non-zero otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

# runner, mocks and crypto come first: that is where memory is handled by hand (OpenSSL
# handles, buffers, sockets, threads). Two modules are left out to keep the step near 8
# minutes on CI's 2 cores, as each would add a minute of build for little new coverage:
# scenario (its loaders are fuzzed under the same sanitizers, bench/fuzz.sh, and load
# every profile in the conformance tests below) and cli (its commands run in those tests
# too, through the instrumented tollgate). `scripts/sanitize.sh scenario cli` runs them.
modules=(runner mocks crypto http base report pki)
end_to_end=1
if [ $# -gt 0 ]; then
  modules=("$@")
  end_to_end=0
fi
tests=()
for m in "${modules[@]}"; do tests+=("tollgate_${m}_test"); done
targets=("${tests[@]}")
if [ $end_to_end -eq 1 ]; then targets+=(tollgate); fi

scripts/deps.sh

# abort_on_error: a finding kills the test with SIGABRT, so no test or ctest counts it a
# pass. detect_leaks: LeakSanitizer at the exit of every process. UBSan stops at the first
# finding (the preset compiles with -fno-sanitize-recover=undefined) and prints where it
# was reached from. The test preset sets the same for ctest; exported here, they also hold
# for the test listing run at build time and for every tollgate a test starts.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

# The shared 2-core machine builds through one lock (as bench/fuzz.sh does).
lock=(flock /tmp/tollgate-build.lock)
command -v flock >/dev/null || lock=()
# Bash's `time` counts the CPU of every process a step waits for (the compilers, the tests).
TIMEFORMAT="sanitize: %R s wall, %U s user, %S s system"

echo "sanitize: building ${targets[*]} (preset sanitize)"
"${lock[@]}" cmake --preset sanitize >/dev/null
time "${lock[@]}" cmake --build --preset sanitize --target "${targets[@]}"

# The unit-test executables run directly, two at a time on the two cores, each into its own
# log (printed when it fails): one process per executable, so LeakSanitizer checks it once
# at exit, and none of the per-test start-up that ctest would add. They run from the folder
# ctest runs them from.
logs="build-sanitize/sanitize-logs"
mkdir -p "$logs"
run_one() {
  local t="$1" start=$SECONDS
  if (cd build-sanitize/tests && "./$t" --gtest_brief=1) >"$logs/$t.log" 2>&1; then
    echo "sanitize: $t passed ($((SECONDS - start)) s)"
  else
    echo "sanitize: $t FAILED ($((SECONDS - start)) s), log $logs/$t.log:"
    cat "$logs/$t.log"
    return 1
  fi
}
export -f run_one
export logs
echo "sanitize: running the unit tests under ASan and UBSan"
status=0
time printf '%s\n' "${tests[@]}" | xargs -P 2 -I {} bash -c 'run_one {}' || status=1

# Every profile against its reference target and its fault matrix: the whole tollgate
# (TLS servers and clients, the mocks' threads, the reports) instrumented, ~30 s.
if [ $end_to_end -eq 1 ]; then
  echo "sanitize: conformance and fault tests under ASan and UBSan"
  time ctest --preset sanitize -L '^(conformance|faults)$' --no-tests=error || status=1
fi

if [ $status -ne 0 ]; then
  echo "sanitize: FAILED (a test failed or a sanitizer reported a finding; see above)"
  exit 1
fi
echo "sanitize: clean"
