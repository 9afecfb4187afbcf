/* The generic model driver: contexts (arena, pool, weights) and the fully checked run that
 * every generated NAME_run forwards to, so generated code stays small. */
#define _DEFAULT_SOURCE
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

#include "kiln/runtime.h"

/* A new context gets at most this many threads (a typo such as 10000 must not start 10000
 * threads). */
#define KILN_MAX_THREADS 1024

/* The compiler emits kiln_rt_model / kiln_rt_io_spec as constant data and reads kiln_rt_exec
 * by field offset: keep the layouts documented in runtime.h. */
#if defined(__x86_64__)
_Static_assert(sizeof(kiln_rt_io_spec) == 80 && offsetof(kiln_rt_io_spec, dtype) == 8 &&
                   offsetof(kiln_rt_io_spec, rank) == 12 && offsetof(kiln_rt_io_spec, dims) == 16,
               "kiln_rt_io_spec layout");
_Static_assert(offsetof(kiln_rt_model, num_inputs) == 8 &&
                   offsetof(kiln_rt_model, num_outputs) == 12 && offsetof(kiln_rt_model, inputs) == 16 &&
                   offsetof(kiln_rt_model, outputs) == 24 && offsetof(kiln_rt_model, max_batch) == 32 &&
                   offsetof(kiln_rt_model, arena_bytes) == 40 && offsetof(kiln_rt_model, default_threads) == 48 &&
                   offsetof(kiln_rt_model, weights) == 56 && offsetof(kiln_rt_model, weights_bytes) == 64 &&
                   offsetof(kiln_rt_model, weights_checksum) == 72 && offsetof(kiln_rt_model, run) == 80,
               "kiln_rt_model layout");
_Static_assert(sizeof(kiln_rt_model) == 112 && offsetof(kiln_rt_model, num_symbols) == 88 &&
                   offsetof(kiln_rt_model, symbols) == 96 && offsetof(kiln_rt_model, symbol_max) == 104,
               "kiln_rt_model layout (symbols)");
_Static_assert(sizeof(kiln_rt_exec) == 128 && offsetof(kiln_rt_exec, sizes) == 64 && offsetof(kiln_rt_exec, outputs) == 8 &&
                   offsetof(kiln_rt_exec, weights) == 16 && offsetof(kiln_rt_exec, arena) == 24 &&
                   offsetof(kiln_rt_exec, batch) == 32 && offsetof(kiln_rt_exec, pool) == 40 &&
                   offsetof(kiln_rt_exec, external_pool) == 48 && offsetof(kiln_rt_exec, num_threads) == 56,
               "kiln_rt_exec layout");
_Static_assert(sizeof(kiln_tensor) == 88 && offsetof(kiln_tensor, rank) == 4 && offsetof(kiln_tensor, dims) == 8 &&
                   offsetof(kiln_tensor, data) == 72 && offsetof(kiln_tensor, capacity) == 80,
               "kiln_tensor layout");
#endif

struct kiln_rt_context {
  const kiln_rt_model* model;
  void* arena;
  kiln_rt_pool* pool;               /* NULL with an external pool or one thread */
  kiln_thread_pool external;        /* copy of the application's pool */
  int has_external;
  int32_t num_threads;
  const void* weights;
  void* mapping;
  size_t mapping_size;
  const void** input_data;          /* model->num_inputs, filled per run */
  void** output_data;               /* model->num_outputs */
  _Atomic int running;              /* refuses two threads running one context at once */
};

/* The model's symbols; the older one-symbol form (num_symbols 0) is symbol 0 "N" bounded by
 * max_batch. */
static const char* const kLegacySymbols[1] = {"N"};

static int32_t model_symbols(const kiln_rt_model* m, const char* const** names, const int64_t** max) {
  if (m->num_symbols > 0) {
    *names = m->symbols;
    *max = m->symbol_max;
    return m->num_symbols;
  }
  *names = kLegacySymbols;
  *max = &m->max_batch;
  return 1;
}

/* Bit k set: the spec uses symbol k. */
static uint32_t symbol_mask(const kiln_rt_io_spec* spec) {
  uint32_t mask = 0;
  for (int32_t d = 0; d < spec->rank; ++d)
    if (spec->dims[d] < 0 && spec->dims[d] >= -KILN_MAX_SYMBOLS) mask |= 1u << (uint32_t)(-1 - spec->dims[d]);
  return mask;
}

/* The compiler emits the model description: check it once so that a codegen bug shows up as
 * KILN_INTERNAL with a message instead of memory corruption at run time. */
static kiln_status check_spec(const char* kind, int32_t i, const kiln_rt_io_spec* spec, int32_t num_symbols) {
  if (spec->name == NULL) return kiln_rt_set_error(KILN_INTERNAL, "malformed model: %s %d has no name", kind, (int)i);
  if (kiln_rt_dtype_size(spec->dtype) == 0)
    return kiln_rt_set_error(KILN_INTERNAL, "malformed model: %s '%s' has unknown dtype %d", kind, spec->name,
                             (int)spec->dtype);
  if (spec->rank < 0 || spec->rank > KILN_MAX_RANK)
    return kiln_rt_set_error(KILN_INTERNAL, "malformed model: %s '%s' has rank %d", kind, spec->name, (int)spec->rank);
  uint32_t seen = 0;
  for (int32_t d = 0; d < spec->rank; ++d) {
    if (spec->dims[d] < -(int64_t)num_symbols)
      return kiln_rt_set_error(KILN_INTERNAL, "malformed model: %s '%s' has dim %d = %lld (%d symbol(s))", kind,
                               spec->name, (int)d, (long long)spec->dims[d], (int)num_symbols);
    if (spec->dims[d] < 0) {
      uint32_t bit = 1u << (uint32_t)(-1 - spec->dims[d]);
      if (seen & bit)
        return kiln_rt_set_error(KILN_INTERNAL, "malformed model: %s '%s' uses symbol %lld twice", kind, spec->name,
                                 (long long)(-1 - spec->dims[d]));
      seen |= bit;
    }
  }
  return KILN_OK;
}

static kiln_status check_model(const kiln_rt_model* m) {
  const char* name = m->name ? m->name : "?";
  if (m->run == NULL) return kiln_rt_set_error(KILN_INTERNAL, "malformed model '%s': no run function", name);
  if (m->num_inputs < 0 || m->num_outputs < 0 || (m->num_inputs > 0 && m->inputs == NULL) ||
      (m->num_outputs > 0 && m->outputs == NULL))
    return kiln_rt_set_error(KILN_INTERNAL, "malformed model '%s': bad input/output tables", name);
  if (m->num_symbols < 0 || m->num_symbols > KILN_MAX_SYMBOLS ||
      (m->num_symbols > 0 && (m->symbols == NULL || m->symbol_max == NULL)))
    return kiln_rt_set_error(KILN_INTERNAL, "malformed model '%s': bad symbol table (%d symbols)", name,
                             (int)m->num_symbols);
  const char* const* sym_names;
  const int64_t* sym_max;
  int32_t num_symbols = model_symbols(m, &sym_names, &sym_max);
  uint32_t bound = 0;
  for (int32_t i = 0; i < m->num_inputs; ++i) {
    kiln_status s = check_spec("input", i, &m->inputs[i], num_symbols);
    if (s != KILN_OK) return s;
    bound |= symbol_mask(&m->inputs[i]);
  }
  for (int32_t i = 0; i < m->num_outputs; ++i) {
    kiln_status s = check_spec("output", i, &m->outputs[i], num_symbols);
    if (s != KILN_OK) return s;
    uint32_t unbound = symbol_mask(&m->outputs[i]) & ~bound;
    if (unbound != 0) {
      int32_t k = __builtin_ctz(unbound);
      if (m->num_symbols == 0)
        return kiln_rt_set_error(KILN_INTERNAL,
                                 "malformed model '%s': output '%s' has a batch dim but no input has one", name,
                                 m->outputs[i].name);
      return kiln_rt_set_error(KILN_INTERNAL,
                               "malformed model '%s': output '%s' has symbolic dim %s but no input has it", name,
                               m->outputs[i].name, sym_names[k] ? sym_names[k] : "?");
    }
  }
  for (int32_t k = 0; k < num_symbols; ++k) {
    if ((bound & (1u << (uint32_t)k)) && sym_max[k] < 1) {
      if (m->num_symbols == 0)
        return kiln_rt_set_error(KILN_INTERNAL, "malformed model '%s': symbolic batch but max_batch is %lld", name,
                                 (long long)m->max_batch);
      return kiln_rt_set_error(KILN_INTERNAL, "malformed model '%s': symbol %s has maximum %lld", name,
                               sym_names[k] ? sym_names[k] : "?", (long long)sym_max[k]);
    }
  }
  if ((uint64_t)(size_t)m->arena_bytes != m->arena_bytes)
    return kiln_rt_set_error(KILN_OUT_OF_MEMORY, "model '%s' needs an arena of %llu bytes", name,
                             (unsigned long long)m->arena_bytes);
  return KILN_OK;
}

static int32_t host_cpus(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1 : n > KILN_MAX_THREADS ? KILN_MAX_THREADS : (int32_t)n;
}

static kiln_status setup_weights(kiln_rt_context* c, const kiln_rt_model* m, const char* path) {
  const char* name = m->name ? m->name : "?";
  if (m->weights != NULL) {
    if (path != NULL)
      return kiln_rt_set_error(KILN_INVALID_ARGUMENT,
                               "model '%s' embeds its weights; weights_path ('%s') must be NULL", name, path);
    c->weights = m->weights;
    return KILN_OK;
  }
  if (path == NULL) {
    if (m->weights_bytes == 0) return KILN_OK; /* a model without weights */
    return kiln_rt_set_error(KILN_INVALID_ARGUMENT,
                             "model '%s' was compiled with external weights: set options.weights_path to its "
                             "%s.weights file",
                             name, name);
  }
  return kiln_rt_map_weights(path, m->weights_bytes, m->weights_checksum, &c->weights, &c->mapping,
                             &c->mapping_size);
}

kiln_status kiln_rt_create(const kiln_rt_model* model, const kiln_context_options* options,
                           kiln_rt_context** out) {
  kiln_rt_clear_error();
  if (out == NULL) return kiln_rt_set_error(KILN_INVALID_ARGUMENT, "create: the context out-pointer is null");
  *out = NULL;
  if (model == NULL) return kiln_rt_set_error(KILN_INTERNAL, "create: null model");
  kiln_status s = check_model(model);
  if (s != KILN_OK) return s;
  kiln_context_options defaults = {0, NULL, NULL};
  if (options == NULL) options = &defaults;
  if (options->num_threads < 0)
    return kiln_rt_set_error(KILN_INVALID_ARGUMENT, "create: num_threads is %d, must be >= 0 (0: default)",
                             (int)options->num_threads);
  if (options->pool != NULL && (options->pool->parallel_for == NULL || options->pool->num_threads < 1))
    return kiln_rt_set_error(KILN_INVALID_ARGUMENT,
                             "create: the application's thread pool needs a parallel_for function and num_threads >= 1");

  kiln_rt_context* c = (kiln_rt_context*)calloc(1, sizeof *c);
  if (c == NULL) return kiln_rt_set_error(KILN_OUT_OF_MEMORY, "create: out of memory");
  c->model = model;
  atomic_init(&c->running, 0);
  s = setup_weights(c, model, options->weights_path);
  if (s != KILN_OK) goto fail;

  if (options->pool != NULL) {
    c->external = *options->pool;
    c->has_external = 1;
    c->num_threads = c->external.num_threads;
  } else {
    int32_t n = options->num_threads != 0 ? options->num_threads
                : model->default_threads > 0 ? model->default_threads
                                             : host_cpus();
    if (n > KILN_MAX_THREADS) n = KILN_MAX_THREADS;
    c->num_threads = n;
    if (n > 1) {
      c->pool = kiln_rt_pool_create(n);
      if (c->pool == NULL) {
        s = kiln_rt_set_error(KILN_OUT_OF_MEMORY, "create: cannot start %d threads", (int)n);
        goto fail;
      }
    }
  }
  if (model->arena_bytes > 0) {
    c->arena = kiln_rt_alloc((size_t)model->arena_bytes);
    if (c->arena == NULL) {
      s = kiln_rt_set_error(KILN_OUT_OF_MEMORY, "create: cannot allocate the %llu-byte activation arena",
                            (unsigned long long)model->arena_bytes);
      goto fail;
    }
  }
  c->input_data = (const void**)calloc((size_t)model->num_inputs + 1, sizeof(void*));
  c->output_data = (void**)calloc((size_t)model->num_outputs + 1, sizeof(void*));
  if (c->input_data == NULL || c->output_data == NULL) {
    s = kiln_rt_set_error(KILN_OUT_OF_MEMORY, "create: out of memory");
    goto fail;
  }
  *out = c;
  return KILN_OK;

fail:
  kiln_rt_destroy(c);
  return s;
}

void kiln_rt_destroy(kiln_rt_context* c) {
  if (c == NULL) return;
  kiln_rt_pool_destroy(c->pool);
  kiln_rt_free(c->arena);
  kiln_rt_unmap_weights(c->mapping, c->mapping_size);
  free(c->input_data);
  free(c->output_data);
  free(c);
}

const kiln_rt_model* kiln_rt_context_model(const kiln_rt_context* c) { return c ? c->model : NULL; }

int32_t kiln_rt_context_num_threads(const kiln_rt_context* c) { return c ? c->num_threads : 0; }

/* [begin, end) of a tensor's bytes; empty when it has no elements. */
typedef struct byte_range {
  uintptr_t begin, end;
} byte_range;

static byte_range range_of(const void* data, const kiln_rt_io_spec* spec, const int64_t* dims) {
  int ok = 0;
  size_t bytes = kiln_rt_tensor_bytes(spec->dtype, spec->rank, dims, &ok);
  byte_range r = {(uintptr_t)data, (uintptr_t)data + (ok ? bytes : 0)};
  return r;
}

static int overlap(byte_range a, byte_range b) {
  return a.begin < a.end && b.begin < b.end && a.begin < b.end && b.begin < a.end;
}

/* The output's dims with the symbols bound. */
static void bind_dims(const kiln_rt_io_spec* spec, const int64_t* sizes, int64_t* dims) {
  for (int32_t d = 0; d < spec->rank; ++d) dims[d] = spec->dims[d] < 0 ? sizes[-1 - spec->dims[d]] : spec->dims[d];
}

/* No output may overlap an input (the kernels would read what they already wrote) or another
 * output. Inputs may share memory with each other: they are only read. */
static kiln_status check_overlaps(const kiln_rt_model* m, const kiln_tensor* inputs, const kiln_tensor* outputs,
                                  const int64_t* sizes) {
  for (int32_t o = 0; o < m->num_outputs; ++o) {
    int64_t dims[KILN_MAX_RANK];
    bind_dims(&m->outputs[o], sizes, dims);
    byte_range ro = range_of(outputs[o].data, &m->outputs[o], dims);
    for (int32_t i = 0; i < m->num_inputs; ++i)
      if (overlap(ro, range_of(inputs[i].data, &m->inputs[i], inputs[i].dims)))
        return kiln_rt_set_error(KILN_INVALID_ARGUMENT, "output '%s' overlaps input '%s' in memory",
                                 m->outputs[o].name, m->inputs[i].name);
    for (int32_t p = 0; p < o; ++p) {
      int64_t pdims[KILN_MAX_RANK];
      bind_dims(&m->outputs[p], sizes, pdims);
      if (overlap(ro, range_of(outputs[p].data, &m->outputs[p], pdims)))
        return kiln_rt_set_error(KILN_INVALID_ARGUMENT, "output '%s' overlaps output '%s' in memory",
                                 m->outputs[o].name, m->outputs[p].name);
    }
  }
  return KILN_OK;
}

/* Validates every argument; on success binds the symbols (sizes[KILN_MAX_SYMBOLS]) and writes
 * the output dims. */
static kiln_status check_call(const kiln_rt_context* c, const kiln_tensor* inputs, int32_t num_inputs,
                              kiln_tensor* outputs, int32_t num_outputs, int64_t* sizes) {
  const kiln_rt_model* m = c->model;
  const char* name = m->name ? m->name : "?";
  if (num_inputs != m->num_inputs)
    return kiln_rt_set_error(KILN_INVALID_ARGUMENT, "run: model '%s' takes %d input(s)%s%s, got %d", name,
                             (int)m->num_inputs, m->num_inputs > 0 ? ", the first is " : "",
                             m->num_inputs > 0 ? m->inputs[0].name : "", (int)num_inputs);
  if (num_outputs != m->num_outputs)
    return kiln_rt_set_error(KILN_INVALID_ARGUMENT, "run: model '%s' has %d output(s)%s%s, got %d", name,
                             (int)m->num_outputs, m->num_outputs > 0 ? ", the first is " : "",
                             m->num_outputs > 0 ? m->outputs[0].name : "", (int)num_outputs);
  if (inputs == NULL && num_inputs > 0) return kiln_rt_set_error(KILN_INVALID_ARGUMENT, "run: the inputs array is null");
  if (outputs == NULL && num_outputs > 0)
    return kiln_rt_set_error(KILN_INVALID_ARGUMENT, "run: the outputs array is null");

  const char* const* sym_names;
  const int64_t* sym_max;
  int32_t num_symbols = model_symbols(m, &sym_names, &sym_max);
  const char* bound_by[KILN_MAX_SYMBOLS] = {0};
  for (int32_t k = 0; k < KILN_MAX_SYMBOLS; ++k) sizes[k] = 0;
  for (int32_t i = 0; i < m->num_inputs; ++i) {
    const kiln_rt_io_spec* spec = &m->inputs[i];
    kiln_status s = kiln_rt_check_input_symbols(spec->name, &inputs[i], spec->dtype, spec->rank, spec->dims,
                                                num_symbols, sym_names, sym_max, sizes, bound_by);
    if (s != KILN_OK) return s;
  }
  for (int32_t k = 0; k < KILN_MAX_SYMBOLS; ++k)
    if (sizes[k] == 0) sizes[k] = 1; /* not bound (no such symbol) */
  /* Check every output on a copy first, so a failed call writes nothing. */
  for (int32_t o = 0; o < m->num_outputs; ++o) {
    int64_t dims[KILN_MAX_RANK];
    bind_dims(&m->outputs[o], sizes, dims);
    kiln_tensor probe = outputs[o];
    kiln_status s = kiln_rt_prepare_output(m->outputs[o].name, &probe, m->outputs[o].dtype, m->outputs[o].rank, dims);
    if (s != KILN_OK) return s;
  }
  kiln_status s = check_overlaps(m, inputs, outputs, sizes);
  if (s != KILN_OK) return s;
  for (int32_t o = 0; o < m->num_outputs; ++o) {
    int64_t dims[KILN_MAX_RANK];
    bind_dims(&m->outputs[o], sizes, dims);
    kiln_rt_prepare_output(m->outputs[o].name, &outputs[o], m->outputs[o].dtype, m->outputs[o].rank, dims);
  }
  return KILN_OK;
}

kiln_status kiln_rt_run(kiln_rt_context* c, const kiln_tensor* inputs, int32_t num_inputs, kiln_tensor* outputs,
                        int32_t num_outputs) {
  kiln_rt_clear_error();
  if (c == NULL) return kiln_rt_set_error(KILN_INVALID_ARGUMENT, "run: the context is null");
  int expected = 0;
  if (!atomic_compare_exchange_strong(&c->running, &expected, 1))
    return kiln_rt_set_error(KILN_INVALID_ARGUMENT,
                             "run: this context is already running in another thread (use one context per thread)");
  const kiln_rt_model* m = c->model;
  int64_t sizes[KILN_MAX_SYMBOLS];
  kiln_status s = check_call(c, inputs, num_inputs, outputs, num_outputs, sizes);
  if (s == KILN_OK) {
    for (int32_t i = 0; i < m->num_inputs; ++i) c->input_data[i] = inputs[i].data;
    for (int32_t o = 0; o < m->num_outputs; ++o) c->output_data[o] = outputs[o].data;
    kiln_rt_exec exec;
    exec.inputs = c->input_data;
    exec.outputs = c->output_data;
    exec.weights = c->weights;
    exec.arena = c->arena;
    exec.batch = sizes[0];
    exec.pool = c->pool;
    exec.external_pool = c->has_external ? &c->external : NULL;
    exec.num_threads = c->num_threads;
    for (int32_t k = 0; k < KILN_MAX_SYMBOLS; ++k) exec.sizes[k] = sizes[k];
    s = m->run(&exec);
    if (s != KILN_OK && kiln_rt_last_error()[0] == '\0')
      kiln_rt_set_error(s, "run: model '%s' failed with %s", m->name ? m->name : "?", kiln_rt_status_name(s));
  }
  atomic_store(&c->running, 0);
  return s;
}
