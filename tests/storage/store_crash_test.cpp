// Crash safety: SIGKILL at any moment leaves an intact database holding every result enqueued longer ago
// than the flush interval.
#include <catch2/catch.hpp>
#include <sqlite3.h>

#include <random>
#include <sstream>

#include "child_process.h"
#include "shopwatch/storage/sqlite_result_store.h"
#include "storage_test_support.h"

using namespace shopwatch;
using namespace shopwatch::storage;
using namespace shopwatch::storage::test;

namespace {

struct Db {
  explicit Db(const std::filesystem::path& path) {
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
    db.reset(raw);
  }
  std::int64_t scalar(const char* sql, std::int64_t a = 0, std::int64_t b = 0) {
    sqlite3_stmt* st = nullptr;
    REQUIRE(sqlite3_prepare_v2(db.get(), sql, -1, &st, nullptr) == SQLITE_OK);
    std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> stmt(st, &sqlite3_finalize);
    sqlite3_bind_int64(st, 1, a);
    sqlite3_bind_int64(st, 2, b);
    REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    return sqlite3_column_int64(st, 0);
  }
  std::string text(const char* sql) {
    sqlite3_stmt* st = nullptr;
    REQUIRE(sqlite3_prepare_v2(db.get(), sql, -1, &st, nullptr) == SQLITE_OK);
    std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> stmt(st, &sqlite3_finalize);
    REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    return reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  }
  std::unique_ptr<sqlite3, decltype(&sqlite3_close_v2)> db{nullptr, &sqlite3_close_v2};
};

}  // namespace

TEST_CASE("after SIGKILL at random moments under load the database is intact and holds every flushed result") {
  TempDir dir;
  auto path = dir.path() / "agent.db";
  const auto flush_interval = std::chrono::seconds{1};  // StoreOptions' default, used by the helper
  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<int> kill_after_ms(1200, 3000);
  std::int64_t next_id = 1;
  for (int round = 0; round < 5; ++round) {
    INFO("round " << round);
    ChildProcess writer({STORAGE_TEST_HELPER, "write", path.string(), std::to_string(next_id)});
    REQUIRE(writer.started());
    std::vector<std::pair<std::int64_t, std::int64_t>> progress;  // (run id, enqueue time ns)
    auto kill_at = std::chrono::steady_clock::now() + std::chrono::milliseconds{kill_after_ms(rng)};
    while (std::chrono::steady_clock::now() < kill_at) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(kill_at - std::chrono::steady_clock::now());
      auto line = writer.readLine(std::max(left, std::chrono::milliseconds{1}));
      if (!line) continue;
      std::istringstream in(*line);
      long long id = 0;
      long long ns = 0;
      if (in >> id >> ns) progress.emplace_back(id, ns);
    }
    auto killed_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                         std::chrono::steady_clock::now().time_since_epoch()).count();
    writer.kill(SIGKILL);
    writer.wait();
    REQUIRE_FALSE(progress.empty());
    auto deadline = killed_ns - std::chrono::duration_cast<std::chrono::nanoseconds>(flush_interval).count();
    std::int64_t must_have = next_id - 1;
    for (auto [id, ns] : progress) {
      if (ns < deadline) must_have = id;
    }
    Db db(path);
    CHECK(db.text("PRAGMA integrity_check") == "ok");
    auto present = db.scalar("SELECT count(*) FROM raw WHERE run_id BETWEEN ?1 AND ?2", next_id, must_have);
    CHECK(present == must_have - next_id + 1);
    auto max_id = db.scalar("SELECT coalesce(max(run_id), 0) FROM raw");
    CHECK(max_id >= must_have);
    // No holes: the writer commits in order.
    CHECK(db.scalar("SELECT count(*) FROM raw WHERE run_id BETWEEN ?1 AND ?2", next_id, max_id) ==
          max_id - next_id + 1);
    INFO("wrote " << (max_id - next_id + 1) << " results, " << (must_have - next_id + 1) << " required");
    next_id = max_id + 1;
  }
  // The store reopens the database and goes on accounting from the last row.
  auto store = SqliteResultStore::open(StoreOptions{.path = path});
  REQUIRE(store);
  CHECK((*store)->integrityCheck().value() == "ok");
  auto rows = (*store)->lastResults(series("c1"), 1);
  REQUIRE(rows);
  CHECK(rows->size() == 1);
}
