#pragma once
/// Small text rules used across modules; each lives here once.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace shopwatch::core {

/// ASCII-only lowercasing (header names, schemes, hosts); other bytes are left as they are.
std::string asciiLower(std::string_view text);
/// ASCII case-insensitive equality.
bool asciiIEquals(std::string_view a, std::string_view b);

/// Whether `text` is an IPv4 or IPv6 address literal (no brackets, no port).
bool isIpLiteral(std::string_view text);

/// Escapes `& < > " '` for HTML element text and double- or single-quoted attribute values.
std::string htmlEscape(std::string_view text);

/// The longest prefix of `text` of at most `max_bytes` bytes that does not split a UTF-8 sequence.
std::string_view utf8Prefix(std::string_view text, std::size_t max_bytes);
/// Cuts `text` in place to utf8Prefix(text, max_bytes) (and releases the spare capacity).
void truncateUtf8(std::string& text, std::size_t max_bytes);

/// "1.24 s" / "320 ms": a time a person reads (savings in findings, reports, the status page).
std::string shortSeconds(double seconds);
/// "2.3 MiB" / "412 KiB" / "512 B": a size a person reads.
std::string shortBytes(std::uint64_t bytes);

}  // namespace shopwatch::core
