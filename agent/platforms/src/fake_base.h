#pragma once
// FakeBase: what every platform fake shares — the HttpServer, the fault switches, the counters, and
// small helpers for the answers (JSON, cookies, random tokens). A fake derives from it, registers
// its routes in addRoutes() and keeps its own state under its own mutex.

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "shopwatch/agent/http/http_server.h"
#include "shopwatch/agent/platforms/platform_fake.h"

namespace shopwatch::agent::platforms::detail {

using http::HttpRequest;
using http::HttpResponse;
using Json = nlohmann::json;

/// Every fake also serves `GET /__shopwatch/faults` (the faults and their state, JSON) and
/// `POST /__shopwatch/faults/NAME[?on=1|0]` (switch one; without `on` it flips), so that the demo's
/// user can break a fake from another terminal.
inline constexpr std::string_view kFaultsPath = "/__shopwatch/faults";

class FakeBase : public PlatformFake {
 public:
  FakeBase(std::string_view platform, std::vector<FaultInfo> faults);
  ~FakeBase() override;

  std::string_view platform() const override { return platform_; }
  core::Status start(const std::string& listen) final;
  void stop() final;
  std::uint16_t port() const final;
  std::vector<FaultInfo> faults() const final { return faults_; }
  bool setFault(std::string_view name, bool on) final;
  void clearFaults() final;
  PlatformCounters counters() const final;

 protected:
  /// Registers the fake's routes (called by start(), before the server starts). Wrap each handler
  /// with counted() so requests and rejections are counted.
  virtual void addRoutes(http::HttpServer& server) = 0;
  /// Open carts now (items in a cart that no order consumed); called under no lock of the base.
  virtual std::uint64_t openCarts() const = 0;

  bool fault(std::string_view name) const;
  void countSession() { sessions_.fetch_add(1); }
  void countOrder() { orders_.fetch_add(1); }
  /// A business error answered with 2xx (GraphQL errors, Shopware cart errors) is a rejection too.
  void countRejected() { rejected_.fetch_add(1); }
  /// `handler` with the request counted, and a 4xx/5xx answer counted as rejected.
  http::HttpHandler counted(http::HttpHandler handler);

  /// Random lowercase hex / alphanumerics (thread-safe).
  std::string randomHex(std::size_t digits);
  std::string randomAlnum(std::size_t length);

 private:
  void addControlRoutes(http::HttpServer& server);

  std::string platform_;
  std::vector<FaultInfo> faults_;
  mutable std::mutex mu_;
  std::set<std::string, std::less<>> active_;
  std::mt19937_64 rng_;
  std::unique_ptr<http::HttpServer> server_;
  std::atomic<std::uint64_t> requests_{0}, sessions_{0}, orders_{0}, rejected_{0};
};

/// A JSON answer (`application/json`).
HttpResponse jsonReply(int status, const Json& body);
/// A JSON answer whose body is `text` as written.
HttpResponse rawJsonReply(int status, std::string text);
/// An HTML answer (`text/html; charset=utf-8`).
HttpResponse htmlReply(int status, std::string body);
/// A redirect (`Location`) with a short HTML body.
HttpResponse redirectReply(int status, const std::string& location);
/// The request's body as JSON, or nullopt when it is not a JSON document.
std::optional<Json> jsonBody(const HttpRequest& req);
/// A request header (name lower-case), "" when absent.
std::string header(const HttpRequest& req, std::string_view lower_name);
/// A cookie from the request's Cookie header, "" when absent.
std::string cookie(const HttpRequest& req, std::string_view name);
/// A query parameter (decoded), nullopt when absent.
std::optional<std::string> queryParam(const HttpRequest& req, std::string_view name);
/// A field of an application/x-www-form-urlencoded body (decoded; the first wins), nullopt if absent.
std::optional<std::string> formParam(const HttpRequest& req, std::string_view name);
/// Adds `Set-Cookie: NAME=VALUE; Path=/; HttpOnly; SameSite=Lax` (plus `extra` attributes).
void setCookie(HttpResponse& r, std::string_view name, std::string_view value,
               std::string_view extra = "");
/// "12.34" from cents (JSON number text is the caller's business).
std::string decimal(long long cents);

}  // namespace shopwatch::agent::platforms::detail
