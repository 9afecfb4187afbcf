// The runtime's thread pool: every index exactly once, chunks of at least `grain`, nested
// loops inline, an application's pool used through its callback, no spinning when idle
// (bounded spin, then sleep; KILN_POOL_SPIN_US=0 sleeps at once), kiln_rt_spin_wait.
#include <stdlib.h>
#include <time.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "kiln/runtime.h"

namespace {

struct Coverage {
  std::vector<std::atomic<int>> hits;
  std::atomic<int64_t> smallest_chunk{INT64_MAX};
  std::atomic<int> chunks{0};
  std::mutex mutex;
  std::set<std::thread::id> threads;
  explicit Coverage(int64_t n) : hits(static_cast<size_t>(n)) {}

  static void body(void* arg, int64_t begin, int64_t end) {
    Coverage* c = static_cast<Coverage*>(arg);
    for (int64_t i = begin; i < end; ++i) c->hits[static_cast<size_t>(i)]++;
    int64_t size = end - begin, cur = c->smallest_chunk;
    while (size < cur && !c->smallest_chunk.compare_exchange_weak(cur, size)) {
    }
    c->chunks++;
    std::lock_guard<std::mutex> lock(c->mutex);
    c->threads.insert(std::this_thread::get_id());
  }
};

double process_cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace

TEST_CASE("parallel_for covers every index exactly once, in chunks of at least grain") {
  for (int32_t threads : {1, 2, 3, 4, 8}) {
    kiln_rt_pool* pool = kiln_rt_pool_create(threads);
    REQUIRE(pool != nullptr);
    CHECK(kiln_rt_pool_num_threads(pool) == threads);
    for (int64_t n : {1, 2, 3, 7, 64, 100, 1000, 4097}) {
      for (int64_t grain : {-3, 0, 1, 2, 5, 16, 1000, 5000}) {
        INFO("threads " << threads << " n " << n << " grain " << grain);
        Coverage c(n);
        kiln_rt_parallel_for(pool, nullptr, n, grain, Coverage::body, &c);
        int wrong = 0;
        for (auto& h : c.hits) wrong += h != 1;
        CHECK(wrong == 0);
        const int64_t effective_grain = grain < 1 ? 1 : grain;
        CHECK(c.smallest_chunk >= (n < effective_grain ? n : effective_grain));
        CHECK(c.chunks <= 4 * threads);
        if (threads == 1) CHECK(c.threads.size() == 1);
      }
    }
    kiln_rt_pool_destroy(pool);
  }
}

TEST_CASE("parallel_for with nothing to do, or without a pool") {
  kiln_rt_pool* pool = kiln_rt_pool_create(2);
  int calls = 0;
  auto count = [](void* arg, int64_t, int64_t) { ++*static_cast<int*>(arg); };
  kiln_rt_parallel_for(pool, nullptr, 0, 1, count, &calls);
  kiln_rt_parallel_for(pool, nullptr, -5, 1, count, &calls);
  kiln_rt_parallel_for(pool, nullptr, 10, 1, nullptr, &calls);
  CHECK(calls == 0);
  Coverage c(50);
  kiln_rt_parallel_for(nullptr, nullptr, 50, 1, Coverage::body, &c);  // inline
  CHECK(c.chunks == 1);
  CHECK(kiln_rt_pool_num_threads(nullptr) == 1);
  kiln_rt_pool* one = kiln_rt_pool_create(0);  // taken as 1 thread
  CHECK(kiln_rt_pool_num_threads(one) == 1);
  kiln_rt_pool_destroy(one);
  kiln_rt_pool_destroy(pool);
  kiln_rt_pool_destroy(nullptr);
}

TEST_CASE("the pool uses its workers") {
  kiln_rt_pool* pool = kiln_rt_pool_create(4);
  // Chunks that take a while, so that the workers certainly wake up and take some.
  std::set<std::thread::id> seen;
  std::mutex mutex;
  struct Arg {
    std::set<std::thread::id>* seen;
    std::mutex* mutex;
  } arg{&seen, &mutex};
  kiln_rt_parallel_for(pool, nullptr, 16, 1,
                       [](void* a, int64_t, int64_t) {
                         std::this_thread::sleep_for(std::chrono::milliseconds(5));
                         Arg* arg = static_cast<Arg*>(a);
                         std::lock_guard<std::mutex> lock(*arg->mutex);
                         arg->seen->insert(std::this_thread::get_id());
                       },
                       &arg);
  CHECK(seen.size() > 1);
  kiln_rt_pool_destroy(pool);
}

TEST_CASE("nested parallel_for runs inline inside a task") {
  kiln_rt_pool* pool = kiln_rt_pool_create(3);
  struct Outer {
    kiln_rt_pool* pool;
    std::vector<std::unique_ptr<Coverage>> inner;
    std::atomic<int> inner_chunks{0};
  } outer;
  outer.pool = pool;
  for (int i = 0; i < 12; ++i) outer.inner.push_back(std::make_unique<Coverage>(100));
  kiln_rt_parallel_for(pool, nullptr, 12, 1,
                       [](void* a, int64_t begin, int64_t end) {
                         Outer* o = static_cast<Outer*>(a);
                         for (int64_t i = begin; i < end; ++i) {
                           Coverage* c = o->inner[static_cast<size_t>(i)].get();
                           kiln_rt_parallel_for(o->pool, nullptr, 100, 1, Coverage::body, c);
                           o->inner_chunks += c->chunks;
                         }
                       },
                       &outer);
  for (auto& c : outer.inner) {
    int wrong = 0;
    for (auto& h : c->hits) wrong += h != 1;
    CHECK(wrong == 0);
    CHECK(c->chunks == 1);  // inline: one call over [0, 100)
  }
  // After the nested loops, the pool works normally again.
  Coverage after(1000);
  kiln_rt_parallel_for(pool, nullptr, 1000, 1, Coverage::body, &after);
  CHECK(after.chunks > 1);
  kiln_rt_pool_destroy(pool);
}

TEST_CASE("many loops in a row on one pool, and pools in several threads") {
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&wrong, t] {
      kiln_rt_pool* pool = kiln_rt_pool_create(2 + t);
      for (int iter = 0; iter < 500; ++iter) {
        const int64_t n = 1 + (iter * 37) % 300;
        Coverage c(n);
        kiln_rt_parallel_for(pool, nullptr, n, 1 + iter % 7, Coverage::body, &c);
        for (auto& h : c.hits) wrong += h != 1;
      }
      kiln_rt_pool_destroy(pool);
    });
  }
  for (auto& t : threads) t.join();
  CHECK(wrong == 0);
}

TEST_CASE("an external pool is called, and nested loops inside it run inline") {
  struct AppPool {
    std::atomic<int> calls{0};
    static void parallel_for(void* self, int64_t n, int64_t grain, kiln_task_fn fn, void* arg) {
      static_cast<AppPool*>(self)->calls++;
      for (int64_t begin = 0; begin < n; begin += grain) fn(arg, begin, begin + grain < n ? begin + grain : n);
    }
  } app;
  kiln_thread_pool external{&app, AppPool::parallel_for, 4};
  Coverage c(1000);
  kiln_rt_parallel_for(nullptr, &external, 1000, 10, Coverage::body, &c);
  CHECK(app.calls == 1);
  int wrong = 0;
  for (auto& h : c.hits) wrong += h != 1;
  CHECK(wrong == 0);
  CHECK(c.chunks == 100);

  struct Nest {
    const kiln_thread_pool* external;
    Coverage inner{64};
  } nest{&external};
  kiln_rt_parallel_for(nullptr, &external, 4, 1,
                       [](void* a, int64_t begin, int64_t) {
                         Nest* n = static_cast<Nest*>(a);
                         if (begin == 0) kiln_rt_parallel_for(nullptr, n->external, 64, 1, Coverage::body, &n->inner);
                       },
                       &nest);
  CHECK(app.calls == 2);  // the nested loop did not go to the app's pool
  CHECK(nest.inner.chunks == 1);

  // kiln_rt_exec_parallel_for takes the exec's external pool over its own.
  kiln_rt_exec exec{};
  exec.external_pool = &external;
  exec.num_threads = 4;
  Coverage d(20);
  kiln_rt_exec_parallel_for(&exec, 20, 5, Coverage::body, &d);
  CHECK(app.calls == 3);
  CHECK(d.chunks == 4);
}

TEST_CASE("idle workers sleep instead of spinning") {
  kiln_rt_pool* pool = kiln_rt_pool_create(4);
  Coverage c(100);
  kiln_rt_parallel_for(pool, nullptr, 100, 1, Coverage::body, &c);  // workers started and went idle
  const double before = process_cpu_seconds();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const double used = process_cpu_seconds() - before;
  // Three spinning workers would burn ~0.9 s of CPU here (or 0.3+ s on a loaded machine).
  CHECK(used < 0.1);
  kiln_rt_pool_destroy(pool);
}

TEST_CASE("loops after the workers fell asleep, and with spinning turned off") {
  // Default budget: pauses longer than the spin make every loop wake sleeping workers.
  kiln_rt_pool* pool = kiln_rt_pool_create(3);
  int wrong = 0;
  for (int iter = 0; iter < 20; ++iter) {
    Coverage c(64);
    kiln_rt_parallel_for(pool, nullptr, 64, 1, Coverage::body, &c);
    for (auto& h : c.hits) wrong += h != 1;
    if (iter % 2 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  kiln_rt_pool_destroy(pool);
  // KILN_POOL_SPIN_US=0 (read at creation): workers and the joining caller sleep at once.
  setenv("KILN_POOL_SPIN_US", "0", 1);
  pool = kiln_rt_pool_create(4);
  unsetenv("KILN_POOL_SPIN_US");
  for (int iter = 0; iter < 200; ++iter) {
    const int64_t n = 1 + (iter * 13) % 100;
    Coverage c(n);
    kiln_rt_parallel_for(pool, nullptr, n, 1, Coverage::body, &c);
    for (auto& h : c.hits) wrong += h != 1;
  }
  kiln_rt_pool_destroy(pool);
  CHECK(wrong == 0);
}

TEST_CASE("tasks that wait on each other through kiln_rt_spin_wait finish on any pool") {
  // Every task takes tickets in order and waits for all earlier steps (as the recurrent team
  // kernel does): correct whether 1, 2 or 4 threads join, and when the loop runs inline.
  struct Team {
    std::atomic<int64_t> next{0}, done{0};
    std::vector<int64_t> order;
    std::mutex mutex;
  };
  for (int32_t threads : {1, 2, 4}) {
    kiln_rt_pool* pool = kiln_rt_pool_create(threads);
    Team team;
    kiln_rt_parallel_for(pool, nullptr, 16, 1,
                         [](void* a, int64_t, int64_t) {
                           Team* t = static_cast<Team*>(a);
                           constexpr int64_t kPerStep = 3, kTotal = 30 * kPerStep;
                           for (;;) {
                             const int64_t ticket = t->next.fetch_add(1);
                             if (ticket >= kTotal) return;
                             const int64_t step = ticket / kPerStep;
                             for (uint32_t i = 0; t->done.load(std::memory_order_acquire) < step * kPerStep; ++i)
                               kiln_rt_spin_wait(i);
                             {
                               std::lock_guard<std::mutex> lock(t->mutex);
                               t->order.push_back(step);
                             }
                             t->done.fetch_add(1, std::memory_order_release);
                           }
                         },
                         &team);
    CHECK(team.done == 90);
    bool sorted = true;
    for (size_t i = 1; i < team.order.size(); ++i) sorted = sorted && team.order[i - 1] <= team.order[i];
    CHECK(sorted);
    kiln_rt_pool_destroy(pool);
  }
}
