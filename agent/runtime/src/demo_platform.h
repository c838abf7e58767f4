#pragma once
// `shopwatch demo --platform NAME` ([B2]): a platform fake (agent/platforms) on its default port
// and an agent running that platform's first journey recipe (embedded from examples/journeys/).

#include "shopwatch/agent/runtime/entry.h"

namespace shopwatch::agent::detail {

int runPlatformDemo(const DemoOptions& options);

}  // namespace shopwatch::agent::detail
