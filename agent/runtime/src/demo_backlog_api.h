#pragma once
/// The demo backlog's REST routing: one /rest/api/… request → the model's answer (paths, methods,
/// query and body parsing, the flavor's prefix, Cloud's 410 on the removed /search). Authentication
/// and fault injection happen before, in DemoBacklog. Private to agent/runtime.

#include "demo_backlog_model.h"
#include "shopwatch/agent/http/http_server.h"

namespace shopwatch::agent::runtime::detail {

/// Answers `request` (its path starts with /rest/); counts what it performed in `counters`. The
/// caller holds the model's lock.
ApiReply handleApi(DemoBacklogModel& model, JiraSettings::Flavor flavor,
                   const http::HttpRequest& request, core::SystemTime now,
                   DemoBacklogCounters& counters);

}  // namespace shopwatch::agent::runtime::detail
