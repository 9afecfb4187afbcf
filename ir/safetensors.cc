#include "ir/safetensors.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <vector>

#include "ir/json.h"

// Tensor bytes are copied as-is: the format is little-endian and so is every host kiln targets.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "safetensors I/O assumes a little-endian host");

namespace kiln::ir {

namespace {

constexpr char kMetadataKey[] = "__metadata__";
constexpr size_t kPrefixBytes = 8;

/// A dtype name of the safetensors spec. `dtype` is set for the ones kiln supports; `size` is
/// bytes per element (0 for the sub-byte formats, whose span kiln does not check).
struct DTypeEntry {
  const char* name;
  std::optional<DType> dtype;
  size_t size;
};

const DTypeEntry kDTypeTable[] = {
    {"F32", DType::kF32, 4},   {"F64", DType::kF64, 8},   {"F16", DType::kF16, 2},
    {"BF16", DType::kBF16, 2}, {"I64", DType::kI64, 8},   {"I32", DType::kI32, 4},
    {"BOOL", DType::kBool, 1}, {"U8", std::nullopt, 1},   {"I8", std::nullopt, 1},
    {"U16", std::nullopt, 2},  {"I16", std::nullopt, 2},  {"U32", std::nullopt, 4},
    {"U64", std::nullopt, 8},  {"C64", std::nullopt, 8},  {"F8_E4M3", std::nullopt, 1},
    {"F8_E5M2", std::nullopt, 1}, {"F8_E8M0", std::nullopt, 1}, {"F6_E2M3", std::nullopt, 0},
    {"F6_E3M2", std::nullopt, 0}, {"F4", std::nullopt, 0},
};

const DTypeEntry* FindDType(const std::string& name) {
  for (const DTypeEntry& e : kDTypeTable) {
    if (name == e.name) return &e;
  }
  return nullptr;
}

/// One validated header entry.
struct Entry {
  std::string name;
  const DTypeEntry* dtype = nullptr;
  std::vector<int64_t> sizes;
  uint64_t begin = 0;
  uint64_t end = 0;
};

std::string Quote(const std::string& s) { return "'" + s + "'"; }

std::string OffsetsStr(uint64_t begin, uint64_t end) {
  return "[" + std::to_string(begin) + ", " + std::to_string(end) + "]";
}

std::string SizesStr(const std::vector<int64_t>& sizes) {
  std::string s = "[";
  for (size_t i = 0; i < sizes.size(); ++i) s += (i ? ", " : "") + std::to_string(sizes[i]);
  return s + "]";
}

/// Parses and validates one file; every error names `source_`.
class Reader {
 public:
  Reader(const uint8_t* data, size_t size, std::string_view source)
      : data_(data), size_(size), source_(source) {}

  StatusOr<SafetensorsFile> Read() {
    if (size_ < kPrefixBytes) {
      return Err("file is " + std::to_string(size_) +
                 " bytes, shorter than the 8-byte header length that starts a safetensors file");
    }
    uint64_t header_len = 0;
    for (size_t i = 0; i < kPrefixBytes; ++i) header_len |= static_cast<uint64_t>(data_[i]) << (8 * i);
    if (header_len > kSafetensorsMaxHeaderBytes) {
      return Err("header length " + std::to_string(header_len) + " (bytes 0..8) exceeds the limit of " +
                 std::to_string(kSafetensorsMaxHeaderBytes) + " bytes");
    }
    if (header_len > size_ - kPrefixBytes) {
      return Err("header length " + std::to_string(header_len) + " (bytes 0..8) is larger than the " +
                 std::to_string(size_ - kPrefixBytes) + " bytes that follow it in the file");
    }
    data_start_ = kPrefixBytes + static_cast<size_t>(header_len);
    data_size_ = size_ - data_start_;

    std::string_view header(reinterpret_cast<const char*>(data_ + kPrefixBytes), static_cast<size_t>(header_len));
    StatusOr<JsonValue> json = ParseJson(header);
    if (!json.ok()) {
      return Err("header (file bytes 8.." + std::to_string(data_start_) + ") is not valid JSON: " +
                 json.status().message() + " (header byte offsets are relative to file byte 8)");
    }
    if (!json->is_object()) {
      return Err(std::string("header is a JSON ") + json_kind_name(json->kind()) + ", expected an object");
    }

    SafetensorsFile file;
    std::vector<Entry> entries;
    for (const JsonValue::Member& m : json->members()) {
      if (m.first == kMetadataKey) {
        KILN_RETURN_IF_ERROR(ReadMetadata(m.second, &file.metadata));
        continue;
      }
      KILN_ASSIGN_OR_RETURN(Entry e, ReadEntry(m.first, m.second));
      entries.push_back(std::move(e));
    }
    KILN_RETURN_IF_ERROR(CheckOverlaps(entries));
    KILN_RETURN_IF_ERROR(CheckSupported(entries));
    for (const Entry& e : entries) {
      KILN_ASSIGN_OR_RETURN(HostTensor t, CopyTensor(e));
      file.tensors.emplace(e.name, std::move(t));
    }
    return file;
  }

 private:
  Status Err(const std::string& msg) const { return InvalidArgument(std::string(source_) + ": " + msg); }
  Status TensorErr(const std::string& name, const std::string& msg) const {
    return Err("tensor " + Quote(name) + ": " + msg);
  }

  Status ReadMetadata(const JsonValue& v, std::map<std::string, std::string>* out) const {
    if (!v.is_object()) {
      return Err(std::string("__metadata__ is a JSON ") + json_kind_name(v.kind()) +
                 ", expected an object of string values");
    }
    for (const JsonValue::Member& m : v.members()) {
      if (!m.second.is_string()) {
        return Err("__metadata__ value for key " + Quote(m.first) + " is a JSON " +
                   json_kind_name(m.second.kind()) + ", expected a string");
      }
      (*out)[m.first] = m.second.string_value();
    }
    return Status::Ok();
  }

  StatusOr<Entry> ReadEntry(const std::string& name, const JsonValue& v) const {
    if (!v.is_object()) {
      return TensorErr(name, std::string("entry is a JSON ") + json_kind_name(v.kind()) +
                                 ", expected an object with dtype, shape and data_offsets");
    }
    for (const JsonValue::Member& m : v.members()) {
      if (m.first != "dtype" && m.first != "shape" && m.first != "data_offsets") {
        return TensorErr(name, "unexpected field " + Quote(m.first) + " (expected dtype, shape, data_offsets)");
      }
    }
    for (const char* field : {"dtype", "shape", "data_offsets"}) {
      if (v.Find(field) == nullptr) return TensorErr(name, std::string("missing field '") + field + "'");
    }
    Entry e;
    e.name = name;
    KILN_ASSIGN_OR_RETURN(e.dtype, ReadDType(name, *v.Find("dtype")));
    KILN_ASSIGN_OR_RETURN(e.sizes, ReadShape(name, *v.Find("shape")));
    KILN_RETURN_IF_ERROR(ReadOffsets(name, *v.Find("data_offsets"), &e));
    return e;
  }

  StatusOr<const DTypeEntry*> ReadDType(const std::string& name, const JsonValue& v) const {
    if (!v.is_string()) {
      return TensorErr(name, std::string("dtype is a JSON ") + json_kind_name(v.kind()) + ", expected a string");
    }
    const DTypeEntry* d = FindDType(v.string_value());
    if (d == nullptr) {
      return TensorErr(name, "unknown dtype " + Quote(v.string_value()) +
                                 " (kiln reads F32, F64, F16, BF16, I64, I32, BOOL)");
    }
    return d;
  }

  StatusOr<std::vector<int64_t>> ReadShape(const std::string& name, const JsonValue& v) const {
    if (!v.is_array()) {
      return TensorErr(name, std::string("shape is a JSON ") + json_kind_name(v.kind()) +
                                 ", expected an array of non-negative integers");
    }
    std::vector<int64_t> sizes;
    // The product of the non-zero dims must fit: then no partial product can overflow either,
    // whatever the order (HostTensor multiplies them unchecked).
    int64_t nonzero_product = 1;
    for (size_t i = 0; i < v.items().size(); ++i) {
      const JsonValue& d = v.items()[i];
      if (!d.is_int() || d.int_value() < 0) {
        return TensorErr(name, "shape[" + std::to_string(i) + "] is " + WriteJson(d) +
                                   ", expected a non-negative integer");
      }
      int64_t s = d.int_value();
      if (s != 0 && __builtin_mul_overflow(nonzero_product, s, &nonzero_product)) {
        return TensorErr(name, "shape " + WriteJson(v) + " has more elements than fit in 64 bits");
      }
      sizes.push_back(s);
    }
    return sizes;
  }

  Status ReadOffsets(const std::string& name, const JsonValue& v, Entry* e) const {
    if (!v.is_array() || v.items().size() != 2) {
      return TensorErr(name, "data_offsets is " + WriteJson(v) + ", expected [begin, end]");
    }
    uint64_t bounds[2];
    for (size_t i = 0; i < 2; ++i) {
      const JsonValue& d = v.items()[i];
      if (!d.is_int() || d.int_value() < 0) {
        return TensorErr(name, "data_offsets[" + std::to_string(i) + "] is " + WriteJson(d) +
                                   ", expected a non-negative integer");
      }
      bounds[i] = static_cast<uint64_t>(d.int_value());
    }
    e->begin = bounds[0];
    e->end = bounds[1];
    std::string offsets = "data_offsets " + OffsetsStr(e->begin, e->end);
    if (e->begin > e->end) return TensorErr(name, offsets + ": begin is after end");
    if (e->end > data_size_) {
      return TensorErr(name, offsets + ": end " + std::to_string(e->end) + " is beyond the data buffer, which has " +
                                 std::to_string(data_size_) + " bytes (file bytes " + std::to_string(data_start_) +
                                 ".." + std::to_string(size_) + ")");
    }
    if (e->dtype->size == 0) return Status::Ok();  // sub-byte dtype: unsupported anyway
    int64_t numel = 1;
    for (int64_t s : e->sizes) numel *= s;  // cannot overflow: checked in ReadShape
    uint64_t needed = 0;
    bool overflow = __builtin_mul_overflow(static_cast<uint64_t>(numel), static_cast<uint64_t>(e->dtype->size), &needed);
    if (overflow || needed != e->end - e->begin) {
      return TensorErr(name, offsets + " span " + std::to_string(e->end - e->begin) + " bytes, but shape " +
                                 SizesStr(e->sizes) + " of " + e->dtype->name + " needs " +
                                 (overflow ? std::string("more than 2^64") : std::to_string(needed)) + " bytes");
    }
    return Status::Ok();
  }

  Status CheckOverlaps(const std::vector<Entry>& entries) const {
    std::vector<const Entry*> sorted;
    for (const Entry& e : entries) {
      if (e.end > e.begin) sorted.push_back(&e);  // an empty range overlaps nothing
    }
    std::sort(sorted.begin(), sorted.end(), [](const Entry* a, const Entry* b) {
      return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
    });
    const Entry* furthest = nullptr;  // the entry reaching furthest so far
    for (const Entry* e : sorted) {
      if (furthest != nullptr && e->begin < furthest->end) {
        return Err("tensors " + Quote(furthest->name) + " (data_offsets " + OffsetsStr(furthest->begin, furthest->end) +
                   ") and " + Quote(e->name) + " (data_offsets " + OffsetsStr(e->begin, e->end) + ") overlap");
      }
      if (furthest == nullptr || e->end > furthest->end) furthest = e;
    }
    return Status::Ok();
  }

  // Valid entries with dtypes kiln does not support are reported all at once.
  Status CheckSupported(const std::vector<Entry>& entries) const {
    std::vector<std::string> unsupported;
    for (const Entry& e : entries) {
      if (!e.dtype->dtype) unsupported.push_back(Quote(e.name) + " (" + e.dtype->name + ")");
    }
    if (unsupported.empty()) return Status::Ok();
    std::string list;
    for (size_t i = 0; i < unsupported.size(); ++i) list += (i ? ", " : "") + unsupported[i];
    return Unimplemented(std::string(source_) + ": " + std::to_string(unsupported.size()) +
                         (unsupported.size() == 1 ? " tensor has an" : " tensors have an") +
                         " unsupported dtype: " + list + " (kiln reads F32, F64, F16, BF16, I64, I32, BOOL)");
  }

  StatusOr<HostTensor> CopyTensor(const Entry& e) const {
    const uint8_t* src = data_ + data_start_ + e.begin;
    size_t nbytes = static_cast<size_t>(e.end - e.begin);
    if (*e.dtype->dtype == DType::kBool) {
      for (size_t i = 0; i < nbytes; ++i) {
        if (src[i] > 1) {
          return TensorErr(e.name, "BOOL element " + std::to_string(i) + " is byte " + std::to_string(src[i]) +
                                       " at file byte " + std::to_string(data_start_ + e.begin + i) +
                                       " (expected 0 or 1)");
        }
      }
    }
    HostTensor t(*e.dtype->dtype, e.sizes);
    KILN_CHECK(t.nbytes() == nbytes, "safetensors: validated span disagrees with HostTensor size");
    if (nbytes > 0) std::memcpy(t.raw_data(), src, nbytes);
    return t;
  }

  const uint8_t* data_;
  size_t size_;
  std::string_view source_;
  size_t data_start_ = 0;
  size_t data_size_ = 0;
};

}  // namespace

const char* safetensors_dtype_name(DType dtype) {
  for (const DTypeEntry& e : kDTypeTable) {
    if (e.dtype == dtype) return e.name;
  }
  return "?";
}

StatusOr<SafetensorsFile> ParseSafetensors(const uint8_t* data, size_t size, std::string_view source) {
  if (data == nullptr && size != 0) return InvalidArgument(std::string(source) + ": null data pointer");
  static const uint8_t kEmpty[1] = {0};
  return Reader(data ? data : kEmpty, size, source).Read();
}

StatusOr<SafetensorsFile> ReadSafetensors(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) return IoError("cannot open '" + path + "': " + std::strerror(errno));
  std::vector<uint8_t> bytes;
  uint8_t buf[1 << 16];
  while (true) {
    size_t n = std::fread(buf, 1, sizeof(buf), f.get());
    bytes.insert(bytes.end(), buf, buf + n);
    if (n < sizeof(buf)) break;
  }
  if (std::ferror(f.get())) return IoError("cannot read '" + path + "': " + std::strerror(errno));
  return ParseSafetensors(bytes.data(), bytes.size(), path);
}

StatusOr<std::string> SerializeSafetensors(const std::map<std::string, HostTensor>& tensors,
                                           const std::map<std::string, std::string>& metadata) {
  JsonValue header = JsonValue::Object();
  if (!metadata.empty()) {
    JsonValue meta = JsonValue::Object();
    for (const auto& [key, value] : metadata) meta.Set(key, JsonValue::String(value));
    header.Set(kMetadataKey, std::move(meta));
  }
  uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    if (name == kMetadataKey) {
      return InvalidArgument("safetensors: a tensor may not be named '__metadata__' (the format reserves it)");
    }
    JsonValue shape = JsonValue::Array();
    for (int64_t s : t.sizes()) shape.Append(JsonValue::Int(s));
    JsonValue offsets = JsonValue::Array();
    offsets.Append(JsonValue::Int(static_cast<int64_t>(offset)));
    offset += t.nbytes();
    offsets.Append(JsonValue::Int(static_cast<int64_t>(offset)));
    JsonValue entry = JsonValue::Object();
    entry.Set("dtype", JsonValue::String(safetensors_dtype_name(t.dtype())));
    entry.Set("shape", std::move(shape));
    entry.Set("data_offsets", std::move(offsets));
    header.Set(name, std::move(entry));
  }
  std::string json = WriteJson(header);
  json.append((8 - json.size() % 8) % 8, ' ');

  std::string out;
  out.reserve(kPrefixBytes + json.size() + offset);
  uint64_t n = json.size();
  for (size_t i = 0; i < kPrefixBytes; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xFF));
  out += json;
  for (const auto& [name, t] : tensors) {
    out.append(static_cast<const char*>(t.raw_data()), t.nbytes());
  }
  return out;
}

Status WriteSafetensors(const std::string& path, const std::map<std::string, HostTensor>& tensors,
                        const std::map<std::string, std::string>& metadata) {
  KILN_ASSIGN_OR_RETURN(std::string bytes, SerializeSafetensors(tensors, metadata));
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "wb"), &std::fclose);
  if (!f) return IoError("cannot open '" + path + "' for writing: " + std::strerror(errno));
  if (std::fwrite(bytes.data(), 1, bytes.size(), f.get()) != bytes.size()) {
    return IoError("cannot write '" + path + "': " + std::strerror(errno));
  }
  if (std::fclose(f.release()) != 0) return IoError("cannot write '" + path + "': " + std::strerror(errno));
  return Status::Ok();
}

}  // namespace kiln::ir
