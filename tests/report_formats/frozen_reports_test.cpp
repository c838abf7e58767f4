// Frozen months in a temp database: save, load, and a second save of the same month refused.
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>

#include "shopwatch/agent/report/frozen_reports.h"
#include "shopwatch/core/time_format.h"
#include "shopwatch/storage/sqlite_result_store.h"

using namespace shopwatch;
using namespace shopwatch::agent::report;

namespace {

class TempDb {
 public:
  TempDb() {
    static std::atomic<int> counter{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("shopwatch-frozen-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(dir_);
    auto db = storage::Db::open((dir_ / "agent.db").string(), false, 5000);
    REQUIRE(db.ok());
    db_ = std::move(*db);
    auto st = db_->migrate({storage::resultsStorageComponent(), frozenReportsComponent()});
    INFO((st ? std::string() : st.error().message));
    REQUIRE(st.ok());
  }
  ~TempDb() {
    db_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  TempDb(const TempDb&) = delete;
  TempDb& operator=(const TempDb&) = delete;

  storage::Db& db() { return *db_; }
  std::filesystem::path path() const { return dir_ / "agent.db"; }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<storage::Db> db_;
};

FrozenReport november() {
  return FrozenReport{"2026-11", *core::parseRfc3339("2026-12-01T08:00:00.5Z"),
                      R"({"timezone":"Europe/Vienna","sla":[]})", R"({"month":"2026-11"})"};
}

}  // namespace

TEST_CASE("a frozen month is saved and loaded back", "[report][frozen]") {
  TempDb t;
  auto none = loadFrozenReport(t.db(), "2026-11");
  REQUIRE(none.ok());
  CHECK_FALSE(*none);
  REQUIRE(saveFrozenReport(t.db(), november()).ok());
  auto loaded = loadFrozenReport(t.db(), "2026-11");
  REQUIRE(loaded.ok());
  REQUIRE(*loaded);
  CHECK((*loaded)->month == "2026-11");
  CHECK((*loaded)->frozen_at == november().frozen_at);
  CHECK((*loaded)->terms_json == november().terms_json);
  CHECK((*loaded)->report_json == november().report_json);
  auto other = loadFrozenReport(t.db(), "2026-10");
  REQUIRE(other.ok());
  CHECK_FALSE(*other);
}

TEST_CASE("a frozen month is never overwritten", "[report][frozen]") {
  TempDb t;
  REQUIRE(saveFrozenReport(t.db(), november()).ok());
  auto again = november();
  again.report_json = R"({"month":"2026-11","changed":true})";
  auto st = saveFrozenReport(t.db(), again);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == core::ErrorCode::Invalid);
  CHECK(st.error().message == "month 2026-11 is already frozen (at 2026-12-01T08:00:00.500000Z)");
  CHECK_FALSE(t.db().inTransaction());
  auto loaded = loadFrozenReport(t.db(), "2026-11");
  REQUIRE(loaded.ok());
  REQUIRE(*loaded);
  CHECK((*loaded)->report_json == november().report_json);
  // Another month still freezes.
  auto october = november();
  october.month = "2026-10";
  CHECK(saveFrozenReport(t.db(), october).ok());
}

TEST_CASE("frozen months survive reopening the database", "[report][frozen]") {
  std::filesystem::path path;
  {
    TempDb t;
    REQUIRE(saveFrozenReport(t.db(), november()).ok());
    path = t.path();
    auto reopened = storage::Db::open(path.string(), true, 5000);
    REQUIRE(reopened.ok());
    auto loaded = loadFrozenReport(**reopened, "2026-11");
    REQUIRE(loaded.ok());
    CHECK(*loaded);
  }
}
