// DemoBacklogModel's field rules: what a create or edit may set and how Jira words a refusal.
#include <algorithm>
#include <cstdlib>

#include "demo_backlog_model.h"
#include "demo_backlog_support.h"

namespace shopwatch::agent::runtime::detail {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxSummary = 255;
constexpr std::size_t kMaxLabel = 255;

const std::vector<std::string> kPriorities{"Highest", "High", "Medium", "Low", "Lowest"};

/// UTF-8 code points (Jira's limits count characters, not bytes).
std::size_t characters(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

}  // namespace

ApiReply errorReply(int status, const std::vector<std::string>& messages,
                    const std::map<std::string, std::string>& errors) {
  ApiReply reply;
  reply.status = status;
  reply.body = jiraErrorBody(messages, errors);
  return reply;
}

ApiReply emptyReply(int status) {
  ApiReply reply;
  reply.status = status;
  reply.no_body = true;
  return reply;
}

FieldSelection selectFields(const std::vector<std::string>& names) {
  FieldSelection out;
  out.kind = FieldSelection::Kind::None;
  for (const auto& name : names) {
    if (name == "*all" || name == "*navigable") return FieldSelection{};
    if (name.empty() || name == "id" || name == "key" || name[0] == '-') continue;
    out.kind = FieldSelection::Kind::Named;
    out.names.insert(name);
  }
  return out;
}

core::Result<std::string> DemoBacklogModel::bodyText(const json& body) const {
  if (cloud()) {
    if (!body.is_object()) {
      return core::makeError(core::ErrorCode::Invalid,
                             "Operation value must be an Atlassian Document (see the Atlassian "
                             "Document Format)");
    }
    return adfToText(body);
  }
  if (!body.is_string()) {
    return core::makeError(core::ErrorCode::Invalid, "Operation value must be a string");
  }
  return body.get<std::string>();
}

bool DemoBacklogModel::setField(Stored& issue, const std::string& field, const json& value,
                                std::map<std::string, std::string>& errors) {
  if (field == "summary") {
    if (!value.is_string() || value.get<std::string>().empty()) {
      errors[field] = "You must specify a summary of the issue.";
      return false;
    }
    if (characters(value.get<std::string>()) > kMaxSummary) {
      errors[field] = "Summary must be less than 255 characters.";
      return false;
    }
    issue.view.summary = value.get<std::string>();
  } else if (field == "description") {
    if (value.is_null()) {
      issue.description = nullptr;
      issue.view.description.clear();
      return true;
    }
    auto text = bodyText(value);
    if (!text) {
      errors[field] = text.error().message;
      return false;
    }
    issue.description = value;
    issue.view.description = std::move(*text);
  } else if (field == "labels") {
    if (!value.is_array()) {
      errors[field] = "Operation value must be an array of strings";
      return false;
    }
    std::vector<std::string> labels;
    for (const auto& label : value) {
      if (!label.is_string() || label.get<std::string>().empty()) {
        errors[field] = "Operation value must be an array of strings";
        return false;
      }
      const auto text = label.get<std::string>();
      if (text.find(' ') != std::string::npos) {
        errors[field] = "The label '" + text + "' contains spaces which is invalid.";
        return false;
      }
      if (characters(text) > kMaxLabel) {
        errors[field] =
            "The entered text is too long. It exceeds the allowed limit of 255 characters.";
        return false;
      }
      if (std::find(labels.begin(), labels.end(), text) == labels.end()) labels.push_back(text);
    }
    issue.view.labels = std::move(labels);
  } else if (field == "priority") {
    if (value.is_null()) {
      issue.view.priority.clear();
      return true;
    }
    std::string name = refText(value, {"name"});
    const std::string id = refText(value, {"id"});
    if (name.empty() && !id.empty()) {
      const auto n = static_cast<std::size_t>(std::atoi(id.c_str()));
      if (n >= 1 && n <= kPriorities.size()) name = kPriorities[n - 1];
    }
    if (std::find(kPriorities.begin(), kPriorities.end(), name) == kPriorities.end()) {
      errors[field] =
          "Specify a valid priority (id or name); '" + (name.empty() ? id : name) + "' is not one.";
      return false;
    }
    issue.view.priority = name;
  } else {
    issue.extra[field] = value;
  }
  return true;
}

/// Applies `update.labels` operations ([{add:x},{remove:y},{set:[…]}]).
bool applyLabelOps(std::vector<std::string>& labels, const json& ops,
                   std::map<std::string, std::string>& errors) {
  if (!ops.is_array()) {
    errors["labels"] = "Operation value must be an array of operations";
    return false;
  }
  for (const auto& op : ops) {
    if (!op.is_object() || op.size() != 1) {
      errors["labels"] = "Each operation must have exactly one of add, remove, set";
      return false;
    }
    const auto first = op.begin();
    const std::string verb = first.key();
    const json& arg = first.value();
    if (verb == "set") {
      if (!arg.is_array()) {
        errors["labels"] = "Operation value must be an array of strings";
        return false;
      }
      labels.clear();
      for (const auto& l : arg) {
        if (l.is_string()) labels.push_back(l.get<std::string>());
      }
      continue;
    }
    if (!arg.is_string() || arg.get<std::string>().empty() ||
        arg.get<std::string>().find(' ') != std::string::npos) {
      errors["labels"] = "A label must be a non-empty string without spaces";
      return false;
    }
    const auto label = arg.get<std::string>();
    const auto it = std::find(labels.begin(), labels.end(), label);
    if (verb == "add") {
      if (it == labels.end()) labels.push_back(label);
    } else if (verb == "remove") {
      if (it != labels.end()) labels.erase(it);
    } else {
      errors["labels"] = "Operation '" + verb + "' is not supported for labels";
      return false;
    }
  }
  return true;
}

}  // namespace shopwatch::agent::runtime::detail
