/* The runtime's thread pool: num_threads - 1 workers that sleep on a condition variable
 * between loops (never spin: a spinning pool stalls when another process takes a core), plus
 * the calling thread, which always takes part.
 *
 * One loop at a time. Chunks are claimed with a compare-and-swap on a 64-bit word holding
 * (generation << 32 | next chunk), so a worker that wakes late, after its loop is finished
 * and a new one has started, can never claim a chunk of the new loop with the old loop's
 * function: its generation no longer matches. The caller waits until every chunk is done. */
#define _DEFAULT_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "internal.h"
#include "kiln/runtime.h"

/* At most this many chunks per thread: enough to even out uneven chunks and a thread the OS
 * preempts, few enough to keep the per-chunk overhead invisible. */
#define KILN_CHUNKS_PER_THREAD 4

struct kiln_rt_pool {
  int32_t num_threads;
  pthread_t* workers; /* num_threads - 1 */
  int32_t num_started;

  pthread_mutex_t submit; /* held by the thread running a loop on this pool */
  pthread_mutex_t mutex;  /* guards the fields below and the condition variables */
  pthread_cond_t work;    /* workers wait here for a new generation or shutdown */
  pthread_cond_t done;    /* the caller waits here for the last chunk */
  uint32_t generation;
  int shutdown;

  /* The current loop (written under mutex before generation is bumped). */
  kiln_task_fn fn;
  void* arg;
  int64_t n;
  int64_t num_chunks;
  _Atomic uint64_t claim;        /* generation << 32 | next chunk */
  _Atomic int64_t chunks_done;
};

/* The thread's in_task flag is set while it runs a chunk: a parallel_for from inside a task
 * runs inline. Without thread state (out of memory) nesting on our pool is still caught by
 * the submit trylock. */
static int enter_task(kiln_rt_thread_state* t) {
  if (t == NULL) return 0;
  int was = t->in_task;
  t->in_task = 1;
  return was;
}

static void leave_task(kiln_rt_thread_state* t, int was) {
  if (t != NULL) t->in_task = was;
}

static void run_inline(kiln_task_fn fn, void* arg, int64_t n) {
  kiln_rt_thread_state* t = kiln_rt_thread();
  int was = enter_task(t);
  fn(arg, 0, n);
  leave_task(t, was);
}

/* Claims and runs chunks of loop `gen` until none are left. */
static void run_chunks(kiln_rt_pool* p, uint32_t gen, kiln_task_fn fn, void* arg, int64_t n, int64_t num_chunks) {
  kiln_rt_thread_state* t = kiln_rt_thread();
  int was = enter_task(t);
  for (;;) {
    uint64_t c = atomic_load_explicit(&p->claim, memory_order_relaxed);
    for (;;) {
      if ((uint32_t)(c >> 32) != gen || (int64_t)(c & 0xffffffffu) >= num_chunks) {
        leave_task(t, was);
        return;
      }
      if (atomic_compare_exchange_weak_explicit(&p->claim, &c, c + 1, memory_order_acq_rel, memory_order_relaxed))
        break;
    }
    int64_t i = (int64_t)(c & 0xffffffffu);
    /* Balanced split: every chunk has floor or ceil of n / num_chunks >= grain iterations. */
    int64_t begin = n / num_chunks * i + (i < n % num_chunks ? i : n % num_chunks);
    int64_t end = begin + n / num_chunks + (i < n % num_chunks ? 1 : 0);
    fn(arg, begin, end);
    if (atomic_fetch_add_explicit(&p->chunks_done, 1, memory_order_acq_rel) + 1 == num_chunks) {
      pthread_mutex_lock(&p->mutex);
      pthread_cond_signal(&p->done);
      pthread_mutex_unlock(&p->mutex);
    }
  }
}

static void* worker_main(void* opaque) {
  kiln_rt_pool* p = (kiln_rt_pool*)opaque;
  uint32_t seen = 0;
  pthread_mutex_lock(&p->mutex);
  for (;;) {
    while (!p->shutdown && p->generation == seen) pthread_cond_wait(&p->work, &p->mutex);
    if (p->shutdown) break;
    seen = p->generation;
    kiln_task_fn fn = p->fn;
    void* arg = p->arg;
    int64_t n = p->n, num_chunks = p->num_chunks;
    pthread_mutex_unlock(&p->mutex);
    run_chunks(p, seen, fn, arg, n, num_chunks);
    pthread_mutex_lock(&p->mutex);
  }
  pthread_mutex_unlock(&p->mutex);
  return NULL;
}

static void stop_workers(kiln_rt_pool* p) {
  pthread_mutex_lock(&p->mutex);
  p->shutdown = 1;
  pthread_cond_broadcast(&p->work);
  pthread_mutex_unlock(&p->mutex);
  for (int32_t i = 0; i < p->num_started; ++i) pthread_join(p->workers[i], NULL);
  p->num_started = 0;
}

kiln_rt_pool* kiln_rt_pool_create(int32_t num_threads) {
  if (num_threads < 1) num_threads = 1;
  kiln_rt_pool* p = (kiln_rt_pool*)calloc(1, sizeof *p);
  if (p == NULL) return NULL;
  p->num_threads = num_threads;
  atomic_init(&p->claim, 0);
  atomic_init(&p->chunks_done, 0);
  if (pthread_mutex_init(&p->submit, NULL) != 0) goto fail_submit;
  if (pthread_mutex_init(&p->mutex, NULL) != 0) goto fail_mutex;
  if (pthread_cond_init(&p->work, NULL) != 0) goto fail_work;
  if (pthread_cond_init(&p->done, NULL) != 0) goto fail_done;
  if (num_threads > 1) {
    p->workers = (pthread_t*)calloc((size_t)num_threads - 1, sizeof(pthread_t));
    if (p->workers == NULL) goto fail_workers;
    for (int32_t i = 0; i < num_threads - 1; ++i) {
      if (pthread_create(&p->workers[i], NULL, worker_main, p) != 0) {
        stop_workers(p);
        free(p->workers);
        goto fail_workers;
      }
      p->num_started++;
    }
  }
  return p;

fail_workers:
  pthread_cond_destroy(&p->done);
fail_done:
  pthread_cond_destroy(&p->work);
fail_work:
  pthread_mutex_destroy(&p->mutex);
fail_mutex:
  pthread_mutex_destroy(&p->submit);
fail_submit:
  free(p);
  return NULL;
}

void kiln_rt_pool_destroy(kiln_rt_pool* p) {
  if (p == NULL) return;
  stop_workers(p);
  free(p->workers);
  pthread_cond_destroy(&p->done);
  pthread_cond_destroy(&p->work);
  pthread_mutex_destroy(&p->mutex);
  pthread_mutex_destroy(&p->submit);
  free(p);
}

int32_t kiln_rt_pool_num_threads(const kiln_rt_pool* p) { return p == NULL ? 1 : p->num_threads; }

/* An application's pool runs our tasks: mark them as tasks so nested loops run inline and
 * never re-enter the application's pool from one of its own workers. */
typedef struct external_task {
  kiln_task_fn fn;
  void* arg;
} external_task;

static void external_trampoline(void* opaque, int64_t begin, int64_t end) {
  const external_task* task = (const external_task*)opaque;
  kiln_rt_thread_state* t = kiln_rt_thread();
  int was = enter_task(t);
  task->fn(task->arg, begin, end);
  leave_task(t, was);
}

void kiln_rt_parallel_for(kiln_rt_pool* p, const kiln_thread_pool* external, int64_t n, int64_t grain,
                          kiln_task_fn fn, void* arg) {
  if (n <= 0 || fn == NULL) return;
  if (grain < 1) grain = 1;
  kiln_rt_thread_state* t = kiln_rt_thread();
  if ((t != NULL && t->in_task) || n <= grain) {
    run_inline(fn, arg, n);
    return;
  }
  if (external != NULL && external->parallel_for != NULL) {
    external_task task = {fn, arg};
    external->parallel_for(external->self, n, grain, external_trampoline, &task);
    return;
  }
  if (p == NULL || p->num_threads <= 1 || pthread_mutex_trylock(&p->submit) != 0) {
    run_inline(fn, arg, n);
    return;
  }
  int64_t num_chunks = n / grain;
  int64_t max_chunks = (int64_t)p->num_threads * KILN_CHUNKS_PER_THREAD;
  if (num_chunks > max_chunks) num_chunks = max_chunks;

  pthread_mutex_lock(&p->mutex);
  p->fn = fn;
  p->arg = arg;
  p->n = n;
  p->num_chunks = num_chunks;
  uint32_t gen = ++p->generation;
  if (gen == 0) gen = ++p->generation; /* workers start with seen = 0 */
  atomic_store_explicit(&p->chunks_done, 0, memory_order_relaxed);
  atomic_store_explicit(&p->claim, (uint64_t)gen << 32, memory_order_release);
  pthread_cond_broadcast(&p->work);
  pthread_mutex_unlock(&p->mutex);

  run_chunks(p, gen, fn, arg, n, num_chunks);

  pthread_mutex_lock(&p->mutex);
  while (atomic_load_explicit(&p->chunks_done, memory_order_acquire) < num_chunks)
    pthread_cond_wait(&p->done, &p->mutex);
  pthread_mutex_unlock(&p->mutex);
  pthread_mutex_unlock(&p->submit);
}

void kiln_rt_exec_parallel_for(const kiln_rt_exec* exec, int64_t n, int64_t grain, kiln_task_fn fn, void* arg) {
  if (exec == NULL) {
    kiln_rt_parallel_for(NULL, NULL, n, grain, fn, arg);
    return;
  }
  kiln_rt_parallel_for(exec->pool, exec->external_pool, n, grain, fn, arg);
}
