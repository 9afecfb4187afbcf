#!/usr/bin/python3
"""Exports torchvision's resnet18 for the demo: its state_dict as safetensors and an input as raw f32.

Run with Debian's python3 (python3-torch 1.13, python3-torchvision 0.14; `tools/setup.sh --with-torch`):

    /usr/bin/python3 examples/resnet18/export_torchvision.py WEIGHTS.safetensors INPUT.f32 [--golden]

No download: the weights are torchvision's own seeded random initialization
(torch.manual_seed(0); torchvision.models.resnet18()), which is all a parity check needs.
  - WEIGHTS.safetensors: model.state_dict(), every key (num_batches_tracked included), written
    by tests/golden/generate.py's safetensors writer, loadable by `kiln compile --weights`.
  - INPUT.f32: torch.manual_seed(1); torch.randn(1, 3, 224, 224) as raw little-endian f32
    (602112 bytes), the input of examples/embed_c.

--golden also runs the model and writes the committed golden file
tests/golden/models/resnet18_224.expected.safetensors: `expected.output` = model(x) [1, 1000],
with metadata holding the sha256 of both files above and the versions. Without --golden (the
demo), the script checks the files it just wrote against that metadata and fails loudly if
they differ: a different torch build may draw a different init stream or input, and then the
committed expected output no longer belongs to these weights.
"""

import argparse
import hashlib
import os
import sys

import torch
import torchvision

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "golden"))
from generate import write_safetensors  # noqa: E402

GOLDEN = os.path.join(ROOT, "tests", "golden", "models", "resnet18_224.expected.safetensors")


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_safetensors_metadata(path):
    import json
    import struct
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        return json.loads(f.read(n)).get("__metadata__", {})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("weights", help="output: the state_dict as safetensors")
    parser.add_argument("input", help="output: the input [1,3,224,224] as raw little-endian f32")
    parser.add_argument("--golden", action="store_true",
                        help="also run the model and write " + os.path.relpath(GOLDEN, ROOT))
    args = parser.parse_args()

    torch.set_num_threads(1)  # a deterministic summation order for the golden output
    torch.manual_seed(0)
    model = torchvision.models.resnet18().eval()
    write_safetensors(args.weights, model.state_dict(), {"model": "resnet18", "source": "torchvision"})

    torch.manual_seed(1)
    x = torch.randn(1, 3, 224, 224)
    with open(args.input, "wb") as f:
        f.write(x.numpy().astype("<f4").tobytes())

    sums = {"weights_sha256": sha256_file(args.weights), "input_sha256": sha256_file(args.input)}

    if args.golden:
        with torch.no_grad():
            y = model(x)
        metadata = {
            "model": "resnet18",
            "torch": torch.__version__,
            "torchvision": torchvision.__version__,
            "recipe": "torch.manual_seed(0); torchvision.models.resnet18().eval(); "
                      "torch.manual_seed(1); x = torch.randn(1, 3, 224, 224); output = model(x)",
            **sums,
        }
        write_safetensors(GOLDEN, {"expected.output": y}, metadata)
        top = torch.topk(y[0], 5)
        print("wrote %s: output %s, top-5 %s" % (os.path.relpath(GOLDEN, ROOT), list(y.shape),
                                                 [int(i) for i in top.indices]))
        return 0

    golden = read_safetensors_metadata(GOLDEN)
    bad = [k for k in sums if golden.get(k) != sums[k]]
    if bad:
        for k in bad:
            print("export_torchvision: %s is %s, but the golden file %s was made from %s" % (
                k, sums[k], os.path.relpath(GOLDEN, ROOT), golden.get(k)), file=sys.stderr)
        print("export_torchvision: this torch %s / torchvision %s does not reproduce the weights or "
              "input that the committed expected output was computed from (it was made with torch %s / "
              "torchvision %s); the comparison would be meaningless" % (
                  torch.__version__, torchvision.__version__, golden.get("torch"), golden.get("torchvision")),
              file=sys.stderr)
        return 1
    print("exported torchvision resnet18 (seeded init): %s (%d params, sha256 %s...), input %s "
          "(sha256 %s...): both match the golden file" % (
              args.weights, sum(t.numel() for t in model.state_dict().values()),
              sums["weights_sha256"][:12], args.input, sums["input_sha256"][:12]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
