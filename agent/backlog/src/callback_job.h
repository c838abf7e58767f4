#pragma once
// What the backlog's write jobs share: a WriteJob that reports its outcome to an optional callback,
// and error prefixing that keeps the code (the writer tells retryable failures by
// ErrorCode::Unavailable).

#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "shopwatch/core/result.h"
#include "shopwatch/storage/database.h"

namespace shopwatch::agent::backlog::detail {

class CallbackJob : public storage::WriteJob {
 public:
  explicit CallbackJob(std::function<void(const core::Status&)> done) : done_(std::move(done)) {}
  void done(const core::Status& outcome) final {
    if (done_) done_(outcome);
  }

 private:
  std::function<void(const core::Status&)> done_;
};

/// A job whose whole work is one function over the writer's Db.
class FunctionJob final : public CallbackJob {
 public:
  FunctionJob(std::function<core::Status(storage::Db&)> apply,
              std::function<void(const core::Status&)> done)
      : CallbackJob(std::move(done)), apply_(std::move(apply)) {}
  core::Status apply(storage::Db& db) override { return apply_(db); }

 private:
  std::function<core::Status(storage::Db&)> apply_;
};

inline core::Error prefixed(const core::Error& e, std::string_view what) {
  return core::makeError(e.code, std::string(what) + ": " + e.message);
}

}  // namespace shopwatch::agent::backlog::detail
