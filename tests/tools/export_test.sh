#!/usr/bin/env bash
# End-to-end tests of `kiln export`: export the built-in mlp and lenet5, inspect the exports,
# run lenet5 on the reference backend with the golden input, round-trip weights through
# --weights, and answer bad usage with exit 2 and bad input with exit 1 + a message.
set -uo pipefail

KILN=${KILN:-tools/kiln/kiln}
MODELS=tests/golden/models
TMP=${TEST_TMPDIR:-$(mktemp -d)}
source tests/tools/testlib.sh

# Help and usage.
expect 0 "export +Builds a built-in model" -- "$KILN" --help
expect 0 "usage: kiln export --model NAME -o DIR" -- "$KILN" export --help
expect 0 "Models: mlp, lenet5, resnet18, mobilenet_v2, lstm" -- "$KILN" export --help
expect 2 "missing required flag '--model'" -- "$KILN" export --output "$TMP/x"
expect 2 "missing required flag '--output'" -- "$KILN" export --model mlp
expect 2 "unexpected argument 'extra'" -- "$KILN" export --model mlp --output "$TMP/x" extra
expect 2 "unknown option .-q." -- "$KILN" export --model mlp -q
expect 2 "--batch needs an integer >= 1, got '0'" -- "$KILN" export --model mlp --output "$TMP/x" --batch 0
expect 2 "--batch needs an integer >= 1, got 'four'" -- "$KILN" export --model mlp --output "$TMP/x" --batch four
expect 2 "--seed needs an integer >= 0, got '-1'" -- "$KILN" export --model mlp --output "$TMP/x" --seed=-1

# mlp: symbolic batch; the export inspects with its weights attached and checked.
expect 0 "exported mlp \(input f32\[N,1,28,28\] -> output f32\[N,10\]\): 6 parameters, 669706 elements" -- \
  "$KILN" export --model mlp --output "$TMP/mlp"
[ -s "$TMP/mlp/mlp.kir" ] && [ -s "$TMP/mlp/mlp.safetensors" ] || fail "export mlp wrote $(ls "$TMP/mlp" 2>/dev/null)"
expect 0 "graph mlp: verified" -- "$KILN" inspect "$TMP/mlp/mlp.kir" --weights "$TMP/mlp/mlp.safetensors"
expect 0 "parameters: 6 tensors, 669706 elements" -- "$KILN" inspect "$TMP/mlp/mlp.kir" --weights "$TMP/mlp/mlp.safetensors"
expect 0 "linear +3" -- "$KILN" inspect "$TMP/mlp/mlp.kir"
expect 0 "param %1.weight : f32\[512,784\]" -- cat "$TMP/mlp/mlp.kir"

# lenet5: export, inspect, run on the golden input (batch 3 binds N), static batch.
expect 0 "exported lenet5 \(input f32\[N,1,28,28\] -> output f32\[N,10\]\): 10 parameters, 44426 elements" -- \
  "$KILN" export --model lenet5 -o "$TMP/lenet5"
expect 0 "input +f32\[N,1,28,28\]" -- "$KILN" inspect "$TMP/lenet5/lenet5.kir" --weights "$TMP/lenet5/lenet5.safetensors"
expect 0 "conv +2" -- "$KILN" inspect "$TMP/lenet5/lenet5.kir" --weights "$TMP/lenet5/lenet5.safetensors"
expect 0 "param %features.0.weight : f32\[6,1,5,5\]" -- cat "$TMP/lenet5/lenet5.kir"
expect 0 "output +f32\[3,10\]" -- "$KILN" run "$TMP/lenet5/lenet5.kir" --weights "$TMP/lenet5/lenet5.safetensors" \
  --input "$MODELS/lenet5.input.safetensors" --output "$TMP/lenet5_out.safetensors"
expect 0 "exported lenet5 \(input f32\[3,1,28,28\] -> output f32\[3,10\]\)" -- \
  "$KILN" export --model lenet5 --output "$TMP/lenet5_b3" --batch 3
expect 0 "output +f32\[3,10\]" -- "$KILN" run "$TMP/lenet5_b3/lenet5.kir" --weights "$TMP/lenet5_b3/lenet5.safetensors" \
  --input "$MODELS/lenet5.input.safetensors" --output "$TMP/lenet5_b3_out.safetensors"
# Same seed, same weights: the static-batch graph computes what the symbolic one does.
expect 0 "output: ok" -- "$KILN" compare "$TMP/lenet5_b3_out.safetensors" "$TMP/lenet5_out.safetensors"
# A static batch 2 does not take the batch-3 input.
expect 0 "exported lenet5 \(input f32\[2,1,28,28\]" -- "$KILN" export --model lenet5 -o"$TMP/lenet5_b2" --batch=2
expect 1 "input 'input': expected f32\[2,1,28,28\]" -- "$KILN" run "$TMP/lenet5_b2/lenet5.kir" \
  --weights "$TMP/lenet5_b2/lenet5.safetensors" --input "$MODELS/lenet5.input.safetensors" --output "$TMP/never.safetensors"

# --seed changes the initialization; --weights overrides it (lenet5 has no buffers, so its
# exported weights are exactly its state_dict and load back as one).
expect 0 "exported lenet5" -- "$KILN" export --model lenet5 --output "$TMP/seed7" --seed 7
expect 1 "mismatch" -- "$KILN" compare "$TMP/seed7/lenet5.safetensors" "$TMP/lenet5/lenet5.safetensors"
expect 0 "exported lenet5" -- "$KILN" export --model lenet5 --output "$TMP/reload" --seed 3 \
  --weights "$TMP/seed7/lenet5.safetensors"
expect 0 "classifier.4.bias: ok" -- "$KILN" compare "$TMP/reload/lenet5.safetensors" "$TMP/seed7/lenet5.safetensors" --rtol 0 --atol 0

# Bad input: exit 1 and a message that says what and where.
expect 1 "unknown model 'vgg16' \(known models: mlp, lenet5, resnet18, mobilenet_v2, lstm\)" -- \
  "$KILN" export --model vgg16 --output "$TMP/x"
expect 1 "missing.safetensors" -- "$KILN" export --model mlp --output "$TMP/x" --weights "$TMP/missing.safetensors"
head -c 20 "$TMP/mlp/mlp.safetensors" > "$TMP/truncated.safetensors"
expect 1 "truncated.safetensors" -- "$KILN" export --model mlp --output "$TMP/x" --weights "$TMP/truncated.safetensors"
expect 1 "Missing key\(s\) in state_dict: \"1.weight\"" -- \
  "$KILN" export --model mlp --output "$TMP/x" --weights "$TMP/lenet5/lenet5.safetensors"
expect 1 "Unexpected key\(s\) in state_dict: \"classifier.0.bias\"" -- \
  "$KILN" export --model mlp --output "$TMP/x" --weights "$TMP/lenet5/lenet5.safetensors"
[ ! -e "$TMP/x" ] || fail "a failed export created $TMP/x"
touch "$TMP/a_file"
expect 1 "cannot create directory" -- "$KILN" export --model mlp --output "$TMP/a_file/sub"

summary
