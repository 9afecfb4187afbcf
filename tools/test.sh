#!/usr/bin/env bash
# Builds everything and runs the whole test suite: `bazel test //...`, then the parser tests
# once more under AddressSanitizer + UBSan. Installs what is missing first (tools/setup.sh).
# Extra arguments go to the first `bazel test` (e.g. tools/test.sh --test_output=all).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
bazel test //... "$@" 2>&1 | tee "$log" || status=$?

# Parsers of untrusted files run once more under ASan/UBSan (a crash there is a bug).
bazel test --config=asan //tests/ir:kir_test //tests/ir:safetensors_test 2>&1 | tee -a "$log" || status=$?

passed=$(grep -cE '^//[^ ]+ +(\(cached\) )?PASSED' "$log" || true)
failed=$(grep -cE '^//[^ ]+ +(FAILED|TIMEOUT|NO STATUS|FAILED TO BUILD)' "$log" || true)
echo
echo "tests: ${passed} passed, ${failed} failed"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
