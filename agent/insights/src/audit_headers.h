#pragma once
// Header, URL and text helpers of the response audits (audits.h). Private to agent/insights.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shopwatch/agent/insights/page_audit.h"
#include "shopwatch/core/clock.h"

namespace shopwatch::agent::insights::detail {

/// The first value of header `name` (case-insensitive), or nullopt when it was not sent.
std::optional<std::string_view> headerValue(const FetchedResource& r, std::string_view name);
/// Every value of header `name`, in order (Set-Cookie comes once per cookie).
std::vector<std::string_view> headerValues(const FetchedResource& r, std::string_view name);

/// The Content-Type's media type, lower-case, without parameters ("" when not sent).
std::string mediaType(const FetchedResource& r);
/// The share of bytes gzip is expected to save for a text media type; 0 for a non-text type.
double compressionRatio(std::string_view media_type);
/// Whether a Content-Encoding value names a real compression (gzip, br, zstd, deflate).
bool isCompressedEncoding(std::string_view content_encoding);

/// A stylesheet, script, image or font, by kind or (for Other) by content type.
bool isStaticAsset(const FetchedResource& r);
/// An image, by kind or by content type.
bool isImage(const FetchedResource& r);
/// A response was received: no transport error and a status.
bool received(const FetchedResource& r);
/// A 2xx response.
bool successful(const FetchedResource& r);

struct CacheControl {
  bool no_store = false;
  bool no_cache = false;
  std::optional<std::int64_t> max_age;
  std::optional<std::int64_t> s_maxage;
};
/// Parses a Cache-Control value; unknown directives and malformed numbers are ignored.
CacheControl parseCacheControl(std::string_view value);

/// Parses an HTTP date (IMF-fixdate, RFC 850 or asctime); nullopt when malformed (Expires: 0).
std::optional<core::SystemTime> parseHttpDate(std::string_view text);

/// How long a response may be reused: max-age, else s-maxage, else Expires − Date (or −
/// fetched_at). nullopt: nothing was sent, or Expires was malformed. Negative when Expires is in
/// the past.
std::optional<std::chrono::seconds> freshnessLifetime(const FetchedResource& r);

/// The cookie names a response sets (the part of each Set-Cookie before '='); never the values.
std::vector<std::string> cookieNames(const FetchedResource& r);

/// "host[:port]" of an absolute URL, lower-case, without userinfo; "" when there is none.
std::string urlHost(std::string_view url);
/// Whether the URL's scheme is https.
bool isHttpsUrl(std::string_view url);
/// Whether a fetch error names TLS or certificate verification.
bool isTlsError(std::string_view error);

/// "900 B", "412 KiB", "1.4 MiB".
std::string formatBytes(std::uint64_t bytes);
/// "340 ms", "1.42 s".
std::string formatSeconds(double seconds);
/// Milliseconds rounded to 0.1.
double roundedMs(core::Micros d);

}  // namespace shopwatch::agent::insights::detail
