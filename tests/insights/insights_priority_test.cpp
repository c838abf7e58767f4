// Ranking ([F]): weights, bytes as time, priorities from the rule severities, one finding per
// identity, a stable order; the JSON of a finding round-trips.
#include <catch2/catch.hpp>

#include "shopwatch/agent/insights/insights_formats.h"
#include "shopwatch/agent/insights/insights_priority.h"

namespace ins = shopwatch::agent::insights;
using shopwatch::agent::InsightsSettings;
using shopwatch::rules::Severity;

namespace {

ins::Finding make(const std::string& check, const std::string& step, const std::string& id, double seconds,
                  std::uint64_t bytes = 0) {
  ins::Finding f;
  f.key = {"acme", "production", check};
  f.step = step;
  f.finding = id;
  f.saving_seconds = seconds;
  f.saving_bytes = bytes;
  f.summary = id + " on " + check;
  return f;
}

}  // namespace

TEST_CASE("checkout steps weigh more than other checks unless weights say otherwise", "[priority]") {
  InsightsSettings s;
  CHECK(ins::findingWeight(make("home", "", "slow-ttfb", 1), s) == 1.0);
  CHECK(ins::findingWeight(make("checkout", "product", "slow-ttfb", 1), s) == 3.0);
  CHECK(ins::findingWeight(make("journey", "add-to-cart", "slow-ttfb", 1), s) == 3.0);
  s.weights = {{"acme/journey", 2.0}, {"acme/journey/add-to-cart", 5.0}};
  CHECK(ins::findingWeight(make("journey", "add-to-cart", "slow-ttfb", 1), s) == 5.0);
  CHECK(ins::findingWeight(make("journey", "cart", "slow-ttfb", 1), s) == 2.0);
  s.checkout_weight = 1.5;
  CHECK(ins::findingWeight(make("checkout", "", "slow-ttfb", 1), s) == 1.5);
}

TEST_CASE("priorities follow the weighted saving with the rule severities", "[priority]") {
  CHECK(ins::priorityForScore(0.0) == Severity::Info);
  CHECK(ins::priorityForScore(0.199) == Severity::Info);
  CHECK(ins::priorityForScore(0.2) == Severity::Warning);
  CHECK(ins::priorityForScore(0.999) == Severity::Warning);
  CHECK(ins::priorityForScore(1.0) == Severity::Critical);
}

TEST_CASE("ranking converts bytes to time and orders by weighted saving", "[priority]") {
  InsightsSettings s;
  std::vector<ins::Finding> f{
      make("home", "", "no-compression", 0, 300000),         // 0.2 s at 1.5 MB/s, weight 1
      make("checkout", "cart", "slow-ttfb", 0.1),              // 0.1 s x 3 = 0.3
      make("home", "", "slow-ttfb", 1.2),                      // 1.2
      make("category", "", "no-cache-headers", 0, 30000)};     // 0.02
  ins::rankFindings(f, s);
  REQUIRE(f.size() == 4);
  CHECK(f[0].finding == "slow-ttfb");
  CHECK(f[0].key.check == "home");
  CHECK(f[0].priority == Severity::Critical);
  CHECK(f[1].key.check == "checkout");
  CHECK(f[1].score == Approx(0.3));
  CHECK(f[1].priority == Severity::Warning);
  CHECK(f[2].finding == "no-compression");
  CHECK(f[2].saving_seconds == Approx(0.2));
  CHECK(f[2].priority == Severity::Warning);
  CHECK(f[3].finding == "no-cache-headers");
  CHECK(f[3].priority == Severity::Info);
}

TEST_CASE("two analyses reporting the same finding on one target become one with the larger saving",
          "[priority]") {
  std::vector<ins::Finding> f{make("home", "", "slow-tls", 0.15), make("home", "", "slow-tls", 0.4),
                              make("home", "", "slow-ttfb", 0.3)};
  ins::rankFindings(f, InsightsSettings{});
  REQUIRE(f.size() == 2);
  CHECK(f[0].finding == "slow-tls");
  CHECK(f[0].saving_seconds == Approx(0.4));
  CHECK(f[1].finding == "slow-ttfb");
}

TEST_CASE("equal scores keep a stable order by target and finding", "[priority]") {
  std::vector<ins::Finding> a{make("b", "", "slow-ttfb", 0.5), make("a", "", "slow-ttfb", 0.5),
                              make("a", "", "slow-dns", 0.5)};
  auto b = a;
  std::reverse(b.begin(), b.end());
  ins::rankFindings(a, InsightsSettings{});
  ins::rankFindings(b, InsightsSettings{});
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].key.check == b[i].key.check);
    CHECK(a[i].finding == b[i].finding);
  }
  CHECK(a[0].key.check == "a");
  CHECK(a[0].finding == "slow-dns");
}

TEST_CASE("a finding's JSON has the promised keys and reads back", "[priority]") {
  auto f = make("checkout", "cart", "regression", 0.42, 0);
  f.evidence = {{"metric", "ttfb"}, {"recent_p95_ms", 812.0}};
  f.since = shopwatch::core::SystemTime{std::chrono::seconds{1764547200}};
  std::vector<ins::Finding> list{f};
  ins::rankFindings(list, InsightsSettings{});
  const auto j = ins::findingJson(list[0]);
  for (const char* key : {"shop", "env", "check", "step", "finding", "priority", "saving_seconds",
                          "saving_bytes", "evidence"})
    CHECK(j.contains(key));
  CHECK(j["priority"] == "critical");  // 0.42 s x 3 (a cart step)
  CHECK(j["since"] == "2025-12-01T00:00:00Z");
  auto back = ins::findingFromJson(nlohmann::json::parse(j.dump()));
  REQUIRE(back);
  CHECK(back->key == list[0].key);
  CHECK(back->step == "cart");
  CHECK(back->priority == Severity::Critical);
  CHECK(back->evidence["recent_p95_ms"] == 812.0);
  CHECK(back->since == f.since);
  auto bad = ins::findingFromJson(nlohmann::json::parse(R"({"shop":"acme"})"));
  CHECK_FALSE(bad);
}
