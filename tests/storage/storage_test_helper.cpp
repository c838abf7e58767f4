// Helper process for the storage tests.
//   storage_test_helper write <db> <first-run-id>: writes results continuously through SqliteResultStore;
//     every 50 results prints "<run-id> <CLOCK_MONOTONIC ns at enqueue>", and every 100 ms a second
//     thread calls flush() and, when it succeeded, prints "committed <run-id>" (the last run id enqueued
//     before that flush) — it runs until killed.
//   storage_test_helper lock <db>: takes the database's write lock, prints "locked", holds it until a line
//     arrives on stdin, then commits and exits.
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "shopwatch/storage/sqlite_result_store.h"
#include "storage_test_support.h"

using namespace shopwatch;
using namespace shopwatch::storage;

namespace {

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};

int holdLock(const char* path) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path, &raw, SQLITE_OPEN_READWRITE, nullptr);
  std::unique_ptr<sqlite3, SqliteCloser> db(raw);
  if (rc != SQLITE_OK) return 3;
  sqlite3_busy_timeout(db.get(), 5000);
  if (sqlite3_exec(db.get(), "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) return 4;
  std::printf("locked\n");
  std::fflush(stdout);
  std::string line;
  std::getline(std::cin, line);
  sqlite3_exec(db.get(), "COMMIT", nullptr, nullptr, nullptr);
  return 0;
}

int writeForever(const char* path, std::int64_t first) {
  StoreOptions o;
  o.path = path;
  auto store = SqliteResultStore::open(o);
  if (!store) {
    std::fprintf(stderr, "%s\n", store.error().message.c_str());
    return 3;
  }
  std::mutex out_mu;
  std::atomic<std::int64_t> last_enqueued{first - 1};
  std::jthread flusher([&](std::stop_token stop) {
    while (!stop.stop_requested()) {
      std::this_thread::sleep_for(std::chrono::milliseconds{100});
      auto id = last_enqueued.load();
      if (!(*store)->flush()) continue;
      std::lock_guard lk(out_mu);
      std::printf("committed %lld\n", static_cast<long long>(id));
      std::fflush(stdout);
    }
  });
  for (std::int64_t id = first;; ++id) {
    test::Run run{.check = "c" + std::to_string(id % 4), .run_id = id,
                  .scheduled = test::kT0 + std::chrono::seconds{id * 15}};
    run.success = id % 7 != 0;
    while (!(*store)->enqueue(test::record(run))) std::this_thread::sleep_for(std::chrono::milliseconds{1});
    last_enqueued = id;
    if (id % 50 == 0) {
      auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                    std::chrono::steady_clock::now().time_since_epoch()).count();
      {
        std::lock_guard lk(out_mu);
        std::printf("%lld %lld\n", static_cast<long long>(id), static_cast<long long>(ns));
        std::fflush(stdout);
      }
      std::this_thread::sleep_for(std::chrono::microseconds{500});
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 3 && std::strcmp(argv[1], "lock") == 0) return holdLock(argv[2]);
  if (argc >= 4 && std::strcmp(argv[1], "write") == 0) return writeForever(argv[2], std::stoll(argv[3]));
  std::fprintf(stderr, "usage: storage_test_helper write <db> <first-id> | lock <db>\n");
  return 2;
}
