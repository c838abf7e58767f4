#pragma once
/// Private: percent-encoding for the tracker sinks' request URLs (Jira and Redmine).

#include <string>
#include <string_view>

namespace shopwatch::agent::backlog::detail {

/// `text` percent-encoded for a URL path segment or query value: everything but the unreserved
/// characters (A–Z a–z 0–9 - _ . ~) becomes %XX. Keys and ids from configuration are not trusted.
inline std::string percentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

}  // namespace shopwatch::agent::backlog::detail
