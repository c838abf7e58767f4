#pragma once
// `shopwatch probe`'s human output: one block per run, and one per journey step.

#include "shopwatch/core/check.h"
#include "shopwatch/core/probe_result.h"

namespace shopwatch::cli {

void printProbeResult(const core::Check& check, const core::ProbeResult& result);

}  // namespace shopwatch::cli
