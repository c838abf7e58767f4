#pragma once
/// Private: the projects a tracker sink is configured for (Jira and Redmine settings alike).

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace shopwatch::agent::backlog::detail {

/// `project` first, then the per-env ones (env → project), without empty ones or duplicates.
inline std::vector<std::string> projectList(const std::string& project,
                                            const std::map<std::string, std::string>& projects) {
  std::vector<std::string> out;
  auto add = [&out](const std::string& p) {
    if (!p.empty() && std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
  };
  add(project);
  for (const auto& entry : projects) add(entry.second);
  return out;
}

}  // namespace shopwatch::agent::backlog::detail
