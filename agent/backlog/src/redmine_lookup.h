#pragma once
/// Private: the Redmine sink's name → id look-ups — tracker, issue statuses, priorities (one list
/// each, read once per sink) and the fingerprint custom field per project: all digits is the id;
/// else GET /custom_fields.json (admins only), else the project's issue_custom_fields, else the
/// custom_fields of any existing issue of the project.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "redmine_api.h"

namespace shopwatch::agent::backlog::redmine {

/// One named thing of Redmine: its id, and for statuses whether it is a closed one.
struct Named {
  std::string id;
  std::string name;
  bool closed = false;
};

/// A look-up's answer: the id, or why not (a failed request → its SendResult; a name that does not
/// exist → Dead in plain words).
struct Lookup {
  std::optional<Named> found;
  SendResult failure;
  bool ok() const { return found.has_value(); }
};

/// The lists' names joined ("Bug, Feature, Support"; "none").
std::string namesOf(const std::vector<Named>& list);

class RedmineIds {
 public:
  explicit RedmineIds(RedmineApi& api) : api_(api) {}

  Lookup tracker(const std::string& name) { return find(trackers_, "/trackers.json", "trackers", "tracker", name); }
  Lookup status(const std::string& name) {
    return find(statuses_, "/issue_statuses.json", "issue_statuses", "issue status", name);
  }
  Lookup priority(const std::string& name) {
    return find(priorities_, "/enumerations/issue_priorities.json", "issue_priorities", "priority", name);
  }
  /// The fingerprint field's id as seen from `project`.
  Lookup fingerprintField(const std::string& project);

  /// Reads (or returns the cached) list; a failed request leaves `failure` set and the list empty.
  const std::vector<Named>& list(std::optional<std::vector<Named>>& cache, const char* path,
                                 const char* key, HttpReply& failure);

 private:
  Lookup find(std::optional<std::vector<Named>>& cache, const char* path, const char* key,
              const char* what, const std::string& name);

  RedmineApi& api_;
  std::optional<std::vector<Named>> trackers_, statuses_, priorities_;
  std::map<std::string, std::string> field_ids_;  ///< project → fingerprint field id
};

/// The entries of `[{id, name, …}]` (is_closed read as `closed`).
std::vector<Named> parseNamed(const nlohmann::json& array);

}  // namespace shopwatch::agent::backlog::redmine
