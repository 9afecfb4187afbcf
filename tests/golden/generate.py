#!/usr/bin/python3
"""Generates kiln's golden data with PyTorch: tests/golden/cases/NAME.{kir,safetensors}.

Run from the repository root with Debian's python3 (which has torch and numpy):

    /usr/bin/python3 tests/golden/generate.py

Each case is a small graph (usually one node) written as .kir text, plus one safetensors file
holding the graph inputs (under their input names), the parameters (under their param names)
and what PyTorch computes for every graph output (under `expected.OUTPUTNAME`). The output is
deterministic: every case seeds torch from its own name, and the files are written byte for
byte the same way each run, so re-running the script leaves `git diff` empty unless a case
changed.

The model case `mlp` is different: its graph is hand-written (cases/mlp.kir, which this script
never overwrites) and the script checks that the graph's param names match the state_dict keys
of the torch.nn.Sequential it runs. It also writes mlp.weights.safetensors (params only) and
mlp.input.safetensors (input only) for the `kiln run` demo.
"""

import json
import math
import os
import re
import struct
import sys
import zlib

import numpy as np
import torch
import torch.nn.functional as F

CASES_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases")
INT64_MAX = 2**63 - 1

# ---------------------------------------------------------------------------------------------
# safetensors writer (no dependency on the safetensors package)

_ST_DTYPES = {
    torch.float32: ("F32", "<f4"),
    torch.float64: ("F64", "<f8"),
    torch.int64: ("I64", "<i8"),
    torch.int32: ("I32", "<i4"),
    torch.bool: ("BOOL", "|b1"),
}


def write_safetensors(path, tensors, metadata):
    """Writes {name: torch.Tensor}: __metadata__ first, then tensors sorted by name with
    contiguous data offsets in that order; the header is padded with spaces to 8 bytes."""
    header = {}
    if metadata:  # first, as the safetensors package writes it
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    chunks = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous()
        st_dtype, np_dtype = _ST_DTYPES[t.dtype]
        data = t.numpy().astype(np_dtype, copy=False).tobytes(order="C")
        header[name] = {"dtype": st_dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")  # dicts keep insertion order
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for c in chunks:
            f.write(c)


# ---------------------------------------------------------------------------------------------
# .kir text

_KIR_DTYPES = {torch.float32: "f32", torch.float64: "f64", torch.int64: "i64", torch.int32: "i32", torch.bool: "bool"}


class DType:
    """An attribute value of kind dtype (prints bare: f32)."""

    def __init__(self, name):
        self.name = name


# Prefixes of the layer-family generators' files in layers/ (gen_FAMILY_layers.py); the files
# without one belong to gen_layers.py. A new family generator adds its prefix here.
LAYER_FAMILY_PREFIXES = ("spatial_", "pooling_", "activation_", "norm_embedding_", "recurrent_")


def finish_cases(directory, written, owns):
    """Removes the stale .safetensors files in `directory` that `owns(name)` claims for the
    calling generator but that it did not write this run, and prints a one-line summary."""
    for f in os.listdir(directory):
        if f.endswith(".safetensors") and owns(f) and f not in written:
            os.remove(os.path.join(directory, f))
    total = sum(os.path.getsize(os.path.join(directory, f)) for f in written)
    print("wrote %d cases (%d bytes) to %s" % (len(written), total, directory))


def kir_type(t):
    return "%s[%s]" % (_KIR_DTYPES[t.dtype], ",".join(str(d) for d in t.shape))


def kir_float(v):
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return repr(float(v))  # shortest round-trip spelling; always has '.' or 'e'


def kir_attr(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return kir_float(v)
    if isinstance(v, DType):
        return v.name
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, tuple):  # a float list
        return "[" + ",".join(kir_float(x) for x in v) + "]"
    if isinstance(v, list):  # an int list
        return "[" + ",".join(str(int(x)) for x in v) + "]"
    raise TypeError("unsupported attribute %r" % (v,))


def floats(*values):
    """Marks an attribute as a float list (plain lists are int lists)."""
    return tuple(float(x) for x in values)


class Case:
    """Collects one golden case: graph text + the tensors of its safetensors file."""

    def __init__(self, name):
        self.name = name
        self.inputs = []  # (name, tensor)
        self.params = []
        self.nodes = []  # text lines
        self.outputs = []  # (name, value, tensor)
        self.next_id = 0

    def input(self, name, t):
        self.inputs.append((name, t))
        return "%" + name

    def param(self, name, t):
        self.params.append((name, t))
        return "%" + name

    def node(self, op, operands, result, **attrs):
        """Appends `%k = op(operands) {attrs} : type`; returns the result's value name."""
        value = "%" + str(self.next_id)
        self.next_id += 1
        attr_text = ""
        if attrs:
            attr_text = " {" + ", ".join("%s=%s" % (k, kir_attr(attrs[k])) for k in sorted(attrs)) + "}"
        self.nodes.append("%s = %s(%s)%s : %s" % (value, op, ", ".join(operands), attr_text, kir_type(result)))
        return value

    def output(self, value, t, name="output"):
        self.outputs.append((name, value, t))

    def kir(self):
        lines = ["# Generated by tests/golden/generate.py; do not edit.", "graph %s {" % self.name]
        lines += ["  input %%%s : %s" % (n, kir_type(t)) for n, t in self.inputs]
        lines += ["  param %%%s : %s" % (n, kir_type(t)) for n, t in self.params]
        lines += ["  " + n for n in self.nodes]
        lines += ["  output %s = %s" % (n, v) for n, v, _ in self.outputs]
        lines.append("}")
        return "\n".join(lines) + "\n"

    def tensors(self):
        out = {}
        for n, t in self.inputs + self.params:
            out[n] = t
        for n, _, t in self.outputs:
            out["expected." + n] = t
        return out

    def write(self):
        with open(os.path.join(CASES_DIR, self.name + ".kir"), "w") as f:
            f.write(self.kir())
        write_safetensors(os.path.join(CASES_DIR, self.name + ".safetensors"), self.tensors(), metadata(self.name))


def metadata(name):
    return {"torch": torch.__version__, "case": name}


def seed(name):
    torch.manual_seed(zlib.crc32(name.encode("utf-8")))


def single(name, op, inputs, result, params=(), **attrs):
    """A one-node case: op(inputs..., params...) -> output."""
    c = Case(name)
    operands = [c.input(n, t) for n, t in inputs] + [c.param(n, t) for n, t in params]
    c.output(c.node(op, operands, result, **attrs), result)
    return c


# ---------------------------------------------------------------------------------------------
# Inputs

# Edge values every unary case sees: zero, signed halves (rounding), negatives, large-ish.
_SPECIAL = [0.0, -0.0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 1.0, -1.0, 3.7, -3.7]


def unary_input():
    rest = torch.randn(12) * 3.0
    return torch.cat([torch.tensor(_SPECIAL), rest]).reshape(4, 6)


def positive_input():
    # In-domain for log/sqrt/rsqrt: strictly positive, spanning several magnitudes.
    rest = torch.rand(16) * 10.0 + 0.01
    return torch.cat([torch.tensor([1e-3, 0.25, 1.0, 4.0, 100.0, 1234.5, 0.5, 2.0]), rest]).reshape(4, 6)


# ---------------------------------------------------------------------------------------------
# Elementwise unary

_UNARY = {
    "neg": torch.neg,
    "abs": torch.abs,
    "relu": torch.relu,
    "sign": torch.sign,
    "exp": torch.exp,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "erf": torch.erf,
    "sin": torch.sin,
    "cos": torch.cos,
    "floor": torch.floor,
    "ceil": torch.ceil,
    "round": torch.round,
    "reciprocal": torch.reciprocal,
}
_UNARY_POSITIVE = {"log": torch.log, "sqrt": torch.sqrt, "rsqrt": torch.rsqrt}


def unary_cases():
    out = []
    for op, fn in sorted(_UNARY.items()):
        name = "unary_" + op
        seed(name)
        x = unary_input()
        out.append(single(name, op, [("x", x)], fn(x)))
    for op, fn in sorted(_UNARY_POSITIVE.items()):
        name = "unary_" + op
        seed(name)
        x = positive_input()
        out.append(single(name, op, [("x", x)], fn(x)))
    # The numeric (non-float) unary ops on i64.
    for op, fn in [("neg", torch.neg), ("abs", torch.abs), ("relu", torch.relu), ("sign", torch.sign)]:
        name = "unary_%s_i64" % op
        seed(name)
        x = torch.randint(-5, 6, (3, 5), dtype=torch.int64)
        x[0, 0] = 0
        out.append(single(name, op, [("x", x)], fn(x)))
    seed("unary_logical_not")
    x = torch.rand(3, 5) > 0.5
    out.append(single("unary_logical_not", "logical_not", [("x", x)], torch.logical_not(x)))
    return out


def clamp_cases():
    out = []
    seed("clamp")
    x = unary_input()
    x[3, 5] = float("nan")  # NaN stays NaN
    out.append(single("clamp", "clamp", [("x", x)], torch.clamp(x, -0.5, 0.75), min=-0.5, max=0.75))
    seed("clamp_min_only")
    x = unary_input()
    out.append(single("clamp_min_only", "clamp", [("x", x)], torch.clamp(x, min=0.25), min=0.25, max=float("inf")))
    return out


def cast_cases():
    out = []
    seed("cast_f32_i64")
    x = unary_input()  # halves and negatives: truncation toward zero
    out.append(single("cast_f32_i64", "cast", [("x", x)], x.to(torch.int64), dtype=DType("i64")))
    seed("cast_i64_f32")
    x = torch.randint(-1000, 1000, (3, 4), dtype=torch.int64)
    x[0, 0] = 16777217  # 2^24 + 1 rounds to 2^24 in f32
    out.append(single("cast_i64_f32", "cast", [("x", x)], x.to(torch.float32), dtype=DType("f32")))
    seed("cast_bool_f32")
    x = torch.rand(2, 5) > 0.5
    out.append(single("cast_bool_f32", "cast", [("x", x)], x.to(torch.float32), dtype=DType("f32")))
    return out


# ---------------------------------------------------------------------------------------------
# Elementwise binary, comparisons, logical, where

_BINARY = {
    "add": torch.add,
    "sub": torch.sub,
    "mul": torch.mul,
    "div": torch.div,
    "maximum": torch.maximum,
    "minimum": torch.minimum,
}


def binary_cases():
    out = []
    for op, fn in sorted(_BINARY.items()):
        name = "binary_" + op
        seed(name)
        a = torch.randn(2, 3, 4)
        b = torch.randn(3, 1)
        if op == "div":
            b = torch.sign(b) * (b.abs() + 0.5)  # away from zero
        out.append(single(name, op, [("a", a), ("b", b)], fn(a, b)))
    # Broadcasting on both sides: [4,1,3] with [2,1].
    seed("binary_add_both")
    a, b = torch.randn(4, 1, 3), torch.randn(2, 1)
    out.append(single("binary_add_both", "add", [("a", a), ("b", b)], a + b))
    # pow: positive base (a negative base with a fractional exponent is NaN).
    seed("binary_pow")
    a, b = torch.rand(2, 3, 4) * 3.0 + 0.1, torch.randn(3, 1) * 2.0
    out.append(single("binary_pow", "pow", [("a", a), ("b", b)], torch.pow(a, b)))
    # NaN propagates through maximum/minimum.
    for op, fn in [("maximum", torch.maximum), ("minimum", torch.minimum)]:
        name = "binary_%s_nan" % op
        seed(name)
        a, b = torch.randn(2, 3), torch.randn(2, 3)
        a[0, 1] = float("nan")
        b[1, 2] = float("nan")
        out.append(single(name, op, [("a", a), ("b", b)], fn(a, b)))
    # Integer arithmetic; integer division truncates toward zero.
    for op, fn in [("add", torch.add), ("sub", torch.sub), ("mul", torch.mul),
                   ("div", lambda a, b: torch.div(a, b, rounding_mode="trunc")),
                   ("maximum", torch.maximum), ("minimum", torch.minimum)]:
        name = "binary_%s_i64" % op
        seed(name)
        a = torch.randint(-20, 21, (2, 3, 4), dtype=torch.int64)
        b = torch.randint(1, 6, (3, 1), dtype=torch.int64) * torch.tensor([[1], [-1], [1]])
        out.append(single(name, op, [("a", a), ("b", b)], fn(a, b)))
    return out


_COMPARE = {"eq": torch.eq, "ne": torch.ne, "lt": torch.lt, "le": torch.le, "gt": torch.gt, "ge": torch.ge}


def compare_cases():
    out = []
    for op, fn in sorted(_COMPARE.items()):
        name = "compare_" + op
        seed(name)
        # Small integers as floats, so that equal pairs occur.
        a = torch.randint(-2, 3, (2, 3, 4)).to(torch.float32)
        b = torch.randint(-2, 3, (3, 1)).to(torch.float32)
        out.append(single(name, op, [("a", a), ("b", b)], fn(a, b)))
    seed("compare_lt_i64")
    a, b = torch.randint(-3, 4, (3, 4)), torch.randint(-3, 4, (4,))
    out.append(single("compare_lt_i64", "lt", [("a", a), ("b", b)], torch.lt(a, b)))
    for op, fn in [("logical_and", torch.logical_and), ("logical_or", torch.logical_or)]:
        name = "logical_" + op.split("_")[1]
        seed(name)
        a, b = torch.rand(2, 3, 4) > 0.5, torch.rand(3, 1) > 0.5
        out.append(single(name, op, [("a", a), ("b", b)], fn(a, b)))
    seed("where")
    cond, a, b = torch.rand(2, 1, 4) > 0.5, torch.randn(3, 4), torch.randn(2, 3, 1)
    out.append(single("where", "where", [("cond", cond), ("a", a), ("b", b)], torch.where(cond, a, b)))
    return out


# ---------------------------------------------------------------------------------------------
# Linear algebra

def matmul_cases():
    out = []
    for name, sa, sb in [("matmul_2d", (3, 4), (4, 5)),
                         ("matmul_batched", (2, 3, 4), (2, 4, 5)),
                         ("matmul_broadcast", (2, 1, 3, 4), (3, 4, 5)),
                         ("matmul_broadcast_rhs", (2, 3, 6), (6, 2))]:
        seed(name)
        a, b = torch.randn(*sa), torch.randn(*sb)
        out.append(single(name, "matmul", [("a", a), ("b", b)], torch.matmul(a, b)))
    seed("linear_bias")
    x, w, bias = torch.randn(2, 3, 8), torch.randn(5, 8), torch.randn(5)
    out.append(single("linear_bias", "linear", [("x", x)], F.linear(x, w, bias), params=[("weight", w), ("bias", bias)]))
    seed("linear_nobias")
    x, w = torch.randn(4, 8), torch.randn(6, 8)
    out.append(single("linear_nobias", "linear", [("x", x)], F.linear(x, w), params=[("weight", w)]))
    return out


# ---------------------------------------------------------------------------------------------
# Convolution and pooling

def conv_cases():
    out = []
    specs = [
        # name, x shape, weight shape, bias, stride, padding, dilation, groups, fn
        ("conv1d", (2, 4, 11), (6, 2, 3), True, [2], [1], [2], 2, F.conv1d),
        ("conv2d", (2, 3, 9, 8), (4, 3, 3, 3), True, [2, 1], [1, 2], [1, 2], 1, F.conv2d),
        ("conv2d_nobias", (1, 2, 6, 6), (3, 2, 3, 3), False, [1, 1], [0, 0], [1, 1], 1, F.conv2d),
        ("conv2d_depthwise", (1, 4, 7, 7), (8, 1, 3, 3), True, [1, 1], [1, 1], [1, 1], 4, F.conv2d),
        ("conv3d", (1, 2, 5, 6, 5), (3, 2, 2, 3, 2), True, [1, 2, 1], [1, 0, 1], [2, 1, 1], 1, F.conv3d),
    ]
    for name, xs, ws, has_bias, stride, padding, dilation, groups, fn in specs:
        seed(name)
        x, w = torch.randn(*xs), torch.randn(*ws) * 0.5
        params = [("weight", w)]
        bias = None
        if has_bias:
            bias = torch.randn(ws[0])
            params.append(("bias", bias))
        y = fn(x, w, bias, stride=stride, padding=padding, dilation=dilation, groups=groups)
        out.append(single(name, "conv", [("x", x)], y, params=params,
                          stride=stride, padding=padding, dilation=dilation, groups=groups))
    return out


def pool_cases():
    out = []
    max_specs = [
        # name, x shape, kernel, stride, padding, dilation, ceil_mode, fn
        ("max_pool1d_ceil", (2, 3, 11), [3], [2], [1], [1], True, F.max_pool1d),
        ("max_pool1d_dilation", (1, 2, 12), [3], [1], [1], [2], False, F.max_pool1d),
        ("max_pool2d", (2, 3, 8, 8), [2, 2], [2, 2], [0, 0], [1, 1], False, F.max_pool2d),
        ("max_pool2d_pad_dilation", (2, 3, 9, 9), [3, 3], [2, 2], [1, 1], [2, 2], False, F.max_pool2d),
        ("max_pool2d_ceil", (1, 2, 8, 7), [2, 3], [2, 2], [0, 1], [1, 1], True, F.max_pool2d),
    ]
    for name, xs, k, s, p, d, ceil, fn in max_specs:
        seed(name)
        x = torch.randn(*xs) - 1.0  # mostly negative: padding must count as -inf, not 0
        y = fn(x, k, s, p, d, ceil_mode=ceil)
        out.append(single(name, "max_pool", [("x", x)], y,
                          kernel_size=k, stride=s, padding=p, dilation=d, ceil_mode=ceil))
    avg_specs = [
        # name, x shape, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override, fn
        ("avg_pool2d", (2, 3, 8, 8), [2, 2], [2, 2], [0, 0], False, True, None, F.avg_pool2d),
        ("avg_pool2d_pad_include", (1, 2, 7, 7), [3, 3], [2, 2], [1, 1], False, True, None, F.avg_pool2d),
        ("avg_pool2d_pad_exclude", (1, 2, 7, 7), [3, 3], [2, 2], [1, 1], False, False, None, F.avg_pool2d),
        ("avg_pool2d_ceil", (1, 2, 8, 7), [3, 2], [2, 2], [1, 1], True, True, None, F.avg_pool2d),
        ("avg_pool2d_ceil_exclude", (1, 2, 8, 7), [3, 2], [2, 2], [1, 1], True, False, None, F.avg_pool2d),
        ("avg_pool2d_divisor", (1, 2, 6, 6), [2, 3], [2, 3], [1, 1], False, True, 3, F.avg_pool2d),
        ("avg_pool1d_ceil", (2, 2, 10), [3], [2], [1], True, True, None, F.avg_pool1d),
    ]
    for name, xs, k, s, p, ceil, include, divisor, fn in avg_specs:
        seed(name)
        x = torch.randn(*xs)
        if fn is F.avg_pool1d:
            y = fn(x, k, s, p, ceil_mode=ceil, count_include_pad=include)
        else:
            y = fn(x, k, s, p, ceil_mode=ceil, count_include_pad=include, divisor_override=divisor)
        out.append(single(name, "avg_pool", [("x", x)], y, kernel_size=k, stride=s, padding=p, ceil_mode=ceil,
                          count_include_pad=include, divisor_override=divisor or 0))
    return out


# ---------------------------------------------------------------------------------------------
# Shape manipulation

def shape_cases():
    out = []
    seed("reshape")
    x = torch.randn(2, 3, 4)
    out.append(single("reshape", "reshape", [("x", x)], x.reshape(4, -1), shape=[4, -1]))
    seed("permute")
    x = torch.randn(2, 3, 4, 5)
    out.append(single("permute", "permute", [("x", x)], x.permute(2, 0, 3, 1), dims=[2, 0, 3, 1]))
    seed("expand")
    x = torch.randn(3, 1, 4)
    out.append(single("expand", "expand", [("x", x)], x.expand(2, 3, 5, 4), shape=[2, 3, 5, 4]))
    seed("expand_keep")
    x = torch.randn(3, 1)
    out.append(single("expand_keep", "expand", [("x", x)], x.expand(2, -1, 4), shape=[2, -1, 4]))
    seed("concat")
    a, b, c = torch.randn(2, 1, 3), torch.randn(2, 4, 3), torch.randn(2, 2, 3)
    out.append(single("concat", "concat", [("a", a), ("b", b), ("c", c)], torch.cat([a, b, c], 1), dim=1))
    seed("concat_neg_dim")
    a, b = torch.randn(2, 3), torch.randn(2, 2)
    out.append(single("concat_neg_dim", "concat", [("a", a), ("b", b)], torch.cat([a, b], -1), dim=-1))
    seed("slice_step")
    x = torch.randn(3, 10, 2)
    out.append(single("slice_step", "slice", [("x", x)], x[:, 1:8:3], dim=1, start=1, end=8, step=3))
    seed("slice_neg_start")
    x = torch.randn(3, 10)
    out.append(single("slice_neg_start", "slice", [("x", x)], x[:, -7::2], dim=-1, start=-7, end=INT64_MAX, step=2))
    seed("slice_clamped")
    x = torch.randn(6, 4)
    out.append(single("slice_clamped", "slice", [("x", x)], x[-100:-2], dim=0, start=-100, end=-2, step=1))
    return out


# ---------------------------------------------------------------------------------------------
# Reductions, softmax

def reduce_cases():
    out = []
    specs = [
        # name, op, dims, keepdim, fn
        ("reduce_sum", "reduce_sum", [1], False, lambda x, d, k: torch.sum(x, d, k)),
        ("reduce_sum_keepdim", "reduce_sum", [0, 2], True, lambda x, d, k: torch.sum(x, d, k)),
        ("reduce_sum_all", "reduce_sum", [], False, lambda x, d, k: torch.sum(x)),
        ("reduce_mean", "reduce_mean", [-1], True, lambda x, d, k: torch.mean(x, d, k)),
        ("reduce_mean_multi", "reduce_mean", [0, 2], False, lambda x, d, k: torch.mean(x, d, k)),
        ("reduce_max", "reduce_max", [1], False, lambda x, d, k: torch.amax(x, d, k)),
        ("reduce_max_keepdim", "reduce_max", [0, -1], True, lambda x, d, k: torch.amax(x, d, k)),
        ("reduce_min", "reduce_min", [2], False, lambda x, d, k: torch.amin(x, d, k)),
        ("reduce_prod", "reduce_prod", [0], False, lambda x, d, k: torch.prod(x, d[0], k)),
        ("reduce_prod_keepdim", "reduce_prod", [1], True, lambda x, d, k: torch.prod(x, d[0], k)),
    ]
    for name, op, dims, keepdim, fn in specs:
        seed(name)
        x = torch.randn(3, 4, 5)
        if op == "reduce_prod":
            x = torch.sign(x) * (0.5 + torch.rand(3, 4, 5))  # products stay O(1)
        out.append(single(name, op, [("x", x)], fn(x, dims, keepdim), dims=dims, keepdim=keepdim))
    seed("reduce_sum_i64")
    x = torch.randint(-10, 11, (3, 4), dtype=torch.int64)
    out.append(single("reduce_sum_i64", "reduce_sum", [("x", x)], torch.sum(x, [1]), dims=[1], keepdim=False))
    seed("reduce_max_nan")
    x = torch.randn(3, 4)
    x[1, 2] = float("nan")
    out.append(single("reduce_max_nan", "reduce_max", [("x", x)], torch.amax(x, [1]), dims=[1], keepdim=False))

    for op, fn, npfn in [("argmax", torch.argmax, np.argmax), ("argmin", torch.argmin, np.argmin)]:
        for dim, keepdim in [(1, False), (-1, True)]:
            name = "%s_dim%d%s" % (op, dim, "_keepdim" if keepdim else "")
            name = name.replace("-", "neg")
            seed(name)
            # Small integers, so ties occur: the first index wins.
            x = torch.randint(-3, 4, (3, 5, 4)).to(torch.float32)
            y = fn(x, dim, keepdim)
            ref = torch.from_numpy(npfn(x.numpy(), axis=dim))
            if keepdim:
                ref = ref.unsqueeze(dim)
            assert torch.equal(y, ref), "%s: torch does not return the first index on ties" % name
            out.append(single(name, op, [("x", x)], y, dim=dim, keepdim=keepdim))

    for op, fn in [("softmax", F.softmax), ("log_softmax", F.log_softmax)]:
        for dim in [1, -1, 0]:
            name = "%s_dim%d" % (op, dim)
            name = name.replace("-", "neg")
            seed(name)
            x = torch.randn(3, 4, 5) * 3.0
            x[0, 0, :] += 100.0  # large logits: a naive exp(x) overflows f32 (above ~88.7)
            out.append(single(name, op, [("x", x)], fn(x, dim=dim), dim=dim))
    return out


def constant_cases():
    out = []
    c = Case("constant")
    values = [1.5, -2.0, 0.0, 3.25, 1e-3, -7.0]
    y = torch.tensor(values).reshape(2, 3)
    c.output(c.node("constant", [], y, dtype=DType("f32"), shape=[2, 3], value=floats(*values)), y)
    out.append(c)
    c = Case("constant_splat")
    y = torch.full((3, 2), 7, dtype=torch.int64)
    c.output(c.node("constant", [], y, dtype=DType("i64"), shape=[3, 2], value=floats(7.0)), y)
    out.append(c)
    return out


def chain_cases():
    """A few multi-node graphs: values flowing between ops of different kinds."""
    out = []
    seed("chain_where_gt")
    c = Case("chain_where_gt")
    x = torch.randn(3, 4)
    t = torch.zeros(1)
    xv, tv = c.input("x", x), c.input("threshold", t)
    gt = c.node("gt", [xv, tv], x > t)
    neg = c.node("neg", [xv], -x)
    y = torch.where(x > t, x, -x)
    c.output(c.node("where", [gt, xv, neg], y), y)
    out.append(c)
    return out


# ---------------------------------------------------------------------------------------------
# Model case: mlp (hand-written graph)

def mlp_case():
    name = "mlp"
    seed(name)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10))
    model.eval()
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    kir_path = os.path.join(CASES_DIR, "mlp.kir")
    with open(kir_path) as f:
        text = f.read()
    kir_params = re.findall(r"^\s*param\s+%(\S+)\s*:", text, re.M)
    if sorted(kir_params) != sorted(state):
        sys.exit("mlp.kir params %s do not match the state_dict keys %s" % (sorted(kir_params), sorted(state)))
    kir_inputs = re.findall(r"^\s*input\s+%(\S+)\s*:", text, re.M)
    kir_outputs = re.findall(r"^\s*output\s+(\S+)\s*=", text, re.M)
    if kir_inputs != ["input"] or kir_outputs != ["output"]:
        sys.exit("mlp.kir must have one input `input` and one output `output`")
    x = torch.randn(4, 1, 28, 28)
    with torch.no_grad():
        y = model(x)
    tensors = dict(state)
    tensors["input"] = x
    tensors["expected.output"] = y
    write_safetensors(os.path.join(CASES_DIR, "mlp.safetensors"), tensors, metadata(name))
    write_safetensors(os.path.join(CASES_DIR, "mlp.weights.safetensors"), state, metadata(name))
    write_safetensors(os.path.join(CASES_DIR, "mlp.input.safetensors"), {"input": x}, metadata(name))


# ---------------------------------------------------------------------------------------------

def main():
    torch.set_num_threads(1)  # the same reduction order on every machine
    os.makedirs(CASES_DIR, exist_ok=True)
    groups = [unary_cases, clamp_cases, cast_cases, binary_cases, compare_cases, matmul_cases, conv_cases,
              pool_cases, shape_cases, reduce_cases, constant_cases, chain_cases]
    written = set()
    for group in groups:
        for c in group():
            assert c.name not in written, "duplicate case " + c.name
            written.add(c.name)
            c.write()
    mlp_case()
    written.add("mlp")
    # Remove stale generated cases (files whose case no longer exists); mlp.kir is hand-written.
    for f in sorted(os.listdir(CASES_DIR)):
        base = f.split(".")[0]
        if base not in written:
            os.remove(os.path.join(CASES_DIR, f))
            print("removed stale", f)
    print("wrote %d cases to %s" % (len(written), CASES_DIR))


if __name__ == "__main__":
    main()
