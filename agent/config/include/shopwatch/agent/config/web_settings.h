#pragma once
/// `web:` — the endpoint's TLS and basic auth, with exporter-toolkit's key names (an agency can reuse
/// its Prometheus web configs). Plain data; validated by the loader (web_keys.cpp). Changes need a
/// restart.

#include <map>
#include <optional>
#include <string>

namespace shopwatch::agent {

/// `web.tls_server_config` — file paths are absolute (relative ones are taken from the config's
/// directory) and existed when the config was loaded.
struct TlsServerSettings {
  std::string cert_file;
  std::string key_file;
  std::string client_ca_file;                   ///< "" = none
  std::string min_version = "TLS12";            ///< TLS10 | TLS11 | TLS12 | TLS13
  std::string client_auth_type = "NoClientCert";  ///< Go's tls.ClientAuthType names
  bool operator==(const TlsServerSettings&) const = default;
};

struct WebSettings {
  std::optional<TlsServerSettings> tls;  ///< unset: plain HTTP
  /// user → bcrypt hash ($2a$, $2b$ or $2y$). Empty: no basic auth.
  std::map<std::string, std::string> basic_auth_users;
  bool operator==(const WebSettings&) const = default;
};

}  // namespace shopwatch::agent
