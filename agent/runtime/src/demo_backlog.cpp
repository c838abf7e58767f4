#include "shopwatch/agent/runtime/demo_backlog.h"

#include <deque>
#include <utility>

#include "demo_backlog_api.h"
#include "demo_backlog_model.h"
#include "demo_backlog_page.h"
#include "demo_backlog_support.h"
#include "shopwatch/agent/http/http_server.h"
#include "shopwatch/core/text.h"

namespace shopwatch::agent::runtime {

namespace {

using http::HttpRequest;
using http::HttpResponse;

/// The request log keeps at most this many entries (the demo runs for hours).
constexpr std::size_t kMaxLogEntries = 10000;
constexpr const char* kJsonType = "application/json;charset=UTF-8";
constexpr const char* kHtmlType = "text/html; charset=utf-8";

HttpResponse toHttp(const detail::ApiReply& reply) {
  HttpResponse res;
  res.status = reply.status;
  res.headers = reply.headers;
  if (reply.no_body) {
    res.content_type.clear();
  } else {
    res.content_type = kJsonType;
    res.body = reply.body.dump();
  }
  return res;
}

}  // namespace

struct DemoBacklog::Faults {
  int fail_remaining = 0;
  int fail_status = 503;
  std::optional<int> fail_retry_after;
  bool down = false;
  int drop_remaining = 0;
  std::chrono::milliseconds drop_delay{0};
  DemoBacklogCounters counters;
  std::deque<DemoRequest> log;
};

DemoBacklog::DemoBacklog(DemoBacklogOptions options)
    : options_(std::move(options)),
      model_(std::make_unique<detail::DemoBacklogModel>(options_)),
      faults_(std::make_unique<Faults>()) {}

DemoBacklog::~DemoBacklog() { stop(); }

core::SystemTime DemoBacklog::now() const {
  return options_.clock != nullptr ? options_.clock->now() : core::SystemClock::instance().now();
}

core::Status DemoBacklog::start(std::uint16_t port) {
  if (server_) return core::makeError(core::ErrorCode::Invalid, "demo backlog already started");
  http::HttpServerOptions server_options;
  server_options.listen = "127.0.0.1:" + std::to_string(port);
  auto server = std::make_unique<http::HttpServer>(server_options);
  for (const char* method : {"GET", "POST", "PUT", "DELETE"}) {
    server->routePrefix(method, "/rest/", [this](const HttpRequest& r) { return answerApi(r); });
  }
  server->route("GET", "/", [this](const HttpRequest&) {
    HttpResponse res;
    res.content_type = kHtmlType;
    res.body = detail::renderBacklogPage(issues(), options_.flavor);
    return res;
  });
  server->routePrefix("GET", "/issues/", [this](const HttpRequest& r) {
    HttpResponse res;
    res.content_type = kHtmlType;
    const std::string key = r.path.substr(std::string_view("/issues/").size());
    if (auto found = issue(key)) {
      res.body = detail::renderIssuePage(*found, options_.flavor);
    } else {
      res.status = 404;
      res.body = detail::renderMissingIssuePage(key);
    }
    return res;
  });
  if (auto started = server->start(); !started) return started;
  {
    std::lock_guard lock(mu_);
    model_->setBaseUrl("http://127.0.0.1:" + std::to_string(server->port()));
  }
  server_ = std::move(server);
  return {};
}

void DemoBacklog::stop() {
  if (server_) server_->stop();
}

std::uint16_t DemoBacklog::port() const { return server_ ? server_->port() : 0; }

std::string DemoBacklog::baseUrl() const { return "http://127.0.0.1:" + std::to_string(port()); }

bool DemoBacklog::authorized(const HttpRequest& request) const {
  if (options_.token.empty()) return true;
  const auto it = request.headers.find("authorization");
  if (it == request.headers.end()) return false;
  const std::string_view value = it->second;
  const bool cloud = options_.flavor == JiraSettings::Flavor::Cloud;
  const std::string_view scheme = cloud ? "Basic " : "Bearer ";
  if (value.size() < scheme.size() || !core::asciiIEquals(value.substr(0, scheme.size()), scheme)) {
    return false;
  }
  const std::string expected =
      cloud ? detail::base64Encode(options_.email + ":" + options_.token) : options_.token;
  return value.substr(scheme.size()) == expected;
}

HttpResponse DemoBacklog::answerApi(const HttpRequest& request) {
  std::lock_guard lock(mu_);
  Faults& f = *faults_;
  DemoRequest entry{request.method, request.path, request.query, 0, now()};
  detail::ApiReply reply;
  std::chrono::milliseconds delay{0};
  if (f.down) {
    reply = detail::errorReply(503, {"The demo backlog is down (setDown)."});
    ++f.counters.injected;
  } else if (f.fail_remaining > 0) {
    --f.fail_remaining;
    reply = detail::errorReply(
        f.fail_status, {f.fail_status == 429 ? "Rate limit exceeded." : "Injected failure."});
    if (f.fail_retry_after)
      reply.headers.emplace_back("Retry-After", std::to_string(*f.fail_retry_after));
    ++f.counters.injected;
  } else if (!authorized(request)) {
    reply =
        detail::errorReply(401, {"You are not authenticated. Authentication required to perform "
                                 "this operation."});
    reply.headers.emplace_back("WWW-Authenticate", options_.flavor == JiraSettings::Flavor::Cloud
                                                       ? "Basic realm=\"protected-area\""
                                                       : "Bearer realm=\"protected-area\"");
    ++f.counters.unauthorized;
  } else {
    const std::size_t creates_before = f.counters.creates;
    reply = detail::handleApi(*model_, options_.flavor, request, entry.at, f.counters);
    if (f.counters.creates > creates_before && f.drop_remaining > 0) {
      --f.drop_remaining;
      delay = f.drop_delay;
    }
  }
  ++f.counters.requests;
  entry.status = reply.status;
  f.log.push_back(std::move(entry));
  if (f.log.size() > kMaxLogEntries) f.log.pop_front();
  HttpResponse res = toHttp(reply);
  res.delay = delay;
  return res;
}

void DemoBacklog::allowFields(const std::vector<std::string>& names) {
  std::lock_guard lock(mu_);
  model_->allowFields(names);
}

void DemoBacklog::failNext(int n, int status, std::optional<int> retry_after_seconds) {
  std::lock_guard lock(mu_);
  faults_->fail_remaining = n;
  faults_->fail_status = status;
  faults_->fail_retry_after = retry_after_seconds;
}

void DemoBacklog::setDown(bool down) {
  std::lock_guard lock(mu_);
  faults_->down = down;
}

void DemoBacklog::dropAfterCreate(int n, std::chrono::milliseconds delay) {
  std::lock_guard lock(mu_);
  faults_->drop_remaining = n;
  faults_->drop_delay = delay;
}

DemoBacklogCounters DemoBacklog::counters() const {
  std::lock_guard lock(mu_);
  return faults_->counters;
}

std::vector<DemoRequest> DemoBacklog::requests() const {
  std::lock_guard lock(mu_);
  return {faults_->log.begin(), faults_->log.end()};
}

void DemoBacklog::clearRequests() {
  std::lock_guard lock(mu_);
  faults_->log.clear();
}

std::vector<DemoIssue> DemoBacklog::issues() const {
  std::lock_guard lock(mu_);
  return model_->snapshot();
}

std::optional<DemoIssue> DemoBacklog::issue(const std::string& key) const {
  std::lock_guard lock(mu_);
  return model_->snapshot(key);
}

core::Status DemoBacklog::humanTransition(const std::string& key, const std::string& name) {
  std::lock_guard lock(mu_);
  return model_->humanTransition(key, name, now());
}

core::Status DemoBacklog::humanComment(const std::string& key, const std::string& text) {
  std::lock_guard lock(mu_);
  return model_->humanComment(key, text, now());
}

core::Status DemoBacklog::deleteIssue(const std::string& key) {
  std::lock_guard lock(mu_);
  return model_->deleteIssue(key);
}

}  // namespace shopwatch::agent::runtime
