#pragma once
/// Fakes of the shop platforms the journey recipes ([B2], examples/journeys/) are written for:
/// Shopware 6 Store API, Magento 2 (guest-cart REST and the Luma HTML form), WooCommerce Store API,
/// Vendure shop-api, Shopify's theme Ajax API and a classic HTML shop with a CSRF form. Each follows
/// the platform's documented request and response shapes and failure modes (tokens, headers, status
/// codes, error bodies), not a recipe's needs; `shopwatch demo --platform NAME` serves one so that a
/// user sees a recipe pass before pointing it at a real shop, and the recipe tests drive them.
/// Served by agent/http's HttpServer on loopback only; everything is in memory.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "shopwatch/core/result.h"

namespace shopwatch::agent::platforms {

/// One platform of the catalogue.
struct PlatformInfo {
  std::string_view name;          ///< `shopware`, `magento`, ... (the recipes' file-name prefix)
  std::string_view title;         ///< "Shopware 6 Store API"
  std::uint16_t default_port;     ///< where `shopwatch demo --platform NAME` serves the fake
  std::string_view recipes;       ///< the recipe files, comma-separated ("magento.yaml, magento-html.yaml")
};

/// Every platform, in the README's order.
std::span<const PlatformInfo> platformCatalogue();
/// The platform called `name`, or nullptr.
const PlatformInfo* findPlatform(std::string_view name);
/// "shopware, magento, ..." (for usage errors).
std::string platformNames();

/// A named failure mode a fake can be switched into (what a real shop of that platform does when
/// it breaks: a sold-out product, a rejected token, a rate limit, a 200 answer carrying an error).
struct FaultInfo {
  std::string name;         ///< `sold-out`, `rate-limit`, ...
  std::string description;  ///< one line, what the fake then answers
};

/// What the fake has seen, for tests (and the demo's log): sessions or carts created, orders
/// placed, carts still holding items.
struct PlatformCounters {
  std::uint64_t requests = 0;
  std::uint64_t sessions = 0;      ///< sessions / carts / context tokens created
  std::uint64_t orders = 0;        ///< orders placed
  std::uint64_t open_carts = 0;    ///< carts that hold items now (cleanup should keep this low)
  std::uint64_t rejected = 0;      ///< requests answered with an error (4xx/5xx or a business error)
};

/// A running fake shop. start()/stop() from one owning thread; the rest is thread-safe.
class PlatformFake {
 public:
  virtual ~PlatformFake() = default;
  PlatformFake() = default;
  PlatformFake(const PlatformFake&) = delete;
  PlatformFake& operator=(const PlatformFake&) = delete;

  virtual std::string_view platform() const = 0;
  /// Listens on `listen` (an IP literal and port; port 0 picks a free one).
  virtual core::Status start(const std::string& listen) = 0;
  virtual void stop() = 0;
  virtual std::uint16_t port() const = 0;
  /// "http://127.0.0.1:PORT" (the shop's base URL; API paths hang below it).
  std::string baseUrl() const { return "http://127.0.0.1:" + std::to_string(port()); }

  /// The fake's failure modes.
  virtual std::vector<FaultInfo> faults() const = 0;
  /// Switches a failure mode on or off; false for an unknown name.
  virtual bool setFault(std::string_view name, bool on) = 0;
  /// Switches every failure mode off.
  virtual void clearFaults() = 0;
  virtual PlatformCounters counters() const = 0;
};

/// A new, not yet started fake of `platform` (a catalogue name), or nullptr for an unknown one.
std::unique_ptr<PlatformFake> makePlatformFake(std::string_view platform);

}  // namespace shopwatch::agent::platforms
