#!/usr/bin/env bash
# kiln's side-by-side CPU benchmark: kiln's artifacts vs PyTorch eager, TorchScript and ONNX
# Runtime, in one run, alternating, warm, same threads, same inputs and weights.
#
#   bench/run.sh [--threads N] [--cases a,b,...] [--quick] [--no-install]
#
# Installs its peers (Debian: python3-torch/torchvision via tools/setup.sh --with-torch,
# libopenblas0-openmp, python3-matplotlib; PyPI: onnxruntime, onnx, threadpoolctl into the venv
# ~/.cache/kiln-bench-venv, which sees Debian's torch), builds kiln, runs bench/bench.py, and
# writes bench/results/latest.json (+ latest_omp_default.json, a second pass with spinning OpenMP),
# docs/PERFORMANCE.md and docs/performance.png.
# Environment: KILN=path/to/kiln (skip the Bazel build; KILN_SOURCE=text says what it was built
# from, for the report), KILN_BENCH_WORK=scratch dir
# (default ~/.cache/kiln-bench-work), KILN_BENCH_VENV (default ~/.cache/kiln-bench-venv).
# A full run takes 3-10 minutes on a 2-core machine (more under load). Not part of tools/test.sh.
set -euo pipefail

cd "$(dirname "$0")/.."
REPO="$PWD"

THREADS=2
CASES=""
QUICK=0
INSTALL=1
usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) THREADS="$2"; shift 2 ;;
    --threads=*) THREADS="${1#*=}"; shift ;;
    --cases) CASES="$2"; shift 2 ;;
    --cases=*) CASES="${1#*=}"; shift ;;
    --quick) QUICK=1; shift ;;
    --no-install) INSTALL=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench/run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case "$THREADS" in ''|*[!0-9]*|0) echo "bench/run.sh: --threads needs a positive integer" >&2; exit 2 ;; esac

say() { echo "[run.sh] $*" >&2; }
VENV="${KILN_BENCH_VENV:-$HOME/.cache/kiln-bench-venv}"
WORK="${KILN_BENCH_WORK:-$HOME/.cache/kiln-bench-work}"
SYS_PY=/usr/bin/python3
NOTES=()

# --- peers -----------------------------------------------------------------------------------
if [ "$INSTALL" -eq 1 ]; then
  tools/setup.sh --with-torch
  missing=()
  for p in libopenblas0-openmp python3-matplotlib python3-venv python3-pip; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
    # matplotlib only draws the chart: carry on without it
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" || {
      say "apt-get install ${missing[*]} failed; retrying without python3-matplotlib"
      $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        $(printf '%s\n' "${missing[@]}" | grep -v '^python3-matplotlib$')
    }
  fi

  if [ ! -x "$VENV/bin/python" ]; then
    say "creating $VENV (--system-site-packages: it sees Debian's torch)"
    "$SYS_PY" -m venv --system-site-packages "$VENV"
  fi
  if ! "$VENV/bin/python" -c "import onnxruntime, onnx, threadpoolctl" 2>/dev/null; then
    # Keep Debian's numpy (torch 1.13 is built against numpy 1.x): pin it for pip's resolver.
    constraints="$(mktemp)"
    "$SYS_PY" -c "import numpy; print('numpy==' + numpy.__version__)" > "$constraints"
    probe="$(mktemp -d)"
    if timeout 300 "$VENV/bin/pip" download -q --no-deps -d "$probe" threadpoolctl >/dev/null 2>&1; then
      "$VENV/bin/pip" install -q -c "$constraints" threadpoolctl || say "pip could not install threadpoolctl"
      "$VENV/bin/pip" install -q -c "$constraints" onnxruntime onnx ||
        say "pip could not install onnxruntime/onnx: continuing without ONNX Runtime"
    else
      say "pip download does not work here (no PyPI?): continuing without ONNX Runtime and threadpoolctl"
    fi
    rm -rf "$probe" "$constraints"
  fi
fi
PY="$VENV/bin/python"
[ -x "$PY" ] || PY="$SYS_PY"
"$PY" -c "import onnxruntime" 2>/dev/null || say "onnxruntime is not importable: its column will be empty"
"$PY" -c "import threadpoolctl" 2>/dev/null || say "threadpoolctl is not importable: no peak measurement"

# --- kiln ------------------------------------------------------------------------------------
if [ -z "${KILN:-}" ]; then
  say "building kiln"
  bazel build //tools/kiln >&2
  KILN="$REPO/bazel-bin/tools/kiln/kiln"
fi
[ -x "$KILN" ] || { echo "bench/run.sh: no kiln binary at $KILN" >&2; exit 1; }

# --- measure ---------------------------------------------------------------------------------
BENCH_ARGS=(--kiln "$KILN" --threads "$THREADS" --work "$WORK" --out bench/results/latest.json)
[ -n "${KILN_SOURCE:-}" ] && BENCH_ARGS+=(--kiln-source "$KILN_SOURCE")
[ -n "$CASES" ] && BENCH_ARGS+=(--cases "$CASES")
[ "$QUICK" -eq 1 ] && BENCH_ARGS+=(--budget 0.5 --min-samples 3 --peak-n 2048)
CMDLINE="bench/run.sh"
[ "$KILN" != "$REPO/bazel-bin/tools/kiln/kiln" ] && CMDLINE="KILN=$KILN $CMDLINE"
[ "$THREADS" != 2 ] && CMDLINE+=" --threads $THREADS"
[ -n "$CASES" ] && CMDLINE+=" --cases $CASES"
[ "$QUICK" -eq 1 ] && CMDLINE+=" --quick"
say "measuring ($THREADS threads); the environment's OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE are unset for this command only"
# OPENBLAS_CORETYPE/L2_SIZE hold OpenBLAS to AVX2 (a safety setting of this environment): unset
# here alone. OMP_WAIT_POLICY=PASSIVE: OpenMP workers must not spin (kiln's pool does not).
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
  OMP_NUM_THREADS="$THREADS" OPENBLAS_NUM_THREADS="$THREADS" OMP_WAIT_POLICY=PASSIVE \
  "$PY" bench/bench.py "${BENCH_ARGS[@]}" --command "$CMDLINE"

# A second, smaller pass: PyTorch with libgomp's default wait policy (OMP_WAIT_POLICY unset: its
# workers spin for a while after each parallel region, then sleep). PASSIVE above is what keeps PyTorch from stalling when a core is taken, but it costs
# PyTorch a futex wake-up per parallel region, which dominates the smallest models; this pass
# shows how much (kiln alternates with it again, in the same process, from the same artifacts).
rm -f bench/results/latest_omp_default.json
SECOND_CASES="mlp_b1,mlp_b64,lenet5_b1,lenet5_b64,mobilenet_v2_b1,resnet18_b1"
if [ -n "$CASES" ]; then
  SECOND_CASES="$("$PY" -c 'import sys
want = [w for w in sys.argv[2].split(",") if w]
print(",".join(c for c in sys.argv[1].split(",") if any(c == w or c.startswith(w) for w in want)))' "$SECOND_CASES" "$CASES")"
fi
if [ -n "$SECOND_CASES" ]; then
  say "second pass: PyTorch with OMP_WAIT_POLICY unset, libgomp's default ($SECOND_CASES)"
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE -u OMP_WAIT_POLICY \
    OMP_NUM_THREADS="$THREADS" OPENBLAS_NUM_THREADS="$THREADS" \
    "$PY" bench/bench.py --kiln "$KILN" --threads "$THREADS" --work "$WORK" \
    --out bench/results/latest_omp_default.json --cases "$SECOND_CASES" --contenders kiln,eager,torchscript \
    --no-peak --reuse-artifacts $([ "$QUICK" -eq 1 ] && echo "--budget 0.5 --min-samples 3") \
    --command "$CMDLINE (second pass)" || say "the second pass failed; the report omits it"
fi

"$PY" bench/report.py
say "done: bench/results/latest.json, docs/PERFORMANCE.md, docs/performance.png"
