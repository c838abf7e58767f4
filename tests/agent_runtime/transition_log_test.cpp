#include <catch2/catch.hpp>

#include "shopwatch/core/text.h"

#include <string>
#include <vector>

#include "shopwatch/agent/runtime/run_fanout.h"
#include "shopwatch/agent/runtime/transition_log.h"

using shopwatch::agent::runtime::kMaxStoredMessageBytes;
using shopwatch::agent::runtime::slimForStore;
using shopwatch::agent::runtime::TransitionLevel;
using shopwatch::agent::runtime::TransitionLog;
using shopwatch::core::truncateUtf8;
using shopwatch::core::CheckKey;
using shopwatch::core::FailureReason;
using shopwatch::core::Check;
using shopwatch::core::ProbeResult;

namespace {

Check spec(const std::string& check, std::vector<std::string> secrets = {}) {
  Check s;
  s.key = CheckKey{"acme", "production", check};
  s.secrets = std::move(secrets);
  return s;
}

ProbeResult failed(std::string message) {
  ProbeResult r;
  r.success = false;
  r.failure = FailureReason::HttpStatus;
  r.message = std::move(message);
  return r;
}

struct Collected {
  std::vector<std::pair<TransitionLevel, std::string>> lines;
  TransitionLog::Sink sink() {
    return [this](TransitionLevel level, const std::string& line) { lines.emplace_back(level, line); };
  }
};

}  // namespace

TEST_CASE("transition lines wait in the queue and are written on drain with their level") {
  TransitionLog log;
  const auto home = spec("home");
  REQUIRE(log.pushChange(home, false, failed("status 503")));
  REQUIRE(log.pushChange(home, true, ProbeResult{}));
  Collected out;
  CHECK(log.drain(out.sink()) == 2);
  REQUIRE(out.lines.size() == 2);
  CHECK(out.lines[0].first == TransitionLevel::Warn);
  CHECK(out.lines[0].second.find("acme/home (production) is down") != std::string::npos);
  CHECK(out.lines[0].second.find("status 503") != std::string::npos);
  CHECK(out.lines[1].first == TransitionLevel::Info);
  CHECK(out.lines[1].second.find("is up again") != std::string::npos);
  out.lines.clear();
  CHECK(log.drain(out.sink()) == 0);  // drained means empty
  CHECK(out.lines.empty());
}

TEST_CASE("a mass outage is capped per drain and summarized, and a full queue drops and counts") {
  TransitionLog log(/*capacity=*/50, /*per_drain=*/10);
  std::size_t accepted = 0;
  for (int i = 0; i < 80; ++i) {
    accepted += log.pushChange(spec("c" + std::to_string(i)), false, failed("down")) ? 1 : 0;
  }
  CHECK(accepted == 50);
  CHECK(log.dropped() == 30);
  Collected out;
  CHECK(log.drain(out.sink()) == 11);
  REQUIRE(out.lines.size() == 11);
  CHECK(out.lines[0].second.find("acme/c0 ") != std::string::npos);
  CHECK(out.lines[9].second.find("acme/c9 ") != std::string::npos);
  CHECK(out.lines[10].second == "… and 70 more checks changed state (not logged)");
  // The summary covers one drain: the next one starts clean.
  out.lines.clear();
  CHECK(log.drain(out.sink()) == 0);
  CHECK(log.pushChange(spec("again"), true, ProbeResult{}));
  CHECK(log.drain(out.sink()) == 1);
}

TEST_CASE("confirm-pending lines left over or dropped are not counted as checks that changed state") {
  TransitionLog log(/*capacity=*/6, /*per_drain=*/2);
  for (int i = 0; i < 3; ++i) REQUIRE(log.pushConfirmPending(spec("p" + std::to_string(i)), failed("x")));
  for (int i = 0; i < 3; ++i) REQUIRE(log.pushChange(spec("c" + std::to_string(i)), false, failed("x")));
  CHECK_FALSE(log.pushConfirmPending(spec("p3"), failed("x")));  // queue full: dropped
  CHECK_FALSE(log.pushChange(spec("c3"), false, failed("x")));
  Collected out;
  CHECK(log.drain(out.sink()) == 4);
  REQUIRE(out.lines.size() == 4);
  CHECK(out.lines[0].first == TransitionLevel::Debug);
  CHECK(out.lines[1].first == TransitionLevel::Debug);
  // Left over: p2, c0, c1, c2; dropped: p3, c3.
  CHECK(out.lines[2].first == TransitionLevel::Warn);
  CHECK(out.lines[2].second == "… and 4 more checks changed state (not logged)");
  CHECK(out.lines[3].first == TransitionLevel::Debug);
  CHECK(out.lines[3].second == "… and 2 more failures awaiting a confirm re-check (not logged)");
}

TEST_CASE("only confirm-pending lines left over produce no state-change summary") {
  TransitionLog log(/*capacity=*/10, /*per_drain=*/1);
  REQUIRE(log.pushConfirmPending(spec("p0"), failed("x")));
  REQUIRE(log.pushConfirmPending(spec("p1"), failed("x")));
  Collected out;
  CHECK(log.drain(out.sink()) == 2);
  REQUIRE(out.lines.size() == 2);
  CHECK(out.lines[1].first == TransitionLevel::Debug);
  CHECK(out.lines[1].second == "… and 1 more failure awaiting a confirm re-check (not logged)");
  for (const auto& [level, line] : out.lines) CHECK(line.find("changed state") == std::string::npos);
}

TEST_CASE("a transition message is redacted before it is cut, so no partial secret escapes") {
  TransitionLog log;
  const std::string secret = "s3cr3t-token-value";
  // The secret straddles the 512-byte cut: truncating first would leak its prefix.
  std::string message(TransitionLog::kMaxMessageBytes - 5, 'x');
  message += secret + " trailing";
  REQUIRE(log.pushChange(spec("api", {secret}), false, failed(message)));
  Collected out;
  log.drain(out.sink());
  REQUIRE(out.lines.size() == 1);
  CHECK(out.lines[0].second.find("s3cr") == std::string::npos);
  CHECK(out.lines[0].second.find("<redacted>") == std::string::npos);  // cut away with the tail
  CHECK(out.lines[0].second.size() < TransitionLog::kMaxMessageBytes + 100);
}

TEST_CASE("truncation never splits a UTF-8 sequence") {
  std::string text = "ab\xC3\xA4";  // "abä"
  truncateUtf8(text, 3);
  CHECK(text == "ab");
  std::string euro = "\xE2\x82\xAC\xE2\x82\xAC";  // "€€"
  truncateUtf8(euro, 5);
  CHECK(euro == "\xE2\x82\xAC");
  std::string short_text = "ok";
  truncateUtf8(short_text, 10);
  CHECK(short_text == "ok");
}

TEST_CASE("a result is slimmed to what the store keeps before it is queued") {
  ProbeResult r = failed(std::string(5000, 'm') + "tail");
  r.status_code = 503;
  r.final_url = "http://127.0.0.1:1/cart?session=abc";
  r.assertions.push_back({"status", false, std::string(10000, 'd')});
  r.bytes = 1234;
  r.http_version = "1.1";
  slimForStore(r, {});
  CHECK(r.assertions.empty());
  CHECK(r.final_url.empty());
  CHECK(r.message.size() == kMaxStoredMessageBytes);
  CHECK(r.status_code == 503);  // what the store keeps stays
  CHECK(r.bytes == 1234);
  CHECK(r.http_version == "1.1");

  ProbeResult secret_failure = failed("GET /api?key=hunter2 answered 401");
  slimForStore(secret_failure, {"hunter2"});
  CHECK(secret_failure.message == "GET /api?key=<redacted> answered 401");

  ProbeResult ok;
  ok.success = true;
  ok.message = "irrelevant";
  slimForStore(ok, {});
  CHECK(ok.message.empty());
}
