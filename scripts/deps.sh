#!/usr/bin/env bash
# Installs the Debian packages tollgate needs, and only those missing. Debian 12, as root
# (or with sudo). Safe to run repeatedly. `--fuzz` adds clang and its libFuzzer runtime
# (fuzz/, bench/fuzz.sh), which only the fuzz runs need; `--format` adds clang-format
# (scripts/format.sh).
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config
  libboost1.81-dev libssl-dev libcurl4-openssl-dev libyaml-cpp-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libcli11-dev libfmt-dev libre2-dev libpugixml-dev
  libxml2-utils curl
  # Peer targets (ctest label `peers`, tests/peers/): Python peers on Debian's PyJWT and
  # cryptography, the driver's YAML, nginx as an mTLS terminator, and the openssl command
  # (peers.path_matrix checks the PKI's path-validation matrix with `openssl verify`).
  python3 python3-jwt python3-cryptography python3-yaml nginx-light openssl
)
if [ "${1:-}" = "--fuzz" ]; then
  packages+=(clang libclang-rt-14-dev)
fi
if [ "${1:-}" = "--format" ]; then
  packages+=(clang-format)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "tollgate: installing missing packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
