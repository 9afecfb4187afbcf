// Issue 5's normalization, bilinear and embedding layers: reprs (exactly torch 1.13's),
// state_dict keys and order, default init, errors that name the layer, train/eval behaviour,
// and what tracing records (ops, symbolic batch N, max_norm without writing weights back).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "codegen/reference/interpreter.h"
#include "frontend/nn.h"
#include "frontend/trace.h"
#include "ir/kir.h"

namespace {

using namespace kiln;  // NOLINT
using Catch::Matchers::Contains;
using Keys_t = std::vector<std::string>;

Keys_t Keys(const nn::Module& m) {
  Keys_t keys;
  for (const auto& [k, v] : m.state_dict()) keys.push_back(k);
  return keys;
}

Tensor T(std::vector<float> values, std::vector<int64_t> sizes) { return tensor(values, sizes); }
Tensor I(std::vector<int64_t> values, std::vector<int64_t> sizes) { return tensor(values, sizes); }

double MaxAbs(const Tensor& t) {
  double m = 0;
  for (double v : t.to_vector<double>()) m = std::max(m, std::abs(v));
  return m;
}

int CountOps(const ir::Graph& g, ir::OpKind op) {
  int n = 0;
  for (const ir::Node* node : g.nodes()) n += node->op() == op;
  return n;
}

}  // namespace

TEST_CASE("BatchNorm3d: repr, keys, 5-d input only, eval = running stats", "[norm_embedding]") {
  nn::BatchNorm3d bn(3);
  CHECK(bn->repr() == "BatchNorm3d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)");
  CHECK(Keys(*bn) == Keys_t{"weight", "bias", "running_mean", "running_var", "num_batches_tracked"});
  CHECK_THROWS_WITH(bn(ones({2, 3, 4, 4})), Contains("BatchNorm3d") && Contains("expected 5D input (got 4D input"));
  bn->eval();
  bn->running_mean.fill_(1.0);
  bn->running_var.fill_(4.0);
  Tensor y = bn(full({1, 3, 1, 1, 2}, 3.0));
  for (float v : y.to_vector<float>()) CHECK(v == Approx(1.0).epsilon(1e-5));
  // Training on one value per channel is an error, as torch.
  bn->train();
  CHECK_THROWS_WITH(bn(ones({1, 3, 1, 1, 1})), Contains("Expected more than 1 value per channel"));
  // BatchNorm1d takes [N, C] and [N, C, L].
  nn::BatchNorm1d bn1(nn::BatchNormOptions(2).momentum(std::nullopt));
  CHECK(bn1->repr() == "BatchNorm1d(2, eps=1e-05, momentum=None, affine=True, track_running_stats=True)");
  CHECK(bn1(randn({4, 2})).sizes() == std::vector<int64_t>{4, 2});
  CHECK(bn1(randn({4, 2, 3})).sizes() == std::vector<int64_t>{4, 2, 3});
  CHECK(bn1->num_batches_tracked.item<int64_t>() == 2);
  CHECK_THROWS_WITH(bn1(randn({4, 2, 3, 1})), Contains("expected 2D or 3D input"));
}

TEST_CASE("LayerNorm: options, repr, keys, errors, traced as one layer_norm op", "[norm_embedding]") {
  nn::LayerNorm ln(5);
  CHECK(ln->repr() == "LayerNorm((5,), eps=1e-05, elementwise_affine=True)");
  CHECK(Keys(*ln) == Keys_t{"weight", "bias"});
  CHECK(ln->weight.to_vector<float>() == std::vector<float>(5, 1.0f));
  CHECK(ln->bias.to_vector<float>() == std::vector<float>(5, 0.0f));
  nn::LayerNorm plain(nn::LayerNormOptions({2, 3}).eps(1e-3).elementwise_affine(false));
  CHECK(plain->repr() == "LayerNorm((2, 3), eps=0.001, elementwise_affine=False)");
  CHECK(Keys(*plain).empty());
  CHECK_THROWS_WITH(plain(ones({4, 3, 2})), Contains("LayerNorm") && Contains("normalized_shape=[2, 3]"));
  CHECK_THROWS_WITH(nn::LayerNorm(nn::LayerNormOptions(std::vector<int64_t>{})), Contains("LayerNorm"));
  // Constant rows normalize to zeros (plus bias).
  ln->bias.fill_(0.5);
  for (float v : ln(full({2, 5}, 7.0)).to_vector<float>()) CHECK(v == 0.5f);
  auto g = trace(*ln, {TensorSpec({sym("N"), 3, 5})});
  CHECK(CountOps(*g, ir::OpKind::LayerNorm) == 1);
  CHECK(g->outputs()[0].value->type().str() == "f32[N,3,5]");
  CHECK(g->params().size() == 2);
  // F::layer_norm with a bias but no weight adds the bias after the op.
  Tensor y = nn::F::layer_norm(T({1, 3}, {1, 2}), {2}, Tensor(), T({1, 1}, {2}));
  CHECK(y.to_vector<float>()[0] == Approx(0.0).margin(1e-4));
}

TEST_CASE("GroupNorm: repr, keys, divisibility and channel errors", "[norm_embedding]") {
  nn::GroupNorm gn(2, 4);
  CHECK(gn->repr() == "GroupNorm(2, 4, eps=1e-05, affine=True)");
  CHECK(Keys(*gn) == Keys_t{"weight", "bias"});
  nn::GroupNorm plain(nn::GroupNormOptions(3, 6).eps(1e-3).affine(false));
  CHECK(plain->repr() == "GroupNorm(3, 6, eps=0.001, affine=False)");
  CHECK(Keys(*plain).empty());
  CHECK_THROWS_WITH(nn::GroupNorm(3, 4), Contains("GroupNorm: num_channels must be divisible by num_groups"));
  CHECK_THROWS_WITH(gn(ones({3, 6, 2})), Contains("GroupNorm") && Contains("4 channels"));
  CHECK_THROWS_WITH(gn(ones({4})), Contains("GroupNorm"));
  CHECK_THROWS_WITH(nn::GroupNorm(4, 4)(ones({1, 4})), Contains("Expected more than 1 value per channel"));
  auto g = trace(*gn, {TensorSpec({sym("N"), 4, 3, 3})});
  CHECK(CountOps(*g, ir::OpKind::GroupNorm) == 1);
  CHECK(g->outputs()[0].value->type().str() == "f32[N,4,3,3]");
}

TEST_CASE("InstanceNorm: defaults, repr, keys, unbatched input, running stats", "[norm_embedding]") {
  nn::InstanceNorm1d in1(3);
  CHECK(in1->repr() == "InstanceNorm1d(3, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False)");
  CHECK(Keys(*in1).empty());
  nn::InstanceNorm2d in2(nn::InstanceNormOptions(3).affine(true).track_running_stats(true));
  CHECK(in2->repr() == "InstanceNorm2d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)");
  CHECK(Keys(*in2) == Keys_t{"weight", "bias", "running_mean", "running_var", "num_batches_tracked"});
  nn::InstanceNorm3d in3(nn::InstanceNormOptions(3).momentum(std::nullopt));
  CHECK(in3->repr() == "InstanceNorm3d(3, eps=1e-05, momentum=None, affine=False, track_running_stats=False)");

  CHECK_THROWS_WITH(in1(ones({2, 3, 4, 5})), Contains("InstanceNorm1d") && Contains("expected 2D or 3D input"));
  CHECK_THROWS_WITH(in1(ones({2, 3, 1})), Contains("Expected more than 1 spatial element"));
  CHECK(in1(randn({3, 6})).sizes() == std::vector<int64_t>{3, 6});  // unbatched
  CHECK_THROWS_WITH(in2(ones({2, 4, 3, 3})), Contains("InstanceNorm2d") && Contains("3 channels"));

  // Training updates running stats but never num_batches_tracked (as torch's _InstanceNorm).
  in2(randn({2, 3, 4, 4}) + 3.0);
  CHECK(in2->num_batches_tracked.item<int64_t>() == 0);
  for (float m : in2->running_mean.to_vector<float>()) CHECK(m == Approx(0.3).margin(0.1));
  // Eval with running stats: BatchNorm's formula; traced, the stats are graph parameters.
  in2->eval();
  auto g = trace(*in2, {TensorSpec({sym("N"), 3, 4, 4})});
  CHECK(CountOps(*g, ir::OpKind::GroupNorm) == 0);
  CHECK(g->weights().count("running_mean") == 1);
  // momentum=None cannot update running stats (torch raises a TypeError there).
  nn::InstanceNorm1d none(nn::InstanceNormOptions(2).momentum(std::nullopt).track_running_stats(true));
  CHECK_THROWS_WITH(none(randn({2, 2, 4})), Contains("InstanceNorm1d") && Contains("momentum=None"));
  none->eval();
  CHECK(none(randn({2, 2, 4})).sizes() == std::vector<int64_t>{2, 2, 4});
}

TEST_CASE("LocalResponseNorm: repr, errors, empty input, traced with symbolic N", "[norm_embedding]") {
  nn::LocalResponseNorm lrn(2);
  CHECK(lrn->repr() == "LocalResponseNorm(2, alpha=0.0001, beta=0.75, k=1.0)");
  nn::LocalResponseNorm custom(nn::LocalResponseNormOptions(3).alpha(1e-3).beta(0.5).k(2.0));
  CHECK(custom->repr() == "LocalResponseNorm(3, alpha=0.001, beta=0.5, k=2.0)");
  CHECK_THROWS_WITH(lrn(ones({2, 3})), Contains("LocalResponseNorm") && Contains("expected 3D or higher"));
  CHECK(lrn(zeros({0, 3, 2})).sizes() == std::vector<int64_t>{0, 3, 2});
  // One channel, size 1: x / (k + alpha * x^2)^beta.
  nn::LocalResponseNorm one(nn::LocalResponseNormOptions(1).alpha(1.0).beta(1.0).k(1.0));
  CHECK(one(full({1, 1, 1}, 2.0)).item<float>() == Approx(2.0 / 5.0));
  auto g = trace(*custom, {TensorSpec({sym("N"), 5, 2, 3})});
  CHECK(g->outputs()[0].value->type().str() == "f32[N,5,2,3]");
}

TEST_CASE("Bilinear: repr, keys, init bound, two-input calls, errors", "[norm_embedding]") {
  nn::Bilinear bl(20, 3, 4);
  CHECK(bl->repr() == "Bilinear(in1_features=20, in2_features=3, out_features=4, bias=True)");
  CHECK(Keys(*bl) == Keys_t{"weight", "bias"});
  CHECK(bl->weight.sizes() == std::vector<int64_t>{4, 20, 3});
  double bound = 1.0 / std::sqrt(20.0);
  CHECK(MaxAbs(bl->weight) <= bound);
  CHECK(MaxAbs(bl->weight) > 0.9 * bound);
  CHECK(MaxAbs(bl->bias) <= bound);
  nn::Bilinear small(nn::BilinearOptions(1, 1, 1).bias(false));
  CHECK(small->repr() == "Bilinear(in1_features=1, in2_features=1, out_features=1, bias=False)");
  CHECK(Keys(*small) == Keys_t{"weight"});
  small->weight.fill_(3.0);
  CHECK(small(T({2}, {1, 1}), T({5}, {1, 1})).item<float>() == 30.0f);
  CHECK(small->call({T({2}, {1, 1}), T({5}, {1, 1})})[0].item<float>() == 30.0f);
  CHECK_THROWS_WITH(small(T({2}, {1, 1})), Contains("Bilinear") && Contains("expected 2 inputs"));
  CHECK_THROWS_WITH(bl(ones({2, 20}), ones({3, 3})), Contains("Bilinear") && Contains("batch dimensions do not match"));
  CHECK_THROWS_WITH(bl(ones({2, 19}), ones({2, 3})), Contains("Bilinear"));
  auto g = trace(*bl, {TensorSpec({sym("N"), 20}), TensorSpec({sym("N"), 3})});
  CHECK(g->outputs()[0].value->type().str() == "f32[N,4]");
}

TEST_CASE("Embedding: repr, init with a zero padding row, index errors, from_pretrained", "[norm_embedding]") {
  manual_seed(0);
  nn::Embedding e(nn::EmbeddingOptions(200, 50).padding_idx(-2));
  CHECK(e->repr() == "Embedding(200, 50, padding_idx=198)");
  CHECK(e->padding_idx == 198);
  CHECK(Keys(*e) == Keys_t{"weight"});
  std::vector<double> w = e->weight.to_vector<double>();
  double mean = 0, sq = 0;
  for (double v : w) mean += v;
  mean /= static_cast<double>(w.size());
  for (double v : w) sq += (v - mean) * (v - mean);
  CHECK(mean == Approx(0.0).margin(0.03));
  CHECK(std::sqrt(sq / static_cast<double>(w.size())) == Approx(1.0).epsilon(0.03));
  CHECK(MaxAbs(e->weight.select(0, 198)) == 0.0);
  CHECK(nn::Embedding(nn::EmbeddingOptions(10, 3).padding_idx(8).max_norm(1.0).norm_type(1.0).scale_grad_by_freq(true).sparse(true))
            ->repr() == "Embedding(10, 3, padding_idx=8, max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True, sparse=True)");
  CHECK_THROWS_WITH(nn::Embedding(nn::EmbeddingOptions(10, 3).padding_idx(10)), Contains("Embedding: padding_idx must be within"));
  CHECK_THROWS_WITH(nn::Embedding(nn::EmbeddingOptions(10, 3).padding_idx(-11)), Contains("Embedding"));

  nn::Embedding small(4, 2);
  small->weight.copy_(T({0, 1, 10, 11, 20, 21, 30, 31}, {4, 2}));
  CHECK(small(I({3, 0}, {2})).to_vector<float>() == std::vector<float>{30, 31, 0, 1});
  CHECK(small(I({2}, {1}).reshape({})).sizes() == std::vector<int64_t>{2});  // 0-d indices
  CHECK_THROWS_WITH(small(I({1, 4}, {2})), Contains("Embedding") && Contains("index 4") && Contains("table of 4 rows"));
  CHECK_THROWS_WITH(small(I({-1}, {1})), Contains("index -1"));
  CHECK_THROWS_WITH(small(T({1}, {1})), Contains("Embedding") && Contains("i64"));
  // Traced, an out-of-range index is the reference kernel's InvalidArgument.
  auto g = trace(*small, {TensorSpec({sym("N"), 3}, DType::kI64)});
  CHECK(g->outputs()[0].value->type().str() == "f32[N,3,2]");
  auto bad = reference::RunGraph(*g, {{"input", I({0, 1, 9}, {1, 3}).data()}});
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.status().message(), Contains("index 9") && Contains("table of 4 rows"));

  Tensor table = T({1, 2, 3, 4}, {2, 2});
  nn::Embedding pre = nn::Embedding::from_pretrained(table);
  CHECK(pre->repr() == "Embedding(2, 2)");
  CHECK_FALSE(pre->weight.requires_grad());
  CHECK(pre(I({1}, {1})).to_vector<float>() == std::vector<float>{3, 4});
  nn::Embedding trainable = nn::Embedding::from_pretrained(table, /*freeze=*/false, /*padding_idx=*/0);
  CHECK(trainable->weight.requires_grad());
  CHECK(trainable->weight.to_vector<float>()[0] == 1.0f);  // from_pretrained keeps the padding row
  CHECK_THROWS_WITH(nn::Embedding::from_pretrained(ones({3})), Contains("2-dimensional"));
}

TEST_CASE("Embedding max_norm: eager renormalizes rows in place, traced leaves weights alone", "[norm_embedding]") {
  nn::Embedding e(nn::EmbeddingOptions(3, 2).max_norm(1.0));
  e->weight.copy_(T({3, 4, 0.3f, 0.4f, 6, 8}, {3, 2}));
  e->eval();
  auto g = trace(*e, {TensorSpec({sym("N")}, DType::kI64)});
  auto out = reference::RunGraph(*g, {{"input", I({0, 1}, {2}).data()}});
  REQUIRE(out.ok());
  std::vector<float> traced = Tensor((*out)[0].second).to_vector<float>();
  CHECK(traced[0] == Approx(0.6f));
  CHECK(traced[3] == Approx(0.4f));
  CHECK(e->weight.to_vector<float>()[0] == 3.0f);  // tracing did not write back
  Tensor y = e(I({0, 1, 0}, {3}));
  CHECK(y.to_vector<float>()[0] == Approx(0.6f));
  // Eager: row 0 renormalized in place, row 1 (norm 0.5) and row 2 (not looked up) unchanged.
  std::vector<float> w = e->weight.to_vector<float>();
  CHECK(w[0] == Approx(0.6f));
  CHECK(w[1] == Approx(0.8f));
  CHECK(w[2] == 0.3f);
  CHECK(w[4] == 6.0f);
}

TEST_CASE("EmbeddingBag: repr, call forms, errors, from_pretrained", "[norm_embedding]") {
  nn::EmbeddingBag bag(10, 3);
  CHECK(bag->repr() == "EmbeddingBag(10, 3, mode=mean)");
  CHECK(Keys(*bag) == Keys_t{"weight"});
  CHECK(nn::EmbeddingBag(nn::EmbeddingBagOptions(10, 3).mode("max").padding_idx(2).max_norm(2.0))->repr() ==
        "EmbeddingBag(10, 3, max_norm=2.0, mode=max, padding_idx=2)");
  CHECK_THROWS_WITH(nn::EmbeddingBag(nn::EmbeddingBagOptions(10, 3).mode("median")),
                    Contains("EmbeddingBag: mode has to be one of sum, mean or max"));

  nn::EmbeddingBag sum(nn::EmbeddingBagOptions(4, 1).mode("sum"));
  sum->weight.copy_(T({1, 10, 100, 1000}, {4, 1}));
  CHECK(sum(I({0, 1, 2, 3}, {2, 2})).to_vector<float>() == std::vector<float>{11, 1100});
  CHECK(sum(I({0, 1, 2, 3}, {4}), I({0, 1}, {2})).to_vector<float>() == std::vector<float>{1, 1110});
  CHECK(sum(I({0, 1, 2}, {3}), I({0, 1}, {2}), T({2, 3, 4}, {3})).to_vector<float>() == std::vector<float>{2, 430});
  CHECK(sum->call({I({3, 3}, {1, 2})})[0].to_vector<float>() == std::vector<float>{2000});
  CHECK_THROWS_WITH(sum(I({0, 1}, {2})), Contains("EmbeddingBag") && Contains("offsets has to be a 1D Tensor"));
  CHECK_THROWS_WITH(sum(I({0, 1}, {1, 2}), I({0}, {1})), Contains("offsets has to be None"));
  CHECK_THROWS_WITH(sum(I({0, 5}, {1, 2})), Contains("index 5"));
  CHECK_THROWS_WITH(sum(I({0, 1}, {2}), I({1}, {1})), Contains("offsets"));
  CHECK_THROWS_WITH(sum(I({0, 1}, {2}), I({0}, {1}), T({1}, {1})), Contains("same shape as the input"));
  CHECK_THROWS_WITH(bag(I({0, 1}, {2}), I({0}, {1}), T({1, 1}, {2})), Contains("only supported for mode='sum'"));
  CHECK_THROWS_WITH(nn::EmbeddingBag(nn::EmbeddingBagOptions(4, 1).mode("max").sparse(true))(I({0}, {1, 1})),
                    Contains("max mode does not support sparse weights"));

  // Traced with a symbolic batch of fixed-length bags.
  auto g = trace(*sum, {TensorSpec({sym("N"), 2}, DType::kI64)});
  CHECK(CountOps(*g, ir::OpKind::EmbeddingBag) == 1);
  CHECK(g->outputs()[0].value->type().str() == "f32[N,1]");

  nn::EmbeddingBag pre = nn::EmbeddingBag::from_pretrained(
      T({1, 2, 3, 4}, {2, 2}), nn::EmbeddingBagFromPretrainedOptions().mode("max").freeze(false));
  CHECK(pre->repr() == "EmbeddingBag(2, 2, mode=max)");
  CHECK(pre->weight.requires_grad());
  CHECK(pre(I({0, 1}, {1, 2})).to_vector<float>() == std::vector<float>{3, 4});
}
