// Reading and writing safetensors files, the weight format of `safetensors.torch.save_file`.
//
// Layout: an 8-byte little-endian u64 N, then N bytes of UTF-8 JSON (possibly padded with
// trailing spaces), then the data buffer. The JSON is an object mapping each tensor name to
// {"dtype", "shape", "data_offsets": [begin, end]} (offsets relative to the data buffer),
// plus an optional "__metadata__" object of string -> string.
//
// Supported dtypes: F32, F64, F16, BF16, I64, I32, BOOL (ir::DType's seven). The other dtypes
// of the spec (U8, I8, I16, U16, U32, U64, F8_*, ...) are recognized and reported, all at
// once, as Unimplemented; anything else is an unknown dtype (InvalidArgument).
//
// The reader trusts nothing in the file. Every malformed input is an InvalidArgument whose
// message names the file (`source`), the tensor and the offsets or values involved: a short
// file, a header length beyond the file or beyond kSafetensorsMaxHeaderBytes, a header that
// is not a JSON object, entries with missing, extra or mistyped fields, negative or
// non-integer dims, an element count that overflows, offsets that are not [begin <= end]
// inside the data buffer, a byte span that differs from numel * dtype size, overlapping
// tensors, and BOOL bytes other than 0/1. It never reads out of bounds and never allocates
// more than the file's own size for tensor data. Gaps in the data buffer (bytes no tensor
// covers) are accepted, as other readers do in practice. Data is copied into HostTensors, so
// the result does not alias the input buffer and every tensor is 64-byte aligned.
//
// The writer produces what the Python library produces for the same tensors in name order:
// tensors sorted by name with contiguous offsets in that order, "__metadata__" first and
// omitted when empty, and the header padded with spaces so the data starts at a multiple of
// 8 bytes. (The Python library additionally groups tensors by dtype alignment; both layouts
// are valid and read back identically.)
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "ir/host_tensor.h"
#include "ir/status.h"

namespace kiln::ir {

/// Headers longer than this are rejected before anything is allocated for them.
constexpr uint64_t kSafetensorsMaxHeaderBytes = 100'000'000;

/// The contents of a safetensors file.
struct SafetensorsFile {
  /// Tensors by name.
  std::map<std::string, HostTensor> tensors;
  /// The "__metadata__" object (empty when the file has none).
  std::map<std::string, std::string> metadata;
};

/// The safetensors spelling of a dtype: "F32", "F64", "F16", "BF16", "I64", "I32", "BOOL".
const char* safetensors_dtype_name(DType dtype);

/// Parses an in-memory file of `size` bytes at `data`. `source` names it in errors.
StatusOr<SafetensorsFile> ParseSafetensors(const uint8_t* data, size_t size,
                                           std::string_view source = "<buffer>");

/// Reads and parses the file at `path`. IoError naming the path if it cannot be read.
StatusOr<SafetensorsFile> ReadSafetensors(const std::string& path);

/// The bytes of a safetensors file holding `tensors` and `metadata` (see the contract above).
/// InvalidArgument if a tensor is named "__metadata__" (the format reserves it).
StatusOr<std::string> SerializeSafetensors(const std::map<std::string, HostTensor>& tensors,
                                           const std::map<std::string, std::string>& metadata = {});

/// Serializes and writes to `path`. IoError naming the path if it cannot be written.
Status WriteSafetensors(const std::string& path, const std::map<std::string, HostTensor>& tensors,
                        const std::map<std::string, std::string>& metadata = {});

}  // namespace kiln::ir
