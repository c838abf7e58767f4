// HttpServer: routes, the request gate, accept (connection limit), start/stop. One connection is
// http_session.cpp, the TLS context tls_context.cpp (http_core.h holds what they share).
#include "shopwatch/agent/http/http_server.h"

#include <algorithm>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/strand.hpp>
#include <exception>
#include <spdlog/spdlog.h>

#include "http_core.h"
#include "shopwatch/core/listen_address.h"

namespace shopwatch::agent::http {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using boost::system::error_code;

namespace {

struct ParsedListen {
  net::ip::address address;
  std::uint16_t port = 0;
};

// The same grammar check-config validates with (core/listen_address.h), so what it accepts binds.
core::Result<ParsedListen> parseListen(const std::string& listen) {
  auto parsed = core::parseListenAddress(listen);
  if (!parsed) return parsed.error();
  boost::system::error_code aec;
  auto address = net::ip::make_address(parsed->ip, aec);
  if (aec) return core::makeError(core::ErrorCode::Invalid, "'" + parsed->ip + "' is not an IP address");
  return ParsedListen{address, parsed->port};
}

}  // namespace

namespace detail {

std::string endpointText(const tcp::endpoint& ep) {
  const auto addr = ep.address();
  std::string host = addr.to_string();
  if (addr.is_v6()) host = "[" + host + "]";
  return host + ":" + std::to_string(ep.port());
}

HttpResponse ServerCore::handle(const HttpRequest& req, bool& head_only) const {
  if (gate) {
    try {
      if (auto denied = gate(req)) return std::move(*denied);
    } catch (const std::exception& e) {
      spdlog::error("http: request gate for {} {} threw: {}", req.method, req.path, e.what());
      HttpResponse res;
      res.status = 500;
      res.body = "internal server error\n";
      return res;
    }
  }
  return dispatch(req, head_only);
}

HttpResponse ServerCore::dispatch(const HttpRequest& req, bool& head_only) const {
  const std::map<std::string, HttpHandler>* methods = nullptr;
  if (auto it = routes.exact.find(req.path); it != routes.exact.end()) {
    methods = &it->second;
  } else {
    std::size_t best = 0;
    for (const auto& [prefix, m] : routes.prefix) {
      if (prefix.size() >= best && req.path.compare(0, prefix.size(), prefix) == 0) {
        best = prefix.size();
        methods = &m;
      }
    }
  }
  HttpResponse res;
  if (methods == nullptr) {
    res.status = 404;
    res.body = "not found\n";
    return res;
  }
  auto handler = methods->find(req.method);
  if (handler == methods->end() && req.method == "HEAD") {
    handler = methods->find("GET");
    head_only = handler != methods->end();
  } else if (req.method == "HEAD") {
    head_only = true;
  }
  if (handler == methods->end()) {
    std::string allow;
    for (const auto& [method, h] : *methods) {
      if (!allow.empty()) allow += ", ";
      allow += method;
      if (method == "GET" && methods->find("HEAD") == methods->end()) allow += ", HEAD";
    }
    res.status = 405;
    res.headers.emplace_back("Allow", allow);
    res.body = "method not allowed\n";
    return res;
  }
  try {
    return handler->second(req);
  } catch (const std::exception& e) {
    spdlog::error("http: handler for {} {} threw: {}", req.method, req.path, e.what());
  } catch (...) {
    spdlog::error("http: handler for {} {} threw a non-std exception", req.method, req.path);
  }
  res.status = 500;
  res.body = "internal server error\n";
  return res;
}

void ServerCore::doAccept() {
  acceptor->async_accept(net::make_strand(ioc), [this](error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor->is_open()) return;
    if (!ec) {
      if (connections.fetch_add(1) >= options.max_connections) {
        connections.fetch_sub(1);
        spdlog::warn("http: connection limit {} reached, closing new connection", options.max_connections);
        error_code ignored;
        socket.close(ignored);
      } else {
        startSession(std::move(socket), *this);
      }
    } else {
      spdlog::warn("http: accept failed: {}", ec.message());
    }
    doAccept();
  });
}

}  // namespace detail

struct HttpServer::Impl : detail::ServerCore {
  using ServerCore::ServerCore;
};

HttpServer::HttpServer(HttpServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

HttpServer::~HttpServer() { stop(); }

void HttpServer::route(std::string method, std::string path, HttpHandler handler) {
  impl_->routes.exact[std::move(path)][std::move(method)] = std::move(handler);
}

void HttpServer::routePrefix(std::string method, std::string prefix, HttpHandler handler) {
  impl_->routes.prefix[std::move(prefix)][std::move(method)] = std::move(handler);
}

void HttpServer::setGate(RequestGate gate) { impl_->gate = std::move(gate); }

core::Status HttpServer::start() {
  auto& impl = *impl_;
  const auto& listen = impl.options.listen;
  if (impl.started) return core::makeError(core::ErrorCode::Invalid, "server already started");
  auto parsed = parseListen(listen);
  if (!parsed) return core::makeError(parsed.error().code, "cannot listen on " + listen + ": " + parsed.error().message);
  const tcp::endpoint endpoint(parsed->address, parsed->port);
  if (impl.options.tls) {
    auto tls = detail::makeTlsContext(*impl.options.tls);
    if (!tls) return tls.error();
    impl.tls = std::move(tls.value());
  }
  error_code ec;
  auto fail = [&](const char* what) {
    impl.acceptor.reset();
    return core::makeError(core::ErrorCode::Unavailable,
                           "cannot listen on " + listen + ": " + what + ": " + ec.message());
  };
  impl.acceptor.emplace(impl.ioc);
  impl.acceptor->open(endpoint.protocol(), ec);
  if (ec) return fail("open");
  impl.acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (ec) return fail("setsockopt");
  if (endpoint.address().is_v6()) {
    impl.acceptor->set_option(net::ip::v6_only(true), ec);
    if (ec) return fail("setsockopt");
  }
  impl.acceptor->bind(endpoint, ec);
  if (ec) return fail("bind");
  impl.acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen");
  const auto local = impl.acceptor->local_endpoint(ec);
  if (ec) return fail("getsockname");
  impl.bound_port = local.port();
  impl.bound_address = detail::endpointText(local);
  impl.started = true;
  impl.workers.emplace(static_cast<std::size_t>(std::max(1, impl.options.worker_threads)));
  impl.doAccept();
  const int n = std::max(1, impl.options.threads);
  impl.threads.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    impl.threads.emplace_back([&impl] {
      // Handlers catch their own exceptions; this guards against a bug in the session code.
      for (;;) {
        try {
          impl.ioc.run();
          return;
        } catch (const std::exception& e) {
          spdlog::error("http: io thread caught: {}", e.what());
        }
      }
    });
  }
  return {};
}

std::uint16_t HttpServer::port() const { return impl_->bound_port; }

std::string HttpServer::listenAddress() const { return impl_->bound_address; }

void HttpServer::stop() {
  auto& impl = *impl_;
  if (!impl.started || impl.stopped) return;
  impl.stopped = true;
  impl.ioc.stop();
  impl.threads.clear();  // joins
  // Deferred work not yet started is dropped; running work finishes (what it posts back to the
  // stopped io_context is freed with it).
  impl.workers->stop();
  impl.workers->join();
  error_code ec;
  impl.acceptor->close(ec);
  // No io thread runs any more: closing the sockets here cannot race a handler. The sessions
  // themselves are freed with the io_context's pending handlers.
  std::lock_guard lock(impl.sessions_mu);
  for (detail::SessionBase* s : impl.sessions) s->closeNow();
}

}  // namespace shopwatch::agent::http
