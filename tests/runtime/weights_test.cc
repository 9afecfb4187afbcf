// External weights: a good file maps with its checksum verified; a missing, truncated, too
// long or corrupted file is KILN_IO_ERROR with a message naming the file and the problem.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "kiln/runtime.h"
#include "tests/runtime/fake_models.h"

namespace {

std::string temp_path(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

std::string write_file(const std::string& name, const std::vector<unsigned char>& bytes) {
  const std::string path = temp_path(name);
  FILE* f = std::fopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  if (!bytes.empty()) REQUIRE(std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size());
  std::fclose(f);
  return path;
}

std::string last_error() { return kiln_rt_last_error(); }

kiln_status create_with(const std::string& path, kiln_rt_context** ctx) {
  kiln_context_options options{};
  options.weights_path = path.c_str();
  return kiln_rt_create(&kiln_test::add_one_external_model(), &options, ctx);
}

}  // namespace

TEST_CASE("the checksum is FNV-1a 64") {
  CHECK(kiln_rt_checksum(nullptr, 0, KILN_CHECKSUM_SEED) == 0xcbf29ce484222325ull);
  CHECK(kiln_rt_checksum("a", 1, KILN_CHECKSUM_SEED) == 0xaf63dc4c8601ec8cull);
  CHECK(kiln_rt_checksum("foobar", 6, KILN_CHECKSUM_SEED) == 0x85944171f73967e8ull);
  // Running: hash("foo") continued with "bar" equals hash("foobar").
  CHECK(kiln_rt_checksum("bar", 3, kiln_rt_checksum("foo", 3, KILN_CHECKSUM_SEED)) == 0x85944171f73967e8ull);
}

TEST_CASE("a good weights file maps and runs") {
  const std::string path = write_file("good.weights", kiln_test::add_one_weights_bytes());
  kiln_rt_context* ctx = nullptr;
  REQUIRE(create_with(path, &ctx) == KILN_OK);
  std::vector<float> x = {1, 2, 3, 4, 5, 6}, y(6);
  kiln_tensor in = kiln_test::make_tensor(KILN_F32, {2, 3}, x);
  kiln_tensor out = kiln_test::make_tensor(KILN_F32, {0, 0}, y);
  REQUIRE(kiln_rt_run(ctx, &in, 1, &out, 1) == KILN_OK);
  CHECK(y == std::vector<float>{2, 3, 4, 5, 6, 7});
  kiln_rt_destroy(ctx);

  // The map function on its own.
  const void* data = nullptr;
  void* mapping = nullptr;
  size_t mapping_size = 0;
  const auto bytes = kiln_test::add_one_weights_bytes();
  REQUIRE(kiln_rt_map_weights(path.c_str(), bytes.size(), kiln_rt_checksum(bytes.data(), bytes.size(), KILN_CHECKSUM_SEED),
                              &data, &mapping, &mapping_size) == KILN_OK);
  CHECK(reinterpret_cast<uintptr_t>(data) % 64 == 0);
  CHECK(mapping_size == bytes.size());
  CHECK(static_cast<const float*>(data)[2] == 1.0f);
  kiln_rt_unmap_weights(mapping, mapping_size);
}

TEST_CASE("bad weights files are KILN_IO_ERROR with a message") {
  const auto good = kiln_test::add_one_weights_bytes();
  kiln_rt_context* ctx = reinterpret_cast<kiln_rt_context*>(0x1);
  struct Case {
    const char* name;
    std::vector<unsigned char> bytes;
    const char* says;
  };
  std::vector<unsigned char> corrupted = good, truncated = good, longer = good;
  corrupted[5] ^= 0x10;
  truncated.resize(7);
  longer.push_back(0);
  const Case cases[] = {
      {"corrupted.weights", corrupted, "corrupted: checksum"},
      {"truncated.weights", truncated, "has 7 bytes, expected 12 (truncated)"},
      {"longer.weights", longer, "has 13 bytes, expected 12 (too long)"},
      {"empty.weights", {}, "has 0 bytes, expected 12"},
  };
  for (const Case& c : cases) {
    const std::string path = write_file(c.name, c.bytes);
    INFO(c.name << ": " << last_error());
    CHECK(create_with(path, &ctx) == KILN_IO_ERROR);
    CHECK(ctx == nullptr);
    CHECK(last_error().find(path) != std::string::npos);
    CHECK(last_error().find(c.says) != std::string::npos);
  }

  const std::string missing = temp_path("no_such_file.weights");
  CHECK(create_with(missing, &ctx) == KILN_IO_ERROR);
  CHECK(last_error().find(missing) != std::string::npos);
  CHECK(last_error().find("No such file") != std::string::npos);

  const std::string dir = temp_path("");
  CHECK(create_with(dir, &ctx) == KILN_IO_ERROR);
  CHECK(last_error().find("not a regular file") != std::string::npos);
}

TEST_CASE("external weights without a path is an error") {
  kiln_rt_context* ctx = nullptr;
  CHECK(kiln_rt_create(&kiln_test::add_one_external_model(), nullptr, &ctx) == KILN_INVALID_ARGUMENT);
  CHECK(last_error().find("weights_path") != std::string::npos);
  CHECK(last_error().find("add_one_ext.weights") != std::string::npos);
  CHECK(create_with("", &ctx) == KILN_INVALID_ARGUMENT);
  CHECK(ctx == nullptr);
}
