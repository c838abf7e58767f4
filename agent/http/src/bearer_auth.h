#pragma once
/// Bearer-token authorisation of the API's write routes (`Authorization: Bearer
/// <agent.api_token>`). Neither the token nor the header is ever logged or echoed. Private to
/// agent/http.

#include <optional>
#include <string_view>

#include "shopwatch/agent/http/http_server.h"

namespace shopwatch::agent::http::detail {

/// Compares in time that depends only on the lengths, never on where the strings differ.
bool constantTimeEquals(std::string_view a, std::string_view b);

/// The token of an `Authorization` header value (`Bearer <token>`, scheme case-insensitive, spaces
/// around the token ignored); empty when the value is not a bearer credential.
std::string_view bearerToken(std::string_view header_value);

/// nullopt when `request` may write; otherwise the answer to send:
/// 403 `{"error":"writes disabled: agent.api_token is not set"}` when `configured_token` is empty,
/// 401 with `WWW-Authenticate: Bearer` when the header is missing, not a bearer credential or
/// wrong.
std::optional<HttpResponse> authorizeWrite(const HttpRequest& request,
                                           std::string_view configured_token);

}  // namespace shopwatch::agent::http::detail
