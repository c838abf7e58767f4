// The sink contract's scenarios (sink_contract.h): what every backlog tracker's sink must do
// through the real outbox — one ticket per outage, one note per change, close on resolve, reopen
// inside reopen_window and a related new ticket after it, exactly-once delivery across a tracker
// outage and a crash between sending a create and recording it, and Retry-After respected.
#include <algorithm>
#include <cctype>

#include "sink_contract.h"

namespace shopwatch::contract {

using agent::backlog::ActionKind;
using agent::backlog::ActionState;
using agent::backlog::OutboxAction;
using agent::backlog::SendResult;
using agent::backlog::SendStatus;
using backlog_test::escalate;
using backlog_test::fire;
using backlog_test::resolve;
using rules::AlertState;
using rules::Severity;

namespace {

/// Case-insensitive: "critical" is found in "Critical" too.
bool hasWord(std::string haystack, const std::string& needle) {
  for (auto& c : haystack) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return haystack.find(needle) != std::string::npos;
}

std::string describe(const std::vector<TrackerTicket>& tickets) {
  std::string out;
  for (const auto& t : tickets) {
    out += "ticket " + t.id + " (" + t.status + (t.closed ? ", closed" : ", open") + ")";
    if (!t.related.empty()) {
      out += " related to";
      for (const auto& r : t.related) out += " " + r;
    }
    out += ":\n";
    for (const auto& n : t.notes) out += "  note: " + n + "\n";
  }
  return out.empty() ? "no tickets" : out;
}

/// The trailers of a ticket's notes, in the order of the notes (notes without one left out).
std::vector<Trailer> trailers(const TrackerTicket& t, const std::string& fp) {
  std::vector<Trailer> out;
  for (const auto& n : t.notes) {
    if (auto tr = trailerOf(n, fp)) out.push_back(*tr);
  }
  return out;
}

/// No action's note twice; notes in the order of their actions.
void checkOnceInOrder(const TrackerTicket& t, const std::string& fp) {
  const auto all = trailers(t, fp);
  for (std::size_t i = 1; i < all.size(); ++i) {
    INFO("note " << i << " of ticket " << t.id);
    CHECK(all[i - 1].action_id < all[i].action_id);
  }
}

std::size_t countKind(const std::vector<Trailer>& all, const std::string& kind) {
  return static_cast<std::size_t>(
      std::count_if(all.begin(), all.end(), [&kind](const Trailer& t) { return t.kind == kind; }));
}

std::size_t countKind(const std::vector<OutboxAction>& all, ActionKind kind) {
  return static_cast<std::size_t>(std::count_if(
      all.begin(), all.end(), [kind](const OutboxAction& a) { return a.kind == kind; }));
}

/// The incident's recorded ticket refers to `t` and was opened for `episode`.
void checkRecorded(ContractWorld& w, const TrackerTicket& t, std::int64_t episode) {
  const auto recorded = w.store.tickets();
  REQUIRE(recorded.size() == 1);
  CHECK(recorded[0].sink == w.backend->sinkName());
  INFO("recorded key " << recorded[0].ticket.key << " id " << recorded[0].ticket.id);
  CHECK(refersTo(recorded[0].ticket, t));
  CHECK(recorded[0].ticket.episode == episode);
}

}  // namespace

void outageScenario(const BackendFactory& make) {
  ContractWorld w(make, {});
  w.startWorker();
  const auto t0 = w.clock.now();

  w.commit({fire(kRule, kCheck, t0)});
  const std::string fp = w.fingerprint();
  auto found = w.tickets();
  INFO(describe(found));
  REQUIRE(found.size() == 1);
  CHECK_FALSE(found[0].closed);
  checkRecorded(w, found[0], 1);
  const std::size_t base = found[0].notes.size();

  w.advance(4min);
  w.commit({escalate(kRule, kCheck, t0, t0 + 4min, Severity::Warning, Severity::Critical)});
  found = w.tickets();
  INFO(describe(found));
  REQUIRE(found.size() == 1);
  CHECK_FALSE(found[0].closed);
  REQUIRE(found[0].notes.size() == base + 1);
  {
    const auto tr = trailerOf(found[0].notes.back(), fp);
    REQUIRE(tr);
    CHECK(tr->kind == "escalate");
    CHECK(tr->episode == 1);
    CHECK(hasWord(found[0].notes.back(), "critical"));
  }

  w.advance(4min);
  w.commit({resolve(kRule, kCheck, t0, t0 + 8min, 0.6, Severity::Critical)});
  found = w.tickets();
  INFO(describe(found));
  REQUIRE(found.size() == 1);
  CHECK(found[0].closed);
  REQUIRE(found[0].notes.size() == base + 2);
  const std::string& note = found[0].notes.back();
  const auto tr = trailerOf(note, fp);
  REQUIRE(tr);
  CHECK(tr->kind == "resolve");
  CHECK(mentionsTime(note, t0));
  CHECK(mentionsTime(note, t0 + 8min));
  CHECK(mentionsMinutes(note, 8));
  checkOnceInOrder(found[0], fp);

  CHECK(w.store.pending().empty());
  for (const auto& a : w.store.actions()) {
    INFO("action " << a.id << " " << agent::backlog::actionKindName(a.kind) << ": "
                   << a.last_error);
    CHECK(a.state == ActionState::Done);
    CHECK(a.attempts == 1);
  }
}

void refireScenario(const BackendFactory& make) {
  ContractWorld w(make, {});
  w.startWorker();
  const auto t0 = w.clock.now();
  w.commit({fire(kRule, kCheck, t0)});
  w.advanceTo(t0 + 5min);
  w.commit({resolve(kRule, kCheck, t0, t0 + 5min, 0.9)});
  const std::string fp = w.fingerprint();
  auto found = w.tickets();
  INFO(describe(found));
  REQUIRE(found.size() == 1);
  REQUIRE(found[0].closed);
  const std::size_t closed_notes = found[0].notes.size();

  // Inside reopen_window (24 h): the same ticket, reopened, with one note for episode 2.
  const auto t1 = t0 + 1h;
  w.advanceTo(t1);
  w.commit({fire(kRule, kCheck, t1, Severity::Warning, AlertState::Ok)});
  found = w.tickets();
  INFO(describe(found));
  REQUIRE(found.size() == 1);
  CHECK_FALSE(found[0].closed);
  REQUIRE(found[0].notes.size() == closed_notes + 1);
  {
    const auto tr = trailerOf(found[0].notes.back(), fp);
    REQUIRE(tr);
    CHECK(tr->kind == "open");
    CHECK(tr->episode == 2);
  }
  checkRecorded(w, found[0], 2);

  w.advanceTo(t1 + 5min);
  w.commit({resolve(kRule, kCheck, t1, t1 + 5min, 0.9)});
  found = w.tickets();
  INFO(describe(found));
  REQUIRE(found.size() == 1);
  CHECK(found[0].closed);
  checkOnceInOrder(found[0], fp);
  const std::string first = found[0].id;

  // After the window: a new ticket, related to the previous one.
  const auto t2 = t1 + 5min + 25h;
  w.advanceTo(t2);
  w.commit({fire(kRule, kCheck, t2, Severity::Warning, AlertState::Ok)});
  found = w.tickets();
  INFO(describe(found));
  REQUIRE(found.size() == 2);
  CHECK(found[0].id == first);
  CHECK(found[0].closed);
  CHECK_FALSE(found[1].closed);
  CHECK(found[1].id != first);
  const auto& rel0 = found[0].related;
  const auto& rel1 = found[1].related;
  const bool linked = std::find(rel1.begin(), rel1.end(), first) != rel1.end() ||
                      std::find(rel0.begin(), rel0.end(), found[1].id) != rel0.end();
  CHECK(linked);
  checkRecorded(w, found[1], 3);
  CHECK(w.store.pending().empty());
  for (const auto& a : w.store.actions()) CHECK(a.state == ActionState::Done);
}

void trackerDownScenario(const BackendFactory& make) {
  ContractWorld::Options options;
  options.comment_interval = 10min;  // digests are queued (and coalesced) while the tracker is down
  ContractWorld w(make, options);
  w.startWorker();
  const auto t0 = w.clock.now();
  REQUIRE(w.backend->stop());

  w.commit({fire(kRule, kCheck, t0)});
  for (int minute = 1; minute <= 25; ++minute) {
    w.advance(1min);
    if (minute == 5) {
      w.commit({escalate(kRule, kCheck, t0, t0 + 5min, Severity::Warning, Severity::Critical)});
    }
    if (minute == 25) w.commit({resolve(kRule, kCheck, t0, t0 + 25min, 0.6, Severity::Critical)});
  }
  const std::string fp = w.fingerprint();
  {
    const auto pending = w.store.pending();
    REQUIRE_FALSE(pending.empty());
    CHECK(pending.front().kind == ActionKind::Open);
    CHECK(pending.front().attempts >= 3);  // tried while down, with backoff
    CHECK(countKind(pending, ActionKind::Open) == 1);
    CHECK(countKind(pending, ActionKind::Escalate) == 1);
    CHECK(countKind(pending, ActionKind::Resolve) == 1);
    CHECK(countKind(pending, ActionKind::Digest) <= 1);  // the older digest coalesced
    CHECK(countKind(w.store.actions(), ActionKind::Digest) >= 1);
  }

  REQUIRE(w.backend->start());
  // Back, but the worker has not been due yet (the FakeClock has not moved): nothing arrived.
  CHECK(w.backend->tickets(fp).empty());
  for (int i = 0; i < 6 && !w.store.pending().empty(); ++i) w.advance(11min);
  CHECK(w.store.pending().empty());

  const auto found = w.tickets();
  INFO(describe(found));
  REQUIRE(found.size() == 1);
  CHECK(found[0].closed);
  const auto notes = trailers(found[0], fp);
  REQUIRE(notes.size() >= 2);
  CHECK(countKind(notes, "open") == 0);
  CHECK(countKind(notes, "escalate") == 1);
  CHECK(countKind(notes, "resolve") == 1);
  CHECK(countKind(notes, "digest") <= 1);
  CHECK(notes.front().kind == "escalate");
  CHECK(notes.back().kind == "resolve");
  checkOnceInOrder(found[0], fp);
  checkRecorded(w, found[0], 1);
  for (const auto& a : w.store.actions()) {
    INFO("action " << a.id << " " << agent::backlog::actionKindName(a.kind) << ": "
                   << a.last_error);
    CHECK(a.state == ActionState::Done);
    if (a.kind != ActionKind::Digest) CHECK(a.last_error != "coalesced");
  }
}

void crashBeforeRecordScenario(const BackendFactory& make) {
  ContractWorld w(make, {});
  w.startWorker([](const OutboxAction& a, const SendResult& r) {
    return !(a.kind == ActionKind::Open && r.status == SendStatus::Done);  // "crash" here
  });
  const auto t0 = w.clock.now();
  w.store.commit({fire(kRule, kCheck, t0)});
  w.worker().wake();
  REQUIRE(w.worker().waitIdle(w.backend->patience()));  // the worker thread has ended
  const std::string fp = w.fingerprint();
  std::string created;
  {
    const auto found = w.tickets();
    INFO(describe(found));
    REQUIRE(found.size() == 1);        // the create went out
    CHECK(w.store.tickets().empty());  // and was never recorded
    created = found[0].id;
    const auto pending = w.store.pending();
    REQUIRE(pending.size() == 1);
    CHECK(pending[0].kind == ActionKind::Open);
    CHECK(pending[0].attempts == 1);
    CHECK(pending[0].outcome_unknown);
  }

  w.startWorker();  // the restart: a fresh sink delivers what was left pending at once
  auto found = w.tickets();
  INFO(describe(found));
  REQUIRE(found.size() == 1);  // adopted, not created again
  CHECK(found[0].id == created);
  checkRecorded(w, found[0], 1);
  CHECK(w.store.pending().empty());
  const auto open = w.store.actions().at(0);
  CHECK(open.state == ActionState::Done);
  CHECK(open.attempts == 2);

  // The adopted ticket carries on: the resolve closes it.
  w.advance(2min);
  w.commit({resolve(kRule, kCheck, t0, t0 + 2min, 0.9)});
  found = w.tickets();
  INFO(describe(found));
  REQUIRE(found.size() == 1);
  CHECK(found[0].closed);
  const auto notes = trailers(found[0], fp);
  REQUIRE_FALSE(notes.empty());
  CHECK(notes.back().kind == "resolve");
  CHECK(countKind(notes, "resolve") == 1);
}

bool rateLimitScenario(const BackendFactory& make) {
  ContractWorld w(make, {});
  w.startWorker({}, [] { return 0.0; });  // the jitter alone would retry after min_retry (1 s)
  const auto t0 = w.clock.now();
  if (!w.backend->rateLimitNext(3)) {
    WARN("the " << w.backend->sinkName()
                << " tracker cannot be told to answer 429: Retry-After is not tested against it");
    return false;
  }
  const std::size_t before = w.backend->requests().size();
  w.commit({fire(kRule, kCheck, t0)});
  auto log = w.backend->requests();
  REQUIRE(log.size() == before + 1);
  CHECK(log.back().status == 429);
  {
    const auto pending = w.store.pending();
    REQUIRE(pending.size() == 1);
    CHECK(pending[0].next_attempt_at == t0 + 3s);
    CHECK_FALSE(pending[0].outcome_unknown);  // answered: nothing was created
  }

  w.advance(1s);
  w.advance(1900ms);
  CHECK(w.backend->requests().size() == before + 1);
  CHECK(w.tickets().empty());
  w.advance(100ms);
  log = w.backend->requests();
  REQUIRE(log.size() > before + 1);
  for (std::size_t i = before + 1; i < log.size(); ++i) {
    INFO("request " << i);
    CHECK(log[i].at - log[before].at >= 3s);
  }
  const auto found = w.tickets();
  INFO(describe(found));
  REQUIRE(found.size() == 1);
  checkRecorded(w, found[0], 1);
  CHECK(w.store.pending().empty());
  return true;
}

}  // namespace shopwatch::contract
