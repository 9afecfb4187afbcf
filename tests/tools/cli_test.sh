#!/usr/bin/env bash
# End-to-end tests of the kiln CLI: help and usage errors, inspect, run on the reference
# backend compared with PyTorch's golden output, and bad input answered with exit 1 + message.
set -uo pipefail

KILN=${KILN:-tools/kiln/kiln}
CASES=tests/golden/cases
TMP=${TEST_TMPDIR:-$(mktemp -d)}
source tests/tools/testlib.sh

# Help and usage.
expect 0 "inspect" -- "$KILN" --help
expect 2 "usage: kiln COMMAND" -- "$KILN"
expect 2 "unknown command 'frobnicate'" -- "$KILN" frobnicate
expect 0 "usage: kiln inspect FILE.kir" -- "$KILN" inspect --help
expect 0 "usage: kiln run \(FILE.kir" -- "$KILN" run --help
expect 0 "usage: kiln compare" -- "$KILN" compare --help
expect 0 "usage: kiln inspect" -- "$KILN" help inspect
expect 2 "unknown flag '--bogus'" -- "$KILN" inspect "$CASES/mlp.kir" --bogus
expect 2 "missing argument" -- "$KILN" inspect
expect 2 "FILE.kir needs --weights" -- "$KILN" run "$CASES/mlp.kir" --input x --output y
expect 2 "needs a value" -- "$KILN" inspect "$CASES/mlp.kir" --weights

# inspect: summary, weights check, Graphviz.
expect 0 "graph mlp: verified" -- "$KILN" inspect "$CASES/mlp.kir"
expect 0 "parameters: 4 tensors, 25450 elements" -- "$KILN" inspect "$CASES/mlp.kir" --weights "$CASES/mlp.weights.safetensors"
expect 0 "linear +2" -- "$KILN" inspect "$CASES/mlp.kir"
expect 0 "^digraph" -- "$KILN" inspect "$CASES/mlp.kir" --dot
expect 0 "wrote" -- "$KILN" inspect "$CASES/mlp.kir" --dot="$TMP/mlp.dot"
[ -s "$TMP/mlp.dot" ] || fail "--dot=FILE wrote nothing"

# run on the reference backend; the output matches PyTorch's within tolerance.
expect 0 "output +f32\[4,10\]" -- "$KILN" run "$CASES/mlp.kir" --weights "$CASES/mlp.weights.safetensors" \
  --input "$CASES/mlp.input.safetensors" --output "$TMP/out.safetensors"
expect 0 "output: ok" -- "$KILN" compare "$TMP/out.safetensors" "$CASES/mlp.safetensors" --prefix expected.
# ...and compare does notice a difference.
expect 1 "output: mismatch: no tensor 'output'" -- "$KILN" compare "$TMP/out.safetensors" "$CASES/mlp.safetensors"
expect 2 "needs a number >= 0" -- "$KILN" compare "$TMP/out.safetensors" "$CASES/mlp.safetensors" --atol -1

# opt: runs passes and prints the graph; dumps; every unknown pass named at once.
expect 0 "usage: kiln opt" -- "$KILN" opt --help
# With weights, param-fold turns parameter-only computations into new parameters.
expect 0 "graph mlp" -- "$KILN" opt "$CASES/mlp.kir" --weights "$CASES/mlp.weights.safetensors" --verify-each
expect 0 "linear\(%0, %1.weight, %1.bias\) : f32\[8,32\]" -- "$KILN" opt "$CASES/mlp.kir" --passes='shape-inference{N=8}' --verify-each
expect 0 "IR after cse" -- "$KILN" opt "$CASES/mlp.kir" --print-ir-after=cse
expect 0 "^graph mlp" -- "$KILN" opt "$CASES/mlp.kir" --dump-dir="$TMP/dumps"
[ -f "$TMP/dumps/00-input.kir" ] && [ "$(ls "$TMP/dumps" | wc -l)" -ge 5 ] || fail "--dump-dir wrote $(ls "$TMP/dumps" 2>/dev/null | wc -l) files"
expect 1 "2 unknown passes: 'frob', 'zap'" -- "$KILN" opt "$CASES/mlp.kir" --passes=frob,cse,zap
expect 0 "" -- "$KILN" opt "$CASES/mlp.kir" --output="$TMP/opt.kir"
expect 0 "graph mlp: verified" -- "$KILN" inspect "$TMP/opt.kir"

# Bad input: exit 1 and a message that says what and where.
printf 'graph g {\n  input %%x : f32[2]\n  %%0 = frob(%%x) : f32[2]\n  output o = %%0\n}\n' > "$TMP/bad_op.kir"
expect 1 "bad_op.kir:3:[0-9]+: .*frob" -- "$KILN" inspect "$TMP/bad_op.kir"
printf 'graph g {\n  input %%x : f32[2]\n  %%0 = relu(%%x) : f32[3]\n  output o = %%0\n}\n' > "$TMP/bad_type.kir"
expect 1 "node %0 = relu: result type f32\[3\] differs from inferred f32\[2\]" -- "$KILN" inspect "$TMP/bad_type.kir"
expect 1 "No such file|cannot open|cannot read" -- "$KILN" inspect "$TMP/missing.kir"
head -c 20 "$CASES/mlp.weights.safetensors" > "$TMP/truncated.safetensors"
expect 1 "truncated.safetensors" -- "$KILN" inspect "$CASES/mlp.kir" --weights "$TMP/truncated.safetensors"
expect 1 "4 missing" -- "$KILN" inspect "$CASES/mlp.kir" --weights "$CASES/mlp.input.safetensors"
expect 1 "input" -- "$KILN" run "$CASES/mlp.kir" --weights "$CASES/mlp.weights.safetensors" \
  --input "$CASES/mlp.weights.safetensors" --output "$TMP/never.safetensors"

summary
