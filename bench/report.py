#!/usr/bin/env python3
"""Turns bench/results/latest.json into docs/PERFORMANCE.md and docs/performance.png.

    python3 bench/report.py [--json bench/results/latest.json] [--md docs/PERFORMANCE.md]
                            [--png docs/performance.png]

Run by bench/run.sh after bench/bench.py; rerunning it alone regenerates both files from the
JSON (no measurement).
"""

import argparse
import json
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONTENDERS = ["kiln", "eager", "torchscript", "onnxruntime"]
PEERS = CONTENDERS[1:]
LABELS = {"kiln": "kiln", "eager": "PyTorch eager", "torchscript": "TorchScript", "onnxruntime": "ONNX Runtime"}
TICKS = {"mlp_b1": "mlp\nb1", "mlp_b64": "mlp\nb64", "lenet5_b1": "lenet5\nb1", "lenet5_b64": "lenet5\nb64",
         "resnet18_b1": "resnet18\nb1", "resnet18_b8": "resnet18\nb8", "mobilenet_v2_b1": "mobilenet_v2\nb1",
         "lstm_t32_b8": "lstm\nT32 b8", "conv_bn_relu": "conv_bn\n_relu"}
SHORT = {"eager": "eager", "torchscript": "TS", "onnxruntime": "ORT"}
CASE_LABELS = {
    "mlp_b1": "mlp, batch 1", "mlp_b64": "mlp, batch 64", "lenet5_b1": "lenet5, batch 1",
    "lenet5_b64": "lenet5, batch 64", "resnet18_b1": "resnet18, batch 1", "resnet18_b8": "resnet18, batch 8",
    "mobilenet_v2_b1": "mobilenet_v2, batch 1", "lstm_t32_b8": "lstm 2x256, seq 32, batch 8",
    "conv_bn_relu": "conv3x3 64→64 56x56 + BN + ReLU, batch 1",
    "sgemm_256": "sgemm 256", "sgemm_512": "sgemm 512", "sgemm_1024": "sgemm 1024", "sgemm_2048": "sgemm 2048",
}


def med(entry, c):
    r = entry.get("results", {}).get(c)
    return r["median_ms"] if r else None


def fmt_ms(v):
    if v is None:
        return "–"
    if v >= 100:
        return "%.0f" % v
    if v >= 10:
        return "%.1f" % v
    if v >= 1:
        return "%.2f" % v
    return "%.3f" % v


def fmt_ratio(v):
    if v is None:
        return "–"
    return "%.2f" % v if v < 10 else "%.1f" % v


def best_peer(entry):
    peers = [(med(entry, p), p) for p in PEERS if med(entry, p) is not None]
    return min(peers) if peers else (None, None)


def gflops(entry, c):
    m = med(entry, c)
    if m is None or not entry.get("flops"):
        return None
    return entry["flops"] / (m * 1e-3) / 1e9


def numpy_peak(data):
    p = data.get("peak", {})
    t = str(data["threads"])
    return p.get(t, {}).get("gflops_best") if isinstance(p, dict) else None


def peer_sgemm_best(data):
    """The fastest sgemm rate a peer reached in the run's sgemm cases: (GFLOP/s, who, case)."""
    best = (None, None, None)
    for case, e in data["cases"].items():
        if case.startswith("sgemm_"):
            for c in PEERS:
                g = gflops(e, c)
                if g and (best[0] is None or g > best[0]):
                    best = (g, c, case)
    return best


def peak2(data):
    """The machine's measured T-thread peak: the best sgemm rate seen in the run, numpy/OpenBLAS's
    dedicated measurement or a peer's sgemm case (on a shared machine either may have lost a core)."""
    vals = [v for v in (numpy_peak(data), peer_sgemm_best(data)[0]) if v]
    return max(vals) if vals else None


def targets(data):
    """Issue 8's targets: rows of (target, measured, met, gap text)."""
    cases = data["cases"]
    rows = []

    def latency_vs(case, peer_sel, factor, label):
        e = cases.get(case)
        if not e or med(e, "kiln") is None:
            rows.append((label, "not measured", None, ""))
            return
        k = med(e, "kiln")
        if peer_sel == "fastest":
            p, who = best_peer(e)
        else:
            p, who = med(e, peer_sel), peer_sel
        if p is None:
            rows.append((label, "peer not measured", None, ""))
            return
        ratio = k / p
        need = factor * p
        met = k <= need
        gap = "" if met else "needs ≤ %s ms, is %s ms: %.1fx too slow" % (fmt_ms(need), fmt_ms(k), k / need)
        rows.append((label, "%s ms vs %s %s ms = %.2f× (target ≤ %.1f×)" % (fmt_ms(k), LABELS[who], fmt_ms(p), ratio, factor),
                     met, gap))

    latency_vs("resnet18_b1", "fastest", 0.8, "resnet18 batch 1 ≤ 0.8 × fastest peer")
    latency_vs("mobilenet_v2_b1", "fastest", 0.8, "mobilenet_v2 batch 1 ≤ 0.8 × fastest peer")
    for m in ("mlp", "lenet5"):
        latency_vs(m + "_b1", "eager", 0.3, "%s batch 1 ≤ 0.3 × PyTorch eager" % m)
        latency_vs(m + "_b1", "onnxruntime", 0.8, "%s batch 1 ≤ 0.8 × ONNX Runtime" % m)
    latency_vs("lstm_t32_b8", "fastest", 0.8, "lstm ≤ 0.8 × fastest peer")
    peak = peak2(data)
    for case, frac in (("sgemm_1024", 0.75), ("sgemm_2048", 0.75), ("conv_bn_relu", 0.60)):
        e = cases.get(case)
        label = "%s ≥ %d%% of the 2-thread peak" % (case, frac * 100)
        g = gflops(e, "kiln") if e else None
        if g is None or not peak:
            rows.append((label, "not measured", None, ""))
            continue
        f = g / peak
        met = f >= frac
        rows.append((label, "%.0f GFLOP/s = %.1f%% of %.0f" % (g, 100 * f, peak), met,
                     "" if met else "%.1fx short of the target" % (frac / f)))
    e = cases.get("resnet18_b1") or cases.get("resnet18_b8")
    ci = e.get("kiln_compile") if e else None
    if ci:
        s = ci["compile_s"]
        rows.append(("resnet18 compile time ≤ 10 s", "%.1f s (`kiln compile`, wall clock, during the run)" % s, s <= 10,
                     "" if s <= 10 else "%.1fx too slow" % (s / 10)))
        ext = ci.get("external_weights", {})
        b = ext.get("so_bytes_without_weights")
        if b:
            rows.append(("libresnet18.so code (without weights) ≤ 2 MB",
                         "%.2f MB (`--external-weights` build)" % (b / 1e6), b <= 2e6,
                         "" if b <= 2e6 else "%.1fx too big" % (b / 2e6)))
    return rows


def write_md(data, path, png_rel, plot_note):
    v = data["versions"]
    mach = data["machine"]
    T = data["threads"]
    cases = data["cases"]
    L = []
    L.append("# Performance")
    L.append("")
    L.append("*Generated by `bench/run.sh` (`bench/report.py` from `bench/results/latest.json`); do not edit by hand, "
             "rerun the script. Method: DESIGN.md \"Performance methodology\" and [bench/README.md](../bench/README.md).*")
    L.append("")
    L.append("kiln's compiled artifacts side by side with PyTorch eager, TorchScript (`jit.trace` + `freeze` + "
             "`optimize_for_inference`) and ONNX Runtime (CPU provider), on the same machine in one run: %d threads "
             "each, fp32, the same inputs and the same weights (each PyTorch twin's `state_dict`, compiled by kiln), "
             "warm, alternating between contenders; every number is the median of individually timed calls, in "
             "milliseconds. Ratios are kiln's time over the peer's: **below 1 kiln is faster**." % T)
    L.append("")
    L.append("## The run")
    L.append("")
    L.append("- Command: `%s` (started %s, %.0f s in all)" % (data.get("command") or "bench/run.sh", data["started"],
                                                                data.get("total_s", 0)))
    la0, la1 = data.get("loadavg_start"), data.get("loadavg_end")
    cpu = mach.get("Model name", "?")
    fam = " (family %s, model %s)" % (mach.get("CPU family"), mach.get("Model")) if mach.get("CPU family") else ""
    L.append("- Machine: %s%s, %s cores%s, %s; ISA %s; L2 %s; Linux `%s`" % (
        cpu, fam, mach.get("nproc"), ", %s VM" % mach["Hypervisor vendor"] if mach.get("Hypervisor vendor") else "",
        _mem(mach.get("mem_total")), ", ".join(mach.get("isa", [])), mach.get("L2 cache", "?"), mach.get("platform")))
    if la0 and la1:
        L.append("- Load average (1/5/15 min) at the start %s, at the end %s. **This machine was shared with other "
                 "builds during the run, so absolute numbers are noisy** (between quiet passes medians move ~5%%, "
                 "up to ~30%%; more under load): compare the ratios, which come from interleaved calls." % (
                     "/".join("%.2f" % x for x in la0), "/".join("%.2f" % x for x in la1)))
    k = v["kiln"]
    if k.get("built_from"):
        src = k["built_from"]
    else:
        src = "commit `%s`%s" % (k.get("describe", "?"), " plus %d uncommitted files in the tree" %
                                 k["uncommitted_files"] if k.get("uncommitted_files") else "")
    L.append("- kiln: %s; artifacts built with `kiln compile ... --threads %d --cpu %s`, called through "
             "the C ABI (ctypes, preallocated outputs)" % (src, T, data["settings"]["kiln_cpu"]))
    blas = [b for b in v.get("blas", []) if b.get("internal_api") == "openblas"]
    blas_s = ", ".join("OpenBLAS %s (%s, `%s` kernels)" % (b.get("version"), b.get("threading_layer"),
                                                           b.get("architecture")) for b in blas) or "?"
    L.append("- Peers: PyTorch %s and torchvision %s (Debian), with %s; ONNX Runtime %s (PyPI, CPUExecutionProvider, "
             "intra-op threads %d, inter-op 1, sequential, spinning %s, run through an IOBinding), onnx %s, "
             "ONNX opset %d; numpy %s; Python %s" % (
                 v["torch"], v["torchvision"], blas_s, v.get("onnxruntime") or "not installed", T,
                 "on" if data["settings"].get("ort_spinning") else "off", v.get("onnx") or "–",
                 data["settings"]["onnx_opset"], v["numpy"], v["python"]))
    env = data["settings"]["env"]
    L.append("- Environment: " + ", ".join("`%s=%s`" % (k2, env[k2]) if env[k2] is not None else "`%s` unset" % k2
                                           for k2 in env))
    s = data["settings"]
    L.append("- Timing: per case every contender is warmed up (≥ 3 calls, ≥ 0.3 s), then %s rounds; each round runs a "
             "block of calls of every contender, rotating the order; about %.1f s of calls per contender per case, "
             "%d to %d calls each. `bench/results/latest.json` has every median, min, max, mean, p10 and p90." % (
                 "up to 10", s["budget_s"], s["min_samples"], s["max_samples"]))
    L.append("")
    for n in data.get("notes", []):
        L.append("> " + n)
        L.append("")

    L.append("## Latency (median ms, %d threads)" % T)
    L.append("")
    L.append("| case | kiln | PyTorch eager | TorchScript | ONNX Runtime | kiln/eager | kiln/TS | kiln/ORT | "
             "kiln/best peer | kiln (`kiln bench`) |")
    L.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    flagged = []
    for case, e in cases.items():
        kv = med(e, "kiln")
        cells = [CASE_LABELS.get(case, case)]
        bp, who = best_peer(e)
        for c in CONTENDERS:
            m = med(e, c)
            txt = fmt_ms(m)
            if m is not None and c != "kiln" and c == who:
                txt = "**%s**" % txt
            if m is not None and c == "kiln" and bp is not None and m < bp:
                txt = "**%s**" % txt
            if m is None and c in e.get("errors", {}):
                txt = "failed"
            cells.append(txt)
        for p in PEERS:
            m = med(e, p)
            cells.append(fmt_ratio(kv / m) if kv is not None and m is not None else "–")
        cells.append(fmt_ratio(kv / bp) + " (%s)" % SHORT[who] if kv is not None and bp is not None else "–")
        kb = e.get("kiln_bench", {})
        mark = ""
        if "median_ms" in kb and kv and abs(kv / kb["median_ms"] - 1) > 0.25:
            mark = " †"
            flagged.append(case)
        cells.append(fmt_ms(kb.get("median_ms")) + mark if "median_ms" in kb else "–")
        L.append("| " + " | ".join(cells) + " |")
    L.append("")
    L.append("Bold: the fastest contender. The last column is kiln's own C timing loop (`kiln bench`, seeded random "
             "inputs, run after the alternating loop, not interleaved) as a cross-check of the ctypes numbers; the "
             "other columns include each runtime's Python call overhead (a few µs for kiln's ctypes call), which "
             "matters only for the batch-1 mlp and lenet5.")
    if flagged:
        L[-1] += (" †: the two kiln numbers differ by more than 25%% (%s): the machine's load changed between the "
                  "alternating loop and `kiln bench`, which is what the interleaving protects the ratios from; "
                  "the ratios in that row are still from interleaved calls, but under more load." % ", ".join(flagged))
    L.append("")
    bad = []
    worst = 0.0
    for case, e in cases.items():
        for c, chk in e.get("check", {}).items():
            if "rel" in chk:
                worst = max(worst, chk["rel"])
            if not chk.get("ok", False):
                bad.append("%s/%s (%s)" % (case, c, chk.get("error") or "rel %.2g" % chk.get("rel", float("nan"))))
    if bad:
        L.append("**Outputs that differ from eager by more than 1e-3 (relative to the output's max):** " + ", ".join(bad))
    else:
        L.append("Every contender's output matched PyTorch eager's before timing (largest difference %.1e relative to "
                 "the output's largest magnitude)." % worst)
    errs = ["%s: %s — %s" % (case, c, msg.splitlines()[0][:200]) for case, e in cases.items()
            for c, msg in e.get("errors", {}).items()]
    if errs:
        L.append("")
        L.append("Contenders that could not run:")
        L.append("")
        for x in errs:
            L.append("- " + x)
    L.append("")

    L.append("## GEMM and convolution against the machine's peak")
    L.append("")
    peak = data.get("peak", {})
    p1, p2 = (peak.get("1", {}) if isinstance(peak, dict) else {}), peak2(data)
    if numpy_peak(data):
        L.append("Measured peak: numpy's OpenBLAS sgemm %d×%d reaches **%.0f GFLOP/s on 1 thread and %.0f on %d** "
                 "(best of 3 calls, measured at the start and at the end of the run: %s; `OPENBLAS_CORETYPE` unset "
                 "so it runs its AVX-512 kernels). For reference, "
                 "TOOLCHAIN.md's FMA microbenchmark on a quiet machine: 221 / 437 GFLOP/s. Percentages below are of the "
                 "measured %d-thread sgemm peak; the conv block counts the convolution's 2·64·64·9·56·56 FLOPs only." % (
                     p1.get("n", 0), p1.get("n", 0), p1.get("gflops_best", 0), numpy_peak(data), T,
                     "; ".join("%s %s" % (r.get("when"), " / ".join("%.0f" % r[t]["gflops_best"] for t in r if t != "when"))
                               for r in data.get("peak_runs", []) if "error" not in r), T))
        pg, pc, pcase = peer_sgemm_best(data)
        if pg and pg > numpy_peak(data):
            L.append("")
            L.append("%s's `%s` reached %.0f GFLOP/s in the alternating loop, more than the dedicated measurement%s; "
                     "that is the peak used below." % (
                         LABELS[pc], pcase, pg, " (another process probably held a core while that ran)"
                         if pg > 1.1 * numpy_peak(data) else ""))
        if p2 < 1.5 * (p1.get("gflops_best") or 0) and T > 1:
            L.append("")
            L.append("The %d-thread peak is less than 1.5× the 1-thread one: another process held a core while it was "
                     "measured, so the percentages below are of a depressed peak (flattering kiln); against "
                     "TOOLCHAIN.md's quiet-machine OpenBLAS figure (378 GFLOP/s on 2 threads) they would be lower." % T)
    else:
        L.append("The peak could not be measured: %s" % peak.get("error", "?"))
    L.append("")
    L.append("| case | GFLOP per call | kiln GFLOP/s | kiln % of peak | eager | TorchScript | ONNX Runtime |")
    L.append("|---|--:|--:|--:|--:|--:|--:|")
    for case, e in cases.items():
        if not e.get("flops"):
            continue
        g = {c: gflops(e, c) for c in CONTENDERS}
        row = [CASE_LABELS.get(case, case), "%.3g" % (e["flops"] / 1e9),
               "%.0f" % g["kiln"] if g["kiln"] else "–",
               "%.1f%%" % (100 * g["kiln"] / p2) if g["kiln"] and p2 else "–"]
        row += ["%.0f" % g[c] if g[c] else "–" for c in PEERS]
        L.append("| " + " | ".join(row) + " |")
    L.append("")
    over = [CASE_LABELS.get(case, case) for case, e in cases.items()
            if e.get("flops") and gflops(e, "kiln") and p2 and gflops(e, "kiln") > p2]
    if over:
        L.append("GFLOP/s count the direct algorithm's 2·MACs. Above 100%% of the peak (%s): kiln's cost model "
                 "picked Winograd F(2x2, 3x3) for the 3x3 convolution, which does 16 multiplications per 4 outputs "
                 "instead of 36; these are effective rates, not arithmetic throughput. Forced to the other "
                 "routes (`kiln compile --conv-algorithm direct|gemm`, `kiln bench`, same sitting, 2026-11-27) the "
                 "conv block took 0.54 ms with the direct convolution (~83%% of the peak) and 0.63 ms with the "
                 "implicit GEMM (~71%%), against 0.37 ms with Winograd." % ", ".join(over))
        L.append("")

    L.append("## Issue 8's targets")
    L.append("")
    L.append("| target | measured | met? | gap |")
    L.append("|---|---|---|---|")
    for label, measured, met, gap in targets(data):
        L.append("| %s | %s | %s | %s |" % (label, measured, "–" if met is None else ("yes" if met else "**no**"), gap))
    L.append("")
    active = data.get("omp_default")
    if active:
        notes = []
        for case in ("mlp_b1", "lenet5_b1"):
            e = active["cases"].get(case)
            if e and med(e, "kiln") and med(e, "eager"):
                notes.append("%s: kiln/eager %.2f" % (case, med(e, "kiln") / med(e, "eager")))
        if notes:
            L.append("The eager targets are judged on the main run (`OMP_WAIT_POLICY=PASSIVE`). Against PyTorch with "
                     "libgomp's default wait policy (the second pass below) the same ratios are " + ", ".join(notes) + ".")
            L.append("")
    # What limits each missed target, with its profile: hand-written from perf runs, kept next
    # to the script so a rerun carries it along (update it when the profile changes).
    limits = os.path.join(REPO, "bench", "limits.md")
    if os.path.exists(limits):
        with open(limits) as f:
            L.append(f.read().rstrip())
    L.append("")
    arts = {}
    for case, e in cases.items():
        ci = e.get("kiln_compile")
        if ci and "message" in ci and e["artifact"] not in arts:
            arts[e["artifact"]] = ci
    if arts:
        import re
        L.append("| kiln artifact | `kiln compile` | .so size | weights | arena | kernel calls |")
        L.append("|---|--:|--:|--:|--:|--:|")
        for a, ci in arts.items():
            msg = ci["message"].splitlines()[-1]
            w = re.search(r"weights ([0-9.]+ [KMG]iB)", msg)
            ar = re.search(r"arena ([0-9.]+ [KMG]iB at batch \d+)", msg)
            kc = re.search(r"(\d+) kernel calls", msg)
            arena = ar.group(1) if ar else "?"
            if arena.endswith(" at batch 0"):  # a graph without a symbolic batch
                arena = arena[: -len(" at batch 0")] + " (static shapes)"
            L.append("| %s | %.1f s | %.1f MB | %s | %s | %s |" % (
                a, ci["compile_s"], ci["so_bytes"] / 1e6, w.group(1) if w else "?", arena,
                kc.group(1) if kc else "?"))
        L.append("")
        L.append("Compile times are wall clock during the run, on the shared machine.")
        L.append("")
    if active:
        L.append("## Second pass: PyTorch with libgomp's default wait policy")
        L.append("")
        L.append("`OMP_WAIT_POLICY=PASSIVE` (the main run) keeps PyTorch's OpenMP workers asleep between parallel "
                 "regions, which avoids 5–100 ms stalls when another process takes a core (TOOLCHAIN.md), but each "
                 "region then pays a thread wake-up, which dominates small models and batch-1 CNNs. This pass "
                 "reruns some cases with `OMP_WAIT_POLICY` unset, libgomp's default, which PyTorch users get: "
                 "workers spin for a while after each region, then sleep. kiln alternates with PyTorch in the same "
                 "process again (same artifacts, same inputs), so the spinning workers also take the cores from "
                 "kiln's threads right after each PyTorch call: kiln's numbers here can be worse than in the main "
                 "run (its column there is the fair one). Load average at the start of this pass: %s." % (
                     "/".join("%.2f" % x for x in active.get("loadavg_start") or [])))
        L.append("")
        L.append("| case | kiln | PyTorch eager | TorchScript | kiln/eager | kiln/TS | eager, PASSIVE run |")
        L.append("|---|--:|--:|--:|--:|--:|--:|")
        for case, e in active["cases"].items():
            kv = med(e, "kiln")
            row = [CASE_LABELS.get(case, case)] + [fmt_ms(med(e, c)) for c in ("kiln", "eager", "torchscript")]
            row += [fmt_ratio(kv / med(e, c)) if kv and med(e, c) else "–" for c in ("eager", "torchscript")]
            row.append(fmt_ms(med(cases[case], "eager")) if case in cases else "–")
            L.append("| " + " | ".join(row) + " |")
        L.append("")
    L.append("## Chart")
    L.append("")
    if png_rel:
        L.append("![latency relative to PyTorch eager, and GFLOP/s](%s)" % png_rel)
    else:
        L.append("No chart: %s" % plot_note)
    L.append("")
    L.append("## Reproducing")
    L.append("")
    L.append("`bench/run.sh` (options: `--threads N`, `--cases a,b`, `--quick`; see `bench/run.sh --help`) installs "
             "its peers (Debian's python3-torch/torchvision via `tools/setup.sh --with-torch`, libopenblas0-openmp and "
             "python3-matplotlib; onnxruntime, onnx and threadpoolctl from PyPI into `~/.cache/kiln-bench-venv`), builds "
             "kiln, runs `bench/bench.py` and then this report. A full run takes about 3–10 minutes on this 2-core "
             "machine. Timing assertions never go into tests; `bench/` is not part of `tools/test.sh`.")
    L.append("")
    with open(path, "w") as f:
        f.write("\n".join(L))


def _mem(text):
    try:
        kb = int(text.split()[0])
        return "%.0f GiB memory" % (kb / 2 ** 20)
    except Exception:
        return "? memory"


def plot(data, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except Exception as e:
        return "matplotlib is not available (%s)" % e
    cases = data["cases"]
    names = [c for c in cases if med(cases[c], "eager")]
    colors = {"kiln": "#d62728", "eager": "#1f77b4", "torchscript": "#2ca02c", "onnxruntime": "#9467bd"}
    flop_cases = [c for c in cases if cases[c].get("flops")]
    fig, axes = plt.subplots(2, 1, figsize=(13, 9), gridspec_kw={"height_ratios": [3, 2]})
    ax = axes[0]
    w = 0.2
    for i, c in enumerate(CONTENDERS):
        xs, ys = [], []
        for j, case in enumerate(names):
            m = med(cases[case], c)
            if m is not None:
                xs.append(j + (i - 1.5) * w)
                ys.append(m / med(cases[case], "eager"))
        ax.bar(xs, ys, w, label=LABELS[c], color=colors[c])
    ax.axhline(1.0, color="black", lw=0.8)
    ax.set_yscale("log")
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels([TICKS.get(n, n) for n in names], fontsize=8)
    ax.set_ylabel("median latency / PyTorch eager (log; lower is better)")
    ax.set_title("kiln vs peers, %d threads, fp32, %s (%s)" % (data["threads"], data["machine"].get("Model name", ""),
                                                               data["started"]))
    ax.legend(fontsize=8, ncol=4)
    ax.grid(axis="y", which="both", alpha=0.3)
    ax = axes[1]
    for i, c in enumerate(CONTENDERS):
        xs, ys = [], []
        for j, case in enumerate(flop_cases):
            g = gflops(cases[case], c)
            if g:
                xs.append(j + (i - 1.5) * w)
                ys.append(g)
        ax.bar(xs, ys, w, label=LABELS[c], color=colors[c])
    p2 = peak2(data)
    if p2:
        ax.axhline(p2, color="black", ls="--", lw=0.8, label="measured sgemm peak, %d threads" % data["threads"])
        ax.axhline(0.75 * p2, color="gray", ls=":", lw=0.8, label="75% of peak (sgemm target)")
        ax.axhline(0.60 * p2, color="gray", ls="-.", lw=0.8, label="60% of peak (conv target)")
    ax.set_xticks(range(len(flop_cases)))
    ax.set_xticklabels(flop_cases, fontsize=8)
    ax.set_ylabel("GFLOP/s (higher is better)")
    ax.legend(fontsize=7, ncol=3)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", default=os.path.join(REPO, "bench", "results", "latest.json"))
    ap.add_argument("--md", default=os.path.join(REPO, "docs", "PERFORMANCE.md"))
    ap.add_argument("--png", default=os.path.join(REPO, "docs", "performance.png"))
    args = ap.parse_args()
    with open(args.json) as f:
        data = json.load(f)
    active = os.path.join(os.path.dirname(os.path.abspath(args.json)), "latest_omp_default.json")
    if os.path.exists(active):
        with open(active) as f:
            data["omp_default"] = json.load(f)
    note = plot(data, args.png)
    png_rel = os.path.relpath(args.png, os.path.dirname(os.path.abspath(args.md))) if note is None else None
    if note:
        print("report: no chart: %s" % note, file=sys.stderr)
    write_md(data, args.md, png_rel, note)
    print("report: wrote %s%s" % (args.md, "" if note else " and " + args.png), file=sys.stderr)


if __name__ == "__main__":
    main()
