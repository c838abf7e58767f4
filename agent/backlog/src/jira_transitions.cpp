#include "jira_transitions.h"

#include "shopwatch/core/text.h"

namespace shopwatch::agent::backlog::detail {

TransitionsRead listTransitions(JiraApi& api, const std::string& id_or_key) {
  TransitionsRead out;
  out.reply = api.get(api.path("issue/" + percentEncode(id_or_key) + "/transitions"));
  if (!ok(out.reply)) return out;
  const nlohmann::json j = parseBody(out.reply);
  if (!j.is_object() || !j.contains("transitions") || !j["transitions"].is_array()) return out;
  for (const auto& t : j["transitions"]) {
    if (!t.is_object()) continue;
    JiraTransition tr;
    tr.id = t.value("id", std::string{});
    tr.name = t.value("name", std::string{});
    if (auto to = t.find("to"); to != t.end() && to->is_object()) {
      tr.to_status = to->value("name", std::string{});
      if (auto c = to->find("statusCategory"); c != to->end() && c->is_object()) {
        tr.to_done = c->value("key", std::string{}) == "done";
      }
    }
    if (t.value("isAvailable", true) && !tr.id.empty()) out.transitions.push_back(std::move(tr));
  }
  return out;
}

std::optional<JiraTransition> pickTransition(const std::vector<JiraTransition>& transitions,
                                             const std::string& name, bool into_done) {
  if (!name.empty()) {
    for (const auto& t : transitions) {
      if (core::asciiIEquals(t.name, name)) return t;
    }
  }
  std::optional<JiraTransition> single;
  for (const auto& t : transitions) {
    if (t.to_done != into_done) continue;
    if (single) return std::nullopt;  // ambiguous: never guess between two workflow paths
    single = t;
  }
  return single;
}

std::string describeTransitions(const std::vector<JiraTransition>& transitions) {
  if (transitions.empty()) return "none";
  std::string out;
  for (const auto& t : transitions) {
    if (!out.empty()) out += ", ";
    out += t.name + " (→ " + t.to_status + ")";
  }
  return out;
}

HttpReply applyTransition(JiraApi& api, const std::string& id_or_key, const JiraTransition& t) {
  return api.post(api.path("issue/" + percentEncode(id_or_key) + "/transitions"),
                  {{"transition", {{"id", t.id}}}});
}

}  // namespace shopwatch::agent::backlog::detail
