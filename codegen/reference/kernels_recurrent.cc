// Recurrent kernels (issue 6): rnn (rnn_tanh, rnn_relu, gru) and lstm over whole sequences.
//
// A plain loop over layers, directions, batch rows and time steps, everything in double; the
// operand layout is ir/ops.def's. Each layer's output (all directions, [T, N, D*H]) is the
// next layer's input. With lengths, batch row n runs for lengths[n] steps only (forward
// t = 0..len-1, reverse t = len-1..0), its output rows past its length stay 0 and h_n/c_n hold
// the state after its last step: exactly running each sequence alone at its own length, which
// is what torch computes for a PackedSequence. Lengths outside [0, T] are InvalidArgument.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "codegen/reference/kernel_registry.h"
#include "codegen/reference/kernel_util.h"

namespace kiln::reference {

namespace {

using ir::HostTensor;
using ir::OpKind;

double Sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

// One direction's weights of one layer, as doubles (biases empty when absent).
struct DirWeights {
  std::vector<double> w_ih, w_hh, b_ih, b_hh;
};

// acc[g] = sum_k w[g, k] * v[k] (+ b[g]) for g < rows, w row-major [rows, cols].
void MatVec(const std::vector<double>& w, const std::vector<double>& b, const double* v, int64_t rows, int64_t cols,
            std::vector<double>& acc) {
  acc.assign(static_cast<size_t>(rows), 0.0);
  for (int64_t g = 0; g < rows; ++g) {
    double s = b.empty() ? 0.0 : b[static_cast<size_t>(g)];
    const double* row = w.data() + g * cols;
    for (int64_t k = 0; k < cols; ++k) s += row[k] * v[k];
    acc[static_cast<size_t>(g)] = s;
  }
}

// One step of the cell: updates h (and c for lstm) from the input row x.
void Step(const std::string& mode, const DirWeights& w, const double* x, int64_t in, int64_t hidden,
          std::vector<double>& h, std::vector<double>& c, std::vector<double>& gi, std::vector<double>& gh) {
  const int64_t gates = mode == "lstm" ? 4 : mode == "gru" ? 3 : 1;
  MatVec(w.w_ih, w.b_ih, x, gates * hidden, in, gi);
  MatVec(w.w_hh, w.b_hh, h.data(), gates * hidden, hidden, gh);
  for (int64_t j = 0; j < hidden; ++j) {
    auto at = [&](const std::vector<double>& v, int64_t gate) { return v[static_cast<size_t>(gate * hidden + j)]; };
    size_t ju = static_cast<size_t>(j);
    if (mode == "rnn_tanh") {
      h[ju] = std::tanh(at(gi, 0) + at(gh, 0));
    } else if (mode == "rnn_relu") {
      double v = at(gi, 0) + at(gh, 0);
      h[ju] = v > 0 ? v : (std::isnan(v) ? v : 0.0);
    } else if (mode == "gru") {  // r, z, n
      double r = Sigmoid(at(gi, 0) + at(gh, 0));
      double z = Sigmoid(at(gi, 1) + at(gh, 1));
      double n = std::tanh(at(gi, 2) + r * at(gh, 2));
      h[ju] = (1.0 - z) * n + z * h[ju];
    } else {  // lstm: i, f, g, o
      double i = Sigmoid(at(gi, 0) + at(gh, 0));
      double f = Sigmoid(at(gi, 1) + at(gh, 1));
      double g = std::tanh(at(gi, 2) + at(gh, 2));
      double o = Sigmoid(at(gi, 3) + at(gh, 3));
      c[ju] = f * c[ju] + i * g;
      h[ju] = o * std::tanh(c[ju]);
    }
  }
}

StatusOr<Tensors> RecurrentKernel(const KernelContext& ctx, const std::string& mode) {
  const ir::Attrs& a = ctx.attrs;
  const bool lstm = mode == "lstm";
  const int64_t hidden = a.i("hidden_size"), layers = a.i("num_layers");
  const int64_t dirs = a.b("bidirectional") ? 2 : 1;
  const bool batch_first = a.b("batch_first"), biases = a.b("has_biases");
  const bool has_state = a.b("has_initial_state"), has_lengths = a.b("has_lengths");
  const HostTensor& x = ctx.operands[0];
  const int64_t steps = x.sizes()[batch_first ? 1 : 0], batch = x.sizes()[batch_first ? 0 : 1];
  const int64_t features = x.sizes()[2];

  std::vector<int64_t> lengths(static_cast<size_t>(batch), steps);
  if (has_lengths) {
    lengths = ToInts(ctx.operands.back());
    for (size_t n = 0; n < lengths.size(); ++n) {
      if (lengths[n] < 0 || lengths[n] > steps) {
        return InvalidArgument(std::string(lstm ? "lstm" : "rnn") + ": lengths[" + std::to_string(n) + "] = " +
                               std::to_string(lengths[n]) + " is outside [0, " + std::to_string(steps) +
                               "] (the sequence length of input " + SizesStr(x.sizes()) + ")");
      }
    }
  }
  const size_t state_size = static_cast<size_t>(layers * dirs * batch * hidden);
  std::vector<double> h0(state_size, 0.0), c0(state_size, 0.0);
  size_t w = 1;
  if (has_state) {
    h0 = ToDoubles(ctx.operands[w++]);
    if (lstm) c0 = ToDoubles(ctx.operands[w++]);
  }
  // The layer input as [T][N][I] (time-major), whatever the input's layout.
  std::vector<double> xd = ToDoubles(x), cur(static_cast<size_t>(steps * batch * features));
  for (int64_t t = 0; t < steps; ++t) {
    for (int64_t n = 0; n < batch; ++n) {
      int64_t src = (batch_first ? n * steps + t : t * batch + n) * features;
      for (int64_t k = 0; k < features; ++k) cur[static_cast<size_t>((t * batch + n) * features + k)] = xd[static_cast<size_t>(src + k)];
    }
  }
  std::vector<double> hn(state_size, 0.0), cn(state_size, 0.0), next, gi, gh;
  int64_t in = features;
  for (int64_t l = 0; l < layers; ++l) {
    next.assign(static_cast<size_t>(steps * batch * dirs * hidden), 0.0);
    for (int64_t d = 0; d < dirs; ++d) {
      DirWeights dw;
      dw.w_ih = ToDoubles(ctx.operands[w++]);
      dw.w_hh = ToDoubles(ctx.operands[w++]);
      if (biases) {
        dw.b_ih = ToDoubles(ctx.operands[w++]);
        dw.b_hh = ToDoubles(ctx.operands[w++]);
      }
      const int64_t slot = l * dirs + d;
      for (int64_t n = 0; n < batch; ++n) {
        const size_t base = static_cast<size_t>((slot * batch + n) * hidden);
        std::vector<double> h(h0.begin() + static_cast<std::ptrdiff_t>(base),
                              h0.begin() + static_cast<std::ptrdiff_t>(base + static_cast<size_t>(hidden)));
        std::vector<double> c(c0.begin() + static_cast<std::ptrdiff_t>(base),
                              c0.begin() + static_cast<std::ptrdiff_t>(base + static_cast<size_t>(hidden)));
        const int64_t len = lengths[static_cast<size_t>(n)];
        for (int64_t s = 0; s < len; ++s) {
          const int64_t t = d == 0 ? s : len - 1 - s;
          Step(mode, dw, cur.data() + (t * batch + n) * in, in, hidden, h, c, gi, gh);
          for (int64_t j = 0; j < hidden; ++j) {
            next[static_cast<size_t>((t * batch + n) * dirs * hidden + d * hidden + j)] = h[static_cast<size_t>(j)];
          }
        }
        for (int64_t j = 0; j < hidden; ++j) {
          hn[base + static_cast<size_t>(j)] = h[static_cast<size_t>(j)];
          cn[base + static_cast<size_t>(j)] = c[static_cast<size_t>(j)];
        }
      }
    }
    cur.swap(next);
    in = dirs * hidden;
  }
  HostTensor out = NewResult(ctx, 0);
  std::vector<double> od(static_cast<size_t>(out.num_elements()));
  for (int64_t t = 0; t < steps; ++t) {
    for (int64_t n = 0; n < batch; ++n) {
      int64_t dst = (batch_first ? n * steps + t : t * batch + n) * in;
      for (int64_t k = 0; k < in; ++k) od[static_cast<size_t>(dst + k)] = cur[static_cast<size_t>((t * batch + n) * in + k)];
    }
  }
  StoreDoubles(out, od);
  HostTensor h_n = NewResult(ctx, 1);
  StoreDoubles(h_n, hn);
  Tensors results{out, h_n};
  if (lstm) {
    HostTensor c_n = NewResult(ctx, 2);
    StoreDoubles(c_n, cn);
    results.push_back(c_n);
  }
  return results;
}

StatusOr<Tensors> RnnKernel(const KernelContext& ctx) { return RecurrentKernel(ctx, ctx.attrs.s("mode")); }
StatusOr<Tensors> LstmKernel(const KernelContext& ctx) { return RecurrentKernel(ctx, "lstm"); }

}  // namespace

void AddRecurrentKernels(KernelTable& table) {
  table.Add(OpKind::Rnn, RnnKernel);
  table.Add(OpKind::Lstm, LstmKernel);
}

}  // namespace kiln::reference
