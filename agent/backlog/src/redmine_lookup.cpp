#include "redmine_lookup.h"

#include <algorithm>

namespace shopwatch::agent::backlog::redmine {
namespace {

const nlohmann::json* arrayAt(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it != j.end() && it->is_array() ? &*it : nullptr;
}

const Named* byName(const std::vector<Named>& list, const std::string& name) {
  for (const auto& n : list) {
    if (n.name == name) return &n;
  }
  return nullptr;
}

/// The field named `name` in an `[{id, name}]` array; "" when absent.
std::string fieldIn(const nlohmann::json* array, const std::string& name) {
  if (array == nullptr) return {};
  for (const auto& f : *array) {
    if (f.is_object() && f.value("name", std::string{}) == name) return idText(f.value("id", nlohmann::json{}));
  }
  return {};
}

}  // namespace

std::vector<Named> parseNamed(const nlohmann::json& array) {
  std::vector<Named> out;
  if (!array.is_array()) return out;
  for (const auto& e : array) {
    if (!e.is_object()) continue;
    Named n;
    n.id = idText(e.value("id", nlohmann::json{}));
    n.name = e.value("name", std::string{});
    n.closed = e.value("is_closed", false);
    if (!n.id.empty()) out.push_back(std::move(n));
  }
  return out;
}

std::string namesOf(const std::vector<Named>& list) {
  std::string out;
  for (const auto& n : list) out += (out.empty() ? "" : ", ") + n.name;
  return out.empty() ? "none" : out;
}

const std::vector<Named>& RedmineIds::list(std::optional<std::vector<Named>>& cache, const char* path,
                                           const char* key, HttpReply& failure) {
  static const std::vector<Named> kEmpty;
  if (cache) return *cache;
  HttpReply r = api_.get(path);
  if (!ok(r)) {
    failure = std::move(r);
    return kEmpty;
  }
  const nlohmann::json j = parseBody(r);
  const nlohmann::json* a = arrayAt(j, key);
  cache = a != nullptr ? parseNamed(*a) : std::vector<Named>{};
  return *cache;
}

Lookup RedmineIds::find(std::optional<std::vector<Named>>& cache, const char* path, const char* key,
                        const char* what, const std::string& name) {
  Lookup out;
  HttpReply failure;
  const bool cached = cache.has_value();
  const std::vector<Named>* names = &list(cache, path, key, failure);
  if (!cache) {
    out.failure = failureResult(failure, std::string("read Redmine's ") + key);
    return out;
  }
  if (const Named* n = byName(*names, name)) {
    out.found = *n;
    return out;
  }
  if (cached) {  // an admin may have added it since: read once more
    cache.reset();
    names = &list(cache, path, key, failure);
    if (!cache) {
      out.failure = failureResult(failure, std::string("read Redmine's ") + key);
      return out;
    }
    if (const Named* n = byName(*names, name)) {
      out.found = *n;
      return out;
    }
  }
  if (allDigits(name)) {  // configured as an id: Redmine itself says whether it exists
    out.found = Named{name, name, false};
    return out;
  }
  out.failure = deadResult(std::string(what) + " \"" + name + "\" does not exist in Redmine (have: " +
                           namesOf(*names) + ")");
  return out;
}

Lookup RedmineIds::fingerprintField(const std::string& project) {
  Lookup out;
  const std::string& name = api_.settings().fingerprint_field;
  if (allDigits(name)) {
    out.found = Named{name, name, false};
    return out;
  }
  if (auto it = field_ids_.find(project); it != field_ids_.end()) {
    out.found = Named{it->second, name, false};
    return out;
  }
  std::string id;
  HttpReply all = api_.get("/custom_fields.json");  // 403 for a non-admin key: expected
  if (ok(all)) {
    const nlohmann::json j = parseBody(all);
    if (const nlohmann::json* a = arrayAt(j, "custom_fields")) {
      for (const auto& f : *a) {
        if (f.is_object() && f.value("name", std::string{}) == name &&
            f.value("customized_type", std::string("issue")) == "issue") {
          id = idText(f.value("id", nlohmann::json{}));
        }
      }
    }
  } else if (all.status == 0 || all.status >= 500 || all.status == 429 || all.status == 401) {
    out.failure = failureResult(all, "read Redmine's custom fields");
    return out;
  }
  if (id.empty()) {
    HttpReply p = api_.get("/projects/" + percentEncode(project) + ".json?include=issue_custom_fields");
    if (!ok(p)) {
      out.failure = p.status == 404 ? deadResult("project " + project +
                                                 " does not exist in Redmine, or the key's user is "
                                                 "not a member of it")
                                    : failureResult(p, "read project " + project);
      return out;
    }
    const nlohmann::json pj = parseBody(p);
    if (pj.is_object()) id = fieldIn(arrayAt(pj.value("project", nlohmann::json::object()), "issue_custom_fields"), name);
  }
  if (id.empty()) {
    // A field "for all projects" is not listed by the project: any issue of it shows the field.
    HttpReply i = api_.get("/issues.json?project_id=" + percentEncode(project) + "&status_id=*&limit=1");
    if (!ok(i)) {
      out.failure = failureResult(i, "read an issue of " + project);
      return out;
    }
    const nlohmann::json ij = parseBody(i);
    if (const nlohmann::json* issues = arrayAt(ij, "issues"); issues != nullptr && !issues->empty()) {
      id = fieldIn(arrayAt((*issues)[0], "custom_fields"), name);
    }
  }
  if (id.empty()) {
    out.failure = deadResult("no issue custom field named \"" + name + "\" is visible in project " +
                             project + ": an admin creates it (format text, \"used as a filter\", "
                             "enabled for this project and tracker), or set "
                             "backlog.redmine.fingerprint_field to its id");
    return out;
  }
  field_ids_[project] = id;
  out.found = Named{id, name, false};
  return out;
}

}  // namespace shopwatch::agent::backlog::redmine
