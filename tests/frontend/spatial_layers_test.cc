// Layers I (frontend): padding layers, Conv padding modes, ConvTranspose, Unfold/Fold,
// PixelShuffle/Unshuffle, Upsample: reprs beyond the golden cases, state_dict keys and shapes,
// init bounds, errors (kiln::Error naming the layer and the problem), and what tracing records.
// Numerics against PyTorch are in spatial_layers_golden_test.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "codegen/reference/interpreter.h"
#include "frontend/nn.h"
#include "frontend/trace.h"

namespace {

using namespace kiln;  // NOLINT
using Catch::Matchers::Contains;
using Sizes = std::vector<int64_t>;
using UO = nn::UpsampleOptions;

std::vector<std::string> Keys(const nn::Module& m) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : m.state_dict()) keys.push_back(k);
  return keys;
}

double MaxAbs(const Tensor& t) {
  double m = 0;
  for (double v : t.to_vector<double>()) m = std::max(m, std::abs(v));
  return m;
}

std::vector<ir::OpKind> Ops(const ir::Graph& g) {
  std::vector<ir::OpKind> ops;
  for (const ir::Node* n : g.nodes()) ops.push_back(n->op());
  return ops;
}

bool Has(const std::vector<ir::OpKind>& ops, ir::OpKind op) { return std::count(ops.begin(), ops.end(), op) > 0; }

}  // namespace

TEST_CASE("Padding layers: reprs, no state, shapes, errors", "[layers]") {
  CHECK(nn::ConstantPad1d(2, 3)->repr() == "ConstantPad1d(padding=(2, 2), value=3)");
  CHECK(nn::ConstantPad1d(2, 3.0)->repr() == "ConstantPad1d(padding=(2, 2), value=3.0)");
  CHECK(nn::ConstantPad3d(nn::ConstantPad3dOptions({1, 0, 0, 1, 2, 2}, -0.5))->repr() ==
        "ConstantPad3d(padding=(1, 0, 0, 1, 2, 2), value=-0.5)");
  CHECK(nn::ReplicationPad3d(1)->repr() == "ReplicationPad3d((1, 1, 1, 1, 1, 1))");
  CHECK(nn::ZeroPad2d(nn::ExpandingArray<4>({1, 2, 3, 4}))->repr() == "ZeroPad2d((1, 2, 3, 4))");
  CHECK(Keys(*nn::ReflectionPad2d(1)).empty());

  CHECK(nn::ZeroPad2d(1)(ones({2, 3, 4, 5})).sizes() == Sizes{2, 3, 6, 7});
  CHECK(nn::ConstantPad2d(nn::ConstantPad2dOptions({-1, -1, 0, 0}, 0.0))(ones({3, 4})).sizes() == Sizes{3, 2});
  // torch 1.13's F.pad rules: reflect/replicate pad 1-3 dims of an input with 1 or 2 more dims.
  CHECK_THROWS_WITH(nn::ReflectionPad1d(1)(ones({5})), Contains("ReflectionPad1d: pad: reflect padding of 1 dims"));
  CHECK_THROWS_WITH(nn::ReflectionPad1d(5)(ones({1, 2, 5})), Contains("padding size should be less than the dim size 5"));
  CHECK_THROWS_WITH(nn::ZeroPad2d(1)(ones({4})), Contains("padding length too large"));
  CHECK_THROWS_WITH(nn::F::pad(ones({1, 3}), {1, 1}, "circular"), Contains("circular padding of 1 dims needs a batched"));
  CHECK_THROWS_WITH(nn::F::pad(ones({1, 1, 3}), {4, 0}, "circular"), Contains("wrapping around more than once"));
  CHECK_THROWS_WITH(nn::F::pad(ones({1, 1, 3}), {1, 1}, "reflect", 2.0), Contains("doesn't take in value argument"));
  CHECK_THROWS_WITH(nn::F::pad(ones({1, 1, 3}), {1}), Contains("divisible by 2"));
  CHECK_THROWS_WITH(nn::F::pad(ones({1, 1, 3}), {1, 1}, "mirror"), Contains("unrecognised padding mode 'mirror'"));
  CHECK_THROWS_WITH(nn::F::pad(ones({1, 1, 3}), {-2, -2}), Contains("negative size -1"));
}

TEST_CASE("Conv padding modes: pad then convolve; errors; traced pad + conv", "[layers]") {
  nn::Conv2d conv(nn::Conv2dOptions(2, 3, 3).padding(1).padding_mode("circular"));
  CHECK(conv->repr() == "Conv2d(2, 3, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), padding_mode=circular)");
  CHECK(conv(ones({1, 2, 4, 5})).sizes() == Sizes{1, 3, 4, 5});
  // Circular padding of a constant input is still constant: output channel 0 is sum(w[0]) + b[0].
  Tensor y = conv(ones({1, 2, 4, 5}));
  double expected = conv->weight.select(0, 0).sum().item<double>() + conv->bias.to_vector<double>()[0];
  CHECK(y.to_vector<double>()[0] == Approx(expected).epsilon(1e-5));
  CHECK(y.to_vector<double>()[19] == Approx(expected).epsilon(1e-5));
  CHECK_THROWS_WITH(conv(ones({2, 4, 5})), Contains("circular padding of 2 dims needs a batched"));
  nn::Conv1d reflect(nn::Conv1dOptions(1, 1, 3).padding(4).padding_mode("reflect"));
  CHECK_THROWS_WITH(reflect(ones({1, 1, 4})), Contains("padding size should be less than the dim size 4"));
  // "same" with an even kernel: the odd unit of padding goes on the right, as torch.
  nn::Conv1d same(nn::Conv1dOptions(1, 1, 4).padding("same").bias(false));
  same->weight.copy_(tensor(std::vector<float>{1, 2, 3, 4}, {1, 1, 4}));
  // padded input [0, 1, 2, 3, 0, 0]: windows [0,1,2,3], [1,2,3,0], [2,3,0,0].
  CHECK(same(tensor(std::vector<float>{1, 2, 3}, {1, 1, 3})).to_vector<float>() == std::vector<float>{20, 14, 8});

  auto graph = trace(*conv, {TensorSpec({sym("N"), 2, 4, 5})});
  auto ops = Ops(*graph);
  CHECK(ops == std::vector<ir::OpKind>{ir::OpKind::Pad, ir::OpKind::Conv});
  CHECK(graph->nodes()[0]->attrs().s("mode") == "circular");
  CHECK(graph->nodes()[0]->attrs().ints("pads") == Sizes{1, 1, 1, 1});
  CHECK(graph->nodes()[1]->attrs().ints("padding") == Sizes{0, 0});
  CHECK(graph->outputs().at(0).value->type().str() == "f32[N,3,4,5]");
}

TEST_CASE("ConvTranspose: options, repr, state_dict, init bounds, output_size, errors", "[layers]") {
  CHECK(nn::ConvTranspose1d(2, 3, 3)->repr() == "ConvTranspose1d(2, 3, kernel_size=(3,), stride=(1,))");
  CHECK(nn::ConvTranspose3d(nn::ConvTranspose3dOptions(2, 2, 1).output_padding(0).dilation(2))->repr() ==
        "ConvTranspose3d(2, 2, kernel_size=(1, 1, 1), stride=(1, 1, 1), dilation=(2, 2, 2))");
  nn::ConvTranspose2d ct(nn::ConvTranspose2dOptions(4, 6, 3).groups(2).stride(2));
  CHECK(Keys(*ct) == std::vector<std::string>{"weight", "bias"});
  CHECK(ct->weight.sizes() == Sizes{4, 3, 3, 3});
  CHECK(ct->bias.sizes() == Sizes{6});
  // torch's fan_in of the transposed weight: size(1) * prod(kernel) = 3 * 9.
  double bound = 1.0 / std::sqrt(27.0);
  CHECK(MaxAbs(ct->weight) <= bound);
  CHECK(MaxAbs(ct->weight) > 0.9 * bound);
  CHECK(MaxAbs(ct->bias) <= bound);
  CHECK(Keys(*nn::ConvTranspose2d(nn::ConvTranspose2dOptions(1, 1, 1).bias(false))) == std::vector<std::string>{"weight"});

  CHECK(ct(ones({2, 4, 5, 5})).sizes() == Sizes{2, 6, 11, 11});
  CHECK(ct->forward(ones({2, 4, 5, 5}), {12, 11}).sizes() == Sizes{2, 6, 12, 11});
  CHECK(ct->forward(ones({2, 4, 5, 5}), {2, 6, 12, 12}).sizes() == Sizes{2, 6, 12, 12});
  CHECK(ct->forward(ones({4, 5, 5}), {12, 11}).sizes() == Sizes{6, 12, 11});
  CHECK_THROWS_WITH(ct->forward(ones({2, 4, 5, 5}), {13, 11}),
                    Contains("requested an output size of (13, 11), but valid sizes range from (11, 11) to (12, 12)"));
  CHECK_THROWS_WITH(ct->forward(ones({2, 4, 5, 5}), {6, 12, 11}),
                    Contains("for 4D input, output_size must have 2 or 4 elements (got 3)"));
  CHECK_THROWS_WITH(ct(ones({2, 3, 5, 5})), Contains("ConvTranspose2d: conv_transpose2d: expected input with 4 channels, got 3"));
  CHECK_THROWS_WITH(nn::ConvTranspose2d(nn::ConvTranspose2dOptions(2, 2, 3).padding_mode("reflect")),
                    Contains("Only \"zeros\" padding mode is supported for ConvTranspose2d"));
  CHECK_THROWS_WITH(nn::ConvTranspose2d(nn::ConvTranspose2dOptions(2, 3, 3).groups(2)),
                    Contains("out_channels must be divisible by groups"));
  CHECK_THROWS_WITH(nn::ConvTranspose2d(nn::ConvTranspose2dOptions(2, 3, 3).output_padding(1))(ones({1, 2, 4, 4})),
                    Contains("output padding must be smaller than either stride or dilation"));
  CHECK_THROWS_WITH(nn::ConvTranspose2d(nn::ConvTranspose2dOptions(2, 3, 3).padding(3))(ones({1, 2, 4, 4})),
                    Contains("the calculated output size 0x0 is too small"));
  CHECK_THROWS_WITH(nn::F::conv_transpose2d(ones({1, 4, 3, 3}), ones({4, 2, 3, 3}), {}, 1, 0, 0, 3),
                    Contains("must be divisible by groups 3"));

  auto graph = trace(*ct, {TensorSpec({sym("N"), 4, 5, 5})});
  CHECK(Ops(*graph) == std::vector<ir::OpKind>{ir::OpKind::ConvTranspose});
  CHECK(graph->outputs().at(0).value->type().str() == "f32[N,6,11,11]");
}

TEST_CASE("Unfold and Fold: reprs, round trip, errors, tracing", "[layers]") {
  CHECK(nn::Unfold(nn::UnfoldOptions({2, 3}).stride(2))->repr() ==
        "Unfold(kernel_size=(2, 3), dilation=1, padding=0, stride=2)");
  CHECK(nn::Fold(nn::FoldOptions({4, 5}, 2).padding({1, 0}))->repr() ==
        "Fold(output_size=(4, 5), kernel_size=2, dilation=1, padding=(1, 0), stride=1)");
  // fold(unfold(x)) == x * (how many windows cover each pixel) = x * fold(unfold(ones)).
  nn::Unfold unfold(nn::UnfoldOptions(3).padding(1).stride(2));
  nn::Fold fold(nn::FoldOptions(7, 3).padding(1).stride(2));
  Tensor x = randn({2, 3, 7, 7});
  CHECK(unfold(x).sizes() == Sizes{2, 27, 16});
  CHECK(allclose(fold(unfold(x)), x * fold(unfold(ones({2, 3, 7, 7}))), 1e-5, 1e-6));
  CHECK_THROWS_WITH(nn::Unfold(3)(ones({1, 1, 2, 2})), Contains("components must be at least one"));
  CHECK_THROWS_WITH(unfold(ones({7})), Contains("expected 3D (unbatched) or 4D (batched) input"));
  CHECK_THROWS_WITH(fold(ones({1, 26, 16})), Contains("divisible by the product of kernel_size"));
  CHECK_THROWS_WITH(fold(ones({1, 27, 15})), Contains("sliding blocks 4 * 4 = 16, but got 15"));
  CHECK_THROWS_WITH(nn::Unfold(0), Contains("Unfold: kernel_size must be greater than zero"));

  auto graph = trace(*unfold, {TensorSpec({sym("N"), 3, 7, 7})});
  CHECK(graph->outputs().at(0).value->type().str() == "f32[N,27,16]");
}

TEST_CASE("PixelShuffle / PixelUnshuffle: a reshape-permute-reshape decomposition", "[layers]") {
  CHECK(nn::PixelShuffle(2)->repr() == "PixelShuffle(upscale_factor=2)");
  CHECK(nn::PixelUnshuffle(3)->repr() == "PixelUnshuffle(downscale_factor=3)");
  Tensor x = randn({2, 8, 3, 5});
  Tensor y = nn::PixelShuffle(2)(x);
  CHECK(y.sizes() == Sizes{2, 2, 6, 10});
  CHECK(allclose(nn::PixelUnshuffle(2)(y), x));
  // y[n, c, h*r + i, w*r + j] = x[n, c*r*r + i*r + j, h, w].
  CHECK(y.to_vector<float>()[1 * 10 + 3] == x.to_vector<float>()[3 * 15 + 1]);  // c=0,h=0,i=1,w=1,j=1 -> ch 3
  CHECK_THROWS_WITH(nn::PixelShuffle(2)(ones({2, 7, 3, 3})), Contains("is not divisible by 4"));
  CHECK_THROWS_WITH(nn::PixelShuffle(2)(ones({8, 3})), Contains("at least 3 dimensions"));
  CHECK_THROWS_WITH(nn::PixelUnshuffle(2)(ones({2, 2, 5, 4})), Contains("input.size(-2)=5 is not divisible by 2"));

  auto graph = trace(*nn::PixelShuffle(2), {TensorSpec({sym("N"), 8, 3, 5})});
  CHECK(Ops(*graph) == std::vector<ir::OpKind>{ir::OpKind::Reshape, ir::OpKind::Permute, ir::OpKind::Reshape});
  CHECK(graph->outputs().at(0).value->type().str() == "f32[N,2,6,10]");
}

TEST_CASE("Upsample: reprs, output sizes, option errors, traced attributes", "[layers]") {
  CHECK(nn::Upsample()->repr() == "Upsample(size=None, mode=nearest)");
  CHECK(nn::Upsample(UO().scale_factor({2, 1.5}).mode("bilinear"))->repr() == "Upsample(scale_factor=(2.0, 1.5), mode=bilinear)");
  CHECK(nn::UpsamplingNearest2d(UO().size({3, 4}))->repr() == "UpsamplingNearest2d(size=(3, 4), mode=nearest)");
  CHECK(nn::UpsamplingBilinear2d(UO().size(3))->repr() == "UpsamplingBilinear2d(size=3, mode=bilinear)");
  CHECK(Keys(*nn::Upsample(UO().scale_factor(2))).empty());

  CHECK(nn::Upsample(UO().scale_factor(1.7))(ones({1, 2, 5, 5})).sizes() == Sizes{1, 2, 8, 8});
  CHECK(nn::Upsample(UO().scale_factor(0.3))(ones({1, 2, 5, 5})).sizes() == Sizes{1, 2, 1, 1});
  CHECK_THROWS_WITH(nn::Upsample()(ones({1, 2, 3})), Contains("Upsample: interpolate: either size or scale_factor"));
  CHECK_THROWS_WITH(nn::Upsample(UO().size(3).scale_factor(2.0))(ones({1, 2, 3})), Contains("only one of size or scale_factor"));
  CHECK_THROWS_WITH(nn::Upsample(UO().scale_factor(0.1))(ones({1, 2, 5, 5})),
                    Contains("Input and output sizes should be greater than 0"));
  CHECK_THROWS_WITH(nn::Upsample(UO().scale_factor(2).align_corners(true))(ones({1, 2, 3})),
                    Contains("align_corners option can only be set with the interpolating modes"));
  CHECK_THROWS_WITH(nn::Upsample(UO().scale_factor(2).mode("linear"))(ones({1, 2, 3, 3})),
                    Contains("Got 4D input, but linear mode needs 3D input"));
  CHECK_THROWS_WITH(nn::Upsample(UO().size({3, 4, 5}))(ones({1, 2, 3, 3})),
                    Contains("Input and output must have the same number of spatial dimensions"));
  CHECK_THROWS_WITH(nn::Upsample(UO().size(3).recompute_scale_factor(true))(ones({1, 2, 3})),
                    Contains("recompute_scale_factor is not meaningful with an explicit size"));
  CHECK_THROWS_WITH(nn::Upsample(UO().scale_factor(2).mode("foo"))(ones({1, 2, 3})), Contains("(got foo)"));
  CHECK_THROWS_WITH(nn::Upsample(UO().scale_factor(2).mode("bicubic"))(ones({1, 2, 3, 3})),
                    Contains("mode 'bicubic' is not supported yet"));
  CHECK_THROWS_WITH(nn::F::interpolate(ones({2, 5}), UO().scale_factor(2)),
                    Contains("Only 3D, 4D and 5D input Tensors supported (got 2D)"));

  // Traced: the user's scale factors travel as `scales` unless recomputed.
  auto g = trace(*nn::Upsample(UO().scale_factor(1.5).mode("bilinear")), {TensorSpec({sym("N"), 2, 4, 4})});
  const ir::Node* n = g->nodes().at(0);
  CHECK(n->op() == ir::OpKind::Upsample);
  CHECK(n->attrs().s("mode") == "linear");
  CHECK(n->attrs().ints("sizes") == Sizes{6, 6});
  CHECK(n->attrs().floats("scales") == std::vector<double>{1.5, 1.5});
  CHECK(!n->attrs().b("align_corners"));
  auto g2 = trace(*nn::Upsample(UO().scale_factor(1.5).recompute_scale_factor(true)), {TensorSpec({sym("N"), 2, 4})});
  CHECK(g2->nodes().at(0)->attrs().floats("scales").empty());
  CHECK(g2->outputs().at(0).value->type().str() == "f32[N,2,6]");
}
