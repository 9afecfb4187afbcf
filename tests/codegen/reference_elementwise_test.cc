// Reference kernels: elementwise unary/binary ops, comparisons, logical ops, where, clamp, cast.
#include <cstdint>
#include <limits>

#include "tests/codegen/reference_test_util.h"

using namespace kiln::reference::testing;

TEST_CASE("unary numeric ops on floats, NaN propagating like torch") {
  HostTensor x = F32({5}, {-2.5f, -0.0f, 0.0f, 3.0f, NAN});
  CheckTensor(Eval(OpKind::Neg, {}, {x}), DType::kF32, {5}, {2.5, 0, 0, -3, kNaN});
  CheckTensor(Eval(OpKind::Abs, {}, {x}), DType::kF32, {5}, {2.5, 0, 0, 3, kNaN});
  CheckTensor(Eval(OpKind::Relu, {}, {x}), DType::kF32, {5}, {0, 0, 0, 3, kNaN});
  // torch.sign(nan) is 0: sign is (0 < x) - (x < 0) in ATen.
  CheckTensor(Eval(OpKind::Sign, {}, {x}), DType::kF32, {5}, {-1, 0, 0, 1, 0});
}

TEST_CASE("unary numeric ops on integers") {
  int64_t min = std::numeric_limits<int64_t>::min();
  HostTensor x = I64({4}, {-7, 0, 5, min});
  CheckInts(Eval(OpKind::Neg, {}, {x}), DType::kI64, {4}, {7, 0, -5, min});  // wraps
  CheckInts(Eval(OpKind::Abs, {}, {x}), DType::kI64, {4}, {7, 0, 5, min});
  CheckInts(Eval(OpKind::Relu, {}, {x}), DType::kI64, {4}, {0, 0, 5, 0});
  CheckInts(Eval(OpKind::Sign, {}, {x}), DType::kI64, {4}, {-1, 0, 1, -1});
  CheckInts(Eval(OpKind::Neg, {}, {I32({2}, {3, -4})}), DType::kI32, {2}, {-3, 4});
  REQUIRE(EvalError(OpKind::Neg, {}, {Bool({1}, {true})}).code() == StatusCode::kInvalidArgument);
}

TEST_CASE("unary float ops") {
  HostTensor x = F64({1}, {0.0});
  CheckTensor(Eval(OpKind::Exp, {}, {x}), DType::kF64, {1}, {1.0});
  CheckTensor(Eval(OpKind::Sigmoid, {}, {x}), DType::kF64, {1}, {0.5});
  CheckTensor(Eval(OpKind::Tanh, {}, {x}), DType::kF64, {1}, {0.0});
  CheckTensor(Eval(OpKind::Erf, {}, {x}), DType::kF64, {1}, {0.0});
  CheckTensor(Eval(OpKind::Sin, {}, {x}), DType::kF64, {1}, {0.0});
  CheckTensor(Eval(OpKind::Cos, {}, {x}), DType::kF64, {1}, {1.0});
  HostTensor four = F32({2}, {4.0f, 1.0f});
  CheckTensor(Eval(OpKind::Sqrt, {}, {four}), DType::kF32, {2}, {2.0, 1.0}, 0);
  CheckTensor(Eval(OpKind::Rsqrt, {}, {four}), DType::kF32, {2}, {0.5, 1.0}, 0);
  CheckTensor(Eval(OpKind::Reciprocal, {}, {four}), DType::kF32, {2}, {0.25, 1.0}, 0);
  CheckTensor(Eval(OpKind::Log, {}, {four}), DType::kF32, {2}, {std::log(4.0), 0.0});
  CheckTensor(Eval(OpKind::Log, {}, {F32({2}, {0.0f, -1.0f})}), DType::kF32, {2}, {-kInf, kNaN});
  CheckTensor(Eval(OpKind::Exp, {}, {F32({1}, {1.0f})}), DType::kF32, {1}, {static_cast<float>(std::exp(1.0))}, 0);
  CheckTensor(Eval(OpKind::Erf, {}, {F64({1}, {1.0})}), DType::kF64, {1}, {0.8427007929497149});
  CheckTensor(Eval(OpKind::Sigmoid, {}, {F64({2}, {-1000.0, 1000.0})}), DType::kF64, {2}, {0.0, 1.0}, 0);

  HostTensor r = F32({8}, {0.5f, 1.5f, 2.5f, -0.5f, -2.5f, 2.6f, -1.5f, 3.0f});
  CheckTensor(Eval(OpKind::Round, {}, {r}), DType::kF32, {8}, {0, 2, 2, -0.0, -2, 3, -2, 3}, 0);
  CheckTensor(Eval(OpKind::Floor, {}, {r}), DType::kF32, {8}, {0, 1, 2, -1, -3, 2, -2, 3}, 0);
  CheckTensor(Eval(OpKind::Ceil, {}, {r}), DType::kF32, {8}, {1, 2, 3, -0.0, -2, 3, -1, 3}, 0);

  Status s = EvalError(OpKind::Exp, {}, {I64({1}, {1})});
  CHECK(s.code() == StatusCode::kInvalidArgument);
  CHECK_THAT(s.message(), Catch::Contains("exp") && Catch::Contains("floating point"));
}

TEST_CASE("clamp keeps NaN and handles integer tensors") {
  HostTensor x = F32({5}, {-3.0f, 0.5f, 7.0f, NAN, 2.0f});
  CheckTensor(Eval(OpKind::Clamp, {{"min", -1.0}, {"max", 2.0}}, {x}), DType::kF32, {5}, {-1, 0.5, 2, kNaN, 2});
  // Defaults are -inf / inf: nothing changes.
  CheckTensor(Eval(OpKind::Clamp, {}, {x}), DType::kF32, {5}, {-3, 0.5, 7, kNaN, 2});
  // min > max: every element becomes max, as min(max(x, lo), hi) says.
  CheckTensor(Eval(OpKind::Clamp, {{"min", 5.0}, {"max", 1.0}}, {x}), DType::kF32, {5}, {1, 1, 1, kNaN, 1});
  // Integers clamp to the integers inside [min, max].
  CheckInts(Eval(OpKind::Clamp, {{"min", -1.5}, {"max", 2.5}}, {I64({4}, {-5, -1, 2, 9})}), DType::kI64, {4},
            {-1, -1, 2, 2});
  CheckInts(Eval(OpKind::Clamp, {{"min", 0.0}}, {I32({3}, {-5, 3, 2147483647})}), DType::kI32, {3},
            {0, 3, 2147483647});
}

TEST_CASE("cast truncates float to int and rejects NaN and out-of-range values") {
  auto to = [](DType d) { return Attrs{{"dtype", d}}; };
  HostTensor x = F32({4}, {-1.7f, 1.7f, 2.5f, -0.2f});
  CheckInts(Eval(OpKind::Cast, to(DType::kI64), {x}), DType::kI64, {4}, {-1, 1, 2, 0});
  CheckInts(Eval(OpKind::Cast, to(DType::kI32), {x}), DType::kI32, {4}, {-1, 1, 2, 0});
  CheckInts(Eval(OpKind::Cast, to(DType::kBool), {F32({3}, {0.0f, -0.5f, NAN})}), DType::kBool, {3}, {0, 1, 1});

  Status nan = EvalError(OpKind::Cast, to(DType::kI64), {F32({2}, {1.0f, NAN})});
  CHECK(nan.code() == StatusCode::kInvalidArgument);
  CHECK_THAT(nan.message(), Catch::Contains("cannot convert nan to i64") && Catch::Contains("element 1"));
  Status range = EvalError(OpKind::Cast, to(DType::kI32), {F64({1}, {3e10})});
  CHECK_THAT(range.message(), Catch::Contains("out of range for i32"));
  CHECK_FALSE(EvaluateOp(OpKind::Cast, to(DType::kI64), {F64({1}, {1e19})}).ok());
  CHECK(EvaluateOp(OpKind::Cast, to(DType::kI64), {F64({1}, {-9223372036854775808.0})}).ok());

  // Integer narrowing wraps; int -> float rounds; bool -> number is 0/1.
  CheckInts(Eval(OpKind::Cast, to(DType::kI32), {I64({2}, {(int64_t{1} << 32) + 5, -1})}), DType::kI32, {2}, {5, -1});
  CheckTensor(Eval(OpKind::Cast, to(DType::kF32), {I64({2}, {3, (int64_t{1} << 24) + 1})}), DType::kF32, {2},
              {3, 16777216.0}, 0);
  CheckTensor(Eval(OpKind::Cast, to(DType::kF64), {Bool({2}, {true, false})}), DType::kF64, {2}, {1, 0}, 0);
  CheckTensor(Eval(OpKind::Cast, to(DType::kF32), {F64({1}, {0.1})}), DType::kF32, {1}, {static_cast<float>(0.1)}, 0);
  CheckInts(Eval(OpKind::Cast, to(DType::kBool), {I64({3}, {0, 2, -1})}), DType::kBool, {3}, {0, 1, 1});
}

TEST_CASE("binary arithmetic broadcasts like NumPy") {
  HostTensor col = F32({2, 1}, {1, 2});
  HostTensor row = F32({3}, {10, 20, 30});
  CheckTensor(Eval(OpKind::Add, {}, {col, row}), DType::kF32, {2, 3}, {11, 21, 31, 12, 22, 32}, 0);
  CheckTensor(Eval(OpKind::Sub, {}, {col, row}), DType::kF32, {2, 3}, {-9, -19, -29, -8, -18, -28}, 0);
  CheckTensor(Eval(OpKind::Mul, {}, {row, col}), DType::kF32, {2, 3}, {10, 20, 30, 20, 40, 60}, 0);
  CheckTensor(Eval(OpKind::Div, {}, {row, col}), DType::kF32, {2, 3}, {10, 20, 30, 5, 10, 15}, 0);
  // A scalar broadcasts against everything; a size-1 dim against a longer one.
  HostTensor scalar = F32({}, {2});
  CheckTensor(Eval(OpKind::Mul, {}, {scalar, F32({2, 2}, {1, 2, 3, 4})}), DType::kF32, {2, 2}, {2, 4, 6, 8}, 0);
  CheckTensor(Eval(OpKind::Add, {}, {F32({1, 2, 1}, {1, 2}), F32({3, 1, 2}, {0, 1, 10, 11, 20, 21})}),
              DType::kF32, {3, 2, 2}, {1, 2, 2, 3, 11, 12, 12, 13, 21, 22, 22, 23}, 0);
  // f32 results are rounded once from the exact double result.
  CheckTensor(Eval(OpKind::Add, {}, {F32({1}, {0.1f}), F32({1}, {0.2f})}), DType::kF32, {1},
              {static_cast<float>(static_cast<double>(0.1f) + static_cast<double>(0.2f))}, 0);
  Status bad = EvalError(OpKind::Add, {}, {F32({2}, {1, 2}), F32({3}, {1, 2, 3})});
  CHECK_THAT(bad.message(), Catch::Contains("cannot broadcast"));
  CHECK_FALSE(EvaluateOp(OpKind::Add, {}, {F32({1}, {1}), I64({1}, {1})}).ok());
}

TEST_CASE("float division follows IEEE; integer division truncates and refuses zero") {
  CheckTensor(Eval(OpKind::Div, {}, {F64({3}, {1, -1, 0}), F64({3}, {0, 0, 0})}), DType::kF64, {3},
              {kInf, -kInf, kNaN});
  HostTensor a = I64({4}, {7, -7, 7, -7}), b = I64({4}, {2, 2, -2, -2});
  CheckInts(Eval(OpKind::Div, {}, {a, b}), DType::kI64, {4}, {3, -3, -3, 3});
  CheckInts(Eval(OpKind::Div, {}, {I32({2}, {9, -9}), I32({}, {4})}), DType::kI32, {2}, {2, -2});
  Status zero = EvalError(OpKind::Div, {}, {I64({3}, {1, 2, 3}), I64({3}, {1, 0, 1})});
  CHECK(zero.code() == StatusCode::kInvalidArgument);
  CHECK_THAT(zero.message(), Catch::Contains("integer division by zero") && Catch::Contains("element 1"));
  int64_t min = std::numeric_limits<int64_t>::min();
  CheckInts(Eval(OpKind::Div, {}, {I64({1}, {min}), I64({1}, {-1})}), DType::kI64, {1}, {min});
}

TEST_CASE("integer add, sub and mul wrap around") {
  int64_t max = std::numeric_limits<int64_t>::max(), min = std::numeric_limits<int64_t>::min();
  CheckInts(Eval(OpKind::Add, {}, {I64({1}, {max}), I64({1}, {1})}), DType::kI64, {1}, {min});
  CheckInts(Eval(OpKind::Sub, {}, {I64({1}, {min}), I64({1}, {1})}), DType::kI64, {1}, {max});
  CheckInts(Eval(OpKind::Mul, {}, {I32({1}, {65536}), I32({1}, {65536})}), DType::kI32, {1}, {0});
  // i64 arithmetic is exact beyond 2^53 (never routed through double).
  int64_t big = (int64_t{1} << 53) + 1;
  CheckInts(Eval(OpKind::Add, {}, {I64({1}, {big}), I64({1}, {2})}), DType::kI64, {1}, {big + 2});
}

TEST_CASE("pow, maximum and minimum") {
  CheckTensor(Eval(OpKind::Pow, {}, {F64({4}, {2, 4, -8, 0}), F64({4}, {3, 0.5, 1.0 / 3, 0})}), DType::kF64, {4},
              {8, 2, kNaN, 1});
  CheckTensor(Eval(OpKind::Pow, {}, {F32({2}, {2, 3}), F32({}, {2})}), DType::kF32, {2}, {4, 9}, 0);
  CHECK_FALSE(EvaluateOp(OpKind::Pow, {}, {I64({1}, {2}), I64({1}, {2})}).ok());

  HostTensor a = F32({4}, {1, NAN, 3, -1}), b = F32({4}, {2, 0, NAN, -2});
  CheckTensor(Eval(OpKind::Maximum, {}, {a, b}), DType::kF32, {4}, {2, kNaN, kNaN, -1});
  CheckTensor(Eval(OpKind::Minimum, {}, {a, b}), DType::kF32, {4}, {1, kNaN, kNaN, -2});
  CheckInts(Eval(OpKind::Maximum, {}, {I64({2, 1}, {1, 5}), I64({2}, {3, 4})}), DType::kI64, {2, 2}, {3, 4, 5, 5});
  CheckInts(Eval(OpKind::Minimum, {}, {I64({2, 1}, {1, 5}), I64({2}, {3, 4})}), DType::kI64, {2, 2}, {1, 1, 3, 4});
}

TEST_CASE("comparisons produce bool, NaN compares unequal") {
  HostTensor a = F32({4}, {1, 2, NAN, 4}), b = F32({4}, {1, 3, NAN, 2});
  CheckInts(Eval(OpKind::Eq, {}, {a, b}), DType::kBool, {4}, {1, 0, 0, 0});
  CheckInts(Eval(OpKind::Ne, {}, {a, b}), DType::kBool, {4}, {0, 1, 1, 1});
  CheckInts(Eval(OpKind::Lt, {}, {a, b}), DType::kBool, {4}, {0, 1, 0, 0});
  CheckInts(Eval(OpKind::Le, {}, {a, b}), DType::kBool, {4}, {1, 1, 0, 0});
  CheckInts(Eval(OpKind::Gt, {}, {a, b}), DType::kBool, {4}, {0, 0, 0, 1});
  CheckInts(Eval(OpKind::Ge, {}, {a, b}), DType::kBool, {4}, {1, 0, 0, 1});
  // Broadcast, integers compared exactly (2^53 + 1 != 2^53), bools compared as 0/1.
  int64_t p53 = int64_t{1} << 53;
  CheckInts(Eval(OpKind::Eq, {}, {I64({2, 1}, {p53, p53 + 1}), I64({1}, {p53 + 1})}), DType::kBool, {2, 1}, {0, 1});
  CheckInts(Eval(OpKind::Lt, {}, {Bool({2}, {false, true}), Bool({}, {true})}), DType::kBool, {2}, {1, 0});
}

TEST_CASE("logical ops and where") {
  HostTensor a = Bool({2, 1}, {true, false}), b = Bool({2}, {true, false});
  CheckInts(Eval(OpKind::LogicalAnd, {}, {a, b}), DType::kBool, {2, 2}, {1, 0, 0, 0});
  CheckInts(Eval(OpKind::LogicalOr, {}, {a, b}), DType::kBool, {2, 2}, {1, 1, 1, 0});
  CheckInts(Eval(OpKind::LogicalNot, {}, {b}), DType::kBool, {2}, {0, 1});
  CHECK_FALSE(EvaluateOp(OpKind::LogicalNot, {}, {F32({1}, {1})}).ok());

  // All three operands broadcast: cond [2,1], a [3], b [] -> [2,3].
  HostTensor cond = Bool({2, 1}, {true, false});
  CheckTensor(Eval(OpKind::Where, {}, {cond, F32({3}, {1, 2, 3}), F32({}, {-1})}), DType::kF32, {2, 3},
              {1, 2, 3, -1, -1, -1}, 0);
  CheckInts(Eval(OpKind::Where, {}, {Bool({3}, {true, false, true}), I64({3}, {1, 2, 3}), I64({3}, {-1, -2, -3})}),
            DType::kI64, {3}, {1, -2, 3});
  CHECK_FALSE(EvaluateOp(OpKind::Where, {}, {F32({1}, {1}), F32({1}, {1}), F32({1}, {1})}).ok());
}

TEST_CASE("f16 and bf16 compute in f32 and round once") {
  // 1 + 2^-11 is halfway between two f16 values: ties to even gives 1.
  HostTensor a = Of(DType::kF16, {2}, {1.0, 2.0}), b = Of(DType::kF16, {2}, {std::ldexp(1.0, -11), 0.5});
  CheckTensor(Eval(OpKind::Add, {}, {a, b}), DType::kF16, {2}, {1.0, 2.5}, 0);
  HostTensor c = Of(DType::kBF16, {2}, {1.5, -2.0});
  CheckTensor(Eval(OpKind::Mul, {}, {c, c}), DType::kBF16, {2}, {2.25, 4.0}, 0);
  CheckTensor(Eval(OpKind::Cast, {{"dtype", DType::kF16}}, {F32({1}, {0.1f})}), DType::kF16, {1},
              {ir::half_to_float(ir::float_to_half(0.1f))}, 0);
  CheckInts(Eval(OpKind::Cast, {{"dtype", DType::kI64}}, {Of(DType::kF16, {1}, {-2.5})}), DType::kI64, {1}, {-2});
}
