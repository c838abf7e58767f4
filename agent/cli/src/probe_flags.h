#pragma once
// `shopwatch probe URL` flags → a one-off check.

#include <string>

#include "cli.h"
#include "shopwatch/core/check.h"
#include "shopwatch/core/result.h"

namespace shopwatch::cli {

// The check the flags describe (key cli/probe, confirm off); an Invalid error names the bad flag.
core::Result<core::Check> checkFromFlags(const ProbeOptions& options);

}  // namespace shopwatch::cli
