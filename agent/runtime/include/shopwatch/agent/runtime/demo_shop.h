#pragma once
/// DemoShop: the small fake webshop `shopwatch demo` probes (home, category, product, cart,
/// checkout; some pages deliberately slow; /toggle breaks the checkout), shaped like a classic HTML
/// shop so that the demo's checkout journey drives it as it would a real one: a session cookie, a
/// CSRF token in the product form, a cart per session. Served by agent/http's HttpServer on
/// 127.0.0.1 only.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "shopwatch/core/result.h"

namespace shopwatch::agent::http {
class HttpServer;
}

namespace shopwatch::agent::runtime {

/// Sessions the demo shop keeps at most; the oldest is evicted for a new one.
inline constexpr std::size_t kDemoMaxSessions = 1000;
/// The demo shop's session cookie.
inline constexpr const char* kDemoSessionCookie = "demo_session";

/// Pages:
/// - GET / (home), /category/shoes (slow, ~400 ms), /product/40 … /product/47 (SKU shoe-40 …
///   shoe-47): the product page starts a session when the request has none (Set-Cookie
///   demo_session, HttpOnly, Path=/) and carries the add-to-cart form with the session's CSRF token
///   (`<input type="hidden" name="_csrf" value="…">`).
/// - POST /cart/add (form: sku, qty 1–99, _csrf): 302 to /cart; 403 without a known session or with
/// a
///   wrong/missing _csrf; 400 for an unknown sku or a bad qty.
/// - GET /cart (HTML, slow ~150 ms) and GET /cart.json
///   (`{"cart":{"id":"…","items":[{"sku":…,"qty":…,"price":…}],"total":…,"currency":"EUR"}}`, id
///   null without a session): the session's cart.
/// - POST /cart/clear: empties the session's cart (a _csrf, if sent, must match); 200.
/// - GET /checkout (slow, ~700 ms): the session's cart with "Jetzt kaufen"; 503 while broken.
/// - GET /api/cart: a fixed sample cart (JSON, no session).
/// - /toggle (GET shows the state; POST, or GET with ?broken=1 / ?broken=0, sets it — POST without
/// a
///   query flips it).
/// Thread-safe: the broken flag is atomic, sessions are under one mutex; start()/stop() from the
/// owning thread.
class DemoShop {
 public:
  /// `max_sessions`: bound of the session table (tests use a small one), at least 1.
  explicit DemoShop(std::size_t max_sessions = kDemoMaxSessions);
  ~DemoShop();  ///< stop()s
  DemoShop(const DemoShop&) = delete;
  DemoShop& operator=(const DemoShop&) = delete;
  DemoShop(DemoShop&&) = delete;
  DemoShop& operator=(DemoShop&&) = delete;

  /// Listens on `listen` (IP literal, default a free loopback port).
  core::Status start(const std::string& listen = "127.0.0.1:0");
  void stop();
  std::uint16_t port() const;
  /// "http://127.0.0.1:PORT".
  std::string baseUrl() const;

  bool broken() const { return broken_.load(); }
  void setBroken(bool broken) { broken_.store(broken); }
  /// Sessions held now (never more than max_sessions).
  std::size_t sessionCount() const;

 private:
  struct Sessions;
  std::unique_ptr<Sessions> sessions_;
  std::unique_ptr<http::HttpServer> server_;
  std::atomic<bool> broken_{false};
};

/// The environment variable the demo config's `agent.api_token` comes from.
inline constexpr const char* kDemoApiTokenEnv = "SHOPWATCH_DEMO_API_TOKEN";
/// The demo's API token: the variable's value, or a random one that is then set in the environment.
std::string demoApiToken();

/// The embedded demo config (YAML) probing a DemoShop at `shop_base_url` (shop `demo`, env
/// `production`, 5 s interval; the `checkout` journey every 10 s, at most 8 s a run), the agent
/// listening on `listen`, its database at `database`; with `backlog_url` a Jira sink pointing at a
/// DemoBacklog there.
std::string demoConfigYaml(const std::string& shop_base_url, const std::string& listen,
                           const std::string& database, const std::string& backlog_url = "");

}  // namespace shopwatch::agent::runtime
