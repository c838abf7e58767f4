// DemoBacklogModel's read-only answers: GET issue, comments, transitions, properties, project,
// createmeta, myself and search, in Jira's JSON shapes (research/ticketing-slo.md §2).
#include <algorithm>

#include "demo_backlog_model.h"
#include "demo_backlog_support.h"
#include "shopwatch/core/text.h"

namespace shopwatch::agent::runtime::detail {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxSearchResults = 100;

ApiReply notFoundIssue() {
  return errorReply(404, {"Issue does not exist or you do not have permission to see it."});
}

ApiReply okReply(json body) {
  ApiReply reply;
  reply.body = std::move(body);
  return reply;
}

json categoryJson(const std::string& key) {
  if (key == "done") return {{"id", 3}, {"key", "done"}, {"name", "Done"}, {"colorName", "green"}};
  if (key == "indeterminate") {
    return {{"id", 4}, {"key", "indeterminate"}, {"name", "In Progress"}, {"colorName", "yellow"}};
  }
  return {{"id", 2}, {"key", "new"}, {"name", "To Do"}, {"colorName", "blue-gray"}};
}

std::string fieldDisplayName(const std::string& field) {
  if (field == "issuetype") return "Issue Type";
  if (field.empty()) return field;
  std::string name = field;
  name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
  return name;
}

}  // namespace

json DemoBacklogModel::renderStatus(const std::string& name) const {
  for (const auto& s : statuses()) {
    if (s.name == name) {
      return {{"self", apiPrefix() + "/status/" + s.id},
              {"id", s.id},
              {"name", s.name},
              {"statusCategory", categoryJson(s.category)}};
    }
  }
  return nullptr;
}

json DemoBacklogModel::renderIssueTypes() const {
  json types = json::array();
  for (std::size_t i = 0; i < options_.issue_types.size(); ++i) {
    types.push_back({{"id", std::to_string(10001 + i)},
                     {"name", options_.issue_types[i]},
                     {"subtask", false},
                     {"self", apiPrefix() + "/issuetype/" + std::to_string(10001 + i)}});
  }
  return types;
}

json DemoBacklogModel::renderComment(const Stored& issue, std::size_t index) const {
  const DemoComment& c = issue.view.comments[index];
  const json author{{"displayName", "Demo User"}, {"active", true}};
  return {{"self", issueSelf(issue) + "/comment/" + c.id},
          {"id", c.id},
          {"author", author},
          {"updateAuthor", author},
          {"body", issue.comment_bodies[index]},
          {"created", jiraTime(c.created)},
          {"updated", jiraTime(c.created)},
          {"jsdPublic", true}};
}

json DemoBacklogModel::renderIssue(const Stored& issue, const FieldSelection& fields,
                                   const std::vector<std::string>& properties) const {
  json out{{"id", issue.view.id}, {"key", issue.view.key}, {"self", issueSelf(issue)}};
  if (fields.kind != FieldSelection::Kind::None) {
    json f = json::object();
    const auto put = [&](const std::string& name, json value) {
      if (fields.wants(name)) f[name] = std::move(value);
    };
    put("summary", issue.view.summary);
    put("status", renderStatus(issue.view.status));
    put("resolution", issue.view.resolution.empty()
                          ? json(nullptr)
                          : json{{"name", issue.view.resolution}, {"description", ""}});
    put("resolutiondate",
        issue.view.resolved ? json(jiraTime(*issue.view.resolved)) : json(nullptr));
    put("created", jiraTime(issue.view.created));
    put("updated", jiraTime(issue.updated));
    put("labels", issue.view.labels);
    put("priority",
        issue.view.priority.empty() ? json(nullptr) : json{{"name", issue.view.priority}});
    put("issuetype", {{"name", issue.view.issue_type}, {"subtask", false}});
    put("project", {{"key", issue.view.project}, {"name", issue.view.project}});
    put("description", issue.description);
    if (fields.wants("comment")) {
      json comments = json::array();
      for (std::size_t i = 0; i < issue.view.comments.size(); ++i) {
        comments.push_back(renderComment(issue, i));
      }
      f["comment"] = {{"comments", comments},
                      {"startAt", 0},
                      {"maxResults", comments.size()},
                      {"total", comments.size()}};
    }
    if (fields.wants("issuelinks")) {
      json links = json::array();
      for (const auto& link : issue.view.links) {
        json l{
            {"type", {{"name", link.type}, {"inward", "relates to"}, {"outward", "relates to"}}}};
        if (link.outward == issue.view.key) {
          l["inwardIssue"] = {{"key", link.inward}};
        } else {
          l["outwardIssue"] = {{"key", link.outward}};
        }
        links.push_back(std::move(l));
      }
      f["issuelinks"] = std::move(links);
    }
    for (const auto& [name, value] : issue.extra) put(name, value);
    out["fields"] = std::move(f);
  }
  if (!properties.empty()) {
    json props = json::object();
    for (const auto& p : properties) {
      const auto it = issue.properties.find(p);
      if (it != issue.properties.end()) props[p] = it->second;
    }
    out["properties"] = std::move(props);
  }
  return out;
}

ApiReply DemoBacklogModel::getIssue(const std::string& id_or_key, const FieldSelection& fields,
                                    const std::vector<std::string>& properties) const {
  const Stored* issue = find(id_or_key);
  if (issue == nullptr) return notFoundIssue();
  return okReply(renderIssue(*issue, fields, properties));
}

ApiReply DemoBacklogModel::listComments(const std::string& id_or_key, bool newest_first,
                                        std::size_t start_at, std::size_t max_results) const {
  const Stored* issue = find(id_or_key);
  if (issue == nullptr) return notFoundIssue();
  std::vector<std::size_t> order(issue->view.comments.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  // Comments are appended in time order, so index order is created order (ties keep posting order).
  if (newest_first) std::reverse(order.begin(), order.end());
  json comments = json::array();
  for (std::size_t i = start_at; i < order.size() && comments.size() < max_results; ++i) {
    comments.push_back(renderComment(*issue, order[i]));
  }
  return okReply({{"comments", comments},
                  {"startAt", start_at},
                  {"maxResults", max_results},
                  {"total", order.size()}});
}

ApiReply DemoBacklogModel::listTransitions(const std::string& id_or_key) const {
  const Stored* issue = find(id_or_key);
  if (issue == nullptr) return notFoundIssue();
  json transitions = json::array();
  for (const auto& t : workflow()) {
    if (std::find(t.from.begin(), t.from.end(), issue->view.status) == t.from.end()) continue;
    transitions.push_back({{"id", t.id},
                           {"name", t.name},
                           {"to", renderStatus(t.to)},
                           {"hasScreen", false},
                           {"isGlobal", false},
                           {"isInitial", false},
                           {"isAvailable", true},
                           {"isConditional", false}});
  }
  return okReply({{"expand", "transitions"}, {"transitions", transitions}});
}

ApiReply DemoBacklogModel::getProperty(const std::string& id_or_key,
                                       const std::string& property) const {
  const Stored* issue = find(id_or_key);
  if (issue == nullptr) return notFoundIssue();
  const auto it = issue->properties.find(property);
  if (it == issue->properties.end()) {
    return errorReply(404, {"The property with key '" + property + "' does not exist."});
  }
  return okReply({{"key", property}, {"value", it->second}});
}

ApiReply DemoBacklogModel::getProject(const std::string& key) const {
  const auto it = std::find(options_.projects.begin(), options_.projects.end(), key);
  if (it == options_.projects.end()) {
    return errorReply(404, {"No project could be found with key '" + key + "'."});
  }
  const auto id = std::to_string(10000 + (it - options_.projects.begin()));
  return okReply({{"self", apiPrefix() + "/project/" + id},
                  {"id", id},
                  {"key", key},
                  {"name", key},
                  {"projectTypeKey", "software"},
                  {"issueTypes", renderIssueTypes()}});
}

ApiReply DemoBacklogModel::createMetaIssueTypes(const std::string& project) const {
  if (std::find(options_.projects.begin(), options_.projects.end(), project) ==
      options_.projects.end()) {
    return errorReply(404, {"No project could be found with key '" + project + "'."});
  }
  const json types = renderIssueTypes();
  return okReply({{"issueTypes", types},
                  {"values", types},
                  {"startAt", 0},
                  {"maxResults", 50},
                  {"total", types.size()},
                  {"isLast", true}});
}

ApiReply DemoBacklogModel::createMetaFields(const std::string& project,
                                            const std::string& issue_type_id) const {
  if (std::find(options_.projects.begin(), options_.projects.end(), project) ==
      options_.projects.end()) {
    return errorReply(404, {"No project could be found with key '" + project + "'."});
  }
  bool known = false;
  for (std::size_t i = 0; i < options_.issue_types.size(); ++i) {
    known = known || std::to_string(10001 + i) == issue_type_id;
  }
  if (!known) {
    return errorReply(404, {"Issue type with id '" + issue_type_id + "' does not exist."});
  }
  json fields = json::array();
  for (const auto& name : screen_) {
    const bool required =
        std::find(options_.required_fields.begin(), options_.required_fields.end(), name) !=
        options_.required_fields.end();
    json ops = name == "labels" ? json::array({"add", "set", "remove"}) : json::array({"set"});
    fields.push_back({{"fieldId", name},
                      {"key", name},
                      {"name", fieldDisplayName(name)},
                      {"required", required},
                      {"hasDefaultValue", false},
                      {"operations", ops}});
  }
  return okReply({{"fields", fields},
                  {"values", fields},
                  {"startAt", 0},
                  {"maxResults", 50},
                  {"total", fields.size()},
                  {"isLast", true}});
}

ApiReply DemoBacklogModel::myself() const {
  json me{{"self", apiPrefix() + "/myself"},
          {"emailAddress", options_.email},
          {"displayName", "Demo User"},
          {"active", true},
          {"timeZone", "UTC"}};
  if (cloud()) {
    me["accountId"] = "5b10ac8d82e05b22cc7d4ef5";
    me["accountType"] = "atlassian";
  } else {
    me["name"] = "demo";
    me["key"] = "demo";
  }
  return okReply(std::move(me));
}

ApiReply DemoBacklogModel::search(const JqlQuery& query, const FieldSelection& fields,
                                  const std::vector<std::string>& properties, std::size_t start_at,
                                  std::size_t max_results, core::SystemTime now) const {
  JqlQuery q = query;
  for (auto& clause : q.clauses) {
    if (clause.field != JqlField::Project) continue;
    for (auto& value : clause.values) {
      const auto it =
          std::find_if(options_.projects.begin(), options_.projects.end(),
                       [&](const std::string& p) { return core::asciiIEquals(p, value); });
      if (it == options_.projects.end()) {
        return errorReply(400,
                          {"The value '" + value + "' does not exist for the field 'project'."});
      }
      value = *it;
    }
  }
  if (cloud() && q.clauses.empty()) {
    return errorReply(400, {"Unbounded JQL queries are not allowed here. Please add a search "
                            "restriction to your query."});
  }
  const auto matches = [&](const Stored& issue) {
    if (now - issue.view.created < options_.search_lag) return false;  // not indexed yet
    for (const auto& clause : q.clauses) {
      const auto& vs = clause.values;
      const auto has = [&](const std::string& v) {
        return std::find(vs.begin(), vs.end(), v) != vs.end();
      };
      bool ok = false;
      switch (clause.field) {
        case JqlField::Project:
          ok = has(issue.view.project);
          break;
        case JqlField::Key:
          ok = has(issue.view.key) || has(issue.view.id);
          break;
        case JqlField::Labels:
          ok = std::any_of(issue.view.labels.begin(), issue.view.labels.end(), has);
          break;
      }
      if (!ok) return false;
    }
    return true;
  };
  std::vector<const Stored*> found;
  for (const auto& issue : issues_) {
    if (matches(issue)) found.push_back(&issue);
  }
  // issues_ is in creation order, which is also created and key order within a project; a stable
  // sort on the first ORDER BY term (created, or key per project number) is enough here.
  std::vector<JqlOrder> order = q.order;
  if (order.empty()) order.push_back(JqlOrder{"created", true});
  if (order.front().descending) std::reverse(found.begin(), found.end());
  if (order.front().field == "key") {
    std::stable_sort(found.begin(), found.end(), [&](const Stored* a, const Stored* b) {
      return order.front().descending ? a->view.project > b->view.project
                                      : a->view.project < b->view.project;
    });
  }
  max_results = std::min(max_results, kMaxSearchResults);
  json issues = json::array();
  for (std::size_t i = start_at; i < found.size() && issues.size() < max_results; ++i) {
    if (cloud() && fields.kind == FieldSelection::Kind::None) {
      json only_id{{"id", found[i]->view.id}};
      if (!properties.empty())
        only_id["properties"] = renderIssue(*found[i], fields, properties)["properties"];
      issues.push_back(std::move(only_id));
    } else {
      issues.push_back(renderIssue(*found[i], fields, properties));
    }
  }
  const std::size_t end = start_at + issues.size();
  if (cloud()) {
    json body{{"issues", issues}, {"isLast", end >= found.size()}};
    if (end < found.size()) body["nextPageToken"] = std::to_string(end);
    return okReply(std::move(body));
  }
  return okReply({{"expand", "schema,names"},
                  {"startAt", start_at},
                  {"maxResults", max_results},
                  {"total", found.size()},
                  {"issues", issues}});
}

std::vector<DemoIssue> DemoBacklogModel::snapshot() const {
  std::vector<DemoIssue> out;
  out.reserve(issues_.size());
  for (const auto& issue : issues_) out.push_back(view(issue));
  return out;
}

std::optional<DemoIssue> DemoBacklogModel::snapshot(const std::string& key) const {
  const Stored* issue = find(key);
  if (issue == nullptr) return std::nullopt;
  return view(*issue);
}

DemoIssue DemoBacklogModel::view(const Stored& issue) const {
  DemoIssue out = issue.view;
  for (const auto& [k, v] : issue.properties) out.properties[k] = v.dump();
  for (const auto& [k, v] : issue.extra) out.extra_fields[k] = v.dump();
  return out;
}

}  // namespace shopwatch::agent::runtime::detail
