// kiln::Error: what the frontend's public API throws, as torch's C++ API throws c10::Error.
//
// Messages name the module path and the shapes involved, e.g.
// "layer1.0.conv1 (Conv2d): expected input with 64 channels, got 3".
#pragma once

#include <stdexcept>
#include <string>

#include "ir/status.h"

namespace kiln {

/// The exception of kiln's frontend API.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

/// Throws kiln::Error with the status message (prefixed by `context` if given) unless OK.
void throw_if_error(const Status& status, const std::string& context = "");

/// Unwraps a StatusOr or throws kiln::Error.
template <typename T>
T value_or_throw(StatusOr<T> v, const std::string& context = "") {
  throw_if_error(v.status(), context);
  return std::move(v).value();
}

}  // namespace kiln
