#include "maintenance_request.h"

#include <nlohmann/json.hpp>

#include "shopwatch/core/duration.h"
#include "shopwatch/core/time_format.h"

namespace shopwatch::agent::http::detail {

namespace {

using nlohmann::json;

core::Error invalid(std::string message) {
  return core::makeError(core::ErrorCode::Invalid, std::move(message));
}

core::Result<core::SystemTime> timeField(const json& body, const char* name) {
  const auto& v = body.at(name);
  if (!v.is_string()) return invalid(std::string(name) + ": must be an RFC 3339 time string");
  const auto& text = v.get_ref<const std::string&>();
  const auto t = core::parseRfc3339(text);
  if (!t)
    return invalid(std::string(name) + ": \"" + text +
                   "\" is not an RFC 3339 time (2026-03-01T02:00:00Z)");
  return *t;
}

core::Status readShops(const json& body, MaintenanceRequest& out) {
  if (!body.contains("shops"))
    return invalid("shops: required (a list of shop names, or [\"all\"])");
  const auto& shops = body.at("shops");
  if (!shops.is_array() || shops.empty())
    return invalid("shops: must be a non-empty list of shop names, or [\"all\"]");
  for (const auto& s : shops) {
    if (!s.is_string() || s.get_ref<const std::string&>().empty()) {
      return invalid("shops: every entry must be a shop name (a non-empty string)");
    }
    out.shops.push_back(s.get<std::string>());
  }
  return {};
}

core::Status readEnd(const json& body, MaintenanceRequest& out) {
  const bool has_end = body.contains("end");
  const bool has_duration = body.contains("duration");
  if (has_end && has_duration) return invalid("end, duration: give one of them, not both");
  if (!has_end && !has_duration) return invalid("end: required (or duration, e.g. \"2h\")");
  if (has_end) {
    auto end = timeField(body, "end");
    if (!end) return end.error();
    out.end = *end;
    return {};
  }
  const auto& v = body.at("duration");
  if (!v.is_string()) return invalid("duration: must be a string such as \"2h\" or \"90m\"");
  const auto& text = v.get_ref<const std::string&>();
  const auto d = core::parseDuration(text);
  if (!d)
    return invalid("duration: \"" + text + "\" is not a duration (" + d.error().message + ")");
  if (d->count() <= 0) return invalid("duration: must be longer than 0");
  out.end = out.start + *d;
  return {};
}

bool isContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0U) == 0x80U; }

}  // namespace

core::Result<MaintenanceRequest> parseMaintenanceBody(std::string_view body_text,
                                                      core::SystemTime now) {
  const json body = json::parse(body_text.begin(), body_text.end(), nullptr, false);
  if (body.is_discarded()) return invalid("body: not valid JSON");
  if (!body.is_object()) return invalid("body: must be a JSON object");
  for (const auto& [key, value] : body.items()) {
    (void)value;
    if (key != "shops" && key != "start" && key != "end" && key != "duration" && key != "reason") {
      return invalid(key + ": unknown field (shops, start, end, duration, reason)");
    }
  }
  MaintenanceRequest out;
  if (auto s = readShops(body, out); !s) return s.error();
  out.start = now;
  if (body.contains("start")) {
    auto start = timeField(body, "start");
    if (!start) return start.error();
    out.start = *start;
  }
  if (auto s = readEnd(body, out); !s) return s.error();
  if (body.contains("reason")) {
    const auto& r = body.at("reason");
    if (!r.is_string()) return invalid("reason: must be a string");
    out.reason = r.get<std::string>();
    if (out.reason.size() > kMaxReasonLength) {
      return invalid("reason: longer than " + std::to_string(kMaxReasonLength) + " bytes");
    }
  }
  return out;
}

std::string requestActor(const HttpRequest& request) {
  const auto it = request.headers.find("x-shopwatch-actor");
  if (it == request.headers.end()) return "api";
  std::string actor;
  for (const char c : it->second) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) continue;  // no control characters in the audit log
    actor += c;
  }
  const auto first = actor.find_first_not_of(' ');
  if (first == std::string::npos) return "api";
  actor.erase(0, first);
  actor.erase(actor.find_last_not_of(' ') + 1);
  if (actor.size() > kMaxActorLength) {
    std::size_t cut = kMaxActorLength;
    while (cut > 0 && isContinuationByte(actor[cut])) --cut;
    actor.resize(cut);
    actor.erase(actor.find_last_not_of(' ') + 1);
  }
  return actor.empty() ? "api" : actor;
}

}  // namespace shopwatch::agent::http::detail
