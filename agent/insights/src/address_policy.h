#pragma once
// Where the response audits may fetch an asset ([F]): from the page's own host or an
// `insights.asset_hosts` entry, and never from a private, loopback or link-local address unless
// the check itself targets one (an asset host must not reach into the monitoring host's network).
// The address an asset host was checked at is the one it is fetched from (pinned like curl
// --resolve), so a name that changes between the check and the fetch cannot slip through.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shopwatch::agent::insights::detail {

enum class AddressClass {
  Public,
  Loopback,     ///< 127.0.0.0/8, ::1
  Private,      ///< 10/8, 172.16/12, 192.168/16, 100.64/10 (CGNAT), fc00::/7
  LinkLocal,    ///< 169.254/16, fe80::/10
  Unspecified,  ///< 0.0.0.0/8, ::, multicast, broadcast, and what is not an address
};

/// The class of an IPv4 or IPv6 literal (IPv4-mapped IPv6 counts as its IPv4 address).
AddressClass classifyAddress(std::string_view ip);
/// "a loopback address", "a private address", …
const char* addressClassText(AddressClass c);

/// Resolution, injected in tests: the addresses `host` resolves to (literals: themselves).
using HostResolver = std::function<std::vector<std::string>(const std::string& host)>;
/// getaddrinfo; blocking (the insights thread's, never the engine's).
std::vector<std::string> systemResolve(const std::string& host);

struct AssetAddress {
  std::string address;  ///< the address to fetch from ("" when refused)
  std::string refusal;  ///< why not, in words ("" when allowed)
};

/// The address of asset host `host` the audit may use: every address it resolves to must be public,
/// unless `page_class` (the check's own address) is not public either. `override_address` is a
/// check's `resolve:` entry for the host, used instead of resolving.
AssetAddress assetAddress(const std::string& host, AddressClass page_class,
                          const std::optional<std::string>& override_address,
                          const HostResolver& resolve = {});  ///< empty: systemResolve

}  // namespace shopwatch::agent::insights::detail
