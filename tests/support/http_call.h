#pragma once
// One libcurl call for the tests' own direct HTTP (the platform fakes' contracts): no redirects
// followed unless asked, every response header kept (names lower-case), a transport failure
// REQUIREd away. Catch2 is needed: the call REQUIREs that curl performed it.

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace shopwatch::test {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;  ///< name, value

inline constexpr const char* kFormContentType = "application/x-www-form-urlencoded";

struct HttpReply {
  long status = 0;
  std::multimap<std::string, std::string> headers;  ///< of the last response; names lower-case
  std::string body;

  /// The body as JSON; a discarded value (not an exception) when it is none.
  nlohmann::json json() const;
  /// The first header `name` (any case), "" if none.
  std::string header(const std::string& name) const;
  /// Every header `name` (any case), in the order received.
  std::vector<std::string> all(const std::string& name) const;
  /// The value of cookie `name` as a Set-Cookie header sets it, "" if none does.
  std::string cookie(const std::string& name) const;
  /// Whether a Set-Cookie header sets cookie `name`.
  bool setsCookie(const std::string& name) const;
};

struct HttpOptions {
  /// Sent as Content-Type with a non-empty body; "" leaves it to curl (form-urlencoded).
  std::string content_type = "application/json";
  /// Sent as the Cookie header ("a=1; b=2") when not empty.
  std::string cookie;
  bool follow_redirects = false;
  long timeout_seconds = 10;
};

/// `method` to `url`. A POST, or any call with a non-empty `body`, sends `body`; `headers` are
/// sent as given.
HttpReply httpCall(const std::string& method, const std::string& url, const std::string& body = "",
                   const HttpHeaders& headers = {}, const HttpOptions& options = {});

}  // namespace shopwatch::test
