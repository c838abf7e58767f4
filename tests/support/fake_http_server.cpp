#include "fake_http_server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <exception>
#include <mutex>
#include <openssl/ssl.h>
#include <optional>
#include <stdexcept>
#include <thread>

namespace shopwatch::testing {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

enum class Behaviour {
  Handle,
  Drop,
  Reset,
  ResetMidBody,
  SlowBody,
  HugeBody,
  BadChunking,
  Garbage,
};

struct Route {
  Behaviour behaviour = Behaviour::Handle;
  FakeHttpServer::Handler handler;
  std::size_t bytes = 0;
  std::size_t chunk = 0;
  std::chrono::milliseconds pause{0};
};

constexpr std::size_t kHugeChunk = 64 * 1024;
constexpr std::size_t kResetMidBodyLength = 100000;
constexpr std::size_t kResetMidBodySent = 1000;
constexpr std::uint64_t kRequestBodyLimit = 64 * 1024 * 1024;

std::string lowerCase(std::string out) {
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

const std::string& fillerBlock() {
  static const std::string block(kHugeChunk, 'x');
  return block;
}

FakeRequest toFakeRequest(const http::request<http::string_body>& req) {
  FakeRequest out;
  out.method = std::string(req.method_string());
  out.target = std::string(req.target());
  out.path = out.target.substr(0, out.target.find('?'));
  for (const auto& field : req) {
    out.headers[lowerCase(std::string(field.name_string()))] = std::string(field.value());
  }
  out.body = req.body();
  return out;
}

std::string toHex(std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  do {
    out.insert(out.begin(), kDigits[n % 16]);
    n /= 16;
  } while (n != 0);
  return out;
}

template <class Stream>
void abortWithReset(Stream& stream) {
  boost::system::error_code ec;
  // Linger {on, 0} makes close() send RST instead of FIN.
  stream.lowest_layer().set_option(asio::socket_base::linger(true, 0), ec);
  stream.lowest_layer().close(ec);
}

template <class Stream>
void closeGracefully(Stream& stream) {
  boost::system::error_code ec;
  stream.lowest_layer().shutdown(tcp::socket::shutdown_both, ec);
  stream.lowest_layer().close(ec);
}

asio::awaitable<void> pauseFor(std::chrono::milliseconds duration) {
  if (duration.count() <= 0) co_return;
  asio::steady_timer timer(co_await asio::this_coro::executor, duration);
  co_await timer.async_wait(asio::use_awaitable);
}

}  // namespace

struct FakeHttpServer::Impl {
  explicit Impl(Options opts) : options(std::move(opts)) {
    if (options.tls) {
      if (options.certificate.cert_pem.empty()) {
        options.certificate = makeSelfSignedCertificate("localhost", std::chrono::hours(-1),
                                                        std::chrono::hours(24));
      }
      ssl.emplace(asio::ssl::context::tls_server);
      ssl->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3);
      ssl->use_certificate_chain(asio::buffer(options.certificate.cert_pem));
      ssl->use_private_key(asio::buffer(options.certificate.key_pem), asio::ssl::context::pem);
      SSL_CTX* ctx = ssl->native_handle();
      if (options.session_resumption) {
        // Needed for session-id resumption once client certificates are verified; harmless before.
        static constexpr unsigned char kSessionContext[] = "shopwatch-fake";
        SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof kSessionContext - 1);
      } else {
        SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
        SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
        SSL_CTX_set_num_tickets(ctx, 0);  // TLS 1.3: no tickets at all, not even stateful ones
      }
      if (!options.tls13) SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
    }
    tcp::endpoint endpoint(asio::ip::make_address_v4("127.0.0.1"), 0);
    acceptor.open(endpoint.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(asio::socket_base::max_listen_connections);
    port = acceptor.local_endpoint().port();
    asio::co_spawn(ioc, acceptLoop(), asio::detached);
    thread = std::jthread([this] { ioc.run(); });
  }

  ~Impl() {
    // Stopping abandons open connections and pending timers; the io_context destructor frees them.
    ioc.stop();
    if (thread.joinable()) thread.join();
  }

  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  Impl(Impl&&) = delete;
  Impl& operator=(Impl&&) = delete;

  void setRoute(const std::string& path, Route route) {
    std::lock_guard lock(mutex);
    routes[path] = std::move(route);
  }

  std::optional<Route> findRoute(const std::string& path) {
    std::lock_guard lock(mutex);
    auto it = routes.find(path);
    if (it == routes.end()) return std::nullopt;
    return it->second;
  }

  void record(FakeRequest request) {
    std::lock_guard lock(mutex);
    recorded.push_back(std::move(request));
  }

  asio::awaitable<void> acceptLoop() {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket(ioc);
      co_await acceptor.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
      if (ec == asio::error::operation_aborted) co_return;
      if (ec) {
        // E.g. EMFILE: back off instead of spinning on a failing accept.
        co_await pauseFor(std::chrono::milliseconds(10));
        continue;
      }
      connections.fetch_add(1);
      if (ssl) {
        asio::co_spawn(ioc, tlsSession(std::move(socket)), asio::detached);
      } else {
        asio::co_spawn(ioc, plainSession(std::move(socket)), asio::detached);
      }
    }
  }

  asio::awaitable<void> plainSession(tcp::socket socket) {
    try {
      co_await serve(socket);
    } catch (const std::exception&) {
      // A client going away mid-exchange is normal for a fault-injecting server.
    }
  }

  asio::awaitable<void> tlsSession(tcp::socket socket) {
    try {
      asio::ssl::stream<tcp::socket> stream(std::move(socket), *ssl);
      co_await pauseFor(options.handshake_delay);
      co_await stream.async_handshake(asio::ssl::stream_base::server, asio::use_awaitable);
      co_await serve(stream);
    } catch (const std::exception&) {
      // Includes handshakes the client rejects (expired or untrusted certificates).
    }
  }

  template <class Stream>
  asio::awaitable<void> serve(Stream& stream) {
    boost::beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(kRequestBodyLimit);
      co_await http::async_read_header(stream, buffer, parser, asio::use_awaitable);
      if (boost::beast::iequals(parser.get()[http::field::expect], "100-continue")) {
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        co_await asio::async_write(stream, asio::buffer(kContinue.data(), kContinue.size()),
                                   asio::use_awaitable);
      }
      co_await http::async_read(stream, buffer, parser, asio::use_awaitable);
      http::request<http::string_body> req = parser.release();
      FakeRequest request = toFakeRequest(req);
      std::optional<Route> route = findRoute(request.path);
      const bool keep_alive = req.keep_alive();
      if (!route) {
        record(std::move(request));
        FakeResponse not_found{404, {{"Content-Type", "text/plain"}}, "not found"};
        if (!co_await writeResponse(stream, req, not_found)) co_return;
        continue;
      }
      switch (route->behaviour) {
        case Behaviour::Handle: {
          FakeResponse response = route->handler(request);
          record(std::move(request));
          co_await pauseFor(response.delay);
          if (!co_await writeResponse(stream, req, response)) co_return;
          break;
        }
        case Behaviour::Drop:
          record(std::move(request));
          closeGracefully(stream);
          co_return;
        case Behaviour::Reset:
          record(std::move(request));
          abortWithReset(stream);
          co_return;
        case Behaviour::ResetMidBody: {
          record(std::move(request));
          std::string head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
                             std::to_string(kResetMidBodyLength) + "\r\n\r\n";
          co_await asio::async_write(stream, asio::buffer(head), asio::use_awaitable);
          co_await asio::async_write(
              stream, asio::buffer(fillerBlock().data(), kResetMidBodySent), asio::use_awaitable);
          // Give the client time to see the headers so the failure is "reset during body".
          co_await pauseFor(std::chrono::milliseconds(50));
          abortWithReset(stream);
          co_return;
        }
        case Behaviour::SlowBody: {
          record(std::move(request));
          std::string head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
                             std::to_string(route->bytes) + "\r\n\r\n";
          co_await asio::async_write(stream, asio::buffer(head), asio::use_awaitable);
          const std::size_t chunk = std::clamp<std::size_t>(route->chunk, 1, kHugeChunk);
          for (std::size_t sent = 0; sent < route->bytes;) {
            if (sent != 0) co_await pauseFor(route->pause);
            const std::size_t n = std::min(chunk, route->bytes - sent);
            co_await asio::async_write(stream, asio::buffer(fillerBlock().data(), n),
                                       asio::use_awaitable);
            sent += n;
          }
          if (!keep_alive) {
            closeGracefully(stream);
            co_return;
          }
          break;
        }
        case Behaviour::HugeBody: {
          record(std::move(request));
          std::string head =
              "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
              "Transfer-Encoding: chunked\r\n\r\n";
          co_await asio::async_write(stream, asio::buffer(head), asio::use_awaitable);
          for (std::size_t sent = 0; sent < route->bytes;) {
            const std::size_t n = std::min(kHugeChunk, route->bytes - sent);
            const std::string size_line = toHex(n) + "\r\n";
            const std::array<asio::const_buffer, 3> pieces{
                asio::buffer(size_line), asio::buffer(fillerBlock().data(), n),
                asio::buffer("\r\n", 2)};
            co_await asio::async_write(stream, pieces, asio::use_awaitable);
            sent += n;
          }
          co_await asio::async_write(stream, asio::buffer("0\r\n\r\n", 5), asio::use_awaitable);
          if (!keep_alive) {
            closeGracefully(stream);
            co_return;
          }
          break;
        }
        case Behaviour::BadChunking: {
          record(std::move(request));
          static constexpr std::string_view kBad =
              "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
              "zz\r\nhello\r\n0\r\n\r\n";
          co_await asio::async_write(stream, asio::buffer(kBad.data(), kBad.size()),
                                     asio::use_awaitable);
          closeGracefully(stream);
          co_return;
        }
        case Behaviour::Garbage: {
          record(std::move(request));
          static constexpr std::string_view kGarbage =
              "\x16\x03\x01 this is not HTTP at all \xff\xfe\r\n\r\n";
          co_await asio::async_write(stream, asio::buffer(kGarbage.data(), kGarbage.size()),
                                     asio::use_awaitable);
          closeGracefully(stream);
          co_return;
        }
      }
    }
  }

  /// Writes `response`; returns false when the connection is to be closed afterwards.
  template <class Stream>
  asio::awaitable<bool> writeResponse(Stream& stream, const http::request<http::string_body>& req,
                                      const FakeResponse& response) {
    http::response<http::string_body> res;
    res.version(11);
    res.result(static_cast<unsigned>(response.status));
    for (const auto& [name, value] : response.headers) res.insert(name, value);
    res.body() = response.body;
    res.prepare_payload();
    if (req.method() == http::verb::head) res.body().clear();
    if (!req.keep_alive()) res.keep_alive(false);
    co_await http::async_write(stream, res, asio::use_awaitable);
    if (!res.keep_alive()) {
      closeGracefully(stream);
      co_return false;
    }
    co_return true;
  }

  Options options;
  std::optional<asio::ssl::context> ssl;
  mutable std::mutex mutex;
  std::map<std::string, Route> routes;
  std::vector<FakeRequest> recorded;
  std::atomic<std::size_t> connections{0};
  // Declared after the state the sessions use, so it is destroyed (with their frames) first.
  asio::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  std::uint16_t port = 0;
  std::jthread thread;
};

FakeHttpServer::FakeHttpServer() : FakeHttpServer(Options{}) {}

FakeHttpServer::FakeHttpServer(Options options) : impl_(std::make_unique<Impl>(std::move(options))) {}

FakeHttpServer::~FakeHttpServer() = default;

std::uint16_t FakeHttpServer::port() const { return impl_->port; }

std::string FakeHttpServer::url(std::string_view path) const {
  return urlWithHost("127.0.0.1", path);
}

std::string FakeHttpServer::urlWithHost(std::string_view host, std::string_view path) const {
  std::string out = impl_->options.tls ? "https://" : "http://";
  out += host;
  out += ':';
  out += std::to_string(impl_->port);
  if (path.empty() || path.front() != '/') out += '/';
  out += path;
  return out;
}

const TestCertificate& FakeHttpServer::certificate() const { return impl_->options.certificate; }

void FakeHttpServer::route(const std::string& path, Handler handler) {
  impl_->setRoute(path, Route{Behaviour::Handle, std::move(handler)});
}

void FakeHttpServer::respond(const std::string& path, FakeResponse response) {
  route(path, [response = std::move(response)](const FakeRequest&) { return response; });
}

void FakeHttpServer::status(const std::string& path, int code, std::string body) {
  respond(path, FakeResponse{code, {{"Content-Type", "text/plain"}}, std::move(body)});
}

void FakeHttpServer::delay(const std::string& path, std::chrono::milliseconds delay,
                           FakeResponse response) {
  response.delay = delay;
  respond(path, std::move(response));
}

void FakeHttpServer::drop(const std::string& path) {
  impl_->setRoute(path, Route{Behaviour::Drop, {}});
}

void FakeHttpServer::reset(const std::string& path) {
  impl_->setRoute(path, Route{Behaviour::Reset, {}});
}

void FakeHttpServer::resetMidBody(const std::string& path) {
  impl_->setRoute(path, Route{Behaviour::ResetMidBody, {}});
}

void FakeHttpServer::slowBody(const std::string& path, std::size_t bytes, std::size_t chunk,
                              std::chrono::milliseconds pause) {
  impl_->setRoute(path, Route{Behaviour::SlowBody, {}, bytes, chunk, pause});
}

void FakeHttpServer::hugeBody(const std::string& path, std::size_t bytes) {
  impl_->setRoute(path, Route{Behaviour::HugeBody, {}, bytes});
}

void FakeHttpServer::badChunking(const std::string& path) {
  impl_->setRoute(path, Route{Behaviour::BadChunking, {}});
}

void FakeHttpServer::garbage(const std::string& path) {
  impl_->setRoute(path, Route{Behaviour::Garbage, {}});
}

void FakeHttpServer::redirect(const std::string& path, const std::string& location, int code) {
  respond(path, FakeResponse{code, {{"Location", location}}, ""});
}

void FakeHttpServer::redirectLoop(const std::string& path) {
  route(path, [](const FakeRequest& request) {
    return FakeResponse{302, {{"Location", request.target}}, ""};
  });
}

std::vector<FakeRequest> FakeHttpServer::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->recorded;
}

std::size_t FakeHttpServer::requestCount(const std::string& path) const {
  std::lock_guard lock(impl_->mutex);
  return static_cast<std::size_t>(
      std::count_if(impl_->recorded.begin(), impl_->recorded.end(),
                    [&](const FakeRequest& r) { return r.path == path; }));
}

std::size_t FakeHttpServer::connectionCount() const { return impl_->connections.load(); }

}  // namespace shopwatch::testing
