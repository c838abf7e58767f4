#pragma once
/// Answers of the JSON API routes: a body with its content type, and `{"error": "..."}` for
/// failures. Private to agent/http.

#include <string>

#include "shopwatch/agent/http/http_server.h"
#include "shopwatch/core/result.h"

namespace shopwatch::agent::http::detail {

inline constexpr const char* kJsonContentType = "application/json";

/// `status` with `body` (JSON text; a final newline is added).
HttpResponse jsonReply(int status, std::string body);

/// `status` with `{"error": message}`.
HttpResponse errorReply(int status, const std::string& message);

/// The HTTP status for a service error: Invalid 400, NotFound 404, Unavailable 503, else 500.
int httpStatusFor(core::ErrorCode code);

/// errorReply(httpStatusFor(error.code), error.message).
HttpResponse errorReply(const core::Error& error);

}  // namespace shopwatch::agent::http::detail
