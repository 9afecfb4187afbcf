// The embedded copy of runtime.bc is a whole LLVM bitcode file.
#include <cstring>

#include <catch2/catch.hpp>

#include "kiln/runtime_bc.h"

TEST_CASE("the embedded runtime bitcode starts with the bitcode magic") {
  REQUIRE(kiln_runtime_bc_size > 1000);
  CHECK(kiln_runtime_bc_size % 4 == 0);
  CHECK(std::memcmp(kiln_runtime_bc, "BC\xc0\xde", 4) == 0);
  CHECK(reinterpret_cast<uintptr_t>(kiln_runtime_bc) % 16 == 0);
}
