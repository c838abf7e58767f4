#include "journey_evidence.h"

#include <algorithm>
#include <array>

#include "shopwatch/core/redact.h"
#include "shopwatch/core/text.h"

namespace shopwatch::probes::detail {
namespace {

constexpr std::array<std::string_view, 14> kEvidenceHeaders = {
    "content-type", "content-length",       "location",         "cache-control",
    "server",       "x-request-id",         "x-correlation-id", "x-cache",
    "cf-ray",       "x-served-by",          "retry-after",      "www-authenticate",
    "set-cookie",   "x-magento-cache-debug"};
constexpr std::size_t kMaxHeaders = 32;
constexpr std::size_t kMaxHeaderValue = 256;

std::string_view trimmed(std::string_view t) {
  while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  return t;
}

}  // namespace

std::string setCookieValue(std::string_view value) {
  std::string_view pair = value.substr(0, value.find(';'));
  const auto eq = pair.find('=');
  if (eq == std::string_view::npos) return "";
  return std::string(trimmed(pair.substr(eq + 1)));
}

std::string redactSetCookie(std::string_view value) {
  const auto semi = value.find(';');
  std::string_view pair = value.substr(0, semi);
  const auto eq = pair.find('=');
  std::string out(trimmed(pair.substr(0, eq)));
  out += "=";
  out += core::kRedacted;
  if (semi != std::string_view::npos) out += value.substr(semi);
  return out;
}

core::Evidence makeEvidence(const std::vector<std::pair<std::string, std::string>>& headers,
                            std::string_view body_prefix, std::vector<std::string> secrets) {
  for (const auto& [name, value] : headers) {
    if (name != "set-cookie") continue;
    auto v = setCookieValue(value);
    if (v.size() >= 4) secrets.push_back(std::move(v));
  }
  // Longest first, so a secret that contains another is replaced whole.
  std::sort(secrets.begin(), secrets.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  core::Evidence e;
  for (const auto& [name, value] : headers) {
    if (e.headers.size() >= kMaxHeaders) break;
    if (std::find(kEvidenceHeaders.begin(), kEvidenceHeaders.end(), name) ==
        kEvidenceHeaders.end()) {
      continue;
    }
    std::string shown = name == "set-cookie" ? redactSetCookie(value) : value;
    shown = core::redact(shown, secrets);
    core::truncateUtf8(shown, kMaxHeaderValue);
    e.headers.emplace_back(name, std::move(shown));
  }
  // Redact before cutting: a cut could leave part of a secret that redaction no longer sees.
  e.body_snippet = core::redact(body_prefix, secrets);
  core::truncateUtf8(e.body_snippet, core::kEvidenceBodyBytes);
  return e;
}

}  // namespace shopwatch::probes::detail
