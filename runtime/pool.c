/* The runtime's thread pool: num_threads - 1 workers plus the calling thread, which always
 * takes part. Dispatch is built to cost well under a microsecond when the workers are awake:
 *
 *  - The caller writes the loop's fields, then publishes it by storing a new generation in
 *    an atomic word. A worker that just finished a loop spins on that word (with the CPU's
 *    pause instruction) for a bounded time, KILN_POOL_SPIN_US microseconds (default 50;
 *    0 never spins), then sleeps on a condition variable. The caller signals the condition
 *    variable only when a worker announced that it sleeps (`sleepers`; both sides use
 *    sequentially consistent atomics, so either the caller sees the sleeper or the sleeper
 *    sees the new generation: no lost wake-up). An idle pool therefore sleeps after ~50 µs.
 *    A worker that finds it is being preempted (involuntary context switches, or a gap in
 *    its spin: the cores are shared with other work, where spinning only
 *    takes CPU share from our own threads and puts the worker behind on its next chunk)
 *    turns spinning off for the whole pool for 0.1 s (check_preempted, SPIN_UNTIL).
 *  - Chunks are claimed with a compare-and-swap on a 64-bit word (generation << 32 | chunks
 *    left), so a worker that wakes late, after its loop is finished and a new one has
 *    started, can never claim a chunk of the new loop with the old loop's function: its
 *    generation no longer matches. A worker reads the loop's fields only after it claimed a
 *    chunk, i.e. while the caller is still waiting for that chunk, so the caller never
 *    rewrites them under a reader.
 *  - The join spins on the count of finished chunks for the same bounded time, then sleeps
 *    on a second condition variable with the same announce-then-check protocol
 *    (`caller_waiting`). The caller waits for chunks, never for workers: a worker that is
 *    descheduled and never claimed a chunk does not delay the loop.
 *
 * One loop at a time per pool (a second thread finding the pool busy runs its loop inline).
 * One thread (num_threads == 1) creates no worker and never spins. */
#define _GNU_SOURCE /* RUSAGE_THREAD */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "kiln/runtime.h"

/* At most this many chunks per thread: enough to even out uneven chunks and a thread the OS
 * preempts, few enough to keep the per-chunk overhead invisible. */
#define KILN_CHUNKS_PER_THREAD 4
/* How long a worker (or the joining caller) spins before it sleeps, by default. */
#define KILN_DEFAULT_SPIN_US 50

struct kiln_rt_pool {
  int32_t num_threads;
  pthread_t* workers; /* num_threads - 1 */
  int32_t num_started;
  int64_t spin_ns; /* spin budget before sleeping; 0: sleep at once */

  pthread_mutex_t submit; /* held by the thread running a loop on this pool */
  pthread_mutex_t mutex;  /* pairs with the condition variables */
  pthread_cond_t work;    /* sleeping workers wait here for a new generation or shutdown */
  pthread_cond_t done;    /* a sleeping caller waits here for the last chunk */

  /* The current loop: written by the caller before it publishes the generation, read by a
   * worker only after it claimed one of the loop's chunks. */
  kiln_task_fn fn;
  void* arg;
  int64_t n;
  int64_t num_chunks;

  /* Each hot word on its own cache line. */
  _Alignas(64) _Atomic uint32_t generation; /* the last published loop; 0 before the first */
  _Atomic int32_t sleepers;                 /* workers blocked (or about to block) on `work` */
  _Atomic int32_t shutdown;
  _Alignas(64) _Atomic uint64_t claim;      /* generation << 32 | chunks not yet claimed */
  _Alignas(64) _Atomic int64_t chunks_done;
  _Atomic int32_t caller_waiting; /* the caller blocked (or about to block) on `done` */
  _Atomic int64_t no_spin_until;  /* CLOCK_MONOTONIC ns: sleep without spinning before this */
};

static inline void cpu_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Spins (pausing) until `cond` holds or the pool's spin budget is spent; sets result to
 * whether it holds. The clock is read every 64 pauses (a pause is tens of cycles, so a few
 * µs). Two readings much further apart than that mean the thread was descheduled while it
 * spun: the cores are shared with other work, where a spinner only takes CPU share from
 * the threads doing ours (as OpenMP's active wait policy does). Then the pool stops spinning
 * for KILN_BACKOFF_NS and sleeps at once, and tries again afterwards. */
#define KILN_PREEMPTED_NS 200000       /* 0.2 ms between two clock readings */
#define KILN_BACKOFF_NS 100000000      /* 0.1 s without spinning */
#define SPIN_UNTIL(p, cond, result)                                                     \
  do {                                                                                  \
    (result) = 0;                                                                       \
    if ((p)->spin_ns <= 0) break;                                                       \
    int64_t start_ = now_ns(), last_ = start_;                                          \
    if (start_ < atomic_load_explicit(&(p)->no_spin_until, memory_order_relaxed)) break; \
    for (uint32_t i_ = 1;; ++i_) {                                                      \
      if (cond) {                                                                       \
        (result) = 1;                                                                   \
        break;                                                                          \
      }                                                                                 \
      if ((i_ & 63) == 0) {                                                             \
        int64_t t_ = now_ns();                                                          \
        if (t_ - last_ > KILN_PREEMPTED_NS) {                                           \
          atomic_store_explicit(&(p)->no_spin_until, t_ + KILN_BACKOFF_NS, memory_order_relaxed); \
          break;                                                                        \
        }                                                                               \
        if (t_ - start_ >= (p)->spin_ns) break;                                         \
        last_ = t_;                                                                     \
      }                                                                                 \
      cpu_pause();                                                                      \
    }                                                                                   \
  } while (0)

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
static void run_chunks(kiln_rt_pool* p, uint32_t gen) {
  kiln_rt_thread_state* t = NULL;
  int was = 0, entered = 0;
  for (;;) {
    uint64_t c = atomic_load_explicit(&p->claim, memory_order_relaxed);
    for (;;) {
      if ((uint32_t)(c >> 32) != gen || (c & 0xffffffffu) == 0) {
        if (entered) leave_task(t, was);
        return;
      }
      if (atomic_compare_exchange_weak_explicit(&p->claim, &c, c - 1, memory_order_acquire, memory_order_relaxed))
        break;
    }
    if (!entered) {
      t = kiln_rt_thread();
      was = enter_task(t);
      entered = 1;
    }
    /* Our chunk is not done, so the caller is still waiting and the fields are this loop's. */
    const kiln_task_fn fn = p->fn;
    void* const arg = p->arg;
    const int64_t n = p->n, num_chunks = p->num_chunks;
    const int64_t i = num_chunks - (int64_t)(c & 0xffffffffu);
    /* Balanced split: every chunk has floor or ceil of n / num_chunks >= grain iterations. */
    const int64_t begin = n / num_chunks * i + (i < n % num_chunks ? i : n % num_chunks);
    const int64_t end = begin + n / num_chunks + (i < n % num_chunks ? 1 : 0);
    fn(arg, begin, end);
    if (atomic_fetch_add(&p->chunks_done, 1) + 1 == num_chunks && atomic_load(&p->caller_waiting)) {
      pthread_mutex_lock(&p->mutex);
      pthread_cond_signal(&p->done);
      pthread_mutex_unlock(&p->mutex);
    }
  }
}

/* Waits for a generation other than `seen` (or shutdown): spins, then sleeps. */
static uint32_t await_loop(kiln_rt_pool* p, uint32_t seen) {
  uint32_t g = seen;
  int ready;
  SPIN_UNTIL(p,
             (g = atomic_load_explicit(&p->generation, memory_order_acquire)) != seen ||
                 atomic_load_explicit(&p->shutdown, memory_order_relaxed),
             ready);
  if (ready) return g;
  pthread_mutex_lock(&p->mutex);
  atomic_fetch_add(&p->sleepers, 1);
  while ((g = atomic_load(&p->generation)) == seen && !atomic_load(&p->shutdown)) pthread_cond_wait(&p->work, &p->mutex);
  atomic_fetch_sub(&p->sleepers, 1);
  pthread_mutex_unlock(&p->mutex);
  return g;
}

/* Before a worker spins: if the OS keeps preempting it (at least 2 involuntary context
 * switches within 20 ms: another runnable thread wants this core), spinning would only cost
 * CPU share and leave the worker behind on its next chunk, so the pool stops spinning for a
 * while. A single switch (a kernel thread, a short-lived process) is not enough. */
typedef struct preempt_window {
  int64_t start_ns;
  long base; /* ru_nivcsw at start_ns; -1 before the first reading */
} preempt_window;

#define KILN_PREEMPT_WINDOW_NS 20000000 /* 20 ms */

static void check_preempted(kiln_rt_pool* p, preempt_window* w) {
  struct rusage ru;
  if (getrusage(RUSAGE_THREAD, &ru) != 0) return;
  const int64_t now = now_ns();
  if (w->base < 0 || now - w->start_ns > KILN_PREEMPT_WINDOW_NS) {
    w->start_ns = now;
    w->base = ru.ru_nivcsw;
  } else if (ru.ru_nivcsw - w->base >= 2) {
    atomic_store_explicit(&p->no_spin_until, now + KILN_BACKOFF_NS, memory_order_relaxed);
    w->start_ns = now;
    w->base = ru.ru_nivcsw;
  }
}

static void* worker_main(void* opaque) {
  kiln_rt_pool* p = (kiln_rt_pool*)opaque;
  uint32_t seen = 0;
  preempt_window window = {0, -1};
  for (;;) {
    if (p->spin_ns > 0) check_preempted(p, &window);
    seen = await_loop(p, seen);
    if (atomic_load(&p->shutdown)) break;
    run_chunks(p, seen);
  }
  return NULL;
}

static void stop_workers(kiln_rt_pool* p) {
  atomic_store(&p->shutdown, 1);
  pthread_mutex_lock(&p->mutex);
  pthread_cond_broadcast(&p->work);
  pthread_mutex_unlock(&p->mutex);
  for (int32_t i = 0; i < p->num_started; ++i) pthread_join(p->workers[i], NULL);
  p->num_started = 0;
}

static int64_t spin_budget_ns(void) {
  const char* env = getenv("KILN_POOL_SPIN_US");
  if (env == NULL || *env == '\0') return (int64_t)KILN_DEFAULT_SPIN_US * 1000;
  char* end = NULL;
  long us = strtol(env, &end, 10);
  if (end == env || us < 0) return (int64_t)KILN_DEFAULT_SPIN_US * 1000;
  if (us > 100000) us = 100000; /* at most 0.1 s: never an unbounded spin */
  return (int64_t)us * 1000;
}

kiln_rt_pool* kiln_rt_pool_create(int32_t num_threads) {
  if (num_threads < 1) num_threads = 1;
  kiln_rt_pool* p = (kiln_rt_pool*)kiln_rt_alloc(sizeof *p);
  if (p == NULL) return NULL;
  memset(p, 0, sizeof *p);
  p->num_threads = num_threads;
  p->spin_ns = num_threads > 1 ? spin_budget_ns() : 0;
  atomic_init(&p->generation, 0);
  atomic_init(&p->sleepers, 0);
  atomic_init(&p->shutdown, 0);
  atomic_init(&p->claim, 0);
  atomic_init(&p->chunks_done, 0);
  atomic_init(&p->caller_waiting, 0);
  atomic_init(&p->no_spin_until, 0);
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
  kiln_rt_free(p);
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
  kiln_rt_free(p);
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

  /* Publish: the fields, then the claim word (release), then the generation. */
  p->fn = fn;
  p->arg = arg;
  p->n = n;
  p->num_chunks = num_chunks;
  uint32_t gen = atomic_load_explicit(&p->generation, memory_order_relaxed) + 1;
  if (gen == 0) gen = 1; /* workers start with seen = 0 */
  atomic_store_explicit(&p->chunks_done, 0, memory_order_relaxed);
  atomic_store_explicit(&p->claim, (uint64_t)gen << 32 | (uint64_t)num_chunks, memory_order_release);
  atomic_store(&p->generation, gen);
  if (atomic_load(&p->sleepers) > 0) {
    pthread_mutex_lock(&p->mutex);
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mutex);
  }

  run_chunks(p, gen);

  int finished;
  SPIN_UNTIL(p, atomic_load_explicit(&p->chunks_done, memory_order_acquire) == num_chunks, finished);
  if (!finished) {
    pthread_mutex_lock(&p->mutex);
    atomic_store(&p->caller_waiting, 1);
    while (atomic_load(&p->chunks_done) < num_chunks) pthread_cond_wait(&p->done, &p->mutex);
    atomic_store(&p->caller_waiting, 0);
    pthread_mutex_unlock(&p->mutex);
  }
  pthread_mutex_unlock(&p->submit);
}

void kiln_rt_exec_parallel_for(const kiln_rt_exec* exec, int64_t n, int64_t grain, kiln_task_fn fn, void* arg) {
  if (exec == NULL) {
    kiln_rt_parallel_for(NULL, NULL, n, grain, fn, arg);
    return;
  }
  kiln_rt_parallel_for(exec->pool, exec->external_pool, n, grain, fn, arg);
}

void kiln_rt_spin_wait(uint32_t iteration) {
  if (iteration < 4096) {
    cpu_pause();
  } else {
    sched_yield();
  }
}
