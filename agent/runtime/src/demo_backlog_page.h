#pragma once
/// The demo backlog's human page (what `shopwatch demo` shows): issues newest first with status,
/// resolution, priority, labels, description, comments, transitions and links; refreshes every 5 s.
/// Everything from issues is HTML-escaped. Private to agent/runtime.

#include <string>
#include <vector>

#include "shopwatch/agent/runtime/demo_backlog.h"

namespace shopwatch::agent::runtime::detail {

/// The list page (GET /) over `issues` (oldest first, as DemoBacklog::issues() gives them).
std::string renderBacklogPage(const std::vector<DemoIssue>& issues, JiraSettings::Flavor flavor);
/// One issue's page (GET /issues/{key}).
std::string renderIssuePage(const DemoIssue& issue, JiraSettings::Flavor flavor);
/// The page for an unknown key.
std::string renderMissingIssuePage(const std::string& key);

}  // namespace shopwatch::agent::runtime::detail
