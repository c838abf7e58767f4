#include "redmine_api.h"

#include <algorithm>
#include <utility>

namespace shopwatch::agent::backlog::redmine {

RedmineApi::RedmineApi(const RedmineSettings& settings, HttpClient& http)
    : JsonRest(settings.url, {"X-Redmine-API-Key", settings.api_key}, settings.timeout, http),
      settings_(settings) {}

std::string RedmineApi::issueUrl(std::string_view id) const {
  return baseUrl() + "/issues/" + std::string(id);
}

std::string errorText(const HttpReply& r) {
  const nlohmann::json j = parseBody(r);
  if (!j.is_object()) return {};
  auto it = j.find("errors");
  if (it == j.end()) return {};
  std::string out;
  auto add = [&out](const nlohmann::json& m) {
    const std::string s = m.is_string() ? m.get<std::string>() : m.dump();
    if (s.empty()) return;
    if (!out.empty()) out += "; ";
    out += s;
  };
  if (it->is_array()) {
    for (const auto& m : *it) add(m);
  } else {
    add(*it);
  }
  return out;
}

std::string answerText(const HttpReply& r) {
  if (r.status == 0) return "no answer (" + (r.error.empty() ? std::string("no response") : r.error) + ")";
  std::string out = "HTTP " + std::to_string(r.status);
  const std::string detail = errorText(r);
  if (!detail.empty()) out += ": " + detail;
  return out;
}

SendResult failureResult(const HttpReply& r, std::string_view what) {
  SendResult out;
  out.http_code = r.status;
  std::string text(what);
  if (r.status == 0) {
    out.status = SendStatus::Retry;
    out.error = text + ": no answer from Redmine (" + (r.error.empty() ? "no response" : r.error) + ")";
    return out;
  }
  text += ": Redmine answered HTTP " + std::to_string(r.status);
  if (const std::string detail = errorText(r); !detail.empty()) text += " (" + detail + ")";
  out.status = detail::trackerStatusFor(r.status);
  if (out.status == SendStatus::Retry) out.retry_after = parseRetryAfter(r);
  if (r.status == 401) {
    text += ": the API key was refused (check backlog.redmine.api_key, and that the REST API is "
            "enabled in Administration → Settings → API)";
  } else if (r.status == 403) {
    text += ": the key's user lacks a permission for this (is it a member of the project with a "
            "role that may add and edit issues?)";
  }
  out.error = std::move(text);
  return out;
}

SendResult deadResult(std::string error) {
  SendResult out;
  out.status = SendStatus::Dead;
  out.error = std::move(error);
  return out;
}

bool allDigits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string idText(const nlohmann::json& j) {
  if (j.is_number_integer()) return std::to_string(j.get<std::int64_t>());
  if (j.is_string() && allDigits(j.get<std::string>())) return j.get<std::string>();
  return {};
}

}  // namespace shopwatch::agent::backlog::redmine
