// Degraded mode (DESIGN.md, "Storage"): a full disk or a lock held by another process never stops
// probing; results buffer in bounded memory and are written in order once writing works again.
#include <catch2/catch.hpp>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sqlite3.h>

#include <csignal>
#include <fstream>

#include "child_process.h"
#include "shopwatch/storage/sqlite_result_store.h"
#include "storage_test_support.h"

using namespace shopwatch;
using namespace shopwatch::storage;
using namespace shopwatch::storage::test;

namespace {

// Captures log lines for the duration of a test.
class LogCapture {
 public:
  LogCapture() : sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(256)) {
    spdlog::default_logger()->sinks().push_back(sink_);
  }
  ~LogCapture() {
    auto& sinks = spdlog::default_logger()->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
  }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;
  int count(const std::string& needle) const {
    int n = 0;
    for (const auto& line : sink_->last_formatted()) n += line.find(needle) != std::string::npos;
    return n;
  }

 private:
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
};

std::int64_t countRows(const std::filesystem::path& db, const char* sql) {
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open_v2(db.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  std::unique_ptr<sqlite3, decltype(&sqlite3_close_v2)> handle(raw, &sqlite3_close_v2);
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(raw, sql, -1, &st, nullptr) == SQLITE_OK);
  std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> stmt(st, &sqlite3_finalize);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  return sqlite3_column_int64(st, 0);
}

void enqueueRuns(ResultStore& store, std::int64_t first, std::int64_t count) {
  for (auto id = first; id < first + count; ++id) {
    REQUIRE(store.enqueue(record({.run_id = id, .scheduled = kT0 + std::chrono::seconds{id * 60}})));
  }
}

// Mounts a small tmpfs on construction; unmounts on destruction. mounted() is false where mounting is
// impossible (no CAP_SYS_ADMIN).
class SmallTmpfs {
 public:
  explicit SmallTmpfs(const std::filesystem::path& at) : at_(at) {
    mounted_ = ::mount("tmpfs", at.c_str(), "tmpfs", 0, "size=4m") == 0;
  }
  ~SmallTmpfs() {
    if (mounted_) ::umount2(at_.c_str(), MNT_DETACH);
  }
  SmallTmpfs(const SmallTmpfs&) = delete;
  SmallTmpfs& operator=(const SmallTmpfs&) = delete;
  bool mounted() const { return mounted_; }

 private:
  std::filesystem::path at_;
  bool mounted_ = false;
};

// Fills the file system holding `path` until it reports ENOSPC.
void fillDisk(const std::filesystem::path& path) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  std::vector<char> block(4096, 'x');
  while (std::fwrite(block.data(), 1, block.size(), f) == block.size()) {
  }
  std::fclose(f);
}

}  // namespace

TEST_CASE("a lock held by another process degrades to buffering and recovers in order") {
  TempDir dir;
  LogCapture log;
  StoreOptions o;
  o.path = dir.path() / "agent.db";
  o.buffer_capacity = 250;
  o.max_backoff = std::chrono::milliseconds{200};
  auto opened = SqliteResultStore::open(o);
  REQUIRE(opened);
  auto& store = **opened;
  enqueueRuns(store, 0, 100);
  REQUIRE(store.flush());

  ChildProcess holder({STORAGE_TEST_HELPER, "lock", o.path.string()});
  REQUIRE(holder.started());
  REQUIRE(holder.readLine(std::chrono::seconds{10}) == std::optional<std::string>("locked"));

  enqueueRuns(store, 100, 200);
  CHECK_FALSE(store.flush());
  auto st = store.stats();
  CHECK(st.degraded);
  CHECK(st.buffered == 200);
  CHECK(st.last_error.find("locked") != std::string::npos);
  enqueueRuns(store, 300, 100);  // past the cap: the 50 oldest buffered results are dropped
  CHECK_FALSE(store.flush());
  st = store.stats();
  CHECK(st.buffered == 250);
  CHECK(st.dropped_total == 50);
  CHECK(log.count("degraded") == 1);

  holder.writeLine("release");
  REQUIRE(WIFEXITED(holder.wait()));
  REQUIRE(store.flush());
  st = store.stats();
  CHECK_FALSE(st.degraded);
  CHECK(st.buffered == 0);
  CHECK(st.written_total == 350);
  CHECK(log.count("recovered") == 1);
  CHECK(store.integrityCheck().value() == "ok");
  CHECK(countRows(o.path, "SELECT count(*) FROM raw") == 350);
  CHECK(countRows(o.path, "SELECT count(*) FROM raw WHERE run_id BETWEEN 100 AND 149") == 0);
  CHECK(countRows(o.path, "SELECT count(*) FROM raw WHERE run_id BETWEEN 150 AND 399") == 250);
  // Coverage went on across the dropped results: run 99 covers up to twice the interval, then unmonitored.
  auto a = store.windowAggregate(series("home"), kT0, kT0 + 400min, kT0 + 400min);
  REQUIRE(a);
  CHECK(a->covered == 400min - 49min);
  CHECK(a->unmonitored == 49min);
}

TEST_CASE("a full disk degrades to buffering, damages nothing, and recovers when space returns") {
  TempDir dir;
  LogCapture log;
  auto mnt = dir.path() / "mnt";
  std::filesystem::create_directory(mnt);
  SmallTmpfs fs(mnt);
  std::optional<rlimit> old_limit;
  if (!fs.mounted()) {
    WARN("LOUD: cannot mount a tmpfs here (" << std::strerror(errno)
                                             << "); falling back to RLIMIT_FSIZE (ulimit -f) to simulate a full disk");
  }
  StoreOptions o;
  o.path = mnt / "agent.db";
  o.max_backoff = std::chrono::milliseconds{200};
  auto opened = SqliteResultStore::open(o);
  REQUIRE(opened);
  auto& store = **opened;
  enqueueRuns(store, 0, 500);
  REQUIRE(store.flush());

  auto filler = mnt / "filler";
  if (fs.mounted()) {
    fillDisk(filler);
  } else {
    std::signal(SIGXFSZ, SIG_IGN);
    rlimit lim{};
    ::getrlimit(RLIMIT_FSIZE, &lim);
    old_limit = lim;
    auto size = std::filesystem::file_size(o.path) + std::filesystem::file_size(o.path.string() + "-wal");
    rlimit small{static_cast<rlim_t>(size + 64 * 1024), lim.rlim_max};
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  }

  enqueueRuns(store, 500, 30000);
  CHECK_FALSE(store.flush());
  auto st = store.stats();
  CHECK(st.degraded);
  CHECK(st.buffered == 30000);
  CHECK(st.dropped_total == 0);
  CHECK(log.count("degraded") == 1);
  CHECK(store.integrityCheck().value() == "ok");
  CHECK(countRows(o.path, "SELECT count(*) FROM raw") == 500);

  if (fs.mounted()) {
    std::filesystem::remove(filler);
  } else {
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &*old_limit) == 0);
  }
  REQUIRE(store.flush());
  st = store.stats();
  CHECK_FALSE(st.degraded);
  CHECK(st.written_total == 30500);
  CHECK(log.count("recovered") == 1);
  CHECK(store.integrityCheck().value() == "ok");
  CHECK(countRows(o.path, "SELECT count(*) FROM raw") == 30500);
  auto a = store.windowAggregate(series("home"), kT0, kT0 + 30500min, kT0 + 30500min);
  REQUIRE(a);
  CHECK(a->runs == 30500);
  CHECK(a->covered == 30500min);
  CHECK(a->unmonitored == 0min);
  store.stop();
}

TEST_CASE("a store started while another process holds the lock degrades on its first write and recovers") {
  TempDir dir;
  StoreOptions o;
  o.path = dir.path() / "agent.db";
  o.max_backoff = std::chrono::milliseconds{200};
  {
    auto first = SqliteResultStore::open(o);
    REQUIRE(first);
  }
  ChildProcess holder({STORAGE_TEST_HELPER, "lock", o.path.string()});
  REQUIRE(holder.readLine(std::chrono::seconds{10}) == std::optional<std::string>("locked"));
  // Schema exists, so opening needs no write lock: the first write attempt finds the lock.
  auto opened = SqliteResultStore::open(o);
  REQUIRE(opened);
  enqueueRuns(**opened, 0, 10);
  CHECK_FALSE((*opened)->flush());
  CHECK((*opened)->stats().degraded);
  holder.writeLine("release");
  holder.wait();
  REQUIRE((*opened)->flush());
  CHECK((*opened)->stats().written_total == 10);
}

TEST_CASE("a read-only database file degrades to buffering and recovers when it becomes writable") {
  TempDir dir;
  auto rw = dir.path() / "rw";
  auto ro = dir.path() / "ro";
  std::filesystem::create_directories(rw);
  std::filesystem::create_directories(ro);
  StoreOptions o;
  o.path = rw / "agent.db";
  o.max_backoff = std::chrono::milliseconds{200};
  {
    auto first = SqliteResultStore::open(o);
    REQUIRE(first);
    enqueueRuns(**first, 0, 10);
    REQUIRE((*first)->flush());
  }
  // Root ignores file modes, so a read-only view comes from a read-only bind mount.
  if (::mount(rw.c_str(), ro.c_str(), nullptr, MS_BIND, nullptr) != 0) {
    WARN("LOUD: cannot bind-mount here (" << std::strerror(errno) << "); read-only file case not exercised");
    return;
  }
  struct Unmount {
    std::filesystem::path at;
    ~Unmount() { ::umount2(at.c_str(), MNT_DETACH); }
  } unmount{ro};
  REQUIRE(::mount(nullptr, ro.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) == 0);

  LogCapture log;
  o.path = ro / "agent.db";
  auto opened = SqliteResultStore::open(o);
  REQUIRE(opened);  // a read-only file is not a reason to stop the agent
  auto& store = **opened;
  CHECK(store.stats().degraded);
  enqueueRuns(store, 10, 5);
  CHECK_FALSE(store.flush());
  CHECK(store.stats().buffered == 5);
  CHECK(store.stats().last_error.find("readonly") != std::string::npos);
  CHECK(log.count("degraded") == 1);

  REQUIRE(::mount(nullptr, ro.c_str(), nullptr, MS_REMOUNT | MS_BIND, nullptr) == 0);
  REQUIRE(store.flush());
  CHECK_FALSE(store.stats().degraded);
  CHECK(countRows(o.path, "SELECT count(*) FROM raw") == 15);
  CHECK(store.integrityCheck().value() == "ok");
  store.stop();
}
