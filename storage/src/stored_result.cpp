#include "shopwatch/storage/result_record.h"

namespace shopwatch::storage {

core::RunRecord toRunRecord(const StoredResult& stored) {
  core::RunRecord r;
  r.key = stored.series.key;
  r.step = stored.series.step;
  r.run_id = stored.run_id;
  r.confirm = stored.confirm;
  r.confirm_pending = stored.confirm_pending;
  r.in_maintenance = stored.in_maintenance;
  r.interval = stored.interval;
  r.scheduled = stored.scheduled;
  r.result = stored.result;
  return r;
}

}  // namespace shopwatch::storage
