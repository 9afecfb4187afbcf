// Reference kernels: shape ops (reshape, permute, expand, concat, slice), reductions,
// argmax/argmin, softmax/log_softmax and constant.
#include <cmath>
#include <cstdint>
#include <limits>

#include "tests/codegen/reference_test_util.h"

using namespace kiln::reference::testing;

namespace {
using Ints = std::vector<int64_t>;
}  // namespace

TEST_CASE("reshape keeps row-major order and infers -1") {
  HostTensor x = F32({2, 3}, {1, 2, 3, 4, 5, 6});
  CheckTensor(Eval(OpKind::Reshape, {{"shape", Ints{3, -1}}}, {x}), DType::kF32, {3, 2}, {1, 2, 3, 4, 5, 6}, 0);
  CheckTensor(Eval(OpKind::Reshape, {{"shape", Ints{6}}}, {x}), DType::kF32, {6}, {1, 2, 3, 4, 5, 6}, 0);
  CheckTensor(Eval(OpKind::Reshape, {{"shape", Ints{}}}, {F32({1, 1}, {7})}), DType::kF32, {}, {7}, 0);
  CheckInts(Eval(OpKind::Reshape, {{"shape", Ints{2, 1}}}, {Bool({2}, {true, false})}), DType::kBool, {2, 1}, {1, 0});
  CHECK_FALSE(EvaluateOp(OpKind::Reshape, {{"shape", Ints{4, -1}}}, {x}).ok());
  // The result does not alias the operand.
  HostTensor y = Eval(OpKind::Reshape, {{"shape", Ints{6}}}, {x});
  y.data<float>()[0] = 100;
  CHECK(x.data<float>()[0] == 1);
}

TEST_CASE("permute moves dims") {
  HostTensor x = I64({2, 3}, {1, 2, 3, 4, 5, 6});
  CheckInts(Eval(OpKind::Permute, {{"dims", Ints{1, 0}}}, {x}), DType::kI64, {3, 2}, {1, 4, 2, 5, 3, 6});
  // [2,3,2] -> dims [2,0,1] -> [2,2,3]: out[k][i][j] = x[i][j][k].
  std::vector<double> v;
  for (int i = 0; i < 12; ++i) v.push_back(i);
  HostTensor x3 = F64({2, 3, 2}, v);
  CheckTensor(Eval(OpKind::Permute, {{"dims", Ints{2, 0, -2}}}, {x3}), DType::kF64, {2, 2, 3},
              {0, 2, 4, 6, 8, 10, 1, 3, 5, 7, 9, 11}, 0);
  CHECK_FALSE(EvaluateOp(OpKind::Permute, {{"dims", Ints{0, 0}}}, {x}).ok());
}

TEST_CASE("expand broadcasts size-1 dims and adds leading dims") {
  HostTensor x = F32({2, 1}, {1, 2});
  CheckTensor(Eval(OpKind::Expand, {{"shape", Ints{2, 3}}}, {x}), DType::kF32, {2, 3}, {1, 1, 1, 2, 2, 2}, 0);
  CheckTensor(Eval(OpKind::Expand, {{"shape", Ints{2, -1, 2}}}, {x}), DType::kF32, {2, 2, 2},
              {1, 1, 2, 2, 1, 1, 2, 2}, 0);
  CheckInts(Eval(OpKind::Expand, {{"shape", Ints{3}}}, {I64({}, {9})}), DType::kI64, {3}, {9, 9, 9});
  CHECK_FALSE(EvaluateOp(OpKind::Expand, {{"shape", Ints{3, 3}}}, {F32({2, 1}, {1, 2})}).ok());
}

TEST_CASE("concat joins along a dim") {
  HostTensor a = F32({2, 1}, {1, 2}), b = F32({2, 2}, {3, 4, 5, 6}), empty = F32({2, 0}, {});
  CheckTensor(Eval(OpKind::Concat, {{"dim", int64_t{1}}}, {a, b, empty}), DType::kF32, {2, 3}, {1, 3, 4, 2, 5, 6}, 0);
  CheckTensor(Eval(OpKind::Concat, {{"dim", int64_t{-1}}}, {b, a}), DType::kF32, {2, 3}, {3, 4, 1, 5, 6, 2}, 0);
  CheckTensor(Eval(OpKind::Concat, {{"dim", int64_t{0}}}, {b, b}), DType::kF32, {4, 2}, {3, 4, 5, 6, 3, 4, 5, 6}, 0);
  CheckInts(Eval(OpKind::Concat, {{"dim", int64_t{0}}}, {I32({1}, {1}), I32({2}, {2, 3})}), DType::kI32, {3}, {1, 2, 3});
  CHECK_FALSE(EvaluateOp(OpKind::Concat, {{"dim", int64_t{0}}}, {a, b}).ok());
}

TEST_CASE("slice clamps like Python and steps") {
  HostTensor x = I64({6}, {0, 1, 2, 3, 4, 5});
  auto slice = [&](int64_t start, int64_t end, int64_t step) {
    return Eval(OpKind::Slice, {{"dim", int64_t{0}}, {"start", start}, {"end", end}, {"step", step}}, {x});
  };
  CheckInts(slice(1, 4, 1), DType::kI64, {3}, {1, 2, 3});
  CheckInts(slice(-2, 100, 1), DType::kI64, {2}, {4, 5});           // x[-2:100]
  CheckInts(slice(-100, -3, 1), DType::kI64, {3}, {0, 1, 2});       // x[-100:-3]
  CheckInts(slice(0, std::numeric_limits<int64_t>::max(), 2), DType::kI64, {3}, {0, 2, 4});
  CheckInts(slice(1, 6, 3), DType::kI64, {2}, {1, 4});
  CheckInts(slice(4, 2, 1), DType::kI64, {0}, {});                  // empty
  CheckInts(slice(10, 20, 1), DType::kI64, {0}, {});
  HostTensor m = F32({2, 3}, {1, 2, 3, 4, 5, 6});
  CheckTensor(Eval(OpKind::Slice, {{"dim", int64_t{-1}}, {"start", int64_t{1}}, {"end", int64_t{3}}}, {m}), DType::kF32,
              {2, 2}, {2, 3, 5, 6}, 0);
  CHECK_FALSE(EvaluateOp(OpKind::Slice, {{"dim", int64_t{0}}, {"start", int64_t{0}}, {"end", int64_t{1}}, {"step", int64_t{0}}},
                         {x})
                  .ok());
}

TEST_CASE("reduce_sum, reduce_prod and reduce_mean over dims") {
  HostTensor x = F32({2, 3}, {1, 2, 3, 4, 5, 6});
  auto attrs = [](Ints dims, bool keepdim = false) { return Attrs{{"dims", dims}, {"keepdim", keepdim}}; };
  CheckTensor(Eval(OpKind::ReduceSum, attrs({}), {x}), DType::kF32, {}, {21}, 0);
  CheckTensor(Eval(OpKind::ReduceSum, attrs({}, true), {x}), DType::kF32, {1, 1}, {21}, 0);
  CheckTensor(Eval(OpKind::ReduceSum, attrs({0}), {x}), DType::kF32, {3}, {5, 7, 9}, 0);
  CheckTensor(Eval(OpKind::ReduceSum, attrs({-1}, true), {x}), DType::kF32, {2, 1}, {6, 15}, 0);
  CheckTensor(Eval(OpKind::ReduceSum, attrs({0, 1}), {x}), DType::kF32, {}, {21}, 0);
  CheckTensor(Eval(OpKind::ReduceProd, attrs({1}), {x}), DType::kF32, {2}, {6, 120}, 0);
  CheckTensor(Eval(OpKind::ReduceMean, attrs({1}), {x}), DType::kF32, {2}, {2, 5}, 0);
  CheckTensor(Eval(OpKind::ReduceMean, attrs({}), {F64({4}, {1, 2, 3, 4})}), DType::kF64, {}, {2.5}, 0);
  // Middle dim of a rank-3 tensor.
  HostTensor y = F32({2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  CheckTensor(Eval(OpKind::ReduceSum, attrs({1}), {y}), DType::kF32, {2, 2}, {4, 6, 12, 14}, 0);
  // Integers are exact and wrap.
  int64_t big = (int64_t{1} << 53) + 1;
  CheckInts(Eval(OpKind::ReduceSum, attrs({}), {I64({2}, {big, 2})}), DType::kI64, {}, {big + 2});
  CheckInts(Eval(OpKind::ReduceProd, attrs({0}), {I32({3}, {-2, 3, 4})}), DType::kI32, {}, {-24});
  // f32 sums accumulate in double: 2^24 + 1 + 1 rounds to 2^24 + 2, not 2^24.
  CheckTensor(Eval(OpKind::ReduceSum, attrs({}), {F32({3}, {16777216.0f, 1, 1})}), DType::kF32, {}, {16777218.0}, 0);
  // Empty reductions: sum 0, prod 1, mean NaN (as torch).
  HostTensor e = F32({0, 2}, {});
  CheckTensor(Eval(OpKind::ReduceSum, attrs({0}), {e}), DType::kF32, {2}, {0, 0}, 0);
  CheckTensor(Eval(OpKind::ReduceProd, attrs({0}), {e}), DType::kF32, {2}, {1, 1}, 0);
  CheckTensor(Eval(OpKind::ReduceMean, attrs({0}), {e}), DType::kF32, {2}, {kNaN, kNaN});
  Status mean_int = EvalError(OpKind::ReduceMean, attrs({}), {I64({2}, {1, 2})});
  CHECK_THAT(mean_int.message(), Catch::Contains("floating"));
}

TEST_CASE("reduce_max and reduce_min propagate NaN and need elements") {
  auto attrs = [](Ints dims) { return Attrs{{"dims", dims}}; };
  HostTensor x = F32({2, 3}, {1, 5, 3, NAN, -1, 2});
  CheckTensor(Eval(OpKind::ReduceMax, attrs({1}), {x}), DType::kF32, {2}, {5, kNaN});
  CheckTensor(Eval(OpKind::ReduceMin, attrs({1}), {x}), DType::kF32, {2}, {1, kNaN});
  CheckTensor(Eval(OpKind::ReduceMax, attrs({0}), {x}), DType::kF32, {3}, {kNaN, 5, 3});
  CheckInts(Eval(OpKind::ReduceMin, attrs({}), {I64({3}, {4, -9, 2})}), DType::kI64, {}, {-9});
  CheckTensor(Eval(OpKind::ReduceMax, attrs({}), {F32({2}, {-kInf, -kInf})}), DType::kF32, {}, {-kInf});
  Status empty = EvalError(OpKind::ReduceMax, attrs({0}), {F32({0, 2}, {})});
  CHECK(empty.code() == StatusCode::kInvalidArgument);
  CHECK_THAT(empty.message(), Catch::Contains("reduce_max") && Catch::Contains("empty"));
}

TEST_CASE("argmax and argmin: first occurrence, NaN wins, keepdim") {
  HostTensor x = F32({2, 4}, {1, 3, 3, 0, 2, NAN, 5, NAN});
  CheckInts(Eval(OpKind::ArgMax, {{"dim", int64_t{1}}}, {x}), DType::kI64, {2}, {1, 1});
  CheckInts(Eval(OpKind::ArgMin, {{"dim", int64_t{1}}}, {x}), DType::kI64, {2}, {3, 1});
  CheckInts(Eval(OpKind::ArgMax, {{"dim", int64_t{0}}, {"keepdim", true}}, {x}), DType::kI64, {1, 4}, {1, 1, 1, 1});
  CheckInts(Eval(OpKind::ArgMin, {{"dim", int64_t{-2}}}, {F32({2, 2}, {1, 1, 1, 0})}), DType::kI64, {2}, {0, 1});
  CheckInts(Eval(OpKind::ArgMax, {{"dim", int64_t{0}}}, {I64({4}, {2, 7, 7, 1})}), DType::kI64, {}, {1});
  CheckInts(Eval(OpKind::ArgMax, {{"dim", int64_t{0}}}, {F32({}, {3})}), DType::kI64, {}, {0});
  CHECK_FALSE(EvaluateOp(OpKind::ArgMax, {{"dim", int64_t{0}}}, {F32({0, 2}, {})}).ok());
}

TEST_CASE("softmax and log_softmax are stable") {
  HostTensor x = F64({2, 3}, {1, 2, 3, 1000, 1000, 1000});
  double e1 = std::exp(-2.0), e2 = std::exp(-1.0), s = e1 + e2 + 1;
  CheckTensor(Eval(OpKind::Softmax, {{"dim", int64_t{1}}}, {x}), DType::kF64, {2, 3},
              {e1 / s, e2 / s, 1 / s, 1.0 / 3, 1.0 / 3, 1.0 / 3}, 1e-14);
  CheckTensor(Eval(OpKind::LogSoftmax, {{"dim", int64_t{-1}}}, {x}), DType::kF64, {2, 3},
              {-2 - std::log(s), -1 - std::log(s), -std::log(s), -std::log(3.0), -std::log(3.0), -std::log(3.0)},
              1e-14);
  // Along dim 0, in f32, with -inf (probability 0) and an all--inf column (NaN, as torch).
  HostTensor y = F32({2, 2}, {0, -INFINITY, 0, -INFINITY});
  CheckTensor(Eval(OpKind::Softmax, {{"dim", int64_t{0}}}, {y}), DType::kF32, {2, 2}, {0.5, kNaN, 0.5, kNaN});
  CheckTensor(Eval(OpKind::Softmax, {{"dim", int64_t{1}}}, {y}), DType::kF32, {2, 2}, {1, 0, 1, 0}, 0);
  CheckTensor(Eval(OpKind::LogSoftmax, {{"dim", int64_t{1}}}, {y}), DType::kF32, {2, 2}, {0, -kInf, 0, -kInf}, 0);
  CHECK_FALSE(EvaluateOp(OpKind::Softmax, {{"dim", int64_t{2}}}, {y}).ok());
}

TEST_CASE("constant splats or lists values in its dtype") {
  auto constant = [](DType d, Ints shape, std::vector<double> v) {
    return Attrs{{"dtype", d}, {"shape", shape}, {"value", v}};
  };
  CheckTensor(Eval(OpKind::Constant, constant(DType::kF32, {2, 2}, {1.5}), {}), DType::kF32, {2, 2},
              {1.5, 1.5, 1.5, 1.5}, 0);
  CheckTensor(Eval(OpKind::Constant, constant(DType::kF32, {3}, {0.1, 2, -kInf}), {}), DType::kF32, {3},
              {static_cast<float>(0.1), 2, -kInf}, 0);
  CheckInts(Eval(OpKind::Constant, constant(DType::kI64, {2}, {-3, 9007199254740992.0}), {}), DType::kI64, {2},
            {-3, int64_t{1} << 53});
  CheckInts(Eval(OpKind::Constant, constant(DType::kBool, {3}, {1, 0, 1}), {}), DType::kBool, {3}, {1, 0, 1});
  CheckInts(Eval(OpKind::Constant, constant(DType::kI32, {}, {7}), {}), DType::kI32, {}, {7});
  CheckTensor(Eval(OpKind::Constant, constant(DType::kF16, {1}, {0.5}), {}), DType::kF16, {1}, {0.5}, 0);
  Status range = EvalError(OpKind::Constant, constant(DType::kI32, {1}, {4294967296.0}), {});
  CHECK_THAT(range.message(), Catch::Contains("out of range for i32"));
  CHECK_FALSE(EvaluateOp(OpKind::Constant, constant(DType::kI64, {1}, {0.5}), {}).ok());
}
