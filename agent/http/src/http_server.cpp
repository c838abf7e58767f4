#include "shopwatch/agent/http/http_server.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <charconv>
#include <exception>
#include <mutex>
#include <optional>
#include <spdlog/spdlog.h>
#include <thread>
#include <unordered_set>

#include "shopwatch/core/listen_address.h"
#include "shopwatch/core/text.h"

namespace shopwatch::agent::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

struct RouteTable {
  // path → method → handler
  std::map<std::string, std::map<std::string, HttpHandler>> exact;
  std::map<std::string, std::map<std::string, HttpHandler>> prefix;
};

std::string endpointText(const tcp::endpoint& ep) {
  const auto addr = ep.address();
  std::string host = addr.to_string();
  if (addr.is_v6()) host = "[" + host + "]";
  return host + ":" + std::to_string(ep.port());
}

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

class Session;

struct ServerCore {
  explicit ServerCore(HttpServerOptions o) : options(std::move(o)) {}

  HttpServerOptions options;
  RouteTable routes;
  std::atomic<std::size_t> connections{0};
  std::mutex sessions_mu;
  std::unordered_set<Session*> sessions;
  bool started = false;
  bool stopped = false;
  std::uint16_t bound_port = 0;
  std::string bound_address;
  // Declared after everything sessions touch: destroyed first, its pending handlers (and with them the
  // sessions) go before the route table and the session set.
  net::io_context ioc;
  std::optional<tcp::acceptor> acceptor;
  std::vector<std::jthread> threads;

  void doAccept();
  HttpResponse dispatch(const HttpRequest& req, bool& head_only) const;
};


class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, ServerCore& server) : stream_(std::move(socket)), server_(server) {
    std::lock_guard lock(server_.sessions_mu);
    server_.sessions.insert(this);
  }
  ~Session() {
    {
      std::lock_guard lock(server_.sessions_mu);
      server_.sessions.erase(this);
    }
    server_.connections.fetch_sub(1);
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  Session(Session&&) = delete;
  Session& operator=(Session&&) = delete;

  void run() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->doRead(); });
  }

  /// Only called by stop() after the io threads are joined: nothing else touches the session.
  void closeNow() {
    beast::error_code ec;
    stream_.socket().close(ec);
    if (timer_) timer_->cancel();
  }

 private:
  void doRead() {
    parser_.emplace();
    parser_->body_limit(server_.options.max_body);
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.max_header));
    stream_.expires_after(server_.options.read_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->onRead(ec); });
  }

  void onRead(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream) {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
      return;
    }
    if (ec) {
      if (ec.category() != bhttp::make_error_code(bhttp::error::bad_method).category()) return;
      HttpResponse res;
      if (ec == bhttp::error::body_limit) {
        res.status = 413;
        res.body = "request body too large\n";
      } else if (ec == bhttp::error::header_limit) {
        res.status = 431;
        res.body = "request header too large\n";
      } else {
        res.status = 400;
        res.body = "bad request\n";
      }
      send(std::move(res), 11, false, false);
      return;
    }
    auto& req = parser_->get();
    HttpRequest request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    const auto q = request.target.find('?');
    request.path = request.target.substr(0, q);
    if (q != std::string::npos) request.query = request.target.substr(q + 1);
    for (const auto& field : req) {
      const auto raw = field.name_string();
      auto name = core::asciiLower(std::string_view(raw.data(), raw.size()));
      auto [it, inserted] = request.headers.try_emplace(std::move(name), std::string(field.value()));
      if (!inserted) {
        it->second += ", ";
        it->second.append(field.value().data(), field.value().size());
      }
    }
    request.body = std::move(req.body());
    beast::error_code rec;
    const auto peer = stream_.socket().remote_endpoint(rec);
    if (!rec) request.remote = endpointText(peer);

    bool head_only = false;
    HttpResponse res = server_.dispatch(request, head_only);
    const bool keep_alive = req.keep_alive();
    const unsigned version = req.version();
    if (res.delay.count() > 0) {
      timer_.emplace(stream_.get_executor());
      timer_->expires_after(res.delay);
      timer_->async_wait([self = shared_from_this(), res = std::move(res), version, keep_alive,
                          head_only](beast::error_code tec) mutable {
        if (tec) return;
        self->send(std::move(res), version, keep_alive, head_only);
      });
      return;
    }
    send(std::move(res), version, keep_alive, head_only);
  }

  void send(HttpResponse res, unsigned version, bool keep_alive, bool head_only) {
    auto out = std::make_shared<bhttp::response<bhttp::string_body>>();
    out->version(version);
    if (res.status < 100 || res.status > 999) {
      spdlog::error("http: handler returned invalid status {}", res.status);
      res = HttpResponse{};
      res.status = 500;
      res.body = "internal server error\n";
    }
    out->result(static_cast<unsigned>(res.status));
    out->set(bhttp::field::server, "shopwatch");
    if (!res.content_type.empty()) out->set(bhttp::field::content_type, res.content_type);
    for (const auto& [name, value] : res.headers) out->insert(name, value);
    out->keep_alive(keep_alive);
    const auto size = res.body.size();
    if (head_only) {
      out->content_length(size);
    } else {
      out->body() = std::move(res.body);
      out->prepare_payload();
    }
    stream_.expires_after(server_.options.read_timeout);
    bhttp::async_write(stream_, *out,
                       [self = shared_from_this(), out, keep_alive](beast::error_code ec, std::size_t) {
                         if (ec) return;
                         if (!keep_alive) {
                           self->stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
                           return;
                         }
                         self->doRead();
                       });
  }

  beast::tcp_stream stream_;
  ServerCore& server_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::optional<net::steady_timer> timer_;
};

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
  acceptor->async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor->is_open()) return;
    if (!ec) {
      if (connections.fetch_add(1) >= options.max_connections) {
        connections.fetch_sub(1);
        spdlog::warn("http: connection limit {} reached, closing new connection", options.max_connections);
        beast::error_code ignored;
        socket.close(ignored);
      } else {
        std::make_shared<Session>(std::move(socket), *this)->run();
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

core::Status HttpServer::start() {
  auto& impl = *impl_;
  const auto& listen = impl.options.listen;
  if (impl.started) return core::makeError(core::ErrorCode::Invalid, "server already started");
  auto parsed = parseListen(listen);
  if (!parsed) return core::makeError(parsed.error().code, "cannot listen on " + listen + ": " + parsed.error().message);
  const tcp::endpoint endpoint(parsed->address, parsed->port);
  beast::error_code ec;
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
  impl.bound_address = endpointText(local);
  impl.started = true;
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
  beast::error_code ec;
  impl.acceptor->close(ec);
  // No io thread runs any more: closing the sockets here cannot race a handler. The sessions
  // themselves are freed with the io_context's pending handlers.
  std::lock_guard lock(impl.sessions_mu);
  for (detail::Session* s : impl.sessions) s->closeNow();
}

}  // namespace shopwatch::agent::http
