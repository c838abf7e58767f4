#include "tls_expiry.h"

#include <openssl/asn1.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <ctime>

namespace shopwatch::probes::detail {
namespace {

int sinkIndex() {
  static const int kIndex = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return kIndex;
}

std::optional<core::SystemTime> notAfter(const X509* cert) {
  const ASN1_TIME* t = X509_get0_notAfter(cert);
  if (!t) return std::nullopt;
  std::tm tm{};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return std::nullopt;
  const std::time_t secs = timegm(&tm);
  return core::SystemTime{std::chrono::seconds{secs}};
}

void consider(CertExpirySink& sink, const X509* cert) {
  if (!cert) return;
  auto t = notAfter(cert);
  if (t && (!sink.earliest || *t < *sink.earliest)) sink.earliest = t;
}

int onVerify(int preverify_ok, X509_STORE_CTX* store) {
  auto* ssl =
      static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  if (!ssl) return preverify_ok;
  auto* sink = static_cast<CertExpirySink*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), sinkIndex()));
  if (!sink) return preverify_ok;
  // The presented chain is the leaf plus the untrusted certificates the peer sent; looking at all
  // of them on every call keeps the minimum right even when OpenSSL stops at the first error.
  consider(*sink, X509_STORE_CTX_get0_cert(store));
  if (STACK_OF(X509)* chain = X509_STORE_CTX_get0_untrusted(store)) {
    for (int i = 0; i < sk_X509_num(chain); ++i) consider(*sink, sk_X509_value(chain, i));
  }
  return preverify_ok;
}

}  // namespace

CURLcode installCertExpiryRecorder(CURL* /*easy*/, void* ssl_ctx, void* sink) {
  auto* ctx = static_cast<SSL_CTX*>(ssl_ctx);
  static_cast<CertExpirySink*>(sink)->handshake_started = std::chrono::steady_clock::now();
  if (SSL_CTX_set_ex_data(ctx, sinkIndex(), sink) != 1) return CURLE_SSL_CERTPROBLEM;
  SSL_CTX_set_verify(ctx, SSL_CTX_get_verify_mode(ctx), &onVerify);
  return CURLE_OK;
}

}  // namespace shopwatch::probes::detail
