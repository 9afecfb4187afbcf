// Status and StatusOr: how the compiler (ir/, passes/, codegen/) reports failure.
//
// The compiler never throws and never aborts on bad input: every fallible function returns a
// Status (or a StatusOr<T> carrying a value) whose message names what was wrong and where
// (op, node, shapes, line:column, file offset). The frontend converts a failed Status into a
// kiln::Error at its public API; the runtime's C ABI into a status code + kiln_last_error().
#pragma once

#include <cstdlib>
#include <cstdio>
#include <optional>
#include <string>
#include <utility>

namespace kiln {

/// Broad classes of failure. The message carries the detail.
enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  ///< malformed input: bad graph, bad attribute, bad file contents
  kNotFound,         ///< a named thing (file, weight, op, pass) does not exist
  kUnimplemented,    ///< valid input that kiln does not support (yet)
  kIoError,          ///< reading or writing a file failed
  kInternal,         ///< a bug in kiln
};

/// The name of a status code, e.g. "invalid argument".
const char* status_code_name(StatusCode code);

/// The result of a fallible operation: OK, or a code and a message.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  /// "invalid argument: <message>", or "ok".
  std::string ToString() const;

  /// Returns a copy whose message is prefixed with `context + ": "`.
  Status WithContext(const std::string& context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string msg) { return Status(StatusCode::kInvalidArgument, std::move(msg)); }
inline Status NotFound(std::string msg) { return Status(StatusCode::kNotFound, std::move(msg)); }
inline Status Unimplemented(std::string msg) { return Status(StatusCode::kUnimplemented, std::move(msg)); }
inline Status IoError(std::string msg) { return Status(StatusCode::kIoError, std::move(msg)); }
inline Status Internal(std::string msg) { return Status(StatusCode::kInternal, std::move(msg)); }

/// A value of type T, or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(const Status& status) : status_(status) {  // NOLINT: implicit by design
    if (status_.ok()) status_ = Internal("StatusOr constructed from an OK status without a value");
  }
  StatusOr(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  /// The value. Calling these on an error is a bug in kiln and aborts with the message.
  T& value() & { check(); return *value_; }
  const T& value() const& { check(); return *value_; }
  T&& value() && { check(); return std::move(*value_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  void check() const {
    if (!value_) {
      std::fprintf(stderr, "kiln: internal error: value() of a failed StatusOr: %s\n",
                   status_.ToString().c_str());
      std::abort();
    }
  }
  Status status_;
  std::optional<T> value_;
};

}  // namespace kiln

/// Returns early from the enclosing function when `expr` (a Status) is not OK.
#define KILN_RETURN_IF_ERROR(expr)                \
  do {                                            \
    ::kiln::Status kiln_status_ = (expr);         \
    if (!kiln_status_.ok()) return kiln_status_;  \
  } while (0)

#define KILN_CONCAT_INNER_(a, b) a##b
#define KILN_CONCAT_(a, b) KILN_CONCAT_INNER_(a, b)

/// `KILN_ASSIGN_OR_RETURN(auto x, StatusOrExpr())`: unwraps the value or returns the error.
#define KILN_ASSIGN_OR_RETURN(lhs, expr) \
  KILN_ASSIGN_OR_RETURN_IMPL_(KILN_CONCAT_(kiln_statusor_, __LINE__), lhs, expr)
#define KILN_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(tmp).value()

/// Checks an internal invariant (never user input): a failure is a bug in kiln, so it aborts
/// with the file, line and message instead of continuing with corrupt state.
#define KILN_CHECK(cond, msg)                                                             \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      std::fprintf(stderr, "kiln: internal error at %s:%d: %s (%s)\n", __FILE__, __LINE__, \
                   std::string(msg).c_str(), #cond);                                      \
      std::abort();                                                                       \
    }                                                                                     \
  } while (0)
