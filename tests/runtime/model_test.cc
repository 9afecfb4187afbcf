// The model driver: kiln_rt_create / kiln_rt_run / kiln_rt_destroy on hand-written models,
// every bad call answered with a status and a message, and one context per thread.
#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "kiln/runtime.h"
#include "tests/runtime/fake_models.h"

using kiln_test::make_tensor;

namespace {

std::string last_error() { return kiln_rt_last_error(); }

struct Context {
  kiln_rt_context* ctx = nullptr;
  explicit Context(const kiln_rt_model& model, const kiln_context_options* options = nullptr) {
    REQUIRE(kiln_rt_create(&model, options, &ctx) == KILN_OK);
    REQUIRE(ctx != nullptr);
  }
  ~Context() { kiln_rt_destroy(ctx); }
};

// A valid add_one call at batch n, ready to be broken by each test.
struct AddOneCall {
  std::vector<float> x, y;
  kiln_tensor in{}, out{};
  explicit AddOneCall(int64_t n) : x(n * 3), y(n * 3, -1.0f) {
    for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i);
    in = make_tensor(KILN_F32, {n, 3}, x);
    out = make_tensor(KILN_F32, {0, 0}, y);
  }
  kiln_status run(kiln_rt_context* ctx) { return kiln_rt_run(ctx, &in, 1, &out, 1); }
};

// Expects `status` with a message containing every one of `parts`.
void expect_error(kiln_status status, kiln_status expected, std::vector<std::string> parts) {
  INFO("message: " << last_error());
  CHECK(status == expected);
  for (const std::string& part : parts) CHECK(last_error().find(part) != std::string::npos);
}

}  // namespace

TEST_CASE("create, run and destroy a model at several batch sizes") {
  for (int32_t threads : {0, 1, 2, 3}) {
    kiln_context_options options{};
    options.num_threads = threads;
    Context c(kiln_test::add_one_model(), &options);
    CHECK(kiln_rt_context_num_threads(c.ctx) == (threads == 0 ? 2 : threads));
    CHECK(kiln_rt_context_model(c.ctx) == &kiln_test::add_one_model());
    for (int64_t n : {1, 2, 5, 8}) {
      AddOneCall call(n);
      REQUIRE(call.run(c.ctx) == KILN_OK);
      CHECK(last_error().empty());
      CHECK(call.out.rank == 2);
      CHECK(call.out.dims[0] == n);
      CHECK(call.out.dims[1] == 3);
      for (size_t i = 0; i < call.y.size(); ++i) CHECK(call.y[i] == call.x[i] + 1.0f);
    }
  }
}

TEST_CASE("create with null options uses the defaults") {
  Context c(kiln_test::add_one_model(), nullptr);
  CHECK(kiln_rt_context_num_threads(c.ctx) == 2);
  AddOneCall call(4);
  CHECK(call.run(c.ctx) == KILN_OK);
}

TEST_CASE("bad create calls") {
  kiln_rt_context* ctx = reinterpret_cast<kiln_rt_context*>(0x1);
  expect_error(kiln_rt_create(&kiln_test::add_one_model(), nullptr, nullptr), KILN_INVALID_ARGUMENT, {"null"});
  expect_error(kiln_rt_create(nullptr, nullptr, &ctx), KILN_INTERNAL, {"null model"});
  CHECK(ctx == nullptr);

  kiln_context_options options{};
  options.num_threads = -2;
  expect_error(kiln_rt_create(&kiln_test::add_one_model(), &options, &ctx), KILN_INVALID_ARGUMENT, {"num_threads"});

  options = {};
  options.weights_path = "/tmp/whatever.weights";
  expect_error(kiln_rt_create(&kiln_test::add_one_model(), &options, &ctx), KILN_INVALID_ARGUMENT,
               {"embeds its weights"});

  kiln_thread_pool pool{};
  options = {};
  options.pool = &pool;
  expect_error(kiln_rt_create(&kiln_test::add_one_model(), &options, &ctx), KILN_INVALID_ARGUMENT, {"parallel_for"});

  // A malformed description (a codegen bug) is KILN_INTERNAL, not a crash.
  kiln_rt_model broken = kiln_test::add_one_model();
  broken.max_batch = 0;
  expect_error(kiln_rt_create(&broken, nullptr, &ctx), KILN_INTERNAL, {"max_batch"});
  broken = kiln_test::add_one_model();
  broken.run = nullptr;
  expect_error(kiln_rt_create(&broken, nullptr, &ctx), KILN_INTERNAL, {"run function"});
  kiln_rt_io_spec bad_spec = {"x", static_cast<kiln_dtype>(42), 2, {-1, 3}};
  broken = kiln_test::add_one_model();
  broken.inputs = &bad_spec;
  expect_error(kiln_rt_create(&broken, nullptr, &ctx), KILN_INTERNAL, {"'x'", "dtype"});
  CHECK(ctx == nullptr);
  kiln_rt_destroy(nullptr);  // fine
}

TEST_CASE("every bad run call returns a status and a message naming the input") {
  Context c(kiln_test::add_one_model());

  SECTION("null context") {
    AddOneCall call(2);
    expect_error(call.run(nullptr), KILN_INVALID_ARGUMENT, {"context is null"});
  }
  SECTION("null inputs / outputs arrays") {
    AddOneCall call(2);
    expect_error(kiln_rt_run(c.ctx, nullptr, 1, &call.out, 1), KILN_INVALID_ARGUMENT, {"inputs array is null"});
    expect_error(kiln_rt_run(c.ctx, &call.in, 1, nullptr, 1), KILN_INVALID_ARGUMENT, {"outputs array is null"});
  }
  SECTION("wrong counts") {
    AddOneCall call(2);
    expect_error(kiln_rt_run(c.ctx, &call.in, 2, &call.out, 1), KILN_INVALID_ARGUMENT, {"takes 1 input", "got 2"});
    expect_error(kiln_rt_run(c.ctx, &call.in, 0, &call.out, 1), KILN_INVALID_ARGUMENT, {"takes 1 input", "got 0"});
    expect_error(kiln_rt_run(c.ctx, &call.in, 1, &call.out, 3), KILN_INVALID_ARGUMENT, {"1 output", "got 3"});
  }
  SECTION("wrong dtype") {
    AddOneCall call(2);
    call.in.dtype = KILN_I64;
    expect_error(call.run(c.ctx), KILN_INVALID_ARGUMENT, {"input 'x'", "expected dtype f32, got i64"});
    call.in.dtype = static_cast<kiln_dtype>(77);
    expect_error(call.run(c.ctx), KILN_INVALID_ARGUMENT, {"input 'x'", "unknown dtype 77"});
  }
  SECTION("wrong rank") {
    AddOneCall call(2);
    call.in.rank = 3;
    call.in.dims[2] = 1;
    expect_error(call.run(c.ctx), KILN_INVALID_ARGUMENT, {"input 'x'", "expected rank 2 [N,3], got rank 3 [2,3,1]"});
    call.in.rank = -1;
    expect_error(call.run(c.ctx), KILN_INVALID_ARGUMENT, {"input 'x'", "rank -1"});
    call.in.rank = 1000;
    expect_error(call.run(c.ctx), KILN_INVALID_ARGUMENT, {"input 'x'", "rank 1000"});
  }
  SECTION("wrong static dim") {
    AddOneCall call(2);
    call.in.dims[1] = 4;
    expect_error(call.run(c.ctx), KILN_INVALID_ARGUMENT, {"input 'x'", "dim 1 is 4, expected 3", "[2,4]"});
  }
  SECTION("batch 0, negative, or over the max") {
    AddOneCall call(2);
    for (int64_t bad : {0, -1, 9, 1000000}) {
      call.in.dims[0] = bad;
      expect_error(call.run(c.ctx), KILN_INVALID_ARGUMENT, {"input 'x'", "batch", "[1, 8]"});
    }
  }
  SECTION("null data") {
    AddOneCall call(2);
    call.in.data = nullptr;
    expect_error(call.run(c.ctx), KILN_INVALID_ARGUMENT, {"input 'x'", "data is null"});
    call = AddOneCall(2);
    call.out.data = nullptr;
    expect_error(call.run(c.ctx), KILN_INVALID_ARGUMENT, {"output 'y'", "data is null"});
  }
  SECTION("misaligned data") {
    AddOneCall call(2);
    call.in.data = reinterpret_cast<char*>(call.x.data()) + 1;
    expect_error(call.run(c.ctx), KILN_INVALID_ARGUMENT, {"input 'x'", "aligned"});
  }
  SECTION("too small capacity") {
    AddOneCall call(2);
    call.in.capacity = 20;
    expect_error(call.run(c.ctx), KILN_INVALID_ARGUMENT, {"input 'x'", "capacity 20 bytes", "24 bytes"});
    call = AddOneCall(2);
    call.out.capacity = 23;
    expect_error(call.run(c.ctx), KILN_INVALID_ARGUMENT, {"output 'y'", "capacity 23 bytes", "24 bytes"});
    CHECK(call.out.dims[0] == 0);  // a failed call writes nothing
  }
  SECTION("wrong output dtype or rank") {
    AddOneCall call(2);
    call.out.dtype = KILN_F64;
    expect_error(call.run(c.ctx), KILN_INVALID_ARGUMENT, {"output 'y'", "expected dtype f32, got f64"});
    call = AddOneCall(2);
    call.out.rank = 1;
    expect_error(call.run(c.ctx), KILN_INVALID_ARGUMENT, {"output 'y'", "expected rank 2"});
  }
  SECTION("output overlapping the input") {
    AddOneCall call(2);
    call.out.data = call.x.data() + 1;
    call.out.capacity = 24;
    expect_error(call.run(c.ctx), KILN_INVALID_ARGUMENT, {"output 'y' overlaps input 'x'"});
    call.x.assign(12, 0.0f);  // an output just past the input is fine
    call.in.data = call.x.data();
    call.out.data = call.x.data() + 6;
    CHECK(call.run(c.ctx) == KILN_OK);
  }
  // Whatever happened above, the context still works.
  AddOneCall call(3);
  CHECK(call.run(c.ctx) == KILN_OK);
  CHECK(call.y[8] == 9.0f);
}

TEST_CASE("two inputs: batch in any dim, bound consistently") {
  Context c(kiln_test::two_inputs_model());
  std::vector<float> a = {1, 2, 3, 4};                 // [2,2]
  std::vector<int64_t> b = {10, 20, 100, 200, 1000, 2000};  // [3,2]
  std::vector<float> sum(4, 0.0f);
  kiln_tensor in[2] = {make_tensor(KILN_F32, {2, 2}, a), make_tensor(KILN_I64, {3, 2}, b)};
  kiln_tensor out = make_tensor(KILN_F32, {0}, sum);
  REQUIRE(kiln_rt_run(c.ctx, in, 2, &out, 1) == KILN_OK);
  CHECK(out.dims[0] == 2);
  CHECK(sum[0] == 1 + 2 + 10 + 100 + 1000);
  CHECK(sum[1] == 3 + 4 + 20 + 200 + 2000);

  SECTION("inconsistent batch across inputs") {
    in[1].dims[1] = 1;
    expect_error(kiln_rt_run(c.ctx, in, 2, &out, 1), KILN_INVALID_ARGUMENT,
                 {"input 'b'", "batch (dim 1) is 1", "inputs before it have batch 2"});
  }
  SECTION("the second input's dtype and static dim are named") {
    in[1].dtype = KILN_I32;
    expect_error(kiln_rt_run(c.ctx, in, 2, &out, 1), KILN_INVALID_ARGUMENT, {"input 'b'", "expected dtype i64"});
    in[1].dtype = KILN_I64;
    in[1].dims[0] = 2;
    expect_error(kiln_rt_run(c.ctx, in, 2, &out, 1), KILN_INVALID_ARGUMENT, {"input 'b'", "dim 0 is 2, expected 3"});
  }
  SECTION("inputs may share memory; an output may not overlap the second input") {
    kiln_tensor same[2] = {in[0], in[1]};
    CHECK(kiln_rt_run(c.ctx, same, 2, &out, 1) == KILN_OK);
    kiln_tensor alias = out;
    alias.data = b.data();
    alias.capacity = b.size() * sizeof(int64_t);
    expect_error(kiln_rt_run(c.ctx, in, 2, &alias, 1), KILN_INVALID_ARGUMENT, {"output 'sum' overlaps input 'b'"});
  }
}

TEST_CASE("two outputs must not overlap each other") {
  static const kiln_rt_io_spec inputs[] = {{"x", KILN_F32, 1, {4}}};
  static const kiln_rt_io_spec outputs[] = {{"first", KILN_F32, 1, {4}}, {"second", KILN_F32, 1, {4}}};
  kiln_rt_model model = {"two_outputs", 1,       2, inputs, outputs, 0, 0, 1, nullptr, 0, 0,
                         [](const kiln_rt_exec*) { return KILN_OK; }};
  Context c(model);
  std::vector<float> x(4), y(6);
  kiln_tensor in = make_tensor(KILN_F32, {4}, x);
  kiln_tensor out[2] = {make_tensor(KILN_F32, {0}, y), make_tensor(KILN_F32, {0}, y)};
  out[1].data = y.data() + 2;
  out[1].capacity = 16;
  expect_error(kiln_rt_run(c.ctx, &in, 1, out, 2), KILN_INVALID_ARGUMENT, {"output 'second' overlaps output 'first'"});
}

TEST_CASE("a failing model run keeps its message, or gets one") {
  static const kiln_rt_io_spec inputs[] = {{"x", KILN_F32, 1, {1}}};
  kiln_rt_model model = {"fails", 1,       0, inputs, nullptr, 0, 0, 1, nullptr, 0, 0,
                         [](const kiln_rt_exec*) { return KILN_INTERNAL; }};
  std::vector<float> x(1);
  kiln_tensor in = make_tensor(KILN_F32, {1}, x);
  {
    Context c(model);
    expect_error(kiln_rt_run(c.ctx, &in, 1, nullptr, 0), KILN_INTERNAL, {"model 'fails' failed"});
  }
  model.run = [](const kiln_rt_exec*) { return kiln_rt_set_error(KILN_UNAVAILABLE, "no CUDA driver"); };
  Context c(model);
  expect_error(kiln_rt_run(c.ctx, &in, 1, nullptr, 0), KILN_UNAVAILABLE, {"no CUDA driver"});
}

TEST_CASE("the last error is per thread and cleared by the next call") {
  Context c(kiln_test::add_one_model());
  AddOneCall bad(2);
  bad.in.dims[1] = 7;
  REQUIRE(bad.run(c.ctx) == KILN_INVALID_ARGUMENT);
  const std::string mine = last_error();
  REQUIRE(!mine.empty());
  std::string other = "unset";
  std::thread([&] {
    other = kiln_rt_last_error();
    kiln_rt_set_error(KILN_IO_ERROR, "another thread's error");
  }).join();
  CHECK(other.empty());
  CHECK(last_error() == mine);
  AddOneCall good(2);
  CHECK(good.run(c.ctx) == KILN_OK);
  CHECK(last_error().empty());
}

TEST_CASE("one context run from two threads at once is refused") {
  static std::atomic<int> stage{0};
  static const kiln_rt_io_spec inputs[] = {{"x", KILN_F32, 1, {1}}};
  kiln_rt_model model = {"blocks", 1,       0, inputs, nullptr, 0, 0, 1, nullptr, 0, 0,
                         [](const kiln_rt_exec*) {
                           if (stage == 0) {  // only the first run blocks
                             stage = 1;
                             while (stage != 2) std::this_thread::yield();
                           }
                           return KILN_OK;
                         }};
  Context c(model);
  std::vector<float> x(1);
  kiln_tensor in = make_tensor(KILN_F32, {1}, x);
  kiln_status first = KILN_INTERNAL;
  std::thread runner([&] { first = kiln_rt_run(c.ctx, &in, 1, nullptr, 0); });
  while (stage != 1) std::this_thread::yield();
  expect_error(kiln_rt_run(c.ctx, &in, 1, nullptr, 0), KILN_INVALID_ARGUMENT, {"already running"});
  stage = 2;
  runner.join();
  CHECK(first == KILN_OK);
  CHECK(kiln_rt_run(c.ctx, &in, 1, nullptr, 0) == KILN_OK);
}

TEST_CASE("4 threads with one context each run concurrently and agree") {
  constexpr int kThreads = 4;
  std::vector<std::vector<float>> results(kThreads);
  std::vector<int> failures(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      kiln_context_options options{};
      options.num_threads = 2;
      kiln_rt_context* ctx = nullptr;
      if (kiln_rt_create(&kiln_test::add_one_model(), &options, &ctx) != KILN_OK) {
        failures[t]++;
        return;
      }
      for (int iter = 0; iter < 200; ++iter) {
        const int64_t n = 1 + iter % 8;
        AddOneCall call(n);
        if (call.run(ctx) != KILN_OK) failures[t]++;
        if (n == 8) results[t] = call.y;
        for (size_t i = 0; i < call.y.size(); ++i)
          if (call.y[i] != call.x[i] + 1.0f) failures[t]++;
      }
      kiln_rt_destroy(ctx);
    });
  }
  for (std::thread& t : threads) t.join();
  for (int t = 0; t < kThreads; ++t) {
    CHECK(failures[t] == 0);
    CHECK(results[t] == results[0]);
  }
  CHECK(results[0].size() == 24);
}

TEST_CASE("an application's pool replaces the runtime's") {
  struct AppPool {
    std::atomic<int> calls{0};
    static void parallel_for(void* self, int64_t n, int64_t grain, kiln_task_fn fn, void* arg) {
      static_cast<AppPool*>(self)->calls++;
      // Two real threads, splitting at the middle when that keeps both halves >= grain.
      const int64_t mid = n / 2 >= grain ? n / 2 : n;
      std::thread helper([&] {
        if (mid < n) fn(arg, mid, n);
      });
      fn(arg, 0, mid);
      helper.join();
    }
  } app;
  kiln_thread_pool pool{&app, AppPool::parallel_for, 2};
  kiln_context_options options{};
  options.pool = &pool;
  options.num_threads = 7;  // ignored with a pool
  Context c(kiln_test::add_one_model(), &options);
  CHECK(kiln_rt_context_num_threads(c.ctx) == 2);
  AddOneCall call(8);
  REQUIRE(call.run(c.ctx) == KILN_OK);
  CHECK(app.calls == 1);
  for (size_t i = 0; i < call.y.size(); ++i) CHECK(call.y[i] == call.x[i] + 1.0f);
}
