#!/usr/bin/env bash
# The Debian package as a partner gets it: cpack builds it from the build folder, dpkg -x
# unpacks it into a temporary root (no installation, no root), and the unpacked binary runs
# `demo` and `run gateway` from an empty folder. It must find its profiles under
# ROOT/usr/share/tollgate, generate its PKI into the user's cache (here a temporary
# XDG_CACHE_HOME), write its reports into the current folder, and write nothing into share/.
#   tests/package/check.sh BUILD_DIR WORK_DIR
# Exit 0 when all holds; WORK_DIR is removed on success and kept for inspection on failure.
set -euo pipefail
build="$(cd "$1" && pwd -P)"
work="$2"
rm -rf "$work"
mkdir -p "$work/cpack" "$work/root" "$work/empty" "$work/cache"
work="$(cd "$work" && pwd -P)"  # physical: the binary reports its data folder resolved
fail() { echo "FAIL: $*" >&2; echo "(kept: $work)" >&2; exit 1; }

cpack --config "$build/CPackConfig.cmake" -G DEB -B "$work/cpack" >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log" >&2; fail "cpack -G DEB failed"; }
debs=("$work"/cpack/*.deb)
[ -f "${debs[0]}" ] || fail "cpack made no .deb"
deb="${debs[0]}"
echo "package: $(basename "$deb")"
dpkg-deb -f "$deb" Package Version Depends
depends="$(dpkg-deb -f "$deb" Depends)"
for lib in libssl3 libcurl4 libyaml-cpp0.7 libfmt9 libre2-9 libpugixml1v5; do
  [[ $depends == *"$lib"* ]] || fail "Depends lacks $lib: $depends"
done
dpkg -x "$deb" "$work/root"
share="$work/root/usr/share/tollgate"
for f in usr/bin/tollgate usr/share/tollgate/certs/pki.yaml usr/share/tollgate/mocks/gateway.yaml \
         usr/share/tollgate/suites/gateway/requirements.yaml usr/share/doc/tollgate/cli.md; do
  [ -e "$work/root/$f" ] || fail "the package lacks $f"
done
[ ! -e "$share/certs/generated" ] || fail "the package ships certs/generated"

cd "$work/empty"
unset TOLLGATE_HOME
export XDG_CACHE_HOME="$work/cache"
rc=0
"$work/root/usr/bin/tollgate" demo --quiet --jobs 2 >"$work/demo.txt" 2>&1 || rc=$?
[ "$rc" = 0 ] || { cat "$work/demo.txt" >&2; fail "tollgate demo exited $rc"; }
cat "$work/demo.txt"
grep -qF "($share)" "$work/demo.txt" || fail "demo did not run the profiles of $share"
for f in junit.xml results.json report.html; do
  [ -s "reports/$f" ] || fail "demo wrote no reports/$f into the current folder"
done
"$work/root/usr/bin/tollgate" run gateway --quiet --jobs 2 --json gateway.json \
    >"$work/run.txt" 2>&1 || rc=$?
[ "$rc" = 0 ] || { cat "$work/run.txt" >&2; fail "tollgate run gateway exited $rc"; }
cat "$work/run.txt"
python3 - gateway.json <<'PY' || fail "gateway.json is not a passing run of the gateway profile"
import json, sys
doc = json.load(open(sys.argv[1]))
s = doc["summary"]
assert doc["environment"] == "gateway", doc["environment"]
assert s["verdict"] == "pass" and s["passed"] > 0 and s["failures"] == 0 and s["errors"] == 0, s
PY
[ -n "$(ls -A "$XDG_CACHE_HOME/tollgate/pki" 2>/dev/null)" ] ||
  fail "no PKI was generated into \$XDG_CACHE_HOME/tollgate/pki"
[ ! -e "$share/certs/generated" ] || fail "the installed copy wrote certs/generated into share/"
rm -rf "$work"
echo "package check: ok"
