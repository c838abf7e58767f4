#pragma once
/// HTTP basic auth against bcrypt hashes (`web.basic_auth_users`), built so that bcrypt cannot be
/// used to burn the CPU: verified credentials are cached (SHA-256 of user:password, bounded, with a
/// TTL) so repeated good requests cost no bcrypt; failures are cached the same way (in their own
/// bounded cache, so a flood of bad passwords cannot evict good entries); and at most
/// `max_concurrent` bcrypt verifications run at once — further uncached requests are answered
/// "busy" (429) at once instead of queueing on the io threads. Passwords are never logged or kept
/// (only their digests). Private to agent/http.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "shopwatch/agent/http/http_server.h"

namespace shopwatch::agent::http::detail {

struct BasicAuthOptions {
  std::map<std::string, std::string> users;  ///< user → bcrypt hash ($2a$/$2b$/$2y$)
  std::size_t cache_size = 1024;             ///< verified credentials kept
  std::chrono::seconds cache_ttl{300};      ///< since the last use (each hit renews it)
  std::size_t failure_cache_size = 1024;     ///< refused credentials kept
  std::chrono::seconds failure_ttl{60};
  /// bcrypt verifications at once (each takes a core for ~50-100 ms at cost 10). The agent's server
  /// has two io threads: one stays free for scrapes and /healthz.
  std::size_t max_concurrent = 1;
};

class BasicAuthenticator {
 public:
  enum class Outcome { Allowed, Denied, Busy };

  explicit BasicAuthenticator(BasicAuthOptions options);
  ~BasicAuthenticator();
  BasicAuthenticator(const BasicAuthenticator&) = delete;
  BasicAuthenticator& operator=(const BasicAuthenticator&) = delete;
  BasicAuthenticator(BasicAuthenticator&&) = delete;
  BasicAuthenticator& operator=(BasicAuthenticator&&) = delete;

  /// Checks an `Authorization` header value ("" when absent). Thread-safe.
  Outcome check(std::string_view authorization);
  /// bcrypt verifications run so far (the cache's test hook).
  std::size_t bcryptCalls() const { return bcrypt_calls_.load(); }

 private:
  struct Cache;
  bool verify(const std::string& user, const std::string& password);

  BasicAuthOptions options_;
  std::unique_ptr<Cache> good_;
  std::unique_ptr<Cache> bad_;
  std::atomic<std::size_t> in_flight_{0};
  std::atomic<std::size_t> bcrypt_calls_{0};
};

/// The (user, password) of a `Basic <base64>` value; false when it is not one.
bool parseBasicCredentials(std::string_view authorization, std::string& user, std::string& password);

/// The server's request gate for basic auth: `/healthz` is open; a request to the maintenance API's
/// write routes (POST /api/v1/maintenance, DELETE /api/v1/maintenance/{id}) that carries a bearer
/// credential passes to the route, which checks the token (agent.api_token) — the bearer token
/// stands in for basic credentials there. Everything else needs valid basic credentials: 401 with
/// `WWW-Authenticate: Basic realm="shopwatch"`, or 429 with `Retry-After: 1` while the bcrypt slots
/// are taken.
RequestGate basicAuthGate(std::shared_ptr<BasicAuthenticator> authenticator);

}  // namespace shopwatch::agent::http::detail
