#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>

#include "fake_http_server.h"

namespace shopwatch::testing {

namespace {

struct EvpPkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Deleter {
  void operator()(X509* p) const { X509_free(p); }
};
struct X509ExtensionDeleter {
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};
struct BioDeleter {
  void operator()(BIO* p) const { BIO_free(p); }
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyDeleter>;
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test certificate: ") + what + " failed");
}

EvpPkeyPtr makeKey() {
  // EC P-256: key generation is ~100x faster than RSA-2048, which matters across many tests.
  EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  check(key != nullptr, "EC key generation");
  return key;
}

void addExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, X509ExtensionDeleter> ext(
      X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  check(ext != nullptr, "X509V3_EXT_conf_nid");
  check(X509_add_ext(cert, ext.get(), -1) == 1, "X509_add_ext");
}

std::string pemOf(X509* cert) {
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new(BIO_s_mem()));
  check(bio != nullptr && PEM_write_bio_X509(bio.get(), cert) == 1, "PEM_write_bio_X509");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

std::string pemOf(EVP_PKEY* key) {
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new(BIO_s_mem()));
  check(bio != nullptr && PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr,
                                                   nullptr) == 1,
        "PEM_write_bio_PrivateKey");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

template <typename T>
std::unique_ptr<T, void (*)(T*)> parsePem(const std::string& pem,
                                          T* (*read)(BIO*, T**, pem_password_cb*, void*),
                                          void (*release)(T*)) {
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  check(bio != nullptr, "BIO_new_mem_buf");
  std::unique_ptr<T, void (*)(T*)> out(read(bio.get(), nullptr, nullptr, nullptr), release);
  check(out != nullptr, "PEM parse");
  return out;
}

/// A new certificate for `cn` holding `key`'s public half, not yet signed.
X509Ptr makeCertificate(const std::string& cn, EVP_PKEY* key, std::chrono::seconds not_before,
                        std::chrono::seconds not_after) {
  X509Ptr cert(X509_new());
  check(cert != nullptr, "X509_new");
  check(X509_set_version(cert.get(), 2) == 1, "X509_set_version");
  // Random serials: verifiers may cache by issuer + serial, and every test makes new certificates.
  unsigned char serial_bytes[8];
  check(RAND_bytes(serial_bytes, sizeof serial_bytes) == 1, "RAND_bytes");
  serial_bytes[0] &= 0x7f;
  long serial = 0;
  for (unsigned char b : serial_bytes) serial = (serial << 8) | b;
  check(ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial == 0 ? 1 : serial) == 1,
        "ASN1_INTEGER_set");
  check(X509_gmtime_adj(X509_getm_notBefore(cert.get()), static_cast<long>(not_before.count())) !=
            nullptr,
        "notBefore");
  check(X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(not_after.count())) !=
            nullptr,
        "notAfter");
  X509_NAME* name = X509_get_subject_name(cert.get());
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                   0) == 1,
        "subject CN");
  check(X509_set_pubkey(cert.get(), key) == 1, "X509_set_pubkey");
  return cert;
}

std::string sanFor(const std::string& cn) {
  std::string san = "DNS:localhost,IP:127.0.0.1";
  if (cn != "localhost" && cn != "127.0.0.1") san += ",DNS:" + cn;
  return san;
}

}  // namespace

TestCertificate makeSelfSignedCertificate(const std::string& cn, std::chrono::seconds not_before,
                                          std::chrono::seconds not_after) {
  EvpPkeyPtr key = makeKey();
  X509Ptr cert = makeCertificate(cn, key.get(), not_before, not_after);
  check(X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get())) == 1, "issuer");
  addExtension(cert.get(), cert.get(), NID_subject_alt_name, sanFor(cn));
  addExtension(cert.get(), cert.get(), NID_ext_key_usage, "serverAuth");
  check(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "X509_sign");
  return TestCertificate{pemOf(cert.get()), pemOf(key.get())};
}

TestCertificateAuthority::TestCertificateAuthority() {
  EvpPkeyPtr key = makeKey();
  X509Ptr cert = makeCertificate("shopwatch test CA", key.get(), std::chrono::hours(-24),
                                 std::chrono::hours(24 * 365));
  check(X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get())) == 1, "issuer");
  addExtension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  addExtension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  addExtension(cert.get(), cert.get(), NID_subject_key_identifier, "hash");
  check(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "X509_sign");
  ca_ = TestCertificate{pemOf(cert.get()), pemOf(key.get())};
}

TestCertificate TestCertificateAuthority::issue(const std::string& cn,
                                                std::chrono::seconds not_before,
                                                std::chrono::seconds not_after) const {
  auto ca_cert = parsePem<X509>(ca_.cert_pem, PEM_read_bio_X509, X509_free);
  auto ca_key = parsePem<EVP_PKEY>(ca_.key_pem, PEM_read_bio_PrivateKey, EVP_PKEY_free);
  EvpPkeyPtr key = makeKey();
  X509Ptr cert = makeCertificate(cn, key.get(), not_before, not_after);
  check(X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert.get())) == 1, "issuer");
  addExtension(cert.get(), ca_cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  addExtension(cert.get(), ca_cert.get(), NID_key_usage, "critical,digitalSignature");
  addExtension(cert.get(), ca_cert.get(), NID_ext_key_usage, "serverAuth");
  addExtension(cert.get(), ca_cert.get(), NID_subject_alt_name, sanFor(cn));
  addExtension(cert.get(), ca_cert.get(), NID_authority_key_identifier, "keyid:always");
  check(X509_sign(cert.get(), ca_key.get(), EVP_sha256()) > 0, "X509_sign");
  return TestCertificate{pemOf(cert.get()), pemOf(key.get())};
}

}  // namespace shopwatch::testing
