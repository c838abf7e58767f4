#include "shopwatch/agent/backlog/incident.h"

#include <openssl/evp.h>

#include <array>
#include <cctype>
#include <string>

namespace shopwatch::agent::backlog {

namespace {

void appendLower(std::string& out, std::string_view text) {
  for (char c : text) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

}  // namespace

std::string incidentFingerprint(std::string_view client, std::string_view rule,
                                const rules::Target& target) {
  // Identity names are [a-z0-9._-] (DESIGN.md, "Identity"), so '|' cannot occur inside a part and
  // needs no escaping; lowercasing keeps a hand-edited config from splitting one incident in two.
  std::string identity = "v1";
  for (std::string_view part :
       {client, std::string_view(target.key.shop), std::string_view(target.key.env), rule,
        std::string_view(target.key.check), std::string_view(target.step)}) {
    identity += '|';
    appendLower(identity, part);
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int len = 0;
  EVP_Digest(identity.data(), identity.size(), digest.data(), &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "shopwatch-";
  for (unsigned int i = 0; i < 16 && i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

std::string_view incidentStateName(IncidentState s) {
  switch (s) {
    case IncidentState::Open:
      return "open";
    case IncidentState::Resolved:
      return "resolved";
  }
  return "open";
}

}  // namespace shopwatch::agent::backlog
