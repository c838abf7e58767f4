#pragma once
/// DemoShop: the small fake webshop `shopwatch demo` probes (home, category, product, cart, checkout;
/// some pages deliberately slow; /toggle breaks the checkout). Served by agent/http's HttpServer on
/// 127.0.0.1 only.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "shopwatch/core/result.h"

namespace shopwatch::agent::http {
class HttpServer;
}

namespace shopwatch::agent::runtime {

/// Pages: GET / (home), /category/shoes (slow, ~400 ms), /product/42, /cart, /checkout (slow, ~700 ms;
/// 503 while broken), /api/cart (JSON), /toggle (GET shows the state; POST, or GET with ?broken=1 /
/// ?broken=0, sets it — POST without a query flips it).
/// Thread-safe: the broken flag is atomic; start()/stop() from the owning thread.
class DemoShop {
 public:
  DemoShop();
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

 private:
  std::unique_ptr<http::HttpServer> server_;
  std::atomic<bool> broken_{false};
};

/// The embedded demo config (YAML) probing a DemoShop at `shop_base_url` (shop `demo`, env
/// `production`, 5 s interval), the agent listening on `listen`, its database at `database`.
std::string demoConfigYaml(const std::string& shop_base_url, const std::string& listen,
                           const std::string& database);

}  // namespace shopwatch::agent::runtime
