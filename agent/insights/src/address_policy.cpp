#include "address_policy.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>

namespace shopwatch::agent::insights::detail {
namespace {

AddressClass classifyV4(std::uint32_t a) {  // host byte order
  const auto in = [a](std::uint32_t net, int bits) {
    const std::uint32_t mask = bits == 0 ? 0 : ~std::uint32_t{0} << (32 - bits);
    return (a & mask) == net;
  };
  if (in(0x7F000000, 8)) return AddressClass::Loopback;
  if (in(0x0A000000, 8) || in(0xAC100000, 12) || in(0xC0A80000, 16) || in(0x64400000, 10))
    return AddressClass::Private;
  if (in(0xA9FE0000, 16)) return AddressClass::LinkLocal;
  if (in(0x00000000, 8) || in(0xE0000000, 4) || a == 0xFFFFFFFF) return AddressClass::Unspecified;
  return AddressClass::Public;
}

std::string stripBrackets(std::string_view ip) {
  if (ip.size() >= 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
  return std::string(ip);
}

}  // namespace

AddressClass classifyAddress(std::string_view text) {
  const std::string ip = stripBrackets(text);
  in_addr v4{};
  if (inet_pton(AF_INET, ip.c_str(), &v4) == 1) return classifyV4(ntohl(v4.s_addr));
  in6_addr v6{};
  if (inet_pton(AF_INET6, ip.c_str(), &v6) != 1) return AddressClass::Unspecified;
  const auto* b = v6.s6_addr;
  static constexpr std::array<unsigned char, 12> kMapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  if (std::memcmp(b, kMapped.data(), kMapped.size()) == 0) {
    return classifyV4((std::uint32_t{b[12]} << 24) | (std::uint32_t{b[13]} << 16) |
                      (std::uint32_t{b[14]} << 8) | std::uint32_t{b[15]});
  }
  bool zero_prefix = true;
  for (int i = 0; i < 15; ++i) zero_prefix = zero_prefix && b[i] == 0;
  if (zero_prefix && b[15] == 1) return AddressClass::Loopback;
  if (zero_prefix && b[15] == 0) return AddressClass::Unspecified;
  if ((b[0] & 0xFE) == 0xFC) return AddressClass::Private;
  if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) return AddressClass::LinkLocal;
  if (b[0] == 0xFF) return AddressClass::Unspecified;  // multicast
  return AddressClass::Public;
}

const char* addressClassText(AddressClass c) {
  switch (c) {
    case AddressClass::Public:
      return "a public address";
    case AddressClass::Loopback:
      return "a loopback address";
    case AddressClass::Private:
      return "a private address";
    case AddressClass::LinkLocal:
      return "a link-local address";
    case AddressClass::Unspecified:
      break;
  }
  return "not a usable address";
}

std::vector<std::string> systemResolve(const std::string& host) {
  const std::string name = stripBrackets(host);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(name.c_str(), nullptr, &hints, &res) != 0 || res == nullptr) return {};
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owned(res, &freeaddrinfo);
  std::vector<std::string> out;
  for (const addrinfo* p = res; p != nullptr; p = p->ai_next) {
    std::array<char, INET6_ADDRSTRLEN> buf{};
    const void* addr = nullptr;
    if (p->ai_family == AF_INET) addr = &reinterpret_cast<const sockaddr_in*>(p->ai_addr)->sin_addr;
    else if (p->ai_family == AF_INET6) addr = &reinterpret_cast<const sockaddr_in6*>(p->ai_addr)->sin6_addr;
    if (addr == nullptr || inet_ntop(p->ai_family, addr, buf.data(), buf.size()) == nullptr) continue;
    std::string ip(buf.data());
    bool seen = false;
    for (const auto& x : out) seen = seen || x == ip;
    if (!seen) out.push_back(std::move(ip));
  }
  return out;
}

AssetAddress assetAddress(const std::string& host, AddressClass page_class,
                          const std::optional<std::string>& override_address,
                          const HostResolver& resolve) {
  const std::vector<std::string> addresses = override_address ? std::vector<std::string>{*override_address}
                                             : resolve                ? resolve(host)
                                                                      : systemResolve(host);
  if (addresses.empty()) return {"", host + " does not resolve"};
  for (const auto& a : addresses) {
    const AddressClass c = classifyAddress(a);
    if (c == AddressClass::Unspecified) return {"", host + " resolves to " + a + ", " + addressClassText(c)};
    if (c != AddressClass::Public && page_class == AddressClass::Public) {
      return {"", host + " resolves to " + a + ", " + addressClassText(c) +
                      ", and the check's own host is public"};
    }
  }
  return {addresses.front(), ""};
}

}  // namespace shopwatch::agent::insights::detail
