// Reference kernels: N-d convolution (stride, padding, dilation, groups, bias) checked by hand
// and against independent naive formulas; max_pool and avg_pool edge cases computed by hand.
#include <cstdint>

#include "tests/codegen/reference_test_util.h"

using namespace kiln::reference::testing;

namespace {

using Ints = std::vector<int64_t>;

Attrs ConvAttrs(Ints stride, Ints padding, Ints dilation, int64_t groups = 1) {
  return Attrs{{"stride", stride}, {"padding", padding}, {"dilation", dilation}, {"groups", groups}};
}

Attrs PoolAttrs(Ints kernel, Ints stride, Ints padding) {
  return Attrs{{"kernel_size", kernel}, {"stride", stride}, {"padding", padding}};
}

// max_pool's dilation has no default in ops.def: 1 per dim unless given.
Attrs MaxPoolAttrs(Ints kernel, Ints stride, Ints padding, Ints dilation = {}) {
  Attrs a = PoolAttrs(kernel, stride, padding);
  a.set("dilation", dilation.empty() ? Ints(kernel.size(), 1) : dilation);
  return a;
}

// Small integer-valued data: every sum below is exact in double.
std::vector<double> Data(int64_t n, int64_t seed) {
  std::vector<double> v;
  for (int64_t i = 0; i < n; ++i) v.push_back(static_cast<double>((i * 7 + seed * 3) % 11 - 5));
  return v;
}

int64_t OutSize(int64_t in, int64_t k, int64_t s, int64_t p, int64_t d) { return (in + 2 * p - d * (k - 1) - 1) / s + 1; }

// Independent 2-d convolution: the textbook formula with explicit indices and bounds tests.
// x[N][C][H][W], w[O][C/g][KH][KW]; a 1-d conv is the H = KH = 1 case.
std::vector<double> NaiveConv2d(const std::vector<double>& x, Ints xs, const std::vector<double>& w, Ints ws,
                                const std::vector<double>& bias, Ints s, Ints p, Ints d, int64_t groups,
                                Ints& out_sizes) {
  int64_t N = xs[0], C = xs[1], H = xs[2], W = xs[3], O = ws[0], Cg = ws[1], KH = ws[2], KW = ws[3];
  int64_t OH = OutSize(H, KH, s[0], p[0], d[0]), OW = OutSize(W, KW, s[1], p[1], d[1]);
  out_sizes = {N, O, OH, OW};
  std::vector<double> out;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t o = 0; o < O; ++o)
      for (int64_t oy = 0; oy < OH; ++oy)
        for (int64_t ox = 0; ox < OW; ++ox) {
          double acc = bias.empty() ? 0.0 : bias[static_cast<size_t>(o)];
          int64_t g = o / (O / groups);
          for (int64_t c = 0; c < Cg; ++c)
            for (int64_t ky = 0; ky < KH; ++ky)
              for (int64_t kx = 0; kx < KW; ++kx) {
                int64_t iy = oy * s[0] - p[0] + ky * d[0], ix = ox * s[1] - p[1] + kx * d[1];
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                int64_t ic = g * Cg + c;
                acc += x[static_cast<size_t>(((n * C + ic) * H + iy) * W + ix)] *
                       w[static_cast<size_t>(((o * Cg + c) * KH + ky) * KW + kx)];
              }
          out.push_back(acc);
        }
  return out;
}

}  // namespace

TEST_CASE("conv1d by hand") {
  HostTensor x = F32({1, 1, 4}, {1, 2, 3, 4}), w = F32({1, 1, 3}, {1, 0, -1});
  CheckTensor(Eval(OpKind::Conv, ConvAttrs({1}, {0}, {1}), {x, w}), DType::kF32, {1, 1, 2}, {-2, -2}, 0);
  // Zero padding: [0,1,2,3,4,0] -> [0-2, 1-3, 2-4, 3-0], plus bias 1.
  CheckTensor(Eval(OpKind::Conv, ConvAttrs({1}, {1}, {1}), {x, w, F32({1}, {1})}), DType::kF32, {1, 1, 4},
              {-1, -1, -1, 4}, 0);
  // Stride 2 with padding 1: positions 0 and 2 of the padded input.
  CheckTensor(Eval(OpKind::Conv, ConvAttrs({2}, {1}, {1}), {x, w}), DType::kF32, {1, 1, 2}, {-2, -2}, 0);
  // Dilation 2, kernel [1, 1]: x[i] + x[i+2].
  CheckTensor(Eval(OpKind::Conv, ConvAttrs({1}, {0}, {2}), {x, F32({1, 1, 2}, {1, 1})}), DType::kF32, {1, 1, 2},
              {4, 6}, 0);
}

TEST_CASE("conv2d and conv3d by hand") {
  HostTensor x = F32({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9}), ones = F32({1, 1, 2, 2}, {1, 1, 1, 1});
  CheckTensor(Eval(OpKind::Conv, ConvAttrs({1, 1}, {0, 0}, {1, 1}), {x, ones}), DType::kF32, {1, 1, 2, 2},
              {12, 16, 24, 28}, 0);
  // Two output channels, one with bias.
  HostTensor w2 = F32({2, 1, 1, 1}, {1, -1});
  CheckTensor(Eval(OpKind::Conv, ConvAttrs({2, 2}, {0, 0}, {1, 1}), {x, w2, F32({2}, {0, 100})}), DType::kF32,
              {1, 2, 2, 2}, {1, 3, 7, 9, 99, 97, 93, 91}, 0);
  // 3-d: ones * ones kernel 2x2x2 with padding 1: each output counts overlaps, 1*2*2*1 per dim.
  HostTensor x3(DType::kF32, {1, 1, 3, 3, 3}), w3(DType::kF32, {1, 1, 2, 2, 2});
  for (int64_t i = 0; i < 27; ++i) x3.SetDouble(i, 1);
  for (int64_t i = 0; i < 8; ++i) w3.SetDouble(i, 1);
  HostTensor y3 = Eval(OpKind::Conv, ConvAttrs({1, 1, 1}, {1, 1, 1}, {1, 1, 1}), {x3, w3});
  std::vector<double> per_dim = {1, 2, 2, 1}, expected;
  for (double a : per_dim)
    for (double b : per_dim)
      for (double c : per_dim) expected.push_back(a * b * c);
  CheckTensor(y3, DType::kF32, {1, 1, 4, 4, 4}, expected, 0);
}

TEST_CASE("conv matches a naive formula with groups, stride, padding and dilation") {
  struct Case {
    Ints xs, ws, stride, padding, dilation;
    int64_t groups;
    bool bias;
  };
  std::vector<Case> cases = {
      // 1-d as H = 1: groups 2, stride 2, padding 2, dilation 2, bias.
      {{2, 4, 1, 9}, {6, 2, 1, 3}, {1, 2}, {0, 2}, {1, 2}, 2, true},
      // 2-d: groups 2, uneven stride / padding / dilation per dim.
      {{1, 6, 7, 6}, {4, 3, 3, 2}, {2, 1}, {1, 0}, {1, 2}, 2, true},
      // Depthwise with channel multiplier 2, padding 1.
      {{2, 3, 5, 5}, {6, 1, 3, 3}, {1, 1}, {1, 1}, {1, 1}, 3, false},
      // Plain dense conv, stride 3, padding 2, dilation 3.
      {{1, 2, 8, 9}, {3, 2, 2, 3}, {3, 2}, {2, 1}, {3, 1}, 1, false},
  };
  for (size_t ci = 0; ci < cases.size(); ++ci) {
    const Case& c = cases[ci];
    INFO("case " << ci);
    int64_t xn = c.xs[0] * c.xs[1] * c.xs[2] * c.xs[3], wn = c.ws[0] * c.ws[1] * c.ws[2] * c.ws[3];
    std::vector<double> xv = Data(xn, 1), wv = Data(wn, 2), bv = c.bias ? Data(c.ws[0], 3) : std::vector<double>();
    Ints out_sizes;
    std::vector<double> expected = NaiveConv2d(xv, c.xs, wv, c.ws, bv, c.stride, c.padding, c.dilation, c.groups, out_sizes);
    std::vector<HostTensor> operands = {F64(c.xs, xv), F64(c.ws, wv)};
    if (c.bias) operands.push_back(F64({c.ws[0]}, bv));
    // As a 2-d conv.
    Attrs attrs = ConvAttrs(c.stride, c.padding, c.dilation, c.groups);
    CheckTensor(Eval(OpKind::Conv, attrs, operands), DType::kF64, out_sizes, expected, 0);
    // Cases with H = KH = 1 also as a true 1-d conv.
    if (c.xs[2] == 1 && c.ws[2] == 1) {
      std::vector<HostTensor> ops1 = {operands[0].Reshaped({c.xs[0], c.xs[1], c.xs[3]}),
                                      operands[1].Reshaped({c.ws[0], c.ws[1], c.ws[3]})};
      if (c.bias) ops1.push_back(operands[2]);
      Attrs a1 = ConvAttrs({c.stride[1]}, {c.padding[1]}, {c.dilation[1]}, c.groups);
      CheckTensor(Eval(OpKind::Conv, a1, ops1), DType::kF64, {out_sizes[0], out_sizes[1], out_sizes[3]}, expected, 0);
    }
  }
}

TEST_CASE("conv rejects mismatched channels and integer inputs") {
  Status s = EvalError(OpKind::Conv, ConvAttrs({1}, {0}, {1}), {F32({1, 2, 4}, std::vector<float>(8, 1.0f)),
                                                                 F32({1, 1, 3}, {1, 1, 1})});
  CHECK_THAT(s.message(), Catch::Contains("channels"));
  CHECK_FALSE(EvaluateOp(OpKind::Conv, ConvAttrs({1}, {0}, {1}), {I64({1, 1, 3}, {1, 2, 3}), I64({1, 1, 1}, {1})}).ok());
}

TEST_CASE("max_pool: -inf padding, dilation, ceil_mode, NaN") {
  HostTensor x = F32({1, 1, 5}, {1, 2, 3, 4, 5});
  CheckTensor(Eval(OpKind::MaxPool, MaxPoolAttrs({2}, {2}, {0}), {x}), DType::kF32, {1, 1, 2}, {2, 4}, 0);
  Attrs ceil = MaxPoolAttrs({2}, {2}, {0});
  ceil.set("ceil_mode", true);
  CheckTensor(Eval(OpKind::MaxPool, ceil, {x}), DType::kF32, {1, 1, 3}, {2, 4, 5}, 0);
  // ceil_mode with padding 1: a 4th window would start in the right padding, so torch drops it.
  Attrs ceil_pad = MaxPoolAttrs({2}, {2}, {1});
  ceil_pad.set("ceil_mode", true);
  CheckTensor(Eval(OpKind::MaxPool, ceil_pad, {x}), DType::kF32, {1, 1, 3}, {1, 3, 5}, 0);
  // Padding is -inf, not 0: negative inputs stay negative.
  CheckTensor(Eval(OpKind::MaxPool, MaxPoolAttrs({2}, {1}, {1}), {F32({1, 1, 3}, {-5, -3, -1})}), DType::kF32,
              {1, 1, 4}, {-5, -3, -1, -1}, 0);
  // Dilation 2 with padding 1: taps {-1,1}, {1,3}, {3,5}.
  Attrs dil = MaxPoolAttrs({2}, {2}, {1}, {2});
  CheckTensor(Eval(OpKind::MaxPool, dil, {x}), DType::kF32, {1, 1, 3}, {2, 4, 4}, 0);
  // NaN propagates out of its window only.
  CheckTensor(Eval(OpKind::MaxPool, MaxPoolAttrs({2}, {2}, {0}), {F32({1, 1, 4}, {1, NAN, 3, 4})}), DType::kF32,
              {1, 1, 2}, {kNaN, 4});
  // 2-d, and integers.
  HostTensor x2 = F32({1, 1, 4, 4}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
  CheckTensor(Eval(OpKind::MaxPool, MaxPoolAttrs({2, 2}, {2, 2}, {0, 0}), {x2}), DType::kF32, {1, 1, 2, 2},
              {6, 8, 14, 16}, 0);
  CheckInts(Eval(OpKind::MaxPool, MaxPoolAttrs({2}, {2}, {0}), {I64({1, 4}, {1, 5, -3, -2})}), DType::kI64, {1, 2},
            {5, -2});
}

TEST_CASE("avg_pool: count_include_pad, ceil_mode clipping, divisor_override") {
  HostTensor x = F32({1, 1, 6}, {1, 2, 3, 4, 5, 6});
  Attrs a = PoolAttrs({3}, {2}, {1});
  a.set("ceil_mode", true);
  // Windows [-1,2), [1,4), [3,6), [5,8)->clipped to the padded end 7: sums 3, 9, 15, 6.
  // count_include_pad divides by 3, 3, 3 and 2 (the last window clipped to input+padding).
  CheckTensor(Eval(OpKind::AvgPool, a, {x}), DType::kF32, {1, 1, 4}, {1, 3, 5, 3}, 0);
  a.set("count_include_pad", false);
  CheckTensor(Eval(OpKind::AvgPool, a, {x}), DType::kF32, {1, 1, 4}, {1.5, 3, 5, 6}, 0);
  a.set("divisor_override", int64_t{2});
  CheckTensor(Eval(OpKind::AvgPool, a, {x}), DType::kF32, {1, 1, 4}, {1.5, 4.5, 7.5, 3}, 0);

  // Input 4, kernel 3, stride 2, padding 1, ceil: the last window [3,6) clips to [3,5).
  Attrs b = PoolAttrs({3}, {2}, {1});
  b.set("ceil_mode", true);
  HostTensor x4 = F32({1, 1, 4}, {1, 2, 3, 4});
  CheckTensor(Eval(OpKind::AvgPool, b, {x4}), DType::kF32, {1, 1, 3}, {1, 3, 2}, 0);
  b.set("count_include_pad", false);
  CheckTensor(Eval(OpKind::AvgPool, b, {x4}), DType::kF32, {1, 1, 3}, {1.5, 3, 4}, 0);

  // 2-d ceil_mode without padding: windows past the input count only what they cover.
  Attrs c = PoolAttrs({2, 2}, {2, 2}, {0, 0});
  c.set("ceil_mode", true);
  HostTensor x3 = F32({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  CheckTensor(Eval(OpKind::AvgPool, c, {x3}), DType::kF32, {1, 1, 2, 2}, {3, 4.5, 7.5, 9}, 0);

  // 2-d padding 1 on a 2x2 input: count_include_pad divides by 4, otherwise by the covered count.
  Attrs d = PoolAttrs({2, 2}, {1, 1}, {1, 1});
  HostTensor x2 = F32({1, 1, 2, 2}, {1, 2, 3, 4});
  CheckTensor(Eval(OpKind::AvgPool, d, {x2}), DType::kF32, {1, 1, 3, 3},
              {0.25, 0.75, 0.5, 1, 2.5, 1.5, 0.75, 1.75, 1}, 0);
  d.set("count_include_pad", false);
  CheckTensor(Eval(OpKind::AvgPool, d, {x2}), DType::kF32, {1, 1, 3, 3}, {1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4}, 0);

  // 3-d on ones is ones; integers truncate toward zero.
  HostTensor ones(DType::kF64, {1, 2, 2, 2});
  for (int64_t i = 0; i < 8; ++i) ones.SetDouble(i, 1);
  CheckTensor(Eval(OpKind::AvgPool, PoolAttrs({2, 2, 2}, {1, 1, 1}, {0, 0, 0}), {ones}), DType::kF64, {1, 1, 1, 1},
              {1}, 0);
  CheckInts(Eval(OpKind::AvgPool, PoolAttrs({2}, {2}, {0}), {I64({1, 4}, {1, 2, -3, -4})}), DType::kI64, {1, 2},
            {1, -3});
}
