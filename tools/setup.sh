#!/usr/bin/env bash
# Installs every Debian package that kiln's build, tests and demo need. Idempotent: when
# everything is already installed it only checks and returns (well under a second).
set -euo pipefail

PACKAGES=(
  bazel-bootstrap bazel-rules-java
  clang-19 libclang-rt-19-dev lld-19 llvm-19-dev llvm-19-tools libmlir-19-dev mlir-19-tools
  catch2 zlib1g-dev libzstd-dev
)

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
