#include "jira_search.h"

#include <algorithm>
#include <cctype>

#include "shopwatch/core/time_format.h"

namespace shopwatch::agent::backlog::detail {
namespace {

constexpr std::size_t kPageSize = 50;

std::string stringAt(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

nlohmann::json searchBody(const JiraApi& api, const std::string& jql, std::size_t max,
                          const std::string& page_token, std::size_t start_at) {
  nlohmann::json body = {{"jql", jql},
                         {"fields", {"status", "resolution", "resolutiondate", "created", "labels"}},
                         {"properties", {"shopwatch"}},
                         {"maxResults", max}};
  if (api.jqlSearch()) {
    if (!page_token.empty()) body["nextPageToken"] = page_token;
  } else {
    body["startAt"] = start_at;
  }
  return body;
}

}  // namespace

std::optional<core::SystemTime> parseJiraTime(const std::string& text) {
  std::string t = text;
  // Jira writes the offset without a colon (+0000); RFC 3339 wants +00:00.
  if (t.size() >= 5) {
    const std::size_t p = t.size() - 5;
    if ((t[p] == '+' || t[p] == '-') && std::isdigit(static_cast<unsigned char>(t[p + 1])) &&
        std::isdigit(static_cast<unsigned char>(t[p + 4])) && t.find(':', p) == std::string::npos) {
      t.insert(p + 3, ":");
    }
  }
  return core::parseRfc3339(t);
}

JiraIssue parseIssue(const nlohmann::json& j) {
  JiraIssue out;
  out.id = stringAt(j, "id");
  out.key = stringAt(j, "key");
  if (!j.is_object()) return out;
  const auto fields_it = j.find("fields");
  if (fields_it != j.end() && fields_it->is_object()) {
    const auto& f = *fields_it;
    if (auto s = f.find("status"); s != f.end() && s->is_object()) {
      out.status = stringAt(*s, "name");
      if (auto c = s->find("statusCategory"); c != s->end()) out.done = stringAt(*c, "key") == "done";
    }
    if (auto r = f.find("resolution"); r != f.end()) out.resolution = stringAt(*r, "name");
    out.resolved_at = parseJiraTime(stringAt(f, "resolutiondate"));
    out.created = parseJiraTime(stringAt(f, "created"));
    if (auto l = f.find("labels"); l != f.end() && l->is_array()) {
      for (const auto& label : *l) {
        if (label.is_string()) out.labels.push_back(label.get<std::string>());
      }
    }
  }
  if (auto p = j.find("properties"); p != j.end() && p->is_object()) {
    if (auto s = p->find("shopwatch"); s != p->end() && !s->is_null()) {
      out.property_json = s->dump();
      if (s->is_object()) {
        if (auto e = s->find("episode"); e != s->end() && e->is_number_integer()) {
          out.property_episode = e->get<std::int64_t>();
        }
      }
    }
  }
  return out;
}

IssueRead getIssue(JiraApi& api, const std::string& id_or_key) {
  IssueRead out;
  out.reply = api.get(api.path("issue/" + percentEncode(id_or_key)) + "?fields=" + kIssueFields +
                      "&properties=shopwatch");
  if (ok(out.reply)) out.issue = parseIssue(parseBody(out.reply));
  return out;
}

bool searchIssues(JiraApi& api, const std::string& jql, std::size_t limit,
                  std::vector<JiraIssue>& out, HttpReply& failure) {
  std::string token;
  std::size_t start_at = 0;
  while (out.size() < limit) {
    const std::size_t want = std::min(kPageSize, limit - out.size());
    const std::string path = api.jqlSearch() ? api.path("search/jql") : api.path("search");
    HttpReply r = api.post(path, searchBody(api, jql, want, token, start_at));
    if (r.status == 410 && !api.jqlSearch()) {
      // This Data Center (or a Cloud site behind a DC-flavored config) removed /search.
      api.switchToJqlSearch();
      continue;
    }
    if (!ok(r)) {
      failure = std::move(r);
      return false;
    }
    const nlohmann::json j = parseBody(r);
    std::size_t got = 0;
    const nlohmann::json* issues = nullptr;
    if (j.is_object()) {
      auto it = j.find("issues");
      if (it != j.end() && it->is_array()) issues = &*it;
    }
    if (issues != nullptr) {
      for (const auto& issue : *issues) {
        if (out.size() >= limit) break;
        out.push_back(parseIssue(issue));
        ++got;
      }
    }
    if (got == 0) break;
    if (api.jqlSearch()) {
      token = stringAt(j, "nextPageToken");
      const bool last = j.value("isLast", token.empty());
      if (last || token.empty()) break;
    } else {
      start_at += got;
      const std::size_t total = j.value("total", static_cast<std::size_t>(0));
      if (start_at >= total) break;
    }
  }
  return true;
}

std::string fingerprintJql(const JiraSettings& settings, const std::string& fingerprint) {
  std::string projects;
  for (const auto& p : configuredProjects(settings)) {
    if (!projects.empty()) projects += ", ";
    projects += jqlQuote(p);
  }
  return "project in (" + projects + ") AND labels = " + jqlQuote(fingerprint) +
         " ORDER BY created DESC";
}

}  // namespace shopwatch::agent::backlog::detail
