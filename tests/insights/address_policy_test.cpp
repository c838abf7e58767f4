// Where the response audits may fetch assets from ([F]): address classes and the asset-host rule.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "address_policy.h"

namespace d = shopwatch::agent::insights::detail;
using d::AddressClass;

namespace {

std::vector<std::string> toPrivate(const std::string&) { return {"93.184.216.34", "10.1.2.3"}; }
std::vector<std::string> toPublic(const std::string&) { return {"93.184.216.34", "2606:2800:220:1::1"}; }
std::vector<std::string> toNothing(const std::string&) { return {}; }

}  // namespace

TEST_CASE("address classes of IPv4 and IPv6 literals", "[insights][audit]") {
  CHECK(d::classifyAddress("127.0.0.1") == AddressClass::Loopback);
  CHECK(d::classifyAddress("127.255.0.9") == AddressClass::Loopback);
  CHECK(d::classifyAddress("::1") == AddressClass::Loopback);
  CHECK(d::classifyAddress("[::1]") == AddressClass::Loopback);
  CHECK(d::classifyAddress("10.0.0.1") == AddressClass::Private);
  CHECK(d::classifyAddress("172.16.0.1") == AddressClass::Private);
  CHECK(d::classifyAddress("172.31.255.255") == AddressClass::Private);
  CHECK(d::classifyAddress("172.32.0.1") == AddressClass::Public);
  CHECK(d::classifyAddress("192.168.1.1") == AddressClass::Private);
  CHECK(d::classifyAddress("100.64.0.1") == AddressClass::Private);
  CHECK(d::classifyAddress("fd00::1") == AddressClass::Private);
  CHECK(d::classifyAddress("169.254.169.254") == AddressClass::LinkLocal);
  CHECK(d::classifyAddress("fe80::1") == AddressClass::LinkLocal);
  CHECK(d::classifyAddress("::ffff:10.0.0.1") == AddressClass::Private);
  CHECK(d::classifyAddress("::ffff:93.184.216.34") == AddressClass::Public);
  CHECK(d::classifyAddress("0.0.0.0") == AddressClass::Unspecified);
  CHECK(d::classifyAddress("224.0.0.1") == AddressClass::Unspecified);
  CHECK(d::classifyAddress("::") == AddressClass::Unspecified);
  CHECK(d::classifyAddress("not-an-ip") == AddressClass::Unspecified);
  CHECK(d::classifyAddress("93.184.216.34") == AddressClass::Public);
  CHECK(d::classifyAddress("2606:2800:220:1::1") == AddressClass::Public);
}

TEST_CASE("an asset host must not lead into private addresses unless the check does", "[insights][audit]") {
  // A public shop whose CDN name also resolves to a private address: refused, with the reason.
  auto refused = d::assetAddress("cdn.acme.example", AddressClass::Public, std::nullopt, &toPrivate);
  CHECK(refused.address.empty());
  CHECK(refused.refusal == "cdn.acme.example resolves to 10.1.2.3, a private address, and the check's own host is public");
  // The same name for a shop the check reaches on a private network: allowed, pinned to the first.
  auto inside = d::assetAddress("cdn.acme.example", AddressClass::Private, std::nullopt, &toPrivate);
  CHECK(inside.address == "93.184.216.34");
  CHECK(inside.refusal.empty());
  auto ok = d::assetAddress("cdn.acme.example", AddressClass::Public, std::nullopt, &toPublic);
  CHECK(ok.address == "93.184.216.34");
  // A check's resolve: override is used instead of DNS, under the same rule.
  auto pinned = d::assetAddress("cdn.acme.example", AddressClass::Public, std::string("169.254.169.254"), &toPublic);
  CHECK(pinned.address.empty());
  CHECK(pinned.refusal.find("a link-local address") != std::string::npos);
  auto none = d::assetAddress("gone.example", AddressClass::Public, std::nullopt, &toNothing);
  CHECK(none.refusal == "gone.example does not resolve");
  // The loopback shops of the tests: the system resolver gives 127.0.0.1 for a literal.
  auto local = d::assetAddress("127.0.0.1", AddressClass::Loopback, std::nullopt);
  CHECK(local.address == "127.0.0.1");
}
