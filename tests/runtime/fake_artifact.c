/* A stand-in for what the compiler generates: a model description plus the exported entry
 * points, linked with runtime.bc into a shared object by runtime_bc_test.sh. */
#include "kiln/runtime.h"

#define EXPORT __attribute__((visibility("default")))

typedef struct task {
  const float* x;
  const float* w;
  float* y;
} task;

static void body(void* arg, int64_t begin, int64_t end) {
  const task* t = (const task*)arg;
  for (int64_t i = begin; i < end; ++i) t->y[i] = t->x[i] + t->w[i % 3];
}

static kiln_status fake_graph(const kiln_rt_exec* exec) {
  task t = {(const float*)exec->inputs[0], (const float*)exec->weights, (float*)exec->outputs[0]};
  kiln_rt_exec_parallel_for(exec, exec->batch * 3, 1, body, &t);
  return KILN_OK;
}

_Alignas(64) static const float weights[3] = {1.0f, 2.0f, 3.0f};
static const kiln_rt_io_spec inputs[] = {{"x", KILN_F32, 2, {-1, 3}}};
static const kiln_rt_io_spec outputs[] = {{"y", KILN_F32, 2, {-1, 3}}};
static const kiln_rt_model model = {"fake", 1, 1, inputs, outputs, 16, 64, 2, weights, sizeof weights, 0, fake_graph};

typedef struct fake_context fake_context;

EXPORT kiln_status fake_create(fake_context** ctx, const kiln_context_options* options) {
  return kiln_rt_create(&model, options, (kiln_rt_context**)ctx);
}
EXPORT kiln_status fake_run(fake_context* ctx, const kiln_tensor* in, int32_t n, kiln_tensor* out, int32_t m) {
  return kiln_rt_run((kiln_rt_context*)ctx, in, n, out, m);
}
EXPORT void fake_destroy(fake_context* ctx) { kiln_rt_destroy((kiln_rt_context*)ctx); }
EXPORT const char* fake_last_error(void) { return kiln_rt_last_error(); }
