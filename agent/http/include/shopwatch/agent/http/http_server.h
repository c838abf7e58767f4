#pragma once
/// HttpServer: the agent's small HTTP/1.1 server (/metrics, /healthz, /api/v1/*, the demo shop).
/// Boost.Beast/Asio stay inside agent/http/src (http_server.cpp, http_session.cpp, tls_context.cpp;
/// pimpl); this header is plain C++. Optional TLS (OpenSSL) and gzip of opted-in responses (zlib).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "shopwatch/core/result.h"

namespace shopwatch::agent::http {

/// One parsed request as a handler sees it.
struct HttpRequest {
  std::string method;  ///< "GET", "POST", ... as sent (HEAD requests reach GET handlers as "HEAD")
  std::string target;  ///< path + query as sent
  std::string path;    ///< target before '?', not percent-decoded
  std::string query;   ///< target after '?', "" if none
  std::map<std::string, std::string> headers;  ///< names lower-cased; repeated fields joined by ", "
  std::string body;
  std::string remote;  ///< peer "ip:port" ("[v6]:port" for IPv6)
};

/// A handler's answer. The server adds Content-Length, Connection (keep-alive as the client asked) and
/// Server.
struct HttpResponse {
  int status = 200;  ///< 100..999; anything else is answered as 500
  std::string content_type = "text/plain; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;  ///< extra header fields
  std::string body;
  /// Wait this long before sending the response (demo shop, fake slowness). The server waits on a
  /// timer; no thread blocks.
  std::chrono::milliseconds delay{0};
  /// The server gzips the body (Content-Encoding: gzip) when the request's Accept-Encoding accepts
  /// gzip, and adds `Vary: Accept-Encoding` either way (/metrics sets it).
  bool compressible = false;
  /// Heavy work (a month's report, the status page): when set, the server runs it on one of its
  /// worker threads — never on an io thread, so /metrics and the other routes keep answering — and
  /// sends the response it returns (the fields above are ignored; its own `deferred` too). More than
  /// HttpServerOptions::max_deferred waiting or running: 503 with Retry-After. An exception: 500.
  std::function<HttpResponse()> deferred;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;
/// Runs for every parsed request before routing (also for unknown paths): nullopt lets the request
/// through, a response is sent instead of routing (basic auth's 401). Same threading as handlers.
using RequestGate = std::function<std::optional<HttpResponse>(const HttpRequest&)>;

enum class TlsVersion { Tls10, Tls11, Tls12, Tls13 };

/// Go's tls.ClientAuthType, as exporter-toolkit names them.
enum class ClientAuth {
  NoClientCert,               ///< no certificate asked for
  RequestClientCert,          ///< asked for, not required, not verified
  RequireAnyClientCert,       ///< required, not verified
  VerifyClientCertIfGiven,    ///< not required; verified against client_ca_file when sent
  RequireAndVerifyClientCert  ///< required and verified against client_ca_file
};

struct TlsServerOptions {
  std::string cert_file;       ///< PEM, the leaf first, then its chain
  std::string key_file;        ///< PEM private key of cert_file
  std::string client_ca_file;  ///< PEM CA bundle for client certificates ("" = none)
  TlsVersion min_version = TlsVersion::Tls12;
  ClientAuth client_auth = ClientAuth::NoClientCert;
};

struct HttpServerOptions {
  /// "IP:PORT", "[IPv6]:PORT" or "localhost:PORT" (= 127.0.0.1). IP literals only: the server never
  /// asks a resolver. Port 0 picks a free port (see port()).
  std::string listen = "127.0.0.1:0";
  int threads = 1;                        ///< io threads (handlers run on them)
  int worker_threads = 2;                 ///< threads running HttpResponse::deferred work
  std::size_t max_deferred = 16;          ///< deferred responses waiting or running at once
  std::size_t max_body = 1024 * 1024;     ///< larger request bodies are answered 413
  std::size_t max_header = 16 * 1024;     ///< larger request heads are answered 431
  /// Deadline for reading one whole request (and for an idle keep-alive connection, and for writing
  /// a response): slow or idle clients are disconnected when it passes.
  std::chrono::seconds read_timeout{10};
  std::size_t max_connections = 512;      ///< further connections are closed at accept
  std::size_t max_header_fields = 100;    ///< requests with more header fields are answered 431
  /// Serve HTTPS: the certificate and key are loaded by start() (an error names the file). A client
  /// that does not complete the TLS handshake (plain HTTP to this port) is disconnected.
  std::optional<TlsServerOptions> tls;
};

/// Thread-safety: route()/routePrefix() must be called before start(). start(), stop() and the
/// destructor from one owning thread. Handlers run on the server's io threads, concurrently when
/// threads > 1; they must be thread-safe and should not block for long.
/// Answers: unknown path → 404; known path, other method → 405 with Allow; HEAD → the GET handler
/// without body; malformed request → 400 and close; more than max_header_fields fields or a head
/// over max_header → 431 and close; handler exception → 500 (logged via spdlog).
class HttpServer {
 public:
  explicit HttpServer(HttpServerOptions options = {});
  ~HttpServer();  ///< stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  HttpServer(HttpServer&&) = delete;
  HttpServer& operator=(HttpServer&&) = delete;

  /// Exact-path route. A later route for the same method and path replaces the earlier one.
  void route(std::string method, std::string path, HttpHandler handler);
  /// Prefix route ("/api/v1/checks/" matches "/api/v1/checks/acme/home"); exact routes win, then
  /// the longest prefix.
  void routePrefix(std::string method, std::string prefix, HttpHandler handler);
  /// Installs the request gate (see RequestGate; one per server, a later call replaces it).
  void setGate(RequestGate gate);

  /// Binds, listens and starts the io threads. Error (ErrorCode::Unavailable or Invalid) with the
  /// message "cannot listen on ADDR: reason" (address in use, permission denied, bad address), or
  /// (Invalid) "TLS: cannot load certificate FILE: reason" and the like for options.tls.
  /// Calling it twice is an error.
  core::Status start();
  /// The bound port (0 before start()).
  std::uint16_t port() const;
  /// The bound address as "127.0.0.1:PORT" / "[::1]:PORT" ("" before start()).
  std::string listenAddress() const;
  /// Stops accepting, closes every connection (also idle keep-alive ones) and joins the io threads.
  /// Returns once running handlers have returned. Idempotent. Never call it from a handler.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace shopwatch::agent::http
