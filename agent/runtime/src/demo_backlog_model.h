#pragma once
/// DemoBacklogModel: the demo backlog's issues and workflow, and Jira's JSON answers about them.
/// Not thread-safe: DemoBacklog holds its mutex around every call. Mutations live in
/// demo_backlog_model.cpp, field rules in demo_backlog_fields.cpp, read-only answers (GET, search,
/// metadata) in demo_backlog_render.cpp.
/// Private to agent/runtime.

#include <chrono>
#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "demo_backlog_jql.h"
#include "shopwatch/agent/runtime/demo_backlog.h"

namespace shopwatch::agent::runtime::detail {

/// What a REST handler answers: status, JSON body (omitted when `no_body`) and extra headers.
struct ApiReply {
  int status = 200;
  nlohmann::json body = nlohmann::json::object();
  bool no_body = false;
  std::vector<std::pair<std::string, std::string>> headers;
};

ApiReply errorReply(int status, const std::vector<std::string>& messages,
                    const std::map<std::string, std::string>& errors = {});
ApiReply emptyReply(int status);

/// `fields=` of a GET or search: every field, none (id and key only), or the named ones.
struct FieldSelection {
  enum class Kind { All, None, Named };
  Kind kind = Kind::All;
  std::set<std::string> names;
  bool wants(const std::string& field) const {
    return kind == Kind::All || (kind == Kind::Named && names.count(field) > 0);
  }
};
/// From the names as listed ("*all", "*navigable" → All; only "id" or nothing → None).
FieldSelection selectFields(const std::vector<std::string>& names);

/// Applies `update.labels` operations ([{add:x},{remove:y},{set:[…]}]) to `labels`; false with
/// errors["labels"] set for a malformed one (demo_backlog_fields.cpp).
bool applyLabelOps(std::vector<std::string>& labels, const nlohmann::json& ops,
                   std::map<std::string, std::string>& errors);

/// A workflow status.
struct WorkflowStatus {
  std::string id;
  std::string name;
  std::string category;  ///< "new", "indeterminate", "done"
};

/// A workflow transition (the demo's workflow is global: every issue type uses it).
struct WorkflowTransition {
  std::string id;
  std::string name;
  std::vector<std::string> from;  ///< status names
  std::string to;
  std::string resolution;  ///< set when entering a done status ("" → clears the resolution)
};

class DemoBacklogModel {
 public:
  explicit DemoBacklogModel(const DemoBacklogOptions& options);

  /// "http://127.0.0.1:PORT" (the `self` links); set once the server listens.
  void setBaseUrl(std::string base_url) { base_url_ = std::move(base_url); }
  void allowFields(const std::vector<std::string>& names);

  // Mutations (demo_backlog_model.cpp).
  ApiReply createIssue(const nlohmann::json& body, core::SystemTime now);
  ApiReply editIssue(const std::string& id_or_key, const nlohmann::json& body,
                     core::SystemTime now);
  ApiReply addComment(const std::string& id_or_key, const nlohmann::json& body,
                      core::SystemTime now);
  ApiReply applyTransition(const std::string& id_or_key, const nlohmann::json& body,
                           core::SystemTime now);
  ApiReply linkIssues(const nlohmann::json& body, core::SystemTime now);
  ApiReply putProperty(const std::string& id_or_key, const std::string& property,
                       const std::string& raw_body, core::SystemTime now);

  core::Status humanTransition(const std::string& key, const std::string& name,
                               core::SystemTime now);
  core::Status humanComment(const std::string& key, const std::string& text, core::SystemTime now);
  core::Status deleteIssue(const std::string& key);

  // Answers (demo_backlog_render.cpp).
  ApiReply getIssue(const std::string& id_or_key, const FieldSelection& fields,
                    const std::vector<std::string>& properties) const;
  ApiReply listComments(const std::string& id_or_key, bool newest_first, std::size_t start_at,
                        std::size_t max_results) const;
  ApiReply listTransitions(const std::string& id_or_key) const;
  ApiReply getProperty(const std::string& id_or_key, const std::string& property) const;
  ApiReply getProject(const std::string& key) const;
  ApiReply createMetaIssueTypes(const std::string& project) const;
  ApiReply createMetaFields(const std::string& project, const std::string& issue_type_id) const;
  ApiReply myself() const;
  /// Cloud shape ({issues,isLast[,nextPageToken]}) or Data Center's
  /// ({startAt,maxResults,total,issues}).
  ApiReply search(const JqlQuery& query, const FieldSelection& fields,
                  const std::vector<std::string>& properties, std::size_t start_at,
                  std::size_t max_results, core::SystemTime now) const;

  std::vector<DemoIssue> snapshot() const;
  std::optional<DemoIssue> snapshot(const std::string& key) const;

  const std::vector<WorkflowStatus>& statuses() const;
  const std::vector<WorkflowTransition>& workflow() const;

 private:
  /// An issue as stored: the public view plus the JSON as sent.
  struct Stored {
    DemoIssue view;
    nlohmann::json description;                   ///< null, ADF (Cloud) or a string (Data Center)
    std::vector<nlohmann::json> comment_bodies;   ///< as sent, parallel to view.comments
    std::map<std::string, nlohmann::json> extra;  ///< other fields as sent
    std::map<std::string, nlohmann::json> properties;  ///< issue properties
    core::SystemTime updated{};
  };

  Stored* find(const std::string& id_or_key);
  const Stored* find(const std::string& id_or_key) const;
  bool cloud() const { return options_.flavor == JiraSettings::Flavor::Cloud; }
  std::string apiPrefix() const;
  std::string issueSelf(const Stored& issue) const;
  /// The text of a description or comment body in this flavor's form, or an error message.
  core::Result<std::string> bodyText(const nlohmann::json& body) const;
  /// Sets one create/edit field; false with `error` filled when the value is unacceptable.
  bool setField(Stored& issue, const std::string& field, const nlohmann::json& value,
                std::map<std::string, std::string>& errors);
  void appendComment(Stored& issue, nlohmann::json body, std::string text, core::SystemTime now);
  void transition(Stored& issue, const WorkflowTransition& t, const std::string& resolution,
                  core::SystemTime now);
  nlohmann::json renderIssue(const Stored& issue, const FieldSelection& fields,
                             const std::vector<std::string>& properties) const;
  nlohmann::json renderComment(const Stored& issue, std::size_t index) const;
  nlohmann::json renderStatus(const std::string& name) const;
  nlohmann::json renderIssueTypes() const;
  DemoIssue view(const Stored& issue) const;

  DemoBacklogOptions options_;
  std::string base_url_;
  std::set<std::string> screen_;
  std::vector<Stored> issues_;              ///< by creation
  std::map<std::string, int> next_number_;  ///< per project
  long next_issue_id_ = 10000;
  long next_comment_id_ = 10000;
};

}  // namespace shopwatch::agent::runtime::detail
