// SqliteResultStore::read(fn): components' loaders on the store's read connection, and how
// components join the database (their migrations in the results' transaction, added to an existing
// file).
#include <catch2/catch.hpp>
#include <memory>

#include "shopwatch/storage/database.h"
#include "shopwatch/storage/sqlite_result_store.h"
#include "sqlite_peek.h"
#include "storage_test_support.h"

using namespace shopwatch;
using namespace shopwatch::storage;
using namespace shopwatch::storage::test;

namespace {

StorageComponent tagsComponent() {
  return StorageComponent{
      "tags", {"CREATE TABLE tag(id INTEGER PRIMARY KEY, name TEXT NOT NULL, at INTEGER)"}};
}

// Inserts (id, name, at) rows into `tag`.
class TagJob final : public WriteJob {
 public:
  explicit TagJob(std::vector<std::pair<std::int64_t, std::string>> tags)
      : tags_(std::move(tags)) {}
  core::Status apply(Db& db) override {
    auto insert = db.statement("INSERT INTO tag(id, name, at) VALUES(?1, ?2, ?3)");
    if (!insert) return insert.error();
    for (const auto& [id, name] : tags_) {
      if (auto st =
              (*insert)->bind(1, id).bind(2, name).bind(3, std::optional<std::int64_t>{}).run();
          !st) {
        return st;
      }
    }
    return {};
  }
  void done(const core::Status& outcome) override { outcome_ = outcome; }

 private:
  std::vector<std::pair<std::int64_t, std::string>> tags_;
  core::Status outcome_;
};

// Reads every tag as "id:name:at" (at NULL → "-").
core::Result<std::vector<std::string>> readTags(SqliteResultStore& store) {
  std::vector<std::string> out;
  auto st = store.read([&](Db& db) -> core::Status {
    auto q = db.statement("SELECT id, name, at FROM tag ORDER BY id");
    if (!q) return q.error();
    Statement::ResetOnExit reset(**q);
    for (;;) {
      auto row = (*q)->step();
      if (!row) return row.error();
      if (!*row) return {};
      auto at = (*q)->optI64(2);
      out.push_back(std::to_string((*q)->i64(0)) + ":" + (*q)->text(1) + ":" +
                    (at ? std::to_string(*at) : "-"));
    }
  });
  if (!st) return st.error();
  return out;
}

StoreOptions options(const TempDir& dir, std::vector<StorageComponent> components) {
  StoreOptions o;
  o.path = dir.path() / "agent.db";
  o.components = std::move(components);
  o.flush_interval = std::chrono::seconds{60};
  return o;
}

}  // namespace

TEST_CASE("a component's rows written through submit are read back through read") {
  TempDir dir;
  auto o = options(dir, {tagsComponent()});
  {
    auto store = SqliteResultStore::open(o);
    REQUIRE(store);
    auto empty = readTags(**store);
    REQUIRE(empty);
    CHECK(empty->empty());
    REQUIRE((*store)->submit(std::make_unique<TagJob>(
        std::vector<std::pair<std::int64_t, std::string>>{{2, "deploy"}, {1, "patch"}})));
    REQUIRE((*store)->enqueue(record({.run_id = 1, .scheduled = kT0})));
    REQUIRE((*store)->flush());
    auto tags = readTags(**store);
    REQUIRE(tags);
    CHECK(*tags == std::vector<std::string>{"1:patch:-", "2:deploy:-"});
    // fn's own failure comes back as it is.
    auto failed = (*store)->read([](Db&) -> core::Status {
      return core::makeError(core::ErrorCode::NotFound, "no such tag");
    });
    REQUIRE_FALSE(failed);
    CHECK(failed.error().code == core::ErrorCode::NotFound);
    CHECK(failed.error().message == "no such tag");
    // The connection is a reader: writing through it fails and changes nothing.
    auto write = (*store)->read([](Db& db) { return db.exec("DELETE FROM tag"); });
    CHECK_FALSE(write);
    CHECK(readTags(**store)->size() == 2);
  }
  auto ro = SqliteResultStore::openReadOnly(o.path);
  REQUIRE(ro);
  auto tags = readTags(**ro);
  REQUIRE(tags);
  CHECK(*tags == std::vector<std::string>{"1:patch:-", "2:deploy:-"});
  auto rows = (*ro)->lastResults(series("home"), 5);
  REQUIRE(rows);
  CHECK(rows->size() == 1);
}

TEST_CASE("a component whose migration fails leaves a new database without the results tables") {
  // All components migrate in one transaction: the results' tables and version are not kept
  // when a later component's migration fails.
  TempDir dir;
  auto broken = tagsComponent();
  broken.migrations.push_back("CREATE TABLE tag(id INTEGER)");  // already exists
  auto o = options(dir, {broken});
  auto store = SqliteResultStore::open(o);
  REQUIRE_FALSE(store);
  CHECK_THAT(store.error().message, Catch::Contains("migrate tags to version 2"));
  SqlitePeek db(o.path);
  CHECK(db.scalar("PRAGMA user_version") == 0);
  CHECK(db.scalar(
            "SELECT count(*) FROM sqlite_schema WHERE name IN ('series','raw','rollup','tag')") ==
        0);
}

TEST_CASE("a database created without a component gains it on reopen and keeps its results") {
  TempDir dir;
  {
    auto store = SqliteResultStore::open(options(dir, {}));
    REQUIRE(store);
    for (std::int64_t id = 1; id <= 3; ++id) {
      REQUIRE(
          (*store)->enqueue(record({.run_id = id, .scheduled = kT0 + std::chrono::minutes{id}})));
    }
    REQUIRE((*store)->flush());
  }
  auto o = options(dir, {tagsComponent()});
  auto store = SqliteResultStore::open(o);
  REQUIRE(store);
  auto rows = (*store)->lastResults(series("home"), 10);
  REQUIRE(rows);
  CHECK(rows->size() == 3);
  REQUIRE((*store)->submit(
      std::make_unique<TagJob>(std::vector<std::pair<std::int64_t, std::string>>{{7, "late"}})));
  REQUIRE((*store)->flush());
  CHECK(*readTags(**store) == std::vector<std::string>{"7:late:-"});
  SqlitePeek db(o.path);
  CHECK(db.scalar("SELECT version FROM component_version WHERE name='tags'") == 1);
  CHECK(db.scalar("PRAGMA user_version") == 3);
}
