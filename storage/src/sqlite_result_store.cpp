#include "shopwatch/storage/sqlite_result_store.h"

#include "result_queries.h"
#include "result_writer.h"

#include "result_schema.h"

namespace shopwatch::storage {

namespace {

std::uint64_t fileSize(const std::filesystem::path& p) {
  std::error_code ec;
  auto size = std::filesystem::file_size(p, ec);
  return ec ? 0 : size;
}

}  // namespace

// The facade: a writer (absent for read-only stores) and the read side, over one database file.
class SqliteResultStore::Impl {
 public:
  Impl(StoreOptions options, bool read_only)
      : opt_(std::move(options)),
        clock_(opt_.clock ? *opt_.clock : core::SystemClock::instance()),
        queries_(opt_.path) {
    if (!read_only) writer_ = std::make_unique<detail::ResultWriter>(opt_, clock_);
  }

  StoreOptions opt_;
  const core::Clock& clock_;
  std::unique_ptr<detail::ResultWriter> writer_;
  detail::ResultQueries queries_;
};

SqliteResultStore::SqliteResultStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SqliteResultStore::~SqliteResultStore() { stop(); }

const std::filesystem::path& SqliteResultStore::path() const { return impl_->opt_.path; }

core::Result<std::unique_ptr<SqliteResultStore>> SqliteResultStore::open(StoreOptions options) {
  if (options.path.empty())
    return core::makeError(core::ErrorCode::Invalid, "agent.database is empty");
  auto parent = options.path.parent_path();
  std::error_code ec;
  if (!parent.empty() && !std::filesystem::is_directory(parent, ec)) {
    return core::makeError(core::ErrorCode::Io,
                           "directory of " + options.path.string() + " does not exist");
  }
  auto impl = std::make_unique<Impl>(std::move(options), false);
  if (auto st = impl->writer_->openFirst(); !st) return st.error();
  impl->writer_->start();
  return std::unique_ptr<SqliteResultStore>(new SqliteResultStore(std::move(impl)));
}

core::Result<std::unique_ptr<SqliteResultStore>> SqliteResultStore::openReadOnly(
    const std::filesystem::path& path) {
  StoreOptions options;
  options.path = path;
  auto impl = std::make_unique<Impl>(std::move(options), true);
  if (auto st = impl->queries_.open(); !st) return st.error();
  return std::unique_ptr<SqliteResultStore>(new SqliteResultStore(std::move(impl)));
}

bool SqliteResultStore::enqueue(core::RunRecord&& record) {
  return impl_->writer_ && impl_->writer_->enqueue(std::move(record));
}

bool SqliteResultStore::submit(std::unique_ptr<WriteJob> job) {
  return impl_->writer_ && impl_->writer_->submit(std::move(job));
}

core::Status SqliteResultStore::flush() {
  if (!impl_->writer_) return {};
  return impl_->writer_->flush();
}

core::Status SqliteResultStore::runRetention() {
  if (!impl_->writer_) return core::makeError(core::ErrorCode::Invalid, "read-only store");
  return impl_->writer_->runRetention();
}

void SqliteResultStore::stop() {
  if (impl_->writer_) impl_->writer_->stop();
  impl_->queries_.close();
}

StoreStats SqliteResultStore::stats() const {
  StoreStats s;
  if (impl_->writer_) impl_->writer_->fillStats(s);
  s.db_size_bytes = fileSize(impl_->opt_.path) + fileSize(impl_->opt_.path.string() + "-wal");
  return s;
}

core::Result<std::string> SqliteResultStore::integrityCheck() {
  return impl_->queries_.integrityCheck();
}

core::Result<std::vector<SeriesKey>> SqliteResultStore::series() {
  return impl_->queries_.series();
}

core::Result<std::vector<StoredResult>> SqliteResultStore::lastResults(const SeriesKey& series,
                                                                       std::size_t n) {
  return impl_->queries_.lastResults(series, n);
}

core::Result<std::vector<StoredResult>> SqliteResultStore::latestPerSeries(std::size_t n) {
  return impl_->queries_.latestPerSeries(n);
}

core::Status SqliteResultStore::scan(core::SystemTime from, core::SystemTime to,
                                     const std::function<bool(const StoredResult&)>& visit) {
  return impl_->queries_.scan(from, to, visit);
}

core::Status SqliteResultStore::scanRollups(core::SystemTime from, core::SystemTime to,
                                            const std::function<bool(const RollupHour&)>& visit) {
  return impl_->queries_.scanRollups(from, to, visit);
}

core::Status SqliteResultStore::read(const std::function<core::Status(Db&)>& fn) {
  return impl_->queries_.read(fn);
}

core::Result<Aggregate> SqliteResultStore::windowAggregate(const SeriesKey& series,
                                                           core::SystemTime from,
                                                           core::SystemTime to,
                                                           core::SystemTime now) {
  return impl_->queries_.windowAggregate(series, from, to, now);
}

core::Result<std::vector<Aggregate>> SqliteResultStore::rangeAggregate(core::SystemTime from,
                                                                       core::SystemTime to,
                                                                       core::SystemTime now) {
  return impl_->queries_.rangeAggregate(from, to, now);
}

StorageComponent resultsStorageComponent() { return detail::resultsComponent(); }

}  // namespace shopwatch::storage
