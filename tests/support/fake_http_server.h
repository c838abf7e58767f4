#pragma once
/// FakeHttpServer: an in-process Boost.Beast server on 127.0.0.1:0 for tests (STYLE.md, "Tests").
/// Runs its io_context on one joined std::jthread; records every request; scripts failure modes as
/// routes. Beast stays inside fake_http_server.cpp: this header is plain C++.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shopwatch::testing {

struct FakeRequest {
  std::string method;
  std::string target;  ///< path + query as sent
  std::string path;    ///< target without the query
  std::map<std::string, std::string> headers;  ///< names lower-cased
  std::string body;
};

struct FakeResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds delay{0};  ///< wait before sending anything
};

/// A self-signed or CA-issued certificate and its key, PEM-encoded (made at test time with libcrypto).
struct TestCertificate {
  std::string cert_pem;
  std::string key_pem;
};

/// Certificate for "localhost" with SANs DNS:localhost, DNS:<cn>, IP:127.0.0.1, valid from
/// now+not_before to now+not_after (negative values lie in the past: an already-expired certificate).
TestCertificate makeSelfSignedCertificate(const std::string& cn, std::chrono::seconds not_before,
                                          std::chrono::seconds not_after);

/// A test CA that issues leaf certificates; write ca().cert_pem to a file for `tls.ca_file`.
class TestCertificateAuthority {
 public:
  TestCertificateAuthority();
  const TestCertificate& ca() const { return ca_; }
  TestCertificate issue(const std::string& cn, std::chrono::seconds not_before,
                        std::chrono::seconds not_after) const;

 private:
  TestCertificate ca_;
};

class FakeHttpServer {
 public:
  struct Options {
    bool tls = false;
    TestCertificate certificate;  ///< used when tls; empty → a fresh self-signed one for 127.0.0.1
    /// tls: wait this long after accepting before answering the ClientHello (a slow TLS handshake).
    std::chrono::milliseconds handshake_delay{0};
    /// tls: resume TLS sessions (session cache and tickets, as OpenSSL servers do by default);
    /// false: every connection gets a full handshake.
    bool session_resumption = true;
    /// tls: false caps the server at TLS 1.2 (resumption by session ticket or id, not TLS 1.3
    /// tickets).
    bool tls13 = true;
  };
  /// Called on the server's thread, outside its lock: keep it quick and non-blocking (use
  /// FakeResponse::delay to be slow). An exception from it closes the connection.
  using Handler = std::function<FakeResponse(const FakeRequest&)>;

  FakeHttpServer();
  explicit FakeHttpServer(Options options);
  ~FakeHttpServer();  ///< stops and joins
  FakeHttpServer(const FakeHttpServer&) = delete;
  FakeHttpServer& operator=(const FakeHttpServer&) = delete;
  FakeHttpServer(FakeHttpServer&&) = delete;
  FakeHttpServer& operator=(FakeHttpServer&&) = delete;

  std::uint16_t port() const;
  /// "http://127.0.0.1:PORT" + path (https:// when tls).
  std::string url(std::string_view path = "/") const;
  /// The same with a host name instead of the IP (for resolver / --resolve tests).
  std::string urlWithHost(std::string_view host, std::string_view path = "/") const;
  /// The certificate served when tls (the generated one when Options.certificate was empty);
  /// its cert_pem is a trust anchor for a self-signed server. Empty without tls.
  const TestCertificate& certificate() const;

  // Routes match the path exactly (query ignored); a later route for the same path replaces the
  // earlier one. Unrouted paths answer 404. Thread-safe: routes may change while serving.
  void route(const std::string& path, Handler handler);
  void respond(const std::string& path, FakeResponse response);
  void status(const std::string& path, int code, std::string body = "");
  void delay(const std::string& path, std::chrono::milliseconds delay, FakeResponse response = {});
  void drop(const std::string& path);         ///< read the request, close without answering
  void reset(const std::string& path);        ///< read the request, abort with TCP RST
  void resetMidBody(const std::string& path); ///< send headers and part of the body, then RST
  /// Send headers, then `bytes` of body in `chunk`-sized pieces with `pause` between them.
  void slowBody(const std::string& path, std::size_t bytes, std::size_t chunk,
                std::chrono::milliseconds pause);
  /// Stream `bytes` of generated body (chunked, never held in memory whole).
  void hugeBody(const std::string& path, std::size_t bytes);
  void badChunking(const std::string& path);  ///< a chunked body with an invalid chunk size line
  void garbage(const std::string& path);      ///< answer with bytes that are not HTTP
  void redirect(const std::string& path, const std::string& location, int code = 302);
  void redirectLoop(const std::string& path); ///< redirects to itself forever

  std::vector<FakeRequest> requests() const;
  std::size_t requestCount(const std::string& path) const;
  /// Connections accepted so far (to show fresh-connection behaviour).
  std::size_t connectionCount() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace shopwatch::testing
