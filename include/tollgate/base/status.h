#pragma once
// Status and StatusOr: the error currency of every module (after leveldb's Status and
// abseil's StatusOr). No exception crosses a module boundary; adapters turn library
// exceptions into a Status with context.

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace tollgate {

/// The short list of error kinds a Status can carry.
enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // bad input from a user file or the command line
  kNotFound,            // a named thing does not exist
  kFailedPrecondition,  // the operation does not apply in the current state
  kUnavailable,         // a peer could not be reached or refused
  kDeadlineExceeded,    // a timeout elapsed
  kPermissionDenied,    // refused by policy
  kInternal,            // a bug or an unexpected library failure
  kUnimplemented,       // recognised but not built yet
};

/// Name of a code, for messages ("invalid argument").
const char* StatusCodeName(StatusCode code);

/// An outcome: OK, or a code with a message. Cheap to copy; thread-compatible.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  /// The OK status.
  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  /// "code: message", for logs and tests.
  std::string ToString() const;
  /// A copy with "context: " put before the message.
  Status WithContext(const std::string& context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

/// Shorthands for the common codes.
Status InvalidArgumentError(std::string message);
Status NotFoundError(std::string message);
Status FailedPreconditionError(std::string message);
Status UnavailableError(std::string message);
Status DeadlineExceededError(std::string message);
Status PermissionDeniedError(std::string message);
Status InternalError(std::string message);
Status UnimplementedError(std::string message);

/// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  StatusOr(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    if (status_.ok()) status_ = InternalError("StatusOr constructed from an OK status");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace tollgate

#define TOLLGATE_CONCAT_INNER(a, b) a##b
#define TOLLGATE_CONCAT(a, b) TOLLGATE_CONCAT_INNER(a, b)

/// Returns the Status of `expr` from the enclosing function when it is not OK.
#define RETURN_IF_ERROR(expr)        \
  do {                               \
    ::tollgate::Status _st = (expr); \
    if (!_st.ok()) return _st;       \
  } while (0)

#define TOLLGATE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.ok()) return tmp.status();                  \
  lhs = std::move(tmp).value()

/// `ASSIGN_OR_RETURN(auto x, F());` binds the value or returns the Status.
#define ASSIGN_OR_RETURN(lhs, expr) \
  TOLLGATE_ASSIGN_OR_RETURN_IMPL(TOLLGATE_CONCAT(_status_or_, __LINE__), lhs, expr)
