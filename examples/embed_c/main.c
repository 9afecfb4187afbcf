/* embed_resnet18: runs a kiln-compiled resnet18 from plain C99, with no Python, no kiln library
 * and no C++ runtime -- only resnet18.h (+ kiln/runtime.h) and libresnet18.so.
 *
 *   kiln compile --model resnet18 --weights W.safetensors -o out
 *   cc -O2 -I out examples/embed_c/main.c -L out -lresnet18 -Wl,-rpath,out -o embed_resnet18
 *   ./embed_resnet18 INPUT.f32 [OUTPUT.f32]
 *
 * INPUT.f32 is one image, 3x224x224 raw little-endian f32 (already normalized); OUTPUT.f32
 * receives the 1000 logits the same way. Prints the top-5 classes and the median latency.
 * The C ABI is described in docs/embedding.md. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "resnet18.h"

#define RUNS 10 /* timed runs after one warm-up; the median is reported */

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static int cmp_double(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

/* Element count of a tensor declared in resnet18.h with the batch dim (-1) set to `batch`. */
static size_t count(const int64_t* dims, int rank, int64_t batch) {
  size_t n = 1;
  for (int i = 0; i < rank; ++i) n *= (size_t)(dims[i] < 0 ? batch : dims[i]);
  return n;
}

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: %s INPUT.f32 [OUTPUT.f32]\n", argv[0]);
    return 2;
  }
  /* The header declares every input and output: name, dtype, rank and dims (-1 = batch N).
   * Using its macros instead of literal numbers keeps this file right if the model changes. */
  static const int64_t in_dims[] = RESNET18_INPUT_0_DIMS;
  static const int64_t out_dims[] = RESNET18_OUTPUT_0_DIMS;
  const int64_t batch = 1; /* any N in [1, RESNET18_MAX_BATCH] works with the same artifact */
  const size_t in_count = count(in_dims, RESNET18_INPUT_0_RANK, batch);
  const size_t out_count = count(out_dims, RESNET18_OUTPUT_0_RANK, batch);
  const size_t classes = out_count / (size_t)batch;

  /* The caller owns all tensor memory: kiln reads the input and writes the output in place. */
  float* pixels = malloc(in_count * sizeof(float));
  float* logits = malloc(out_count * sizeof(float));
  if (!pixels || !logits) {
    fprintf(stderr, "out of memory\n");
    return 1;
  }

  /* Load the input and insist on its exact size: a wrong file must not be run silently. */
  FILE* f = fopen(argv[1], "rb");
  if (!f) {
    perror(argv[1]);
    return 1;
  }
  size_t got = fread(pixels, 1, in_count * sizeof(float), f);
  int extra = fgetc(f) != EOF;
  fclose(f);
  if (got != in_count * sizeof(float) || extra) {
    fprintf(stderr, "%s: expected exactly %zu bytes (f32[%lld,%lld,%lld,%lld] \"%s\"), got %s%zu\n", argv[1],
            in_count * sizeof(float), (long long)batch, (long long)in_dims[1], (long long)in_dims[2],
            (long long)in_dims[3], RESNET18_INPUT_0_NAME, extra ? "more than " : "", got);
    return 1;
  }

  /* A context owns the activation arena and the worker threads; create one per thread that
   * runs the model. Zero-initialized options mean defaults; here we ask for 2 threads. */
  kiln_context_options options;
  memset(&options, 0, sizeof options);
  options.num_threads = 2;
  resnet18_context* ctx = NULL;
  if (resnet18_create(&options, &ctx) != KILN_OK) {
    fprintf(stderr, "resnet18_create: %s\n", resnet18_last_error());
    return 1;
  }

  /* Inputs: every field set. Outputs: dtype, rank, data and capacity; run fills in dims.
   * The capacities let kiln refuse (with a message) rather than overrun a too-small buffer. */
  kiln_tensor input;
  memset(&input, 0, sizeof input);
  input.dtype = RESNET18_INPUT_0_DTYPE;
  input.rank = RESNET18_INPUT_0_RANK;
  for (int i = 0; i < RESNET18_INPUT_0_RANK; ++i) input.dims[i] = in_dims[i] < 0 ? batch : in_dims[i];
  input.data = pixels;
  input.capacity = in_count * sizeof(float);

  kiln_tensor output;
  memset(&output, 0, sizeof output);
  output.dtype = RESNET18_OUTPUT_0_DTYPE;
  output.rank = RESNET18_OUTPUT_0_RANK;
  output.data = logits;
  output.capacity = out_count * sizeof(float);

  /* One warm-up run (first touch of the arena and weights pages), then RUNS timed runs.
   * Every call returns a status; on failure resnet18_last_error() says what was wrong. */
  double ms[RUNS];
  kiln_status status = KILN_OK;
  for (int r = -1; r < RUNS && status == KILN_OK; ++r) {
    double start = now_ms();
    status = resnet18_run(ctx, &input, RESNET18_NUM_INPUTS, &output, RESNET18_NUM_OUTPUTS);
    if (r >= 0) ms[r] = now_ms() - start;
  }
  if (status != KILN_OK) {
    fprintf(stderr, "resnet18_run failed (status %d): %s\n", (int)status, resnet18_last_error());
    resnet18_destroy(ctx);
    return 1;
  }
  qsort(ms, RUNS, sizeof ms[0], cmp_double);

  /* Top-5 classes of the (first) image: five passes of selecting the largest unused logit. */
  int top[5];
  for (int k = 0; k < 5; ++k) {
    top[k] = -1;
    for (size_t c = 0; c < classes; ++c) {
      int taken = 0;
      for (int j = 0; j < k; ++j) taken |= top[j] == (int)c;
      if (!taken && (top[k] < 0 || logits[c] > logits[top[k]])) top[k] = (int)c;
    }
  }
  printf("output \"%s\" [%lld,%lld]; top-5 classes:", RESNET18_OUTPUT_0_NAME, (long long)output.dims[0],
         (long long)output.dims[1]);
  for (int k = 0; k < 5; ++k) printf("  %d (%.4f)", top[k], logits[top[k]]);
  printf("\nlatency: median %.2f ms (min %.2f, max %.2f) over %d runs, batch %lld, %d threads\n",
         ms[RUNS / 2 - 1] / 2 + ms[RUNS / 2] / 2, ms[0], ms[RUNS - 1], RUNS, (long long)batch,
         options.num_threads);

  if (argc == 3) {
    FILE* out = fopen(argv[2], "wb");
    if (!out || fwrite(logits, sizeof(float), out_count, out) != out_count || fclose(out) != 0) {
      perror(argv[2]);
      resnet18_destroy(ctx);
      return 1;
    }
  }

  resnet18_destroy(ctx);
  free(pixels);
  free(logits);
  return 0;
}
