#pragma once
// The server's shared state and the pieces its translation units share (http_server.cpp: accept,
// routing, start/stop; http_session.cpp: one connection; tls_context.cpp: the OpenSSL context).
// Private to agent/http: Boost.Beast/Asio never leave these files.

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "shopwatch/agent/http/http_server.h"

namespace shopwatch::agent::http::detail {

namespace net = boost::asio;
using tcp = net::ip::tcp;

struct RouteTable {
  // path → method → handler
  std::map<std::string, std::map<std::string, HttpHandler>> exact;
  std::map<std::string, std::map<std::string, HttpHandler>> prefix;
};

/// "127.0.0.1:PORT" / "[::1]:PORT".
std::string endpointText(const tcp::endpoint& ep);

/// A live connection, as stop() sees it.
class SessionBase {
 public:
  SessionBase() = default;
  virtual ~SessionBase() = default;
  SessionBase(const SessionBase&) = delete;
  SessionBase& operator=(const SessionBase&) = delete;
  SessionBase(SessionBase&&) = delete;
  SessionBase& operator=(SessionBase&&) = delete;
  /// Only called by stop() after the io threads are joined: nothing else touches the session.
  virtual void closeNow() = 0;
};

struct ServerCore {
  explicit ServerCore(HttpServerOptions o) : options(std::move(o)) {}

  HttpServerOptions options;
  RouteTable routes;
  RequestGate gate;
  std::atomic<std::size_t> connections{0};
  std::mutex sessions_mu;
  std::unordered_set<SessionBase*> sessions;
  bool started = false;
  bool stopped = false;
  std::uint16_t bound_port = 0;
  std::string bound_address;
  std::unique_ptr<net::ssl::context> tls;  ///< set by start() when options.tls
  // Declared after everything sessions touch: destroyed first, its pending handlers (and with them the
  // sessions) go before the route table and the session set.
  net::io_context ioc;
  std::optional<tcp::acceptor> acceptor;
  std::vector<std::jthread> threads;
  /// Runs HttpResponse::deferred work (created by start(); joined by stop() after the io threads).
  std::optional<net::thread_pool> workers;
  std::atomic<std::size_t> deferred_pending{0};

  void doAccept();
  /// The gate, then routing (404/405/HEAD), then the handler (exceptions → 500).
  HttpResponse handle(const HttpRequest& req, bool& head_only) const;
  HttpResponse dispatch(const HttpRequest& req, bool& head_only) const;
};

/// Starts serving one accepted connection (plain HTTP or TLS, as the server is configured). The
/// session registers itself in core.sessions and frees its connection slot when it ends.
void startSession(tcp::socket&& socket, ServerCore& core);

/// The server context for `options`: certificate, key, minimum version, client verification.
/// Error (Invalid) "TLS: cannot load certificate FILE: reason" etc.
core::Result<std::unique_ptr<net::ssl::context>> makeTlsContext(const TlsServerOptions& options);

}  // namespace shopwatch::agent::http::detail
