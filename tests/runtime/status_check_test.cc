// The small services: names, sizes, the aligned allocator, and the input/output checks
// called on their own (as generated code may).
#include <cstring>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "kiln/runtime.h"
#include "tests/runtime/fake_models.h"

namespace {
std::string last_error() { return kiln_rt_last_error(); }
}  // namespace

TEST_CASE("status and dtype names and sizes") {
  CHECK(std::string(kiln_rt_status_name(KILN_IO_ERROR)) == "KILN_IO_ERROR");
  CHECK(std::string(kiln_rt_status_name(static_cast<kiln_status>(99))) == "KILN_UNKNOWN_STATUS");
  CHECK(std::string(kiln_rt_dtype_name(KILN_BF16)) == "bf16");
  CHECK(std::string(kiln_rt_dtype_name(static_cast<kiln_dtype>(-1))) == "unknown");
  CHECK(kiln_rt_dtype_size(KILN_F32) == 4);
  CHECK(kiln_rt_dtype_size(KILN_F64) == 8);
  CHECK(kiln_rt_dtype_size(KILN_F16) == 2);
  CHECK(kiln_rt_dtype_size(KILN_I64) == 8);
  CHECK(kiln_rt_dtype_size(KILN_BOOL) == 1);
  CHECK(kiln_rt_dtype_size(static_cast<kiln_dtype>(7)) == 0);
}

TEST_CASE("set_error formats, truncates long messages, and clears") {
  CHECK(kiln_rt_set_error(KILN_IO_ERROR, "file %s: %d", "w.bin", 42) == KILN_IO_ERROR);
  CHECK(last_error() == "file w.bin: 42");
  const std::string big(5000, 'x');
  kiln_rt_set_error(KILN_INTERNAL, "%s", big.c_str());
  CHECK(last_error().size() == 1023);
  kiln_rt_clear_error();
  CHECK(last_error().empty());
}

TEST_CASE("aligned allocation") {
  CHECK(kiln_rt_alloc(0) == nullptr);
  for (size_t bytes : {1, 63, 64, 1000, 1 << 20}) {
    void* p = kiln_rt_alloc(bytes);
    REQUIRE(p != nullptr);
    CHECK(reinterpret_cast<uintptr_t>(p) % 64 == 0);
    std::memset(p, 0xab, bytes);
    kiln_rt_free(p);
  }
  kiln_rt_free(nullptr);
}

TEST_CASE("tensor_bytes rejects overflow and negative dims") {
  int ok = 0;
  const int64_t dims[] = {2, 3, 4};
  CHECK(kiln_rt_tensor_bytes(KILN_F64, 3, dims, &ok) == 192);
  CHECK(ok == 1);
  CHECK(kiln_rt_tensor_bytes(KILN_F32, 0, nullptr, &ok) == 4);  // a scalar
  CHECK(ok == 1);
  const int64_t huge[] = {INT64_MAX, INT64_MAX};
  CHECK(kiln_rt_tensor_bytes(KILN_F32, 2, huge, &ok) == 0);
  CHECK(ok == 0);
  const int64_t negative[] = {2, -3};
  CHECK(kiln_rt_tensor_bytes(KILN_F32, 2, negative, &ok) == 0);
  CHECK(ok == 0);
  CHECK(kiln_rt_tensor_bytes(static_cast<kiln_dtype>(9), 1, dims, &ok) == 0);
  CHECK(ok == 0);
}

TEST_CASE("check_input on its own") {
  std::vector<float> data(24);
  const int64_t declared[] = {-1, 2, 3};
  kiln_tensor t = kiln_test::make_tensor(KILN_F32, {4, 2, 3}, data);
  int64_t batch = 0;
  CHECK(kiln_rt_check_input("img", &t, KILN_F32, 3, declared, 4, &batch) == KILN_OK);
  CHECK(batch == 4);
  CHECK(kiln_rt_check_input("img", nullptr, KILN_F32, 3, declared, 4, &batch) == KILN_INVALID_ARGUMENT);
  CHECK(last_error() == "input 'img': the tensor descriptor is null");
  batch = 0;
  CHECK(kiln_rt_check_input("img", &t, KILN_F32, 3, declared, 3, &batch) == KILN_INVALID_ARGUMENT);
  CHECK(last_error() ==
        "input 'img': batch (dim 0) is 4, must be in [1, 3] (the compiled max batch); expected [N,2,3], got [4,2,3]");
  t.dims[0] = INT64_MAX / 2;  // overflowing byte count
  batch = 0;
  CHECK(kiln_rt_check_input("img", &t, KILN_F32, 3, declared, INT64_MAX, &batch) == KILN_INVALID_ARGUMENT);
  CHECK(last_error().find("too large") != std::string::npos);
}

TEST_CASE("prepare_output writes the dims only on success") {
  std::vector<int64_t> data(6);
  kiln_tensor t = kiln_test::make_tensor(KILN_I64, {9, 9}, data);
  const int64_t dims[] = {2, 3};
  CHECK(kiln_rt_prepare_output("idx", &t, KILN_I64, 2, dims) == KILN_OK);
  CHECK(t.dims[0] == 2);
  CHECK(t.dims[1] == 3);
  const int64_t bigger[] = {3, 3};
  CHECK(kiln_rt_prepare_output("idx", &t, KILN_I64, 2, bigger) == KILN_INVALID_ARGUMENT);
  CHECK(last_error() == "output 'idx': capacity 48 bytes is less than the 72 bytes of i64 [3,3]");
  CHECK(t.dims[0] == 2);
}
