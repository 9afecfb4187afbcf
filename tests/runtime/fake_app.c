/* A plain C application of the fake artifact: a bad call, then a good one on 2 threads. */
#include <stdio.h>
#include <string.h>

#include "kiln/runtime.h"

typedef struct fake_context fake_context;
kiln_status fake_create(fake_context** ctx, const kiln_context_options* options);
kiln_status fake_run(fake_context* ctx, const kiln_tensor* in, int32_t n, kiln_tensor* out, int32_t m);
void fake_destroy(fake_context* ctx);
const char* fake_last_error(void);

int main(void) {
  fake_context* ctx = NULL;
  kiln_context_options options = {0};
  options.num_threads = 2;
  if (fake_create(&ctx, &options) != KILN_OK) {
    printf("create failed: %s\n", fake_last_error());
    return 1;
  }
  float x[12] = {0}, y[12] = {0};
  for (int i = 0; i < 12; ++i) x[i] = (float)i;
  kiln_tensor in = {KILN_F32, 2, {4, 5}, x, sizeof x};
  kiln_tensor out = {KILN_F32, 2, {0}, y, sizeof y};
  if (fake_run(ctx, &in, 1, &out, 1) != KILN_INVALID_ARGUMENT || !strstr(fake_last_error(), "input 'x'")) {
    printf("bad call not caught: %s\n", fake_last_error());
    return 1;
  }
  in.dims[1] = 3;
  if (fake_run(ctx, &in, 1, &out, 1) != KILN_OK) {
    printf("run failed: %s\n", fake_last_error());
    return 1;
  }
  for (int i = 0; i < 12; ++i) {
    if (y[i] != x[i] + (float)(1 + i % 3)) {
      printf("wrong y[%d] = %g\n", i, y[i]);
      return 1;
    }
  }
  fake_destroy(ctx);
  printf("fake artifact OK: out dims [%lld,%lld]\n", (long long)out.dims[0], (long long)out.dims[1]);
  return 0;
}
