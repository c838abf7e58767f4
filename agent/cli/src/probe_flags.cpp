#include "probe_flags.h"

#include <algorithm>

#include "shopwatch/core/duration.h"
#include "shopwatch/core/status_set.h"

namespace shopwatch::cli {

namespace {

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t");
  auto e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

}  // namespace

core::Result<core::Check> checkFromFlags(const ProbeOptions& o) {
  auto fail = [](const std::string& what) { return core::makeError(core::ErrorCode::Invalid, what); };
  if (o.url.rfind("http://", 0) != 0 && o.url.rfind("https://", 0) != 0) {
    return fail("URL must start with http:// or https:// (got \"" + o.url + "\")");
  }
  core::Check check;
  check.key = {"cli", "production", "probe"};
  check.schedule.confirm = false;
  core::HttpProbe& http = *check.http();
  core::HttpRequest& req = http.request;
  req.url = o.url;
  req.method = o.method;
  req.body = o.body;
  for (const auto& h : o.headers) {
    auto colon = h.find(':');
    if (colon == std::string::npos || colon == 0) {
      return fail("--header needs \"Name: value\" (got \"" + h + "\")");
    }
    req.headers.emplace_back(trim(h.substr(0, colon)), trim(h.substr(colon + 1)));
  }
  auto timeout = core::parseDuration(o.timeout);
  if (!timeout) return fail("--timeout: " + timeout.error().message);
  req.timeout = *timeout;
  check.schedule.timeout = *timeout;
  check.schedule.interval = std::max(check.schedule.interval, *timeout);
  auto max_body = core::parseSize(o.max_body);
  if (!max_body) return fail("--max-body: " + max_body.error().message);
  req.max_body = *max_body;
  if (!o.max_duration.empty()) {
    auto d = core::parseDuration(o.max_duration);
    if (!d) return fail("--max-duration: " + d.error().message);
    http.expect.max_duration = *d;
  }
  for (const auto& s : o.expect_status) {
    auto item = core::parseStatusItem(s);
    if (!item) return fail("--expect-status: " + item.error().message);
    http.expect.status.push_back(*item);
  }
  if (!o.body_contains.empty()) http.expect.body_contains = o.body_contains;
  if (!o.body_not_contains.empty()) http.expect.body_not_contains = o.body_not_contains;
  if (!o.body_regex.empty()) http.expect.body_regex = o.body_regex;
  for (const auto& r : o.resolve) {
    auto colon = r.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == r.size()) {
      return fail("--resolve needs HOST:IP (got \"" + r + "\")");
    }
    req.resolve.emplace_back(r.substr(0, colon), r.substr(colon + 1));
  }
  req.tls.verify = !o.insecure;
  req.tls.ca_file = o.ca_file;
  req.follow_redirects = !o.no_follow;
  if (o.max_redirects < 0) return fail("--max-redirects must be >= 0");
  req.max_redirects = o.max_redirects;
  if (!o.user_agent.empty()) req.user_agent = o.user_agent;
  if (o.ip_version == "4") {
    req.ip_version = core::IpVersion::V4;
  } else if (o.ip_version == "6") {
    req.ip_version = core::IpVersion::V6;
  } else if (o.ip_version != "any") {
    return fail("--ip-version must be any, 4 or 6");
  }
  return check;
}

}  // namespace shopwatch::cli
