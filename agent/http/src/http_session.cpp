// One connection of the HttpServer: read a request (limits, deadline), answer it through the core,
// keep-alive. Plain TCP and TLS share the code (Session<Stream>).
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <spdlog/spdlog.h>
#include <type_traits>

#include "gzip.h"
#include "http_core.h"
#include "shopwatch/core/text.h"

namespace shopwatch::agent::http::detail {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

struct Reply {
  HttpResponse res;
  unsigned version = 11;
  bool keep_alive = false;
  bool head_only = false;
  bool gzip = false;  ///< the request accepts gzip
};

std::shared_ptr<bhttp::response<bhttp::string_body>> buildResponse(Reply r) {
  auto out = std::make_shared<bhttp::response<bhttp::string_body>>();
  HttpResponse& res = r.res;
  out->version(r.version);
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
  if (res.compressible) {
    out->set(bhttp::field::vary, "Accept-Encoding");
    if (r.gzip) {
      if (auto packed = gzipCompress(res.body)) {
        res.body = std::move(*packed);
        out->set(bhttp::field::content_encoding, "gzip");
      }
    }
  }
  out->keep_alive(r.keep_alive);
  const auto size = res.body.size();
  if (r.head_only) {
    out->content_length(size);
  } else {
    out->body() = std::move(res.body);
    out->prepare_payload();
  }
  return out;
}

template <class Stream>
class Session : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

 public:
  template <class... Args>
  Session(ServerCore& server, Args&&... args) : stream_(std::forward<Args>(args)...), server_(server) {
    std::lock_guard lock(server_.sessions_mu);
    server_.sessions.insert(this);
  }
  ~Session() override {
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
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (kTls) {
        self->handshake();
      } else {
        self->doRead();
      }
    });
  }

  void closeNow() override {
    beast::error_code ec;
    lowest().socket().close(ec);
    if (timer_) timer_->cancel();
  }

 private:
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  std::string peer() {
    beast::error_code ec;
    const auto ep = lowest().socket().remote_endpoint(ec);
    return ec ? std::string("?") : endpointText(ep);
  }

  void handshake() {
    lowest().expires_after(server_.options.read_timeout);
    stream_.async_handshake(net::ssl::stream_base::server,
                            [self = this->shared_from_this()](beast::error_code ec) {
                              if (ec) {
                                // Plain HTTP to the TLS port, a wrong CA, a missing client
                                // certificate, a too old version: the connection just ends.
                                spdlog::debug("http: TLS handshake with {} failed: {}", self->peer(),
                                              ec.message());
                                return;
                              }
                              self->doRead();
                            });
  }

  void doRead() {
    parser_.emplace();
    parser_->body_limit(server_.options.max_body);
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.max_header));
    // One deadline for the whole request: a client trickling its header (slowloris) is cut when it
    // passes, however steadily it sends.
    lowest().expires_after(server_.options.read_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                        self->onRead(ec);
                      });
  }

  void reject(int status, const char* body) {
    HttpResponse res;
    res.status = status;
    res.body = body;
    send(Reply{std::move(res), 11, false, false, false});
  }

  void onRead(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream) {
      finish();
      return;
    }
    if (ec) {
      if (ec.category() != bhttp::make_error_code(bhttp::error::bad_method).category()) return;
      if (ec == bhttp::error::body_limit) {
        reject(413, "request body too large\n");
      } else if (ec == bhttp::error::header_limit) {
        reject(431, "request header too large\n");
      } else {
        reject(400, "bad request\n");
      }
      return;
    }
    auto& req = parser_->get();
    HttpRequest request;
    std::size_t fields = 0;
    for (const auto& field : req) {
      if (++fields > server_.options.max_header_fields) {
        reject(431, "too many request header fields\n");
        return;
      }
      const auto raw = field.name_string();
      auto name = core::asciiLower(std::string_view(raw.data(), raw.size()));
      auto [it, inserted] = request.headers.try_emplace(std::move(name), std::string(field.value()));
      if (!inserted) {
        it->second += ", ";
        it->second.append(field.value().data(), field.value().size());
      }
    }
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    const auto q = request.target.find('?');
    request.path = request.target.substr(0, q);
    if (q != std::string::npos) request.query = request.target.substr(q + 1);
    request.body = std::move(req.body());
    request.remote = peer();

    Reply reply;
    reply.res = server_.handle(request, reply.head_only);
    reply.keep_alive = req.keep_alive();
    reply.version = req.version();
    {
      const auto ae = request.headers.find("accept-encoding");
      reply.gzip = ae != request.headers.end() && acceptsGzip(ae->second);
    }
    if (reply.res.deferred) {
      runDeferred(std::move(reply));
      return;
    }
    if (reply.res.delay.count() > 0) {
      timer_.emplace(stream_.get_executor());
      timer_->expires_after(reply.res.delay);
      timer_->async_wait([self = this->shared_from_this(), reply = std::move(reply)](beast::error_code tec) mutable {
        if (tec) return;
        self->send(std::move(reply));
      });
      return;
    }
    send(std::move(reply));
  }

  /// Runs the handler's deferred work on a worker thread and sends its response from this
  /// session's executor.
  void runDeferred(Reply reply) {
    if (server_.deferred_pending.fetch_add(1) >= server_.options.max_deferred) {
      server_.deferred_pending.fetch_sub(1);
      reply.res = HttpResponse{};
      reply.res.status = 503;
      reply.res.headers.emplace_back("Retry-After", "5");
      reply.res.body = "busy: too many reports in progress, retry shortly\n";
      send(std::move(reply));
      return;
    }
    auto work = std::move(reply.res.deferred);
    net::post(*server_.workers, [self = this->shared_from_this(), work = std::move(work),
                                 reply = std::move(reply)]() mutable {
      const auto failed = [&reply](std::string_view what) {
        spdlog::error("http: deferred handler threw: {}", what);
        reply.res = HttpResponse{};
        reply.res.status = 500;
        reply.res.body = "internal server error\n";
      };
      try {
        reply.res = work();
      } catch (const std::exception& e) {
        failed(e.what());
      } catch (...) {
        failed("a non-std exception");
      }
      reply.res.deferred = nullptr;
      self->server_.deferred_pending.fetch_sub(1);
      auto executor = self->stream_.get_executor();
      net::post(executor, [self = std::move(self), reply = std::move(reply)]() mutable {
        self->send(std::move(reply));
      });
    });
  }

  void send(Reply reply) {
    const bool keep_alive = reply.keep_alive;
    auto out = buildResponse(std::move(reply));
    lowest().expires_after(server_.options.read_timeout);
    bhttp::async_write(stream_, *out,
                       [self = this->shared_from_this(), out, keep_alive](beast::error_code ec, std::size_t) {
                         if (ec) return;
                         if (!keep_alive) {
                           self->finish();
                           return;
                         }
                         self->doRead();
                       });
  }

  /// Ends the connection politely: TLS close_notify (bounded by the deadline) or a TCP half-close.
  void finish() {
    if constexpr (kTls) {
      lowest().expires_after(server_.options.read_timeout);
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {});
    } else {
      beast::error_code ec;
      lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
    }
  }

  Stream stream_;
  ServerCore& server_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::optional<net::steady_timer> timer_;
};

}  // namespace

void startSession(tcp::socket&& socket, ServerCore& core) {
  if (core.tls) {
    std::make_shared<Session<TlsStream>>(core, std::move(socket), *core.tls)->run();
  } else {
    std::make_shared<Session<PlainStream>>(core, std::move(socket))->run();
  }
}

}  // namespace shopwatch::agent::http::detail
