// HttpServer over TLS with certificates made at test time: a verified scrape, a wrong CA, the five
// client-certificate policies, the minimum version, plain HTTP to the TLS port, bad key files.

#include <catch2/catch.hpp>

#include <curl/curl.h>

#include <filesystem>
#include <string>

#include "shopwatch/agent/http/http_server.h"
#include "test_client.h"
#include "web_test_support.h"

using namespace std::chrono_literals;
using shopwatch::agent::http::ClientAuth;
using shopwatch::agent::http::HttpRequest;
using shopwatch::agent::http::HttpResponse;
using shopwatch::agent::http::HttpServer;
using shopwatch::agent::http::HttpServerOptions;
using shopwatch::agent::http::TlsServerOptions;
using shopwatch::agent::http::TlsVersion;
using shopwatch::testing::PemFiles;
using shopwatch::testing::WebRequest;
using shopwatch::testing::webRequest;

namespace {

struct Pki {
  Pki() : dir(std::filesystem::temp_directory_path() / ("shopwatch-tls-" + std::to_string(::getpid()))),
          good((std::filesystem::create_directories(dir), dir), "ca"),
          other(dir, "otherca") {
    good.server("server");
    good.client("client");
    other.server("stranger");
    other.client("outsider");
  }
  ~Pki() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::filesystem::path dir;
  PemFiles good;
  PemFiles other;
};

const Pki& pki() {
  static const Pki p;
  return p;
}

std::unique_ptr<HttpServer> tlsServer(ClientAuth auth = ClientAuth::NoClientCert,
                                      TlsVersion min = TlsVersion::Tls12) {
  HttpServerOptions options;
  TlsServerOptions tls;
  tls.cert_file = pki().good.crt("server");
  tls.key_file = pki().good.key("server");
  tls.min_version = min;
  tls.client_auth = auth;
  if (auth == ClientAuth::VerifyClientCertIfGiven || auth == ClientAuth::RequireAndVerifyClientCert) {
    tls.client_ca_file = pki().good.caCrt();
  }
  options.tls = tls;
  options.read_timeout = 2s;
  auto server = std::make_unique<HttpServer>(options);
  server->route("GET", "/metrics", [](const HttpRequest&) {
    HttpResponse res;
    res.body = "up 1\n";
    return res;
  });
  auto st = server->start();
  INFO((st ? std::string() : st.error().message));
  REQUIRE(st.ok());
  return server;
}

std::string url(const HttpServer& s) { return "https://127.0.0.1:" + std::to_string(s.port()) + "/metrics"; }

WebRequest withClient(const HttpServer& s, const PemFiles& issuer, const std::string& name) {
  return {.url = url(s), .ca_file = pki().good.caCrt(), .cert_file = issuer.crt(name), .key_file = issuer.key(name)};
}

}  // namespace

TEST_CASE("a TLS scrape verifies against the right CA and fails against another") {
  auto server = tlsServer();
  const auto ok = webRequest({.url = url(*server), .ca_file = pki().good.caCrt()});
  INFO(ok.error);
  CHECK(ok.status == 200);
  CHECK(ok.body == "up 1\n");
  const auto wrong = webRequest({.url = url(*server), .ca_file = pki().other.caCrt()});
  CHECK_FALSE(wrong.ok);
  CHECK(wrong.status == 0);
}

TEST_CASE("plain HTTP to the TLS port fails cleanly and the server keeps serving") {
  auto server = tlsServer();
  for (int i = 0; i < 3; ++i) {
    shopwatch::testing::RawConnection c(server->port(), 3s);
    REQUIRE(c.send("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
    const auto answer = c.receive();
    CHECK(answer.find("up 1") == std::string::npos);  // no plaintext answer with the data
    CHECK(c.waitForClose());
  }
  const auto plain = webRequest({.url = "http://127.0.0.1:" + std::to_string(server->port()) + "/metrics"});
  CHECK(plain.status != 200);
  const auto ok = webRequest({.url = url(*server), .ca_file = pki().good.caCrt()});
  CHECK(ok.status == 200);
}

TEST_CASE("min_version TLS13 refuses a TLS 1.2 client") {
  auto server = tlsServer(ClientAuth::NoClientCert, TlsVersion::Tls13);
  CHECK(webRequest({.url = url(*server), .ca_file = pki().good.caCrt()}).status == 200);
  const auto old = webRequest({.url = url(*server), .ca_file = pki().good.caCrt(), .max_tls = CURL_SSLVERSION_MAX_TLSv1_2});
  CHECK_FALSE(old.ok);
  // The same client against the default minimum (TLS12) gets through: the refusal was the server's.
  auto lenient = tlsServer();
  CHECK(webRequest({.url = url(*lenient), .ca_file = pki().good.caCrt(), .max_tls = CURL_SSLVERSION_MAX_TLSv1_2})
            .status == 200);
}

TEST_CASE("the five client_auth_types") {
  const auto& good = pki().good;
  const auto& other = pki().other;
  SECTION("NoClientCert") {
    auto s = tlsServer(ClientAuth::NoClientCert);
    CHECK(webRequest({.url = url(*s), .ca_file = good.caCrt()}).status == 200);
  }
  SECTION("RequestClientCert: optional, not verified") {
    auto s = tlsServer(ClientAuth::RequestClientCert);
    CHECK(webRequest({.url = url(*s), .ca_file = good.caCrt()}).status == 200);
    CHECK(webRequest(withClient(*s, other, "outsider")).status == 200);
  }
  SECTION("RequireAnyClientCert: required, not verified") {
    auto s = tlsServer(ClientAuth::RequireAnyClientCert);
    CHECK_FALSE(webRequest({.url = url(*s), .ca_file = good.caCrt()}).ok);
    CHECK(webRequest(withClient(*s, other, "outsider")).status == 200);
  }
  SECTION("VerifyClientCertIfGiven: optional, verified when sent") {
    auto s = tlsServer(ClientAuth::VerifyClientCertIfGiven);
    CHECK(webRequest({.url = url(*s), .ca_file = good.caCrt()}).status == 200);
    CHECK(webRequest(withClient(*s, good, "client")).status == 200);
    CHECK_FALSE(webRequest(withClient(*s, other, "outsider")).ok);
  }
  SECTION("RequireAndVerifyClientCert: required and verified") {
    auto s = tlsServer(ClientAuth::RequireAndVerifyClientCert);
    CHECK_FALSE(webRequest({.url = url(*s), .ca_file = good.caCrt()}).ok);
    CHECK_FALSE(webRequest(withClient(*s, other, "outsider")).ok);
    const auto ok = webRequest(withClient(*s, good, "client"));
    INFO(ok.error);
    CHECK(ok.status == 200);
  }
}

TEST_CASE("unusable certificate or key files fail start() with the file named") {
  HttpServerOptions options;
  TlsServerOptions tls;
  tls.cert_file = pki().good.crt("server");
  tls.key_file = pki().good.key("stranger-missing");
  options.tls = tls;
  HttpServer missing_key(options);
  auto st = missing_key.start();
  REQUIRE_FALSE(st.ok());
  CHECK_THAT(st.error().message, Catch::Contains("private key") && Catch::Contains("stranger-missing"));

  tls.key_file = pki().other.key("stranger");  // a real key, but not the certificate's
  options.tls = tls;
  HttpServer mismatch(options);
  st = mismatch.start();
  REQUIRE_FALSE(st.ok());
  CHECK_THAT(st.error().message, Catch::Contains("private key") && Catch::Contains("stranger.key"));

  tls.cert_file = pki().good.key("server");  // a key where the certificate belongs
  options.tls = tls;
  HttpServer not_cert(options);
  st = not_cert.start();
  REQUIRE_FALSE(st.ok());
  CHECK_THAT(st.error().message, Catch::Contains("cannot load certificate"));
}
