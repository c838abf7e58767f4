// The request keys of a check: what to send and the transport limits.
#include <algorithm>
#include <array>
#include <cctype>

#include "check_appliers.h"
#include "shopwatch/core/text.h"

namespace shopwatch::agent::detail {
namespace {

/// Sets `key` in an ordered list of pairs, replacing an existing entry (compared with `same`).
template <typename Same>
void upsert(std::vector<std::pair<std::string, std::string>>& list, std::string key,
            std::string value, Same same) {
  for (auto& entry : list) {
    if (same(entry.first, key)) {
      entry.second = std::move(value);
      return;
    }
  }
  list.emplace_back(std::move(key), std::move(value));
}

}  // namespace

bool validToken(std::string_view s) {
  auto token_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  };
  return !s.empty() && std::all_of(s.begin(), s.end(), token_char);
}

bool validHttpUrl(std::string_view url, std::string& error) {
  const std::size_t scheme_end = url.find("://");
  const std::string scheme =
      core::asciiLower(url.substr(0, scheme_end == std::string_view::npos ? 0 : scheme_end));
  if (scheme_end == std::string_view::npos || (scheme != "http" && scheme != "https")) {
    error = "`" + std::string(url) + "` is not an http:// or https:// URL";
    return false;
  }
  std::string_view rest = url.substr(scheme_end + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (auto at = authority.rfind('@'); at != std::string_view::npos)
    authority = authority.substr(at + 1);
  if (authority.empty() || authority.front() == ':') {
    error = "`" + std::string(url) + "` has no host";
    return false;
  }
  if (url.find_first_of(" \t\r\n") != std::string_view::npos) {
    error = "URLs must not contain spaces or line breaks (encode them as %20)";
    return false;
  }
  return true;
}

void applyMethod(ParseContext& ctx, const MapEntry& e, CheckDraft& d) {
  auto raw = ctx.scalar(e.value, e.path, "an HTTP method");
  if (!raw) return;
  std::string method = *raw;
  for (char& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (method.empty() ||
      !std::all_of(method.begin(), method.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
    ctx.report(e.value, e.path, "invalid HTTP method `" + *raw + "`");
    return;
  }
  d.request().method = method;
}

void applyHeaders(ParseContext& ctx, const MapEntry& e, CheckDraft& d) {
  if (!e.value.IsMap()) {
    ctx.report(e.value, e.path, "expected a map of header name to value");
    return;
  }
  for (const auto& pair : e.value) {
    const std::string key = pair.first.IsScalar() ? pair.first.Scalar() : std::string();
    const std::string path = ParseContext::child(e.path, key);
    if (!validToken(key)) {
      ctx.report(pair.first, path, "invalid header name `" + key + "`");
      continue;
    }
    auto value = ctx.string(pair.second, path, &d.secrets());
    if (!value) continue;
    if (value->find_first_of("\r\n") != std::string::npos) {
      ctx.report(pair.second, path, "header values must not contain line breaks");
      continue;
    }
    upsert(d.request().headers, key, *value, core::asciiIEquals);
  }
}

void applyResolve(ParseContext& ctx, const MapEntry& e, CheckDraft& d) {
  if (!e.value.IsMap()) {
    ctx.report(e.value, e.path,
               "expected a map of host name to IP address (\"shop.example\": 127.0.0.1)");
    return;
  }
  for (const auto& pair : e.value) {
    const std::string key = pair.first.IsScalar() ? pair.first.Scalar() : std::string();
    const std::string path = ParseContext::child(e.path, key);
    if (key.empty() || key.find_first_of(":/ \t[]") != std::string::npos) {
      ctx.report(pair.first, path, "invalid host name `" + key + "`");
      continue;
    }
    auto ip = ctx.scalar(pair.second, path, "an IP address");
    if (!ip) continue;
    std::string address = *ip;
    if (address.size() > 2 && address.front() == '[' && address.back() == ']') {
      address = address.substr(1, address.size() - 2);
    }
    if (!core::isIpLiteral(address)) {
      ctx.report(pair.second, path, "`" + *ip + "` is not an IPv4 or IPv6 address");
      continue;
    }
    upsert(d.request().resolve, core::asciiLower(key), address,
           [](const std::string& a, const std::string& b) { return a == b; });
  }
}

void applyBody(ParseContext& ctx, const MapEntry& e, CheckDraft& d) {
  if (auto v = ctx.string(e.value, e.path, &d.secrets())) d.request().body = *v;
}

void applyProxy(ParseContext& ctx, const MapEntry& e, CheckDraft& d) {
  auto v = ctx.string(e.value, e.path, &d.secrets());
  if (!v) return;
  if (auto sep = v->find("://"); sep != std::string::npos) {
    static constexpr std::array<std::string_view, 6> kSchemes = {"http",    "https",  "socks4",
                                                                 "socks4a", "socks5", "socks5h"};
    if (std::find(kSchemes.begin(), kSchemes.end(), v->substr(0, sep)) == kSchemes.end()) {
      ctx.report(
          e.value, e.path,
          "unsupported proxy scheme `" + v->substr(0, sep) + "` (use " + quoteList(kSchemes) + ")");
      return;
    }
  }
  d.request().proxy = *v;
}

void applyIpVersion(ParseContext& ctx, const MapEntry& e, CheckDraft& d) {
  auto v = ctx.scalar(e.value, e.path, "any, 4 or 6");
  if (!v) return;
  if (*v == "any")
    d.request().ip_version = core::IpVersion::Any;
  else if (*v == "4")
    d.request().ip_version = core::IpVersion::V4;
  else if (*v == "6")
    d.request().ip_version = core::IpVersion::V6;
  else
    ctx.report(e.value, e.path, "expected `any`, `4` or `6`, got `" + *v + "`");
}

void applyUserAgent(ParseContext& ctx, const MapEntry& e, CheckDraft& d) {
  if (auto v = ctx.string(e.value, e.path, &d.secrets())) d.request().user_agent = *v;
}

void applyFollowRedirects(ParseContext& ctx, const MapEntry& e, CheckDraft& d) {
  if (auto v = ctx.boolean(e.value, e.path)) d.request().follow_redirects = *v;
}

void applyMaxRedirects(ParseContext& ctx, const MapEntry& e, CheckDraft& d) {
  if (auto v = ctx.integer(e.value, e.path, 0, 100))
    d.request().max_redirects = static_cast<int>(*v);
}

void applyMaxBody(ParseContext& ctx, const MapEntry& e, CheckDraft& d) {
  if (auto v = ctx.size(e.value, e.path)) d.request().max_body = *v;
}

}  // namespace shopwatch::agent::detail
