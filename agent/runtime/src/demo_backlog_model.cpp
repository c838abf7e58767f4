#include "demo_backlog_model.h"

#include <algorithm>
#include <cctype>

#include "demo_backlog_support.h"

namespace shopwatch::agent::runtime::detail {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxProperty = 32768;

const std::vector<std::string> kResolutions{"Done", "Won't Do", "Duplicate", "Cannot Reproduce"};

}  // namespace

DemoBacklogModel::DemoBacklogModel(const DemoBacklogOptions& options)
    : options_(options), screen_(options.screen_fields.begin(), options.screen_fields.end()) {}

void DemoBacklogModel::allowFields(const std::vector<std::string>& names) {
  screen_.insert(names.begin(), names.end());
}

const std::vector<WorkflowStatus>& DemoBacklogModel::statuses() const {
  static const std::vector<WorkflowStatus> kStatuses{
      {"10000", "To Do", "new"}, {"3", "In Progress", "indeterminate"}, {"10001", "Done", "done"}};
  return kStatuses;
}

const std::vector<WorkflowTransition>& DemoBacklogModel::workflow() const {
  static const std::vector<WorkflowTransition> kWorkflow{
      {"11", "Start", {"To Do"}, "In Progress", ""},
      {"31", "Done", {"To Do", "In Progress"}, "Done", "Done"},
      {"41", "Reopen", {"Done"}, "To Do", ""},
      {"51", "Won't Do", {"To Do", "In Progress"}, "Done", "Won't Do"}};
  return kWorkflow;
}

DemoBacklogModel::Stored* DemoBacklogModel::find(const std::string& id_or_key) {
  for (auto& issue : issues_) {
    if (issue.view.id == id_or_key || issue.view.key == id_or_key) return &issue;
  }
  return nullptr;
}

const DemoBacklogModel::Stored* DemoBacklogModel::find(const std::string& id_or_key) const {
  return const_cast<DemoBacklogModel*>(this)->find(id_or_key);
}

std::string DemoBacklogModel::apiPrefix() const {
  return base_url_ + (cloud() ? "/rest/api/3" : "/rest/api/2");
}

std::string DemoBacklogModel::issueSelf(const Stored& issue) const {
  return apiPrefix() + "/issue/" + issue.view.id;
}

ApiReply DemoBacklogModel::createIssue(const json& body, core::SystemTime now) {
  if (!body.is_object() || !body.contains("fields") || !body["fields"].is_object()) {
    return errorReply(400, {"Can not deserialize the request: 'fields' must be an object."});
  }
  const json& fields = body["fields"];
  std::map<std::string, std::string> errors;
  for (const auto& [name, value] : fields.items()) {
    if (screen_.count(name) == 0) errors[name] = notOnScreen(name);
  }
  for (const auto& required : options_.required_fields) {
    if (fields.contains(required) && !fields[required].is_null()) continue;
    errors[required] = required == "summary" ? "You must specify a summary of the issue."
                                             : "Field '" + required + "' is required";
  }
  if (!errors.empty()) return errorReply(400, {}, errors);

  Stored issue;
  const std::string project = refText(fields.value("project", json()), {"key", "id"});
  const auto p = std::find(options_.projects.begin(), options_.projects.end(), project);
  if (p == options_.projects.end()) {
    std::size_t index = 0;  // a numeric project id: 10000 + position
    if (!project.empty() && std::all_of(project.begin(), project.end(), ::isdigit)) {
      index = static_cast<std::size_t>(std::atol(project.c_str()));
    }
    if (index >= 10000 && index - 10000 < options_.projects.size()) {
      issue.view.project = options_.projects[index - 10000];
    } else {
      errors["project"] = "valid project is required";
    }
  } else {
    issue.view.project = *p;
  }
  const json type = fields.value("issuetype", json());
  const std::string type_name = refText(type, {"name"});
  const std::string type_id = refText(type, {"id"});
  for (std::size_t i = 0; i < options_.issue_types.size(); ++i) {
    if (options_.issue_types[i] == type_name || std::to_string(10001 + i) == type_id) {
      issue.view.issue_type = options_.issue_types[i];
    }
  }
  if (issue.view.issue_type.empty() && fields.contains("issuetype")) {
    errors["issuetype"] = "Specify a valid issue type";
  }
  for (const auto& [name, value] : fields.items()) {
    if (name != "project" && name != "issuetype") setField(issue, name, value, errors);
  }
  if (body.contains("update") && body["update"].is_object()) {
    for (const auto& [name, ops] : body["update"].items()) {
      if (name != "labels") {
        errors[name] = notOnScreen(name);
      } else if (fields.contains("labels")) {
        errors[name] = "Field 'labels' cannot be set in both 'fields' and 'update'.";
      } else {
        applyLabelOps(issue.view.labels, ops, errors);
      }
    }
  }
  std::map<std::string, json> properties;
  if (body.contains("properties")) {
    if (!body["properties"].is_array()) return errorReply(400, {"'properties' must be an array."});
    for (const auto& prop : body["properties"]) {
      if (!prop.is_object() || !prop.contains("key") || !prop["key"].is_string() ||
          !prop.contains("value")) {
        return errorReply(400, {"Each issue property needs a key and a value."});
      }
      properties[prop["key"].get<std::string>()] = prop["value"];
    }
  }
  if (!errors.empty()) return errorReply(400, {}, errors);

  issue.properties = std::move(properties);
  issue.view.id = std::to_string(next_issue_id_++);
  issue.view.key = issue.view.project + "-" + std::to_string(++next_number_[issue.view.project]);
  issue.view.status = "To Do";
  issue.view.status_category = "new";
  issue.view.created = now;
  issue.updated = now;
  issues_.push_back(std::move(issue));
  const Stored& stored = issues_.back();
  ApiReply reply;
  reply.status = 201;
  reply.body = {{"id", stored.view.id}, {"key", stored.view.key}, {"self", issueSelf(stored)}};
  return reply;
}

ApiReply DemoBacklogModel::editIssue(const std::string& id_or_key, const json& body,
                                     core::SystemTime now) {
  Stored* issue = find(id_or_key);
  if (issue == nullptr) {
    return errorReply(404, {"Issue does not exist or you do not have permission to see it."});
  }
  if (!body.is_object()) return errorReply(400, {"Can not deserialize the request body."});
  const json fields = body.value("fields", json::object());
  const json update = body.value("update", json::object());
  if (!fields.is_object() || !update.is_object()) {
    return errorReply(400, {"'fields' and 'update' must be objects."});
  }
  std::map<std::string, std::string> errors;
  Stored copy = *issue;
  for (const auto& [name, value] : fields.items()) {
    if (screen_.count(name) == 0 || name == "project" || name == "issuetype") {
      errors[name] = notOnScreen(name);
    } else if (update.contains(name)) {
      errors[name] = "Field '" + name + "' cannot be set in both 'fields' and 'update'.";
    } else {
      setField(copy, name, value, errors);
    }
  }
  for (const auto& [name, ops] : update.items()) {
    if (screen_.count(name) == 0 || name == "project" || name == "issuetype") {
      errors[name] = notOnScreen(name);
    } else if (fields.contains(name)) {
      continue;  // reported above
    } else if (name == "labels") {
      applyLabelOps(copy.view.labels, ops, errors);
    } else if (ops.is_array() && ops.size() == 1 && ops[0].is_object() && ops[0].contains("set")) {
      setField(copy, name, ops[0]["set"], errors);
    } else {
      errors[name] = "Only a single 'set' operation is supported for '" + name + "'.";
    }
  }
  if (!errors.empty()) return errorReply(400, {}, errors);
  copy.updated = now;
  *issue = std::move(copy);
  return emptyReply(204);
}

void DemoBacklogModel::appendComment(Stored& issue, json body, std::string text,
                                     core::SystemTime now) {
  issue.view.comments.push_back(
      DemoComment{std::to_string(next_comment_id_++), std::move(text), now});
  issue.comment_bodies.push_back(std::move(body));
  issue.updated = now;
}

ApiReply DemoBacklogModel::addComment(const std::string& id_or_key, const json& body,
                                      core::SystemTime now) {
  Stored* issue = find(id_or_key);
  if (issue == nullptr) {
    return errorReply(404, {"Issue does not exist or you do not have permission to see it."});
  }
  if (!body.is_object() || !body.contains("body") || body["body"].is_null() ||
      (body["body"].is_string() && body["body"].get<std::string>().empty())) {
    return errorReply(400, {}, {{"comment", "Comment body can not be empty!"}});
  }
  auto text = bodyText(body["body"]);
  if (!text) return errorReply(400, {}, {{"comment", text.error().message}});
  appendComment(*issue, body["body"], std::move(*text), now);
  ApiReply reply;
  reply.status = 201;
  reply.body = renderComment(*issue, issue->view.comments.size() - 1);
  return reply;
}

void DemoBacklogModel::transition(Stored& issue, const WorkflowTransition& t,
                                  const std::string& resolution, core::SystemTime now) {
  const std::string from = issue.view.status;
  const auto status = std::find_if(statuses().begin(), statuses().end(),
                                   [&](const WorkflowStatus& s) { return s.name == t.to; });
  issue.view.status = status->name;
  issue.view.status_category = status->category;
  if (status->category == "done") {
    issue.view.resolution = resolution.empty() ? t.resolution : resolution;
    issue.view.resolved = now;
  } else {
    issue.view.resolution.clear();
    issue.view.resolved.reset();
  }
  issue.view.transitions.push_back(
      DemoTransitionRecord{t.name, from, issue.view.status, issue.view.resolution, now});
  issue.updated = now;
}

ApiReply DemoBacklogModel::applyTransition(const std::string& id_or_key, const json& body,
                                           core::SystemTime now) {
  Stored* issue = find(id_or_key);
  if (issue == nullptr) {
    return errorReply(404, {"Issue does not exist or you do not have permission to see it."});
  }
  if (!body.is_object() || !body.contains("transition")) {
    return errorReply(400, {"Missing 'transition' identifier"});
  }
  const std::string id = refText(body["transition"], {"id"});
  if (id.empty()) return errorReply(400, {"Missing 'id' field in transition"});
  const auto t =
      std::find_if(workflow().begin(), workflow().end(), [&](const WorkflowTransition& w) {
        return w.id == id &&
               std::find(w.from.begin(), w.from.end(), issue->view.status) != w.from.end();
      });
  if (t == workflow().end()) {
    return errorReply(400, {"Transition id '" + id + "' is not valid for this issue."});
  }
  std::map<std::string, std::string> errors;
  std::string resolution;
  const json fields = body.value("fields", json::object());
  for (const auto& [name, value] : fields.items()) {
    if (name != "resolution" || t->to != "Done") {
      errors[name] = notOnScreen(name);
      continue;
    }
    resolution = refText(value, {"name"});
    if (std::find(kResolutions.begin(), kResolutions.end(), resolution) == kResolutions.end()) {
      errors[name] = "Resolution '" + resolution + "' is not valid.";
    }
  }
  std::vector<std::pair<json, std::string>> comments;
  const json update = body.value("update", json::object());
  for (const auto& [name, ops] : update.items()) {
    if (name != "comment" || !ops.is_array()) {
      errors[name] = notOnScreen(name);
      continue;
    }
    for (const auto& op : ops) {
      const json add = op.is_object() ? op.value("add", json()) : json();
      auto text = add.is_object() && add.contains("body")
                      ? bodyText(add["body"])
                      : core::Result<std::string>(
                            core::makeError(core::ErrorCode::Invalid, "INVALID_INPUT"));
      if (!text) {
        errors["comment"] = text.error().message;
        continue;
      }
      comments.emplace_back(add["body"], std::move(*text));
    }
  }
  if (!errors.empty()) return errorReply(400, {}, errors);
  transition(*issue, *t, resolution, now);
  for (auto& [raw, text] : comments) appendComment(*issue, std::move(raw), std::move(text), now);
  return emptyReply(204);
}

ApiReply DemoBacklogModel::linkIssues(const json& body, core::SystemTime now) {
  static const std::vector<std::string> kTypes{"Relates", "Duplicate", "Blocks", "Cloners"};
  if (!body.is_object()) return errorReply(400, {"Can not deserialize the request body."});
  const std::string type = refText(body.value("type", json()), {"name"});
  if (std::find(kTypes.begin(), kTypes.end(), type) == kTypes.end()) {
    return errorReply(404, {"No issue link type with name '" + type + "' found."});
  }
  Stored* inward = find(refText(body.value("inwardIssue", json()), {"key", "id"}));
  Stored* outward = find(refText(body.value("outwardIssue", json()), {"key", "id"}));
  if (inward == nullptr || outward == nullptr) return errorReply(404, {"Issue Does Not Exist"});
  const DemoLink link{type, inward->view.key, outward->view.key};
  inward->view.links.push_back(link);
  if (outward != inward) outward->view.links.push_back(link);
  inward->updated = now;
  outward->updated = now;
  return emptyReply(201);
}

ApiReply DemoBacklogModel::putProperty(const std::string& id_or_key, const std::string& property,
                                       const std::string& raw_body, core::SystemTime now) {
  Stored* issue = find(id_or_key);
  if (issue == nullptr) {
    return errorReply(404, {"Issue does not exist or you do not have permission to see it."});
  }
  if (property.empty() || property.size() > 255) {
    return errorReply(400, {"The property key must be between 1 and 255 characters long."});
  }
  if (raw_body.size() > kMaxProperty) {
    return errorReply(400, {"The property value is too long (at most 32768 characters)."});
  }
  json value = json::parse(raw_body, nullptr, false);
  if (value.is_discarded() || raw_body.empty()) {
    return errorReply(400, {"The property value must be a valid, non-empty JSON value."});
  }
  const bool existed = issue->properties.count(property) > 0;
  issue->properties[property] = std::move(value);
  issue->updated = now;
  return emptyReply(existed ? 200 : 201);
}

core::Status DemoBacklogModel::humanTransition(const std::string& key, const std::string& name,
                                               core::SystemTime now) {
  Stored* issue = find(key);
  if (issue == nullptr) return core::makeError(core::ErrorCode::NotFound, "no issue " + key);
  for (const auto& t : workflow()) {
    if (t.name == name &&
        std::find(t.from.begin(), t.from.end(), issue->view.status) != t.from.end()) {
      transition(*issue, t, "", now);
      return {};
    }
  }
  return core::makeError(core::ErrorCode::Invalid,
                         "no transition '" + name + "' from '" + issue->view.status + "'");
}

core::Status DemoBacklogModel::humanComment(const std::string& key, const std::string& text,
                                            core::SystemTime now) {
  Stored* issue = find(key);
  if (issue == nullptr) return core::makeError(core::ErrorCode::NotFound, "no issue " + key);
  if (text.empty()) return core::makeError(core::ErrorCode::Invalid, "empty comment");
  appendComment(*issue, cloud() ? textToAdf(text) : json(text), text, now);
  return {};
}

core::Status DemoBacklogModel::deleteIssue(const std::string& key) {
  const auto it = std::find_if(issues_.begin(), issues_.end(), [&](const Stored& s) {
    return s.view.key == key || s.view.id == key;
  });
  if (it == issues_.end()) return core::makeError(core::ErrorCode::NotFound, "no issue " + key);
  issues_.erase(it);
  return {};
}

}  // namespace shopwatch::agent::runtime::detail
