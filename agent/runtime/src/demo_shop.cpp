#include "shopwatch/agent/runtime/demo_shop.h"

#include <algorithm>
#include <charconv>
#include <deque>
#include <mutex>
#include <optional>
#include <random>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "shopwatch/agent/http/request_fields.h"
#include "shopwatch/agent/http/http_server.h"

namespace shopwatch::agent::runtime {

namespace {

using http::HttpRequest;
using http::HttpResponse;
using namespace std::chrono_literals;

constexpr std::string_view kHtml = "text/html; charset=utf-8";
constexpr int kFirstProduct = 40;
constexpr int kLastProduct = 47;

int priceCents(int product) { return (79 + product % 5 * 5) * 100 + 90; }

/// "89,90" for pages, "89.90" (`separator` '.') for JSON.
std::string euros(int cents, char separator = ',') {
  return std::to_string(cents / 100) + separator + (cents % 100 < 10 ? "0" : "") +
         std::to_string(cents % 100);
}

/// The product number of "shoe-NN", or nullopt.
std::optional<int> productOfSku(std::string_view sku) {
  if (sku.substr(0, 5) != "shoe-") return std::nullopt;
  int n = 0;
  const auto digits = sku.substr(5);
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
  if (n < kFirstProduct || n > kLastProduct) return std::nullopt;
  return n;
}

std::string page(std::string_view title, std::string_view body) {
  std::string out;
  out.reserve(1024 + body.size());
  out += "<!doctype html>\n<html lang=\"de\"><head><meta charset=\"utf-8\"><title>";
  out += title;
  out +=
      " – Demo Schuhladen</title></head>\n<body>\n<header><a href=\"/\">Demo Schuhladen</a> | "
      "<a href=\"/category/shoes\">Schuhe</a> | <a href=\"/cart\">Warenkorb</a></header>\n<main>\n";
  out += body;
  out +=
      "\n</main>\n<footer>shopwatch demo shop – nothing here is for "
      "sale</footer>\n</body></html>\n";
  return out;
}

HttpResponse html(std::string body, std::chrono::milliseconds delay = 0ms, int status = 200) {
  HttpResponse r;
  r.status = status;
  r.content_type = std::string(kHtml);
  r.body = std::move(body);
  r.delay = delay;
  return r;
}

HttpResponse forbidden(std::string_view why) {
  return html(
      page("Fehler", std::string("<h1>403 Forbidden</h1>\n<p>") + std::string(why) + "</p>"), 0ms,
      403);
}

std::string toggleState(bool broken) {
  return page(
      "Demo-Schalter",
      std::string("<h1>Checkout ist ") + (broken ? "KAPUTT" : "in Ordnung") +
          "</h1>\n<p>broken=" + (broken ? "1" : "0") +
          "</p>\n<form method=\"post\" action=\"/toggle\"><button>Umschalten</button></form>");
}

struct CartLine {
  int product = 0;
  int qty = 0;
};

struct DemoSession {
  std::string csrf;
  std::string cart_id;
  std::vector<CartLine> cart;
};

}  // namespace

/// Sessions and their carts, bounded: a new session beyond the cap evicts the oldest one (its
/// cookie then counts as no session).
struct DemoShop::Sessions {
  explicit Sessions(std::size_t max)
      : max_sessions(max < 1 ? 1 : max), rng(std::random_device{}()) {}

  /// Random lowercase hex (safe in HTML attributes and cookies as it is).
  std::string token(std::size_t hex_digits) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out(hex_digits, '0');
    for (auto& c : out) c = kHex[rng() & 15U];
    return out;
  }

  /// The session of `id`, or nullptr. Call with `mu` held.
  DemoSession* find(const std::string& id) {
    if (id.empty()) return nullptr;
    const auto it = by_id.find(id);
    return it == by_id.end() ? nullptr : &it->second;
  }

  /// A new session; returns its id. Call with `mu` held.
  std::string create() {
    while (by_id.size() >= max_sessions && !order.empty()) {
      by_id.erase(order.front());
      order.pop_front();
    }
    std::string id = token(32);
    DemoSession& s = by_id[id];
    s.csrf = token(32);
    s.cart_id = "c-" + token(12);
    order.push_back(id);
    return id;
  }

  const std::size_t max_sessions;
  std::mutex mu;
  std::mt19937_64 rng;
  std::unordered_map<std::string, DemoSession> by_id;
  std::deque<std::string> order;  // creation order, oldest first
};

namespace {

std::string cartJson(const DemoSession* s) {
  if (s == nullptr) return R"({"cart":{"id":null,"items":[],"total":0,"currency":"EUR"}})";
  std::string items;
  int total = 0;
  for (const auto& line : s->cart) {
    if (!items.empty()) items += ',';
    items += R"({"sku":"shoe-)" + std::to_string(line.product) + R"(","qty":)" +
             std::to_string(line.qty) + R"(,"price":)" + euros(priceCents(line.product), '.') + "}";
    total += line.qty * priceCents(line.product);
  }
  return R"({"cart":{"id":")" + s->cart_id + R"(","items":[)" + items + R"(],"total":)" +
         euros(total, '.') + R"(,"currency":"EUR"}})";
}

/// The cart's lines as HTML list items (each names its SKU) and the total; empty cart: a notice.
std::string cartHtml(const DemoSession* s) {
  if (s == nullptr || s->cart.empty()) return "<p class=\"empty\">Ihr Warenkorb ist leer.</p>";
  std::string out = "<ul class=\"cart\">\n";
  int total = 0;
  for (const auto& line : s->cart) {
    out += "<li data-sku=\"shoe-" + std::to_string(line.product) + "\">Laufschuh Modell " +
           std::to_string(line.product) + " (shoe-" + std::to_string(line.product) + ") × " +
           std::to_string(line.qty) + " – " + euros(line.qty * priceCents(line.product)) +
           "&nbsp;€</li>\n";
    total += line.qty * priceCents(line.product);
  }
  out += "</ul>\n<p class=\"total\">Summe " + euros(total) + "&nbsp;€</p>";
  return out;
}

}  // namespace

DemoShop::DemoShop(std::size_t max_sessions)
    : sessions_(std::make_unique<Sessions>(max_sessions)) {}
DemoShop::~DemoShop() { stop(); }

std::size_t DemoShop::sessionCount() const {
  std::lock_guard lock(sessions_->mu);
  return sessions_->by_id.size();
}

core::Status DemoShop::start(const std::string& listen) {
  http::HttpServerOptions options;
  options.listen = listen;
  server_ = std::make_unique<http::HttpServer>(options);
  auto& s = *server_;
  Sessions& sessions = *sessions_;

  s.route("GET", "/", [](const HttpRequest&) {
    return html(page("Startseite",
                     "<h1>Willkommen im Demo Schuhladen</h1>\n<p>Neu: <a href=\"/product/42\">"
                     "Laufschuh Modell 42</a> für 89,90&nbsp;€</p>"));
  });
  s.route("GET", "/category/shoes", [](const HttpRequest&) {
    std::string items;
    for (int i = kFirstProduct; i <= kLastProduct; ++i) {
      items += "<li><a href=\"/product/" + std::to_string(i) + "\">Laufschuh Modell " +
               std::to_string(i) + "</a> " + euros(priceCents(i)) + "&nbsp;€</li>\n";
    }
    return html(page("Schuhe", "<h1>Schuhe</h1>\n<ul>\n" + items + "</ul>"), 400ms);
  });
  s.routePrefix("GET", "/product/", [&sessions](const HttpRequest& req) {
    const auto product =
        productOfSku("shoe-" + req.path.substr(std::string_view("/product/").size()));
    if (!product) return html(page("Nicht gefunden", "<h1>404 Not Found</h1>"), 0ms, 404);
    std::string csrf;
    std::string new_session;
    {
      std::lock_guard lock(sessions.mu);
      auto* session = sessions.find(http::requestCookie(req, kDemoSessionCookie));
      if (session == nullptr) {
        new_session = sessions.create();
        session = sessions.find(new_session);
      }
      csrf = session->csrf;
    }
    const std::string n = std::to_string(*product);
    auto r = html(page("Laufschuh Modell " + n,
                       "<h1>Laufschuh Modell " + n + "</h1>\n<p class=\"price\">" +
                           euros(priceCents(*product)) +
                           "&nbsp;€</p>\n<form method=\"post\" action=\"/cart/add\" "
                           "id=\"product_addtocart_form\">\n"
                           "<input type=\"hidden\" name=\"sku\" value=\"shoe-" +
                           n +
                           "\">\n"
                           "<input type=\"hidden\" name=\"_csrf\" value=\"" +
                           csrf +
                           "\">\n"
                           "<input type=\"number\" name=\"qty\" value=\"1\" min=\"1\" max=\"99\">\n"
                           "<button>In den Warenkorb</button>\n</form>"));
    if (!new_session.empty()) {
      r.headers.emplace_back("Set-Cookie", std::string(kDemoSessionCookie) + "=" + new_session +
                                               "; Path=/; HttpOnly; SameSite=Lax");
    }
    return r;
  });
  s.route("POST", "/cart/add", [&sessions](const HttpRequest& req) {
    const auto sku = http::formField(req, "sku").value_or("");
    const auto qty_text = http::formField(req, "qty").value_or("1");
    const auto csrf = http::formField(req, "_csrf");
    std::lock_guard lock(sessions.mu);
    auto* session = sessions.find(http::requestCookie(req, kDemoSessionCookie));
    // A real shop answers a stale form the same way: the session (and its token) is what counts.
    if (session == nullptr) return forbidden("Ihre Sitzung ist abgelaufen.");
    if (!csrf || *csrf != session->csrf) return forbidden("Ungültiges Formular-Token (_csrf).");
    const auto product = productOfSku(sku);
    int qty = 0;
    const auto [end, ec] = std::from_chars(qty_text.data(), qty_text.data() + qty_text.size(), qty);
    if (!product || ec != std::errc{} || end != qty_text.data() + qty_text.size() || qty < 1 ||
        qty > 99) {
      return html(
          page("Fehler", "<h1>400 Bad Request</h1>\n<p>Unbekannter Artikel oder Menge.</p>"), 0ms,
          400);
    }
    bool merged = false;
    for (auto& line : session->cart) {
      if (line.product == *product) {
        line.qty = std::min(99, line.qty + qty);
        merged = true;
      }
    }
    if (!merged) session->cart.push_back({*product, qty});
    auto r = html(page("Weiterleitung", "<p><a href=\"/cart\">Zum Warenkorb</a></p>"), 0ms, 302);
    r.headers.emplace_back("Location", "/cart");
    return r;
  });
  s.route("GET", "/cart", [&sessions](const HttpRequest& req) {
    std::string body;
    {
      std::lock_guard lock(sessions.mu);
      body = cartHtml(sessions.find(http::requestCookie(req, kDemoSessionCookie)));
    }
    return html(
        page("Warenkorb", "<h1>Warenkorb</h1>\n" + body + "\n<a href=\"/checkout\">Zur Kasse</a>"),
        150ms);
  });
  s.route("GET", "/cart.json", [&sessions](const HttpRequest& req) {
    HttpResponse r;
    r.content_type = "application/json";
    std::lock_guard lock(sessions.mu);
    r.body = cartJson(sessions.find(http::requestCookie(req, kDemoSessionCookie)));
    return r;
  });
  s.route("POST", "/cart/clear", [&sessions](const HttpRequest& req) {
    const auto csrf = http::formField(req, "_csrf");
    std::lock_guard lock(sessions.mu);
    auto* session = sessions.find(http::requestCookie(req, kDemoSessionCookie));
    if (session != nullptr) {
      if (csrf && *csrf != session->csrf) return forbidden("Ungültiges Formular-Token (_csrf).");
      session->cart.clear();
    }
    return html(page("Warenkorb", "<h1>Warenkorb</h1>\n" + cartHtml(session)));
  });
  s.route("GET", "/checkout", [this, &sessions](const HttpRequest& req) {
    if (broken_.load()) {
      return html(page("Fehler",
                       "<h1>Service Unavailable</h1>\n<p>Die Kasse ist gerade nicht "
                       "erreichbar.</p>"),
                  50ms, 503);
    }
    std::string cart;
    {
      std::lock_guard lock(sessions.mu);
      cart = cartHtml(sessions.find(http::requestCookie(req, kDemoSessionCookie)));
    }
    return html(
        page("Kasse", "<h1>Kasse</h1>\n" + cart +
                          "\n<form method=\"post\" action=\"/checkout\"><button>Jetzt kaufen"
                          "</button></form>"),
        700ms);
  });
  s.route("GET", "/api/cart", [](const HttpRequest&) {
    HttpResponse r;
    r.content_type = "application/json";
    r.body =
        R"({"cart":{"items":[{"sku":"shoe-42","qty":1,"price":89.9}],"total":89.9,"currency":"EUR"}})";
    return r;
  });
  auto toggle = [this](const HttpRequest& req) {
    if (req.query.find("broken=1") != std::string::npos) {
      broken_.store(true);
    } else if (req.query.find("broken=0") != std::string::npos) {
      broken_.store(false);
    } else if (req.method == "POST") {
      broken_.store(!broken_.load());
    }
    return html(toggleState(broken_.load()));
  };
  s.route("GET", "/toggle", toggle);
  s.route("POST", "/toggle", toggle);
  return s.start();
}

void DemoShop::stop() {
  if (server_) server_->stop();
}

std::uint16_t DemoShop::port() const { return server_ ? server_->port() : 0; }

std::string DemoShop::baseUrl() const { return "http://127.0.0.1:" + std::to_string(port()); }

}  // namespace shopwatch::agent::runtime
