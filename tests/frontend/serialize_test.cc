// save_state_dict / load_state_dict through safetensors files.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>

#include "frontend/serialize.h"
#include "ir/safetensors.h"

namespace {

using Catch::Contains;
using kiln::DType;
using kiln::Tensor;
namespace nn = kiln::nn;
using Strings = std::vector<std::string>;

class NormImpl : public nn::Module {
 public:
  NormImpl() : Module("Norm") {
    weight = register_parameter("weight", kiln::full({3}, 0.25));
    bias = register_parameter("bias", Tensor());  // None: not saved
    running_var = register_buffer("running_var", kiln::full({3}, 2.0, DType::kF64));
    num_batches_tracked = register_buffer("num_batches_tracked", kiln::full({}, 5, DType::kI64));
    cache = register_buffer("cache", kiln::zeros({3}), /*persistent=*/false);
  }
  Tensor weight, bias, running_var, num_batches_tracked, cache;
};
KILN_MODULE(Norm);

class NetImpl : public nn::Module {
 public:
  NetImpl() : Module("Net") {
    fc_weight = register_parameter("fc_weight", kiln::full({2, 3}, 1.5));
    norm = register_module("norm", Norm());
  }
  Tensor fc_weight;
  Norm norm{nullptr};
};
KILN_MODULE(Net);

std::string temp_path(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + name;
}

}  // namespace

TEST_CASE("save_state_dict writes safetensors with torch's keys and metadata", "[serialize]") {
  Net net;
  std::string path = temp_path("net.safetensors");
  kiln::save_state_dict(*net, path);
  auto file = kiln::ir::ReadSafetensors(path);
  REQUIRE(file.ok());
  CHECK(file->metadata == std::map<std::string, std::string>{{"format", "pt"}});
  Strings keys;
  for (const auto& [k, v] : file->tensors) keys.push_back(k);
  CHECK(keys == Strings{"fc_weight", "norm.num_batches_tracked", "norm.running_var", "norm.weight"});
  CHECK(file->tensors.at("norm.running_var").dtype() == DType::kF64);
  CHECK(file->tensors.at("norm.num_batches_tracked").dtype() == DType::kI64);
  CHECK(file->tensors.at("fc_weight").sizes() == std::vector<int64_t>{2, 3});
}

TEST_CASE("save then load restores every value into the existing tensors", "[serialize]") {
  Net src;
  src->fc_weight.fill_(-3.0);
  src->norm->num_batches_tracked.fill_(42);
  src->norm->running_var.fill_(0.5);
  std::string path = temp_path("roundtrip.safetensors");
  kiln::save_state_dict(*src, path);

  Net dst;
  Tensor handle = dst->fc_weight;
  auto [missing, unexpected] = kiln::load_state_dict(*dst, path);
  CHECK(missing.empty());
  CHECK(unexpected.empty());
  CHECK(handle.is_same(dst->fc_weight));
  CHECK(handle.to_vector<float>() == std::vector<float>(6, -3.0f));
  CHECK(dst->norm->num_batches_tracked.item<int64_t>() == 42);
  CHECK(dst->norm->running_var.to_vector<double>() == std::vector<double>{0.5, 0.5, 0.5});
  CHECK(dst->norm->running_var.dtype() == DType::kF64);

  // The same file into a module of other dtypes converts (as torch's copy_).
  Net half;
  half->half();
  kiln::load_state_dict(*half, path);
  CHECK(half->fc_weight.dtype() == DType::kF16);
  CHECK(half->fc_weight.to_vector<float>() == std::vector<float>(6, -3.0f));
}

TEST_CASE("load_state_dict from a file: strict and non-strict", "[serialize]") {
  Norm norm;
  std::string path = temp_path("norm.safetensors");
  kiln::save_state_dict(*norm, path);
  Net net;
  REQUIRE_THROWS_WITH(kiln::load_state_dict(*net, path),
                      Contains(path) && Contains("Error(s) in loading state_dict for Net") &&
                          Contains("Missing key(s) in state_dict: \"fc_weight\", \"norm.weight\"") &&
                          Contains("Unexpected key(s) in state_dict: \"num_batches_tracked\""));
  auto [missing, unexpected] = kiln::load_state_dict(*net, path, /*strict=*/false);
  CHECK(missing == Strings{"fc_weight", "norm.weight", "norm.running_var", "norm.num_batches_tracked"});
  CHECK(unexpected == Strings{"num_batches_tracked", "running_var", "weight"});
}

TEST_CASE("unreadable and corrupted files name the file", "[serialize]") {
  Net net;
  std::string missing_path = temp_path("does_not_exist.safetensors");
  REQUIRE_THROWS_WITH(kiln::load_state_dict(*net, missing_path), Contains(missing_path));

  std::string path = temp_path("corrupt.safetensors");
  kiln::save_state_dict(*net, path);
  {
    // Keep the header length but cut the file short.
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes.substr(0, bytes.size() / 2);
  }
  REQUIRE_THROWS_WITH(kiln::load_state_dict(*net, path), Contains(path));
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << "not a safetensors file";
  }
  REQUIRE_THROWS_WITH(kiln::load_state_dict(*net, path), Contains(path));

  std::string bad_dir = temp_path("no_such_dir/x.safetensors");
  REQUIRE_THROWS_WITH(kiln::save_state_dict(*net, bad_dir), Contains(bad_dir));
}
