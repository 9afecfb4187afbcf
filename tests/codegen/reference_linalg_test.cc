// Reference kernels: matmul (batched, broadcast batch dims) and linear.
#include <cstdint>

#include "tests/codegen/reference_test_util.h"

using namespace kiln::reference::testing;

namespace {

// Integer-valued test data so sums are exact in every dtype.
std::vector<double> Ramp(int64_t n, int64_t mod = 7, int64_t offset = 3) {
  std::vector<double> v;
  for (int64_t i = 0; i < n; ++i) v.push_back(static_cast<double>((i * 5 + 1) % mod - offset));
  return v;
}

}  // namespace

TEST_CASE("matmul of two matrices") {
  // [[1,2,3],[4,5,6]] @ [[7,8],[9,10],[11,12]] = [[58,64],[139,154]]
  HostTensor a = F32({2, 3}, {1, 2, 3, 4, 5, 6}), b = F32({3, 2}, {7, 8, 9, 10, 11, 12});
  CheckTensor(Eval(OpKind::MatMul, {}, {a, b}), DType::kF32, {2, 2}, {58, 64, 139, 154}, 0);
  CheckInts(Eval(OpKind::MatMul, {}, {I64({2, 3}, {1, 2, 3, 4, 5, 6}), I64({3, 1}, {1, 0, -1})}), DType::kI64, {2, 1},
            {-2, -2});
  CheckInts(Eval(OpKind::MatMul, {}, {I32({1, 2}, {3, 4}), I32({2, 1}, {5, 6})}), DType::kI32, {1, 1}, {39});
  Status inner = EvalError(OpKind::MatMul, {}, {a, a});
  CHECK_THAT(inner.message(), Catch::Contains("inner dims differ"));
  CHECK_FALSE(EvaluateOp(OpKind::MatMul, {}, {F32({3}, {1, 2, 3}), b}).ok());
}

TEST_CASE("matmul broadcasts batch dims") {
  // a [2,1,2,3] and b [3,3,2] broadcast to batch [2,3]: out[i][j] = a[i][0] @ b[j].
  std::vector<double> av = Ramp(12), bv = Ramp(18, 5, 2);
  HostTensor a = F64({2, 1, 2, 3}, av), b = F64({3, 3, 2}, bv);
  HostTensor out = Eval(OpKind::MatMul, {}, {a, b});
  std::vector<double> expected;
  for (int i = 0; i < 2; ++i) {
    for (int j = 0; j < 3; ++j) {
      for (int m = 0; m < 2; ++m) {
        for (int n = 0; n < 2; ++n) {
          double s = 0;
          for (int k = 0; k < 3; ++k) s += av[static_cast<size_t>(i * 6 + m * 3 + k)] * bv[static_cast<size_t>(j * 6 + k * 2 + n)];
          expected.push_back(s);
        }
      }
    }
  }
  CheckTensor(out, DType::kF64, {2, 3, 2, 2}, expected, 0);

  // A single matrix against a batch reuses the matrix for every batch entry.
  HostTensor eye = F32({2, 2}, {1, 0, 0, 1});
  HostTensor batch = F32({2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  CheckTensor(Eval(OpKind::MatMul, {}, {eye, batch}), DType::kF32, {2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8}, 0);
  CheckTensor(Eval(OpKind::MatMul, {}, {batch, eye}), DType::kF32, {2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8}, 0);
}

TEST_CASE("matmul accumulates f32 in double") {
  // 2^24 + 1 - 2^24: float accumulation would lose the 1.
  HostTensor a = F32({1, 3}, {16777216.0f, 1.0f, -16777216.0f}), b = F32({3, 1}, {1, 1, 1});
  CheckTensor(Eval(OpKind::MatMul, {}, {a, b}), DType::kF32, {1, 1}, {1.0}, 0);
}

TEST_CASE("matmul with an empty inner dim is zeros") {
  CheckTensor(Eval(OpKind::MatMul, {}, {F32({2, 0}, {}), F32({0, 3}, {})}), DType::kF32, {2, 3}, {0, 0, 0, 0, 0, 0}, 0);
}

TEST_CASE("linear is x @ W^T + b") {
  HostTensor x = F32({2, 3}, {1, 2, 3, 4, 5, 6});
  HostTensor w = F32({2, 3}, {1, 0, -1, 0.5f, 0.5f, 0.5f});
  HostTensor b = F32({2}, {10, -1});
  // row 0: [1-3, 3] + b = [8, 2]; row 1: [4-6, 7.5] + b = [8, 6.5]
  CheckTensor(Eval(OpKind::Linear, {}, {x, w, b}), DType::kF32, {2, 2}, {8, 2, 8, 6.5}, 0);
  CheckTensor(Eval(OpKind::Linear, {}, {x, w}), DType::kF32, {2, 2}, {-2, 3, -2, 7.5}, 0);
  // Leading dims are kept: [2,1,3] -> [2,1,2]; a 1-d x is one row.
  CheckTensor(Eval(OpKind::Linear, {}, {x.Reshaped({2, 1, 3}), w, b}), DType::kF32, {2, 1, 2}, {8, 2, 8, 6.5}, 0);
  CheckTensor(Eval(OpKind::Linear, {}, {F32({3}, {1, 2, 3}), w}), DType::kF32, {2}, {-2, 3}, 0);
  CheckTensor(Eval(OpKind::Linear, {}, {F64({1, 3}, {1, 1, 1}), F64({1, 3}, {1, 2, 3}), F64({1}, {0.5})}),
              DType::kF64, {1, 1}, {6.5}, 0);
  Status bad = EvalError(OpKind::Linear, {}, {x, F32({2, 2}, {1, 2, 3, 4})});
  CHECK_THAT(bad.message(), Catch::Contains("features"));
  CHECK_FALSE(EvaluateOp(OpKind::Linear, {}, {I64({1, 1}, {1}), I64({1, 1}, {1})}).ok());
}
