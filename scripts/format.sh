#!/usr/bin/env bash
# Formats the C++ sources with clang-format (.clang-format: Google style, 100 columns).
#   scripts/format.sh           rewrite every tracked .cc/.h file in place
#   scripts/format.sh --check   change nothing; list the files that differ and exit 1 (CI)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh --format
mapfile -t files < <(git ls-files '*.cc' '*.h')
if [ "${1:-}" = "--check" ]; then
  bad=()
  for f in "${files[@]}"; do
    if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then bad+=("$f"); fi
  done
  if [ ${#bad[@]} -gt 0 ]; then
    echo "format: ${#bad[@]} file(s) differ from clang-format (run scripts/format.sh):" >&2
    printf '  %s\n' "${bad[@]}" >&2
    exit 1
  fi
  echo "format: ${#files[@]} files match clang-format"
else
  clang-format -i "${files[@]}"
fi
