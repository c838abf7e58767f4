#include "redmine_search.h"

#include <algorithm>

#include "redmine_text.h"
#include "shopwatch/core/time_format.h"

namespace shopwatch::agent::backlog::redmine {
namespace {

constexpr std::size_t kPageSize = 100;  // Redmine's largest page

std::string nameOf(const nlohmann::json& j, const char* key, std::string* id = nullptr) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  if (it == j.end() || !it->is_object()) return {};
  if (id != nullptr) *id = idText(it->value("id", nlohmann::json{}));
  return it->value("name", std::string{});
}

bool matches(const RedmineIssue& issue, const std::string& field_id, const std::string& fingerprint) {
  auto it = issue.custom_fields.find(field_id);
  if (it == issue.custom_fields.end()) return false;
  if (fingerprint.empty()) return it->second.starts_with("shopwatch-");
  return it->second == fingerprint;
}

}  // namespace

std::optional<core::SystemTime> parseRedmineTime(const nlohmann::json& value) {
  if (!value.is_string()) return std::nullopt;
  return core::parseRfc3339(value.get<std::string>());
}

RedmineIssue parseIssue(const nlohmann::json& j) {
  RedmineIssue out;
  if (!j.is_object()) return out;
  out.id = idText(j.value("id", nlohmann::json{}));
  if (auto s = j.find("subject"); s != j.end() && s->is_string()) out.subject = s->get<std::string>();
  if (auto d = j.find("description"); d != j.end() && d->is_string()) out.description = d->get<std::string>();
  out.status = nameOf(j, "status", &out.status_id);
  if (auto s = j.find("status"); s != j.end() && s->is_object()) out.closed = s->value("is_closed", false);
  nameOf(j, "priority", &out.priority_id);
  if (auto c = j.find("closed_on"); c != j.end()) out.closed_on = parseRedmineTime(*c);
  if (auto c = j.find("created_on"); c != j.end()) out.created_on = parseRedmineTime(*c);
  if (auto cf = j.find("custom_fields"); cf != j.end() && cf->is_array()) {
    for (const auto& f : *cf) {
      if (!f.is_object()) continue;
      const std::string id = idText(f.value("id", nlohmann::json{}));
      auto v = f.find("value");
      if (!id.empty() && v != f.end() && v->is_string()) out.custom_fields[id] = v->get<std::string>();
    }
  }
  if (auto js = j.find("journals"); js != j.end() && js->is_array()) {
    for (const auto& e : *js) {
      if (!e.is_object()) continue;
      auto n = e.find("notes");
      if (n != e.end() && n->is_string() && !n->get<std::string>().empty()) out.notes.push_back(n->get<std::string>());
    }
  }
  if (auto rs = j.find("relations"); rs != j.end() && rs->is_array()) {
    for (const auto& r : *rs) {
      if (!r.is_object()) continue;
      for (const char* k : {"issue_id", "issue_to_id"}) {
        const std::string other = idText(r.value(k, nlohmann::json{}));
        if (!other.empty() && other != out.id) out.related_ids.push_back(other);
      }
    }
  }
  return out;
}

std::int64_t issueEpisode(const RedmineIssue& issue, const std::string& fingerprint) {
  std::int64_t best = trailerEpisode(issue.description, fingerprint);
  for (const auto& n : issue.notes) best = std::max(best, trailerEpisode(n, fingerprint));
  return best;
}

IssueRead getIssue(RedmineApi& api, const std::string& id, const std::string& include) {
  IssueRead out;
  std::string path = "/issues/" + percentEncode(id) + ".json";
  if (!include.empty()) path += "?include=" + include;
  out.reply = api.get(path);
  if (ok(out.reply)) {
    const nlohmann::json j = parseBody(out.reply);
    if (j.is_object() && j.contains("issue")) out.issue = parseIssue(j["issue"]);
  }
  return out;
}

std::optional<SendResult> searchFingerprint(RedmineApi& api, RedmineIds& ids, const std::string& fingerprint,
                                            std::size_t limit, std::vector<RedmineIssue>& out) {
  for (const auto& project : configuredProjects(api.settings())) {
    Lookup field = ids.fingerprintField(project);
    if (!field.ok()) return field.failure;
    const std::string filter = fingerprint.empty() ? "~shopwatch-" : fingerprint;
    std::size_t offset = 0;
    while (out.size() < limit) {
      HttpReply r = api.get("/issues.json?project_id=" + percentEncode(project) + "&status_id=*&cf_" +
                            field.found->id + "=" + percentEncode(filter) + "&sort=id:desc&limit=" +
                            std::to_string(kPageSize) + "&offset=" + std::to_string(offset));
      if (!ok(r)) return failureResult(r, "search " + project + " for " + (fingerprint.empty() ? "shopwatch issues" : fingerprint));
      const nlohmann::json j = parseBody(r);
      const nlohmann::json* issues = nullptr;
      if (j.is_object()) {
        auto it = j.find("issues");
        if (it != j.end() && it->is_array()) issues = &*it;
      }
      if (issues == nullptr || issues->empty()) break;
      for (const auto& i : *issues) {
        RedmineIssue issue = parseIssue(i);
        if (matches(issue, field.found->id, fingerprint) && out.size() < limit) out.push_back(std::move(issue));
      }
      offset += issues->size();
      const std::size_t total = j.value("total_count", static_cast<std::size_t>(0));
      if (offset >= total) break;
    }
  }
  // Newest first across projects (ids grow with creation).
  std::stable_sort(out.begin(), out.end(), [](const RedmineIssue& a, const RedmineIssue& b) {
    return std::stoll(a.id.empty() ? "0" : a.id) > std::stoll(b.id.empty() ? "0" : b.id);
  });
  return std::nullopt;
}

}  // namespace shopwatch::agent::backlog::redmine
