// Hand-written kiln_rt_model descriptions standing in for what the compiler emits, so the
// runtime is tested without the compiler.
#ifndef KILN_TESTS_RUNTIME_FAKE_MODELS_H_
#define KILN_TESTS_RUNTIME_FAKE_MODELS_H_

#include <cstdint>
#include <vector>

#include "kiln/runtime.h"

namespace kiln_test {

/// "add_one": input x f32 [N,3], output y f32 [N,3] = x + weights (weights = {1,1,1}),
/// max batch 8, computed with the exec's parallel_for one element per iteration.
const kiln_rt_model& add_one_model();
/// The same graph with external weights: weights NULL, 12 bytes, checksum of {1,1,1} floats.
const kiln_rt_model& add_one_external_model();
/// The 12 bytes add_one_external_model expects in its weights file.
std::vector<unsigned char> add_one_weights_bytes();

/// "two_inputs": a f32 [N,2], b i64 [3,N] (batch in dim 1), output sum f32 [N] =
/// a[n,0] + a[n,1] + b[0,n] + b[1,n] + b[2,n]; max batch 4; no weights.
const kiln_rt_model& two_inputs_model();

/// A tensor descriptor over `data`.
template <typename T>
kiln_tensor make_tensor(kiln_dtype dtype, std::vector<int64_t> dims, std::vector<T>& data) {
  kiln_tensor t{};
  t.dtype = dtype;
  t.rank = static_cast<int32_t>(dims.size());
  for (size_t i = 0; i < dims.size(); ++i) t.dims[i] = dims[i];
  t.data = data.data();
  t.capacity = data.size() * sizeof(T);
  return t;
}

}  // namespace kiln_test

#endif  // KILN_TESTS_RUNTIME_FAKE_MODELS_H_
