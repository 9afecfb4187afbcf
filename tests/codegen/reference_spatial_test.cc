// Reference kernels of Layers I: pad (every mode, cropping), conv_transpose (by hand and as the
// adjoint of conv), unfold / fold (im2col / col2im by hand), upsample (nearest, nearest_exact,
// linear with and without align_corners, user scales). Values computed by hand (checked once
// against torch 1.13).
#include <cstdint>
#include <random>

#include "tests/codegen/reference_test_util.h"

using namespace kiln::reference::testing;

namespace {

using Ints = std::vector<int64_t>;

Attrs PadAttrs(Ints pads, const std::string& mode, double value = 0) {
  return Attrs{{"pads", pads}, {"mode", mode}, {"value", value}};
}

Attrs CTAttrs(Ints stride, Ints padding, Ints output_padding, Ints dilation, int64_t groups = 1) {
  return Attrs{{"stride", stride},
               {"padding", padding},
               {"output_padding", output_padding},
               {"dilation", dilation},
               {"groups", groups}};
}

Attrs UpAttrs(const std::string& mode, Ints sizes, std::vector<double> scales = {}, bool align_corners = false) {
  return Attrs{{"mode", mode}, {"sizes", sizes}, {"scales", scales}, {"align_corners", align_corners}};
}

HostTensor Random(std::vector<int64_t> sizes, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-1, 1);
  HostTensor t(DType::kF64, sizes);
  for (int64_t i = 0; i < t.num_elements(); ++i) t.SetDouble(i, u(rng));
  return t;
}

double Dot(const HostTensor& a, const HostTensor& b) {
  REQUIRE(a.sizes() == b.sizes());
  double s = 0;
  for (int64_t i = 0; i < a.num_elements(); ++i) s += a.GetDouble(i) * b.GetDouble(i);
  return s;
}

}  // namespace

TEST_CASE("pad: every mode on one dim, cropping, the constant value") {
  HostTensor x = F32({1, 3}, {1, 2, 3});
  CheckTensor(Eval(OpKind::Pad, PadAttrs({1, -1}, "constant", 9), {x}), DType::kF32, {1, 3}, {9, 1, 2}, 0);
  CheckTensor(Eval(OpKind::Pad, PadAttrs({2, 1}, "reflect"), {x}), DType::kF32, {1, 6}, {3, 2, 1, 2, 3, 2}, 0);
  CheckTensor(Eval(OpKind::Pad, PadAttrs({2, 1}, "replicate"), {x}), DType::kF32, {1, 6}, {1, 1, 1, 2, 3, 3}, 0);
  CheckTensor(Eval(OpKind::Pad, PadAttrs({1, 2}, "circular"), {x}), DType::kF32, {1, 6}, {3, 1, 2, 3, 1, 2}, 0);
  // Circular crops first, then wraps around what is left ([2, 3]), as torch 1.13.
  CheckTensor(Eval(OpKind::Pad, PadAttrs({-1, 2}, "circular"), {x}), DType::kF32, {1, 4}, {2, 3, 2, 3}, 0);
  // Reflect and replicate index the original extent, also when one side crops.
  CheckTensor(Eval(OpKind::Pad, PadAttrs({-1, 2}, "reflect"), {x}), DType::kF32, {1, 4}, {2, 3, 2, 1}, 0);
  CheckTensor(Eval(OpKind::Pad, PadAttrs({2, -2}, "replicate"), {x}), DType::kF32, {1, 3}, {1, 1, 1}, 0);
  // Everything cropped away: an empty result in constant mode.
  CheckTensor(Eval(OpKind::Pad, PadAttrs({-2, -1}, "constant"), {x}), DType::kF32, {1, 0}, {}, 0);
  // Integer tensors: the value is stored as an integer.
  CheckInts(Eval(OpKind::Pad, PadAttrs({1, 0}, "constant", 7), {I64({2}, {4, 5})}), DType::kI64, {3}, {7, 4, 5});
}

TEST_CASE("pad: two dims; the corners combine both dims' source indices") {
  HostTensor x = F32({2, 2}, {1, 2, 3, 4});
  // pads (1, 0) on the last dim, (0, 1) on the first: reflect.
  CheckTensor(Eval(OpKind::Pad, PadAttrs({1, 0, 0, 1}, "reflect"), {x}), DType::kF32, {3, 3},
              {2, 1, 2, 4, 3, 4, 2, 1, 2}, 0);
  CheckTensor(Eval(OpKind::Pad, PadAttrs({1, 0, 0, 1}, "replicate"), {x}), DType::kF32, {3, 3},
              {1, 1, 2, 3, 3, 4, 3, 3, 4}, 0);
  CheckTensor(Eval(OpKind::Pad, PadAttrs({1, 0, 0, 1}, "constant", -1), {x}), DType::kF32, {3, 3},
              {-1, 1, 2, -1, 3, 4, -1, -1, -1}, 0);
}

TEST_CASE("pad: bad attributes are errors naming the problem") {
  HostTensor x = F32({1, 3}, {1, 2, 3});
  CHECK_THAT(EvalError(OpKind::Pad, PadAttrs({3, 0}, "reflect"), {x}).message(),
             Catch::Contains("reflect padding must be smaller than the dim"));
  CHECK_THAT(EvalError(OpKind::Pad, PadAttrs({4, 0}, "circular"), {x}).message(),
             Catch::Contains("wrap around at most once"));
  CHECK_THAT(EvalError(OpKind::Pad, PadAttrs({-2, -2}, "constant"), {x}).message(), Catch::Contains("negative size"));
  CHECK_THAT(EvalError(OpKind::Pad, PadAttrs({1}, "constant"), {x}).message(), Catch::Contains("even number"));
  CHECK_THAT(EvalError(OpKind::Pad, PadAttrs({1, 1, 1, 1, 1, 1}, "constant"), {x}).message(),
             Catch::Contains("pad more dims"));
  CHECK_THAT(EvalError(OpKind::Pad, PadAttrs({1, 1}, "mirror"), {x}).message(), Catch::Contains("must be constant"));
}

TEST_CASE("conv_transpose by hand: stride, padding, output_padding, dilation, groups, bias") {
  HostTensor x = F32({1, 1, 2}, {1, 2}), w = F32({1, 1, 2}, {1, 10});
  CheckTensor(Eval(OpKind::ConvTranspose, CTAttrs({2}, {0}, {0}, {1}), {x, w}), DType::kF32, {1, 1, 4}, {1, 10, 2, 20}, 0);
  CheckTensor(Eval(OpKind::ConvTranspose, CTAttrs({1}, {0}, {0}, {1}), {x, w}), DType::kF32, {1, 1, 3}, {1, 12, 20}, 0);
  // Padding crops the full output [1, 12, 20] on both sides.
  CheckTensor(Eval(OpKind::ConvTranspose, CTAttrs({1}, {1}, {0}, {1}), {x, w}), DType::kF32, {1, 1, 1}, {12}, 0);
  // output_padding adds one position on the far side (nothing lands there), then the bias.
  CheckTensor(Eval(OpKind::ConvTranspose, CTAttrs({2}, {0}, {1}, {1}), {x, w, F32({1}, {0.5})}), DType::kF32, {1, 1, 5},
              {1.5, 10.5, 2.5, 20.5, 0.5}, 0);
  // Dilation 2: taps land two apart.
  CheckTensor(Eval(OpKind::ConvTranspose, CTAttrs({1}, {0}, {0}, {2}), {x, w}), DType::kF32, {1, 1, 4}, {1, 2, 10, 20}, 0);
  // Two groups, one channel each: weight [2, 1, 1], out channel g sees only input channel g.
  CheckTensor(Eval(OpKind::ConvTranspose, CTAttrs({1}, {0}, {0}, {1}, 2), {F32({1, 2, 1}, {1, 5}), F32({2, 1, 1}, {2, 3})}),
              DType::kF32, {1, 2, 1}, {2, 15}, 0);
  // One input channel to two output channels: weight [1, 2, 1].
  CheckTensor(Eval(OpKind::ConvTranspose, CTAttrs({1}, {0}, {0}, {1}), {F32({1, 1, 1}, {3}), F32({1, 2, 1}, {2, -1})}),
              DType::kF32, {1, 2, 1}, {6, -3}, 0);
}

TEST_CASE("conv_transpose is the adjoint of conv: <conv(y), x> == <y, conv_transpose(x)>") {
  struct Geometry {
    Ints y_sp, k_sp, stride, padding, dilation;
    int64_t groups, c_in, c_out;
  };
  std::vector<Geometry> cases = {
      {{7, 8}, {3, 2}, {2, 3}, {1, 0}, {1, 2}, 1, 3, 2},
      {{9, 6}, {3, 3}, {2, 2}, {2, 1}, {2, 1}, 2, 4, 6},
      {{5, 5}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, 4, 4, 4},  // depthwise
      {{10}, {2}, {4}, {0}, {1}, 1, 2, 3},                 // stride > kernel
  };
  uint64_t seed = 1;
  for (const Geometry& g : cases) {
    size_t nd = g.y_sp.size();
    Ints y_sizes = {2, g.c_in}, w_sizes = {g.c_out, g.c_in / g.groups}, op;
    for (size_t d = 0; d < nd; ++d) {
      y_sizes.push_back(g.y_sp[d]);
      w_sizes.push_back(g.k_sp[d]);
      op.push_back((g.y_sp[d] + 2 * g.padding[d] - g.dilation[d] * (g.k_sp[d] - 1) - 1) % g.stride[d]);
    }
    HostTensor y = Random(y_sizes, seed++), w = Random(w_sizes, seed++);
    Attrs conv{{"stride", g.stride}, {"padding", g.padding}, {"dilation", g.dilation}, {"groups", g.groups}};
    HostTensor cy = Eval(OpKind::Conv, conv, {y, w});
    HostTensor x = Random(cy.sizes(), seed++);
    // conv's weight [O, C/g, *K] read as conv_transpose's [in=O, out/g=C/g, *K] (per group).
    HostTensor tx = Eval(OpKind::ConvTranspose, CTAttrs(g.stride, g.padding, op, g.dilation, g.groups), {x, w});
    REQUIRE(tx.sizes() == y.sizes());
    CHECK(Dot(cy, x) == Approx(Dot(y, tx)).epsilon(1e-12));
  }
}

TEST_CASE("unfold and fold: im2col and col2im by hand") {
  HostTensor x = F32({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  Attrs a{{"kernel_size", Ints{2, 2}}, {"dilation", Ints{1, 1}}, {"padding", Ints{0, 0}}, {"stride", Ints{1, 1}}};
  HostTensor cols = Eval(OpKind::Unfold, a, {x});
  CheckTensor(cols, DType::kF32, {1, 4, 4}, {1, 2, 4, 5, 2, 3, 5, 6, 4, 5, 7, 8, 5, 6, 8, 9}, 0);
  a.set("output_size", Ints{3, 3});
  // Each pixel summed as often as windows cover it: counts [[1,2,1],[2,4,2],[1,2,1]].
  CheckTensor(Eval(OpKind::Fold, a, {cols}), DType::kF32, {1, 1, 3, 3}, {1, 4, 3, 8, 20, 12, 7, 16, 9}, 0);
  // Padding 1, stride 2: four windows; taps in the padding read 0 (unfold) / are dropped (fold).
  Attrs p{{"kernel_size", Ints{2, 2}}, {"dilation", Ints{1, 1}}, {"padding", Ints{1, 1}}, {"stride", Ints{2, 2}}};
  HostTensor pc = Eval(OpKind::Unfold, p, {x});
  CheckTensor(pc, DType::kF32, {1, 4, 4}, {0, 0, 0, 5, 0, 0, 4, 6, 0, 2, 0, 8, 1, 3, 7, 9}, 0);
  p.set("output_size", Ints{3, 3});
  CheckTensor(Eval(OpKind::Fold, p, {pc}), DType::kF32, {1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9}, 0);
  // Dilation 2 on a 3x3 input: one window of the four corners.
  Attrs d{{"kernel_size", Ints{2, 2}}, {"dilation", Ints{2, 2}}, {"padding", Ints{0, 0}}, {"stride", Ints{1, 1}}};
  CheckTensor(Eval(OpKind::Unfold, d, {x}), DType::kF32, {1, 4, 1}, {1, 3, 7, 9}, 0);
  CHECK_THAT(EvalError(OpKind::Fold, a, {F32({1, 4, 3}, std::vector<float>(12, 0))}).message(),
             Catch::Contains("sliding blocks"));
  CHECK_THAT(EvalError(OpKind::Unfold, d, {F32({1, 1, 1, 1}, {1})}).message(), Catch::Contains("exceeds padded size"));
}

TEST_CASE("upsample nearest / nearest_exact / linear, with and without scales") {
  HostTensor x = F32({1, 1, 3}, {1, 2, 3});
  CheckTensor(Eval(OpKind::Upsample, UpAttrs("nearest", {5}), {x}), DType::kF32, {1, 1, 5}, {1, 1, 2, 2, 3}, 0);
  CheckTensor(Eval(OpKind::Upsample, UpAttrs("nearest_exact", {5}), {x}), DType::kF32, {1, 1, 5}, {1, 1, 2, 3, 3}, 0);
  // A user scale 1.7 of 7 -> 11 uses 1/1.7, not 7/11: index 6 is never read (torch 1.13).
  HostTensor x7 = F32({1, 7}, {0, 1, 2, 3, 4, 5, 6});
  CheckTensor(Eval(OpKind::Upsample, UpAttrs("nearest", {11}, {1.7}), {x7}), DType::kF32, {1, 11},
              {0, 0, 1, 1, 2, 2, 3, 4, 4, 5, 5}, 0);
  CheckTensor(Eval(OpKind::Upsample, UpAttrs("nearest", {11}), {x7}), DType::kF32, {1, 11},
              {0, 0, 1, 1, 2, 3, 3, 4, 5, 5, 6}, 0);
  HostTensor two = F32({1, 1, 2}, {0, 10});
  CheckTensor(Eval(OpKind::Upsample, UpAttrs("linear", {4}), {two}), DType::kF32, {1, 1, 4}, {0, 2.5, 7.5, 10});
  CheckTensor(Eval(OpKind::Upsample, UpAttrs("linear", {3}, {}, true), {two}), DType::kF32, {1, 1, 3}, {0, 5, 10});
  HostTensor sq = F32({1, 1, 2, 2}, {0, 10, 20, 30});
  CheckTensor(Eval(OpKind::Upsample, UpAttrs("linear", {3, 3}, {}, true), {sq}), DType::kF32, {1, 1, 3, 3},
              {0, 5, 10, 10, 15, 20, 20, 25, 30});
  // Downsampling to one element: align_corners reads index 0, half-pixel reads the centre.
  CheckTensor(Eval(OpKind::Upsample, UpAttrs("linear", {1}, {}, true), {x}), DType::kF32, {1, 1, 1}, {1});
  CheckTensor(Eval(OpKind::Upsample, UpAttrs("linear", {1}), {x}), DType::kF32, {1, 1, 1}, {2});
  // Nearest on integers copies.
  CheckInts(Eval(OpKind::Upsample, UpAttrs("nearest", {4}), {I64({1, 2}, {7, 8})}), DType::kI64, {1, 4}, {7, 7, 8, 8});
  CHECK_THAT(EvalError(OpKind::Upsample, UpAttrs("nearest", {4}, {}, true), {x}).message(),
             Catch::Contains("align_corners is only for linear"));
  CHECK_THAT(EvalError(OpKind::Upsample, UpAttrs("cubic", {4}), {x}).message(), Catch::Contains("must be nearest"));
  CHECK_THAT(EvalError(OpKind::Upsample, UpAttrs("nearest", {4}, {2.0, 2.0}), {x}).message(),
             Catch::Contains("scales"));
}
