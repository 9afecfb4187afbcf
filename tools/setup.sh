#!/usr/bin/env bash
# Installs every Debian package that kiln's build and tests need. Idempotent: when everything
# is already installed it only checks and returns (well under a second).
#   tools/setup.sh              the build and the test suite (no Python, no torch)
#   tools/setup.sh --with-torch also PyTorch + torchvision (Debian's python3-torch 1.13 and
#                               python3-torchvision 0.14), for tools/demo.sh and for
#                               regenerating golden data (tests/golden/*.py); also gcc and
#                               binutils, as the demo builds a C program with plain `cc` and
#                               runs readelf
set -euo pipefail

WITH_TORCH=0
for arg in "$@"; do
  case "$arg" in
    --with-torch) WITH_TORCH=1 ;;
    *) echo "usage: tools/setup.sh [--with-torch]" >&2; exit 2 ;;
  esac
done

PACKAGES=(
  bazel-bootstrap bazel-rules-java
  clang-19 libclang-rt-19-dev lld-19 llvm-19-dev llvm-19-tools libmlir-19-dev mlir-19-tools
  catch2 zlib1g-dev libzstd-dev
)
if [ "$WITH_TORCH" -eq 1 ]; then
  PACKAGES+=(python3-torch python3-torchvision python3-numpy gcc binutils)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
