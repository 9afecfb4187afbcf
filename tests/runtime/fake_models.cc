#include "tests/runtime/fake_models.h"

#include <cstring>

namespace kiln_test {
namespace {

struct AddOneTask {
  const float* x;
  const float* w;
  float* y;
};

void add_one_body(void* arg, int64_t begin, int64_t end) {
  const AddOneTask* t = static_cast<const AddOneTask*>(arg);
  for (int64_t i = begin; i < end; ++i) t->y[i] = t->x[i] + t->w[i % 3];
}

kiln_status add_one_run(const kiln_rt_exec* exec) {
  // The driver promises a 64-byte aligned arena and weights; check it like generated code may assume it.
  if (exec->arena == nullptr || reinterpret_cast<uintptr_t>(exec->arena) % 64 != 0)
    return kiln_rt_set_error(KILN_INTERNAL, "add_one: arena not 64-byte aligned");
  if (exec->weights == nullptr || reinterpret_cast<uintptr_t>(exec->weights) % 64 != 0)
    return kiln_rt_set_error(KILN_INTERNAL, "add_one: weights not 64-byte aligned");
  AddOneTask task{static_cast<const float*>(exec->inputs[0]), static_cast<const float*>(exec->weights),
                  static_cast<float*>(exec->outputs[0])};
  kiln_rt_exec_parallel_for(exec, exec->batch * 3, 1, add_one_body, &task);
  return KILN_OK;
}

alignas(64) const float kWeights[3] = {1.0f, 1.0f, 1.0f};

const kiln_rt_io_spec kAddOneInputs[] = {{"x", KILN_F32, 2, {-1, 3}}};
const kiln_rt_io_spec kAddOneOutputs[] = {{"y", KILN_F32, 2, {-1, 3}}};

kiln_status two_inputs_run(const kiln_rt_exec* exec) {
  const float* a = static_cast<const float*>(exec->inputs[0]);
  const int64_t* b = static_cast<const int64_t*>(exec->inputs[1]);
  float* sum = static_cast<float*>(exec->outputs[0]);
  const int64_t n = exec->batch;
  for (int64_t i = 0; i < n; ++i)
    sum[i] = a[2 * i] + a[2 * i + 1] + static_cast<float>(b[i] + b[n + i] + b[2 * n + i]);
  return KILN_OK;
}

const kiln_rt_io_spec kTwoInputs[] = {{"a", KILN_F32, 2, {-1, 2}}, {"b", KILN_I64, 2, {3, -1}}};
const kiln_rt_io_spec kTwoOutputs[] = {{"sum", KILN_F32, 1, {-1}}};

}  // namespace

const kiln_rt_model& add_one_model() {
  static const kiln_rt_model model = {
      "add_one", 1, 1, kAddOneInputs, kAddOneOutputs, 8, 256, 2, kWeights, sizeof kWeights, 0, add_one_run};
  return model;
}

std::vector<unsigned char> add_one_weights_bytes() {
  std::vector<unsigned char> bytes(sizeof kWeights);
  std::memcpy(bytes.data(), kWeights, sizeof kWeights);
  return bytes;
}

const kiln_rt_model& add_one_external_model() {
  static const kiln_rt_model model = [] {
    kiln_rt_model m = add_one_model();
    m.name = "add_one_ext";
    m.weights = nullptr;
    m.weights_checksum = kiln_rt_checksum(kWeights, sizeof kWeights, KILN_CHECKSUM_SEED);
    return m;
  }();
  return model;
}

const kiln_rt_model& two_inputs_model() {
  static const kiln_rt_model model = {
      "two_inputs", 2, 1, kTwoInputs, kTwoOutputs, 4, 0, 1, nullptr, 0, 0, two_inputs_run};
  return model;
}

}  // namespace kiln_test
