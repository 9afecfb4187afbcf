#!/usr/bin/env python3
"""kiln's side-by-side CPU benchmark (driven by bench/run.sh; see bench/README.md).

One process runs every contender on the same inputs with the same thread count, alternating:
  kiln         the artifact libNAME.so from `kiln compile`, called through its C ABI
               (docs/embedding.md) with ctypes: NAME_create(num_threads=T), NAME_run
  eager        the PyTorch twin, model(x) under torch.no_grad()
  torchscript  torch.jit.trace + torch.jit.freeze + torch.jit.optimize_for_inference
  onnxruntime  torch.onnx.export of the twin, CPUExecutionProvider, intra-op threads T,
               run through an IOBinding with preallocated outputs (least Python overhead)
The twins are torch.nn models of the same architecture (torchvision's resnet18/mobilenet_v2,
tests/golden's mlp/lenet5/lstm); kiln compiles the twin's own state_dict (exported to
safetensors with tests/golden/generate.py's writer), so every contender computes the same
function on the same weights. Outputs are compared with eager's before timing.

Timing: per case, every contender is warmed up, then R rounds run; each round runs a block of
calls of every contender in a rotated order. Each call is timed alone (perf_counter_ns); the
JSON keeps the median, min, max, mean and count of each. Writes --out (JSON); bench/report.py
turns it into docs/PERFORMANCE.md and docs/performance.png.
"""

import argparse
import ctypes
import gc
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
import traceback
import warnings
import zlib

import numpy as np
import torch
import torch.nn as nn
import torchvision

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True  # no __pycache__ in tests/golden
sys.path.insert(0, os.path.join(REPO, "tests", "golden"))
from generate import write_safetensors  # noqa: E402
from gen_models import LeNet5, mlp as make_mlp  # noqa: E402
from gen_lstm_model import LSTMLanguageModel  # noqa: E402

try:
    import onnxruntime as ort
except Exception as e:  # reported, the run goes on without it
    ort = None
    ORT_IMPORT_ERROR = "%s: %s" % (type(e).__name__, e)
else:
    ORT_IMPORT_ERROR = None

CONTENDERS = ["kiln", "eager", "torchscript", "onnxruntime"]
PEERS = CONTENDERS[1:]


def log(*args):
    print("[bench]", *args, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# The twins


class ConvBnRelu(nn.Module):
    """conv3x3 64->64 (pad 1, no bias) + BatchNorm2d + ReLU, as in a resnet basic block."""

    def __init__(self, channels=64):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(channels)
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.relu(self.bn(self.conv(x)))


class MatMul(nn.Module):
    """a @ b with b a constant (a parameter): the one-node sgemm graph."""

    def __init__(self, n):
        super().__init__()
        self.b = nn.Parameter(torch.randn(n, n) / math.sqrt(n))

    def forward(self, a):
        return torch.matmul(a, self.b)


CONV_BN_RELU_KIR = """# Written by bench/bench.py: the graph kiln's frontend traces for ConvBnRelu (eval mode).
graph conv_bn_relu {
  input %input : f32[1,64,56,56]
  param %conv.weight : f32[64,64,3,3]
  param %bn.running_mean : f32[64]
  param %bn.running_var : f32[64]
  param %bn.weight : f32[64]
  param %bn.bias : f32[64]
  %0 = conv(%input, %conv.weight) {dilation=[1,1], groups=1, padding=[1,1], stride=[1,1]} : f32[1,64,56,56]
  %1 = reshape(%bn.running_mean) {shape=[1,64,1,1]} : f32[1,64,1,1]
  %2 = sub(%0, %1) : f32[1,64,56,56]
  %3 = reshape(%bn.running_var) {shape=[1,64,1,1]} : f32[1,64,1,1]
  %4 = constant() {dtype=f32, shape=[], value=[9.999999747378752e-06]} : f32[]
  %5 = add(%3, %4) : f32[1,64,1,1]
  %6 = sqrt(%5) : f32[1,64,1,1]
  %7 = div(%2, %6) : f32[1,64,56,56]
  %8 = reshape(%bn.weight) {shape=[1,64,1,1]} : f32[1,64,1,1]
  %9 = mul(%7, %8) : f32[1,64,56,56]
  %10 = reshape(%bn.bias) {shape=[1,64,1,1]} : f32[1,64,1,1]
  %11 = add(%9, %10) : f32[1,64,56,56]
  %12 = relu(%11) : f32[1,64,56,56]
  output output = %12
}
"""

SGEMM_KIR = """# Written by bench/bench.py: C[n,n] = A[n,n] @ B[n,n], B a constant.
graph sgemm_{n} {{
  input %a : f32[{n},{n}]
  param %b : f32[{n},{n}]
  %0 = matmul(%a, %b) : f32[{n},{n}]
  output output = %0
}}
"""


def seeded(name, ctor):
    torch.manual_seed(zlib.crc32(name.encode("utf-8")))
    m = ctor()
    if isinstance(m, ConvBnRelu):  # non-trivial running statistics, so BN is not an identity
        with torch.no_grad():
            m.bn.running_mean.uniform_(-0.2, 0.2)
            m.bn.running_var.uniform_(0.5, 1.5)
            m.bn.weight.uniform_(0.5, 1.5)
            m.bn.bias.uniform_(-0.2, 0.2)
    return m.eval()


# Each artifact: how to build the twin and how kiln compiles it. `kiln` is either
# ("model", NAME, extra flags) for `kiln compile --model NAME --weights STATE_DICT`, or
# ("kir", TEXT, {param name: state_dict key}) for `kiln compile FILE.kir --weights W`.
ARTIFACTS = {
    "mlp": (make_mlp, ("model", "mlp", ["--max-batch", "64"])),
    "lenet5": (LeNet5, ("model", "lenet5", ["--max-batch", "64"])),
    "resnet18": (torchvision.models.resnet18, ("model", "resnet18", ["--max-batch", "8"])),
    "mobilenet_v2": (torchvision.models.mobilenet_v2, ("model", "mobilenet_v2", ["--max-batch", "1"])),
    "lstm": (LSTMLanguageModel, ("model", "lstm", ["--max-batch", "8", "--max-dim", "T=32"])),
    "conv_bn_relu": (ConvBnRelu, ("kir", CONV_BN_RELU_KIR, None)),
}
for _n in (256, 512, 1024, 2048):
    ARTIFACTS["sgemm_%d" % _n] = ((lambda n=_n: MatMul(n)), ("kir", SGEMM_KIR.format(n=_n), None))

# name, artifact, input shape, input kind, FLOPs of one call (None: not reported), iteration scale
CASES = [
    ("mlp_b1", "mlp", [1, 1, 28, 28], "f32", None),
    ("mlp_b64", "mlp", [64, 1, 28, 28], "f32", None),
    ("lenet5_b1", "lenet5", [1, 1, 28, 28], "f32", None),
    ("lenet5_b64", "lenet5", [64, 1, 28, 28], "f32", None),
    ("resnet18_b1", "resnet18", [1, 3, 224, 224], "f32", None),
    ("resnet18_b8", "resnet18", [8, 3, 224, 224], "f32", None),
    ("mobilenet_v2_b1", "mobilenet_v2", [1, 3, 224, 224], "f32", None),
    ("lstm_t32_b8", "lstm", [32, 8], "tokens", None),
    ("conv_bn_relu", "conv_bn_relu", [1, 64, 56, 56], "f32", 2 * 64 * 64 * 9 * 56 * 56),
] + [("sgemm_%d" % n, "sgemm_%d" % n, [n, n], "f32", 2 * n ** 3) for n in (256, 512, 1024, 2048)]


def make_input(case, shape, kind):
    rng = np.random.default_rng(zlib.crc32(case.encode("utf-8")))
    if kind == "tokens":
        return rng.integers(0, 10000, size=shape, dtype=np.int64)
    return rng.standard_normal(shape, dtype=np.float32)


# ---------------------------------------------------------------------------------------------
# kiln through its C ABI


class KilnTensor(ctypes.Structure):
    _fields_ = [("dtype", ctypes.c_int32), ("rank", ctypes.c_int32), ("dims", ctypes.c_int64 * 8),
                ("data", ctypes.c_void_p), ("capacity", ctypes.c_size_t)]


class KilnOptions(ctypes.Structure):
    _fields_ = [("num_threads", ctypes.c_int32), ("pool", ctypes.c_void_p), ("weights_path", ctypes.c_char_p)]


_KILN_DTYPES = {np.dtype(np.float32): 0, np.dtype(np.int64): 4}


def kiln_tensor(a):
    t = KilnTensor()
    t.dtype = _KILN_DTYPES[a.dtype]
    t.rank = a.ndim
    for i, d in enumerate(a.shape):
        t.dims[i] = d
    t.data = a.ctypes.data
    t.capacity = a.nbytes
    return t


class KilnArtifact:
    def __init__(self, so_path, name, threads):
        self.so_path = so_path
        self.lib = ctypes.CDLL(so_path, mode=os.RTLD_NOW | os.RTLD_LOCAL)
        self.name = name
        self.create = getattr(self.lib, name + "_create")
        self.create.argtypes = [ctypes.POINTER(KilnOptions), ctypes.POINTER(ctypes.c_void_p)]
        self.create.restype = ctypes.c_int
        self.run = getattr(self.lib, name + "_run")
        self.run.argtypes = [ctypes.c_void_p, ctypes.POINTER(KilnTensor), ctypes.c_int32,
                             ctypes.POINTER(KilnTensor), ctypes.c_int32]
        self.run.restype = ctypes.c_int
        self.destroy = getattr(self.lib, name + "_destroy")
        self.destroy.argtypes = [ctypes.c_void_p]
        self.last_error = getattr(self.lib, name + "_last_error")
        self.last_error.restype = ctypes.c_char_p
        opts = KilnOptions()
        opts.num_threads = threads
        self.ctx = ctypes.c_void_p()
        if self.create(ctypes.byref(opts), ctypes.byref(self.ctx)) != 0:
            raise RuntimeError("%s_create: %s" % (name, self.last_error().decode()))

    def runner(self, x, out_shape, out_dtype=np.float32):
        """A zero-argument callable running the artifact on x into a preallocated output."""
        out = np.empty(out_shape, dtype=out_dtype)
        ins = (KilnTensor * 1)(kiln_tensor(x))
        outs = (KilnTensor * 1)(kiln_tensor(out))
        run, ctx = self.run, self.ctx
        last_error = self.last_error

        def call():
            status = run(ctx, ins, 1, outs, 1)
            if status != 0:
                raise RuntimeError("run failed (%d): %s" % (status, last_error().decode()))
            return out

        return call


# ---------------------------------------------------------------------------------------------
# Timing


def warmup(fn, min_calls=3, min_s=0.3, max_calls=50):
    times = []
    start = time.perf_counter()
    while len(times) < min_calls or (time.perf_counter() - start < min_s and len(times) < max_calls):
        t0 = time.perf_counter_ns()
        fn()
        times.append((time.perf_counter_ns() - t0) * 1e-6)
    return statistics.median(times[-min(len(times), 5):])


def measure(fns, budget_s, min_samples, max_samples, max_rounds=10):
    """fns: {contender: callable}. Alternates blocks of calls; returns {contender: [ms, ...]}."""
    names = list(fns)
    est = {n: warmup(fns[n]) for n in names}
    want = {n: int(max(min_samples, min(max_samples, budget_s * 1e3 / max(est[n], 1e-3)))) for n in names}
    rounds = max(1, min(max_rounds, min(want.values())))
    block = {n: int(math.ceil(want[n] / rounds)) for n in names}
    samples = {n: [] for n in names}
    gc.disable()
    try:
        for r in range(rounds):
            order = names[r % len(names):] + names[:r % len(names)]
            if (r // len(names)) % 2:  # also reverse the order every other cycle
                order.reverse()
            for n in order:
                fn = fns[n]
                s = samples[n]
                for _ in range(block[n]):
                    t0 = time.perf_counter_ns()
                    fn()
                    s.append((time.perf_counter_ns() - t0) * 1e-6)
    finally:
        gc.enable()
    return samples, rounds


def summarize(ms):
    ms = sorted(ms)
    return {"median_ms": statistics.median(ms), "min_ms": ms[0], "max_ms": ms[-1],
            "mean_ms": statistics.fmean(ms), "p10_ms": ms[int(0.1 * (len(ms) - 1))],
            "p90_ms": ms[int(0.9 * (len(ms) - 1))], "count": len(ms)}


# ---------------------------------------------------------------------------------------------
# Peak: numpy/OpenBLAS sgemm at 1 and T threads


def blas_info():
    try:
        from threadpoolctl import threadpool_info
        return [{k: v for k, v in d.items() if k in ("internal_api", "version", "architecture", "threading_layer",
                                                        "num_threads", "filepath")} for d in threadpool_info()]
    except Exception as e:
        return [{"error": "threadpoolctl: %s" % e}]


def measure_peak(threads, n, reps):
    from threadpoolctl import threadpool_limits
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    c = np.empty((n, n), dtype=np.float32)
    out = {}
    for t in sorted({1, threads}):
        with threadpool_limits(limits=t, user_api="blas"):
            np.matmul(a, b, out=c)  # warm
            times = []
            for _ in range(reps):
                t0 = time.perf_counter()
                np.matmul(a, b, out=c)
                times.append(time.perf_counter() - t0)
        flops = 2.0 * n ** 3
        out[str(t)] = {"n": n, "best_s": min(times), "median_s": statistics.median(times),
                       "gflops_best": flops / min(times) / 1e9, "gflops_median": flops / statistics.median(times) / 1e9}
        log("peak: numpy/OpenBLAS sgemm %d, %d thread(s): %.1f GFLOP/s (best of %d)" % (
            n, t, out[str(t)]["gflops_best"], reps))
    return out


# ---------------------------------------------------------------------------------------------
# Building the contenders


def compile_kiln(args, art_name, model, kiln_spec, work):
    """Exports the twin's weights and compiles them with kiln. Returns (so path, info)."""
    d = os.path.join(work, art_name)
    os.makedirs(d, exist_ok=True)
    state = model.state_dict()
    kind = kiln_spec[0]
    if kind == "model":
        weights = os.path.join(d, art_name + ".state_dict.safetensors")
        write_safetensors(weights, dict(state), {"model": art_name, "torch": torch.__version__})
        cmd = [args.kiln, "compile", "--model", kiln_spec[1], "--weights", weights] + kiln_spec[2]
    else:
        kir = os.path.join(d, art_name + ".kir")
        with open(kir, "w") as f:
            f.write(kiln_spec[1])
        params = {k: v for k, v in state.items() if not k.endswith("num_batches_tracked")}
        weights = os.path.join(d, art_name + ".safetensors")
        write_safetensors(weights, params, {"graph": art_name})
        cmd = [args.kiln, "compile", kir, "--weights", weights]
    out_dir = os.path.join(d, "artifact")
    shutil.rmtree(out_dir, ignore_errors=True)  # never time a stale artifact
    cmd += ["-o", out_dir, "--name", art_name, "--threads", str(args.threads), "--cpu", args.kiln_cpu]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    secs = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError("kiln compile failed (%d): %s\n%s" % (p.returncode, " ".join(cmd), p.stderr.strip()))
    so = os.path.join(out_dir, "lib%s.so" % art_name)
    info = {"command": " ".join(os.path.relpath(c, REPO) if c.startswith(REPO) else c for c in cmd),
            "compile_s": secs, "so_bytes": os.path.getsize(so), "message": (p.stdout + p.stderr).strip()}
    return so, info


def kiln_code_size(args, art_name, kiln_spec, work):
    """The .so without weights (--external-weights) and that compile's time."""
    d = os.path.join(work, art_name)
    weights = os.path.join(d, art_name + ".state_dict.safetensors")
    out_dir = os.path.join(d, "external")
    shutil.rmtree(out_dir, ignore_errors=True)
    cmd = [args.kiln, "compile", "--model", kiln_spec[1], "--weights", weights] + kiln_spec[2] + [
        "-o", out_dir, "--name", art_name, "--threads", str(args.threads), "--cpu", args.kiln_cpu,
        "--external-weights"]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    secs = time.perf_counter() - t0
    if p.returncode != 0:
        return {"error": p.stderr.strip()}
    return {"so_bytes_without_weights": os.path.getsize(os.path.join(out_dir, "lib%s.so" % art_name)),
            "compile_s": secs}


def kiln_bench(args, so, batch, median_ms, extra=()):
    """`kiln bench` on the artifact (its own C loop, seeded random inputs, not alternated): a
    cross-check of the ctypes numbers. Returns its median/min/max in ms."""
    iters = int(max(5, min(200, 1000.0 / max(median_ms, 1e-3))))
    cmd = [args.kiln, "bench", so, "--threads", str(args.threads), "--batch", str(batch), "--iterations", str(iters),
           "--warmup", "3"] + list(extra)
    p = subprocess.run(cmd, capture_output=True, text=True)
    m = re.search(r"median ([0-9.]+) ms, min ([0-9.]+) ms, max ([0-9.]+) ms", p.stdout)
    if p.returncode != 0 or not m:
        return {"error": (p.stdout + p.stderr).strip()}
    return {"median_ms": float(m.group(1)), "min_ms": float(m.group(2)), "max_ms": float(m.group(3)), "count": iters}


def torchscript_of(model, example):
    with torch.no_grad():
        traced = torch.jit.trace(model, (example,), check_trace=False)
        frozen = torch.jit.freeze(traced.eval())
        return torch.jit.optimize_for_inference(frozen)


def onnx_session(args, model, example, path):
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (example,), path, input_names=["input"], output_names=["output"],
                          opset_version=args.opset, do_constant_folding=True)
    so = ort.SessionOptions()
    so.intra_op_num_threads = args.threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.add_session_config_entry("session.intra_op.allow_spinning", "1" if args.ort_spinning else "0")
    return ort.InferenceSession(path, sess_options=so, providers=["CPUExecutionProvider"])


def ort_runner(sess, x, out_shape):
    out = np.empty(out_shape, dtype=np.float32)
    binding = sess.io_binding()
    binding.bind_cpu_input(sess.get_inputs()[0].name, x)
    binding.bind_output(sess.get_outputs()[0].name, "cpu", 0, np.float32, list(out_shape), out.ctypes.data)
    run = sess.run_with_iobinding

    def call():
        run(binding)
        return out

    return call


def torch_runner(module, x):
    t = torch.from_numpy(x)

    def call():
        with torch.no_grad():
            return module(t)

    return call


def as_numpy(y):
    if isinstance(y, torch.Tensor):
        return y.detach().numpy()
    return np.asarray(y)


def compare(got, ref):
    got, ref = as_numpy(got).astype(np.float64), as_numpy(ref).astype(np.float64)
    if got.shape != ref.shape:
        return {"ok": False, "error": "shape %s vs %s" % (list(got.shape), list(ref.shape))}
    diff = float(np.max(np.abs(got - ref)))
    scale = float(np.max(np.abs(ref))) or 1.0
    return {"max_abs_diff": diff, "max_abs_ref": scale, "rel": diff / scale, "ok": diff / scale <= 1e-3}


# ---------------------------------------------------------------------------------------------


def machine_info():
    info = {"platform": platform.platform(), "python": platform.python_version(), "nproc": os.cpu_count()}
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for key in ("Model name", "CPU family", "Model", "Hypervisor vendor", "L1d cache", "L2 cache", "L3 cache"):
            m = re.search(r"^%s:\s*(.*)$" % re.escape(key), lscpu, re.M)
            if m:
                info[key] = m.group(1).strip()
        flags = re.search(r"^Flags:\s*(.*)$", lscpu, re.M)
        if flags:
            fl = flags.group(1).split()
            info["isa"] = [f for f in ("avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_bf16", "avx512_vnni")
                           if f in fl]
    except Exception:
        pass
    try:
        with open("/proc/meminfo") as f:
            info["mem_total"] = f.readline().split(":")[1].strip()
    except Exception:
        pass
    return info


def loadavg():
    try:
        return os.getloadavg()
    except Exception:
        return None


def git_info():
    def git(*a):
        return subprocess.run(["git", "-C", REPO] + list(a), capture_output=True, text=True).stdout.strip()
    status = git("status", "--porcelain")
    return {"commit": git("rev-parse", "HEAD"), "describe": git("log", "-1", "--format=%h %s"),
            "uncommitted_files": len([l for l in status.splitlines() if l.strip()])}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kiln", required=True, help="the kiln binary")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--work", required=True, help="scratch directory (artifacts, weights, onnx files)")
    ap.add_argument("--out", required=True, help="JSON results")
    ap.add_argument("--cases", default="", help="comma-separated case names or prefixes (default: all)")
    ap.add_argument("--budget", type=float, default=2.0, help="seconds of timed calls per contender per case")
    ap.add_argument("--min-samples", type=int, default=7)
    ap.add_argument("--max-samples", type=int, default=1000)
    ap.add_argument("--kiln-cpu", default="native", help="kiln compile --cpu")
    ap.add_argument("--opset", type=int, default=17)
    ap.add_argument("--ort-spinning", action="store_true", help="let ONNX Runtime's workers spin (default off)")
    ap.add_argument("--peak-n", type=int, default=4096)
    ap.add_argument("--command", default="", help="the command line to record")
    ap.add_argument("--contenders", default=",".join(CONTENDERS), help="comma-separated subset of " + ",".join(CONTENDERS))
    ap.add_argument("--kiln-source", default="",
                    help="where --kiln was built from, when not from this tree (recorded in place of git state)")
    ap.add_argument("--no-peak", action="store_true", help="skip the peak sgemm measurement")
    ap.add_argument("--reuse-artifacts", action="store_true",
                    help="load kiln artifacts already in --work instead of compiling (a second pass of one run)")
    args = ap.parse_args()
    args.kiln = os.path.abspath(args.kiln)

    torch.set_num_threads(args.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    os.makedirs(args.work, exist_ok=True)
    wanted = [c for c in args.cases.split(",") if c]
    cases = [c for c in CASES if not wanted or any(c[0] == w or c[0].startswith(w) for w in wanted)]

    started = time.time()
    result = {
        "schema": 1,
        "started": time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(started)),
        "command": args.command,
        "threads": args.threads,
        "settings": {"budget_s": args.budget, "min_samples": args.min_samples, "max_samples": args.max_samples,
                     "kiln_cpu": args.kiln_cpu, "onnx_opset": args.opset, "ort_spinning": args.ort_spinning,
                     "env": {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OMP_WAIT_POLICY", "OPENBLAS_CORETYPE",
                                                            "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS")}},
        "machine": machine_info(),
        "loadavg_start": loadavg(),
        "versions": {"kiln": git_info(), "torch": torch.__version__, "torchvision": torchvision.__version__,
                     "numpy": np.__version__, "onnxruntime": ort.__version__ if ort else None,
                     "python": platform.python_version(), "torch_threads": torch.get_num_threads()},
        "notes": [],
        "cases": {},
    }
    if args.kiln_source:
        result["versions"]["kiln"]["built_from"] = args.kiln_source
    result["versions"]["kiln"]["binary"] = args.kiln
    try:
        import onnx
        result["versions"]["onnx"] = onnx.__version__
    except Exception:
        result["versions"]["onnx"] = None
    if ort is None:
        result["notes"].append("onnxruntime is not available (%s): its column is empty." % ORT_IMPORT_ERROR)
        log("onnxruntime unavailable:", ORT_IMPORT_ERROR)
    result["versions"]["blas"] = blas_info()

    contenders = [c for c in args.contenders.split(",") if c]
    for c in contenders:
        if c not in CONTENDERS:
            ap.error("unknown contender %r" % c)
    result["contenders"] = contenders
    peak_runs = []

    def peak(when):
        if args.no_peak:
            return
        log("peak sgemm (numpy/OpenBLAS), %s" % when)
        try:
            peak_runs.append(dict(measure_peak(args.threads, args.peak_n, 3), when=when))
        except Exception as e:
            peak_runs.append({"error": "%s: %s" % (type(e).__name__, e), "when": when})
            log("peak failed:", e)

    peak("at the start")

    twins, artifacts, compile_info, onnx_cache = {}, {}, {}, {}
    for case, art, shape, kind, flops in cases:
        log("== %s" % case)
        entry = {"artifact": art, "input_shape": shape, "flops": flops, "errors": {}}
        result["cases"][case] = entry
        ctor, kiln_spec = ARTIFACTS[art]
        if art not in twins:
            twins[art] = seeded(art, ctor)
        model = twins[art]
        x = make_input(case, shape, kind)
        xt = torch.from_numpy(x)
        with torch.no_grad():
            ref = model(xt).numpy().copy()
        out_shape = ref.shape
        fns = {}
        # kiln
        try:
            if "kiln" not in contenders:
                pass
            elif art not in artifacts and args.reuse_artifacts:
                so = os.path.join(args.work, art, "artifact", "lib%s.so" % art)
                compile_info[art] = {"reused": so}
                artifacts[art] = KilnArtifact(so, art, args.threads)
            elif art not in artifacts:
                so, info = compile_kiln(args, art, model, kiln_spec, args.work)
                if art == "resnet18":
                    info["external_weights"] = kiln_code_size(args, art, kiln_spec, args.work)
                compile_info[art] = info
                artifacts[art] = KilnArtifact(so, art, args.threads)
                log("kiln: %s" % info["message"].splitlines()[-1])
            if "kiln" in contenders:
                entry["kiln_compile"] = compile_info[art]
                fns["kiln"] = artifacts[art].runner(x, out_shape)
        except Exception as e:
            entry["errors"]["kiln"] = "%s: %s" % (type(e).__name__, e)
            log("kiln failed:", e)
        if "eager" in contenders:
            fns["eager"] = torch_runner(model, x)
        try:
            if "torchscript" in contenders:
                fns["torchscript"] = torch_runner(torchscript_of(model, xt), x)
        except Exception as e:
            entry["errors"]["torchscript"] = "%s: %s" % (type(e).__name__, e)
            log("torchscript failed:", e)
        if ort is not None and "onnxruntime" in contenders:
            try:
                path = os.path.join(args.work, art, "%s_%s.onnx" % (art, "x".join(map(str, shape))))
                os.makedirs(os.path.dirname(path), exist_ok=True)
                fns["onnxruntime"] = ort_runner(onnx_session(args, model, xt, path), x, out_shape)
            except Exception as e:
                entry["errors"]["onnxruntime"] = "%s: %s" % (type(e).__name__, e)
                log("onnxruntime failed:", e)
        # Same function? (also the first, cold, call of each)
        entry["check"] = {}
        for n in list(fns):
            try:
                entry["check"][n] = compare(fns[n](), ref)
                if not entry["check"][n]["ok"]:
                    log("WARNING: %s differs from eager on %s: %s" % (n, case, entry["check"][n]))
            except Exception as e:
                entry["errors"][n] = "%s: %s" % (type(e).__name__, e)
                log("%s failed on its first run: %s" % (n, e))
                del fns[n]
        fns = {n: fns[n] for n in CONTENDERS if n in fns}
        t0 = time.perf_counter()
        samples, rounds = measure(fns, args.budget, args.min_samples, args.max_samples)
        entry["rounds"] = rounds
        entry["seconds"] = time.perf_counter() - t0
        entry["results"] = {n: summarize(s) for n, s in samples.items()}
        # kiln's own C timing loop as a cross-check
        if "kiln" in entry["results"] and not args.reuse_artifacts:
            if art == "lstm":  # tokens [T, N]
                batch, extra = shape[1], ["--dim", "T=%d" % shape[0]]
            else:
                batch, extra = (shape[0] if kiln_spec[0] == "model" else 1), []
            entry["kiln_bench"] = kiln_bench(args, artifacts[art].so_path, batch,
                                             entry["results"]["kiln"]["median_ms"], extra)
        line = "  ".join("%s %.4g ms" % (n, entry["results"][n]["median_ms"]) for n in fns)
        log("%s (%d rounds, %.1f s): %s" % (case, rounds, entry["seconds"], line))

    # The peak again: on a shared machine one measurement may have had a core taken away.
    peak("at the end")
    if peak_runs:
        result["peak_runs"] = peak_runs
        good = [r for r in peak_runs if "error" not in r]
        if good:
            result["peak"] = {t: max((r[t] for r in good), key=lambda x: x["gflops_best"])
                              for t in good[0] if t != "when"}
        else:
            result["peak"] = {"error": peak_runs[0]["error"]}
    # Release the kiln contexts before exit.
    for a in artifacts.values():
        a.destroy(a.ctx)
    result["loadavg_end"] = loadavg()
    result["total_s"] = time.time() - started
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1, sort_keys=False)
        f.write("\n")
    log("wrote %s (%.0f s)" % (args.out, result["total_s"]))


if __name__ == "__main__":
    try:
        main()
    except Exception:
        traceback.print_exc()
        sys.exit(1)
