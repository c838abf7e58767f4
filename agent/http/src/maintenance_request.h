#pragma once
/// The body of `POST /api/v1/maintenance` and the audit fields of a write, parsed for the
/// MaintenanceService. Private to agent/http.

#include <string>
#include <string_view>

#include "shopwatch/agent/http/http_server.h"
#include "shopwatch/agent/http/maintenance_service.h"
#include "shopwatch/core/clock.h"
#include "shopwatch/core/result.h"

namespace shopwatch::agent::http::detail {

inline constexpr std::size_t kMaxActorLength = 100;
inline constexpr std::size_t kMaxReasonLength = 1000;

/// `{"shops": [...], "start": RFC 3339 (default now), "end": RFC 3339 | "duration": "2h",
/// "reason": "..."}` → a request with shops, start, end and reason set (actor and remote are not).
/// Errors (ErrorCode::Invalid) name the field: malformed JSON, not an object, an unknown field,
/// shops missing/empty/not strings, a time that is not RFC 3339, neither or both of end and
/// duration, a duration that does not parse or is zero, a reason that is not a string or too long.
/// Whether the shops exist and the window is sensible is the service's call.
core::Result<MaintenanceRequest> parseMaintenanceBody(std::string_view body, core::SystemTime now);

/// The `X-Shopwatch-Actor` header: trimmed, control characters dropped, cut to kMaxActorLength
/// bytes (at a UTF-8 character boundary); "api" when absent or empty.
std::string requestActor(const HttpRequest& request);

}  // namespace shopwatch::agent::http::detail
