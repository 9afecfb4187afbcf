#!/usr/bin/env bash
# The main job, for now: build kiln, then take a small MLP written by hand in .kir with weights
# exported from PyTorch, inspect it, run it on the reference backend, and compare the result
# with PyTorch's output. (The CPU backend issue turns this into compile-a-model-and-run-it.)
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh

echo "== building kiln"
bazel build --noshow_progress --ui_event_filters=-info //tools/kiln 2>&1 | grep -v "^ *bazel-bin/\|up-to-date" || true
KILN=bazel-bin/tools/kiln/kiln
[ -x "$KILN" ] || { echo "demo: the build failed" >&2; exit 1; }

CASES=tests/golden/cases
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

echo
echo "== the graph (tests/golden/cases/mlp.kir)"
grep -v '^#' "$CASES/mlp.kir"

echo
echo "== kiln inspect mlp.kir --weights mlp.weights.safetensors"
"$KILN" inspect "$CASES/mlp.kir" --weights "$CASES/mlp.weights.safetensors"

echo
echo "== kiln run (reference backend) on a batch of 4 inputs"
"$KILN" run "$CASES/mlp.kir" --weights "$CASES/mlp.weights.safetensors" \
  --input "$CASES/mlp.input.safetensors" --output "$OUT/output.safetensors"

echo
echo "== kiln compare with PyTorch's output (torch.nn.Sequential, same weights)"
"$KILN" compare "$OUT/output.safetensors" "$CASES/mlp.safetensors" --prefix expected.
