#pragma once
// Evidence of a failed journey step: selected response headers and the start of the body, with
// secrets, extracted values and cookie values redacted.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shopwatch/core/probe_result.h"

namespace shopwatch::probes::detail {

/// `headers` (names lower-case) filtered to the ones worth a ticket (content-type, location,
/// cache-control, server, x-request-id, ...; Set-Cookie with its values replaced); `body_prefix`
/// cut to core::kEvidenceBodyBytes on a UTF-8 boundary. Every text is redacted with `secrets`
/// and the values of the response's Set-Cookie headers.
core::Evidence makeEvidence(const std::vector<std::pair<std::string, std::string>>& headers,
                            std::string_view body_prefix, std::vector<std::string> secrets);

/// "name=<redacted>; Path=/; HttpOnly": a Set-Cookie value with the cookie's value hidden.
std::string redactSetCookie(std::string_view value);

/// The value of a Set-Cookie header ("name=value; ..." → "value").
std::string setCookieValue(std::string_view value);

}  // namespace shopwatch::probes::detail
