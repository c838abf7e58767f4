#pragma once
/// A small blocking HTTP client over libcurl's easy interface for the backlog sinks (they run on the
/// outbox thread). One request at a time per client; connections are reused. Never follows redirects,
/// never asks for a proxy from the environment unless configured, and never logs headers or bodies.

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "shopwatch/core/clock.h"
#include "shopwatch/core/duration.h"

namespace shopwatch::agent::backlog {

/// One request. `method` is sent as written (GET, POST, PUT, DELETE, HEAD); `body` goes out with
/// every method but GET and HEAD (an empty body as `Content-Length: 0`). Callers set Content-Type.
struct HttpCall {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  core::Micros timeout{std::chrono::seconds{15}};  ///< the whole exchange, connect included
};

struct HttpReply {
  int status = 0;                  ///< 0: no answer (see error)
  /// Names lower-cased; repeated ones joined by ", ".
  std::map<std::string, std::string> headers;
  std::string body;                ///< at most kMaxReplyBody bytes (more is an error, status 0)
  std::string error;               ///< curl's words when status is 0
  bool sent = false;               ///< the request went out completely (an answer may still be missing)
};

/// Replies larger than this are cut off and reported as an error (status 0).
inline constexpr std::size_t kMaxReplyBody = 4 * 1024 * 1024;

/// One libcurl easy handle, reused so connections are kept alive between calls. Not thread-safe:
/// one call at a time (the outbox thread). curl_global_init must have run (main does it).
class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;
  HttpClient(HttpClient&&) = delete;
  HttpClient& operator=(HttpClient&&) = delete;
  /// Blocks for at most `call.timeout`. Never throws: a failure is a reply with status 0, curl's
  /// words in `error`, and `sent` telling whether the request had gone out completely (a timeout
  /// after sending is `sent && status == 0`: the outcome is unknown). Only http and https URLs.
  HttpReply perform(const HttpCall& call);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// `Retry-After` as seconds or an HTTP date, relative to now; empty when absent or unreadable.
std::optional<core::Micros> parseRetryAfter(const HttpReply& reply);
/// The same relative to `now` (a date in the past gives 0).
std::optional<core::Micros> parseRetryAfter(const HttpReply& reply, core::SystemTime now);

}  // namespace shopwatch::agent::backlog
