// Errors as values at every module boundary.
//
// Result<T> holds either a T or an Error. An Error carries a stable machine code
// (e.g. "config.missing_key", "aws.throttling") and a message fit to show a user.
// Callers must look at the result: the type is [[nodiscard]], and value() on an
// error aborts in every build type rather than returning garbage.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <variant>

namespace fixgate {

struct Error {
  std::string code;     // stable, dotted, machine-readable
  std::string message;  // one line a user can act on

  std::string to_string() const { return code.empty() ? message : code + ": " + message; }
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}              // NOLINT: implicit by design
  Result(Error error) : state_(std::move(error)) {}          // NOLINT: implicit by design

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { check(); return std::get<0>(state_); }
  const T& value() const& { check(); return std::get<0>(state_); }
  T&& value() && { check(); return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const {
    if (ok()) abort_with("Result::error() called on a value");
    return std::get<1>(state_);
  }

  T value_or(T fallback) const& { return ok() ? std::get<0>(state_) : std::move(fallback); }

 private:
  void check() const {
    if (!ok()) abort_with(("Result::value() called on error: " + std::get<1>(state_).to_string()).c_str());
  }
  [[noreturn]] static void abort_with(const char* what) {
    std::fprintf(stderr, "fixgate: fatal: %s\n", what);
    std::abort();
  }
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), failed_(true) {}  // NOLINT: implicit by design

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const Error& error() const {
    if (!failed_) {
      std::fprintf(stderr, "fixgate: fatal: Result<void>::error() called on success\n");
      std::abort();
    }
    return error_;
  }

 private:
  Error error_;
  bool failed_ = false;
};

inline Error make_error(std::string code, std::string message) {
  return Error{std::move(code), std::move(message)};
}

}  // namespace fixgate
