/* kiln runtime: the C ABI that every compiled kiln artifact (libNAME.so) is built on.
 *
 * The runtime is plain C11 on libc/libm/libpthread. The compiler links it, as LLVM bitcode
 * (//runtime:runtime_bc) with hidden visibility, into every artifact's module, so libNAME.so
 * contains it and needs nothing beyond libc, libm and libpthread; the generated entry points
 * are the only exported symbols. The generated NAME.h declares the artifact's entry points
 * (NAME_create, NAME_run, NAME_destroy, NAME_last_error) in terms of the public types below;
 * applications include NAME.h, which includes this header. See docs/embedding.md.
 *
 * Conventions:
 *  - Every fallible call returns a kiln_status. On failure, NAME_last_error() returns a
 *    thread-local message saying what was wrong and where (input name, expected and actual
 *    shape, ...). Each entry point clears the message first, so it is "" after a success.
 *    No call crashes on bad arguments: null pointers, wrong ranks, dtypes or shapes, a batch
 *    (or another symbolic dim) above its compiled maximum or bound inconsistently across
 *    inputs, too small or overlapping buffers are all reported.
 *  - A context owns its activation arena and its thread pool, so one artifact may run in many
 *    threads at once with one context per thread. Running one context from two threads at
 *    the same time is refused with KILN_INVALID_ARGUMENT.
 *  - Worker threads sleep when idle: after a loop they spin for at most ~50 microseconds
 *    (KILN_POOL_SPIN_US; 0: never) so back-to-back kernels skip the wake-up, then sleep. An
 *    application may hand in its own thread pool through kiln_thread_pool.
 */
#ifndef KILN_RUNTIME_H_
#define KILN_RUNTIME_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================================
 * Public types: what applications see through NAME.h
 * ====================================================================================== */

/** Status codes of every fallible call. */
typedef enum kiln_status {
  KILN_OK = 0,
  KILN_INVALID_ARGUMENT = 1, /**< a null pointer, wrong count/rank/shape/dtype, batch over the limit */
  KILN_OUT_OF_MEMORY = 2,
  KILN_IO_ERROR = 3,         /**< the external weights file is missing, unreadable or corrupted */
  KILN_UNAVAILABLE = 4,      /**< e.g. no CUDA driver on this host */
  KILN_INTERNAL = 5,         /**< a bug in kiln (e.g. a malformed model description) */
} kiln_status;

/** Element types; the values match kiln's IR (ir::DType). */
typedef enum kiln_dtype {
  KILN_F32 = 0,
  KILN_F64 = 1,
  KILN_F16 = 2,
  KILN_BF16 = 3,
  KILN_I64 = 4,
  KILN_I32 = 5,
  KILN_BOOL = 6, /**< one byte per element, 0 or 1 */
} kiln_dtype;

/** The most dims a tensor may have. */
#define KILN_MAX_RANK 8
/** The most symbolic (runtime-variable) dims an artifact may have. */
#define KILN_MAX_SYMBOLS 8

/** A tensor passed to or from an artifact: dense, row-major, caller-owned memory.
 *
 *  Inputs: set every field; `capacity` must cover the bytes the dims describe and `data`
 *  must be aligned to the element size. Outputs: set dtype, rank (both as declared in NAME.h),
 *  data and capacity; run writes `dims` (symbolic dims bound from the inputs) and the data. Inputs are only read. No output may overlap an input or another output.
 *  Layout (x86-64): dtype @0, rank @4, dims @8, data @72, capacity @80; 88 bytes. */
typedef struct kiln_tensor {
  kiln_dtype dtype;
  int32_t rank;
  int64_t dims[KILN_MAX_RANK];
  void* data;        /**< inputs: read only; outputs: written by run */
  size_t capacity;   /**< bytes available at data (checked against the needed size) */
} kiln_tensor;

/** A parallel loop body: processes iterations [begin, end). */
typedef void (*kiln_task_fn)(void* arg, int64_t begin, int64_t end);

/** An application-provided thread pool. parallel_for must call fn over [0, n) split into
 *  disjoint chunks of at least `grain` iterations (one chunk of n when n < grain), covering
 *  every index exactly once, and return when all are done. fn may be called from any thread,
 *  concurrently. The runtime never calls parallel_for from inside fn (nested loops run
 *  serially), so a simple pool cannot deadlock on itself. The struct is copied at context
 *  creation; `self` must stay valid until the context is destroyed. */
typedef struct kiln_thread_pool {
  void* self;
  void (*parallel_for)(void* self, int64_t n, int64_t grain, kiln_task_fn fn, void* arg);
  int32_t num_threads; /**< how many threads it runs tasks on (kernels size their split by it) */
} kiln_thread_pool;

/** Options for creating a context. Zero-initialize, then set what you need; NULL options
 *  mean all defaults. */
typedef struct kiln_context_options {
  int32_t num_threads;          /**< 0: the artifact's compiled default; 1: run inline */
  const kiln_thread_pool* pool; /**< optional: run on the application's pool (num_threads is then ignored) */
  const char* weights_path;     /**< artifacts compiled with --external-weights: NAME.weights; NULL otherwise */
} kiln_context_options;

/* ======================================================================================
 * The model driver: what generated code is built on (not for applications)
 * ====================================================================================== */

/** One input or output of an artifact, emitted by the compiler as constant data.
 *  Layout (x86-64): name @0, dtype @8 (i32), rank @12 (i32), dims @16 (8 x i64); 80 bytes.
 *  dims[d] >= 0 is a static size; dims[d] = -1-k is symbol k of the model (model->symbols[k]:
 *  -1 is symbol 0, the batch N when the graph has one; -2 is symbol 1, e.g. a sequence length
 *  T; ...). A symbol appears at most once per tensor and may appear in several tensors: every
 *  input of one run must agree on its size. */
typedef struct kiln_rt_io_spec {
  const char* name;
  kiln_dtype dtype;
  int32_t rank;
  int64_t dims[KILN_MAX_RANK]; /**< >= 0: static; -1-k: symbol k (-1: the batch) */
} kiln_rt_io_spec;

struct kiln_rt_exec;

/** Description of one artifact, emitted by the compiler as a constant global.
 *  Layout (x86-64): name @0, num_inputs @8, num_outputs @12, inputs @16, outputs @24,
 *  max_batch @32, arena_bytes @40, default_threads @48 (4 bytes padding), weights @56,
 *  weights_bytes @64, weights_checksum @72, run @80, num_symbols @88 (4 bytes padding),
 *  symbols @96, symbol_max @104; 112 bytes.
 *  Symbols: num_symbols names and compile-time maxima; a run binds symbol k from the inputs
 *  to a size in [1, symbol_max[k]]. num_symbols = 0 with -1 dims in the specs is the older
 *  one-symbol form: symbol 0 is the batch "N" with max_batch as its bound. */
typedef struct kiln_rt_model {
  const char* name;
  int32_t num_inputs, num_outputs;
  const kiln_rt_io_spec* inputs;
  const kiln_rt_io_spec* outputs;
  int64_t max_batch;          /**< the bound of symbol 0 (the batch); 0 when the model has no symbols */
  uint64_t arena_bytes;       /**< activation arena size with every symbol at its maximum (0: no arena) */
  int32_t default_threads;    /**< threads when options say 0; <= 0 means the host's online CPUs */
  const void* weights;        /**< embedded, 64-byte aligned; NULL when external (or no weights) */
  uint64_t weights_bytes;     /**< size of the weights blob (embedded or NAME.weights) */
  uint64_t weights_checksum;  /**< kiln_rt_checksum of the NAME.weights file (external only) */
  /** The compiled graph: reads exec->inputs[i], writes exec->outputs[i] (buffers already
   *  validated and sized for exec->sizes). Returns KILN_OK, or a code after kiln_rt_set_error. */
  kiln_status (*run)(const struct kiln_rt_exec* exec);
  int32_t num_symbols;             /**< symbolic dims, <= KILN_MAX_SYMBOLS (0: see above) */
  const char* const* symbols;      /**< their names, e.g. {"N", "T"} */
  const int64_t* symbol_max;       /**< their compile-time maxima (the arena is sized for them) */
} kiln_rt_model;

typedef struct kiln_rt_pool kiln_rt_pool;

/** What model->run receives for one call.
 *  Layout (x86-64): inputs @0, outputs @8, weights @16, arena @24, batch @32, pool @40,
 *  external_pool @48, num_threads @56 (i32), sizes @64 (8 x i64); 128 bytes. */
typedef struct kiln_rt_exec {
  const void* const* inputs; /**< data of input i, in model->inputs order */
  void* const* outputs;      /**< data of output i, in model->outputs order */
  const void* weights;       /**< the weights blob (embedded or mapped), 64-byte aligned; NULL if none */
  void* arena;               /**< model->arena_bytes, 64-byte aligned, owned by the context; NULL if 0 */
  int64_t batch;             /**< sizes[0] (the bound batch); 1 when the model has no symbols */
  kiln_rt_pool* pool;        /**< the context's pool; NULL when external_pool is set */
  const kiln_thread_pool* external_pool; /**< the application's pool, or NULL */
  int32_t num_threads;       /**< threads parallel loops run on (>= 1) */
  int64_t sizes[KILN_MAX_SYMBOLS]; /**< the bound size of symbol k; 1 past num_symbols */
} kiln_rt_exec;

/** A context: the model, its arena, its pool, its weights mapping. Opaque. */
typedef struct kiln_rt_context kiln_rt_context;

/** Creates a context for `model`. options may be NULL. threads: options->num_threads, or
 *  model->default_threads when 0. Weights: model->weights when embedded (then weights_path
 *  must be NULL); else options->weights_path is mapped and its size and checksum verified
 *  (KILN_IO_ERROR naming the file and what is wrong). *out is NULL on failure. */
kiln_status kiln_rt_create(const kiln_rt_model* model, const kiln_context_options* options,
                           kiln_rt_context** out);
/** Validates every argument (counts, each input against its spec, each symbol's size: the
 *  same in every input and within its maximum, each output's dtype/rank/capacity, overlaps)
 *  then runs the model. Output dims are written on success. */
kiln_status kiln_rt_run(kiln_rt_context* ctx, const kiln_tensor* inputs, int32_t num_inputs,
                        kiln_tensor* outputs, int32_t num_outputs);
/** Destroys a context (NULL is fine). Must not race with kiln_rt_run on the same context. */
void kiln_rt_destroy(kiln_rt_context* ctx);
/** The model a context was created for. */
const kiln_rt_model* kiln_rt_context_model(const kiln_rt_context* ctx);
/** The number of threads a context runs on. */
int32_t kiln_rt_context_num_threads(const kiln_rt_context* ctx);

/* ======================================================================================
 * Runtime services used by generated code and by the driver above
 * ====================================================================================== */

/** Sets the calling thread's last error (printf-style; truncated to 1 KiB) and returns `status`. */
kiln_status kiln_rt_set_error(kiln_status status, const char* format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/** The calling thread's last error message ("" if none). Valid until the thread's next call. */
const char* kiln_rt_last_error(void);
/** Clears the calling thread's last error. */
void kiln_rt_clear_error(void);
/** The name of a status ("KILN_IO_ERROR", ...; "KILN_UNKNOWN_STATUS" otherwise). */
const char* kiln_rt_status_name(kiln_status status);
/** The name of a dtype ("f32", ...; "unknown" otherwise). */
const char* kiln_rt_dtype_name(kiln_dtype dtype);
/** Bytes per element of a dtype (0 for an unknown value). */
size_t kiln_rt_dtype_size(kiln_dtype dtype);

/** The runtime's own thread pool: num_threads - 1 workers plus the calling thread, which
 *  takes part in every loop. Between loops a worker spins for a bounded time (the environment
 *  variable KILN_POOL_SPIN_US at creation, default 50, at most 100000; 0: never), then sleeps
 *  on a condition variable; one thread creates no worker. Returns NULL when threads cannot be
 *  created (num_threads < 1 is taken as 1). */
kiln_rt_pool* kiln_rt_pool_create(int32_t num_threads);
void kiln_rt_pool_destroy(kiln_rt_pool* pool);
/** Threads the pool runs on, calling thread included (1 for NULL). */
int32_t kiln_rt_pool_num_threads(const kiln_rt_pool* pool);
/** Runs fn over [0, n) on `external` when not NULL, else on `pool` (NULL: inline), in
 *  disjoint chunks of at least `grain` iterations (grain < 1 is taken as 1; at most 4 chunks
 *  per thread) covering every index once, and returns when all are done. Runs inline when
 *  the pool has one thread, when there is one chunk, when called from inside a task
 *  (nested), or when another thread is using the same pool at the moment. n <= 0: no call. */
void kiln_rt_parallel_for(kiln_rt_pool* pool, const kiln_thread_pool* external, int64_t n, int64_t grain,
                          kiln_task_fn fn, void* arg);
/** kiln_rt_parallel_for on exec's pool (the usual call in generated kernels). */
void kiln_rt_exec_parallel_for(const kiln_rt_exec* exec, int64_t n, int64_t grain, kiln_task_fn fn, void* arg);
/** For generated kernels whose tasks wait on each other's progress inside one loop (the
 *  recurrent time loop): call once per turn of a spin-wait loop with the turn's number (0, 1,
 *  ...). Early turns pause the CPU briefly; after a bounded spin it yields the core, so a
 *  preempted thread that the waiter depends on gets to run. */
void kiln_rt_spin_wait(uint32_t iteration);

/** 64-byte aligned allocation (NULL on failure or for 0 bytes) and its release (NULL is fine). */
void* kiln_rt_alloc(size_t bytes);
void kiln_rt_free(void* p);

/** FNV-1a 64 over `bytes` (offset basis 0xcbf29ce484222325, prime 0x100000001b3): the
 *  checksum of a NAME.weights file. Continue a running hash by passing the previous value as
 *  `seed`; start with KILN_CHECKSUM_SEED. */
#define KILN_CHECKSUM_SEED 0xcbf29ce484222325ull
uint64_t kiln_rt_checksum(const void* data, size_t bytes, uint64_t seed);

/** Maps an external weights file read-only. The file is the raw weights blob: exactly
 *  expected_size bytes whose kiln_rt_checksum equals expected_checksum (as written by
 *  `kiln compile --external-weights`). On success *data is 64-byte aligned (NULL for an
 *  empty blob) and (mapping, mapping_size) are for kiln_rt_unmap_weights. On failure:
 *  KILN_IO_ERROR with a message naming the file and what is wrong. */
kiln_status kiln_rt_map_weights(const char* path, uint64_t expected_size, uint64_t expected_checksum,
                                const void** data, void** mapping, size_t* mapping_size);
void kiln_rt_unmap_weights(void* mapping, size_t mapping_size);

/** Checks one input against its declared type: non-null tensor and data, dtype, rank, static
 *  dims, the symbolic batch dim (any dim declared -1) in [1, max_batch] and equal across
 *  inputs (*batch is 0 before the first such input, and is set by it), data aligned to the
 *  element size, capacity covering the bytes. Sets the error (naming `name`) and returns
 *  KILN_INVALID_ARGUMENT on failure. */
kiln_status kiln_rt_check_input(const char* name, const kiln_tensor* t, kiln_dtype dtype, int32_t rank,
                                const int64_t* declared_dims, int64_t max_batch, int64_t* batch);
/** kiln_rt_check_input for a model with several symbols: a dim declared -1-k is symbol k
 *  (symbol_names[k], maximum symbol_max[k]); sizes[k] is 0 until an input binds it, and
 *  bound_by[k] (may be NULL) records that input's name, so a mismatch names both inputs and
 *  the symbol. Symbol 0 named "N" is reported as "batch". */
kiln_status kiln_rt_check_input_symbols(const char* name, const kiln_tensor* t, kiln_dtype dtype, int32_t rank,
                                        const int64_t* declared_dims, int32_t num_symbols,
                                        const char* const* symbol_names, const int64_t* symbol_max, int64_t* sizes,
                                        const char** bound_by);
/** Checks an output buffer (non-null, dtype, rank, data aligned, capacity for `dims`, which
 *  are concrete) and on success writes `dims` into it. Errors as kiln_rt_check_input. */
kiln_status kiln_rt_prepare_output(const char* name, kiln_tensor* t, kiln_dtype dtype, int32_t rank,
                                   const int64_t* dims);
/** Bytes that `rank` dims of `dtype` take; 0 with *ok = 0 on overflow, negative dims or an
 *  unknown dtype. */
size_t kiln_rt_tensor_bytes(kiln_dtype dtype, int32_t rank, const int64_t* dims, int* ok);

#ifdef __cplusplus
}
#endif

#endif /* KILN_RUNTIME_H_ */
