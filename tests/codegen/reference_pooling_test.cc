// Reference kernels of the pooling ops of issue 4, checked by hand: max_pool_with_indices
// (ties, NaN, -inf, padding, dilation, 3-d), max_unpool (scatter, repeated and bad indices),
// fractional_max_pool (torch's interval formula), adaptive_avg_pool and adaptive_max_pool
// (uneven windows), and their shape rules (errors, symbolic batch).
#include <cstdint>

#include "ir/shape_rules.h"
#include "tests/codegen/reference_test_util.h"

using namespace kiln::reference::testing;

namespace {

using Ints = std::vector<int64_t>;

Attrs MaxAttrs(Ints kernel, Ints stride, Ints padding, Ints dilation, bool ceil_mode = false) {
  return Attrs{{"kernel_size", kernel}, {"stride", stride}, {"padding", padding}, {"dilation", dilation},
               {"ceil_mode", ceil_mode}};
}

std::vector<HostTensor> EvalAll(OpKind op, const Attrs& attrs, const std::vector<HostTensor>& operands) {
  auto r = EvaluateOp(op, attrs, operands);
  if (!r.ok()) FAIL("EvaluateOp failed: " << r.status().ToString());
  return *r;
}

}  // namespace

TEST_CASE("max_pool_with_indices: values and flat plane indices, ties keep the first") {
  // 1 x 2 planes of 3x4.
  HostTensor x = F32({1, 2, 3, 4}, {1, 5, 5, 2,   //
                                    0, 3, 9, 9,   //
                                    4, 4, 1, 0,   //
                                    -1, -2, -3, -4,  //
                                    -5, -6, -7, -8,  //
                                    -9, -1, -1, -2});
  auto r = EvalAll(OpKind::MaxPoolWithIndices, MaxAttrs({2, 2}, {2, 2}, {0, 0}, {1, 1}), {x});
  CheckTensor(r[0], DType::kF32, {1, 2, 1, 2}, {5, 9, -1, -3});
  CheckInts(r[1], DType::kI64, {1, 2, 1, 2}, {1, 6, 0, 2});
}

TEST_CASE("max_pool_with_indices: padding, ceil_mode partial window, dilation") {
  HostTensor x = F32({1, 1, 5}, {3, 1, 4, 1, 5});
  // kernel 3, stride 2, padding 1: windows [-1,2) [1,4) [3,6).
  auto r = EvalAll(OpKind::MaxPoolWithIndices, MaxAttrs({3}, {2}, {1}, {1}), {x});
  CheckTensor(r[0], DType::kF32, {1, 1, 3}, {3, 4, 5});
  CheckInts(r[1], DType::kI64, {1, 1, 3}, {0, 2, 4});
  // kernel 2, stride 2, ceil_mode: the last window [4,6) is partial.
  r = EvalAll(OpKind::MaxPoolWithIndices, MaxAttrs({2}, {2}, {0}, {1}, true), {x});
  CheckTensor(r[0], DType::kF32, {1, 1, 3}, {3, 4, 5});
  CheckInts(r[1], DType::kI64, {1, 1, 3}, {0, 2, 4});
  // kernel 2, dilation 3: taps (0,3) and (1,4).
  r = EvalAll(OpKind::MaxPoolWithIndices, MaxAttrs({2}, {1}, {0}, {3}), {x});
  CheckTensor(r[0], DType::kF32, {1, 1, 2}, {3, 5});
  CheckInts(r[1], DType::kI64, {1, 1, 2}, {0, 4});
}

TEST_CASE("max_pool_with_indices: NaN wins (the last one), all -inf keeps the first in-bound tap") {
  HostTensor x = F32({1, 6}, {1, kNaN, 3, kNaN, 2, 5});
  auto r = EvalAll(OpKind::MaxPoolWithIndices, MaxAttrs({6}, {6}, {0}, {1}), {x});
  CheckTensor(r[0], DType::kF32, {1, 1}, {kNaN});
  CheckInts(r[1], DType::kI64, {1, 1}, {3});
  HostTensor inf = F32({1, 1, 4}, {-kInf, -kInf, -kInf, -kInf});
  r = EvalAll(OpKind::MaxPoolWithIndices, MaxAttrs({3}, {1}, {1}, {1}), {inf});
  CheckInts(r[1], DType::kI64, {1, 1, 4}, {0, 0, 1, 2});  // as torch
}

TEST_CASE("max_pool_with_indices: 3-d indices are flat over D*H*W") {
  std::vector<float> v(2 * 2 * 3, 0.0f);
  v[7] = 4;  // (1, 0, 1)
  HostTensor x = F32({1, 1, 2, 2, 3}, v);
  auto r = EvalAll(OpKind::MaxPoolWithIndices, MaxAttrs({2, 2, 2}, {2, 2, 2}, {0, 0, 0}, {1, 1, 1}), {x});
  CheckTensor(r[0], DType::kF32, {1, 1, 1, 1, 1}, {4});
  CheckInts(r[1], DType::kI64, {1, 1, 1, 1, 1}, {7});
}

TEST_CASE("max_unpool: scatters into zeros, repeated index keeps the last, bad index is an error") {
  HostTensor x = F32({1, 2, 2}, {7, 8, 9, 10});
  HostTensor idx = I64({1, 2, 2}, {1, 4, 0, 0});
  HostTensor y = Eval(OpKind::MaxUnpool, Attrs{{"output_size", Ints{5}}}, {x, idx});
  CheckTensor(y, DType::kF32, {1, 2, 5}, {0, 7, 0, 0, 8, 10, 0, 0, 0, 0});
  HostTensor bad = I64({1, 2, 2}, {1, 5, 0, 0});
  Status s = EvalError(OpKind::MaxUnpool, Attrs{{"output_size", Ints{5}}}, {x, bad});
  CHECK(s.message().find("index 5 is out of range") != std::string::npos);
  // 2-d: flat index over H*W.
  HostTensor x2 = F32({1, 1, 1, 1}, {3});
  HostTensor i2 = I64({1, 1, 1, 1}, {5});
  CheckTensor(Eval(OpKind::MaxUnpool, Attrs{{"output_size", Ints{2, 3}}}, {x2, i2}), DType::kF32, {1, 1, 2, 3},
              {0, 0, 0, 0, 0, 3});
}

TEST_CASE("fractional_max_pool: torch's interval formula") {
  // in 5, out 2, k 2: alpha = 3; sample 0.5 -> starts int(1.5)-int(1.5)=0, then 3 (last = in-k).
  // H: sample 0.9, in 4, out 3, k 2: alpha = 1 -> int(0.9)-0=0, int(1.9)-0=1, last 2.
  std::vector<float> v;
  for (int i = 0; i < 20; ++i) v.push_back(static_cast<float>((i * 7) % 20));
  HostTensor x = F32({1, 1, 4, 5}, v);
  HostTensor samples = F32({1, 1, 2}, {0.5f, 0.9f});
  auto r = EvalAll(OpKind::FractionalMaxPool, Attrs{{"kernel_size", Ints{2, 2}}, {"output_size", Ints{3, 2}}},
                   {x, samples});
  // rows [0,2) [1,3) [2,4); cols [0,2) [3,5). Values (i*7)%20 at flat i.
  auto val = [&](int64_t i) { return static_cast<double>((i * 7) % 20); };
  auto best = [&](std::vector<int64_t> ids) {
    int64_t b = ids[0];
    for (int64_t i : ids) {
      if (val(i) > val(b)) b = i;
    }
    return b;
  };
  Ints expect_idx = {best({0, 1, 5, 6}), best({3, 4, 8, 9}), best({5, 6, 10, 11}), best({8, 9, 13, 14}),
                     best({10, 11, 15, 16}), best({13, 14, 18, 19})};
  CheckInts(r[1], DType::kI64, {1, 1, 3, 2}, expect_idx);
  std::vector<double> expect_val;
  for (int64_t i : expect_idx) expect_val.push_back(val(i));
  CheckTensor(r[0], DType::kF32, {1, 1, 3, 2}, expect_val);
  HostTensor bad = F32({1, 1, 2}, {1.0f, 0.0f});
  CHECK(EvalError(OpKind::FractionalMaxPool, Attrs{{"kernel_size", Ints{2, 2}}, {"output_size", Ints{3, 2}}}, {x, bad})
            .message()
            .find("[0, 1)") != std::string::npos);
}

TEST_CASE("adaptive_avg_pool and adaptive_max_pool: uneven windows") {
  // in 5 -> out 3: windows [0,2) [1,4) [3,5).
  HostTensor x = F32({1, 5}, {1, 2, 6, 3, 4});
  CheckTensor(Eval(OpKind::AdaptiveAvgPool, Attrs{{"output_size", Ints{3}}}, {x}), DType::kF32, {1, 3},
              {1.5, 11.0 / 3.0, 3.5});
  auto r = EvalAll(OpKind::AdaptiveMaxPool, Attrs{{"output_size", Ints{3}}}, {x});
  CheckTensor(r[0], DType::kF32, {1, 3}, {2, 6, 4});
  CheckInts(r[1], DType::kI64, {1, 3}, {1, 2, 4});
  // 2-d, out larger than in: in 2 -> out 3 gives windows [0,1) [0,2) [1,2).
  HostTensor x2 = F32({1, 1, 2}, {1, 3});
  CheckTensor(Eval(OpKind::AdaptiveAvgPool, Attrs{{"output_size", Ints{1, 3}}}, {x2}), DType::kF32, {1, 1, 3},
              {1, 2, 3});
  r = EvalAll(OpKind::AdaptiveMaxPool, Attrs{{"output_size", Ints{1, 3}}}, {x2});
  CheckInts(r[1], DType::kI64, {1, 1, 3}, {0, 1, 1});
}

TEST_CASE("layers4b shape rules: symbolic batch, errors name the shapes") {
  using ir::Dim;
  using ir::Shape;
  using ir::TensorType;
  TensorType x{DType::kF32, Shape({Dim::Symbolic("N"), Dim(3), Dim(8), Dim(8)})};
  auto r = ir::infer_result_types(ir::op_schema(OpKind::MaxPoolWithIndices), {x}, MaxAttrs({2, 2}, {2, 2}, {0, 0}, {1, 1}));
  REQUIRE(r.ok());
  CHECK((*r)[1].str() == "i64[N,3,4,4]");
  r = ir::infer_result_types(ir::op_schema(OpKind::AdaptiveMaxPool), {x}, Attrs{{"output_size", Ints{3, 5}}});
  REQUIRE(r.ok());
  CHECK((*r)[0].str() == "f32[N,3,3,5]");
  TensorType idx{DType::kI64, Shape({Dim::Symbolic("N"), Dim(3), Dim(4), Dim(4)})};
  TensorType v{DType::kF32, idx.shape};
  r = ir::infer_result_types(ir::op_schema(OpKind::MaxUnpool), {v, idx}, Attrs{{"output_size", Ints{8, 9}}});
  REQUIRE(r.ok());
  CHECK((*r)[0].str() == "f32[N,3,8,9]");
  r = ir::infer_result_types(ir::op_schema(OpKind::MaxUnpool), {v, v}, Attrs{{"output_size", Ints{8, 9}}});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("indices must be i64") != std::string::npos);
  TensorType s{DType::kF32, Shape({Dim::Symbolic("N"), Dim(3), Dim(2)})};
  r = ir::infer_result_types(ir::op_schema(OpKind::FractionalMaxPool), {x, s},
                             Attrs{{"kernel_size", Ints{3, 3}}, {"output_size", Ints{7, 2}}});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("needs a larger input") != std::string::npos);
  TensorType s_bad{DType::kF32, Shape({Dim(2), Dim(3), Dim(2)})};
  r = ir::infer_result_types(ir::op_schema(OpKind::FractionalMaxPool), {x, s_bad},
                             Attrs{{"kernel_size", Ints{3, 3}}, {"output_size", Ints{3, 2}}});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("samples must be [N, 3, 2]") != std::string::npos);
}
