#include "url.h"

#include <curl/curl.h>

#include "curl_handles.h"
#include "shopwatch/core/text.h"

namespace shopwatch::probes::detail {
namespace {

std::string stripBrackets(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    return std::string(host.substr(1, host.size() - 2));
  }
  return std::string(host);
}

std::optional<std::string> urlPart(CURLU* u, CURLUPart part, unsigned flags) {
  char* out = nullptr;
  if (curl_url_get(u, part, &out, flags) != CURLUE_OK) return std::nullopt;
  CurlString owned(out);
  return std::string(owned.get());
}

}  // namespace

std::optional<UrlParts> parseUrl(const std::string& url) {
  UrlHandle u(curl_url());
  if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return std::nullopt;
  auto scheme = urlPart(u.get(), CURLUPART_SCHEME, 0);
  auto host = urlPart(u.get(), CURLUPART_HOST, 0);
  auto port = urlPart(u.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  if (!scheme || !host || !port) return std::nullopt;
  return UrlParts{core::asciiLower(*scheme), core::asciiLower(stripBrackets(*host)), *port};
}

std::optional<std::string> replaceHost(const std::string& url, const std::string& host) {
  UrlHandle u(curl_url());
  if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return std::nullopt;
  if (curl_url_set(u.get(), CURLUPART_HOST, host.c_str(), 0) != CURLUE_OK) return std::nullopt;
  return urlPart(u.get(), CURLUPART_URL, 0);
}

std::optional<std::string> resolveReference(const std::string& base, const std::string& reference) {
  UrlHandle u(curl_url());
  if (!u || curl_url_set(u.get(), CURLUPART_URL, base.c_str(), 0) != CURLUE_OK) return std::nullopt;
  // On a handle that holds a URL, libcurl resolves a relative one against it (RFC 3986).
  if (curl_url_set(u.get(), CURLUPART_URL, reference.c_str(), 0) != CURLUE_OK) return std::nullopt;
  if (curl_url_set(u.get(), CURLUPART_FRAGMENT, nullptr, 0) != CURLUE_OK) return std::nullopt;
  return urlPart(u.get(), CURLUPART_URL, 0);
}

std::string bracketIfV6(const std::string& ip) {
  return ip.find(':') != std::string::npos && ip.front() != '[' ? "[" + ip + "]" : ip;
}

std::string originOf(const UrlParts& parts) {
  return parts.scheme + "://" + bracketIfV6(parts.host) + ":" + parts.port;
}

std::string hostPort(const UrlParts& parts) { return bracketIfV6(parts.host) + ":" + parts.port; }

}  // namespace shopwatch::probes::detail
