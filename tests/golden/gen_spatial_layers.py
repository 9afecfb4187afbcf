#!/usr/bin/python3
"""Golden data for the Layers I padding / transposed conv / fold / pixel shuffle / upsample
layers and the Conv padding modes: tests/golden/layers/spatial_NAME.safetensors.

Run from the repository root with Debian's python3 (torch 1.13):

    /usr/bin/python3 tests/golden/gen_spatial_layers.py

Each case builds one torch.nn module (tests/frontend/spatial_layers_golden_test.cc builds the same
kiln::nn module: keep the two tables in step) and writes state.KEY (the state_dict), input and
expected (the eval-mode output); the metadata holds torch's repr of the module. Cases named
*_unbatched have no batch dim (the C++ test traces them with static shapes). Deterministic:
seeded from the case name, single-threaded torch. Only spatial_*.safetensors are touched.
"""

import os
import sys
import zlib

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate import finish_cases, write_safetensors  # noqa: E402

LAYERS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "layers")
PREFIX = "spatial_"


class ConvTransposeWithSize(nn.Module):
    """ConvTranspose2d called with forward's output_size (the module itself is what is saved)."""

    def __init__(self, m, size):
        super().__init__()
        self.m, self.size = m, size


U = nn.Upsample
# name -> (module factory, input shape)
CASES = {
    # padding
    "reflectionpad1d": (lambda: nn.ReflectionPad1d(2), [2, 3, 6]),
    "reflectionpad1d_crop": (lambda: nn.ReflectionPad1d((-1, 3)), [1, 2, 5]),
    "reflectionpad2d": (lambda: nn.ReflectionPad2d((1, 0, 2, 1)), [2, 2, 4, 5]),
    "reflectionpad2d_unbatched": (lambda: nn.ReflectionPad2d(1), [3, 3, 4]),
    "reflectionpad3d": (lambda: nn.ReflectionPad3d(1), [1, 2, 3, 3, 4]),
    "replicationpad1d": (lambda: nn.ReplicationPad1d((3, 1)), [2, 2, 4]),
    "replicationpad2d_crop": (lambda: nn.ReplicationPad2d((2, -1, -1, 2)), [1, 2, 4, 5]),
    "replicationpad2d_1x1": (lambda: nn.ReplicationPad2d(2), [2, 2, 1, 1]),
    "replicationpad3d": (lambda: nn.ReplicationPad3d((1, 2, 0, 1, 2, 0)), [2, 1, 2, 3, 3]),
    "zeropad2d": (lambda: nn.ZeroPad2d(2), [1, 2, 3, 3]),
    "zeropad2d_crop": (lambda: nn.ZeroPad2d((1, -1, 2, 0)), [2, 3, 4, 4]),
    "constantpad1d": (lambda: nn.ConstantPad1d(2, 3.5), [2, 3, 4]),
    "constantpad2d_crop": (lambda: nn.ConstantPad2d((1, 2, -1, 0), -1.0), [1, 2, 3, 5]),
    "constantpad3d": (lambda: nn.ConstantPad3d(1, 0.5), [1, 1, 2, 2, 3]),
    # Conv padding modes
    "conv2d_reflect": (lambda: nn.Conv2d(2, 3, 3, padding=1, padding_mode="reflect"), [2, 2, 5, 6]),
    "conv1d_circular_stride": (lambda: nn.Conv1d(2, 3, 3, stride=2, padding=2, padding_mode="circular"), [2, 2, 7]),
    "conv2d_replicate_same_even": (lambda: nn.Conv2d(2, 2, (4, 3), padding="same", padding_mode="replicate"),
                                   [1, 2, 5, 5]),
    "conv2d_zeros_same_asymmetric": (lambda: nn.Conv2d(2, 2, (4, 2), padding="same", dilation=(1, 3)), [1, 2, 6, 7]),
    "conv3d_circular": (lambda: nn.Conv3d(1, 2, 3, padding=1, padding_mode="circular"), [1, 1, 3, 4, 4]),
    "conv2d_reflect_unbatched": (lambda: nn.Conv2d(2, 2, 3, padding=(1, 2), padding_mode="reflect"), [2, 4, 5]),
    # ConvTranspose
    "convtranspose2d_basic": (lambda: nn.ConvTranspose2d(3, 4, 3), [2, 3, 4, 4]),
    "convtranspose2d_groups_outpad": (lambda: nn.ConvTranspose2d(4, 6, (3, 2), stride=2, padding=1, output_padding=1,
                                                                 groups=2, bias=False, dilation=2), [1, 4, 3, 4]),
    "convtranspose2d_depthwise": (lambda: nn.ConvTranspose2d(4, 4, 3, stride=2, groups=4), [2, 4, 3, 3]),
    "convtranspose2d_stride_gt_kernel": (lambda: nn.ConvTranspose2d(2, 3, (2, 1), stride=(3, 4)), [1, 2, 3, 2]),
    "convtranspose2d_1x1": (lambda: nn.ConvTranspose2d(2, 2, 3, padding=1), [2, 2, 1, 1]),
    "convtranspose2d_output_size": (lambda: ConvTransposeWithSize(nn.ConvTranspose2d(2, 3, 3, stride=2), [10, 9]),
                                    [1, 2, 4, 4]),
    "convtranspose1d": (lambda: nn.ConvTranspose1d(3, 2, 4, stride=3, padding=2, output_padding=2), [2, 3, 5]),
    "convtranspose1d_dilation": (lambda: nn.ConvTranspose1d(2, 2, 3, dilation=3, padding=1, output_padding=2),
                                 [1, 2, 4]),
    "convtranspose1d_unbatched": (lambda: nn.ConvTranspose1d(2, 3, 2, stride=2), [2, 3]),
    "convtranspose3d": (lambda: nn.ConvTranspose3d(2, 3, (2, 3, 2), stride=(1, 2, 2), padding=(0, 1, 0)),
                        [1, 2, 2, 3, 2]),
    # Unfold / Fold
    "unfold": (lambda: nn.Unfold(3), [2, 2, 5, 5]),
    "unfold_dilation_pad_stride": (lambda: nn.Unfold((2, 3), dilation=2, padding=(1, 0), stride=2), [1, 3, 6, 7]),
    "unfold_unbatched": (lambda: nn.Unfold(2), [2, 3, 4]),
    "fold": (lambda: nn.Fold(4, 2), [2, 12, 9]),
    "fold_overlap_pad_stride": (lambda: nn.Fold((5, 6), (2, 3), padding=1, stride=(1, 2)), [1, 12, 18]),
    "fold_dilation": (lambda: nn.Fold(5, 2, dilation=2, stride=2), [2, 8, 4]),
    "fold_unbatched": (lambda: nn.Fold((3, 3), 2), [4, 4]),
    # PixelShuffle / PixelUnshuffle
    "pixelshuffle": (lambda: nn.PixelShuffle(2), [2, 8, 3, 2]),
    "pixelshuffle_5d": (lambda: nn.PixelShuffle(3), [1, 2, 9, 2, 1]),
    "pixelunshuffle": (lambda: nn.PixelUnshuffle(2), [2, 2, 4, 6]),
    # Upsample
    "upsample_nearest_x2": (lambda: U(scale_factor=2), [2, 2, 3, 4]),
    "upsample_nearest_nonint": (lambda: U(scale_factor=1.7), [1, 2, 5, 7]),
    "upsample_nearest_size": (lambda: U(size=(4, 9)), [1, 2, 3, 5]),
    "upsample_nearest_1d": (lambda: U(scale_factor=2.5), [2, 3, 5]),
    "upsample_nearest_3d_recompute": (lambda: U(scale_factor=(1.5, 2, 0.7), recompute_scale_factor=True),
                                      [1, 2, 3, 4, 5]),
    "upsample_nearest_exact": (lambda: U(scale_factor=1.6, mode="nearest-exact"), [1, 2, 5, 5]),
    "upsample_linear": (lambda: U(scale_factor=2.5, mode="linear"), [2, 2, 4]),
    "upsample_linear_align": (lambda: U(size=7, mode="linear", align_corners=True), [1, 3, 4]),
    "upsample_bilinear": (lambda: U(scale_factor=(2, 1.5), mode="bilinear"), [2, 2, 3, 4]),
    "upsample_bilinear_down": (lambda: U(size=(2, 3), mode="bilinear"), [1, 2, 5, 7]),
    "upsample_bilinear_align_nonint": (lambda: U(scale_factor=1.3, mode="bilinear", align_corners=True), [1, 2, 4, 5]),
    "upsample_bilinear_1x1": (lambda: U(scale_factor=3, mode="bilinear"), [2, 2, 1, 1]),
    "upsample_trilinear": (lambda: U(scale_factor=(1.5, 2, 1), mode="trilinear"), [1, 2, 2, 3, 4]),
    "upsample_trilinear_align": (lambda: U(size=(3, 1, 4), mode="trilinear", align_corners=True), [1, 1, 2, 3, 2]),
    "upsamplingnearest2d": (lambda: nn.UpsamplingNearest2d(scale_factor=2), [2, 2, 2, 3]),
    "upsamplingbilinear2d": (lambda: nn.UpsamplingBilinear2d(size=(5, 4)), [1, 2, 3, 3]),
}


def seed(name):
    torch.manual_seed(zlib.crc32(name.encode("utf-8")))


def run_case(name, factory, shape):
    seed(name)
    m = factory()
    m.eval()
    x = torch.randn(*shape)
    with torch.no_grad():
        if isinstance(m, ConvTransposeWithSize):
            y = m.m(x, output_size=m.size)
            m = m.m
        else:
            y = m(x)
    tensors = {"state." + k: v.detach().clone() for k, v in m.state_dict().items()}
    tensors["input"] = x
    tensors["expected"] = y
    return tensors, repr(m)


def main():
    torch.set_num_threads(1)
    os.makedirs(LAYERS_DIR, exist_ok=True)
    written = set()
    for name, (factory, shape) in CASES.items():
        tensors, text = run_case(PREFIX + name, factory, shape)
        write_safetensors(os.path.join(LAYERS_DIR, PREFIX + name + ".safetensors"), tensors,
                          {"torch": torch.__version__, "case": PREFIX + name, "repr": text})
        written.add(PREFIX + name + ".safetensors")
    finish_cases(LAYERS_DIR, written, lambda f: f.startswith(PREFIX))


if __name__ == "__main__":
    main()
