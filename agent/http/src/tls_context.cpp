// The OpenSSL server context of HttpServerOptions::tls: certificate chain, key, minimum protocol
// version and the five client-certificate policies (Go's tls.ClientAuthType).
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/verify_context.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "http_core.h"

namespace shopwatch::agent::http::detail {

namespace {

int protocolVersion(TlsVersion v) {
  switch (v) {
    case TlsVersion::Tls10: return TLS1_VERSION;
    case TlsVersion::Tls11: return TLS1_1_VERSION;
    case TlsVersion::Tls12: return TLS1_2_VERSION;
    case TlsVersion::Tls13: return TLS1_3_VERSION;
  }
  return TLS1_2_VERSION;
}

core::Error tlsError(const std::string& what, const boost::system::error_code& ec) {
  std::string reason = ec ? ec.message() : std::string("rejected");
  return core::makeError(core::ErrorCode::Invalid, "TLS: " + what + ": " + reason);
}

}  // namespace

core::Result<std::unique_ptr<net::ssl::context>> makeTlsContext(const TlsServerOptions& options) {
  auto ctx = std::make_unique<net::ssl::context>(net::ssl::context::tls_server);
  boost::system::error_code ec;
  ctx->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                       net::ssl::context::no_sslv3 | net::ssl::context::single_dh_use,
                   ec);
  if (ec) return tlsError("cannot set options", ec);
  SSL_CTX* native = ctx->native_handle();
  if (SSL_CTX_set_min_proto_version(native, protocolVersion(options.min_version)) != 1) {
    return core::makeError(core::ErrorCode::Invalid, "TLS: this OpenSSL cannot set the minimum version");
  }
  ctx->use_certificate_chain_file(options.cert_file, ec);
  if (ec) return tlsError("cannot load certificate " + options.cert_file, ec);
  ctx->use_private_key_file(options.key_file, net::ssl::context::pem, ec);
  if (ec) return tlsError("cannot load private key " + options.key_file, ec);
  if (SSL_CTX_check_private_key(native) != 1) {
    ERR_clear_error();
    return core::makeError(core::ErrorCode::Invalid, "TLS: private key " + options.key_file +
                                                         " does not match certificate " +
                                                         options.cert_file);
  }
  // A fixed session id context: verified client certificates and session resumption go together.
  static constexpr unsigned char kSessionContext[] = "shopwatch";
  SSL_CTX_set_session_id_context(native, kSessionContext, sizeof kSessionContext - 1);
  if (!options.client_ca_file.empty()) {
    ctx->load_verify_file(options.client_ca_file, ec);
    if (ec) return tlsError("cannot load client CA file " + options.client_ca_file, ec);
    // Tell clients which CAs are accepted (the CertificateRequest's list).
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(options.client_ca_file.c_str())) {
      SSL_CTX_set_client_CA_list(native, names);
    }
    ERR_clear_error();
  }
  const auto accept_any = [](bool, net::ssl::verify_context&) { return true; };
  switch (options.client_auth) {
    case ClientAuth::NoClientCert:
      ctx->set_verify_mode(net::ssl::verify_none);
      break;
    case ClientAuth::RequestClientCert:
      ctx->set_verify_mode(net::ssl::verify_peer);
      ctx->set_verify_callback(accept_any);
      break;
    case ClientAuth::RequireAnyClientCert:
      ctx->set_verify_mode(net::ssl::verify_peer | net::ssl::verify_fail_if_no_peer_cert);
      ctx->set_verify_callback(accept_any);
      break;
    case ClientAuth::VerifyClientCertIfGiven:
      ctx->set_verify_mode(net::ssl::verify_peer);
      break;
    case ClientAuth::RequireAndVerifyClientCert:
      ctx->set_verify_mode(net::ssl::verify_peer | net::ssl::verify_fail_if_no_peer_cert);
      break;
  }
  return ctx;
}

}  // namespace shopwatch::agent::http::detail
