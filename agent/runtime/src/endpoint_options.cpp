#include "endpoint_options.h"

#include <spdlog/spdlog.h>

namespace shopwatch::agent::runtime {

namespace {

http::TlsVersion tlsVersion(const std::string& name) {
  if (name == "TLS10") return http::TlsVersion::Tls10;
  if (name == "TLS11") return http::TlsVersion::Tls11;
  if (name == "TLS13") return http::TlsVersion::Tls13;
  return http::TlsVersion::Tls12;
}

http::ClientAuth clientAuth(const std::string& name) {
  if (name == "RequestClientCert") return http::ClientAuth::RequestClientCert;
  if (name == "RequireAnyClientCert") return http::ClientAuth::RequireAnyClientCert;
  if (name == "VerifyClientCertIfGiven") return http::ClientAuth::VerifyClientCertIfGiven;
  if (name == "RequireAndVerifyClientCert") return http::ClientAuth::RequireAndVerifyClientCert;
  return http::ClientAuth::NoClientCert;
}

}  // namespace

http::HttpServerOptions endpointServerOptions(const AgentConfig& config, const std::string& listen) {
  http::HttpServerOptions options;
  options.listen = listen;
  // Two io threads: a maintenance announcement waits (bounded) for the store's writer, and a scrape of
  // /metrics must not wait behind it (nor behind a bcrypt verification: basic auth runs at most one).
  options.threads = 2;
  if (const auto& tls = config.web.tls) {
    http::TlsServerOptions t;
    t.cert_file = tls->cert_file;
    t.key_file = tls->key_file;
    t.client_ca_file = tls->client_ca_file;
    t.min_version = tlsVersion(tls->min_version);
    t.client_auth = clientAuth(tls->client_auth_type);
    options.tls = std::move(t);
  }
  return options;
}

void applyWebAuth(const AgentConfig& config, http::AgentEndpoints& endpoints) {
  endpoints.basic_auth_users = config.web.basic_auth_users;
}

void warnWebChanges(const AgentConfig& previous, const AgentConfig& next) {
  if (previous.web.tls != next.web.tls) {
    spdlog::warn("web.tls_server_config changed; restart to apply (the endpoint keeps its current TLS "
                 "settings)");
  }
  if (previous.web.basic_auth_users != next.web.basic_auth_users) {
    spdlog::warn("web.basic_auth_users changed; restart to apply (the endpoint keeps its current users)");
  }
}

}  // namespace shopwatch::agent::runtime
