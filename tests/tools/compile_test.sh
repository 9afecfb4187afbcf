#!/usr/bin/env bash
# End-to-end tests of `kiln compile`, `kiln run DIR/libNAME.so` and `kiln bench`: a built-in
# model and a .kir file compile to a stand-alone libNAME.so whose output equals the reference
# backend's; external weights; and bad usage/input answered with exit 2/1 and a message.
set -uo pipefail

KILN=${KILN:-tools/kiln/kiln}
MODELS=tests/golden/models
TMP=${TEST_TMPDIR:-$(mktemp -d)}
source tests/tools/testlib.sh

expect 0 "usage: kiln compile" -- "$KILN" compile --help
expect 0 "usage: kiln bench" -- "$KILN" bench --help
expect 2 "give either --model NAME or FILE.kir" -- "$KILN" compile -o "$TMP/x"
cat > "$TMP/params.kir" <<'EOF'
graph p {
  input %x : f32[N,3]
  param %w : f32[2,3]
  %0 = linear(%x, %w) : f32[N,2]
  output y = %0
}
EOF
expect 2 "FILE.kir needs --weights W.safetensors \(the graph has 1 parameters, e.g. 'w'\)" -- \
  "$KILN" compile "$TMP/params.kir" -o "$TMP/x"
expect 1 "none.kir" -- "$KILN" compile "$TMP/none.kir" -o "$TMP/x"
# A graph without parameters needs no weights file.
cat > "$TMP/noparams.kir" <<'EOF'
graph np {
  input %x : f32[N,4]
  %0 = relu(%x) : f32[N,4]
  output y = %0
}
EOF
expect 0 "compiled np in" -- "$KILN" compile "$TMP/noparams.kir" -o "$TMP/np"
expect 2 "--emit=mlir" -- "$KILN" compile --model mlp -o "$TMP/x" --emit=mlir
expect 2 "--max-batch needs an integer >= 1" -- "$KILN" compile --model mlp -o "$TMP/x" --max-batch 0
expect 1 "unknown model|not available|known" -- "$KILN" compile --model alexnet -o "$TMP/x"

# A built-in model: compile, check the artifact stands alone, run it through its C ABI.
expect 0 "compiled lenet5 in [0-9.]+ s: .*liblenet5.so" -- "$KILN" compile --model lenet5 -o "$TMP/lenet5" --max-batch 8 --emit=kir,llvm
for f in liblenet5.so lenet5.h kiln/runtime.h lenet5.kir lenet5.ll; do
  [ -s "$TMP/lenet5/$f" ] || fail "compile did not write $f"
done
needed=$(readelf -d "$TMP/lenet5/liblenet5.so" | grep NEEDED | grep -Ev 'libc\.so|libm\.so|libpthread\.so|libdl\.so|ld-linux')
[ -z "$needed" ] || fail "liblenet5.so needs more than libc/libm/libpthread: $needed"
expect 0 "output +f32\[3,10\]" -- "$KILN" run "$TMP/lenet5/liblenet5.so" --input "$MODELS/lenet5.input.safetensors" \
  --output "$TMP/lenet5_compiled.safetensors" --threads 2

# The same model through the reference backend (export with the same seed): equal outputs.
expect 0 "exported lenet5" -- "$KILN" export --model lenet5 -o "$TMP/export"
expect 0 "wrote" -- "$KILN" run "$TMP/export/lenet5.kir" --weights "$TMP/export/lenet5.safetensors" \
  --input "$MODELS/lenet5.input.safetensors" --output "$TMP/lenet5_reference.safetensors"
expect 0 "output: ok" -- "$KILN" compare "$TMP/lenet5_compiled.safetensors" "$TMP/lenet5_reference.safetensors"

# A .kir file with external weights; the weights file is required and checked.
expect 0 "compiled lenet5 .*lenet5.weights" -- "$KILN" compile "$TMP/export/lenet5.kir" \
  --weights "$TMP/export/lenet5.safetensors" -o "$TMP/ext" --external-weights
expect 0 "wrote" -- "$KILN" run "$TMP/ext/liblenet5.so" --weights "$TMP/ext/lenet5.weights" \
  --input "$MODELS/lenet5.input.safetensors" --output "$TMP/lenet5_ext.safetensors"
expect 0 "output: ok" -- "$KILN" compare "$TMP/lenet5_ext.safetensors" "$TMP/lenet5_reference.safetensors"
expect 1 "weights" -- "$KILN" run "$TMP/ext/liblenet5.so" \
  --input "$MODELS/lenet5.input.safetensors" --output "$TMP/never.safetensors"
head -c 1000 "$TMP/ext/lenet5.weights" > "$TMP/ext/truncated.weights"
expect 1 "truncated.weights" -- "$KILN" run "$TMP/ext/liblenet5.so" --weights "$TMP/ext/truncated.weights" \
  --input "$MODELS/lenet5.input.safetensors" --output "$TMP/never.safetensors"

# Bad input to an artifact: names the input; a batch over --max-batch is refused.
expect 1 "is no input of" -- "$KILN" run "$TMP/lenet5/liblenet5.so" --input "$MODELS/lenet5.safetensors" \
  --output "$TMP/never.safetensors"
cp "$TMP/lenet5/lenet5.h" "$TMP/lenet5/libfake.so"
expect 1 "expected an artifact named libNAME.so" -- "$KILN" run "$TMP/lenet5/lenet5.h.so" --input "$MODELS/lenet5.input.safetensors" \
  --output "$TMP/never.safetensors"
expect 1 "cannot load" -- "$KILN" run "$TMP/lenet5/libfake.so" --input "$MODELS/lenet5.input.safetensors" \
  --output "$TMP/never.safetensors"
expect 0 "lenet5: batch 8, threads 2, 3 runs: median [0-9.]+ ms" -- "$KILN" bench "$TMP/lenet5/liblenet5.so" --threads 2 --batch 8 --iterations 3
expect 1 "batch" -- "$KILN" bench "$TMP/lenet5/liblenet5.so" --batch 9 --iterations 1

# Two symbolic dims (the lstm model's tokens [T,N]): each needs a bound; bench binds both.
expect 1 "symbolic dim T needs a bound" -- "$KILN" compile --model lstm -o "$TMP/lstm_nobound" --max-batch 4
expect 0 "compiled lstm" -- "$KILN" compile --model lstm -o "$TMP/lstm" --max-batch 4 --max-dim T=16
grep -q "LSTM_MAX_T 16" "$TMP/lstm/lstm.h" || fail "lstm.h lacks LSTM_MAX_T"
expect 0 "lstm: batch 2, threads 1, 2 runs" -- "$KILN" bench "$TMP/lstm/liblstm.so" --threads 1 --batch 2 --dim T=8 --iterations 2 --warmup 0
expect 1 "T .*must be in \[1, 16\]" -- "$KILN" bench "$TMP/lstm/liblstm.so" --dim T=17 --iterations 1 --warmup 0
expect 2 "no symbolic dim 'L'" -- "$KILN" bench "$TMP/lstm/liblstm.so" --dim L=2

summary
