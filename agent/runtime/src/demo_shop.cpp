#include "shopwatch/agent/runtime/demo_shop.h"

#include <string_view>

#include "shopwatch/agent/http/http_server.h"

namespace shopwatch::agent::runtime {

namespace {

using http::HttpRequest;
using http::HttpResponse;
using namespace std::chrono_literals;

constexpr std::string_view kHtml = "text/html; charset=utf-8";

std::string page(std::string_view title, std::string_view body) {
  std::string out;
  out.reserve(1024 + body.size());
  out += "<!doctype html>\n<html lang=\"de\"><head><meta charset=\"utf-8\"><title>";
  out += title;
  out += " – Demo Schuhladen</title></head>\n<body>\n<header><a href=\"/\">Demo Schuhladen</a> | "
         "<a href=\"/category/shoes\">Schuhe</a> | <a href=\"/cart\">Warenkorb</a></header>\n<main>\n";
  out += body;
  out += "\n</main>\n<footer>shopwatch demo shop – nothing here is for sale</footer>\n</body></html>\n";
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

std::string toggleState(bool broken) {
  return page("Demo-Schalter",
              std::string("<h1>Checkout ist ") + (broken ? "KAPUTT" : "in Ordnung") +
                  "</h1>\n<p>broken=" + (broken ? "1" : "0") +
                  "</p>\n<form method=\"post\" action=\"/toggle\"><button>Umschalten</button></form>");
}

}  // namespace

DemoShop::DemoShop() = default;
DemoShop::~DemoShop() { stop(); }

core::Status DemoShop::start(const std::string& listen) {
  http::HttpServerOptions options;
  options.listen = listen;
  server_ = std::make_unique<http::HttpServer>(options);
  auto& s = *server_;

  s.route("GET", "/", [](const HttpRequest&) {
    return html(page("Startseite",
                     "<h1>Willkommen im Demo Schuhladen</h1>\n<p>Neu: <a href=\"/product/42\">"
                     "Laufschuh Modell 42</a> für 89,90&nbsp;€</p>"));
  });
  s.route("GET", "/category/shoes", [](const HttpRequest&) {
    std::string items;
    for (int i = 40; i < 48; ++i) {
      items += "<li><a href=\"/product/" + std::to_string(i) + "\">Laufschuh Modell " +
               std::to_string(i) + "</a> " + std::to_string(79 + i % 5 * 5) + ",90&nbsp;€</li>\n";
    }
    return html(page("Schuhe", "<h1>Schuhe</h1>\n<ul>\n" + items + "</ul>"), 400ms);
  });
  s.route("GET", "/product/42", [](const HttpRequest&) {
    return html(page("Laufschuh Modell 42",
                     "<h1>Laufschuh Modell 42</h1>\n<p class=\"price\">89,90&nbsp;€</p>\n"
                     "<form method=\"post\" action=\"/cart\"><button>In den Warenkorb</button></form>"));
  });
  s.route("GET", "/cart", [](const HttpRequest&) {
    return html(page("Warenkorb",
                     "<h1>Warenkorb</h1>\n<table><tr><td>Laufschuh Modell 42</td><td>1</td>"
                     "<td>89,90&nbsp;€</td></tr></table>\n<a href=\"/checkout\">Zur Kasse</a>"),
                150ms);
  });
  s.route("GET", "/checkout", [this](const HttpRequest&) {
    if (broken_.load()) {
      return html(page("Fehler", "<h1>Service Unavailable</h1>\n<p>Die Kasse ist gerade nicht "
                                 "erreichbar.</p>"),
                  50ms, 503);
    }
    return html(page("Kasse", "<h1>Kasse</h1>\n<p>Warenkorb: 1 Artikel, Summe 89,90&nbsp;€</p>\n"
                              "<form method=\"post\" action=\"/checkout\"><button>Jetzt kaufen"
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

std::string demoConfigYaml(const std::string& shop_base_url, const std::string& listen,
                           const std::string& database) {
  std::string yaml = R"(# shopwatch demo: the built-in demo shop, probed every 5 s.
agent:
  client: demo
  listen: "@LISTEN@"
  database: "@DATABASE@"
  log_level: info
shops:
  - name: demo
    env: production
    base_url: "@BASE_URL@"
    defaults:
      interval: 5s
      timeout: 3s
      confirm_delay: 2s
    checks:
      - name: home
        url: /
        expect:
          status: 200
          body_contains: "Demo Schuhladen"
      - name: category
        url: /category/shoes
        expect:
          body_contains: "Laufschuh"
          max_duration: 2s
      - name: product
        url: /product/42
        expect:
          body_contains: "In den Warenkorb"
      - name: cart
        url: /cart
        expect:
          body_contains: "Warenkorb"
      - name: checkout
        url: /checkout
        histogram: true
        expect:
          status: 200
          body_contains: "Jetzt kaufen"
      - name: cart-api
        url: /api/cart
        expect:
          json:
            - path: /cart/currency
              equals: "EUR"
            - path: /cart/total
              gt: 0
)";
  auto replace = [&yaml](std::string_view what, const std::string& with) {
    for (auto pos = yaml.find(what); pos != std::string::npos; pos = yaml.find(what, pos + with.size())) {
      yaml.replace(pos, what.size(), with);
    }
  };
  replace("@LISTEN@", listen);
  replace("@DATABASE@", database);
  replace("@BASE_URL@", shop_base_url);
  return yaml;
}

}  // namespace shopwatch::agent::runtime
