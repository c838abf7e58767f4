#include "bearer_auth.h"

#include <cctype>
#include <cstddef>

#include "api_reply.h"

namespace shopwatch::agent::http::detail {

namespace {

bool isSpace(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && isSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && isSpace(s.back())) s.remove_suffix(1);
  return s;
}

HttpResponse unauthorized(const char* message) {
  auto res = errorReply(401, message);
  res.headers.emplace_back("WWW-Authenticate", "Bearer");
  return res;
}

}  // namespace

bool constantTimeEquals(std::string_view a, std::string_view b) {
  // Every byte of the longer string is visited and the differences are OR-ed, so the loop's length
  // and branches do not depend on the position of the first mismatch.
  const std::size_t n = a.size() > b.size() ? a.size() : b.size();
  unsigned diff = a.size() == b.size() ? 0U : 1U;
  for (std::size_t i = 0; i < n; ++i) {
    const auto x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0U;
    const auto y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0U;
    diff |= x ^ y;
  }
  return diff == 0;
}

std::string_view bearerToken(std::string_view header_value) {
  const auto value = trim(header_value);
  constexpr std::string_view kScheme = "bearer";
  if (value.size() <= kScheme.size() || !isSpace(value[kScheme.size()])) return {};
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(value[i])) != kScheme[i]) return {};
  }
  return trim(value.substr(kScheme.size()));
}

std::optional<HttpResponse> authorizeWrite(const HttpRequest& request,
                                           std::string_view configured_token) {
  if (configured_token.empty())
    return errorReply(403, "writes disabled: agent.api_token is not set");
  const auto it = request.headers.find("authorization");
  if (it == request.headers.end())
    return unauthorized("missing bearer token (Authorization: Bearer <token>)");
  const auto token = bearerToken(it->second);
  if (token.empty() || !constantTimeEquals(token, configured_token))
    return unauthorized("invalid bearer token");
  return std::nullopt;
}

}  // namespace shopwatch::agent::http::detail
