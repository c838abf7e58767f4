#pragma once
// URL helpers over libcurl's URL API (one parser for every URL the engine handles).

#include <optional>
#include <string>
#include <string_view>

namespace shopwatch::probes::detail {

struct UrlParts {
  std::string scheme;  ///< lower-case
  std::string host;    ///< lower-case, without IPv6 brackets
  std::string port;    ///< explicit or the scheme's default
};

std::optional<UrlParts> parseUrl(const std::string& url);
/// `url` with its host replaced by `host`; nullopt when either does not parse.
std::optional<std::string> replaceHost(const std::string& url, const std::string& host);

/// `reference` (absolute, scheme-relative, path-absolute or relative) resolved against the
/// absolute URL `base`, without its fragment; nullopt when either does not parse.
std::optional<std::string> resolveReference(const std::string& base, const std::string& reference);

/// "[::1]" for an IPv6 literal, the text unchanged otherwise.
std::string bracketIfV6(const std::string& ip);
/// "scheme://host:port" (IPv6 bracketed): what an origin is compared by.
std::string originOf(const UrlParts& parts);
/// "host:port" (IPv6 bracketed): the key of per-host limits and the target named in messages.
std::string hostPort(const UrlParts& parts);

}  // namespace shopwatch::probes::detail
