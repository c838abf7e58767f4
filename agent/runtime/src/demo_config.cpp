// The demo's embedded config (`shopwatch demo`): the demo shop's checks, a checkout journey, rules and
// an SLO on them.
#include "shopwatch/agent/runtime/demo_shop.h"

#include <cstdlib>

#include <openssl/rand.h>

namespace shopwatch::agent::runtime {

std::string demoApiToken() {
  if (const char* set = std::getenv(kDemoApiTokenEnv)) {
    if (*set != '\0') return set;
  }
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    for (auto& b : bytes) b = static_cast<unsigned char>(std::rand());  // NOLINT: demo only
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token;
  for (unsigned char b : bytes) {
    token += kHex[b >> 4];
    token += kHex[b & 15];
  }
  ::setenv(kDemoApiTokenEnv, token.c_str(), 1);
  return token;
}

std::string demoConfigYaml(const std::string& shop_base_url, const std::string& listen,
                           const std::string& database, const std::string& backlog_url) {
  // `checkout` is the journey ([B1]) a user watches end to end; the plain page check that had the
  // name is `checkout-page`. /toggle breaks the journey's `checkout` step (503).
  (void)demoApiToken();  // the config takes it from the environment, as a real one would
  std::string yaml = R"(# shopwatch demo: the built-in demo shop, probed every 5 s.
agent:
  client: demo
  api_token: ${env:SHOPWATCH_DEMO_API_TOKEN}
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
      - name: checkout-page
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
      - name: checkout
        interval: 10s
        journey_timeout: 8s
        histogram: true
        steps:
          - name: product
            url: /product/42
            extract:
              csrf: { css: 'input[name="_csrf"]', attr: value }
          - name: add-to-cart
            method: POST
            url: /cart/add
            form: { sku: shoe-42, qty: "1", _csrf: "${csrf}" }
            expect: { status: [200, 302] }
          - name: cart
            url: /cart.json
            timeout: 2s
            extract:
              cart_id: { json: /cart/id }
            expect: { body_contains: shoe-42, max_duration: 2s }
          - name: checkout
            url: /checkout
            expect: { status: 200, body_contains: shoe-42 }
        cleanup:
          - name: empty-cart
            method: POST
            url: /cart/clear
# Rules ([C]): break the checkout at /toggle and watch /api/v1/alerts go pending, then firing
# within a minute; fix it and the alert resolves.
rules:
  - name: checkout-down
    check: demo/checkout
    expr: availability < 100%
    window: 1m
    for: 20s
    clear_for: 30s
    severity: critical
  - name: checkout-page-down
    check: demo/checkout-page
    expr: failure_streak >= 2
    for: 10s
    clear_for: 20s
    severity: critical
  - name: checkout-step-slow
    check: demo/checkout/checkout
    expr: p95 > 1500ms
    window: 5m
    for: 1m
    severity: warning
  - name: pages-slow
    check: demo/*
    expr: p95 > 2s
    window: 5m
    for: 1m
    severity: warning
slos:
  - name: checkout-availability
    check: demo/checkout
    objective: 99.5%
    period: 30d
    latency: { threshold: 2s }
# The contract the monthly report (status page, /api/v1/report, `shopwatch report`) measures.
sla:
  - shops: [demo]
    target: 99.9%
    checks: [demo/home, demo/checkout]
    maintenance: exclude
    unmonitored: exclude
# A recurring window looks like this (announce ad-hoc ones with POST /api/v1/maintenance):
# maintenance:
#   - name: weekly-updates
#     shops: [demo]
#     every: sunday 03:00
#     duration: 1h
#     timezone: Europe/Vienna
)";
  auto replace = [&yaml](std::string_view what, const std::string& with) {
    for (auto pos = yaml.find(what); pos != std::string::npos;
         pos = yaml.find(what, pos + with.size())) {
      yaml.replace(pos, what.size(), with);
    }
  };
  if (!backlog_url.empty()) {
    // The demo backlog speaks Jira Cloud's REST shapes; the agent's real Jira sink and outbox file
    // the incidents there.
    yaml += R"(backlog:
  jira:
    url: "@BACKLOG_URL@"
    flavor: cloud
    email: demo@shopwatch.invalid
    token: ${env:SHOPWATCH_DEMO_API_TOKEN}
    project: SHOP
    issue_type: Incident
    labels: [shopwatch, demo]
    reopen_window: 24h
    comment_interval: 5m
)";
    replace("@BACKLOG_URL@", backlog_url);
  }
  replace("@LISTEN@", listen);
  replace("@DATABASE@", database);
  replace("@BASE_URL@", shop_base_url);
  return yaml;
}

}  // namespace shopwatch::agent::runtime
