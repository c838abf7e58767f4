#pragma once
/// One HTTP request and what its response must show: the part of a check the engine's transfers see
/// (a plain check has one, a journey one per step).

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "shopwatch/core/duration.h"

namespace shopwatch::core {

enum class IpVersion { Any, V4, V6 };

/// One `expect.json` entry: `path` is an RFC 6901 JSON pointer; values are JSON literals as text.
struct JsonExpectation {
  enum class Op { Equals, OneOf, Exists, Gt, Lt };
  std::string path;
  Op op = Op::Exists;
  std::string value;                ///< Equals: JSON literal text ("\"EUR\"", "3", "true")
  std::vector<std::string> values;  ///< OneOf: JSON literal texts
  bool exists = true;               ///< Exists: whether the pointer must resolve
  double number = 0;                ///< Gt / Lt
};

/// What a response must show to pass.
struct Expectations {
  /// Accepted status codes as inclusive ranges; empty means 200..299 (core/status_set.h parses them).
  std::vector<std::pair<int, int>> status;
  std::optional<std::string> body_contains;
  std::optional<std::string> body_not_contains;
  std::optional<std::string> body_regex;  ///< RE2 syntax, never std::regex
  /// Response header name (case-insensitive) → RE2 the value must partially match.
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<JsonExpectation> json;
  std::optional<Micros> max_duration;
};

struct TlsOptions {
  bool verify = true;
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  std::string server_name;  ///< SNI / verification name override; empty: from the URL
};

struct BasicAuth {
  std::string user;
  std::string password;
};

/// What to send, and the transport limits of one request (redirects are followed within it).
struct HttpRequest {
  std::string method = "GET";
  std::string url;  ///< absolute http:// or https:// URL
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::optional<BasicAuth> basic_auth;
  std::optional<std::string> bearer_token;
  std::string proxy;
  /// host → IP, as curl --resolve (the port is taken from the URL).
  std::vector<std::pair<std::string, std::string>> resolve;
  IpVersion ip_version = IpVersion::Any;
  std::string user_agent = "shopwatch";
  bool follow_redirects = true;
  int max_redirects = 10;
  TlsOptions tls;
  std::uint64_t max_body = 10ull * 1024 * 1024;
  /// This request's own limit; the run's (Schedule::timeout) bounds it too.
  Micros timeout = std::chrono::seconds{10};
  /// Record the final response (ProbeResult::captured): headers, HTTP version, the decoded body
  /// (up to max_body), its wire size and the redirect chain. For the response audits; checks leave
  /// it off (it costs nothing then). The engine's contract is in probes/http_probe_engine.h.
  bool capture = false;
};

}  // namespace shopwatch::core
