#pragma once
// gzip for responses (zlib): Accept-Encoding negotiation and compression. No Beast. Private to
// agent/http.

#include <optional>
#include <string>
#include <string_view>

namespace shopwatch::agent::http::detail {

/// Whether an Accept-Encoding value accepts gzip: `gzip` or `x-gzip` with q > 0, or `*` with q > 0
/// when gzip is not listed ("gzip;q=0" refuses it). Codings are case-insensitive.
bool acceptsGzip(std::string_view accept_encoding);

/// The gzip member (RFC 1952) of `data`; nullopt if zlib fails (the caller sends it uncompressed).
std::optional<std::string> gzipCompress(std::string_view data);

}  // namespace shopwatch::agent::http::detail
