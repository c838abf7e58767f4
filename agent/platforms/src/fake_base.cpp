#include "fake_base.h"

#include "shopwatch/agent/http/query_string.h"
#include "shopwatch/agent/http/request_fields.h"

namespace shopwatch::agent::platforms::detail {

FakeBase::FakeBase(std::string_view platform, std::vector<FaultInfo> faults)
    : platform_(platform), faults_(std::move(faults)), rng_(std::random_device{}()) {}

FakeBase::~FakeBase() {
  if (server_) server_->stop();
}

core::Status FakeBase::start(const std::string& listen) {
  if (server_) return core::Error{core::ErrorCode::Invalid, "the fake is already started"};
  http::HttpServerOptions options;
  options.listen = listen;
  options.threads = 2;
  server_ = std::make_unique<http::HttpServer>(options);
  addControlRoutes(*server_);
  addRoutes(*server_);
  auto st = server_->start();
  if (!st) server_.reset();
  return st;
}

void FakeBase::addControlRoutes(http::HttpServer& server) {
  server.route("GET", std::string(kFaultsPath), [this](const HttpRequest&) {
    Json list = Json::array();
    for (const auto& f : faults_) {
      list.push_back({{"name", f.name}, {"description", f.description}, {"on", fault(f.name)}});
    }
    return jsonReply(200, Json{{"platform", platform_}, {"faults", list}});
  });
  server.routePrefix("POST", std::string(kFaultsPath) + "/", [this](const HttpRequest& req) {
    const std::string name = req.path.substr(kFaultsPath.size() + 1);
    const auto on = queryParam(req, "on");
    const bool next = on ? (*on == "1" || *on == "true") : !fault(name);
    if (!setFault(name, next)) {
      return jsonReply(404, Json{{"error", "unknown fault \"" + name + "\""}});
    }
    return jsonReply(200, Json{{"name", name}, {"on", next}});
  });
}

void FakeBase::stop() {
  if (server_) server_->stop();
}

std::uint16_t FakeBase::port() const { return server_ ? server_->port() : 0; }

bool FakeBase::setFault(std::string_view name, bool on) {
  bool known = false;
  for (const auto& f : faults_) known = known || f.name == name;
  if (!known) return false;
  std::lock_guard lock(mu_);
  if (on) {
    active_.emplace(name);
  } else if (auto it = active_.find(name); it != active_.end()) {
    active_.erase(it);
  }
  return true;
}

void FakeBase::clearFaults() {
  std::lock_guard lock(mu_);
  active_.clear();
}

bool FakeBase::fault(std::string_view name) const {
  std::lock_guard lock(mu_);
  return active_.find(name) != active_.end();
}

PlatformCounters FakeBase::counters() const {
  PlatformCounters c;
  c.requests = requests_.load();
  c.sessions = sessions_.load();
  c.orders = orders_.load();
  c.rejected = rejected_.load();
  c.open_carts = openCarts();
  return c;
}

http::HttpHandler FakeBase::counted(http::HttpHandler handler) {
  return [this, handler = std::move(handler)](const HttpRequest& req) {
    requests_.fetch_add(1);
    HttpResponse r = handler(req);
    if (r.status >= 400) rejected_.fetch_add(1);
    return r;
  };
}

std::string FakeBase::randomHex(std::size_t digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(digits, '0');
  std::lock_guard lock(mu_);
  for (auto& c : out) c = kHex[rng_() & 15U];
  return out;
}

std::string FakeBase::randomAlnum(std::size_t length) {
  static constexpr char kChars[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string out(length, 'a');
  std::lock_guard lock(mu_);
  for (auto& c : out) c = kChars[rng_() % 62U];
  return out;
}

HttpResponse jsonReply(int status, const Json& body) {
  return rawJsonReply(status, body.dump());
}

HttpResponse rawJsonReply(int status, std::string text) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(text);
  return r;
}

HttpResponse htmlReply(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "text/html; charset=UTF-8";
  r.body = std::move(body);
  return r;
}

HttpResponse redirectReply(int status, const std::string& location) {
  HttpResponse r = htmlReply(status, "<html><body>Redirecting to <a href=\"" + location + "\">" +
                                         location + "</a></body></html>");
  r.headers.emplace_back("Location", location);
  return r;
}

std::optional<Json> jsonBody(const HttpRequest& req) {
  auto doc = Json::parse(req.body, nullptr, false);
  if (doc.is_discarded()) return std::nullopt;
  return doc;
}

std::string header(const HttpRequest& req, std::string_view lower_name) {
  const auto it = req.headers.find(std::string(lower_name));
  return it == req.headers.end() ? std::string() : it->second;
}

std::string cookie(const HttpRequest& req, std::string_view name) {
  return http::requestCookie(req, name);
}

std::optional<std::string> queryParam(const HttpRequest& req, std::string_view name) {
  for (auto& [key, value] : http::parseQuery(req.query)) {
    if (key == name) return std::move(value);
  }
  return std::nullopt;
}

std::optional<std::string> formParam(const HttpRequest& req, std::string_view name) {
  return http::formField(req, name);
}

void setCookie(HttpResponse& r, std::string_view name, std::string_view value,
               std::string_view extra) {
  std::string v = std::string(name) + "=" + std::string(value) + "; Path=/; HttpOnly; SameSite=Lax";
  if (!extra.empty()) v += "; " + std::string(extra);
  r.headers.emplace_back("Set-Cookie", std::move(v));
}

std::string decimal(long long cents) {
  const bool negative = cents < 0;
  if (negative) cents = -cents;
  std::string frac = std::to_string(cents % 100);
  if (frac.size() < 2) frac.insert(0, "0");
  return (negative ? "-" : "") + std::to_string(cents / 100) + "." + frac;
}

}  // namespace shopwatch::agent::platforms::detail
