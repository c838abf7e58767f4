// Crash safety: SIGKILL at any moment leaves an intact database holding every result a flush() reported
// committed, and every result enqueued well before the kill (the writer commits at least every flush
// interval; twice that leaves room for a loaded machine).
#include <catch2/catch.hpp>

#include <random>
#include <sstream>

#include "child_process.h"
#include "shopwatch/storage/sqlite_result_store.h"
#include "sqlite_peek.h"
#include "storage_test_support.h"

using namespace shopwatch;
using namespace shopwatch::storage;
using namespace shopwatch::storage::test;

TEST_CASE("after SIGKILL at random moments under load the database is intact and holds every flushed result") {
  TempDir dir;
  auto path = dir.path() / "agent.db";
  const auto flush_interval = std::chrono::seconds{1};  // StoreOptions' default, used by the helper
  std::mt19937 rng(std::random_device{}());
  // Long enough that results enqueued more than 4 × flush_interval before the kill exist. (The writer
  // commits within about half a flush_interval; 4 × leaves room for a loaded CI machine running the
  // sanitizer build — a tighter bound flaked there.)
  std::uniform_int_distribution<int> kill_after_ms(4100, 5500);
  std::int64_t next_id = 1;
  for (int round = 0; round < 4; ++round) {
    INFO("round " << round);
    ChildProcess writer({STORAGE_TEST_HELPER, "write", path.string(), std::to_string(next_id)});
    REQUIRE(writer.started());
    std::vector<std::pair<std::int64_t, std::int64_t>> progress;  // (run id, enqueue time ns)
    std::int64_t committed = next_id - 1;  // highest run id a flush() in the helper reported committed
    auto kill_at = std::chrono::steady_clock::now() + std::chrono::milliseconds{kill_after_ms(rng)};
    while (std::chrono::steady_clock::now() < kill_at) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(kill_at - std::chrono::steady_clock::now());
      auto line = writer.readLine(std::max(left, std::chrono::milliseconds{1}));
      if (!line) continue;
      std::istringstream in(*line);
      std::string word;
      long long id = 0;
      long long ns = 0;
      if (line->rfind("committed ", 0) == 0) {
        if (in >> word >> id) committed = std::max<std::int64_t>(committed, id);
      } else if (in >> id >> ns) {
        progress.emplace_back(id, ns);
      }
    }
    auto killed_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                         std::chrono::steady_clock::now().time_since_epoch()).count();
    writer.kill(SIGKILL);
    writer.wait();
    REQUIRE_FALSE(progress.empty());
    auto deadline = killed_ns - std::chrono::duration_cast<std::chrono::nanoseconds>(4 * flush_interval).count();
    std::int64_t enqueued_long_ago = next_id - 1;
    for (auto [id, ns] : progress) {
      if (ns < deadline) enqueued_long_ago = id;
    }
    const auto must_have = std::max(committed, enqueued_long_ago);
    INFO("flush reported " << committed << " committed; " << enqueued_long_ago << " enqueued > 4 s before the kill");
    SqlitePeek db(path);
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
