// Reference kernels: layer_norm, group_norm, embedding, embedding_bag (hand-computed values).
#include <cmath>
#include <cstdint>

#include "tests/codegen/reference_test_util.h"

using namespace kiln::reference::testing;

namespace {

// (v - mean) / sqrt(var + eps) for a list, biased variance.
std::vector<double> Normalized(const std::vector<double>& v, double eps) {
  double mean = 0, var = 0;
  for (double x : v) mean += x;
  mean /= static_cast<double>(v.size());
  for (double x : v) var += (x - mean) * (x - mean);
  var /= static_cast<double>(v.size());
  std::vector<double> out;
  for (double x : v) out.push_back((x - mean) / std::sqrt(var + eps));
  return out;
}

}  // namespace

TEST_CASE("layer_norm over the last dim, with and without affine") {
  // Rows [1,2,3] and [2,4,6]: mean 2 / 4, biased var 2/3 / 8/3.
  HostTensor x = F32({2, 3}, {1, 2, 3, 2, 4, 6});
  double s1 = std::sqrt(2.0 / 3.0), s2 = std::sqrt(8.0 / 3.0);
  CheckTensor(Eval(OpKind::LayerNorm, {{"normalized_ndim", int64_t{1}}, {"eps", 0.0}}, {x}), DType::kF32, {2, 3},
              {-1 / s1, 0, 1 / s1, -2 / s2, 0, 2 / s2});
  HostTensor w = F32({3}, {1, 2, -1}), b = F32({3}, {0.5, 0, 1});
  CheckTensor(Eval(OpKind::LayerNorm, {{"normalized_ndim", int64_t{1}}, {"eps", 0.0}}, {x, w, b}), DType::kF32, {2, 3},
              {-1 / s1 + 0.5, 0, -1 / s1 + 1, -2 / s2 + 0.5, 0, -2 / s2 + 1});
  // Weight only (bias absent).
  CheckTensor(Eval(OpKind::LayerNorm, {{"normalized_ndim", int64_t{1}}, {"eps", 0.0}}, {x, w}), DType::kF32, {2, 3},
              {-1 / s1, 0, -1 / s1, -2 / s2, 0, -2 / s2});
}

TEST_CASE("layer_norm over two dims; eps; constant input gives zeros") {
  HostTensor x = F64({1, 2, 2}, {1, 2, 3, 4});
  CheckTensor(Eval(OpKind::LayerNorm, {{"normalized_ndim", int64_t{2}}, {"eps", 0.75}}, {x}), DType::kF64, {1, 2, 2},
              Normalized({1, 2, 3, 4}, 0.75), 1e-12);
  HostTensor zeros = F32({2, 4}, std::vector<float>(8, 0.0f));
  CheckTensor(Eval(OpKind::LayerNorm, {{"normalized_ndim", int64_t{1}}}, {zeros}), DType::kF32, {2, 4},
              std::vector<double>(8, 0.0), 0);
  // Bad attributes and shapes are rejected by the shape rule.
  CHECK_THAT(EvalError(OpKind::LayerNorm, {{"normalized_ndim", int64_t{3}}}, {x, F64({2, 2}, {1, 1, 1, 1})}).message(),
             Catch::Contains("normalized shape"));
  CHECK_FALSE(EvaluateOp(OpKind::LayerNorm, {{"normalized_ndim", int64_t{4}}}, {x}).ok());
  CHECK_FALSE(EvaluateOp(OpKind::LayerNorm, {{"normalized_ndim", int64_t{1}}}, {I64({2}, {1, 2})}).ok());
}

TEST_CASE("group_norm normalizes groups of channels over all spatial dims") {
  // [1, 4, 2]: groups of 2 channels -> {1,2,3,4} and {5,7,9,11}.
  HostTensor x = F32({1, 4, 2}, {1, 2, 3, 4, 5, 7, 9, 11});
  std::vector<double> g0 = Normalized({1, 2, 3, 4}, 1e-5), g1 = Normalized({5, 7, 9, 11}, 1e-5);
  std::vector<double> plain = g0;
  plain.insert(plain.end(), g1.begin(), g1.end());
  CheckTensor(Eval(OpKind::GroupNorm, {{"num_groups", int64_t{2}}}, {x}), DType::kF32, {1, 4, 2}, plain, 1e-5);
  HostTensor w = F32({4}, {1, 2, 3, 4}), b = F32({4}, {0, 1, 0, -1});
  std::vector<double> affine;
  for (size_t i = 0; i < 8; ++i) affine.push_back(plain[i] * (1.0 + static_cast<double>(i / 2)) + std::vector<double>{0, 1, 0, -1}[i / 2]);
  CheckTensor(Eval(OpKind::GroupNorm, {{"num_groups", int64_t{2}}}, {x, w, b}), DType::kF32, {1, 4, 2}, affine, 1e-5);
  // num_groups == C is instance norm; a 2-d [N, C] input has one element per channel.
  CheckTensor(Eval(OpKind::GroupNorm, {{"num_groups", int64_t{1}}}, {F32({2, 2}, {1, 3, 5, 5})}), DType::kF32, {2, 2},
              {-1, 1, 0, 0}, 1e-5);
  CHECK_THAT(EvalError(OpKind::GroupNorm, {{"num_groups", int64_t{3}}}, {x}).message(), Catch::Contains("divide"));
  CHECK_FALSE(EvaluateOp(OpKind::GroupNorm, {{"num_groups", int64_t{2}}}, {x, F32({2}, {1, 1})}).ok());
}

TEST_CASE("embedding gathers rows; out-of-range indices are errors") {
  HostTensor w = F32({4, 2}, {0, 1, 10, 11, 20, 21, 30, 31});
  CheckTensor(Eval(OpKind::Embedding, {}, {w, I64({2, 2}, {3, 0, 1, 3})}), DType::kF32, {2, 2, 2},
              {30, 31, 0, 1, 10, 11, 30, 31}, 0);
  CheckTensor(Eval(OpKind::Embedding, {}, {w, I32({1}, {2})}), DType::kF32, {1, 2}, {20, 21}, 0);
  CheckTensor(Eval(OpKind::Embedding, {}, {w, I64({}, {2})}), DType::kF32, {2}, {20, 21}, 0);
  CheckTensor(Eval(OpKind::Embedding, {}, {w, I64({0}, {})}), DType::kF32, {0, 2}, {}, 0);
  Status high = EvalError(OpKind::Embedding, {}, {w, I64({3}, {0, 4, 1})});
  CHECK(high.code() == StatusCode::kInvalidArgument);
  CHECK_THAT(high.message(), Catch::Contains("index 4") && Catch::Contains("table of 4 rows"));
  CHECK_THAT(EvalError(OpKind::Embedding, {}, {w, I64({1}, {-1})}).message(), Catch::Contains("index -1"));
  CHECK_FALSE(EvaluateOp(OpKind::Embedding, {}, {w, F32({1}, {1})}).ok());   // float indices
  CHECK_FALSE(EvaluateOp(OpKind::Embedding, {}, {F32({4}, {1, 2, 3, 4}), I64({1}, {1})}).ok());  // 1-d table
}

TEST_CASE("embedding_bag with offsets: sum, mean, max, empty bags, padding, include_last_offset") {
  // Rows r = [2r, 2r+1]; indices [1,2,4,5,4,3], offsets [0,2,2,4]: bags {1,2} {} {4,5} {4,3}.
  std::vector<double> wv;
  for (int i = 0; i < 12; ++i) wv.push_back(i);
  HostTensor w = F32({6, 2}, std::vector<float>(wv.begin(), wv.end()));
  HostTensor idx = I64({6}, {1, 2, 4, 5, 4, 3}), off = I64({4}, {0, 2, 2, 4});
  auto attrs = [](const char* mode, bool last = false, int64_t pad = -1) {
    return Attrs{{"mode", std::string(mode)}, {"include_last_offset", last}, {"padding_idx", pad}};
  };
  // Values checked against torch.nn.functional.embedding_bag.
  CheckTensor(Eval(OpKind::EmbeddingBag, attrs("sum"), {w, idx, off}), DType::kF32, {4, 2}, {6, 8, 0, 0, 18, 20, 14, 16}, 0);
  CheckTensor(Eval(OpKind::EmbeddingBag, attrs("mean"), {w, idx, off}), DType::kF32, {4, 2}, {3, 4, 0, 0, 9, 10, 7, 8}, 0);
  CheckTensor(Eval(OpKind::EmbeddingBag, attrs("max"), {w, idx, off}), DType::kF32, {4, 2}, {4, 5, 0, 0, 10, 11, 8, 9}, 0);
  CheckTensor(Eval(OpKind::EmbeddingBag, attrs("sum", true), {w, idx, off}), DType::kF32, {3, 2}, {6, 8, 0, 0, 18, 20}, 0);
  CheckTensor(Eval(OpKind::EmbeddingBag, attrs("mean", false, 4), {w, idx, off}), DType::kF32, {4, 2},
              {3, 4, 0, 0, 10, 11, 6, 7}, 0);
  CheckTensor(Eval(OpKind::EmbeddingBag, attrs("max", false, 4), {w, idx, off}), DType::kF32, {4, 2},
              {4, 5, 0, 0, 10, 11, 6, 7}, 0);
  // A bag of padding entries only is zeros, in every mode.
  CheckTensor(Eval(OpKind::EmbeddingBag, attrs("mean", false, 4), {w, I64({3}, {4, 4, 1}), I64({2}, {0, 2})}),
              DType::kF32, {2, 2}, {0, 0, 2, 3}, 0);
  // per_sample_weights scale each row (sum only).
  CheckTensor(Eval(OpKind::EmbeddingBag, attrs("sum"), {w, I64({3}, {1, 2, 3}), I64({2}, {0, 1}), F32({3}, {1, 2, 3})}),
              DType::kF32, {2, 2}, {2, 3, 26, 31}, 0);
  CHECK_FALSE(EvaluateOp(OpKind::EmbeddingBag, attrs("mean"),
                         {w, I64({3}, {1, 2, 3}), I64({2}, {0, 1}), F32({3}, {1, 2, 3})}).ok());
}

TEST_CASE("embedding_bag with 2-d indices, and its errors") {
  HostTensor w = F32({3, 2}, {1, -1, 4, 2, -3, 5});
  HostTensor idx = I64({2, 2}, {0, 1, 2, 2});
  auto attrs = [](const char* mode) { return Attrs{{"mode", std::string(mode)}}; };
  CheckTensor(Eval(OpKind::EmbeddingBag, attrs("sum"), {w, idx}), DType::kF32, {2, 2}, {5, 1, -6, 10}, 0);
  CheckTensor(Eval(OpKind::EmbeddingBag, attrs("max"), {w, idx}), DType::kF32, {2, 2}, {4, 2, -3, 5}, 0);
  CheckTensor(Eval(OpKind::EmbeddingBag, attrs("sum"), {w, idx, F32({2, 2}, {2, 0, 1, -1})}), DType::kF32, {2, 2},
              {2, -2, 0, 0}, 0);
  Status oob = EvalError(OpKind::EmbeddingBag, attrs("sum"), {w, I64({2, 1}, {0, 3})});
  CHECK(oob.code() == StatusCode::kInvalidArgument);
  CHECK_THAT(oob.message(), Catch::Contains("index 3") && Catch::Contains("table of 3 rows"));
  // Offsets must start at 0, be non-decreasing and stay within the indices.
  HostTensor flat = I64({3}, {0, 1, 2});
  CHECK_THAT(EvalError(OpKind::EmbeddingBag, attrs("sum"), {w, flat, I64({2}, {1, 2})}).message(),
             Catch::Contains("offsets"));
  CHECK_FALSE(EvaluateOp(OpKind::EmbeddingBag, attrs("sum"), {w, flat, I64({3}, {0, 2, 1})}).ok());
  CHECK_FALSE(EvaluateOp(OpKind::EmbeddingBag, attrs("sum"), {w, flat, I64({2}, {0, 4})}).ok());
  CHECK_FALSE(EvaluateOp(OpKind::EmbeddingBag, attrs("sum"), {w, flat}).ok());                 // no offsets
  CHECK_FALSE(EvaluateOp(OpKind::EmbeddingBag, attrs("median"), {w, idx}).ok());               // bad mode
  CHECK_FALSE(EvaluateOp(OpKind::EmbeddingBag, attrs("sum"), {w, idx, F32({2}, {1, 1})}).ok());  // psw shape
}
