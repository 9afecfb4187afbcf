#!/usr/bin/env bash
# The main job: a torch.nn model becomes native code that a plain C program links.
#  1. build kiln;
#  2. export torchvision's resnet18 (its seeded random init: no download) as a safetensors
#     state_dict, plus an input image [1,3,224,224] as raw f32;
#  3. kiln compile it to libresnet18.so + resnet18.h, which need nothing but libc;
#  4. build examples/embed_c/main.c with plain `cc`, outside Bazel, and run it: top-5, latency;
#  5. put its logits next to PyTorch's (committed golden data) and check the tolerance;
#  6. kiln bench.
# Everything it writes stays in out/demo (git-ignored). Set KILN_DEMO_OUT to use another folder.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh --with-torch

KILN=bazel-bin/tools/kiln/kiln
PY=/usr/bin/python3 # Debian's python3, which has python3-torch (another python3 may come first on PATH)
GOLDEN=tests/golden/models/resnet18_224.expected.safetensors
OUT=${KILN_DEMO_OUT:-out/demo}
mkdir -p "$OUT"
start=$SECONDS
step() { printf '\n== %s\n' "$*"; }

step "building kiln"
bazel build --noshow_progress --ui_event_filters=-info //tools/kiln 2>&1 | grep -v "^ *bazel-bin/\|up-to-date" || true
[ -x "$KILN" ] || { echo "demo: the build failed" >&2; exit 1; }

step "exporting torchvision's resnet18 (torch.manual_seed(0); torchvision.models.resnet18()) and an input"
PYTHONDONTWRITEBYTECODE=1 "$PY" examples/resnet18/export_torchvision.py "$OUT/resnet18.safetensors" "$OUT/input.f32"

step "kiln compile --model resnet18 --weights $OUT/resnet18.safetensors --max-batch 8 -o $OUT"
"$KILN" compile --model resnet18 --weights "$OUT/resnet18.safetensors" --max-batch 8 -o "$OUT"
grep -E '^(#define|kiln_status|void|const)' "$OUT/resnet18.h" | grep -v '_H_$' | sed 's/^/  /'

step "readelf -d $OUT/libresnet18.so | grep NEEDED   (no kiln, no C++ runtime, no Python)"
readelf -d "$OUT/libresnet18.so" | grep NEEDED

# Plain cc, outside Bazel: the header and the .so are all an application needs. '$ORIGIN' makes
# the program find libresnet18.so next to itself.
CC_CMD=(cc -std=c99 -O2 -Wall -Wextra -I "$OUT" examples/embed_c/main.c -L "$OUT" -lresnet18
        '-Wl,-rpath,$ORIGIN' -o "$OUT/embed_resnet18")
step "${CC_CMD[*]}"
"${CC_CMD[@]}"

step "$OUT/embed_resnet18 $OUT/input.f32 $OUT/output.f32"
"$OUT/embed_resnet18" "$OUT/input.f32" "$OUT/output.f32"

step "kiln (the C program's output) next to PyTorch's (committed: $GOLDEN)"
# Prints both top-5 lists and the max difference, and wraps the raw logits as a safetensors
# file for `kiln compare`, which gives the verdict.
"$PY" - "$OUT/output.f32" "$GOLDEN" "$OUT/output.safetensors" <<'EOF'
import json, struct, sys
import numpy as np

got = np.fromfile(sys.argv[1], dtype="<f4")
with open(sys.argv[2], "rb") as f:
    (n,) = struct.unpack("<Q", f.read(8))
    header = json.loads(f.read(n))
    spec, meta = header["expected.output"], header.get("__metadata__", {})
    f.seek(8 + n + spec["data_offsets"][0])
    want = np.frombuffer(f.read(spec["data_offsets"][1] - spec["data_offsets"][0]), dtype="<f4")
if got.shape != want.shape:
    sys.exit("demo: %s has %d logits, expected %d" % (sys.argv[1], got.size, want.size))
print("PyTorch: model(x) in torch %s / torchvision %s (examples/resnet18/export_torchvision.py --golden)" % (
    meta.get("torch", "?"), meta.get("torchvision", "?")))
print("        kiln                  PyTorch")
for k, (g, w) in enumerate(zip(np.argsort(-got, kind="stable")[:5], np.argsort(-want, kind="stable")[:5])):
    print("top-%d   class %4d  %9.5f   class %4d  %9.5f" % (k + 1, g, got[g], w, want[w]))
diff = np.abs(got.astype(np.float64) - want)
print("max |kiln - PyTorch| over %d logits: %.3g (logits up to %.3g in magnitude)" % (
    got.size, diff.max(), np.abs(want).max()))
header = json.dumps({"output": {"dtype": "F32", "shape": [1, int(got.size)],
                                "data_offsets": [0, int(got.nbytes)]}}).encode()
header += b" " * (-len(header) % 8)
with open(sys.argv[3], "wb") as f:
    f.write(struct.pack("<Q", len(header)) + header + got.tobytes())
EOF
echo "kiln compare (|kiln - PyTorch| <= 1e-5 + 1e-4 * |PyTorch| for every logit):"
"$KILN" compare "$OUT/output.safetensors" "$GOLDEN" --prefix expected. --rtol 1e-4 --atol 1e-5

step "kiln bench $OUT/libresnet18.so --threads 2 --iterations 20"
"$KILN" bench "$OUT/libresnet18.so" --threads 2 --iterations 20 --warmup 2

printf '\ndemo: done in %d s; the artifact, header, C program and outputs are in %s/\n' $((SECONDS - start)) "$OUT"
