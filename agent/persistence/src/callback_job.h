#pragma once
// What the persistence jobs share: a WriteJob that reports its outcome to an optional callback, and
// error prefixing that keeps the code (the writer tells retryable failures by
// ErrorCode::Unavailable).

#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "shopwatch/core/result.h"
#include "shopwatch/storage/database.h"

namespace shopwatch::agent::persistence::detail {

class CallbackJob : public storage::WriteJob {
 public:
  explicit CallbackJob(std::function<void(const core::Status&)> done) : done_(std::move(done)) {}
  void done(const core::Status& outcome) final {
    if (done_) done_(outcome);
  }

 private:
  std::function<void(const core::Status&)> done_;
};

inline core::Error prefixed(const core::Error& e, std::string_view what) {
  return core::makeError(e.code, std::string(what) + ": " + e.message);
}

}  // namespace shopwatch::agent::persistence::detail
