#include "audit_headers.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "shopwatch/agent/insights/audits.h"
#include "shopwatch/core/text.h"

namespace shopwatch::agent::insights::detail {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<std::int64_t> parseSeconds(std::string_view text) {
  text = trim(text);
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"')
    text = text.substr(1, text.size() - 2);
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range && !text.empty() && text.front() != '-')
    return std::int64_t{1}
           << 31;  // RFC 9111 §1.2.2: an overflowing delta-seconds means "very long"
  if (ec != std::errc{} || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

std::optional<int> parseInt(std::string_view text) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<unsigned> monthNumber(std::string_view name) {
  static constexpr std::array<std::string_view, 12> kMonths{
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  const std::string lower = core::asciiLower(name);
  for (unsigned i = 0; i < kMonths.size(); ++i)
    if (lower == kMonths[i]) return i + 1;
  return std::nullopt;
}

std::optional<core::SystemTime> makeTime(int year, std::string_view month, std::string_view day,
                                         std::string_view clock) {
  const auto m = monthNumber(month);
  const auto d = parseInt(day);
  if (!m || !d || clock.size() != 8 || clock[2] != ':' || clock[5] != ':') return std::nullopt;
  const auto hh = parseInt(clock.substr(0, 2));
  const auto mm = parseInt(clock.substr(3, 2));
  const auto ss = parseInt(clock.substr(6, 2));
  if (!hh || !mm || !ss || *hh > 23 || *mm > 59 || *ss > 60) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{*m},
                                        std::chrono::day{static_cast<unsigned>(*d)}};
  if (!ymd.ok()) return std::nullopt;
  const auto t = std::chrono::sys_days{ymd} + std::chrono::hours{*hh} + std::chrono::minutes{*mm} +
                 std::chrono::seconds{*ss};
  return std::chrono::time_point_cast<std::chrono::microseconds>(t);
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  while (true) {
    const auto pos = s.find(sep);
    const auto part = trim(s.substr(0, pos));
    if (!part.empty()) parts.push_back(part);
    if (pos == std::string_view::npos) break;
    s.remove_prefix(pos + 1);
  }
  return parts;
}

}  // namespace

std::optional<std::string_view> headerValue(const FetchedResource& r, std::string_view name) {
  for (const auto& [n, v] : r.headers)
    if (core::asciiIEquals(n, name)) return std::string_view{v};
  return std::nullopt;
}

std::vector<std::string_view> headerValues(const FetchedResource& r, std::string_view name) {
  std::vector<std::string_view> values;
  for (const auto& [n, v] : r.headers)
    if (core::asciiIEquals(n, name)) values.emplace_back(v);
  return values;
}

std::string mediaType(const FetchedResource& r) {
  const auto value = headerValue(r, "content-type");
  if (!value) return {};
  return core::asciiLower(trim(value->substr(0, value->find(';'))));
}

double compressionRatio(std::string_view type) {
  static constexpr std::array<std::string_view, 9> kMarkup{
      "text/html",       "text/css",         "application/javascript",
      "text/javascript", "application/json", "image/svg+xml",
      "application/xml", "text/xml",         "application/xhtml+xml"};
  for (const auto t : kMarkup)
    if (type == t) return kCompressionRatioMarkup;
  if (type.ends_with("+json") || type.ends_with("+xml")) return kCompressionRatioMarkup;
  if (type.starts_with("text/")) return kCompressionRatioPlain;
  return 0;
}

bool isCompressedEncoding(std::string_view content_encoding) {
  for (const auto coding : split(content_encoding, ',')) {
    const std::string c = core::asciiLower(coding);
    if (c == "gzip" || c == "x-gzip" || c == "br" || c == "zstd" || c == "deflate") return true;
  }
  return false;
}

bool isImage(const FetchedResource& r) {
  return r.kind == ResourceKind::Image || mediaType(r).starts_with("image/");
}

bool isStaticAsset(const FetchedResource& r) {
  switch (r.kind) {
    case ResourceKind::Stylesheet:
    case ResourceKind::Script:
    case ResourceKind::Image:
    case ResourceKind::Font:
      return true;
    case ResourceKind::Page:
      return false;
    default:
      break;
  }
  const std::string type = mediaType(r);
  return type == "text/css" || type == "application/javascript" || type == "text/javascript" ||
         type.starts_with("image/") || type.starts_with("font/") || type == "application/font-woff";
}

bool received(const FetchedResource& r) { return r.error.empty() && r.status != 0; }

bool successful(const FetchedResource& r) {
  return received(r) && r.status >= 200 && r.status < 300;
}

CacheControl parseCacheControl(std::string_view value) {
  CacheControl cc;
  for (const auto directive : split(value, ',')) {
    const auto eq = directive.find('=');
    const std::string name = core::asciiLower(trim(directive.substr(0, eq)));
    const std::string_view arg =
        eq == std::string_view::npos ? std::string_view{} : directive.substr(eq + 1);
    if (name == "no-store")
      cc.no_store = true;
    else if (name == "no-cache")
      cc.no_cache = true;
    else if (name == "max-age")
      cc.max_age = parseSeconds(arg);
    else if (name == "s-maxage")
      cc.s_maxage = parseSeconds(arg);
  }
  return cc;
}

std::optional<core::SystemTime> parseHttpDate(std::string_view text) {
  text = trim(text);
  std::vector<std::string_view> f = split(text, ' ');
  if (f.size() == 6 && f[5] == "GMT") {  // Sun, 06 Nov 1994 08:49:37 GMT
    const auto year = parseInt(f[3]);
    if (!year) return std::nullopt;
    return makeTime(*year, f[2], f[1], f[4]);
  }
  if (f.size() == 4 && f[3] == "GMT") {  // Sunday, 06-Nov-94 08:49:37 GMT
    const auto dmy = split(f[1], '-');
    if (dmy.size() != 3) return std::nullopt;
    auto year = parseInt(dmy[2]);
    if (!year) return std::nullopt;
    if (dmy[2].size() == 2) *year += *year < 70 ? 2000 : 1900;  // RFC 9110 §5.6.7
    return makeTime(*year, dmy[1], dmy[0], f[2]);
  }
  if (f.size() == 5) {  // Sun Nov  6 08:49:37 1994 (split() drops the double space)
    const auto year = parseInt(f[4]);
    if (!year) return std::nullopt;
    return makeTime(*year, f[1], f[2], f[3]);
  }
  return std::nullopt;
}

std::optional<std::chrono::seconds> freshnessLifetime(const FetchedResource& r) {
  if (const auto cc = headerValue(r, "cache-control")) {
    const CacheControl parsed = parseCacheControl(*cc);
    if (parsed.max_age) return std::chrono::seconds{*parsed.max_age};
    if (parsed.s_maxage) return std::chrono::seconds{*parsed.s_maxage};
  }
  const auto expires_header = headerValue(r, "expires");
  if (!expires_header) return std::nullopt;
  // RFC 9111 §5.3: a malformed Expires ("0", "-1") means already expired.
  const auto expires = parseHttpDate(*expires_header);
  if (!expires) return std::chrono::seconds{-1};
  core::SystemTime base = r.fetched_at;
  if (const auto date_header = headerValue(r, "date"))
    if (const auto date = parseHttpDate(*date_header)) base = *date;
  return std::chrono::duration_cast<std::chrono::seconds>(*expires - base);
}

std::vector<std::string> cookieNames(const FetchedResource& r) {
  std::vector<std::string> names;
  for (const auto value : headerValues(r, "set-cookie")) {
    const auto name = trim(value.substr(0, std::min(value.find('='), value.find(';'))));
    names.emplace_back(name.empty() ? "(unnamed)" : name);
  }
  return names;
}

std::string urlHost(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return {};
  auto authority = url.substr(scheme_end + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (const auto at = authority.rfind('@'); at != std::string_view::npos)
    authority.remove_prefix(at + 1);
  return core::asciiLower(authority);
}

bool isHttpsUrl(std::string_view url) { return core::asciiLower(url.substr(0, 8)) == "https://"; }

bool isTlsError(std::string_view error) {
  const std::string lower = core::asciiLower(error);
  for (const std::string_view word : {"tls", "ssl", "certificate", "x509", "handshake"})
    if (lower.find(word) != std::string::npos) return true;
  return false;
}

std::string formatBytes(std::uint64_t bytes) { return core::shortBytes(bytes); }

std::string formatSeconds(double seconds) { return core::shortSeconds(seconds); }

double roundedMs(core::Micros d) {
  return std::round(static_cast<double>(d.count()) / 100.0) / 10.0;
}

}  // namespace shopwatch::agent::insights::detail
