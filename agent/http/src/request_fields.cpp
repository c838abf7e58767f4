#include "shopwatch/agent/http/request_fields.h"

#include "shopwatch/agent/http/query_string.h"

namespace shopwatch::agent::http {

std::string requestCookie(const HttpRequest& req, std::string_view name) {
  const auto it = req.headers.find("cookie");
  if (it == req.headers.end()) return {};
  std::string_view rest = it->second;
  while (!rest.empty()) {
    const auto semi = rest.find(';');
    auto pair = rest.substr(0, semi);
    while (!pair.empty() && (pair.front() == ' ' || pair.front() == '\t')) pair.remove_prefix(1);
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
      return std::string(pair.substr(eq + 1));
    }
    if (semi == std::string_view::npos) break;
    rest.remove_prefix(semi + 1);
  }
  return {};
}

std::optional<std::string> formField(const HttpRequest& req, std::string_view name) {
  for (auto& [key, value] : parseQuery(req.body)) {
    if (key == name) return std::move(value);
  }
  return std::nullopt;
}

}  // namespace shopwatch::agent::http
