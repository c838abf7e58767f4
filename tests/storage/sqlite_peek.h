#pragma once
// A second, plain SQLite connection for tests that look at (or tamper with) the database file directly.

#include <catch2/catch.hpp>
#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace shopwatch::storage::test {

class SqlitePeek {
 public:
  explicit SqlitePeek(const std::filesystem::path& path) {
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
    db_.reset(raw);
    REQUIRE(rc == SQLITE_OK);
    sqlite3_busy_timeout(db_.get(), 5000);
  }
  // The first column of the first row; ?1 and ?2 bound to `a` and `b`.
  std::int64_t scalar(const char* sql, std::int64_t a = 0, std::int64_t b = 0) {
    auto st = prepare(sql);
    sqlite3_bind_int64(st.get(), 1, a);
    sqlite3_bind_int64(st.get(), 2, b);
    REQUIRE(sqlite3_step(st.get()) == SQLITE_ROW);
    return sqlite3_column_int64(st.get(), 0);
  }
  std::string text(const char* sql) {
    auto st = prepare(sql);
    REQUIRE(sqlite3_step(st.get()) == SQLITE_ROW);
    auto* p = sqlite3_column_text(st.get(), 0);
    return p ? reinterpret_cast<const char*>(p) : "";
  }
  // Constant SQL, no parameters (test fixtures only).
  void exec(const char* sql) {
    char* msg = nullptr;
    int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, &msg);
    std::unique_ptr<char, decltype(&sqlite3_free)> owned(msg, &sqlite3_free);
    INFO(sql << ": " << (msg ? msg : ""));
    REQUIRE(rc == SQLITE_OK);
  }

 private:
  std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> prepare(const char* sql) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v2(db_.get(), sql, -1, &raw, nullptr);
    std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> st(raw, &sqlite3_finalize);
    INFO(sql << ": " << sqlite3_errmsg(db_.get()));
    REQUIRE(rc == SQLITE_OK);
    return st;
  }

  std::unique_ptr<sqlite3, decltype(&sqlite3_close_v2)> db_{nullptr, &sqlite3_close_v2};
};

}  // namespace shopwatch::storage::test
