#pragma once
/// DemoBacklog: an in-memory fake Jira that speaks Jira's REST shapes (research/ticketing-slo.md
/// §2), for `shopwatch demo` (the agent's real Jira sink files issues there) and for tests (the
/// same class is their fake Jira, hence the fault injection). Served by agent/http's HttpServer on
/// 127.0.0.1 only.
///
/// Flavors: Cloud answers under /rest/api/3 (descriptions and comment bodies in ADF, Basic auth
/// base64(email:token), POST /rest/api/3/search/jql, /rest/api/{2,3}/search → 410); Data Center
/// answers under /rest/api/2 (wiki strings, Bearer PAT, POST /rest/api/2/search).
///
/// Endpoints, relative to the flavor's prefix P:
/// - POST P/issue → 201 {id,key,self}. Every key of `fields` must be on the create screen (else 400
///   "Field 'x' cannot be set. It is not on the appropriate screen, or unknown."); project and
///   issue type must exist; summary required (≤ 255); labels without spaces (≤ 255); priority one
///   of Highest, High, Medium, Low, Lowest; Cloud descriptions must be ADF with non-empty text
///   nodes, DC ones strings. `properties:[{key,value}]` are stored. New issues are in "To Do".
/// - GET P/issue/{idOrKey}?fields=a,b&properties=k (fields default: all): status
/// {name,statusCategory{key}},
///   resolution, resolutiondate, summary, labels, priority, created, updated, issuetype, project,
///   description, comment, issuelinks and any extra create field; always strongly consistent.
/// - PUT P/issue/{idOrKey} → 204: `fields` (on the screen) and `update.labels`
/// [{add},{remove},{set}];
///   a field in both → 400.
/// - POST P/issue/{key}/comment {body} → 201 {id,created,body,…}; GET P/issue/{key}/comment
///   ?orderBy=[-]created&maxResults=N&startAt=M → {comments,startAt,maxResults,total}.
/// - GET P/issue/{key}/transitions; POST P/issue/{key}/transitions
/// {transition:{id},fields:{resolution:
///   {name}},update:{comment:[{add:{body}}]}} → 204. Workflow: To Do (new) → In Progress
///   (indeterminate) → Done (done). Transitions: "Start" (11, To Do → In Progress), "Done" (31, To
///   Do|In Progress → Done, resolution Done unless fields.resolution says otherwise), "Won't Do"
///   (51, To Do|In Progress → Done, resolution Won't Do), "Reopen" (41, Done → To Do, clears
///   resolution). Others → 400.
/// - POST P/issueLink {type{name},inwardIssue{key},outwardIssue{key}} → 201 (types Relates,
/// Duplicate,
///   Blocks, Cloners).
/// - PUT/GET P/issue/{key}/properties/{k} (PUT: 201 new, 200 replaced; value non-empty JSON ≤
/// 32768).
/// - GET P/project/{key} → {id,key,name,issueTypes}; GET P/myself.
/// - GET P/issue/createmeta/{project}/issuetypes → the project's issue types, listed under both
///   `issueTypes` (Cloud's key) and `values` (Data Center's key), same as `.../issuetypes/{id}` for
///   the screen's fields ({fieldId,key,name,required} under `fields` and `values`). Both flavors
///   use it.
/// - Search: Cloud POST (or GET) /rest/api/3/search/jql
/// {jql,fields,properties,maxResults,nextPageToken}
///   → {issues,isLast[,nextPageToken]} (fields default: id only); Data Center POST (or GET)
///   /rest/api/2/search {jql,startAt,maxResults,fields} → {startAt,maxResults,total,issues}.
///   JQL: clauses `project = "A"`, `project in ("A","B")`, `labels = "x"`, `labels in (…)`,
///   `key = "A-1"`, `key in (…)` joined by AND, then optionally `ORDER BY created|key [ASC|DESC]`.
///   Anything else → 400 with a JQL error; an unknown project → 400 like Jira's. Cloud rejects a
///   query without any clause (unbounded). Issues created less than `search_lag` ago are not found.
/// - The human page: GET / and GET /issues/{key} (HTML, newest issue first, refresh every 5 s).
/// Faults
///   and auth apply to /rest/ only.
/// Errors are Jira's `{"errorMessages":[…],"errors":{…}}`.
///
/// Thread-safety: every public member except start()/stop()/the destructor may be called from any
/// thread at any time (one mutex); start()/stop() from the owning thread.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "shopwatch/agent/config/backlog_settings.h"
#include "shopwatch/core/clock.h"
#include "shopwatch/core/duration.h"
#include "shopwatch/core/result.h"

namespace shopwatch::agent::http {
class HttpServer;
struct HttpRequest;
struct HttpResponse;
}  // namespace shopwatch::agent::http

namespace shopwatch::agent::runtime {

namespace detail {
class DemoBacklogModel;
}

struct DemoBacklogOptions {
  JiraSettings::Flavor flavor = JiraSettings::Flavor::Cloud;
  /// Cloud: requests must carry `Authorization: Basic base64(email:token)`; Data Center:
  /// `Authorization: Bearer token`. An empty token accepts any request (the demo's choice).
  std::string email = "demo@shopwatch.invalid";
  std::string token = "demo-token";
  std::vector<std::string> projects{"SHOP"};
  std::vector<std::string> issue_types{"Incident", "Bug", "Task"};
  /// Fields on the create (and edit) screen; allowFields() adds more.
  std::vector<std::string> screen_fields{"project", "issuetype", "summary",   "description",
                                         "labels",  "priority",  "components"};
  /// Fields a create must set (400 "Field 'x' is required" otherwise).
  std::vector<std::string> required_fields{"project", "issuetype", "summary"};
  /// Searches do not see issues created less than this long ago (Jira's index lag).
  core::Micros search_lag{0};
  /// Time source for created/resolution dates, the index lag and the request log. Null: the system
  /// clock. Must outlive the DemoBacklog.
  const core::Clock* clock = nullptr;
};

/// One comment as the page and tests see it.
struct DemoComment {
  std::string id;
  std::string body;  ///< plain text (ADF flattened: one line per paragraph, hardBreak → newline)
  core::SystemTime created{};
};

/// One applied transition.
struct DemoTransitionRecord {
  std::string name;  ///< "Done", "Reopen", …
  std::string from;  ///< status names
  std::string to;
  std::string resolution;  ///< after the transition ("" when none)
  core::SystemTime at{};
};

struct DemoLink {
  std::string type;    ///< "Relates"
  std::string inward;  ///< issue keys
  std::string outward;
};

/// A snapshot of one issue.
struct DemoIssue {
  std::string id;   ///< "10000", "10001", …
  std::string key;  ///< "SHOP-1"
  std::string project;
  std::string issue_type;
  std::string summary;
  std::string description;  ///< plain text (ADF flattened), "" when none
  std::vector<std::string> labels;
  std::string priority;         ///< "" when none
  std::string status;           ///< "To Do", "In Progress", "Done"
  std::string status_category;  ///< "new", "indeterminate", "done"
  std::string resolution;       ///< "" when unresolved
  core::SystemTime created{};
  std::optional<core::SystemTime> resolved;
  std::vector<DemoComment> comments;                ///< oldest first
  std::vector<DemoTransitionRecord> transitions;    ///< in the order applied
  std::vector<DemoLink> links;                      ///< links this issue takes part in
  std::map<std::string, std::string> properties;    ///< key → JSON text
  std::map<std::string, std::string> extra_fields;  ///< other create/edit fields: name → JSON text
};

/// One request to /rest/ as answered.
struct DemoRequest {
  std::string method;
  std::string path;  ///< without the query
  std::string query;
  int status = 0;         ///< what was answered (for a dropped create: 201, answered late)
  core::SystemTime at{};  ///< the options' clock when it arrived
};

struct DemoBacklogCounters {
  std::size_t requests = 0;  ///< to /rest/, whatever the answer
  std::size_t creates = 0;   ///< issues created (dropped creates included)
  std::size_t edits = 0;
  std::size_t comments = 0;
  std::size_t transitions = 0;
  std::size_t links = 0;
  std::size_t searches = 0;  ///< answered searches (not 410s)
  std::size_t injected = 0;  ///< answered by failNext() or setDown()
  std::size_t unauthorized = 0;
};

class DemoBacklog {
 public:
  explicit DemoBacklog(DemoBacklogOptions options = {});
  ~DemoBacklog();  ///< stop()s
  DemoBacklog(const DemoBacklog&) = delete;
  DemoBacklog& operator=(const DemoBacklog&) = delete;
  DemoBacklog(DemoBacklog&&) = delete;
  DemoBacklog& operator=(DemoBacklog&&) = delete;

  /// Listens on 127.0.0.1:`port` (0: a free port). Error when the port is taken or started twice.
  core::Status start(std::uint16_t port = 0);
  void stop();
  std::uint16_t port() const;
  /// "http://127.0.0.1:PORT" (what JiraSettings::url points at).
  std::string baseUrl() const;
  JiraSettings::Flavor flavor() const { return options_.flavor; }

  /// Puts more fields on the create/edit screen (e.g. "customfield_10010").
  void allowFields(const std::vector<std::string>& names);

  // --- Fault injection (counted in requests and the log) ---
  /// Answers the next `n` requests to /rest/ with `status` (e.g. 429, 503) and, when given,
  /// `Retry-After: <seconds>`, before authentication and without acting on them.
  void failNext(int n, int status, std::optional<int> retry_after_seconds = std::nullopt);
  /// While down, every /rest/ request is answered 503.
  void setDown(bool down);
  /// The next `n` creates are performed but answered only after `delay` — longer than the client's
  /// timeout, so the client sees no answer: a create whose outcome is unknown. (HttpServer cannot
  /// drop a connection on a handler's word; stop() closes such connections at once.)
  void dropAfterCreate(int n, std::chrono::milliseconds delay = std::chrono::seconds{60});

  // --- Inspection ---
  DemoBacklogCounters counters() const;
  std::vector<DemoRequest> requests() const;  ///< oldest first
  void clearRequests();
  std::vector<DemoIssue> issues() const;  ///< by creation, oldest first
  std::optional<DemoIssue> issue(const std::string& key) const;

  // --- What a human does in Jira (scenario tests) ---
  /// Applies the transition named `name` as a user would ("Done", "Won't Do", "Reopen", "Start").
  core::Status humanTransition(const std::string& key, const std::string& name);
  /// Adds a comment as a user would.
  core::Status humanComment(const std::string& key, const std::string& text);
  /// Deletes an issue (later GETs answer 404).
  core::Status deleteIssue(const std::string& key);

 private:
  struct Faults;
  core::SystemTime now() const;
  http::HttpResponse answerApi(const http::HttpRequest& request);
  bool authorized(const http::HttpRequest& request) const;

  DemoBacklogOptions options_;
  mutable std::mutex mu_;
  std::unique_ptr<detail::DemoBacklogModel> model_;
  std::unique_ptr<Faults> faults_;
  std::unique_ptr<http::HttpServer> server_;
};

}  // namespace shopwatch::agent::runtime
