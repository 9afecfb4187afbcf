// safetensors reading and writing: round trips, bytes as Python writes them, malformed files.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "ir/safetensors.h"

using kiln::StatusCode;
using namespace kiln::ir;

namespace {

std::string Le64(uint64_t n) {
  std::string s;
  for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>((n >> (8 * i)) & 0xFF));
  return s;
}

/// A file with the given header text (no padding added) and data buffer.
std::string MakeFile(const std::string& header, const std::string& data = "") {
  return Le64(header.size()) + header + data;
}

kiln::StatusOr<SafetensorsFile> Parse(const std::string& bytes, const char* source = "bad.safetensors") {
  return ParseSafetensors(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), source);
}

std::string Serialize(const std::map<std::string, HostTensor>& tensors,
                      const std::map<std::string, std::string>& metadata = {}) {
  auto s = SerializeSafetensors(tensors, metadata);
  REQUIRE(s.ok());
  return *s;
}

/// Four little-endian f32 bytes.
std::string F32Bytes(std::vector<float> values) {
  std::string s(values.size() * 4, '\0');
  std::memcpy(&s[0], values.data(), s.size());
  return s;
}

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + name;
}

}  // namespace

TEST_CASE("safetensors reads the bytes Python writes for a float tensor") {
  // safetensors.torch.save({"a": torch.tensor([1.0, 2.0])}): a 54-byte header padded to 56.
  const std::string header = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  REQUIRE(header.size() == 54);
  const std::string python = Le64(56) + header + "  " + std::string("\x00\x00\x80\x3f\x00\x00\x00\x40", 8);
  REQUIRE(python.size() == 72);

  auto file = Parse(python, "python.safetensors");
  REQUIRE(file.ok());
  REQUIRE(file->tensors.size() == 1);
  REQUIRE(file->metadata.empty());
  const HostTensor& a = file->tensors.at("a");
  REQUIRE(a.dtype() == DType::kF32);
  REQUIRE(a.sizes() == std::vector<int64_t>{2});
  REQUIRE(a.data<float>()[0] == 1.0f);
  REQUIRE(a.data<float>()[1] == 2.0f);
  REQUIRE(reinterpret_cast<uintptr_t>(a.raw_data()) % 64 == 0);

  // And kiln writes exactly the same bytes.
  REQUIRE(Serialize({{"a", HostTensor::FromVector<float>({2}, {1.0f, 2.0f})}}) == python);
}

TEST_CASE("safetensors reads Python's mixed-dtype layout with metadata") {
  // safetensors.torch.save({"b": tensor([True]), "a": zeros(2, f64), "c": tensor(3, i32)},
  // metadata={"format": "pt"}): Python orders the data by dtype alignment, not by name.
  const std::string header =
      R"({"__metadata__":{"format":"pt"},"a":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},)"
      R"("c":{"dtype":"I32","shape":[],"data_offsets":[16,20]},"b":{"dtype":"BOOL","shape":[1],"data_offsets":[20,21]}})";
  const std::string bytes = Le64(200) + header + "    " + std::string(16, '\0') + std::string("\x03\0\0\0\x01", 5);
  REQUIRE(bytes.size() == 8 + 200 + 21);
  auto file = Parse(bytes);
  REQUIRE(file.ok());
  REQUIRE(file->metadata == std::map<std::string, std::string>{{"format", "pt"}});
  REQUIRE(file->tensors.at("a").sizes() == std::vector<int64_t>{2});
  REQUIRE(file->tensors.at("c").rank() == 0);
  REQUIRE(file->tensors.at("c").data<int32_t>()[0] == 3);
  REQUIRE(file->tensors.at("b").data<bool>()[0]);
}

TEST_CASE("safetensors round trips every dtype, scalars and empty tensors") {
  std::map<std::string, HostTensor> tensors;
  for (DType d : kAllDTypes) {
    HostTensor t(d, {2, 3});
    for (int64_t i = 0; i < t.num_elements(); ++i) t.SetDouble(i, d == DType::kBool ? i % 2 : i * 1.5 - 2);
    tensors.emplace(std::string("m.") + safetensors_dtype_name(d), t);
    HostTensor scalar(d, {});
    scalar.SetDouble(0, 1);
    tensors.emplace(std::string("scalar.") + safetensors_dtype_name(d), scalar);
    tensors.emplace(std::string("empty.") + safetensors_dtype_name(d), HostTensor(d, {0}));
  }
  tensors.emplace("empty.2d", HostTensor(DType::kF32, {3, 0, 2}));
  std::string bytes = Serialize(tensors);

  uint64_t header_len = 0;
  std::memcpy(&header_len, bytes.data(), 8);
  REQUIRE(header_len % 8 == 0);
  REQUIRE(bytes[8] == '{');

  auto file = Parse(bytes);
  REQUIRE(file.ok());
  REQUIRE(file->tensors.size() == tensors.size());
  for (const auto& [name, t] : tensors) {
    INFO(name);
    REQUIRE(file->tensors.at(name).BitwiseEqual(t));
  }
  // Serializing what was read gives the same bytes.
  REQUIRE(Serialize(file->tensors) == bytes);
}

TEST_CASE("safetensors writer sorts by name and omits empty metadata") {
  std::map<std::string, HostTensor> tensors{
      {"z", HostTensor::FromVector<int64_t>({1}, {7})},
      {"a", HostTensor::FromVector<int32_t>({2}, {1, 2})},
  };
  std::string bytes = Serialize(tensors);
  const std::string json =
      R"({"a":{"dtype":"I32","shape":[2],"data_offsets":[0,8]},"z":{"dtype":"I64","shape":[1],"data_offsets":[8,16]}})";
  REQUIRE(bytes.compare(8, json.size(), json) == 0);
  REQUIRE(bytes.size() == 8 + 112 + 16);  // 108 bytes of JSON + 4 spaces of padding
  REQUIRE(bytes.find("__metadata__") == std::string::npos);

  auto bad = SerializeSafetensors({{"__metadata__", HostTensor(DType::kF32, {1})}});
  REQUIRE_FALSE(bad.ok());
  REQUIRE(bad.status().message().find("reserves") != std::string::npos);
}

TEST_CASE("safetensors round trips metadata") {
  std::map<std::string, std::string> metadata{{"format", "pt"}, {"note", "quote \" backslash \\ \xC3\xA9"}, {"", ""}};
  std::string bytes = Serialize({{"w", HostTensor::FromVector<float>({1}, {3.0f})}}, metadata);
  REQUIRE(bytes.substr(8, 16) == R"({"__metadata__":)");
  auto file = Parse(bytes);
  REQUIRE(file.ok());
  REQUIRE(file->metadata == metadata);
  // Metadata alone, no tensors.
  auto only = Parse(Serialize({}, {{"k", "v"}}));
  REQUIRE(only.ok());
  REQUIRE(only->tensors.empty());
  REQUIRE(only->metadata.at("k") == "v");
}

TEST_CASE("safetensors accepts gaps, empty tensors at any offset, and unpadded headers") {
  // 'a' at [0,4], 'b' at [8,12]: bytes 4..8 belong to no tensor.
  auto gap = Parse(MakeFile(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                            R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},)"
                            R"("e":{"dtype":"F32","shape":[0],"data_offsets":[2,2]},)"
                            R"("f":{"dtype":"F32","shape":[0,5],"data_offsets":[2,2]}})",
                            F32Bytes({1, 9, 2})));
  REQUIRE(gap.ok());
  REQUIRE(gap->tensors.at("b").data<float>()[0] == 2.0f);
  REQUIRE(gap->tensors.at("f").sizes() == std::vector<int64_t>{0, 5});
  // A whitespace-padded (and an unpadded) empty header.
  REQUIRE(Parse(MakeFile("{}")).ok());
  REQUIRE(Parse(MakeFile("{}      ")).ok());
}

TEST_CASE("safetensors reports unsupported dtypes all at once") {
  auto r = Parse(MakeFile(R"({"q":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},)"
                          R"("r":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[2,3]},)"
                          R"("ok":{"dtype":"F32","shape":[],"data_offsets":[4,8]}})",
                          std::string(8, '\0')));
  REQUIRE_FALSE(r.ok());
  REQUIRE(r.status().code() == StatusCode::kUnimplemented);
  INFO(r.status().message());
  REQUIRE(r.status().message().find("2 tensors have an unsupported dtype: 'q' (U8), 'r' (F8_E4M3)") !=
          std::string::npos);
}

TEST_CASE("safetensors rejects malformed files with a precise message") {
  const std::string f32x2 = F32Bytes({1, 2});
  auto entry = [](const std::string& body) { return "{\"a\":" + body + "}"; };
  struct Case {
    const char* what;
    std::string bytes;
    std::string phrase;
  };
  const Case cases[] = {
      {"shorter than 8 bytes", std::string("\x08\0\0", 3), "file is 3 bytes, shorter than the 8-byte header length"},
      {"empty file", "", "file is 0 bytes"},
      {"header length beyond the file", Le64(100) + "{}", "header length 100 (bytes 0..8) is larger than the 2 bytes"},
      {"header length beyond 100 MB", Le64(200'000'000) + "{}", "header length 200000000 (bytes 0..8) exceeds the limit"},
      {"header length 2^64-1", Le64(~0ull) + "{}", "exceeds the limit of 100000000 bytes"},
      {"empty header", MakeFile(""), "header (file bytes 8..8) is not valid JSON"},
      {"header not JSON", MakeFile("{\"a\":"), "is not valid JSON: JSON parse error at byte 5"},
      {"header not UTF-8", MakeFile("{\"\xFF\":1}"), "invalid UTF-8"},
      {"header is an array", MakeFile("[1,2]"), "header is a JSON array, expected an object"},
      {"duplicate tensor name", MakeFile(R"({"a":{},"a":{}})"), "duplicate object key \"a\""},
      {"entry not an object", MakeFile(entry("\"x\"")), "tensor 'a': entry is a JSON string, expected an object"},
      {"missing field", MakeFile(entry(R"({"dtype":"F32","data_offsets":[0,8]})"), f32x2),
       "tensor 'a': missing field 'shape'"},
      {"extra field", MakeFile(entry(R"({"dtype":"F32","shape":[2],"data_offsets":[0,8],"foo":1})"), f32x2),
       "tensor 'a': unexpected field 'foo'"},
      {"dtype not a string", MakeFile(entry(R"({"dtype":4,"shape":[2],"data_offsets":[0,8]})"), f32x2),
       "tensor 'a': dtype is a JSON integer, expected a string"},
      {"unknown dtype", MakeFile(entry(R"({"dtype":"F33","shape":[2],"data_offsets":[0,8]})"), f32x2),
       "tensor 'a': unknown dtype 'F33'"},
      {"lower-case dtype", MakeFile(entry(R"({"dtype":"f32","shape":[2],"data_offsets":[0,8]})"), f32x2),
       "unknown dtype 'f32'"},
      {"shape not an array", MakeFile(entry(R"({"dtype":"F32","shape":"2","data_offsets":[0,8]})"), f32x2),
       "tensor 'a': shape is a JSON string"},
      {"negative dim", MakeFile(entry(R"({"dtype":"F32","shape":[-2],"data_offsets":[0,8]})"), f32x2),
       "tensor 'a': shape[0] is -2, expected a non-negative integer"},
      {"non-integer dim", MakeFile(entry(R"({"dtype":"F32","shape":[1,2.0],"data_offsets":[0,8]})"), f32x2),
       "tensor 'a': shape[1] is 2.0, expected a non-negative integer"},
      {"dim beyond int64", MakeFile(entry(R"({"dtype":"F32","shape":[1e30],"data_offsets":[0,8]})"), f32x2),
       "shape[0] is 1e+30"},
      {"element count overflow",
       MakeFile(entry(R"({"dtype":"F32","shape":[4294967296,4294967296,0],"data_offsets":[0,0]})")),
       "tensor 'a': shape [4294967296,4294967296,0] has more elements than fit in 64 bits"},
      {"byte count overflow", MakeFile(entry(R"({"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,8]})"), f32x2),
       "needs more than 2^64 bytes"},
      {"offsets not a pair", MakeFile(entry(R"({"dtype":"F32","shape":[2],"data_offsets":[0]})"), f32x2),
       "tensor 'a': data_offsets is [0], expected [begin, end]"},
      {"offsets not an array", MakeFile(entry(R"({"dtype":"F32","shape":[2],"data_offsets":null})"), f32x2),
       "data_offsets is null, expected [begin, end]"},
      {"offset not an integer", MakeFile(entry(R"({"dtype":"F32","shape":[2],"data_offsets":[0,"8"]})"), f32x2),
       "tensor 'a': data_offsets[1] is \"8\", expected a non-negative integer"},
      {"negative offset", MakeFile(entry(R"({"dtype":"F32","shape":[2],"data_offsets":[-1,7]})"), f32x2),
       "data_offsets[0] is -1"},
      {"begin after end", MakeFile(entry(R"({"dtype":"F32","shape":[2],"data_offsets":[8,0]})"), f32x2),
       "tensor 'a': data_offsets [8, 0]: begin is after end"},
      {"end beyond the data", MakeFile(entry(R"({"dtype":"F32","shape":[4],"data_offsets":[0,16]})"), f32x2),
       "tensor 'a': data_offsets [0, 16]: end 16 is beyond the data buffer, which has 8 bytes"},
      {"span differs from shape", MakeFile(entry(R"({"dtype":"F32","shape":[2],"data_offsets":[0,4]})"), f32x2),
       "tensor 'a': data_offsets [0, 4] span 4 bytes, but shape [2] of F32 needs 8 bytes"},
      {"span too large for shape", MakeFile(entry(R"({"dtype":"F16","shape":[2],"data_offsets":[0,8]})"), f32x2),
       "span 8 bytes, but shape [2] of F16 needs 4 bytes"},
      {"overlapping tensors",
       MakeFile(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                F32Bytes({1, 2, 3})),
       "tensors 'a' (data_offsets [0, 8]) and 'b' (data_offsets [4, 12]) overlap"},
      {"identical ranges",
       MakeFile(R"({"a":{"dtype":"I32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[],"data_offsets":[0,4]}})",
                F32Bytes({1})),
       "overlap"},
      {"range inside another",
       MakeFile(R"({"big":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},"x":{"dtype":"F32","shape":[],"data_offsets":[8,12]},)"
                R"("y":{"dtype":"F32","shape":[],"data_offsets":[4,8]}})",
                F32Bytes({1, 2, 3})),
       "tensors 'big' (data_offsets [0, 12]) and 'y' (data_offsets [4, 8]) overlap"},
      {"bool byte not 0/1", MakeFile(entry(R"({"dtype":"BOOL","shape":[3],"data_offsets":[0,3]})"), std::string("\x01\x02\x00", 3)),
       "tensor 'a': BOOL element 1 is byte 2 at file byte"},
      {"metadata not an object", MakeFile(R"({"__metadata__":[]})"), "__metadata__ is a JSON array"},
      {"metadata value not a string", MakeFile(R"({"__metadata__":{"k":1}})"),
       "__metadata__ value for key 'k' is a JSON integer, expected a string"},
  };
  REQUIRE(sizeof(cases) / sizeof(cases[0]) >= 15);
  for (const Case& c : cases) {
    INFO(c.what);
    auto r = Parse(c.bytes);
    REQUIRE_FALSE(r.ok());
    INFO(r.status().message());
    REQUIRE(r.status().code() == StatusCode::kInvalidArgument);
    REQUIRE(r.status().message().find("bad.safetensors: ") == 0);
    REQUIRE(r.status().message().find(c.phrase) != std::string::npos);
  }
}

TEST_CASE("safetensors survives every truncation and every header byte flip") {
  std::map<std::string, HostTensor> tensors{
      {"bias", HostTensor::FromVector<float>({3}, {1, 2, 3})},
      {"mask", HostTensor::FromVector<bool>({2}, {true, false})},
      {"weight", HostTensor::FromVector<int64_t>({2, 1}, {5, -6})},
  };
  const std::string good = Serialize(tensors, {{"format", "pt"}});
  REQUIRE(Parse(good).ok());
  uint64_t header_len = 0;
  std::memcpy(&header_len, good.data(), 8);

  for (size_t n = 0; n < good.size(); ++n) {
    INFO("truncated to " << n << " bytes");
    REQUIRE_FALSE(Parse(good.substr(0, n)).ok());
  }
  // Inverting any byte of the length prefix or the header always breaks the file: an ASCII
  // byte becomes a non-ASCII one, which is invalid UTF-8 or JSON wherever it lands.
  for (size_t i = 0; i < 8 + header_len; ++i) {
    std::string s = good;
    s[i] = static_cast<char>(~s[i]);
    INFO("inverted byte " << i);
    REQUIRE_FALSE(Parse(s).ok());
  }
  // Single-bit flips anywhere may or may not give a valid file, but never a crash.
  for (size_t i = 0; i < good.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string s = good;
      s[i] = static_cast<char>(s[i] ^ (1 << bit));
      auto r = Parse(s);
      if (r.ok()) {
        for (const auto& [name, t] : r->tensors) REQUIRE(t.nbytes() <= s.size());
      }
    }
  }
}

TEST_CASE("safetensors files are written and read from disk") {
  const std::string path = TempPath("kiln_safetensors_test.safetensors");
  std::map<std::string, HostTensor> tensors{{"w", HostTensor::FromVector<double>({2, 2}, {1, 2, 3, 4})}};
  REQUIRE(WriteSafetensors(path, tensors, {{"k", "v"}}).ok());
  auto file = ReadSafetensors(path);
  REQUIRE(file.ok());
  REQUIRE(file->tensors.at("w").BitwiseEqual(tensors.at("w")));
  REQUIRE(file->metadata.at("k") == "v");

  auto missing = ReadSafetensors(TempPath("no_such_dir/x.safetensors"));
  REQUIRE(missing.status().code() == StatusCode::kIoError);
  REQUIRE(missing.status().message().find("no_such_dir/x.safetensors") != std::string::npos);

  kiln::Status unwritable = WriteSafetensors(TempPath("no_such_dir/y.safetensors"), tensors);
  REQUIRE(unwritable.code() == StatusCode::kIoError);
  REQUIRE(unwritable.message().find("no_such_dir/y.safetensors") != std::string::npos);

  // A bad file read from disk names its path.
  const std::string bad_path = TempPath("kiln_bad.safetensors");
  std::FILE* f = std::fopen(bad_path.c_str(), "wb");
  REQUIRE(f != nullptr);
  std::fputs("abc", f);
  std::fclose(f);
  auto bad = ReadSafetensors(bad_path);
  REQUIRE(bad.status().code() == StatusCode::kInvalidArgument);
  REQUIRE(bad.status().message().find(bad_path + ": file is 3 bytes") == 0);
}
