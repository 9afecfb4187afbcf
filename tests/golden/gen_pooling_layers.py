#!/usr/bin/python3
"""Golden data of the pooling layers of issue 4 (the pooling family), plus a LeNet-5 and a
VGG-style block graph: tests/golden/layers/pooling_NAME.safetensors.

Run from the repository root with Debian's python3 (which has torch 1.13):

    /usr/bin/python3 tests/golden/gen_pooling_layers.py

Each case is one torch module whose forward returns one tensor or a tuple (return_indices,
pool + unpool round trips). The C++ test tests/frontend/pooling_layers_golden_test.cc builds the
same kiln::nn module (keep the two tables in step). A file holds
  state.KEY   the module's state_dict (weights, FractionalMaxPool2d's _random_samples),
  in.0        the input,
  out.I       the I-th output (eval mode).
Metadata: {"torch": version, "case": NAME}. Output is deterministic (seeded from the case
name, single-threaded torch). Only pooling_*.safetensors files are written or removed.
"""

import os
import sys
import zlib

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate import finish_cases, write_safetensors  # noqa: E402

LAYERS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "layers")
PREFIX = "pooling_"


def seed(name):
    torch.manual_seed(zlib.crc32(name.encode("utf-8")))


class PoolUnpool(nn.Module):
    """MaxPool with return_indices, then MaxUnpool: (values, indices, unpooled)."""

    def __init__(self, pool, unpool, output_size=None):
        super().__init__()
        self.pool = pool
        self.unpool = unpool
        self.output_size = output_size

    def forward(self, x):
        v, i = self.pool(x)
        return v, i, self.unpool(v, i, output_size=self.output_size)


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2))
        self.flatten = nn.Flatten()
        self.classifier = nn.Sequential(
            nn.Linear(256, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))

    def forward(self, x):
        return self.classifier(self.flatten(self.features(x)))


def vgg_blocks():
    """(Conv-ReLU-Conv-ReLU-MaxPool) x 2, AdaptiveAvgPool2d(2), Flatten, Linear."""
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.AdaptiveAvgPool2d(2), nn.Flatten(), nn.Linear(64, 10))


def frac(kernel, shape_samples, **kw):
    return lambda: nn.FractionalMaxPool2d(kernel, _random_samples=torch.rand(*shape_samples), **kw)


# name -> (module factory, input shape, input kind). kind: "randn", "abs" (|randn|), "int"
# (small integers, for ties). The C++ side mirrors this table.
CASES = {
    # MaxPool with indices
    "maxpool1d_default": (lambda: nn.MaxPool1d(3, return_indices=True), [2, 3, 10], "randn"),
    "maxpool1d_stride_gt_kernel": (lambda: nn.MaxPool1d(2, stride=3, padding=1, return_indices=True), [1, 2, 11], "randn"),
    "maxpool2d_nonsquare_dilation_ceil": (
        lambda: nn.MaxPool2d((3, 2), stride=(2, 1), padding=(1, 1), dilation=(1, 2), ceil_mode=True,
                             return_indices=True), [2, 2, 7, 8], "randn"),
    "maxpool2d_pad_max": (lambda: nn.MaxPool2d(5, stride=2, padding=2, return_indices=True), [1, 1, 5, 5], "randn"),
    "maxpool2d_ties": (lambda: nn.MaxPool2d(3, stride=1, padding=1, return_indices=True), [1, 2, 5, 5], "int"),
    "maxpool2d_1elem": (lambda: nn.MaxPool2d((1, 3), stride=(1, 2), return_indices=True), [2, 3, 1, 7], "randn"),
    "maxpool2d_unbatched": (lambda: nn.MaxPool2d(2, return_indices=True), [3, 5, 5], "randn"),
    "maxpool3d_default": (lambda: nn.MaxPool3d(2), [2, 2, 4, 5, 6], "randn"),
    "maxpool3d_ceil_dilation": (
        lambda: nn.MaxPool3d((2, 3, 2), stride=(1, 2, 3), padding=(1, 1, 0), dilation=(2, 1, 1), ceil_mode=True,
                             return_indices=True), [1, 2, 5, 7, 7], "randn"),
    # MaxUnpool round trips
    "unpool1d_odd_output_size": (
        lambda: PoolUnpool(nn.MaxPool1d(2, return_indices=True), nn.MaxUnpool1d(2), [9]), [2, 3, 9], "randn"),
    "unpool2d_default": (
        lambda: PoolUnpool(nn.MaxPool2d(2, return_indices=True), nn.MaxUnpool2d(2)), [2, 2, 6, 6], "randn"),
    "unpool2d_stride_pad_output_size": (
        lambda: PoolUnpool(nn.MaxPool2d(3, stride=2, padding=1, return_indices=True),
                           nn.MaxUnpool2d(3, stride=2, padding=1), [8, 8]), [1, 2, 8, 8], "randn"),
    "unpool3d_default": (
        lambda: PoolUnpool(nn.MaxPool3d(2, return_indices=True), nn.MaxUnpool3d(2)), [1, 2, 4, 4, 6], "randn"),
    # AvgPool
    "avgpool1d_ceil_exclude_pad": (
        lambda: nn.AvgPool1d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False), [2, 3, 10], "randn"),
    "avgpool2d_nonsquare_stride_gt_kernel": (
        lambda: nn.AvgPool2d((3, 2), stride=(1, 3), padding=(1, 1)), [2, 2, 6, 7], "randn"),
    "avgpool2d_ceil_partial_include_pad": (
        lambda: nn.AvgPool2d(2, stride=2, padding=1, ceil_mode=True), [1, 1, 6, 6], "randn"),
    "avgpool3d_default": (lambda: nn.AvgPool3d(2), [2, 2, 4, 4, 5], "randn"),
    "avgpool3d_ceil_exclude_pad": (
        lambda: nn.AvgPool3d((3, 2, 2), stride=(2, 1, 2), padding=(1, 0, 1), ceil_mode=True, count_include_pad=False),
        [1, 2, 5, 5, 6], "randn"),
    "avgpool3d_divisor": (lambda: nn.AvgPool3d(2, padding=1, divisor_override=3), [1, 1, 3, 4, 5], "randn"),
    # FractionalMaxPool2d (explicit samples: torch and kiln draw different random streams)
    "fractional_output_size": (frac(3, [2, 3, 2], output_size=(4, 5), return_indices=True), [2, 3, 9, 10], "randn"),
    "fractional_ratio": (frac((2, 3), [1, 2, 2], output_ratio=(0.5, 0.6)), [1, 2, 9, 11], "randn"),
    "fractional_unbatched": (frac(2, [1, 2, 2], output_size=3, return_indices=True), [2, 7, 6], "randn"),
    "fractional_output_1": (frac(2, [1, 1, 2], output_size=1, return_indices=True), [1, 1, 4, 4], "randn"),
    # LPPool
    "lppool1d_default": (lambda: nn.LPPool1d(2, 3), [2, 3, 10], "randn"),
    "lppool1d_ceil_stride_gt_kernel": (lambda: nn.LPPool1d(2, 2, stride=3, ceil_mode=True), [1, 2, 10], "randn"),
    "lppool2d_fractional_norm_ceil": (
        lambda: nn.LPPool2d(1.5, (2, 3), stride=(2, 1), ceil_mode=True), [1, 2, 7, 8], "abs"),
    "lppool2d_norm3": (lambda: nn.LPPool2d(3, 2), [2, 2, 6, 6], "abs"),
    # Adaptive pools
    "adaptive_avgpool1d": (lambda: nn.AdaptiveAvgPool1d(4), [2, 3, 10], "randn"),
    "adaptive_avgpool2d_uneven": (lambda: nn.AdaptiveAvgPool2d((3, 5)), [2, 2, 7, 11], "randn"),
    "adaptive_avgpool2d_larger": (lambda: nn.AdaptiveAvgPool2d(5), [1, 2, 3, 4], "randn"),
    "adaptive_avgpool3d_none": (lambda: nn.AdaptiveAvgPool3d((2, None, 3)), [1, 2, 5, 4, 7], "randn"),
    "adaptive_maxpool1d": (lambda: nn.AdaptiveMaxPool1d(3, return_indices=True), [2, 3, 10], "randn"),
    "adaptive_maxpool2d_none": (lambda: nn.AdaptiveMaxPool2d((None, 3), return_indices=True), [1, 2, 5, 7], "randn"),
    "adaptive_maxpool2d_1x1": (lambda: nn.AdaptiveMaxPool2d(1), [2, 3, 4, 4], "randn"),
    "adaptive_maxpool3d": (lambda: nn.AdaptiveMaxPool3d((2, 3, 2), return_indices=True), [1, 2, 5, 7, 3], "randn"),
    "adaptive_maxpool2d_unbatched": (lambda: nn.AdaptiveMaxPool2d((2, 3), return_indices=True), [2, 5, 7], "int"),
    # Graph level
    "lenet5": (LeNet5, [2, 1, 28, 28], "randn"),
    "vgg_blocks": (vgg_blocks, [2, 3, 16, 16], "randn"),
}


def make_input(shape, kind):
    if kind == "int":
        return torch.randint(-3, 4, shape).float()
    x = torch.randn(*shape)
    return x.abs() if kind == "abs" else x


def run_case(name, factory, shape, kind):
    seed(name)
    m = factory()
    m.eval()
    x = make_input(shape, kind)
    with torch.no_grad():
        y = m(x)
    outs = y if isinstance(y, tuple) else (y,)
    tensors = {"state." + k: v.detach().clone() for k, v in m.state_dict().items()}
    tensors["in.0"] = x
    for i, o in enumerate(outs):
        tensors["out.%d" % i] = o
    return tensors


def main():
    torch.set_num_threads(1)
    os.makedirs(LAYERS_DIR, exist_ok=True)
    written = set()
    for name, (factory, shape, kind) in CASES.items():
        file = PREFIX + name + ".safetensors"
        write_safetensors(os.path.join(LAYERS_DIR, file), run_case(name, factory, shape, kind),
                          {"torch": torch.__version__, "case": name})
        written.add(file)
    finish_cases(LAYERS_DIR, written, lambda f: f.startswith(PREFIX))


if __name__ == "__main__":
    main()
