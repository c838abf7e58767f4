// The sink contract's SIGKILL scenario: a forked agent process (store + planner + worker + the real
// sink) is killed by SIGKILL right after its create went out and before the ticket was recorded;
// the parent opens the same database, runs a fresh worker with a fresh sink and must end up with
// exactly one ticket, recorded for the incident. Forked before any thread exists (each TEST_CASE
// is its own process); the tracker's side is made in the parent after the fork.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

#include "sink_contract.h"

namespace shopwatch::contract {

using agent::backlog::ActionKind;
using agent::backlog::ActionState;
using agent::backlog::OutboxAction;
using agent::backlog::OutboxWorker;
using agent::backlog::OutboxWorkerOptions;
using agent::backlog::SendResult;
using agent::backlog::SendStatus;

namespace {

/// Exit codes of the doomed agent when it was NOT killed (the parent reports them).
constexpr int kNotKilled = 3;
constexpr int kFailed = 2;
constexpr int kNoEndpoint = 4;

/// The child: reads the endpoint (until the parent closes the pipe), files the incident, and is
/// killed by before_record once its Open was delivered.
int runDoomedAgent(int ready_fd, const std::filesystem::path& dir, core::SystemTime start,
                   const KillPlan& plan) {
  try {
    std::string endpoint;
    char buf[512];
    for (;;) {
      const ssize_t n = ::read(ready_fd, buf, sizeof buf);
      if (n > 0) {
        endpoint.append(buf, static_cast<std::size_t>(n));
      } else if (n == 0) {
        break;
      } else if (errno != EINTR) {
        return kNoEndpoint;
      }
    }
    if (endpoint.empty()) return kNoEndpoint;  // the parent gave up
    core::FakeClock clock(start);
    auto sink = plan.child_sink(endpoint, &clock);
    agent::backlog::PlannerConfig config;
    config.client = kClient;
    config.sinks = {std::string(sink->name())};
    ContractStore store(dir, clock, config);
    OutboxWorkerOptions o;
    o.clock = &clock;
    o.store = &store.store();
    o.sinks.push_back(std::move(sink));
    o.client = kClient;
    o.random = [] { return 0.5; };
    o.before_record = [](const OutboxAction& a, const SendResult& r) {
      if (a.kind == ActionKind::Open && r.status == SendStatus::Done) ::raise(SIGKILL);
      return true;
    };
    OutboxWorker worker(std::move(o));
    store.commit({backlog_test::fire(kRule, kCheck, start)});
    worker.wake();
    worker.waitIdle(std::chrono::seconds{60});
    return kNotKilled;
  } catch (...) {
    return kFailed;
  }
}

/// Kills and reaps the child and closes the pipe unless the scenario got that far itself.
struct ChildGuard {
  pid_t pid = -1;
  int fd = -1;
  ChildGuard() = default;
  ChildGuard(const ChildGuard&) = delete;
  ChildGuard& operator=(const ChildGuard&) = delete;
  ~ChildGuard() {
    if (fd >= 0) ::close(fd);
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      int status = 0;
      ::waitpid(pid, &status, 0);
    }
  }
};

/// Waits up to `timeout` for the child to end; its wait status, or nullopt on timeout.
std::optional<int> waitFor(pid_t pid, std::chrono::seconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0 && errno != EINTR) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  return std::nullopt;
}

std::string describeStatus(int status) {
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  if (!WIFEXITED(status)) return "ended oddly (" + std::to_string(status) + ")";
  switch (WEXITSTATUS(status)) {
    case kNotKilled:
      return "exited without being killed: its create was never delivered";
    case kFailed:
      return "failed to set up its store, sink or worker";
    case kNoEndpoint:
      return "got no endpoint from the parent";
    default:
      return "exited with " + std::to_string(WEXITSTATUS(status));
  }
}

}  // namespace

void killedAgentScenario(const KillPlan& plan) {
  const core::SystemTime start = scenarioStart();
  backlog_test::TempDir dir;
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(ready[1]);
    ::_exit(runDoomedAgent(ready[0], dir.path(), start, plan));
  }
  ::close(ready[0]);
  ChildGuard guard;
  guard.pid = child;
  guard.fd = ready[1];

  core::FakeClock tracker_clock(start);
  std::unique_ptr<Backend> backend = plan.parent(tracker_clock);
  const std::string endpoint = plan.endpoint(*backend);
  REQUIRE_FALSE(endpoint.empty());
  for (std::size_t off = 0; off < endpoint.size();) {
    const ssize_t n = ::write(guard.fd, endpoint.data() + off, endpoint.size() - off);
    if (n < 0 && errno == EINTR) continue;
    REQUIRE(n > 0);
    off += static_cast<std::size_t>(n);
  }
  ::close(guard.fd);
  guard.fd = -1;

  const auto status = waitFor(child, std::chrono::seconds{120});
  REQUIRE(status.has_value());
  guard.pid = -1;
  INFO("the agent process " << describeStatus(*status));
  REQUIRE(WIFSIGNALED(*status));
  REQUIRE(WTERMSIG(*status) == SIGKILL);

  // The restart: the same database, a fresh sink.
  ContractWorld::Options options;
  options.start = start;
  options.dir = dir.path();
  ContractWorld w([&backend](core::FakeClock&) { return std::move(backend); }, options);
  std::string created;
  {
    const auto found = w.tickets();
    REQUIRE(found.size() == 1);  // the create went out before the kill
    created = found[0].id;
    CHECK(w.store.tickets().empty());  // and its answer was never recorded
    const auto pending = w.store.pending();
    REQUIRE(pending.size() == 1);
    CHECK(pending[0].kind == ActionKind::Open);
    CHECK(pending[0].attempts == 1);
    CHECK(pending[0].outcome_unknown);
  }
  w.startWorker();
  const auto found = w.tickets();
  REQUIRE(found.size() == 1);  // no duplicate
  CHECK(found[0].id == created);
  const auto recorded = w.store.tickets();
  REQUIRE(recorded.size() == 1);
  INFO("recorded key " << recorded[0].ticket.key << " id " << recorded[0].ticket.id);
  CHECK(refersTo(recorded[0].ticket, found[0]));
  CHECK(recorded[0].ticket.episode == 1);
  CHECK(w.store.pending().empty());
  const auto open = w.store.actions().at(0);
  CHECK(open.state == ActionState::Done);
  CHECK(open.attempts == 2);
  CHECK_FALSE(found[0].closed);
}

}  // namespace shopwatch::contract
