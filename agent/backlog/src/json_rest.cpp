#include "json_rest.h"

namespace shopwatch::agent::backlog::detail {

JsonRest::JsonRest(std::string base_url, std::pair<std::string, std::string> auth,
                   core::Micros timeout, HttpClient& http)
    : base_(std::move(base_url)), auth_(std::move(auth)), timeout_(timeout), http_(http) {
  while (!base_.empty() && base_.back() == '/') base_.pop_back();
}

HttpReply JsonRest::call(std::string_view method, const std::string& path, const std::string& body) {
  HttpCall c;
  c.method = std::string(method);
  c.url = base_ + path;
  c.headers = {{"Content-Type", "application/json"},
               {"Accept", "application/json"},
               {"Accept-Language", "en"},
               auth_};
  c.body = body;
  c.timeout = timeout_;
  HttpReply reply = http_.perform(c);
  codes_.push_back(reply.status);
  return reply;
}

nlohmann::json parseBody(const HttpReply& r) {
  if (r.body.empty()) return nullptr;
  return nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false);
}

SendStatus trackerStatusFor(int status) {
  if (status >= 200 && status < 300) return SendStatus::Done;
  if (status == 0 || status == 409 || status == 429 || status >= 500) return SendStatus::Retry;
  if (status == 401 || status == 403) return SendStatus::Pause;
  return SendStatus::Dead;
}

}  // namespace shopwatch::agent::backlog::detail
