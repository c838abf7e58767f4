#pragma once
/// Result<T> / Error: expected runtime failures as values (STYLE.md, "Errors and ownership").

#include <string>
#include <utility>
#include <variant>

namespace shopwatch::core {

enum class ErrorCode {
  Invalid,       ///< bad input: config, arguments, data
  NotFound,
  Io,            ///< file system / database I/O
  Unavailable,   ///< a remote or a resource is temporarily unusable
  Internal,      ///< a bug of ours
};

struct Error {
  ErrorCode code = ErrorCode::Internal;
  std::string message;
};

/// Either a value or an Error. `explicit operator bool` is true when it holds a value.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}            // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}        // NOLINT(google-explicit-constructor)

  explicit operator bool() const { return v_.index() == 0; }
  bool ok() const { return v_.index() == 0; }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

/// Result of an operation without a value.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT(google-explicit-constructor)
  explicit operator bool() const { return ok_; }
  bool ok() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

inline Error makeError(ErrorCode code, std::string message) { return Error{code, std::move(message)}; }

}  // namespace shopwatch::core
