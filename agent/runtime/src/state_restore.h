#pragma once
// Start-up restore: the newest stored runs of every configured check, as records for the fan-out, so
// /metrics and /api/v1/checks show what the agent knew before it restarted (original timestamps).

#include <memory>
#include <vector>

#include "shopwatch/core/check.h"
#include "shopwatch/core/result.h"
#include "shopwatch/core/run_record.h"

namespace shopwatch::storage {
class ResultReader;
}

namespace shopwatch::agent::runtime {

// Runs to restore: per configured check (whole-check series only; steps are not shown per check), its
// newest stored rows, oldest first. One store query for all series.
core::Result<std::vector<core::RunRecord>> loadLatestRuns(
    storage::ResultReader& reader, const std::vector<std::shared_ptr<const core::Check>>& checks);

}  // namespace shopwatch::agent::runtime
