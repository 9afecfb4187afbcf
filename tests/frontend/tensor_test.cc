// Eager Tensor operations and factories: hand-computed values, torch semantics, errors.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "frontend/random.h"
#include "frontend/tensor.h"

namespace kiln {
namespace {

using Catch::Contains;

std::vector<float> F(const Tensor& t) { return t.to_vector<float>(); }
std::vector<int64_t> I(const Tensor& t) { return t.to_vector<int64_t>(); }
std::vector<bool> B(const Tensor& t) { return t.to_vector<bool>(); }
std::vector<int64_t> S(const Tensor& t) { return t.sizes(); }

void RequireNear(const std::vector<float>& got, const std::vector<float>& want, double tol = 1e-5) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    INFO("element " << i);
    REQUIRE(got[i] == Approx(want[i]).margin(tol));
  }
}

// x = [[1, 2, 3], [4, 5, 6]]
Tensor X23() { return tensor(std::vector<float>{1, 2, 3, 4, 5, 6}, {2, 3}); }

TEST_CASE("unary elementwise ops", "[tensor]") {
  Tensor x = tensor(std::vector<float>{-1.5f, 0.f, 2.5f});
  CHECK(F(x.neg()) == std::vector<float>{1.5f, 0.f, -2.5f});
  CHECK(F(-x) == std::vector<float>{1.5f, 0.f, -2.5f});
  CHECK(F(x.abs()) == std::vector<float>{1.5f, 0.f, 2.5f});
  CHECK(F(x.relu()) == std::vector<float>{0.f, 0.f, 2.5f});
  CHECK(F(x.sign()) == std::vector<float>{-1.f, 0.f, 1.f});
  CHECK(F(x.floor()) == std::vector<float>{-2.f, 0.f, 2.f});
  CHECK(F(x.ceil()) == std::vector<float>{-1.f, 0.f, 3.f});
  CHECK(F(x.round()) == std::vector<float>{-2.f, 0.f, 2.f});  // half to even
  RequireNear(F(x.exp()), {std::exp(-1.5f), 1.f, std::exp(2.5f)});
  RequireNear(F(x.sigmoid()), {1 / (1 + std::exp(1.5f)), 0.5f, 1 / (1 + std::exp(-2.5f))});
  RequireNear(F(x.tanh()), {std::tanh(-1.5f), 0.f, std::tanh(2.5f)});
  RequireNear(F(x.erf()), {std::erf(-1.5f), 0.f, std::erf(2.5f)});
  RequireNear(F(x.sin()), {std::sin(-1.5f), 0.f, std::sin(2.5f)});
  RequireNear(F(x.cos()), {std::cos(-1.5f), 1.f, std::cos(2.5f)});
  Tensor p = tensor(std::vector<float>{1.f, 4.f, 0.25f});
  RequireNear(F(p.log()), {0.f, std::log(4.f), std::log(0.25f)});
  RequireNear(F(p.sqrt()), {1.f, 2.f, 0.5f});
  RequireNear(F(p.rsqrt()), {1.f, 0.5f, 2.f});
  RequireNear(F(p.reciprocal()), {1.f, 0.25f, 4.f});
}

TEST_CASE("float math on integer tensors computes in f32, floor/ceil/round keep integers", "[tensor]") {
  Tensor i = tensor(std::vector<int64_t>{1, 4});
  Tensor s = i.sqrt();
  CHECK(s.dtype() == DType::kF32);
  CHECK(F(s) == std::vector<float>{1.f, 2.f});
  CHECK(i.floor().dtype() == DType::kI64);
  CHECK(I(i.round()) == std::vector<int64_t>{1, 4});
  CHECK(I(i.neg()) == std::vector<int64_t>{-1, -4});
}

TEST_CASE("logical_not, clamp, pow, maximum, minimum", "[tensor]") {
  Tensor b = tensor(std::vector<double>{1, 0, 1}, {}, DType::kBool);
  CHECK(B(b.logical_not()) == std::vector<bool>{false, true, false});
  CHECK(B(tensor(std::vector<float>{0.f, 2.f}).logical_not()) == std::vector<bool>{true, false});

  Tensor x = tensor(std::vector<float>{-2, -0.5, 0.5, 3});
  CHECK(F(x.clamp(-1.0, 1.0)) == std::vector<float>{-1, -0.5, 0.5, 1});
  CHECK(F(x.clamp(0.0, std::nullopt)) == std::vector<float>{0, 0, 0.5, 3});
  CHECK(F(x.clamp(std::nullopt, 0.0)) == std::vector<float>{-2, -0.5, 0, 0});
  REQUIRE_THROWS_WITH(x.clamp(std::nullopt, std::nullopt), Contains("at least one of min and max"));
  Tensor ci = tensor(std::vector<int64_t>{-3, 0, 7}).clamp(-1.0, 5.0);
  CHECK(ci.dtype() == DType::kI64);
  CHECK(I(ci) == std::vector<int64_t>{-1, 0, 5});

  CHECK(F(x.pow(2.0)) == std::vector<float>{4, 0.25, 0.25, 9});
  CHECK(F(tensor(std::vector<float>{2, 3}).pow(tensor(std::vector<float>{3, 2}))) == std::vector<float>{8, 9});
  Tensor ip = tensor(std::vector<int64_t>{2, 3, -2}).pow(3.0);
  CHECK(ip.dtype() == DType::kI64);
  CHECK(I(ip) == std::vector<int64_t>{8, 27, -8});

  Tensor a = tensor(std::vector<float>{1, 5, 3}), c = tensor(std::vector<float>{4, 2, 3});
  CHECK(F(a.maximum(c)) == std::vector<float>{4, 5, 3});
  CHECK(F(minimum(a, c)) == std::vector<float>{1, 2, 3});
  CHECK(F(maximum(a, c)) == std::vector<float>{4, 5, 3});
}

TEST_CASE("binary operators broadcast and take double scalars", "[tensor]") {
  Tensor x = X23();
  Tensor row = tensor(std::vector<float>{10, 20, 30});
  Tensor col = tensor(std::vector<float>{1, 2}, {2, 1});
  CHECK(F(x + row) == std::vector<float>{11, 22, 33, 14, 25, 36});
  CHECK(F(x - col) == std::vector<float>{0, 1, 2, 2, 3, 4});
  CHECK(F(x * col) == std::vector<float>{1, 2, 3, 8, 10, 12});
  CHECK(S(col * row) == std::vector<int64_t>{2, 3});
  CHECK(F(x / row) == std::vector<float>{0.1f, 0.1f, 0.1f, 0.4f, 0.25f, 0.2f});
  CHECK(F(x + 1.0) == std::vector<float>{2, 3, 4, 5, 6, 7});
  CHECK(F(x - 1.0) == std::vector<float>{0, 1, 2, 3, 4, 5});
  CHECK(F(x * 2.0) == std::vector<float>{2, 4, 6, 8, 10, 12});
  CHECK(F(x / 2.0) == std::vector<float>{0.5, 1, 1.5, 2, 2.5, 3});
  CHECK(F(1.0 + x) == std::vector<float>{2, 3, 4, 5, 6, 7});
  CHECK(F(10.0 - x) == std::vector<float>{9, 8, 7, 6, 5, 4});
  CHECK(F(2.0 * x) == std::vector<float>{2, 4, 6, 8, 10, 12});
  CHECK(F(6.0 / x) == std::vector<float>{6, 3, 2, 1.5, 1.2f, 1});
  REQUIRE_THROWS_WITH(x + tensor(std::vector<float>{1, 2}), Contains("add: f32[2,3] and f32[2] cannot broadcast"));
}

TEST_CASE("dtype promotion and true division of integers", "[tensor]") {
  Tensor i = tensor(std::vector<int64_t>{7, -7, 6});
  Tensor two = tensor(std::vector<int64_t>{2, 2, 4});
  Tensor q = i / two;  // torch true division: float
  CHECK(q.dtype() == DType::kF32);
  CHECK(F(q) == std::vector<float>{3.5f, -3.5f, 1.5f});
  CHECK(F(i / 2.0) == std::vector<float>{3.5f, -3.5f, 3.f});
  Tensor s = i + 1.0;
  CHECK(s.dtype() == DType::kI64);  // integral scalar keeps the integer dtype
  CHECK(I(s) == std::vector<int64_t>{8, -6, 7});
  Tensor h = i + 0.5;  // non-integral scalar promotes to f32
  CHECK(h.dtype() == DType::kF32);
  CHECK(F(h) == std::vector<float>{7.5f, -6.5f, 6.5f});
  Tensor mixed = i + tensor(std::vector<float>{0.5f, 0.5f, 0.5f});
  CHECK(mixed.dtype() == DType::kF32);
  // A 0-d tensor of the same category does not promote a dimensioned one (torch.result_type).
  Tensor f32 = tensor(std::vector<float>{1, 2});
  CHECK((f32 + scalar_tensor(1.0, DType::kF64)).dtype() == DType::kF32);
  CHECK((f32 + tensor(std::vector<double>{1, 1}, {}, DType::kF64)).dtype() == DType::kF64);
}

TEST_CASE("comparisons broadcast and return bool", "[tensor]") {
  Tensor x = X23();
  Tensor row = tensor(std::vector<float>{2, 2, 6});
  CHECK((x == row).dtype() == DType::kBool);
  CHECK(B(x == row) == std::vector<bool>{false, true, false, false, false, true});
  CHECK(B(x != row) == std::vector<bool>{true, false, true, true, true, false});
  CHECK(B(x < row) == std::vector<bool>{true, false, true, false, false, false});
  CHECK(B(x <= row) == std::vector<bool>{true, true, true, false, false, true});
  CHECK(B(x > row) == std::vector<bool>{false, false, false, true, true, false});
  CHECK(B(x >= row) == std::vector<bool>{false, true, false, true, true, true});
  CHECK(B(x.gt(scalar_tensor(3.0))) == std::vector<bool>{false, false, false, true, true, true});
  CHECK(B(tensor(std::vector<int64_t>{1, 2}) > tensor(std::vector<float>{1.5f, 1.5f})) == std::vector<bool>{false, true});
}

TEST_CASE("where broadcasts", "[tensor]") {
  Tensor x = X23();
  Tensor c = x > scalar_tensor(3.0);
  CHECK(F(where(c, x, scalar_tensor(0.0))) == std::vector<float>{0, 0, 0, 4, 5, 6});
  REQUIRE_THROWS_WITH(where(x, x, x), Contains("where: expected a bool condition, got f32[2,3]"));
}

TEST_CASE("matmul with torch.matmul 1-d promotion", "[tensor]") {
  Tensor a = X23();                                            // [2,3]
  Tensor b = tensor(std::vector<float>{1, 0, 0, 1, 1, 1}, {3, 2});  // [3,2]
  Tensor ab = a.matmul(b);
  CHECK(S(ab) == std::vector<int64_t>{2, 2});
  CHECK(F(ab) == std::vector<float>{4, 5, 10, 11});
  Tensor v = tensor(std::vector<float>{1, 2, 3});
  Tensor dot = v.matmul(v);  // 1-d @ 1-d -> 0-d
  CHECK(dot.dim() == 0);
  CHECK(dot.item<float>() == 14.f);
  Tensor mv = a.matmul(v);  // [2,3] @ [3] -> [2]
  CHECK(S(mv) == std::vector<int64_t>{2});
  CHECK(F(mv) == std::vector<float>{14, 32});
  Tensor vm = tensor(std::vector<float>{1, 1}).matmul(a);  // [2] @ [2,3] -> [3]
  CHECK(S(vm) == std::vector<int64_t>{3});
  CHECK(F(vm) == std::vector<float>{5, 7, 9});
  Tensor batch = stack({a, a * 2.0});  // [2,2,3] @ [3] -> [2,2]
  CHECK(S(matmul(batch, v)) == std::vector<int64_t>{2, 2});
  CHECK(F(matmul(batch, v)) == std::vector<float>{14, 32, 28, 64});
  CHECK(S(matmul(batch, b)) == std::vector<int64_t>{2, 2, 2});
  CHECK(F(a.t()) == std::vector<float>{1, 4, 2, 5, 3, 6});
  CHECK(S(v.t()) == std::vector<int64_t>{3});
  REQUIRE_THROWS_WITH(a.matmul(a), Contains("matmul: f32[2,3] and f32[2,3] cannot be multiplied"));
  REQUIRE_THROWS_WITH(a.matmul(scalar_tensor(1.0)), Contains("at least 1 dim"));
  REQUIRE_THROWS_WITH(batch.t(), Contains("t() expects a tensor with <= 2 dimensions"));
}

TEST_CASE("reshape, view, flatten", "[tensor]") {
  Tensor x = arange(24.0).reshape({2, 3, 4});
  CHECK(S(x) == std::vector<int64_t>{2, 3, 4});
  CHECK(S(x.view({-1, 4})) == std::vector<int64_t>{6, 4});
  CHECK(S(x.flatten()) == std::vector<int64_t>{24});
  CHECK(S(x.flatten(1)) == std::vector<int64_t>{2, 12});
  CHECK(S(x.flatten(0, 1)) == std::vector<int64_t>{6, 4});
  CHECK(S(x.flatten(-2, -1)) == std::vector<int64_t>{2, 12});
  CHECK(S(scalar_tensor(1.0).flatten()) == std::vector<int64_t>{1});
  CHECK(I(x.flatten(1).select(1, 5)) == std::vector<int64_t>{5, 17});
  REQUIRE_THROWS_WITH(x.reshape({5, -1}), Contains("reshape: shape [5,-1] is invalid for input i64[2,3,4]"));
  REQUIRE_THROWS_WITH(x.reshape({-1, -1}), Contains("only one dimension can be inferred"));
  REQUIRE_THROWS_WITH(X23().flatten(3), Contains("flatten: start_dim 3 is out of range for f32[2,3]"));
  REQUIRE_THROWS_WITH(x.flatten(2, 1), Contains("cannot come after"));
}

TEST_CASE("permute, transpose, unsqueeze, squeeze", "[tensor]") {
  Tensor x = X23();
  Tensor p = x.permute({1, 0});
  CHECK(S(p) == std::vector<int64_t>{3, 2});
  CHECK(F(p) == std::vector<float>{1, 4, 2, 5, 3, 6});
  CHECK(F(x.transpose(0, -1)) == std::vector<float>{1, 4, 2, 5, 3, 6});
  Tensor y = arange(24.0).reshape({2, 3, 4});
  CHECK(S(y.permute({2, 0, 1})) == std::vector<int64_t>{4, 2, 3});
  CHECK(S(y.transpose(1, 2)) == std::vector<int64_t>{2, 4, 3});
  CHECK(S(x.unsqueeze(0)) == std::vector<int64_t>{1, 2, 3});
  CHECK(S(x.unsqueeze(-1)) == std::vector<int64_t>{2, 3, 1});
  CHECK(S(x.unsqueeze(1)) == std::vector<int64_t>{2, 1, 3});
  Tensor z = zeros({1, 2, 1, 3});
  CHECK(S(z.squeeze()) == std::vector<int64_t>{2, 3});
  CHECK(S(z.squeeze(0)) == std::vector<int64_t>{2, 1, 3});
  CHECK(S(z.squeeze(-2)) == std::vector<int64_t>{1, 2, 3});
  CHECK(S(z.squeeze(1)) == std::vector<int64_t>{1, 2, 1, 3});  // not size 1: no-op
  REQUIRE_THROWS_WITH(x.permute({0, 0}), Contains("permute: dim 0 repeats"));
  REQUIRE_THROWS_WITH(x.permute({0}), Contains("must list all 2 dims"));
  REQUIRE_THROWS_WITH(x.unsqueeze(3), Contains("unsqueeze: dim 3 is out of range for f32[2,3] (expected to be in range of [-3, 2])"));
  REQUIRE_THROWS_WITH(x.squeeze(2), Contains("squeeze: dim 2 is out of range"));
  REQUIRE_THROWS_WITH(x.transpose(0, 5), Contains("transpose: dim1 5 is out of range"));
}

TEST_CASE("expand and expand_as", "[tensor]") {
  Tensor c = tensor(std::vector<float>{1, 2}, {2, 1});
  Tensor e = c.expand({2, 3});
  CHECK(F(e) == std::vector<float>{1, 1, 1, 2, 2, 2});
  CHECK(S(c.expand({4, -1, 3})) == std::vector<int64_t>{4, 2, 3});
  CHECK(F(c.expand_as(X23())) == std::vector<float>{1, 1, 1, 2, 2, 2});
  REQUIRE_THROWS_WITH(c.expand({3, 3}), Contains("expand: cannot expand f32[2,1] to [3,3]"));
  REQUIRE_THROWS_WITH(c.expand({-1, 2, 3}), Contains("not allowed in a new leading dim"));
  REQUIRE_THROWS_WITH(c.expand({3}), Contains("must be at least the number of dims"));
}

TEST_CASE("slice, narrow, select", "[tensor]") {
  Tensor x = arange(10.0);
  CHECK(I(x.slice(0, 2, 5)) == std::vector<int64_t>{2, 3, 4});
  CHECK(I(x.slice(0, 1, std::nullopt, 3)) == std::vector<int64_t>{1, 4, 7});
  CHECK(I(x.slice(0, -3)) == std::vector<int64_t>{7, 8, 9});
  CHECK(I(x.slice(0, 8, 100)) == std::vector<int64_t>{8, 9});
  CHECK(I(x.narrow(0, 3, 2)) == std::vector<int64_t>{3, 4});
  CHECK(I(x.narrow(0, -2, 2)) == std::vector<int64_t>{8, 9});
  Tensor m = X23();
  CHECK(F(m.slice(1, 1)) == std::vector<float>{2, 3, 5, 6});
  CHECK(F(m.narrow(-1, 0, 1)) == std::vector<float>{1, 4});
  Tensor s = m.select(1, -1);
  CHECK(S(s) == std::vector<int64_t>{2});
  CHECK(F(s) == std::vector<float>{3, 6});
  CHECK(F(m.select(0, 1)) == std::vector<float>{4, 5, 6});
  Tensor e = x.select(0, 4);
  CHECK(e.dim() == 0);
  CHECK(e.item<int64_t>() == 4);
  REQUIRE_THROWS_WITH(x.slice(0, 0, 5, 0), Contains("slice: step must be positive"));
  REQUIRE_THROWS_WITH(m.narrow(1, 2, 2), Contains("narrow: start 2 + length 2 exceeds the size 3"));
  REQUIRE_THROWS_WITH(m.select(1, 3), Contains("select: index 3 is out of range for dim 1 of f32[2,3]"));
  REQUIRE_THROWS_WITH(scalar_tensor(1.0).select(0, 0), Contains("0-d"));
}

TEST_CASE("cat and stack", "[tensor]") {
  Tensor a = X23(), b = tensor(std::vector<float>{7, 8, 9}, {1, 3});
  Tensor c0 = cat({a, b});
  CHECK(S(c0) == std::vector<int64_t>{3, 3});
  CHECK(F(c0) == std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8, 9});
  Tensor c1 = cat({a, a}, -1);
  CHECK(S(c1) == std::vector<int64_t>{2, 6});
  CHECK(F(c1) == std::vector<float>{1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6});
  Tensor s0 = stack({a, a * 10.0});
  CHECK(S(s0) == std::vector<int64_t>{2, 2, 3});
  Tensor s2 = stack({a, a * 10.0}, 2);
  CHECK(S(s2) == std::vector<int64_t>{2, 3, 2});
  CHECK(F(s2) == std::vector<float>{1, 10, 2, 20, 3, 30, 4, 40, 5, 50, 6, 60});
  Tensor sm = stack({a, a}, -1);
  CHECK(S(sm) == std::vector<int64_t>{2, 3, 2});
  CHECK(cat({tensor(std::vector<int64_t>{1}), tensor(std::vector<float>{0.5f})}).dtype() == DType::kF32);
  REQUIRE_THROWS_WITH(cat({}), Contains("non-empty"));
  REQUIRE_THROWS_WITH(cat({a, b}, 1), Contains("cat: sizes of tensors must match except in dim 1"));
  REQUIRE_THROWS_WITH(stack({a, b}), Contains("stack: expects each tensor to be equal size"));
  REQUIRE_THROWS_WITH(stack({a, a}, 3), Contains("stack: dim 3 is out of range"));
}

TEST_CASE("reductions", "[tensor]") {
  Tensor x = X23();
  CHECK(x.sum().item<float>() == 21.f);
  CHECK(F(x.sum({0})) == std::vector<float>{5, 7, 9});
  CHECK(F(x.sum({-1})) == std::vector<float>{6, 15});
  CHECK(S(x.sum({1}, true)) == std::vector<int64_t>{2, 1});
  CHECK(x.sum({0, 1}).item<float>() == 21.f);
  CHECK(x.mean().item<float>() == 3.5f);
  CHECK(F(x.mean({1})) == std::vector<float>{2, 5});
  CHECK(x.prod().item<float>() == 720.f);
  CHECK(F(x.prod(1)) == std::vector<float>{6, 120});
  CHECK(S(x.prod(0, true)) == std::vector<int64_t>{1, 3});
  CHECK(x.max().item<float>() == 6.f);
  CHECK(x.min().item<float>() == 1.f);
  CHECK(F(x.amax({0})) == std::vector<float>{4, 5, 6});
  CHECK(F(x.amin({1}, true)) == std::vector<float>{1, 4});

  Tensor y = tensor(std::vector<float>{3, 9, 9, 1, -2, 0}, {2, 3});
  auto [values, indices] = y.max(1);
  CHECK(F(values) == std::vector<float>{9, 1});
  CHECK(indices.dtype() == DType::kI64);
  CHECK(I(indices) == std::vector<int64_t>{1, 0});  // first maximum
  auto [mv, mi] = y.min(0, true);
  CHECK(S(mv) == std::vector<int64_t>{1, 3});
  CHECK(F(mv) == std::vector<float>{1, -2, 0});
  CHECK(I(mi) == std::vector<int64_t>{1, 1, 1});
  CHECK(I(y.argmax(0)) == std::vector<int64_t>{0, 0, 0});
  CHECK(I(y.argmax(-1)) == std::vector<int64_t>{1, 0});
  CHECK(I(y.argmin(1)) == std::vector<int64_t>{0, 1});
  CHECK(S(y.argmin(1, true)) == std::vector<int64_t>{2, 1});

  // Integer and bool sums accumulate in i64, as torch.
  Tensor b = tensor(std::vector<double>{1, 0, 1, 1}, {}, DType::kBool);
  CHECK(b.sum().dtype() == DType::kI64);
  CHECK(b.sum().item<int64_t>() == 3);
  CHECK(b.max().dtype() == DType::kBool);
  CHECK(tensor(std::vector<int64_t>{2, 3, 4}).prod().item<int64_t>() == 24);
  REQUIRE_THROWS_WITH(tensor(std::vector<int64_t>{1, 2}).mean(), Contains("mean: expected a floating point tensor, got i64[2]"));
  REQUIRE_THROWS_WITH(x.sum({2}), Contains("sum: dim 2 is out of range for f32[2,3]"));
  REQUIRE_THROWS_WITH(x.sum({1, -1}), Contains("appears multiple times"));
  REQUIRE_THROWS_WITH(x.argmax(2), Contains("argmax: dim 2 is out of range"));
}

TEST_CASE("softmax and log_softmax", "[tensor]") {
  Tensor x = tensor(std::vector<float>{1, 2, 3, -1, 0, 10}, {2, 3});
  Tensor s = x.softmax(1);
  RequireNear(F(s.sum({1})), {1.f, 1.f});
  double z = std::exp(1) + std::exp(2) + std::exp(3);
  std::vector<float> sv = F(s);
  RequireNear({sv[0], sv[1], sv[2]}, {float(std::exp(1) / z), float(std::exp(2) / z), float(std::exp(3) / z)});
  RequireNear(F(x.softmax(0).sum({0})), {1.f, 1.f, 1.f});
  RequireNear(F(x.log_softmax(-1).exp()), sv);
  std::vector<float> ls = F(x.log_softmax(1));
  RequireNear({ls[0], ls[1], ls[2]}, {float(1 - std::log(z)), float(2 - std::log(z)), float(3 - std::log(z))});
  CHECK(scalar_tensor(2.0).softmax(0).item<float>() == 1.f);  // 0-d, as torch
  CHECK(scalar_tensor(2.0).log_softmax(-1).item<float>() == 0.f);
  CHECK(scalar_tensor(2.0).argmax(0).item<int64_t>() == 0);
  CHECK(scalar_tensor(2.0).sum({0}).item<float>() == 2.f);
  REQUIRE_THROWS_WITH(x.softmax(2), Contains("softmax: dim 2 is out of range"));
  REQUIRE_THROWS_WITH(tensor(std::vector<int64_t>{1}).softmax(0), Contains("softmax: expected a floating point tensor"));
}

TEST_CASE("allclose", "[tensor]") {
  Tensor a = tensor(std::vector<float>{1, 2, 3});
  CHECK(allclose(a, a));
  CHECK(allclose(a, a + 1e-7));
  CHECK_FALSE(allclose(a, a + 1e-3));
  CHECK(allclose(a, a + 1e-3, 0, 1e-2));
  CHECK_FALSE(allclose(a, tensor(std::vector<float>{1, 2})));
  CHECK_FALSE(allclose(a, tensor(std::vector<double>{1, 2, 3}, {}, DType::kF64)));
  Tensor n = tensor(std::vector<float>{std::nanf("")});
  CHECK_FALSE(allclose(n, n));
  Tensor inf = tensor(std::vector<float>{std::numeric_limits<float>::infinity()});
  CHECK(allclose(inf, inf));
}

TEST_CASE("factories: zeros, ones, full, empty, *_like, eye, tensor, scalar_tensor, from_blob", "[tensor]") {
  CHECK(F(zeros({2, 2})) == std::vector<float>{0, 0, 0, 0});
  CHECK(ones({3}, DType::kI64).dtype() == DType::kI64);
  CHECK(I(ones({3}, DType::kI64)) == std::vector<int64_t>{1, 1, 1});
  CHECK(F(full({2}, 2.5)) == std::vector<float>{2.5, 2.5});
  CHECK(S(empty({0, 3})) == std::vector<int64_t>{0, 3});
  Tensor x = X23();
  CHECK(F(zeros_like(x)) == std::vector<float>(6, 0.f));
  CHECK(F(ones_like(x)) == std::vector<float>(6, 1.f));
  CHECK(S(full_like(x, 7)) == std::vector<int64_t>{2, 3});
  CHECK(F(full_like(x, 7)) == std::vector<float>(6, 7.f));
  CHECK(F(eye(2)) == std::vector<float>{1, 0, 0, 1});
  CHECK(F(eye(2, 3)) == std::vector<float>{1, 0, 0, 0, 1, 0});
  CHECK(S(tensor(std::vector<float>{1, 2, 3})) == std::vector<int64_t>{3});
  CHECK(S(tensor(std::vector<float>{5})) == std::vector<int64_t>{1});
  CHECK(tensor(std::vector<int64_t>{1, 2}).dtype() == DType::kI64);
  CHECK(tensor(std::vector<double>{1, 2}, {2, 1}, DType::kF64).dtype() == DType::kF64);
  Tensor st = scalar_tensor(3.0, DType::kI64);
  CHECK(st.dim() == 0);
  CHECK(st.item<int64_t>() == 3);
  float raw[] = {1, 2, 3, 4};
  Tensor fb = from_blob(raw, {2, 2});
  raw[0] = 100;  // copied
  CHECK(F(fb) == std::vector<float>{1, 2, 3, 4});
  REQUIRE_THROWS_WITH(zeros({2, -1}), Contains("zeros: negative size -1 in [2,-1]"));
  REQUIRE_THROWS_WITH(full({-3}, 1.0), Contains("negative size"));
  REQUIRE_THROWS_WITH(tensor(std::vector<float>{1, 2, 3}, {2, 2}), Contains("3 values do not fill shape [2,2]"));
  REQUIRE_THROWS_WITH(full({2}, 1.5, DType::kI64), Contains("not representable"));
  REQUIRE_THROWS_WITH(eye(-1), Contains("eye: sizes must be non-negative"));
  REQUIRE_THROWS_WITH(from_blob(nullptr, {2}), Contains("data is null"));
}

TEST_CASE("arange dtype inference and checks", "[tensor]") {
  Tensor a = arange(5.0);
  CHECK(a.dtype() == DType::kI64);
  CHECK(I(a) == std::vector<int64_t>{0, 1, 2, 3, 4});
  CHECK(I(arange(1, 10, 3)) == std::vector<int64_t>{1, 4, 7});
  CHECK(I(arange(5, 0, -2)) == std::vector<int64_t>{5, 3, 1});
  Tensor f = arange(0, 1, 0.25);
  CHECK(f.dtype() == DType::kF32);
  CHECK(F(f) == std::vector<float>{0, 0.25, 0.5, 0.75});
  CHECK(arange(0, 3, 1, DType::kF64).dtype() == DType::kF64);
  CHECK(S(arange(3, 3)) == std::vector<int64_t>{0});
  REQUIRE_THROWS_WITH(arange(0, 5, 0), Contains("arange: step must be nonzero"));
  REQUIRE_THROWS_WITH(arange(0, 5, -1), Contains("wrong side"));
  REQUIRE_THROWS_WITH(arange(5, 0, 1), Contains("wrong side"));
}

TEST_CASE("random factories", "[tensor]") {
  Generator g(42);
  Tensor u = rand({10000}, &g);
  std::vector<double> uv = u.to_vector<double>();
  double lo = 1, hi = 0;
  for (double v : uv) lo = std::min(lo, v), hi = std::max(hi, v);
  CHECK(lo >= 0.0);
  CHECK(hi < 1.0);
  CHECK(u.mean().item<double>() == Approx(0.5).margin(0.02));

  Tensor n = randn({10000}, &g);
  double mean = n.mean().item<double>();
  double var = ((n - mean) * (n - mean)).mean().item<double>();
  CHECK(std::fabs(mean) < 0.05);
  CHECK(std::sqrt(var) == Approx(1.0).margin(0.05));

  Tensor r = randint(-3, 4, {2000}, &g);
  CHECK(r.dtype() == DType::kI64);
  std::vector<int64_t> rv = I(r);
  CHECK(*std::min_element(rv.begin(), rv.end()) == -3);
  CHECK(*std::max_element(rv.begin(), rv.end()) == 3);

  Generator g1(7), g2(7);
  CHECK(F(rand({5}, &g1)) == F(rand({5}, &g2)));
  CHECK(F(randn({5}, &g1)) == F(randn({5}, &g2)));
  CHECK(I(randint(0, 100, {5}, &g1)) == I(randint(0, 100, {5}, &g2)));
  manual_seed(3);
  Tensor d1 = rand({4});
  manual_seed(3);
  CHECK(F(rand({4})) == F(d1));
  CHECK(rand({2}, nullptr, DType::kF64).dtype() == DType::kF64);

  REQUIRE_THROWS_WITH(randint(5, 5, {2}), Contains("randint: high (5) must be greater than low (5)"));
  REQUIRE_THROWS_WITH(rand({2}, nullptr, DType::kI64), Contains("rand: expected a floating dtype"));
  REQUIRE_THROWS_WITH(randn({-1}), Contains("negative size"));
}

}  // namespace
}  // namespace kiln
