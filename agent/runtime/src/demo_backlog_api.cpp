#include "demo_backlog_api.h"

#include <charconv>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "shopwatch/agent/http/query_string.h"

namespace shopwatch::agent::runtime::detail {

using nlohmann::json;

namespace {

constexpr std::size_t kDefaultMaxResults = 50;

std::vector<std::string> split(std::string_view text, char sep) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const auto at = text.find(sep);
    const auto piece = text.substr(0, at);
    if (!piece.empty()) out.emplace_back(piece);
    if (at == std::string_view::npos) break;
    text.remove_prefix(at + 1);
  }
  return out;
}

/// `name=value&…` decoded; the last value of a repeated name wins, except that comma lists are
/// joined.
std::map<std::string, std::string> parseQuery(std::string_view query) {
  std::map<std::string, std::string> out;
  for (auto& [name, value] : http::parseQuery(query)) {
    auto [it, inserted] = out.try_emplace(std::move(name), value);
    if (!inserted) it->second += "," + value;
  }
  return out;
}

std::size_t toSize(std::string_view text, std::size_t fallback) {
  std::size_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  return ec == std::errc{} && end == text.data() + text.size() ? v : fallback;
}

std::size_t jsonSize(const json& body, const char* name, std::size_t fallback) {
  const auto it = body.find(name);
  if (it == body.end()) return fallback;
  if (it->is_number_unsigned() || (it->is_number_integer() && it->get<long long>() >= 0)) {
    return static_cast<std::size_t>(it->get<long long>());
  }
  if (it->is_string()) return toSize(it->get<std::string>(), fallback);
  return fallback;
}

/// `fields`/`properties` given as a JSON array of strings or a comma-separated string.
std::vector<std::string> nameList(const json& value) {
  std::vector<std::string> out;
  if (value.is_string()) return split(value.get<std::string>(), ',');
  if (value.is_array()) {
    for (const auto& v : value) {
      if (v.is_string()) out.push_back(v.get<std::string>());
    }
  }
  return out;
}

ApiReply methodNotAllowed(const std::string& allow) {
  ApiReply reply = errorReply(405, {"Method not allowed; use " + allow + "."});
  reply.headers.emplace_back("Allow", allow);
  return reply;
}

ApiReply notFound() { return errorReply(404, {"No such REST resource in the demo backlog."}); }

ApiReply removedSearch() {
  return errorReply(410, {"The requested API has been removed. Please migrate to the "
                          "/rest/api/3/search/jql API. A full migration guideline is available at "
                          "https://developer.atlassian.com/changelog/#CHANGE-2046"});
}

struct Call {
  const http::HttpRequest& request;
  std::vector<std::string> segments;  ///< after /rest/api/{v}/, decoded
  std::map<std::string, std::string> query;
  core::SystemTime now;
};

/// The JSON body, or an error reply for a missing or malformed one.
std::optional<ApiReply> parseBody(const Call& call, json& out) {
  out = json::parse(call.request.body, nullptr, false);
  if (out.is_discarded()) {
    return errorReply(400, {"Unexpected character in the request body: it is not valid JSON."});
  }
  return std::nullopt;
}

ApiReply search(DemoBacklogModel& model, bool cloud, const Call& call,
                DemoBacklogCounters& counters) {
  json body = json::object();
  if (call.request.method == "POST") {
    if (auto bad = parseBody(call, body)) return *bad;
    if (!body.is_object()) return errorReply(400, {"The search request must be a JSON object."});
  } else {
    for (const auto& [name, value] : call.query) body[name] = value;
  }
  const std::string jql = body.value("jql", json("")).is_string() ? body.value("jql", "") : "";
  auto query = parseJql(jql);
  if (!query) return errorReply(400, {query.error().message});
  const FieldSelection fields = body.contains("fields")
                                    ? selectFields(nameList(body["fields"]))
                                    : (cloud ? selectFields({}) : FieldSelection{});
  const auto properties =
      body.contains("properties") ? nameList(body["properties"]) : std::vector<std::string>{};
  const std::size_t start =
      cloud ? jsonSize(body, "nextPageToken", 0) : jsonSize(body, "startAt", 0);
  ApiReply reply = model.search(*query, fields, properties, start,
                                jsonSize(body, "maxResults", kDefaultMaxResults), call.now);
  if (reply.status == 200) ++counters.searches;
  return reply;
}

/// issue/{idOrKey}[/…] routes (segments[0] == "issue", segments.size() >= 2).
ApiReply issueRoutes(DemoBacklogModel& model, const Call& call, DemoBacklogCounters& counters) {
  const auto& s = call.segments;
  const auto& method = call.request.method;
  const std::string& id = s[1];
  const bool get = method == "GET" || method == "HEAD";
  json body;
  if (s.size() == 2) {
    if (get) {
      const auto f = call.query.find("fields");
      const auto p = call.query.find("properties");
      return model.getIssue(
          id, f == call.query.end() ? FieldSelection{} : selectFields(split(f->second, ',')),
          p == call.query.end() ? std::vector<std::string>{} : split(p->second, ','));
    }
    if (method != "PUT") return methodNotAllowed("GET, PUT");
    if (auto bad = parseBody(call, body)) return *bad;
    ApiReply reply = model.editIssue(id, body, call.now);
    if (reply.status == 204) ++counters.edits;
    return reply;
  }
  if (s.size() == 3 && s[2] == "comment") {
    if (get) {
      const auto order = call.query.find("orderBy");
      const bool newest_first = order != call.query.end() && order->second == "-created";
      const auto max = call.query.find("maxResults");
      const auto start = call.query.find("startAt");
      return model.listComments(id, newest_first,
                                start == call.query.end() ? 0 : toSize(start->second, 0),
                                max == call.query.end() ? 5000 : toSize(max->second, 5000));
    }
    if (method != "POST") return methodNotAllowed("GET, POST");
    if (auto bad = parseBody(call, body)) return *bad;
    ApiReply reply = model.addComment(id, body, call.now);
    if (reply.status == 201) ++counters.comments;
    return reply;
  }
  if (s.size() == 3 && s[2] == "transitions") {
    if (get) return model.listTransitions(id);
    if (method != "POST") return methodNotAllowed("GET, POST");
    if (auto bad = parseBody(call, body)) return *bad;
    ApiReply reply = model.applyTransition(id, body, call.now);
    if (reply.status == 204) ++counters.transitions;
    return reply;
  }
  if (s.size() == 4 && s[2] == "properties") {
    if (get) return model.getProperty(id, s[3]);
    if (method != "PUT") return methodNotAllowed("GET, PUT");
    return model.putProperty(id, s[3], call.request.body, call.now);
  }
  return notFound();
}

}  // namespace

ApiReply handleApi(DemoBacklogModel& model, JiraSettings::Flavor flavor,
                   const http::HttpRequest& request, core::SystemTime now,
                   DemoBacklogCounters& counters) {
  const bool cloud = flavor == JiraSettings::Flavor::Cloud;
  std::vector<std::string> raw = split(request.path, '/');
  if (raw.size() < 3 || raw[0] != "rest" || raw[1] != "api") return notFound();
  const std::string version = raw[2];
  Call call{request, {}, parseQuery(request.query), now};
  for (std::size_t i = 3; i < raw.size(); ++i) call.segments.push_back(http::percentDecode(raw[i]));
  const auto& s = call.segments;
  if (cloud && (version == "2" || version == "3") && s.size() == 1 && s[0] == "search") {
    return removedSearch();
  }
  if (version != (cloud ? "3" : "2") || s.empty()) return notFound();
  const auto& method = request.method;
  const bool get = method == "GET" || method == "HEAD";
  json body;

  if (s[0] == "search") {
    const bool path_ok = cloud ? s.size() == 2 && s[1] == "jql" : s.size() == 1;
    if (!path_ok) return notFound();
    if (!get && method != "POST") return methodNotAllowed("GET, POST");
    return search(model, cloud, call, counters);
  }
  if (s[0] == "issue" && s.size() == 1) {
    if (method != "POST") return methodNotAllowed("POST");
    if (auto bad = parseBody(call, body)) return *bad;
    ApiReply reply = model.createIssue(body, now);
    if (reply.status == 201) ++counters.creates;
    return reply;
  }
  if (s[0] == "issue" && s.size() >= 4 && s[1] == "createmeta" && s[3] == "issuetypes") {
    if (!get) return methodNotAllowed("GET");
    if (s.size() == 4) return model.createMetaIssueTypes(s[2]);
    if (s.size() == 5) return model.createMetaFields(s[2], s[4]);
    return notFound();
  }
  if (s[0] == "issue") return issueRoutes(model, call, counters);
  if (s[0] == "issueLink" && s.size() == 1) {
    if (method != "POST") return methodNotAllowed("POST");
    if (auto bad = parseBody(call, body)) return *bad;
    ApiReply reply = model.linkIssues(body, now);
    if (reply.status == 201) ++counters.links;
    return reply;
  }
  if (s[0] == "project" && s.size() == 2) {
    if (!get) return methodNotAllowed("GET");
    return model.getProject(s[1]);
  }
  if (s[0] == "myself" && s.size() == 1) {
    if (!get) return methodNotAllowed("GET");
    return model.myself();
  }
  return notFound();
}

}  // namespace shopwatch::agent::runtime::detail
